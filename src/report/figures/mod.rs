//! Every report figure learnkit draws, one named function each, so a program (and each
//! example) draws a picture in one call: predicted against actual, residuals, importances,
//! confusion matrices, ROC curves, decision regions and depth curves here; the elbow, clusters,
//! scree and projections in [`unsupervised`]; learning and validation curves, search heat maps
//! and classification reports in [`selection`]; learning curves, policy maps and DQN diagnostics
//! in [`rl`]. All are re-exported here.

pub mod rl;
pub mod selection;
pub mod unsupervised;

pub use rl::*;
pub use selection::*;
pub use unsupervised::*;

use std::path::Path;

use ndarray::{Array2, ArrayView1, ArrayView2};

use super::{
    padded_range, points_note, sample_rows, save, BarChart, HeatMap, LineChart, Regions,
    ScatterChart, Series, MAX_POINTS, SAMPLE_SEED, SIZE,
};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::metrics;
use crate::traits::Predict;

/// Predicted against actual values with the identity line (a perfect model lies on it).
pub fn predicted_vs_actual(
    path: impl AsRef<Path>,
    title: &str,
    target_name: &str,
    actual: ArrayView1<'_, f64>,
    predicted: ArrayView1<'_, f64>,
) -> Result<()> {
    let shown = sample_rows(actual.len(), MAX_POINTS, SAMPLE_SEED);
    let points: Vec<(f64, f64)> = shown.iter().map(|&i| (actual[i], predicted[i])).collect();
    let (lo, hi) = padded_range(actual.iter().chain(predicted.iter()).copied());
    save(
        path,
        SIZE,
        &ScatterChart {
            title: title.into(),
            x_label: format!("actual {target_name}"),
            y_label: format!("predicted {target_name}"),
            series: vec![
                Series::points(
                    format!("test samples{}", points_note(actual.len())),
                    points,
                    0,
                ),
                Series::reference("perfect prediction (y = x)", vec![(lo, lo), (hi, hi)]),
            ],
            regions: None,
        },
    )
}

/// Residuals (actual − predicted) against predicted values, with the zero line: structure here
/// means the model misses something.
pub fn residuals(
    path: impl AsRef<Path>,
    title: &str,
    actual: ArrayView1<'_, f64>,
    predicted: ArrayView1<'_, f64>,
) -> Result<()> {
    let shown = sample_rows(actual.len(), MAX_POINTS, SAMPLE_SEED);
    let points: Vec<(f64, f64)> = shown
        .iter()
        .map(|&i| (predicted[i], actual[i] - predicted[i]))
        .collect();
    let (lo, hi) = padded_range(predicted.iter().copied());
    save(
        path,
        SIZE,
        &ScatterChart {
            title: title.into(),
            x_label: "predicted value".into(),
            y_label: "residual (actual − predicted)".into(),
            series: vec![
                Series::points(
                    format!("test samples{}", points_note(actual.len())),
                    points,
                    0,
                ),
                Series::reference("zero residual", vec![(lo, 0.0), (hi, 0.0)]),
            ],
            regions: None,
        },
    )
}

/// One horizontal bar per named value (coefficients, feature importances).
pub fn named_bars(
    path: impl AsRef<Path>,
    title: &str,
    value_label: &str,
    names: &[String],
    values: &[f64],
) -> Result<()> {
    let height = (120 + 34 * names.len() as u32).clamp(360, 1400);
    save(
        path,
        (SIZE.0, height),
        &BarChart {
            title: title.into(),
            value_label: value_label.into(),
            labels: names.to_vec(),
            values: values.to_vec(),
        },
    )
}

/// The confusion matrix as a heat map with counts in the cells.
pub fn confusion_matrix(
    path: impl AsRef<Path>,
    title: &str,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    class_names: &[String],
) -> Result<()> {
    let cm = metrics::confusion_matrix(y_true, y_pred, class_names.len())?;
    let side = (300 + 60 * class_names.len() as u32).clamp(560, 1200);
    save(
        path,
        (side + 120, side),
        &HeatMap {
            title: title.into(),
            x_label: "predicted class".into(),
            y_label: "true class".into(),
            x_labels: class_names.to_vec(),
            y_labels: class_names.to_vec(),
            values: cm.mapv(|v| v as f64),
            cell_text: None,
        },
    )
}

