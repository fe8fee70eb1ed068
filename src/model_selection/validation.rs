//! Cross-validation: [`cross_validate`] and [`cross_val_predict`], folds in parallel.

use std::time::Instant;

use ndarray::{Array1, ArrayView1};
use rayon::prelude::*;
use serde::Serialize;

use super::scoring::{Scored, Scorer};
use super::split::{Fold, SplitInput, Splitter};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::traits::{Estimator, Hyperparams, Predict};
use crate::validate::Target;

/// A target type cross-validation understands: class indices (stratifiable, classification
/// scorers) or real values (regression scorers).
pub trait CvTarget: Target + Clone + Default + Send + Sync {
    /// Whether the targets are classes.
    const CLASSIFICATION: bool;
    /// The labels the stratified splitters need (classes only).
    fn labels(y: ArrayView1<'_, Self>) -> Option<Vec<usize>>;
    /// Number of classes (0 for real targets).
    fn n_classes(data: &Dataset<Self>) -> usize;
    /// scikit-learn's default scorer: accuracy for classes, R² for real values.
    fn default_scorer() -> Scorer;
}

impl CvTarget for usize {
    const CLASSIFICATION: bool = true;
    fn labels(y: ArrayView1<'_, usize>) -> Option<Vec<usize>> {
        Some(y.to_vec())
    }
    fn n_classes(data: &Dataset<usize>) -> usize {
        data.n_classes()
    }
    fn default_scorer() -> Scorer {
        Scorer::Accuracy
    }
}

impl CvTarget for f64 {
    const CLASSIFICATION: bool = false;
    fn labels(_: ArrayView1<'_, f64>) -> Option<Vec<usize>> {
        None
    }
    fn n_classes(_: &Dataset<f64>) -> usize {
        0
    }
    fn default_scorer() -> Scorer {
        Scorer::R2
    }
}

/// What cross-validation measured: per scorer, one test score per fold, with fit and score
/// times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvResults {
    /// Scorer names, in the order asked.
    pub scorers: Vec<String>,
    /// `test_scores[s][f]`: scorer `s` on fold `f`'s test rows.
    pub test_scores: Vec<Vec<f64>>,
    /// Seconds to fit each fold's model.
    pub fit_seconds: Vec<f64>,
    /// Seconds to score each fold.
    pub score_seconds: Vec<f64>,
}

impl CvResults {
    /// Mean test score of scorer `s` over the folds.
    pub fn mean(&self, s: usize) -> f64 {
        mean(&self.test_scores[s])
    }

    /// Standard deviation (population, as scikit-learn's `cv_results_`) of scorer `s`.
    pub fn std(&self, s: usize) -> f64 {
        std(&self.test_scores[s])
    }
}

pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

pub(crate) fn std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len().max(1) as f64).sqrt()
}

/// Checks the data and scorers, and makes the folds.
pub(crate) fn prepare<T: CvTarget>(
    data: &Dataset<T>,
    splitter: &dyn Splitter,
    scorers: &[Scorer],
    groups: Option<&[usize]>,
) -> Result<Vec<Fold>> {
    data.check_consistent()?;
    crate::dataset::supervised(data)?;
    if scorers.is_empty() {
        return Err(Error::invalid("scoring", "[]", "needs at least one scorer"));
    }
    for s in scorers {
        s.check_task(T::CLASSIFICATION, T::n_classes(data))?;
    }
    let labels = T::labels(data.targets.view());
    let folds = splitter.split(
        data.n_samples(),
        SplitInput {
            labels: labels.as_deref(),
            groups,
        },
    )?;
    if let Some(f) = folds
        .iter()
        .find(|f| f.train.is_empty() || f.test.is_empty())
    {
        return Err(Error::EmptyData(format!(
            "a fold with {} training and {} test rows",
            f.train.len(),
            f.test.len()
        )));
    }
    Ok(folds)
}

