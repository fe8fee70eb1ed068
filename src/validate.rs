//! Input checks shared by every estimator, so each error reads the same everywhere.

use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Fails with [`Error::EmptyData`] when `x` has no rows or no columns, and with
/// [`Error::NonFinite`] at the first NaN or infinite value.
pub fn check_records(x: ArrayView2<'_, f64>, context: &str) -> Result<()> {
    check_not_empty(x, context)?;
    check_finite(x, context)
}

/// As [`check_records`], but NaN is a missing value and allowed (only infinities fail).
pub fn check_records_allowing_missing(x: ArrayView2<'_, f64>, context: &str) -> Result<()> {
    check_not_empty(x, context)?;
    check_no_infinity(x, context)
}

/// Fails with [`Error::EmptyData`] when `x` has no rows or no columns.
pub fn check_not_empty(x: ArrayView2<'_, f64>, context: &str) -> Result<()> {
    if x.nrows() == 0 {
        return Err(Error::EmptyData(format!("{context} has no samples")));
    }
    if x.ncols() == 0 {
        return Err(Error::EmptyData(format!("{context} has no features")));
    }
    Ok(())
}

/// Fails with [`Error::NonFinite`] at the first NaN or infinite value of `x`.
pub fn check_finite(x: ArrayView2<'_, f64>, context: &str) -> Result<()> {
    check_values(x, context, f64::is_finite)
}

/// Fails with [`Error::NonFinite`] at the first infinite value of `x` (NaN allowed).
pub fn check_no_infinity(x: ArrayView2<'_, f64>, context: &str) -> Result<()> {
    check_values(x, context, |v| !v.is_infinite())
}

/// Fails with [`Error::NonFinite`] at the first value of `x` that is not `ok`.
fn check_values(x: ArrayView2<'_, f64>, context: &str, ok: fn(f64) -> bool) -> Result<()> {
    // Fast path without index bookkeeping (parallel over rows for large inputs, a plain scan
    // of the slice when contiguous); the position is only looked up on failure.
    let all_ok = match x.as_slice() {
        Some(all) if all.len() >= 1 << 20 => all
            .par_chunks(1 << 16)
            .all(|c| c.iter().fold(true, |acc, &v| acc & ok(v))),
        Some(all) => all.iter().fold(true, |acc, &v| acc & ok(v)),
        None => x.iter().all(|&v| ok(v)),
    };
    if all_ok {
        return Ok(());
    }
    for ((row, column), &value) in x.indexed_iter() {
        if !ok(value) {
            return Err(Error::NonFinite {
                context: context.to_string(),
                row,
                column,
                value,
            });
        }
    }
    Ok(())
}

/// As [`check_predict_input`], with NaN allowed as a missing value.
pub fn check_predict_input_allowing_missing(
    x: ArrayView2<'_, f64>,
    n_features: usize,
) -> Result<()> {
    check_n_features(x, n_features)?;
    check_no_infinity(x, "records at predict time")
}

/// Fails with [`Error::NonFinite`] at the first NaN or infinite target.
pub fn check_finite_targets(y: ArrayView1<'_, f64>, context: &str) -> Result<()> {
    match y.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(Error::NonFinite {
            context: context.to_string(),
            row,
            column: 0,
            value: y[row],
        }),
    }
}

/// Fails with [`Error::ShapeMismatch`] unless `x` has `expected` columns.
pub fn check_n_features(x: ArrayView2<'_, f64>, expected: usize) -> Result<()> {
    if x.ncols() != expected {
        return Err(Error::shape(
            "number of features",
            format!("{expected} columns (as at fit time)"),
            format!("{} columns", x.ncols()),
        ));
    }
    Ok(())
}

/// Fails with [`Error::ShapeMismatch`] unless there is one target per record.
pub fn check_n_targets(n_records: usize, n_targets: usize) -> Result<()> {
    if n_records != n_targets {
        return Err(Error::shape(
            "targets",
            format!("{n_records} targets (one per record)"),
            format!("{n_targets} targets"),
        ));
    }
    Ok(())
}

/// Fails with [`Error::UnknownLabel`] if a class index is not below `n_classes`.
pub fn check_labels(y: ArrayView1<'_, usize>, n_classes: usize) -> Result<()> {
    match y.iter().find(|&&c| c >= n_classes) {
        None => Ok(()),
        Some(&c) => Err(Error::UnknownLabel {
            label: c.to_string(),
            known: format!("class indices 0..{n_classes}"),
        }),
    }
}

/// Checks predict-time input: finite, non-empty rows, and the fitted feature count.
pub fn check_predict_input(x: ArrayView2<'_, f64>, n_features: usize) -> Result<()> {
    check_n_features(x, n_features)?;
    if x.nrows() == 0 {
        return Ok(());
    }
    check_finite(x, "records at predict time")
}

/// A target type learnkit estimators accept: class indices (`usize`) or real values (`f64`).
pub trait Target: Copy + Send + Sync + 'static {
    /// Checks the targets: finite for real values, below the class count for class indices.
    fn check_targets(y: ArrayView1<'_, Self>, n_classes: Option<usize>) -> Result<()>;
}

impl Target for f64 {
    fn check_targets(y: ArrayView1<'_, f64>, _: Option<usize>) -> Result<()> {
        check_finite_targets(y, "targets")
    }
}

impl Target for usize {
    fn check_targets(y: ArrayView1<'_, usize>, n_classes: Option<usize>) -> Result<()> {
        match n_classes {
            Some(n) => check_labels(y, n),
            None => Ok(()),
        }
    }
}

/// The rows of a standard-layout matrix as slices (empty for a non-contiguous one: callers
/// pass the result of `as_standard_layout()`).
pub(crate) fn row_slices<'a>(x: &'a ndarray::CowArray<'_, f64, ndarray::Ix2>) -> Vec<&'a [f64]> {
    let d = x.ncols().max(1);
    x.as_slice()
        .map(|all| all.chunks(d).collect())
        .unwrap_or_default()
}

/// The largest magnitude among `values` (0 for none): what error messages about values too
/// large for f64 arithmetic quote, and the scale that overflow-safe statistics divide by.
pub(crate) fn max_abs<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().fold(0.0f64, |m, v| m.max(v.abs()))
}