/// The ROC curve of a binary classifier with its AUC in the legend; returns the AUC.
pub fn roc_curve(
    path: impl AsRef<Path>,
    title: &str,
    y_true: ArrayView1<'_, usize>,
    scores: ArrayView1<'_, f64>,
) -> Result<f64> {
    let curve = metrics::roc_curve(y_true, scores)?;
    let auc = metrics::roc_auc(y_true, scores)?;
    save(
        path,
        (760, 680),
        &LineChart {
            title: title.into(),
            x_label: "false positive rate".into(),
            y_label: "true positive rate".into(),
            series: vec![
                Series::line(format!("model (AUC = {auc:.3})"), curve, 0),
                Series::reference("chance (AUC = 0.5)", vec![(0.0, 0.0), (1.0, 1.0)]),
            ],
            y_range: Some((0.0, 1.02)),
        },
    )?;
    Ok(auc)
}

/// Decision regions of a classifier fitted on two features, with the points on top (at most
/// [`MAX_POINTS`] of them). `sampled_from` is the number of rows `data` was sampled from (its
/// own size when it is not a sample); the title then says so.
pub fn decision_regions<M: Predict<Output = usize> + ?Sized>(
    path: impl AsRef<Path>,
    title: &str,
    model: &M,
    data: &Dataset<usize>,
    sampled_from: usize,
) -> Result<()> {
    if data.n_features() != 2 || model.n_features() != 2 {
        return Err(Error::shape(
            "decision-region plot",
            "2 features",
            data.n_features(),
        ));
    }
    let x = data.records.view();
    let (x0, x1) = padded_range(x.column(0).iter().copied());
    let (y0, y1) = padded_range(x.column(1).iter().copied());
    let n = 160;
    let grid = Array2::from_shape_fn((n * n, 2), |(k, j)| {
        let (row, col) = (k / n, k % n);
        if j == 0 {
            x0 + (col as f64 + 0.5) * (x1 - x0) / n as f64
        } else {
            y0 + (row as f64 + 0.5) * (y1 - y0) / n as f64
        }
    });
    let classes = model.predict_view(grid.view())?;
    let classes = Array2::from_shape_vec((n, n), classes.to_vec())
        .map_err(|e| Error::shape("region grid", n * n, e))?;
    let names = data.class_names_or_default();
    save(
        path,
        SIZE,
        &ScatterChart {
            title: if sampled_from > data.n_samples() {
                format!(
                    "{title} (model on {} of {} rows, {} shown)",
                    super::thousands(data.n_samples()),
                    super::thousands(sampled_from),
                    super::thousands(data.n_samples().min(MAX_POINTS))
                )
            } else {
                format!("{title}{}", points_note(data.n_samples()))
            },
            x_label: data.feature_names[0].clone(),
            y_label: data.feature_names[1].clone(),
            series: class_series(x, data.targets.view(), &names),
            regions: Some(Regions {
                x_range: (x0, x1),
                y_range: (y0, y1),
                classes,
            }),
        },
    )
}

/// Points of the first two columns of `x`, one series per class: at most [`MAX_POINTS`] of
/// them, a seeded sample (put [`points_note`] in the chart's title).
pub fn class_series(
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
    names: &[String],
) -> Vec<Series> {
    let shown = sample_rows(x.nrows(), MAX_POINTS, SAMPLE_SEED);
    names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let points = shown
                .iter()
                .filter(|&&i| labels[i] == c)
                .map(|&i| (x[(i, 0)], x[(i, 1)]))
                .collect();
            Series::points(name.clone(), points, c)
        })
        .collect()
}

/// Feature importances of `model_name` as bars, each a share of the total impurity decrease.
pub fn importances(
    path: impl AsRef<Path>,
    model_name: &str,
    names: &[String],
    values: &[f64],
) -> Result<()> {
    importance_bars(path, model_name, "impurity decrease", names, values)
}

/// Feature importances of a boosted model as bars, each a share of the total gain of the splits
/// on that feature (boosting's importance: a reduction of the loss, not of an impurity).
pub fn gain_importances(
    path: impl AsRef<Path>,
    model_name: &str,
    names: &[String],
    values: &[f64],
) -> Result<()> {
    importance_bars(path, model_name, "split gain", names, values)
}

/// Importances as shares of the total `measure`.
fn importance_bars(
    path: impl AsRef<Path>,
    model_name: &str,
    measure: &str,
    names: &[String],
    values: &[f64],
) -> Result<()> {
    named_bars(
        path,
        &format!("{model_name}: feature importances ({measure})"),
        &format!("share of the total {measure}"),
        names,
        values,
    )
}

/// Training and test accuracy of a tree cut at depth 1, 2, ... (the over-fitting picture):
/// `train[d - 1]` and `test[d - 1]` are the accuracies at depth `d`; the first 20 depths are
/// drawn.
pub fn accuracy_by_depth(
    path: impl AsRef<Path>,
    source: &str,
    train: &[f64],
    test: &[f64],
) -> Result<()> {
    let curve = |by_depth: &[f64]| -> Vec<(f64, f64)> {
        by_depth
            .iter()
            .take(20)
            .enumerate()
            .map(|(i, &a)| ((i + 1) as f64, a))
            .collect()
    };
    save(
        path,
        SIZE,
        &LineChart {
            title: format!("Decision tree: accuracy against depth ({source})"),
            x_label: "maximum depth".into(),
            y_label: "accuracy".into(),
            series: vec![
                Series::line("training set", curve(train), 0),
                Series::line("test set", curve(test), 1),
            ],
            y_range: None,
        },
    )
}

