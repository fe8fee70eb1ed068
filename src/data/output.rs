//! Writing a table of named columns — predictions, cluster indices, projections — as CSV,
//! Parquet or Arrow, by the path's extension (as [`super::read_table`] reads them), atomically.

use std::path::Path;

use crate::error::{Error, Result};
use crate::persist::write_atomic;

/// The values of one column to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Text (class labels in their spelling).
    Text(Vec<String>),
    /// Real numbers (predicted values, probabilities, coordinates).
    Float(Vec<f64>),
    /// Integers (cluster indices).
    Int(Vec<i64>),
}

impl Column {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Int(v) => v.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `row` as CSV text (floats in their shortest exact form).
    fn cell(&self, row: usize) -> String {
        match self {
            Column::Text(v) => v[row].clone(),
            Column::Float(v) => v[row].to_string(),
            Column::Int(v) => v[row].to_string(),
        }
    }
}

/// Writes `columns` (all of one length) to `path`: Parquet (`.parquet`, `.pq`; snappy) or Arrow
/// IPC (`.arrow`, `.feather`, `.ipc`) with feature `columnar`, CSV with a header row otherwise.
/// The file is replaced only once the new one is complete.
///
/// ```
/// use learnkit::data::{read_table, write_table, Column};
/// # let dir = std::env::temp_dir().join(format!("learnkit-write-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("predictions.csv");
/// let columns = [
///     ("prediction".to_string(), Column::Text(vec!["cat".into(), "dog".into()])),
///     ("proba_cat".to_string(), Column::Float(vec![0.75, 0.25])),
/// ];
/// write_table(&path, &columns)?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "prediction,proba_cat\ncat,0.75\ndog,0.25\n");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn write_table(path: impl AsRef<Path>, columns: &[(String, Column)]) -> Result<()> {
    let path = path.as_ref();
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    if let Some((name, c)) = columns.iter().find(|(_, c)| c.len() != rows) {
        return Err(Error::shape(
            format!("column {}", super::shown(name)),
            format!("{rows} values"),
            format!("{} values", c.len()),
        ));
    }
    #[cfg(feature = "columnar")]
    match super::Format::of(path) {
        super::Format::Csv => {}
        format => return super::columnar::write(path, columns, format),
    }
    #[cfg(not(feature = "columnar"))]
    super::format_of(path)?;
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let io = |e: csv::Error| std::io::Error::other(e.to_string());
        out.write_record(columns.iter().map(|(name, _)| name))
            .map_err(io)?;
        for row in 0..rows {
            out.write_record(columns.iter().map(|(_, c)| c.cell(row)))
                .map_err(io)?;
        }
        out.flush()?;
        Ok(())
    })
}
