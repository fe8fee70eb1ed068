//! Metrics with scikit-learn's definitions: accuracy, confusion matrix, precision / recall /
//! F1, log-loss, R², MSE, MAE and the silhouette coefficient.
//!
//! Every metric checks its inputs (equal lengths, non-empty, finite) and returns an error
//! rather than a NaN that would travel silently into a report.

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::validate;

fn check_pair(n_true: usize, n_pred: usize) -> Result<()> {
    if n_true != n_pred {
        return Err(Error::shape(
            "predictions",
            format!("{n_true} values (one per true value)"),
            format!("{n_pred} values"),
        ));
    }
    if n_true == 0 {
        return Err(Error::EmptyData("no values to score".into()));
    }
    Ok(())
}

/// Fraction of positions where `y_pred == y_true`.
pub fn accuracy(y_true: ArrayView1<'_, usize>, y_pred: ArrayView1<'_, usize>) -> Result<f64> {
    check_pair(y_true.len(), y_pred.len())?;
    let hits = y_true.iter().zip(y_pred).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// Confusion matrix: entry `(i, j)` counts records of true class `i` predicted as class `j`.
/// `n_classes` sets the size; a label at or above it is an [`Error::UnknownLabel`].
pub fn confusion_matrix(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    n_classes: usize,
) -> Result<Array2<usize>> {
    check_pair(y_true.len(), y_pred.len())?;
    validate::check_labels(y_true, n_classes)?;
    validate::check_labels(y_pred, n_classes)?;
    let mut m = Array2::zeros((n_classes, n_classes));
    for (&t, &p) in y_true.iter().zip(y_pred) {
        m[(t, p)] += 1;
    }
    Ok(m)
}

/// Per-class precision, recall, F1 and support, with their macro averages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassificationReport {
    /// Precision per class (0 where nothing was predicted as the class, as scikit-learn's
    /// `zero_division=0`).
    pub precision: Vec<f64>,
    /// Recall per class.
    pub recall: Vec<f64>,
    /// F1 per class.
    pub f1: Vec<f64>,
    /// Number of true records per class.
    pub support: Vec<usize>,
    /// Unweighted mean of the per-class precisions.
    pub macro_precision: f64,
    /// Unweighted mean of the per-class recalls.
    pub macro_recall: f64,
    /// Unweighted mean of the per-class F1 scores.
    pub macro_f1: f64,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Precision, recall and F1 for each of `n_classes` classes.
pub fn precision_recall_f1(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    n_classes: usize,
) -> Result<ClassificationReport> {
    let cm = confusion_matrix(y_true, y_pred, n_classes)?;
    let mut precision = Vec::with_capacity(n_classes);
    let mut recall = Vec::with_capacity(n_classes);
    let mut f1 = Vec::with_capacity(n_classes);
    let mut support = Vec::with_capacity(n_classes);
    for c in 0..n_classes {
        let tp = cm[(c, c)];
        let predicted = cm.column(c).sum();
        let actual = cm.row(c).sum();
        let p = ratio(tp, predicted);
        let r = ratio(tp, actual);
        precision.push(p);
        recall.push(r);
        f1.push(if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        });
        support.push(actual);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Ok(ClassificationReport {
        macro_precision: mean(&precision),
        macro_recall: mean(&recall),
        macro_f1: mean(&f1),
        precision,
        recall,
        f1,
        support,
    })
}

/// Mean cross-entropy of the true classes under `proba` (one row per record, one column per
/// class). Probabilities are clipped to `[1e-15, 1 − 1e-15]` as scikit-learn does.
pub fn log_loss(y_true: ArrayView1<'_, usize>, proba: ArrayView2<'_, f64>) -> Result<f64> {
    check_pair(y_true.len(), proba.nrows())?;
    validate::check_labels(y_true, proba.ncols())?;
    validate::check_finite(proba, "probabilities")?;
    let eps = 1e-15;
    let total: f64 = y_true
        .iter()
        .zip(proba.rows())
        .map(|(&c, row)| -row[c].clamp(eps, 1.0 - eps).ln())
        .sum();
    Ok(total / y_true.len() as f64)
}

fn check_real_pair(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<()> {
    check_pair(y_true.len(), y_pred.len())?;
    validate::check_finite_targets(y_true, "true values")?;
    validate::check_finite_targets(y_pred, "predicted values")
}

/// Coefficient of determination: `1 − SS_res / SS_tot`. A constant `y_true` scores 1 when the
/// predictions are exact and 0 otherwise (scikit-learn's convention).
pub fn r2(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    check_real_pair(y_true, y_pred)?;
    let mean = y_true.sum() / y_true.len() as f64;
    let ss_res: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    let ss_tot: f64 = y_true.iter().map(|t| (t - mean) * (t - mean)).sum();
    if ss_tot == 0.0 {
        return Ok(if ss_res == 0.0 { 1.0 } else { 0.0 });
    }
    Ok(1.0 - ss_res / ss_tot)
}

/// Mean squared error.
pub fn mse(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    check_real_pair(y_true, y_pred)?;
    let total: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    Ok(total / y_true.len() as f64)
}

/// Mean absolute error.
pub fn mae(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    check_real_pair(y_true, y_pred)?;
    let total: f64 = y_true.iter().zip(y_pred).map(|(t, p)| (t - p).abs()).sum();
    Ok(total / y_true.len() as f64)
}

/// Cluster purity against known labels: the fraction of points whose cluster's most common
/// label is their own (1 when every cluster holds a single class).
pub fn purity(clusters: ArrayView1<'_, usize>, labels: ArrayView1<'_, usize>) -> Result<f64> {
    validate::check_n_targets(clusters.len(), labels.len())?;
    if clusters.is_empty() {
        return Err(Error::EmptyData("purity of no points".into()));
    }
    let mut counts = std::collections::HashMap::<(usize, usize), usize>::new();
    for (&c, &l) in clusters.iter().zip(labels) {
        *counts.entry((c, l)).or_default() += 1;
    }
    let mut majority = std::collections::HashMap::<usize, usize>::new();
    for (&(c, _), &n) in &counts {
        let best = majority.entry(c).or_default();
        *best = (*best).max(n);
    }
    Ok(majority.values().sum::<usize>() as f64 / clusters.len() as f64)
}

/// Mean silhouette coefficient over all records (Euclidean distance), as scikit-learn's
/// `silhouette_score`: for each record, `(b − a) / max(a, b)` with `a` the mean distance to its
/// own cluster and `b` the smallest mean distance to another cluster; records alone in their
/// cluster score 0. Needs 2 ≤ clusters ≤ records − 1. Costs O(n²) distances.
pub fn silhouette(x: ArrayView2<'_, f64>, labels: ArrayView1<'_, usize>) -> Result<f64> {
    validate::check_records(x, "records")?;
    validate::check_n_targets(x.nrows(), labels.len())?;
    let n = x.nrows();
    let n_clusters = labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; n_clusters];
    for &l in labels {
        sizes[l] += 1;
    }
    let used = sizes.iter().filter(|&&s| s > 0).count();
    if used < 2 || used > n - 1 {
        return Err(Error::invalid(
            "labels",
            format!("{used} clusters for {n} records"),
            "silhouette needs between 2 and n_samples − 1 clusters",
        ));
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; n_clusters];
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let xi = x.row(i);
        for j in 0..n {
            if i != j {
                let d: f64 = xi
                    .iter()
                    .zip(x.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
                sums[labels[j]] += d;
            }
        }
        let own = labels[i];
        if sizes[own] <= 1 {
            continue;
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..n_clusters)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let denom = a.max(b);
        if denom > 0.0 {
            total += (b - a) / denom;
        }
    }
    Ok(total / n as f64)
}

/// The ROC curve of scores for the positive class (`y_true == 1`): `(false positive rate,
/// true positive rate)` points from `(0, 0)` to `(1, 1)`, one per distinct threshold.
pub fn roc_curve(
    y_true: ArrayView1<'_, usize>,
    scores: ArrayView1<'_, f64>,
) -> Result<Vec<(f64, f64)>> {
    check_pair(y_true.len(), scores.len())?;
    validate::check_labels(y_true, 2)?;
    validate::check_finite_targets(scores, "scores")?;
    let positives = y_true.iter().filter(|&&c| c == 1).count();
    let negatives = y_true.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(Error::invalid(
            "y_true",
            format!("{positives} positives, {negatives} negatives"),
            "a ROC curve needs both classes",
        ));
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0usize, 0usize);
    for (k, &i) in order.iter().enumerate() {
        if y_true[i] == 1 {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order.get(k + 1).is_none_or(|&j| scores[j] != scores[i]);
        if last_of_tie {
            points.push((fp as f64 / negatives as f64, tp as f64 / positives as f64));
        }
    }
    Ok(points)
}

/// Area under the ROC curve (trapezoids; ties count one half), as scikit-learn's
/// `roc_auc_score`.
pub fn roc_auc(y_true: ArrayView1<'_, usize>, scores: ArrayView1<'_, f64>) -> Result<f64> {
    let curve = roc_curve(y_true, scores)?;
    Ok(curve
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum())
}

/// The index of the largest value (the first one on ties; 0 for an empty slice).
pub fn argmax(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (i, &x)| if x > b.1 { (i, x) } else { b },
        )
        .0
}

/// The predicted class of each row of a class-probability (or score) matrix: its argmax.
pub fn argmax_rows(scores: ndarray::ArrayView2<'_, f64>) -> ndarray::Array1<usize> {
    scores
        .rows()
        .into_iter()
        .map(|r| match r.as_slice() {
            Some(row) => argmax(row),
            None => argmax(&r.to_vec()),
        })
        .collect()
}