/// A forest's out-of-bag error (1 − score) against the number of trees; `score_name` is what
/// the score is ("accuracy" or "R²").
pub fn oob_error(path: impl AsRef<Path>, curve: &[(usize, f64)], score_name: &str) -> Result<()> {
    let errors: Vec<(f64, f64)> = curve.iter().map(|&(t, s)| (t as f64, 1.0 - s)).collect();
    save(
        path,
        SIZE,
        &LineChart {
            title: "Random forest: out-of-bag error against the number of trees".into(),
            x_label: "number of trees".into(),
            y_label: format!("OOB error (1 − {score_name})"),
            series: vec![Series::line("out-of-bag error", errors, 3)],
            y_range: None,
        },
    )
}

/// Decision regions of `params` fitted on two columns of `train` (its own model, fitted on a
/// seeded sample of at most [`super::MAX_FIT_ROWS`] rows), with the training points.
pub fn regions_on_two_features<P>(
    path: impl AsRef<Path>,
    model_name: &str,
    params: &P,
    train: &Dataset<usize>,
    columns: [usize; 2],
    seed: u64,
) -> Result<()>
where
    P: crate::traits::Estimator<Dataset<usize>>,
    P::Fitted: Predict<Output = usize>,
{
    let two = train.select_features(&columns)?;
    // A row with a missing value (gradient boosting's NaN) has no place on the plane; the
    // title's "model on m of n rows" says how many are left out.
    let complete: Vec<usize> = (0..two.n_samples())
        .filter(|&i| two.records.row(i).iter().all(|v| !v.is_nan()))
        .collect();
    let left_out = two.n_samples() - complete.len();
    if complete.is_empty() {
        return Err(crate::Error::EmptyData(
            "no training row has both plotted features present".into(),
        ));
    }
    let two = if left_out > 0 {
        two.select(&complete)?
    } else {
        two
    }
    .subsample(super::MAX_FIT_ROWS, seed)?;
    let model = params.fit(&two)?;
    decision_regions(
        path,
        &format!(
            "{model_name}: regions on {} and {}",
            two.feature_names[0], two.feature_names[1]
        ),
        &model,
        &two,
        train.n_samples(),
    )
}

/// A loss value per boosting round: `losses[r]` at round `r`.
pub fn loss_per_round(
    path: impl AsRef<Path>,
    title: &str,
    loss_name: &str,
    losses: &[f64],
) -> Result<()> {
    line_of(path, title, ("round", 0), loss_name, losses)
}

/// A training loss after each epoch: `losses[e]` after epoch `e + 1`.
pub fn loss_per_epoch(
    path: impl AsRef<Path>,
    title: &str,
    loss_name: &str,
    losses: &[f64],
) -> Result<()> {
    line_of(path, title, ("epoch", 1), loss_name, losses)
}

/// One training-loss line: `losses[i]` at `first + i` on an axis labelled `x_label`.
fn line_of(
    path: impl AsRef<Path>,
    title: &str,
    (x_label, first): (&str, usize),
    loss_name: &str,
    losses: &[f64],
) -> Result<()> {
    let points = losses
        .iter()
        .enumerate()
        .map(|(i, &l)| ((first + i) as f64, l))
        .collect();
    save(
        path,
        SIZE,
        &LineChart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: loss_name.into(),
            series: vec![Series::line("training loss", points, 0)],
            y_range: None,
        },
    )
}

/// Labelled data on two of its features, one colour per class.
pub fn classes_on_two_features(
    path: impl AsRef<Path>,
    title: &str,
    data: &Dataset<usize>,
    columns: [usize; 2],
) -> Result<()> {
    if columns.iter().any(|&c| c >= data.n_features()) {
        return Err(Error::shape(
            "feature columns",
            format!("below {}", data.n_features()),
            format!("{columns:?}"),
        ));
    }
    let two = data.records.select(ndarray::Axis(1), &columns);
    save(
        path,
        SIZE,
        &ScatterChart {
            title: title.into(),
            x_label: data.feature_names[columns[0]].clone(),
            y_label: data.feature_names[columns[1]].clone(),
            series: class_series(
                two.view(),
                data.targets.view(),
                &data.class_names_or_default(),
            ),
            regions: None,
        },
    )
}