/// Fits `params` on each fold's training rows (folds in parallel) and scores the fold's test
/// rows with every scorer — scikit-learn's `cross_validate`.
///
/// ```
/// use learnkit::linear::LogisticRegression;
/// use learnkit::model_selection::{cross_validate, Scorer, StratifiedKFold};
///
/// let iris = learnkit::data::iris()?;
/// let cv = cross_validate(
///     &LogisticRegression::params(),
///     &iris,
///     &StratifiedKFold::params().n_splits(5),
///     &[Scorer::Accuracy, Scorer::F1Macro],
/// )?;
/// assert_eq!(cv.test_scores[0].len(), 5);
/// assert!(cv.mean(0) > 0.95);
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn cross_validate<P, T>(
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
    scorers: &[Scorer],
) -> Result<CvResults>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + Sync,
    P::Fitted: Scored<T>,
{
    cross_validate_groups(params, data, splitter, scorers, None)
}

/// [`cross_validate`] with group ids, for [`super::GroupKFold`].
pub fn cross_validate_groups<P, T>(
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
    scorers: &[Scorer],
    groups: Option<&[usize]>,
) -> Result<CvResults>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + Sync,
    P::Fitted: Scored<T>,
{
    params.check()?;
    let folds = prepare(data, splitter, scorers, groups)?;
    let per_fold: Vec<(Vec<f64>, f64, f64)> = folds
        .par_iter()
        .map(|fold| fit_and_score(params, data, fold, scorers))
        .collect::<Result<_>>()?;
    Ok(CvResults {
        scorers: scorers.iter().map(|s| s.name().to_string()).collect(),
        test_scores: (0..scorers.len())
            .map(|s| per_fold.iter().map(|f| f.0[s]).collect())
            .collect(),
        fit_seconds: per_fold.iter().map(|f| f.1).collect(),
        score_seconds: per_fold.iter().map(|f| f.2).collect(),
    })
}

/// Fits on the fold's training rows; returns the test scores, fit and score seconds.
pub(crate) fn fit_and_score<P, T>(
    params: &P,
    data: &Dataset<T>,
    fold: &Fold,
    scorers: &[Scorer],
) -> Result<(Vec<f64>, f64, f64)>
where
    T: CvTarget,
    P: Estimator<Dataset<T>>,
    P::Fitted: Scored<T>,
{
    let (train, test) = (data.select(&fold.train)?, data.select(&fold.test)?);
    let start = Instant::now();
    let model = params.fit(&train)?;
    let fit_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let scores = model.scores(&test, scorers)?;
    Ok((scores, fit_seconds, start.elapsed().as_secs_f64()))
}

/// Each row's prediction by the model that did not see it — scikit-learn's
/// `cross_val_predict`. The splitter's test folds must cover every row exactly once (k-fold
/// splitters do; shuffle splits do not).
pub fn cross_val_predict<P, T>(
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
) -> Result<Array1<T>>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + Sync,
    P::Fitted: Predict<Output = T>,
{
    params.check()?;
    data.check_consistent()?;
    crate::dataset::supervised(data)?;
    let labels = T::labels(data.targets.view());
    let folds = splitter.split(
        data.n_samples(),
        SplitInput {
            labels: labels.as_deref(),
            groups: None,
        },
    )?;
    let mut seen = vec![0u8; data.n_samples()];
    for &i in folds.iter().flat_map(|f| &f.test) {
        seen[i] = seen[i].saturating_add(1);
    }
    if let Some(row) = seen.iter().position(|&c| c != 1) {
        return Err(Error::invalid(
            "splitter",
            format!("{splitter:?}"),
            format!(
                "tests row {row} {} times; cross_val_predict needs a partition",
                seen[row]
            ),
        ));
    }
    let predictions: Vec<(Vec<usize>, Array1<T>)> = folds
        .par_iter()
        .map(|fold| {
            let model = params.fit(&data.select(&fold.train)?)?;
            let x = data.records.select(ndarray::Axis(0), &fold.test);
            Ok((fold.test.clone(), model.predict_view(x.view())?))
        })
        .collect::<Result<_>>()?;
    let mut out = Array1::from_elem(data.n_samples(), T::default());
    for (rows, predicted) in predictions {
        for (&i, p) in rows.iter().zip(predicted) {
            out[i] = p;
        }
    }
    Ok(out)
}
