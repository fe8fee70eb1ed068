//! Figures of model selection: learning and validation curves with ± one standard deviation
//! bands, a two-parameter grid as a heat map, and the per-class classification report.

use std::path::Path;

use ndarray::Array2;

use crate::error::{Error, Result};
use crate::metrics::ClassificationReport;
use crate::model_selection::{ScoreCurve, SearchResult};
use crate::report::{save, HeatMap, LineChart, NamedLineChart, Series, SIZE};

/// A learning or validation curve: mean training and validation scores at each point, each
/// with a pale ± one standard deviation band over the folds. When the points are not all
/// numbers (`none`, a word), they are drawn at positions 1, 2, ... whose ticks carry the values.
pub fn score_curve(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    curve: &ScoreCurve,
) -> Result<()> {
    let mut series = Vec::new();
    for (held_out, name, color) in [
        (false, "training score", 0),
        (true, "cross-validation score", 1),
    ] {
        let summary = curve.summary(held_out);
        let at = |f: fn(f64, f64) -> f64| -> Vec<(f64, f64)> {
            curve
                .x
                .iter()
                .zip(&summary)
                .map(|(&x, &(m, s))| (x, f(m, s)))
                .collect()
        };
        series.push(Series::band(
            "",
            &at(|m, s| m - s),
            &at(|m, s| m + s),
            color,
        ));
        series.push(Series::line(
            format!("{name} (mean ± 1 sd)"),
            at(|m, _| m),
            color,
        ));
        series.push(Series::points("", at(|m, _| m), color));
    }
    let chart = LineChart {
        title: title.into(),
        x_label: x_label.into(),
        y_label: curve.scorer.clone(),
        series,
        y_range: None,
    };
    match curve.positions {
        false => save(path, SIZE, &chart),
        // The values are the tick labels.
        true => save(
            path,
            SIZE,
            &NamedLineChart {
                chart,
                x_names: curve.points.clone(),
            },
        ),
    }
}

/// The mean cross-validation score of a search over two parameters, one cell per grid point
/// (`x_param` across, `y_param` down), the best cell marked.
pub fn search_heatmap<F>(
    path: impl AsRef<Path>,
    title: &str,
    result: &SearchResult<F>,
    x_param: &str,
    y_param: &str,
) -> Result<()> {
    let value_of = |c: usize, name: &str| -> Option<String> {
        result.candidates[c]
            .params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let distinct = |name: &str| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for c in 0..result.candidates.len() {
            if let Some(v) = value_of(c, name) {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
        }
        seen
    };
    let (xs, ys) = (distinct(x_param), distinct(y_param));
    if xs.is_empty() || ys.is_empty() {
        return Err(Error::invalid(
            "heat map",
            format!("{x_param} × {y_param}"),
            "both must be searched parameters",
        ));
    }
    let mut values = Array2::from_elem((ys.len(), xs.len()), f64::NAN);
    let mut text = Array2::from_elem((ys.len(), xs.len()), String::new());
    for (c, row) in result.candidates.iter().enumerate() {
        let (Some(x), Some(y)) = (value_of(c, x_param), value_of(c, y_param)) else {
            continue;
        };
        let (i, j) = (
            ys.iter().position(|v| *v == y).unwrap_or(0),
            xs.iter().position(|v| *v == x).unwrap_or(0),
        );
        // With more parameters than the two drawn, a cell shows its best candidate.
        if values[(i, j)].is_nan() || row.mean_scores[0] > values[(i, j)] {
            values[(i, j)] = row.mean_scores[0];
            let best = if c == result.best_index { " ★" } else { "" };
            text[(i, j)] = format!("{:.3}{best}", row.mean_scores[0]);
        }
    }
    save(
        path,
        (
            (xs.len() as u32 * 140 + 260).max(640),
            (ys.len() as u32 * 80 + 180).max(400),
        ),
        &HeatMap {
            title: title.into(),
            x_label: x_param.into(),
            y_label: y_param.into(),
            x_labels: xs,
            y_labels: ys,
            values,
            cell_text: Some(text),
        },
    )
}

/// scikit-learn's classification report as a heat map: per class (with its support)
/// precision, recall and F1, then the macro averages.
pub fn classification_report(
    path: impl AsRef<Path>,
    title: &str,
    report: &ClassificationReport,
    class_names: &[String],
) -> Result<()> {
    let n = report.precision.len();
    let mut values = Array2::zeros((n + 1, 3));
    for c in 0..n {
        values[(c, 0)] = report.precision[c];
        values[(c, 1)] = report.recall[c];
        values[(c, 2)] = report.f1[c];
    }
    values[(n, 0)] = report.macro_precision;
    values[(n, 1)] = report.macro_recall;
    values[(n, 2)] = report.macro_f1;
    let text = values.mapv(|v: f64| format!("{v:.3}"));
    let mut y_labels: Vec<String> = (0..n)
        .map(|c| {
            let name = class_names.get(c).cloned().unwrap_or_else(|| c.to_string());
            format!("{name} ({})", report.support[c])
        })
        .collect();
    y_labels.push("macro average".into());
    save(
        path,
        (720, (n as u32 * 60 + 220).max(360)),
        &HeatMap {
            title: title.into(),
            x_label: "metric".into(),
            y_label: "class (support)".into(),
            x_labels: vec!["precision".into(), "recall".into(), "F1".into()],
            y_labels,
            values,
            cell_text: Some(text),
        },
    )
}
