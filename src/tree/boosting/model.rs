//! The fitted gradient-boosting model: scores, predictions, staged predictions, importances,
//! export and persistence.

use std::marker::PhantomData;

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::objective::sigmoid;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::traits::{Classifier, Predict, PredictProba, Regressor};
use crate::tree::learner::Tree;
use crate::tree::TargetKind;
use crate::validate;

/// A fitted gradient-boosting model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGradientBoosting<T> {
    pub(crate) n_features: usize,
    pub(crate) feature_names: Vec<String>,
    pub(crate) classes: Vec<String>,
    /// Initial score per output.
    pub(crate) init: Vec<f64>,
    /// Trees, round-major: round `r`, output `k` at `r · n_outputs + k`.
    pub(crate) trees: Vec<Tree>,
    pub(crate) n_outputs: usize,
    pub(crate) train_loss: Vec<f64>,
    #[serde(default)]
    pub(crate) validation_loss: Vec<f64>,
    #[serde(skip)]
    pub(crate) marker: PhantomData<fn() -> T>,
}

impl<T> FittedGradientBoosting<T> {
    /// Boosting rounds fitted.
    pub fn n_rounds(&self) -> usize {
        self.trees.len() / self.n_outputs.max(1)
    }

    /// The trees (round-major, one per output per round).
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Training loss before the first round and after each round (log-loss, mean squared
    /// error, mean absolute error or mean Huber loss), averaged over at most 10,000
    /// evenly spaced training rows.
    pub fn train_loss(&self) -> &[f64] {
        &self.train_loss
    }

    /// Validation loss before the first round and after each (early stopping only; empty
    /// otherwise). The model keeps the rounds up to the lowest one.
    pub fn validation_loss(&self) -> &[f64] {
        &self.validation_loss
    }

    /// Predictions after each round in turn (the first item after round 1), computed
    /// incrementally: watch test accuracy or error grow with the rounds.
    pub fn staged_decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Vec<Array2<f64>>> {
        validate::check_predict_input_allowing_missing(x, self.n_features)?;
        let k = self.n_outputs;
        let rows: Vec<Vec<f64>> = x.rows().into_iter().map(|r| r.to_vec()).collect();
        let mut scores = Array2::from_shape_fn((x.nrows(), k), |(_, j)| self.init[j]);
        let mut out = Vec::with_capacity(self.n_rounds());
        for round in self.trees.chunks(k) {
            for (j, tree) in round.iter().enumerate() {
                let values: Vec<f64> = rows.par_iter().map(|row| tree.leaf_value(row)[0]).collect();
                for (i, v) in values.into_iter().enumerate() {
                    scores[(i, j)] += v;
                }
            }
            out.push(scores.clone());
        }
        Ok(out)
    }

    /// Feature importances by total gain over the trees, as shares of the total.
    pub fn feature_importances(&self) -> Array1<f64> {
        let mut gain = vec![0.0; self.n_features];
        for tree in &self.trees {
            gain.iter_mut()
                .zip(tree.importances())
                .for_each(|(g, t)| *g += t);
        }
        let total: f64 = gain.iter().sum();
        gain.iter()
            .map(|g| if total > 0.0 { g / total } else { 0.0 })
            .collect()
    }

    /// How many splits use each feature.
    pub fn split_counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.n_features];
        for tree in &self.trees {
            for i in 0..tree.n_nodes() {
                if let Some(split) = tree.split(i) {
                    counts[split.feature] += 1;
                }
            }
        }
        counts
    }

    /// Tree `t` (round `t / outputs`, output `t % outputs`) as indented text rules, like
    /// scikit-learn's `export_text`; leaves show their contribution to the score.
    pub fn export_text(&self, t: usize) -> Option<String> {
        let tree = self.trees.get(t)?;
        Some(crate::tree::export::text(tree, &self.feature_names, &[]))
    }

    /// Tree `t` in Graphviz dot format.
    pub fn export_dot(&self, t: usize) -> Option<String> {
        let tree = self.trees.get(t)?;
        Some(crate::tree::export::dot(tree, &self.feature_names, &[]))
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Raw scores (one column per output) after the first `rounds` rounds.
    pub fn decision_function_rounds(
        &self,
        x: ArrayView2<'_, f64>,
        rounds: usize,
    ) -> Result<Array2<f64>> {
        validate::check_predict_input_allowing_missing(x, self.n_features)?;
        let k = self.n_outputs;
        let rounds = rounds.min(self.n_rounds());
        let trees = &self.trees[..rounds * k];
        let (n, d) = (x.nrows(), self.n_features);
        let x = x.as_standard_layout();
        let rows = x.as_slice().unwrap_or_default();
        let mut scores = Array2::zeros((n, k));
        if n == 0 || d == 0 {
            return Ok(scores);
        }
        // Blocks of rows, trees outermost: a tree stays in cache while it scores the block.
        // Each row's score is summed in tree order, so threads do not change it.
        const BLOCK: usize = 64;
        if let Some(out) = scores.as_slice_mut() {
            out.par_chunks_mut(BLOCK * k)
                .zip(rows.par_chunks(BLOCK * d))
                .for_each(|(out, rows)| {
                    for s in out.chunks_mut(k) {
                        s.copy_from_slice(&self.init);
                    }
                    for (t, tree) in trees.iter().enumerate() {
                        let j = t % k;
                        for (s, row) in out.chunks_mut(k).zip(rows.chunks(d)) {
                            s[j] += tree.leaf_value(row)[0];
                        }
                    }
                });
        }
        Ok(scores)
    }

    /// Raw scores after every round.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.decision_function_rounds(x, usize::MAX)
    }
}

