//! Learning and validation curves: cross-validated scores against the training-set size or
//! one hyper-parameter (scikit-learn's `learning_curve` and `validation_curve`).

use rayon::prelude::*;
use serde::Serialize;

use super::params::{SetParam, Value};
use super::scoring::{Scored, Scorer};
use super::split::{Fold, Splitter};
use super::validation::{mean, prepare, std, CvTarget};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::traits::{Estimator, Hyperparams};

/// Training and validation scores at each point of a curve, one per fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreCurve {
    /// The scorer's name.
    pub scorer: String,
    /// What varies: training-set sizes, or the parameter's values as text.
    pub points: Vec<String>,
    /// The same as numbers where they are numbers (sizes, numeric values), else positions
    /// 1, 2, ... (see `positions`).
    pub x: Vec<f64>,
    /// Whether `x` holds positions because some point is not a number (`none`, a word).
    pub positions: bool,
    /// `train[p][f]`: the score on fold `f`'s training rows at point `p`.
    pub train: Vec<Vec<f64>>,
    /// `test[p][f]`: the score on fold `f`'s held-out rows at point `p`.
    pub test: Vec<Vec<f64>>,
}

impl ScoreCurve {
    /// Mean and standard deviation over the folds at each point, of the training scores
    /// (`held_out = false`) or the validation scores.
    pub fn summary(&self, held_out: bool) -> Vec<(f64, f64)> {
        let scores = if held_out { &self.test } else { &self.train };
        scores.iter().map(|s| (mean(s), std(s))).collect()
    }
}

fn fit_both<P, T>(
    params: &P,
    data: &Dataset<T>,
    train: &[usize],
    test: &[usize],
    scorer: Scorer,
) -> Result<(f64, f64)>
where
    T: CvTarget,
    P: Estimator<Dataset<T>>,
    P::Fitted: Scored<T>,
{
    let train_data = data.select(train)?;
    let model = params.fit(&train_data)?;
    let on_train = model.scores(&train_data, &[scorer])?[0];
    let on_test = model.scores(&data.select(test)?, &[scorer])?[0];
    Ok((on_train, on_test))
}

fn collect(
    jobs: Vec<(usize, usize, (f64, f64))>,
    n_points: usize,
    n_folds: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut train = vec![vec![0.0; n_folds]; n_points];
    let mut test = vec![vec![0.0; n_folds]; n_points];
    for (p, f, (a, b)) in jobs {
        train[p][f] = a;
        test[p][f] = b;
    }
    (train, test)
}

/// Scores against the training-set size: for each fold and each fraction in `fractions`
/// (0 < f ≤ 1), fits on the first `f · n` of the fold's training rows (as scikit-learn; shuffle
/// in the splitter when the rows are ordered).
pub fn learning_curve<P, T>(
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
    scorer: Scorer,
    fractions: &[f64],
) -> Result<ScoreCurve>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + Sync,
    P::Fitted: Scored<T>,
{
    params.check()?;
    if fractions.is_empty() || fractions.iter().any(|f| !(*f > 0.0 && *f <= 1.0)) {
        return Err(Error::invalid(
            "train_sizes",
            format!("{fractions:?}"),
            "needs fractions in (0, 1]",
        ));
    }
    let folds: Vec<Fold> = prepare(data, splitter, &[scorer], None)?;
    let smallest = folds.iter().map(|f| f.train.len()).min().unwrap_or(0);
    let sizes: Vec<usize> = fractions
        .iter()
        .map(|f| ((f * smallest as f64) as usize).max(2))
        .collect();
    let jobs: Vec<(usize, usize)> = (0..sizes.len())
        .flat_map(|p| (0..folds.len()).map(move |f| (p, f)))
        .collect();
    let results = jobs
        .par_iter()
        .map(|&(p, f)| {
            let fold = &folds[f];
            Ok((
                p,
                f,
                fit_both(params, data, &fold.train[..sizes[p]], &fold.test, scorer)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let (train, test) = collect(results, sizes.len(), folds.len());
    Ok(ScoreCurve {
        scorer: scorer.name().to_string(),
        points: sizes.iter().map(|s| s.to_string()).collect(),
        x: sizes.iter().map(|&s| s as f64).collect(),
        positions: false,
        train,
        test,
    })
}

/// Scores against one hyper-parameter: `name` set to each of `values` on `params`.
pub fn validation_curve<P, T>(
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
    scorer: Scorer,
    name: &str,
    values: &[Value],
) -> Result<ScoreCurve>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + SetParam + Clone + Sync,
    P::Fitted: Scored<T>,
{
    if values.is_empty() {
        return Err(Error::invalid(
            "values",
            "[]",
            "a validation curve needs at least one value",
        ));
    }
    let candidates: Vec<P> = values
        .iter()
        .map(|v| {
            let p = params.clone().set_param(name, v)?;
            p.check()?;
            Ok(p)
        })
        .collect::<Result<_>>()?;
    let folds: Vec<Fold> = prepare(data, splitter, &[scorer], None)?;
    let jobs: Vec<(usize, usize)> = (0..values.len())
        .flat_map(|p| (0..folds.len()).map(move |f| (p, f)))
        .collect();
    let results = jobs
        .par_iter()
        .map(|&(p, f)| {
            Ok((
                p,
                f,
                fit_both(
                    &candidates[p],
                    data,
                    &folds[f].train,
                    &folds[f].test,
                    scorer,
                )?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let (train, test) = collect(results, values.len(), folds.len());
    let numeric: Option<Vec<f64>> = values
        .iter()
        .map(|v| match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        })
        .collect();
    Ok(ScoreCurve {
        scorer: scorer.name().to_string(),
        points: values.iter().map(|v| v.to_string()).collect(),
        positions: numeric.is_none(),
        x: numeric.unwrap_or_else(|| (1..=values.len()).map(|i| i as f64).collect()),
        train,
        test,
    })
}
