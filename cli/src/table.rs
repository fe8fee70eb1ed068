//! Reading records for a saved model (columns matched by name) and writing its predictions.

use std::path::Path;

use learnkit::data::{self, Column, Table};
use learnkit::{Error, Result};
use ndarray::Array2;

use crate::model::{Model, Output};
use learnkit::data::shown;

/// At most this many names are listed in an error about columns.
const LISTED: usize = 8;

fn listed(names: &[&String]) -> String {
    let mut text: Vec<String> = names.iter().take(LISTED).map(|n| shown(n)).collect();
    if names.len() > LISTED {
        text.push(format!("… ({} in all)", names.len()));
    }
    text.join(", ")
}

/// Reads `path` for `model`: its columns matched **by name** to the ones the model was trained
/// on, in the model's order, whatever their order in the file. `target`: a column to read as
/// the labels (evaluation). A missing column is an error; so is a column the model does not
/// read, unless `ignore_extra`. Returns the table, with its features in the model's order.
pub fn read_for(
    model: &Model,
    vocabularies: &[data::Vocabulary],
    path: &Path,
    target: Option<&str>,
    ignore_extra: bool,
) -> Result<Table> {
    let header = data::read_table_header(path)?;
    let wanted = model.feature_names();
    let missing: Vec<&String> = wanted.iter().filter(|f| !header.contains(f)).collect();
    if !missing.is_empty() {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            message: format!(
                "missing the column{} the model was trained on: {}",
                if missing.len() == 1 { "" } else { "s" },
                listed(&missing)
            ),
        });
    }
    let extra: Vec<&String> = header
        .iter()
        .filter(|h| !wanted.contains(h) && Some(h.as_str()) != target)
        .collect();
    if !extra.is_empty() && !ignore_extra {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            message: format!(
                "column{} the model does not read: {} (--ignore-extra skips them)",
                if extra.len() == 1 { "" } else { "s" },
                listed(&extra)
            ),
        });
    }
    let ignored: Vec<String> = extra.into_iter().cloned().collect();
    let known = vocabularies;
    let mut table =
        data::read_table_numbered(path, target, &ignored, model.accepts_missing(), known)?;
    // A text column the model did not learn as categories would be numbered afresh: refused.
    if let Some(v) = table
        .vocabularies
        .iter()
        .find(|v| !known.iter().any(|k| k.column == v.column))
    {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: Some(v.column.clone()),
            message: "holds text, but the model was not trained on it as categories".into(),
        });
    }
    // The file's order to the model's.
    let order: Vec<usize> = wanted
        .iter()
        .map(|w| table.feature_names.iter().position(|f| f == w))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::invalid_model("feature names do not match the file"))?;
    if order.iter().enumerate().any(|(i, &j)| i != j) {
        let x = &table.features;
        table.features = Array2::from_shape_fn((x.nrows(), order.len()), |(r, c)| x[(r, order[c])]);
        table.feature_names = wanted.to_vec();
    }
    Ok(table)
}

/// Refuses to write `output` (given as `flag`) over one of the `inputs` (the data or the
/// model): a typo there would destroy them; and refuses a directory as `output`.
pub fn refuse_overwrite(flag: &'static str, output: &Path, inputs: &[(&str, &Path)]) -> Result<()> {
    // Found before any work, not when the file is written at the end.
    if output.is_dir() {
        return Err(Error::invalid(
            flag,
            shown(&output.display().to_string()),
            "is a directory; give a file path",
        ));
    }
    let Ok(out) = output.canonicalize() else {
        return Ok(()); // does not exist yet
    };
    for (what, input) in inputs {
        if input.canonicalize().is_ok_and(|i| i == out) {
            return Err(Error::invalid(
                flag,
                output.display(),
                format!("is the {what} file; it would be overwritten"),
            ));
        }
    }
    Ok(())
}

/// Writes `output` to `path` — CSV, or Parquet or Arrow by the extension — atomically (an
/// existing file is replaced only once the new one is complete). Classes are written in their
/// original spelling, with one probability column per class (`proba_<label>`) when `proba`.
pub fn write_predictions(path: &Path, model: &Model, output: &Output, proba: bool) -> Result<()> {
    let columns: Vec<(String, Column)> = match output {
        Output::Classes(labels, p) => {
            let classes = model.classes().unwrap_or(&[]);
            let names = labels
                .iter()
                .map(|&label| classes.get(label).cloned().unwrap_or_default())
                .collect();
            let mut columns = vec![("prediction".to_string(), Column::Text(names))];
            if proba {
                for (k, class) in classes.iter().enumerate() {
                    columns.push((
                        format!("proba_{class}"),
                        Column::Float(p.column(k).to_vec()),
                    ));
                }
            }
            columns
        }
        Output::Values(values) => vec![("prediction".to_string(), Column::Float(values.to_vec()))],
        Output::Clusters(clusters) => vec![(
            "cluster".to_string(),
            Column::Int(clusters.iter().map(|&c| c as i64).collect()),
        )],
        Output::Components(z) => (0..z.ncols())
            .map(|k| (format!("pc{}", k + 1), Column::Float(z.column(k).to_vec())))
            .collect(),
    };
    data::write_table(path, &columns)
}