impl FittedGradientBoosting<usize> {
    /// Predicted classes after each round in turn (the first item after round 1).
    pub fn staged_predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<Array1<usize>>> {
        Ok(self
            .staged_decision_function(x)?
            .iter()
            .map(|s| self.classes_of(s))
            .collect())
    }

    fn classes_of(&self, scores: &Array2<f64>) -> Array1<usize> {
        if self.n_outputs == 1 {
            scores.column(0).mapv(|s| usize::from(s > 0.0))
        } else {
            crate::metrics::argmax_rows(scores.view())
        }
    }
}

impl FittedGradientBoosting<f64> {
    /// Predicted values after each round in turn (the first item after round 1).
    pub fn staged_predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<Array1<f64>>> {
        Ok(self
            .staged_decision_function(x)?
            .iter()
            .map(|s| s.column(0).to_owned())
            .collect())
    }
}

impl Predict for FittedGradientBoosting<usize> {
    type Output = usize;
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(self.classes_of(&self.decision_function(x)?))
    }
}

impl PredictProba for FittedGradientBoosting<usize> {
    fn classes(&self) -> &[String] {
        &self.classes
    }
    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let scores = self.decision_function(x)?;
        let n = scores.nrows();
        if self.n_outputs == 1 {
            return Ok(Array2::from_shape_fn((n, 2), |(i, j)| {
                let p = sigmoid(scores[(i, 0)]);
                if j == 1 {
                    p
                } else {
                    1.0 - p
                }
            }));
        }
        let mut p = scores;
        for mut row in p.rows_mut() {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|v| (v - m).exp());
            let z = row.sum();
            row.mapv_inplace(|v| v / z);
        }
        Ok(p)
    }
}

impl Classifier for FittedGradientBoosting<usize> {}

impl Predict for FittedGradientBoosting<f64> {
    type Output = f64;
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.decision_function(x)?.column(0).to_owned())
    }
}

impl Regressor for FittedGradientBoosting<f64> {}

/// Persistence of both boosting kinds: one kind name per target type since format version 3
/// (version 2 files say `GradientBoosting` for both, and load as either when their classes fit).
macro_rules! boosting_persist {
    ($t:ty, $kind:literal) => {
        impl Persist for FittedGradientBoosting<$t> {
            const KIND: &'static str = $kind;
            /// Version 1 files hold the earlier boosted-tree layout.
            const OLDEST_READABLE_VERSION: u32 = 2;

            fn written_version(&self) -> u32 {
                crate::tree::trees_version(&self.trees)
            }

            fn reads_kind(kind: &str, version: u32) -> bool {
                kind == Self::KIND || (version == 2 && kind == "GradientBoosting")
            }

            fn validate_loaded(&self) -> Result<()> {
                self.validate_parts(<$t as TargetKind>::CLASSIFICATION)
            }
        }
    };
}

boosting_persist!(usize, "GradientBoostingClassifier");
boosting_persist!(f64, "GradientBoostingRegressor");

impl<T> FittedGradientBoosting<T> {
    /// Checks a loaded model's parts against each other and against its kind (a classifier
    /// has at least two classes, a regressor none).
    fn validate_parts(&self, classification: bool) -> Result<()> {
        let k = self.n_outputs;
        if classification != (self.classes.len() >= 2) || (!classification && k != 1) {
            return Err(Error::invalid_model(format!(
                "gradient boosting: {} classes and {k} outputs in a {}",
                self.classes.len(),
                if classification {
                    "classifier"
                } else {
                    "regressor"
                }
            )));
        }
        if k == 0 || self.init.len() != k || self.trees.len() % k != 0 {
            return Err(Error::invalid_model(format!(
                "gradient boosting: {k} outputs, {} initial scores and {} trees disagree",
                self.init.len(),
                self.trees.len()
            )));
        }
        if self.feature_names.len() != self.n_features {
            return Err(Error::invalid_model(format!(
                "gradient boosting: {} feature names for {} features",
                self.feature_names.len(),
                self.n_features
            )));
        }
        if k > 1 && self.classes.len() != k {
            return Err(Error::invalid_model(format!(
                "gradient boosting: {} classes for {k} outputs",
                self.classes.len()
            )));
        }
        if self.init.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid_model(
                "gradient boosting: a non-finite initial score",
            ));
        }
        self.trees
            .iter()
            .try_for_each(|t| t.validate(self.n_features, 1))
    }
}
