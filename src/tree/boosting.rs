//! Histogram gradient boosting (LightGBM's and scikit-learn's `HistGradientBoosting*` idea) on
//! the tree engine's binning: each round fits, per output, a tree to the loss's gradients and
//! hessians, grown leaf-wise (best gain first) up to `max_leaf_nodes`.
//!
//! * Gradients `g` and hessians `h` of the loss at the current scores; a split of a node into
//!   L and R gains `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (half the drop of the second-order
//!   approximation of the loss); a leaf's value is the Newton step `−G/(H+λ)`, shrunk by the
//!   learning rate.
//! * Histograms of (g, h, count) per feature bin; a node's larger child gets its histogram by
//!   subtracting the smaller child's from the parent's. Features are scanned in parallel and
//!   reduced in feature order, so a seed gives the same model on any thread count.
//! * Binary log-loss (one tree per round), multiclass softmax (one tree per class per round),
//!   squared error. The initial scores come from the loss: log-odds, log priors, the mean.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ndarray::{Array1, Array2, ArrayView2};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binning::BinnedData;
use super::decision_tree::class_names;
use crate::dataset::Labeled;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rng;
use crate::traits::{Classifier, Estimator, Hyperparams, Predict, PredictProba, Regressor};
use crate::validate;

/// Hyper-parameters of histogram gradient boosting, with LightGBM's defaults: 100 rounds,
/// learning rate 0.1, 31 leaves per tree, no depth limit, at least 20 samples per leaf, no L2
/// penalty, no row or feature subsampling.
///
/// ```
/// use learnkit::prelude::*;
/// use learnkit::tree::GradientBoosting;
///
/// let data = learnkit::data::MakeClassification::params().n_samples(600).seed(1).generate()?;
/// let (train, test) = learnkit::data::train_test_split(&data, 0.25, 0)?;
/// let model = GradientBoosting::classifier().n_estimators(50).fit(&train)?;
/// assert!(model.score_on(&test)? > 0.85);
/// let losses = model.train_loss();
/// assert!(losses.last() < losses.first()); // training log-loss falls round by round
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GradientBoosting<T> {
    n_estimators: usize,
    learning_rate: f64,
    max_leaf_nodes: usize,
    max_depth: Option<usize>,
    min_samples_leaf: usize,
    l2_regularization: f64,
    min_gain_to_split: f64,
    subsample: f64,
    colsample: f64,
    seed: u64,
    early_stopping: bool,
    validation_fraction: f64,
    n_iter_no_change: usize,
    tol: f64,
    quantized_gradients: bool,
    loss: RegressionLoss,
    marker: PhantomData<fn() -> T>,
}

/// The loss a gradient-boosting regressor minimises.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RegressionLoss {
    /// Squared error (the default): the mean as initial score, Newton leaf values.
    SquaredError,
    /// Absolute error, robust to outliers: the median as initial score, each leaf the median
    /// of its rows' residuals.
    AbsoluteError,
    /// Huber: squared within `delta` of the target, linear beyond it (LightGBM's `huber`
    /// with `alpha = delta`); the median as initial score.
    Huber {
        /// Residual size where the loss turns linear (> 0).
        delta: f64,
    },
}

/// Rows over which the loss of each round is averaged: above this many, an evenly spaced
/// sample of them (as scikit-learn scores a 10,000-row subsample of the training data), so
/// that recording the loss costs little next to the gradients.
pub const LOSS_ROWS: usize = 10_000;

/// Gradient boosting for classes (log-loss).
pub type GradientBoostingClassifier = GradientBoosting<usize>;
/// Gradient boosting for real values (squared error).
pub type GradientBoostingRegressor = GradientBoosting<f64>;

impl<T> GradientBoosting<T> {
    fn defaults() -> Self {
        Self {
            n_estimators: 100,
            learning_rate: 0.1,
            max_leaf_nodes: 31,
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            min_gain_to_split: 0.0,
            subsample: 1.0,
            colsample: 1.0,
            seed: 0,
            early_stopping: false,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            quantized_gradients: true,
            loss: RegressionLoss::SquaredError,
            marker: PhantomData,
        }
    }

    /// Hold out `validation_fraction` of the rows (drawn with the seed) and stop once the
    /// validation loss has not improved by more than `tol` for `n_iter_no_change` rounds,
    /// keeping the rounds up to the best one (default off).
    pub fn early_stopping(mut self, yes: bool) -> Self {
        self.early_stopping = yes;
        self
    }

    /// Share of the rows held out for early stopping, in (0, 1) (default 0.1).
    pub fn validation_fraction(mut self, fraction: f64) -> Self {
        self.validation_fraction = fraction;
        self
    }

    /// Rounds without improvement before early stopping ends training (default 10).
    pub fn n_iter_no_change(mut self, n: usize) -> Self {
        self.n_iter_no_change = n;
        self
    }

    /// Smallest validation-loss drop that counts as an improvement (default 1e-7).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Histograms of gradients quantized to 8 bits (LightGBM's quantized training; default on):
    /// splits are chosen on sums of rounded gradients — unbiased, stochastically rounded with
    /// the seed — and leaf values from the exact ones. About twice as fast on large data at the
    /// same accuracy; `false` sums the exact gradients (each split then is the exact best one
    /// on the bins).
    pub fn quantized_gradients(mut self, yes: bool) -> Self {
        self.quantized_gradients = yes;
        self
    }

    /// Boosting rounds (≥ 1).
    pub fn n_estimators(mut self, n: usize) -> Self {
        self.n_estimators = n;
        self
    }

    /// Shrinkage of each tree's leaf values, in (0, 1].
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Leaves per tree (≥ 2); trees grow best-first until they have this many.
    pub fn max_leaf_nodes(mut self, n: usize) -> Self {
        self.max_leaf_nodes = n;
        self
    }

    /// Optional depth limit (root = depth 0).
    pub fn max_depth(mut self, depth: Option<usize>) -> Self {
        self.max_depth = depth;
        self
    }

    /// Fewest training samples in a leaf (≥ 1).
    pub fn min_samples_leaf(mut self, n: usize) -> Self {
        self.min_samples_leaf = n;
        self
    }

    /// L2 penalty λ on leaf values (≥ 0).
    pub fn l2_regularization(mut self, lambda: f64) -> Self {
        self.l2_regularization = lambda;
        self
    }

    /// Smallest gain a split must bring (≥ 0).
    pub fn min_gain_to_split(mut self, gain: f64) -> Self {
        self.min_gain_to_split = gain;
        self
    }

    /// Fraction of the rows each tree sees, drawn with the seed, in (0, 1].
    pub fn subsample(mut self, fraction: f64) -> Self {
        self.subsample = fraction;
        self
    }

    /// Fraction of the features each tree may split on, drawn with the seed, in (0, 1].
    pub fn colsample(mut self, fraction: f64) -> Self {
        self.colsample = fraction;
        self
    }

    /// Seed of the row and feature sampling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn check_fields(&self) -> Result<()> {
        if self.n_estimators == 0 || self.n_estimators > super::forest::MAX_ESTIMATORS {
            return Err(Error::invalid(
                "n_estimators",
                self.n_estimators,
                format!("must lie in 1..={}", super::forest::MAX_ESTIMATORS),
            ));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "must lie in (0, 1]",
            ));
        }
        if self.max_leaf_nodes < 2 || self.max_leaf_nodes > 1 << 16 {
            return Err(Error::invalid(
                "max_leaf_nodes",
                self.max_leaf_nodes,
                "must lie in 2..=65536",
            ));
        }
        if self.max_depth == Some(0) {
            return Err(Error::invalid(
                "max_depth",
                0,
                "must be at least 1 (or None)",
            ));
        }
        if self.min_samples_leaf == 0 {
            return Err(Error::invalid("min_samples_leaf", 0, "must be at least 1"));
        }
        if !(self.l2_regularization.is_finite() && self.l2_regularization >= 0.0) {
            return Err(Error::invalid(
                "l2_regularization",
                self.l2_regularization,
                "must be finite and ≥ 0",
            ));
        }
        if !(self.min_gain_to_split.is_finite() && self.min_gain_to_split >= 0.0) {
            return Err(Error::invalid(
                "min_gain_to_split",
                self.min_gain_to_split,
                "must be finite and ≥ 0",
            ));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(Error::invalid(
                "validation_fraction",
                self.validation_fraction,
                "must lie in (0, 1)",
            ));
        }
        if self.n_iter_no_change == 0 {
            return Err(Error::invalid("n_iter_no_change", 0, "must be at least 1"));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::invalid("tol", self.tol, "must be finite and ≥ 0"));
        }
        if let RegressionLoss::Huber { delta } = self.loss {
            if !(delta.is_finite() && delta > 0.0) {
                return Err(Error::invalid(
                    "huber delta",
                    delta,
                    "must be finite and > 0",
                ));
            }
        }
        for (name, f) in [("subsample", self.subsample), ("colsample", self.colsample)] {
            if !(f > 0.0 && f <= 1.0) {
                return Err(Error::invalid(name, f, "must lie in (0, 1]"));
            }
        }
        Ok(())
    }
}

impl GradientBoosting<usize> {
    /// Classification with log-loss (binary) or softmax (more classes).
    pub fn classifier() -> Self {
        Self::defaults()
    }
}

impl GradientBoosting<f64> {
    /// Regression with squared error (see [`GradientBoosting::loss`] for the others).
    pub fn regressor() -> Self {
        Self::defaults()
    }

    /// The regression loss (default [`RegressionLoss::SquaredError`]).
    pub fn loss(mut self, loss: RegressionLoss) -> Self {
        self.loss = loss;
        self
    }
}

impl<T> Hyperparams for GradientBoosting<T> {
    fn check(&self) -> Result<()> {
        self.check_fields()
    }
}

/// One node of a boosted tree: a split (`feature`, `threshold`, children) or a leaf (`value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostNode {
    /// Split feature (unused in a leaf).
    pub feature: u32,
    /// Samples with `x[feature] <= threshold` go left.
    pub threshold: f64,
    /// Left child (0 in a leaf; children always come after their parent).
    pub left: u32,
    /// Right child (0 in a leaf).
    pub right: u32,
    /// The leaf's contribution to the score (learning rate included).
    pub value: f64,
    /// Where a missing (NaN) value goes: learned when the node's training rows had missing
    /// values, otherwise the side with more training rows (as scikit-learn).
    #[serde(default)]
    pub missing_left: bool,
}

impl BoostNode {
    fn leaf() -> Self {
        BoostNode {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: 0.0,
            missing_left: false,
        }
    }

    fn is_leaf(&self) -> bool {
        self.left == 0
    }
}

/// A boosted tree, root first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostTree {
    /// The nodes; node 0 is the root.
    pub nodes: Vec<BoostNode>,
}

impl BoostTree {
    /// The tree's value for one row.
    fn value(&self, row: &[f64]) -> f64 {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.is_leaf() {
                return node.value;
            }
            let v = row[node.feature as usize];
            let left = if v.is_nan() {
                node.missing_left
            } else {
                v <= node.threshold
            };
            i = if left {
                node.left as usize
            } else {
                node.right as usize
            };
        }
    }

    fn validate(&self, n_features: usize) -> Result<()> {
        let n = self.nodes.len();
        for (i, node) in self.nodes.iter().enumerate() {
            let bad = if node.is_leaf() {
                node.right != 0 || !node.value.is_finite()
            } else {
                node.feature as usize >= n_features
                    || (node.left as usize) <= i
                    || (node.right as usize) <= i
                    || node.left as usize >= n
                    || node.right as usize >= n
                    || node.threshold.is_nan()
            };
            if bad {
                return Err(Error::invalid(
                    "boosted tree",
                    format!("node {i}"),
                    "has invalid links or values",
                ));
            }
        }
        if n == 0 {
            return Err(Error::invalid(
                "boosted tree",
                "no nodes",
                "needs at least a root",
            ));
        }
        Ok(())
    }
}

/// A fitted gradient-boosting model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGradientBoosting<T> {
    n_features: usize,
    feature_names: Vec<String>,
    classes: Vec<String>,
    /// Initial score per output.
    init: Vec<f64>,
    /// Trees, round-major: round `r`, output `k` at `r · n_outputs + k`.
    trees: Vec<BoostTree>,
    n_outputs: usize,
    train_loss: Vec<f64>,
    #[serde(default)]
    validation_loss: Vec<f64>,
    gain: Vec<f64>,
    splits: Vec<usize>,
    #[serde(skip)]
    marker: PhantomData<fn() -> T>,
}

impl<T> FittedGradientBoosting<T> {
    /// Boosting rounds fitted.
    pub fn n_rounds(&self) -> usize {
        self.trees.len() / self.n_outputs.max(1)
    }

    /// The trees (round-major, one per output per round).
    pub fn trees(&self) -> &[BoostTree] {
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
                let values: Vec<f64> = rows.par_iter().map(|row| tree.value(row)).collect();
                for (i, v) in values.into_iter().enumerate() {
                    scores[(i, j)] += v;
                }
            }
            out.push(scores.clone());
        }
        Ok(out)
    }

    /// Feature importances by total gain, as shares of the total.
    pub fn feature_importances(&self) -> Array1<f64> {
        let total: f64 = self.gain.iter().sum();
        self.gain
            .iter()
            .map(|g| if total > 0.0 { g / total } else { 0.0 })
            .collect()
    }

    /// How many splits use each feature.
    pub fn split_counts(&self) -> &[usize] {
        &self.splits
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
                            s[j] += tree.value(row);
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

/// The loss being minimised.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Loss {
    /// Binary log-loss on one score.
    Binary,
    /// Softmax cross-entropy on one score per class.
    Softmax(usize),
    /// Squared error.
    Squared,
    /// Absolute error (leaf values are medians of residuals).
    Absolute,
    /// Huber loss: squared within `delta` of the target, linear beyond.
    Huber(f64),
}

/// The median of `v` (reordered; the mean of the two middle values for an even length).
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let (_, upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lower / 2.0 + upper / 2.0
}

impl Loss {
    fn n_outputs(self) -> usize {
        match self {
            Loss::Softmax(k) => k,
            _ => 1,
        }
    }

    /// The largest |g| and h the loss can produce, if bounded.
    fn gradient_bounds(self) -> Option<(f64, f64)> {
        match self {
            Loss::Binary | Loss::Softmax(_) => Some((1.0, 0.25)),
            Loss::Absolute => Some((1.0, 1.0)),
            Loss::Huber(delta) => Some((delta, 1.0)),
            Loss::Squared => None,
        }
    }

    /// Initial scores from the targets.
    fn init(self, y: &[f64]) -> Vec<f64> {
        let n = y.len().max(1) as f64;
        match self {
            Loss::Squared => vec![y.iter().sum::<f64>() / n],
            Loss::Absolute | Loss::Huber(_) => vec![median(&mut y.to_vec())],
            Loss::Binary => {
                let p = (y.iter().sum::<f64>() / n).clamp(1e-12, 1.0 - 1e-12);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Softmax(k) => {
                let mut counts = vec![0.0; k];
                for &c in y {
                    counts[c as usize] += 1.0;
                }
                counts.iter().map(|c| (c / n).max(1e-12).ln()).collect()
            }
        }
    }

    /// Gradients and hessians of output `k` at `scores` (row-major, `n × outputs`), and the
    /// mean loss over `loss_rows` evenly spaced rows at most (see [`LOSS_ROWS`]).
    fn gradients(
        self,
        y: &[f64],
        scores: &[f64],
        gh: &mut [Vec<[f64; 2]>],
        loss_rows: usize,
    ) -> f64 {
        let n = y.len();
        let stride = (n / loss_rows.max(1)).max(1);
        let sampled = n.div_ceil(stride) as f64;
        match self {
            Loss::Squared | Loss::Absolute | Loss::Huber(_) | Loss::Binary => {
                // In fixed chunks, in parallel; the chunk losses are summed in order.
                let chunk = 8192;
                let parts: Vec<f64> = gh[0]
                    .par_chunks_mut(chunk)
                    .enumerate()
                    .map(|(c, out)| {
                        let base = c * chunk;
                        let mut loss = 0.0;
                        // The next row counted in the loss (every `stride`-th), without a
                        // division per row.
                        let mut next = base.div_ceil(stride) * stride;
                        for (j, o) in out.iter_mut().enumerate() {
                            let (s, t) = (scores[base + j], y[base + j]);
                            let counted = base + j == next;
                            next += if counted { stride } else { 0 };
                            if let Loss::Squared = self {
                                let r = s - t;
                                *o = [r, 1.0];
                                if counted {
                                    loss += r * r;
                                }
                            } else if let Loss::Absolute = self {
                                let r = s - t;
                                *o = [
                                    if r > 0.0 {
                                        1.0
                                    } else if r < 0.0 {
                                        -1.0
                                    } else {
                                        0.0
                                    },
                                    1.0,
                                ];
                                if counted {
                                    loss += r.abs();
                                }
                            } else if let Loss::Huber(delta) = self {
                                let r = s - t;
                                let linear = r.abs() > delta;
                                *o = [if linear { delta * r.signum() } else { r }, 1.0];
                                if counted {
                                    loss += if linear {
                                        delta * (r.abs() - 0.5 * delta)
                                    } else {
                                        0.5 * r * r
                                    };
                                }
                            } else {
                                // One exponential serves the probability and the loss:
                                // e = e^{−|s|}, and −log p(true class) = log(1 + e^{−m}) =
                                // max(−m, 0) + log(1 + e) for the signed margin m = ±s.
                                let e = (-s.abs()).exp();
                                let p = if s >= 0.0 {
                                    1.0 / (1.0 + e)
                                } else {
                                    e / (1.0 + e)
                                };
                                *o = [p - t, (p * (1.0 - p)).max(1e-16)];
                                if counted {
                                    let m = if t > 0.5 { s } else { -s };
                                    // ln(1 + e) rather than ln_1p(e): twice as fast, and e
                                    // near 0 (where they differ) adds nothing to the mean.
                                    loss += (-m).max(0.0) + (1.0 + e).ln();
                                }
                            }
                        }
                        loss
                    })
                    .collect();
                parts.iter().sum::<f64>() / sampled
            }
            Loss::Softmax(k) => {
                let mut loss = 0.0;
                let mut p = vec![0.0; k];
                for i in 0..n {
                    let s = &scores[i * k..(i + 1) * k];
                    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let z: f64 = s.iter().map(|v| (v - m).exp()).sum();
                    for c in 0..k {
                        p[c] = (s[c] - m).exp() / z;
                    }
                    let t = y[i] as usize;
                    for c in 0..k {
                        let yc = if c == t { 1.0 } else { 0.0 };
                        gh[c][i] = [p[c] - yc, (p[c] * (1.0 - p[c])).max(1e-16)];
                    }
                    if i % stride == 0 {
                        loss -= p[t].max(1e-15).ln();
                    }
                }
                loss / sampled
            }
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The bin codes row-major (`codes[i · d + f]`), for histograms filled row by row.
struct RowCodes {
    n_features: usize,
    codes: Vec<u8>,
    /// Feature `f`'s bins (its missing bin included) start at `offsets[f]` in a histogram;
    /// `offsets[d]` is the histogram's length. A feature with few distinct values takes few
    /// bins, so histograms of such data are small to clear, fill and subtract.
    offsets: Vec<usize>,
}

impl RowCodes {
    fn new(binned: &BinnedData) -> Self {
        let (n, d) = (binned.n_samples, binned.n_features());
        let mut codes = vec![0u8; n * d];
        codes
            .par_chunks_mut(d.max(1))
            .enumerate()
            .for_each(|(i, row)| {
                for (f, c) in row.iter_mut().enumerate() {
                    *c = binned.feature(f)[i];
                }
            });
        let mut offsets = vec![0];
        for f in 0..d {
            offsets.push(offsets[f] + binned.n_bins(f) + usize::from(binned.missing[f]));
        }
        Self {
            n_features: d,
            codes,
            offsets,
        }
    }
}

/// The gradient pairs a histogram sums: exact, or quantized and packed (see [`Quantized`]).
#[derive(Clone, Copy)]
enum Grads<'a> {
    Exact(&'a [[f64; 2]]),
    Quantized(&'a [u64]),
}

/// Gradients quantized to integers for the histograms (LightGBM's quantized training): `g` to
/// `−127..=127` steps of `g_scale`, `h` to `0..=255` steps of `h_scale`, rounded stochastically
/// (unbiased; the draws are a hash of seed, round and row, so they do not depend on threads).
/// A row's pair and a count of 1 are packed in one `u64` — `g` in the top 22 bits (signed),
/// `h` in the next 22, the count in the low 20 — so adding packed words adds all three at once:
/// one addition per row and feature instead of three. Up to [`PACK_ROWS`] rows fit a word
/// without overflow. Leaf values still come from the exact gradients.
struct Quantized {
    packed: Vec<u64>,
    g_scale: f64,
    h_scale: f64,
}

/// Rows a packed histogram word can sum without overflowing a field (127 · 16384 < 2²¹).
const PACK_ROWS: usize = 16_384;

impl Quantized {
    /// Quantizes `gh` into `buffer` (reused round after round). `bounds`: the largest |g| and
    /// h the loss can produce, when it has such bounds (log-losses: 1 and ¼); otherwise the
    /// scales come from the largest values present.
    fn new(gh: &[[f64; 2]], seed: u64, bounds: Option<(f64, f64)>, buffer: Vec<u64>) -> Self {
        let (g_max, h_max) = bounds.unwrap_or_else(|| {
            gh.par_chunks(8192)
                .map(|c| {
                    c.iter().fold((0.0f64, 0.0f64), |(g, h), p| {
                        (g.max(p[0].abs()), h.max(p[1]))
                    })
                })
                .reduce(|| (0.0, 0.0), |a, b| (a.0.max(b.0), a.1.max(b.1)))
        });
        let g_scale = if g_max > 0.0 { g_max / 127.0 } else { 1.0 };
        let h_scale = if h_max > 0.0 { h_max / 255.0 } else { 1.0 };
        let (g_inv, h_inv) = (1.0 / g_scale, 1.0 / h_scale);
        let mut packed = buffer;
        packed.resize(gh.len(), 0);
        let unit = 2f64.powi(-32);
        packed
            .par_chunks_mut(8192)
            .zip(gh.par_chunks(8192))
            .enumerate()
            .for_each(|(c, (out, gh))| {
                for (j, (o, &[g, h])) in out.iter_mut().zip(gh).enumerate() {
                    let i = (c * 8192 + j) as u64;
                    let bits = rng::splitmix64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let (u, v) = ((bits >> 32) as f64 * unit, (bits as u32) as f64 * unit);
                    // floor(x) as (x + 128) truncated, minus 128: x lies in [−127, 128) here.
                    let g = ((g * g_inv + u + 128.0) as i64 - 128).clamp(-127, 127);
                    let h = ((h * h_inv + v) as i64).clamp(0, 255);
                    *o = ((g << 42) + (h << 20) + 1) as u64;
                }
            });
        Quantized {
            packed,
            g_scale,
            h_scale,
        }
    }
}

/// `h` cut into one table per feature, at `offsets` (relative to the start of `h`).
fn tables<'h, T>(mut h: &'h mut [T], offsets: &[usize]) -> Vec<&'h mut [T]> {
    let mut out = Vec::with_capacity(offsets.len().saturating_sub(1));
    for w in offsets.windows(2) {
        let (table, rest) = h.split_at_mut(w[1] - w[0]);
        out.push(table);
        h = rest;
    }
    out
}

/// Unpacks a sum of packed words into (g, h, count) in quantization steps.
#[inline]
fn unpack(word: u64) -> [i64; 3] {
    let w = word as i64;
    [w >> 42, (w >> 20) & 0x3F_FFFF, w & 0xF_FFFF]
}

/// Adds the packed gradient words of `rows` (at most [`PACK_ROWS`]) to the tables of features
/// `f0..f1` (two 256-word tables per feature, indexed by the code without a bounds check):
/// even-numbered rows into the first, odd-numbered into the second. Two rows in flight
/// halve the chains of additions to one word when consecutive rows share a bin (each addition
/// waits for the previous store to the same word).
fn add_packed_group(
    codes: &RowCodes,
    rows: &[u32],
    packed: &[u64],
    tables: &mut [[[u64; 256]; 2]],
    f0: usize,
    f1: usize,
) {
    let d = codes.n_features;
    let row_codes = |r: usize| &codes.codes[r * d + f0..r * d + f1];
    let mut pairs = rows.chunks_exact(2);
    for (k, pair) in (&mut pairs).enumerate() {
        // The rows of a leaf are scattered over the data: ask for a row's codes and gradient
        // well before they are needed.
        if let Some(&ahead) = rows.get(2 * k + PREFETCH_ROWS) {
            prefetch(&codes.codes[ahead as usize * d + f0..]);
            prefetch(&packed[ahead as usize..]);
        }
        let (r0, r1) = (pair[0] as usize, pair[1] as usize);
        let (p0, p1) = (packed[r0], packed[r1]);
        for (t, (&c0, &c1)) in tables
            .iter_mut()
            .zip(row_codes(r0).iter().zip(row_codes(r1)))
        {
            let w = &mut t[0][c0 as usize];
            *w = w.wrapping_add(p0);
            let v = &mut t[1][c1 as usize];
            *v = v.wrapping_add(p1);
        }
    }
    for &r in pairs.remainder() {
        let r = r as usize;
        let p = packed[r];
        for (t, &c) in tables.iter_mut().zip(row_codes(r)) {
            let w = &mut t[0][c as usize];
            *w = w.wrapping_add(p);
        }
    }
}

/// Rows ahead of the one being added whose codes and gradient are fetched into the cache.
const PREFETCH_ROWS: usize = 64;

/// Asks the processor to start loading the cache line that holds `p[0]` into its level-1
/// cache. A hint only: it changes no result, and it does nothing off x86-64. At a million rows
/// it made the histograms 13% faster.
#[inline(always)]
fn prefetch<T>(p: &[T]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program can observe and cannot fault, whatever
    // the address; this one is the start of a live slice.
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Features whose packed tables one pass fills at most: 10 tables of 256 words take 20 KiB,
/// and two copies of them stay in a core's level-1 data cache (48 KiB here) next to the rows
/// streaming through. Twenty features in one pass (two 40 KiB copies) spill to level 2: 10
/// per pass made the histograms of a million rows 9% faster than 20 (8 per pass: in between).
const PASS_FEATURES: usize = 10;

/// Adds the packed gradient words of `rows` to `out`, the (g, h, count) sums of features
/// `f0..f1` (bins from `offsets[f0]`), in blocks of [`PACK_ROWS`] rows and passes over at most
/// [`PASS_FEATURES`] features. `words`: scratch tables, all zero between calls.
fn add_packed(
    codes: &RowCodes,
    rows: &[u32],
    packed: &[u64],
    words: &mut Vec<[[u64; 256]; 2]>,
    f0: usize,
    f1: usize,
    out: &mut [[i64; 3]],
) {
    let off = &codes.offsets;
    // Passes of equal size: 20 features as 10 + 10, not 8 + 8 + 4.
    let nf = f1 - f0;
    let per_pass = nf.div_ceil(nf.div_ceil(PASS_FEATURES).max(1)).max(1);
    for chunk in rows.chunks(PACK_ROWS) {
        for a in (f0..f1).step_by(per_pass) {
            let b = (a + per_pass).min(f1);
            if words.len() < b - a {
                words.resize(b - a, [[0; 256]; 2]);
            }
            let tables = &mut words[..b - a];
            add_packed_group(codes, chunk, packed, tables, a, b);
            for (f, [even, odd]) in (a..b).zip(tables.iter_mut()) {
                let nb = off[f + 1] - off[f];
                let out = &mut out[off[f] - off[f0]..off[f + 1] - off[f0]];
                for ((o, w), v) in out.iter_mut().zip(&mut even[..nb]).zip(&mut odd[..nb]) {
                    // Each copy summed at most PACK_ROWS / 2 rows: their sum fits.
                    let sum = w.wrapping_add(*v);
                    if sum != 0 {
                        let u = unpack(sum);
                        o[0] += u[0];
                        o[1] += u[1];
                        o[2] += u[2];
                        *w = 0;
                        *v = 0;
                    }
                }
            }
        }
    }
}

/// (sum of g, sum of h, count) per bin of every feature (in quantization steps for quantized
/// gradients: whole numbers, so sums and differences are exact).
#[derive(Clone)]
struct Histogram(Vec<[f64; 3]>);

impl Histogram {
    /// Fills the histogram of `rows` from the row-major codes, in parallel over groups of
    /// features: each group's task walks the rows in order and adds each row's gradient pair to
    /// its features' bins. A bin's sum is always taken in row order (and quantized sums are
    /// exact), so the histogram is the same whatever the number of threads or groups.
    /// `pool` holds buffers of finished histograms, reused (cleared) rather than allocated.
    fn build(codes: &RowCodes, rows: &[u32], grads: Grads<'_>, pool: &mut Vec<Histogram>) -> Self {
        let (d, off) = (codes.n_features, &codes.offsets);
        let mut hist = pool.pop().map(|h| h.0).unwrap_or_default();
        hist.clear();
        hist.resize(off[d], [0.0; 3]);
        if d == 0 {
            return Histogram(hist);
        }
        if let (Grads::Quantized(packed), true) = (grads, rows.len() >= BLOCK_HISTOGRAM_ROWS) {
            return Histogram::build_blocks(codes, rows, packed, hist);
        }
        // Small leaves: one task (the rows are too few to share); otherwise two groups of
        // features per thread, so that work stealing evens out the load.
        let threads = rayon::current_num_threads();
        let per_group = if rows.len() < PARALLEL_HISTOGRAM_ROWS || threads == 1 {
            d
        } else {
            d.div_ceil(2 * threads)
        };
        let fill = |(f0, f1, h): (usize, usize, &mut [[f64; 3]])| {
            let local: Vec<usize> = off[f0..=f1].iter().map(|o| o - off[f0]).collect();
            let row_codes = |r: usize| &codes.codes[r * d + f0..r * d + f1];
            // Adds (g, h, 1) to the row's bin of each of the group's features.
            let add = |t: &mut [&mut [[f64; 3]]], r: usize, g: f64, hh: f64| {
                for (t, &c) in t.iter_mut().zip(row_codes(r)) {
                    let b = &mut t[c as usize];
                    b[0] += g;
                    b[1] += hh;
                    b[2] += 1.0;
                }
            };
            match grads {
                Grads::Exact(gh) => {
                    let mut t = tables(h, &local);
                    for &r in rows {
                        let [g, hh] = gh[r as usize];
                        add(&mut t, r as usize, g, hh);
                    }
                }
                Grads::Quantized(packed) if rows.len() < 2048 => {
                    // Too few rows to pay for a packed table: whole numbers summed in f64
                    // (exact).
                    let mut t = tables(h, &local);
                    for &r in rows {
                        let [g, hh, _] = unpack(packed[r as usize]);
                        add(&mut t, r as usize, g as f64, hh as f64);
                    }
                }
                Grads::Quantized(packed) => {
                    let mut acc = vec![[0i64; 3]; h.len()];
                    add_packed(codes, rows, packed, &mut Vec::new(), f0, f1, &mut acc);
                    for (b, a) in h.iter_mut().zip(&acc) {
                        *b = [a[0] as f64, a[1] as f64, a[2] as f64];
                    }
                }
            }
        };
        if per_group == d {
            fill((0, d, &mut hist));
        } else {
            let mut groups = Vec::new();
            let mut rest = &mut hist[..];
            for f0 in (0..d).step_by(per_group) {
                let f1 = (f0 + per_group).min(d);
                let (h, tail) = rest.split_at_mut(off[f1] - off[f0]);
                groups.push((f0, f1, h));
                rest = tail;
            }
            groups.into_par_iter().for_each(fill);
        }
        Histogram(hist)
    }

    /// Large leaves with quantized gradients: blocks of rows in parallel, each thread summing
    /// packed words into its own table of every feature; the sums are whole numbers, so exact
    /// in any order.
    fn build_blocks(
        codes: &RowCodes,
        rows: &[u32],
        packed: &[u64],
        mut hist: Vec<[f64; 3]>,
    ) -> Self {
        let (d, off) = (codes.n_features, &codes.offsets);
        let size = off[d];
        // At least two blocks per thread (of at most PACK_ROWS rows).
        let block = PACK_ROWS
            .min(rows.len().div_ceil(2 * rayon::current_num_threads()))
            .max(2);
        let sums = rows
            .par_chunks(block)
            .fold(
                || (Vec::new(), vec![[0i64; 3]; size]),
                |(mut words, mut acc), chunk| {
                    add_packed(codes, chunk, packed, &mut words, 0, d, &mut acc);
                    (words, acc)
                },
            )
            .map(|(_, acc)| acc)
            .reduce(
                || vec![[0i64; 3]; size],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        x[0] += y[0];
                        x[1] += y[1];
                        x[2] += y[2];
                    }
                    a
                },
            );
        for (h, a) in hist.iter_mut().zip(&sums) {
            *h = [a[0] as f64, a[1] as f64, a[2] as f64];
        }
        Histogram(hist)
    }

    /// The parent's histogram minus a child's: the other child's, in the parent's buffer.
    fn subtract(mut self, other: &Histogram) -> Histogram {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a[0] -= b[0];
            a[1] -= b[1];
            a[2] -= b[2];
        }
        self
    }
}

/// Runs `f` with the pool's other workers polling for its parallel tasks (as OpenMP's threads
/// spin between parallel regions): a boosting round hands out many tasks of tens of
/// microseconds, and a worker that fell asleep between them takes longer than that to wake.
/// At 80,000 rows this made the fit 15% faster.
fn with_awake_workers<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_num_threads() == 1 {
        return f();
    }
    let done = AtomicBool::new(false);
    let done = &done;
    rayon::scope(|scope| {
        let main = rayon::current_thread_index();
        for _ in 1..rayon::current_num_threads() {
            scope.spawn(move |_| keep_awake(done, main));
        }
        let result = f();
        done.store(true, Ordering::Release);
        result
    })
}

/// How long [`keep_awake`] polls without finding work before it gives its thread back.
const AWAKE_IDLE: Duration = Duration::from_micros(200);

/// Polls for pool work until `done`, or until none has come for [`AWAKE_IDLE`]. The time limit
/// matters when a waiting thread picks this task up from another fit running in the same pool
/// (say, in a parallel grid search): whatever it was doing resumes at the latest then. Does
/// nothing on the thread that runs the fit itself (`main`).
fn keep_awake(done: &AtomicBool, main: Option<usize>) {
    if rayon::current_thread_index() == main {
        return;
    }
    let mut idle_since = Instant::now();
    let mut idle_polls = 0u32;
    while !done.load(Ordering::Acquire) {
        if rayon::yield_now() == Some(rayon::Yield::Executed) {
            idle_polls = 0;
        } else {
            // The clock is read once every 64 empty polls, not at each.
            idle_polls += 1;
            if idle_polls == 1 {
                idle_since = Instant::now();
            } else if idle_polls % 64 == 0 && idle_since.elapsed() > AWAKE_IDLE {
                return;
            }
            std::hint::spin_loop();
        }
    }
}

/// Rows from which a histogram of quantized gradients is filled by blocks of rows, one table
/// of every feature per block (fewer: by groups of features over all the rows, which fetch
/// every row once per group). 32,768 took 4% longer at a million rows, and no less at 80,000.
const BLOCK_HISTOGRAM_ROWS: usize = 8192;

/// Rows from which a histogram is filled by several threads (fewer: by one).
const PARALLEL_HISTOGRAM_ROWS: usize = 512;

/// A candidate split of a leaf.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    gain: f64,
    feature: usize,
    /// Value bins `0..=bin` go left.
    bin: usize,
    /// Gradient and hessian sums of the left child.
    left_g: f64,
    left_h: f64,
    /// Whether the missing bin goes left.
    missing_left: bool,
    /// Whether the leaf had rows with a missing value of `feature`.
    saw_missing: bool,
}

/// `b` if it gains strictly more than `a` (so the first of equal gains is kept).
fn better(a: Option<Candidate>, b: Option<Candidate>) -> Option<Candidate> {
    match (a, b) {
        (Some(a), Some(b)) if b.gain > a.gain => Some(b),
        (None, b) => b,
        (a, _) => a,
    }
}

/// Smallest hessian sum of a child (LightGBM's `min_sum_hessian_in_leaf`).
const MIN_HESSIAN: f64 = 1e-3;

/// A leaf being grown: its rows (a range of the index array), sums, depth, histogram and best
/// split.
struct Leaf {
    start: usize,
    end: usize,
    g: f64,
    h: f64,
    depth: usize,
    node: usize,
    hist: Histogram,
    best: Option<Candidate>,
}

struct Grower<'a> {
    binned: &'a BinnedData,
    /// Where each feature's bins start in a histogram.
    offsets: &'a [usize],
    features: Vec<usize>,
    /// Histogram units of g and h (1 for exact gradients).
    g_scale: f64,
    h_scale: f64,
    lambda: f64,
    min_leaf: f64,
    min_gain: f64,
    max_depth: Option<usize>,
}

impl Grower<'_> {
    fn score(&self, g: f64, h: f64) -> f64 {
        g * g / (h + self.lambda)
    }

    /// Whether `leaf` may be split at all (depth and size limits).
    fn splittable(&self, leaf: &Leaf) -> bool {
        self.max_depth.is_none_or(|d| leaf.depth < d)
            && ((leaf.end - leaf.start) as f64) >= 2.0 * self.min_leaf
    }

    fn best_split(&self, leaf: &Leaf) -> Option<Candidate> {
        let best = self
            .splittable(leaf)
            .then(|| self.best_among(leaf, &self.features));
        self.worth_it(best.flatten())
    }

    /// `candidate` if it gains more than `min_gain_to_split` (and more than rounding noise).
    fn worth_it(&self, candidate: Option<Candidate>) -> Option<Candidate> {
        candidate.filter(|c| c.gain > self.min_gain.max(1e-12))
    }

    /// The best splits of two new leaves, their features shared out between threads in
    /// consecutive runs (two per thread) and the runs' winners weighed in feature order, so the
    /// choice is the same as [`Grower::best_split`]'s on any thread count. Worth it while the
    /// other threads are awake (see [`with_awake_workers`]).
    fn best_splits_parallel(&self, a: &Leaf, b: &Leaf) -> (Option<Candidate>, Option<Candidate>) {
        let run = self
            .features
            .len()
            .div_ceil(2 * rayon::current_num_threads())
            .max(1);
        let (ok_a, ok_b) = (self.splittable(a), self.splittable(b));
        let bests: Vec<(Option<Candidate>, Option<Candidate>)> = self
            .features
            .par_chunks(run)
            .map(|fs| {
                (
                    ok_a.then(|| self.best_among(a, fs)).flatten(),
                    ok_b.then(|| self.best_among(b, fs)).flatten(),
                )
            })
            .collect();
        let (best_a, best_b) = bests.into_iter().fold((None, None), |(x, y), (ca, cb)| {
            (better(x, ca), better(y, cb))
        });
        (self.worth_it(best_a), self.worth_it(best_b))
    }

    /// The best split of `leaf` on `features`, weighed in order (the first of equal gains).
    fn best_among(&self, leaf: &Leaf, features: &[usize]) -> Option<Candidate> {
        let total = [leaf.g, leaf.h, (leaf.end - leaf.start) as f64];
        let parent = self.score(leaf.g * self.g_scale, leaf.h * self.h_scale);
        features.iter().fold(None, |best, &f| {
            let m = self.binned.n_bins(f);
            let start = self.offsets[f];
            let bins = &leaf.hist.0[start..start + m];
            let missing = if self.binned.missing[f] {
                leaf.hist.0[start + m]
            } else {
                [0.0; 3]
            };
            if missing[2] == 0.0 {
                // No missing value here: thresholds between value bins.
                return better(best, self.scan(bins, [0.0; 3], total, parent, f, m - 1));
            }
            // Missing values right (the last threshold puts every value left, so "missing
            // or not" is a candidate too), then missing values left.
            let right = self.scan(bins, [0.0; 3], total, parent, f, m);
            let left = self.scan(bins, missing, total, parent, f, m - 1);
            better(better(best, right), left)
        })
    }

    /// The best of the first `n` thresholds of one feature: threshold `b` sends `start` (the
    /// missing bin's sums, or nothing) and the value bins `0..=b` left. One division per
    /// threshold: `G_L²/D_L + G_R²/D_R = (G_L²·D_R + G_R²·D_L) / (D_L·D_R)`.
    fn scan(
        &self,
        bins: &[[f64; 3]],
        start: [f64; 3],
        total: [f64; 3],
        parent: f64,
        feature: usize,
        n: usize,
    ) -> Option<Candidate> {
        let (mut g, mut h, mut c) = (start[0], start[1], start[2]);
        let (mut best_gain, mut best) = (f64::NEG_INFINITY, (0, 0.0, 0.0));
        let (gs, hs) = (self.g_scale, self.h_scale);
        for (b, bin) in bins.iter().enumerate().take(n) {
            // An empty bin moves no row: its split is the previous bin's (already weighed;
            // the first of equal gains is kept).
            if bin[2] == 0.0 {
                continue;
            }
            g += bin[0];
            h += bin[1];
            c += bin[2];
            let (gr, hr, cr) = ((total[0] - g) * gs, (total[1] - h) * hs, total[2] - c);
            let (gl, hl) = (g * gs, h * hs);
            let ok = (c >= self.min_leaf)
                & (cr >= self.min_leaf)
                & (hl >= MIN_HESSIAN)
                & (hr >= MIN_HESSIAN);
            let (dl, dr) = (hl + self.lambda, hr + self.lambda);
            let gain = (gl * gl * dr + gr * gr * dl) / (dl * dr) - parent;
            if ok && gain > best_gain {
                best_gain = gain;
                best = (b, g, h);
            }
        }
        (best_gain > f64::NEG_INFINITY).then_some(Candidate {
            gain: best_gain,
            feature,
            bin: best.0,
            left_g: best.1,
            left_h: best.2,
            missing_left: start[2] > 0.0,
            saw_missing: start[2] > 0.0 || n == bins.len(),
        })
    }
}

/// Whether a row with bin `code` goes left under `split` (`miss`: the feature's missing code).
#[inline]
fn goes_left(code: usize, bin: usize, miss: usize, missing_left: bool) -> bool {
    // The missing code lies above every value bin, so `code <= bin` is false for it.
    (code <= bin) | ((code == miss) & missing_left)
}

/// Rows per block of the parallel score update.
const SCORE_BLOCK: usize = 1 << 15;

/// Rows per block of a parallel partition.
const PARTITION_BLOCK: usize = 1 << 11;

/// Stable partition of `range` (rows going left first, each side in its order); returns the
/// number going left. Large ranges are cut into fixed blocks partitioned in parallel, then
/// stitched: the result is the same as a serial pass.
fn partition(
    range: &mut [u32],
    scratch: &mut [u32],
    codes: &[u8],
    left: impl Fn(u8) -> bool + Sync,
) -> usize {
    let n = range.len();
    let scratch = &mut scratch[..n];
    // Left rows compacted at the start of `range`, right rows at the start of `scratch`,
    // without branching on the data.
    let split = |(range, scratch): (&mut [u32], &mut [u32])| -> usize {
        let (mut write, mut other) = (0, 0);
        for k in 0..range.len() {
            // Rows `k..` are still in place (`write <= k`).
            if let Some(&ahead) = range.get(k + PREFETCH_ROWS) {
                prefetch(&codes[ahead as usize..]);
            }
            let r = range[k];
            let l = left(codes[r as usize]);
            range[write] = r;
            scratch[other] = r;
            write += usize::from(l);
            other += usize::from(!l);
        }
        write
    };
    if n < 2 * PARTITION_BLOCK {
        let write = split((range, scratch));
        range[write..].copy_from_slice(&scratch[..n - write]);
        return write;
    }
    let lefts: Vec<usize> = range
        .par_chunks_mut(PARTITION_BLOCK)
        .zip(scratch.par_chunks_mut(PARTITION_BLOCK))
        .map(split)
        .collect();
    // Block b's left rows move down to the running offset (never past block b's start).
    let mut write = 0;
    for (b, &nl) in lefts.iter().enumerate() {
        let start = b * PARTITION_BLOCK;
        range.copy_within(start..start + nl, write);
        write += nl;
    }
    let mut right = write;
    for (b, &nl) in lefts.iter().enumerate() {
        let start = b * PARTITION_BLOCK;
        let nr = PARTITION_BLOCK.min(n - start) - nl;
        range[right..right + nr].copy_from_slice(&scratch[start..start + nr]);
        right += nr;
    }
    write
}

/// A tree being grown on `rows`, with what it needs.
struct TreeSpec<'a> {
    binned: &'a BinnedData,
    row_codes: &'a RowCodes,
    /// Exact gradients (for the leaf values).
    gh: &'a [[f64; 2]],
    /// Quantized gradients for the histograms, if used.
    quantized: Option<&'a Quantized>,
    lambda: f64,
    min_leaf: usize,
    min_gain: f64,
    max_depth: Option<usize>,
    max_leaves: usize,
    learning_rate: f64,
}

/// A grown tree and, for each leaf, its range of the rows (left partitioned by leaf) and its
/// node.
struct Grown {
    tree: BoostTree,
    leaves: Vec<(usize, usize, usize)>,
}

/// Grows one tree on `rows` (leaf-wise), adding each split's gain and count to `gain_out` and
/// `splits_out`.
fn grow(
    spec: &TreeSpec<'_>,
    features: Vec<usize>,
    rows: &mut [u32],
    gain_out: &mut [f64],
    splits_out: &mut [usize],
    pool: &mut Vec<Histogram>,
) -> Grown {
    let (binned, gh) = (spec.binned, spec.gh);
    let (grads, g_scale, h_scale) = match spec.quantized {
        Some(q) => (Grads::Quantized(&q.packed), q.g_scale, q.h_scale),
        None => (Grads::Exact(gh), 1.0, 1.0),
    };
    let grower = Grower {
        binned,
        offsets: &spec.row_codes.offsets,
        features,
        g_scale,
        h_scale,
        lambda: spec.lambda,
        min_leaf: spec.min_leaf as f64,
        min_gain: spec.min_gain,
        max_depth: spec.max_depth,
    };
    let hist = Histogram::build(spec.row_codes, rows, grads, pool);
    // The root's sums: every bin of one feature (its missing bin included).
    let (g, h) = hist.0[..spec.row_codes.offsets[1]]
        .iter()
        .fold((0.0, 0.0), |(g, h), b| (g + b[0], h + b[1]));
    let mut nodes = vec![BoostNode::leaf()];
    let mut root = Leaf {
        start: 0,
        end: rows.len(),
        g,
        h,
        depth: 0,
        node: 0,
        hist,
        best: None,
    };
    root.best = grower.best_split(&root);
    let mut leaves = vec![root];
    let mut scratch: Vec<u32> = vec![0; rows.len()];
    while leaves.len() < spec.max_leaves {
        // The leaf with the largest gain (the first on ties).
        let Some((pick, split)) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.best.map(|c| (i, c)))
            .fold(
                None,
                |best: Option<(usize, Candidate)>, (i, c)| match best {
                    Some((b, bc)) if bc.gain >= c.gain => Some((b, bc)),
                    _ => Some((i, c)),
                },
            )
        else {
            break;
        };
        let leaf = leaves.swap_remove(pick);
        // Stable partition of the leaf's rows, left first, without branching on the data.
        let f = split.feature;
        let codes = binned.feature(f);
        let miss = if binned.missing[f] {
            binned.n_bins(f)
        } else {
            usize::MAX
        };
        let (bin, missing_left) = (split.bin, split.missing_left);
        let write = partition(
            &mut rows[leaf.start..leaf.end],
            &mut scratch,
            codes,
            move |c| goes_left(c as usize, bin, miss, missing_left),
        );
        let mid = leaf.start + write;
        let (gl, hl) = (split.left_g, split.left_h);
        // The smaller child's histogram is built, the larger one's is the difference.
        let left_smaller = mid - leaf.start <= leaf.end - mid;
        let small = if left_smaller {
            &rows[leaf.start..mid]
        } else {
            &rows[mid..leaf.end]
        };
        let small_hist = Histogram::build(spec.row_codes, small, grads, pool);
        let large_hist = leaf.hist.subtract(&small_hist);
        let (left_hist, right_hist) = if left_smaller {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let (li, ri) = (nodes.len(), nodes.len() + 1);
        nodes.push(BoostNode::leaf());
        nodes.push(BoostNode::leaf());
        nodes[leaf.node] = BoostNode {
            feature: f as u32,
            // The last threshold (every value left, missing values right) is +∞.
            threshold: binned.edges[f]
                .get(split.bin)
                .copied()
                .unwrap_or(f64::INFINITY),
            left: li as u32,
            right: ri as u32,
            value: 0.0,
            missing_left: if split.saw_missing {
                split.missing_left
            } else {
                mid - leaf.start >= leaf.end - mid
            },
        };
        gain_out[f] += split.gain;
        splits_out[f] += 1;
        let mut left = Leaf {
            start: leaf.start,
            end: mid,
            g: gl,
            h: hl,
            depth: leaf.depth + 1,
            node: li,
            hist: left_hist,
            best: None,
        };
        let mut right = Leaf {
            start: mid,
            end: leaf.end,
            g: leaf.g - gl,
            h: leaf.h - hl,
            depth: leaf.depth + 1,
            node: ri,
            hist: right_hist,
            best: None,
        };
        // The two split searches (20 features of 256 bins each, whatever the rows) are
        // shared out between the threads, which [`keep_awake`] keeps ready.
        (left.best, right.best) = if rayon::current_num_threads() > 1 {
            grower.best_splits_parallel(&left, &right)
        } else {
            (grower.best_split(&left), grower.best_split(&right))
        };
        leaves.push(left);
        leaves.push(right);
    }
    let mut ranges = Vec::with_capacity(leaves.len());
    // The Newton step from the exact gradients of each leaf's rows (leaves in parallel, each
    // sum in row order).
    let rows: &[u32] = rows;
    let values: Vec<f64> = leaves
        .par_iter()
        .map(|leaf| {
            let (g, h) = rows[leaf.start..leaf.end]
                .iter()
                .fold((0.0, 0.0), |(g, h), &r| {
                    (g + gh[r as usize][0], h + gh[r as usize][1])
                });
            -spec.learning_rate * g / (h + spec.lambda)
        })
        .collect();
    for (leaf, value) in leaves.iter().zip(values) {
        nodes[leaf.node].value = value;
        ranges.push((leaf.start, leaf.end, leaf.node));
    }
    pool.extend(leaves.into_iter().map(|l| l.hist));
    Grown {
        tree: BoostTree { nodes },
        leaves: ranges,
    }
}

impl<T> GradientBoosting<T> {
    /// Splits off the early-stopping rows (when asked) and fits.
    fn fit_split(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
    ) -> Result<FittedGradientBoosting<T>> {
        if !self.early_stopping {
            return self.fit_loss(x, y, loss, names, classes, None);
        }
        let n = x.nrows();
        let n_valid =
            ((self.validation_fraction * n as f64).ceil() as usize).clamp(1, n.saturating_sub(1));
        if n < 2 {
            return Err(Error::EmptyData(
                "early stopping needs at least 2 samples".into(),
            ));
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng::derived(self.seed, u64::MAX));
        let (valid, train) = order.split_at(n_valid);
        let (mut train, mut valid) = (train.to_vec(), valid.to_vec());
        train.sort_unstable();
        valid.sort_unstable();
        let pick = |rows: &[usize]| -> (Array2<f64>, Vec<f64>) {
            (
                x.select(ndarray::Axis(0), rows),
                rows.iter().map(|&i| y[i]).collect(),
            )
        };
        let ((xt, yt), (xv, yv)) = (pick(&train), pick(&valid));
        self.fit_loss(xt.view(), &yt, loss, names, classes, Some((xv.view(), &yv)))
    }

    /// Fits on a worker thread of the pool: the many small parallel steps of growing a tree
    /// (sibling split searches, feature-group histograms) are then handed between workers
    /// directly, not injected into the pool from outside one by one.
    fn fit_loss(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
        validation: Option<(ArrayView2<'_, f64>, &[f64])>,
    ) -> Result<FittedGradientBoosting<T>> {
        rayon::scope(|_| self.fit_in_pool(x, y, loss, names, classes, validation))
    }

    fn fit_in_pool(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
        validation: Option<(ArrayView2<'_, f64>, &[f64])>,
    ) -> Result<FittedGradientBoosting<T>> {
        let (n, d) = x.dim();
        let binned = BinnedData::new(x);
        let row_codes = RowCodes::new(&binned);
        let k = loss.n_outputs();
        let init = loss.init(y);
        let mut scores: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
        let mut gh = vec![vec![[0.0; 2]; n]; k];
        let mut trees = Vec::with_capacity(self.n_estimators * k);
        let mut train_loss = Vec::with_capacity(self.n_estimators + 1);
        let (mut gain, mut splits) = (vec![0.0; d], vec![0usize; d]);
        let rows_per_tree = ((self.subsample * n as f64).round() as usize).clamp(1, n);
        let features_per_tree = ((self.colsample * d as f64).round() as usize).clamp(1, d);
        let rows_u32: Vec<u32> = (0..n as u32).collect();
        // Histogram and quantized-gradient buffers, reused from tree to tree.
        let mut pool: Vec<Histogram> = Vec::new();
        let mut packed_buffer: Vec<u64> = Vec::new();
        // Early stopping: the held-out rows' scores follow every tree.
        let valid_rows: Vec<Vec<f64>> = validation
            .map(|(xv, _)| xv.rows().into_iter().map(|r| r.to_vec()).collect())
            .unwrap_or_default();
        let mut valid_scores: Vec<f64> = (0..valid_rows.len())
            .flat_map(|_| init.iter().copied())
            .collect();
        let mut valid_gh = vec![vec![[0.0; 2]; valid_rows.len()]; k];
        let mut validation_loss = Vec::new();
        let (mut best, mut best_round) = (f64::INFINITY, 0usize);
        for round in 0..self.n_estimators {
            if let Some((_, yv)) = validation {
                let v = loss.gradients(yv, &valid_scores, &mut valid_gh, usize::MAX);
                validation_loss.push(v);
                if v < best - self.tol {
                    (best, best_round) = (v, round);
                } else if round - best_round >= self.n_iter_no_change {
                    break;
                }
            }
            with_awake_workers(|| {
                train_loss.push(loss.gradients(y, &scores, &mut gh, LOSS_ROWS));
                let mut rng = rng::derived(self.seed, round as u64);
                let mut rows: Vec<u32> = if rows_per_tree < n {
                    let mut all = rows_u32.clone();
                    all.shuffle(&mut rng);
                    all.truncate(rows_per_tree);
                    all.sort_unstable();
                    all
                } else {
                    rows_u32.clone()
                };
                let features: Vec<usize> = if features_per_tree < d {
                    let mut all: Vec<usize> = (0..d).collect();
                    all.shuffle(&mut rng);
                    all.truncate(features_per_tree);
                    all.sort_unstable();
                    all
                } else {
                    (0..d).collect()
                };
                for out in 0..k {
                    let quantized = self.quantized_gradients.then(|| {
                        Quantized::new(
                            &gh[out],
                            rng::splitmix64(self.seed ^ (round * k + out) as u64),
                            loss.gradient_bounds(),
                            std::mem::take(&mut packed_buffer),
                        )
                    });
                    let spec = TreeSpec {
                        binned: &binned,
                        row_codes: &row_codes,
                        gh: &gh[out],
                        quantized: quantized.as_ref(),
                        lambda: self.l2_regularization,
                        min_leaf: self.min_samples_leaf,
                        min_gain: self.min_gain_to_split,
                        max_depth: self.max_depth,
                        max_leaves: self.max_leaf_nodes,
                        learning_rate: self.learning_rate,
                    };
                    let Grown {
                        mut tree,
                        leaves: leaf_ranges,
                    } = grow(
                        &spec,
                        features.clone(),
                        &mut rows,
                        &mut gain,
                        &mut splits,
                        &mut pool,
                    );
                    if loss == Loss::Absolute {
                        // Newton steps on signs are poor leaf values: each leaf takes the median
                        // of its rows' residuals instead (as LightGBM and scikit-learn).
                        for &(start, end, node) in &leaf_ranges {
                            let mut residuals: Vec<f64> = rows[start..end]
                                .iter()
                                .map(|&r| y[r as usize] - scores[r as usize])
                                .collect();
                            tree.nodes[node].value = self.learning_rate * median(&mut residuals);
                        }
                    }
                    if rows_per_tree == n {
                        // Every row is in the tree: its leaf is known from the partition. Fixed
                        // blocks of rows are updated in parallel; a leaf's rows are in order,
                        // so its part in a block is found by binary search.
                        let tree = &tree;
                        let (rows, leaf_ranges) = (&rows, &leaf_ranges);
                        scores.par_chunks_mut(SCORE_BLOCK * k).enumerate().for_each(
                            |(b, block)| {
                                let lo = (b * SCORE_BLOCK) as u32;
                                let hi = lo.saturating_add(SCORE_BLOCK as u32);
                                for &(start, end, node) in leaf_ranges {
                                    let value = tree.nodes[node].value;
                                    let leaf = &rows[start..end];
                                    let a = leaf.partition_point(|&r| r < lo);
                                    let z = leaf.partition_point(|&r| r < hi);
                                    for &r in &leaf[a..z] {
                                        block[(r - lo) as usize * k + out] += value;
                                    }
                                }
                            },
                        );
                    } else {
                        // Rows left out of this tree: walk it on their bin codes.
                        scores
                            .par_chunks_mut(k)
                            .enumerate()
                            .for_each(|(i, s)| s[out] += binned_value(&tree, &binned, i));
                    }
                    if validation.is_some() {
                        let values: Vec<f64> =
                            valid_rows.par_iter().map(|row| tree.value(row)).collect();
                        for (i, v) in values.into_iter().enumerate() {
                            valid_scores[i * k + out] += v;
                        }
                    }
                    if let Some(q) = quantized {
                        packed_buffer = q.packed;
                    }
                    trees.push(tree);
                }
            });
        }
        if let Some((_, yv)) = validation {
            let rounds = trees.len() / k;
            if validation_loss.len() == rounds {
                let v = loss.gradients(yv, &valid_scores, &mut valid_gh, usize::MAX);
                validation_loss.push(v);
                if v < best - self.tol {
                    best_round = rounds;
                }
            }
            // Keep the rounds up to the best validation loss.
            trees.truncate(best_round * k);
            validation_loss.truncate(best_round + 1);
        }
        train_loss.push(loss.gradients(y, &scores, &mut gh, LOSS_ROWS));
        train_loss.truncate(trees.len() / k + 1);
        Ok(FittedGradientBoosting {
            n_features: d,
            feature_names: names,
            classes,
            init,
            trees,
            n_outputs: k,
            train_loss,
            validation_loss,
            gain,
            splits,
            marker: PhantomData,
        })
    }
}

/// A tree's value for training row `i`, walked on its bin codes (bin ≤ split bin ⇔ value ≤
/// threshold).
fn binned_value(tree: &BoostTree, binned: &BinnedData, i: usize) -> f64 {
    let mut node = 0usize;
    loop {
        let n = &tree.nodes[node];
        if n.is_leaf() {
            return n.value;
        }
        let f = n.feature as usize;
        let code = binned.feature(f)[i] as usize;
        let left = if binned.missing[f] && code == binned.n_bins(f) {
            n.missing_left
        } else {
            code < binned.n_bins(f) - 1 && binned.edges[f][code] <= n.threshold
        };
        node = if left {
            n.left as usize
        } else {
            n.right as usize
        };
    }
}

/// Checked training records, targets as reals, the loss and the class names.
type Prepared<'d> = (ArrayView2<'d, f64>, Vec<f64>, Loss, Vec<String>);

impl GradientBoosting<usize> {
    /// The training data checked, with its loss and class names.
    fn prepare<'d, D: Labeled<usize> + ?Sized>(&self, data: &'d D) -> Result<Prepared<'d>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        let classes = class_names(data, y);
        let loss = match classes.len() {
            0 | 1 => {
                return Err(Error::invalid(
                    "targets",
                    classes.len(),
                    "gradient boosting needs at least 2 classes",
                ))
            }
            2 => Loss::Binary,
            k => Loss::Softmax(k),
        };
        Ok((x, y.iter().map(|&c| c as f64).collect(), loss, classes))
    }

    /// Fits on `train` with early stopping on the user's `valid` set (same features and
    /// classes): training stops once the validation log-loss has not improved by more than
    /// `tol` for `n_iter_no_change` rounds, and the rounds up to the best one are kept. No rows
    /// of `train` are held out.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::tree::GradientBoosting;
    ///
    /// let data = learnkit::data::MakeClassification::params().n_samples(800).seed(2).generate()?;
    /// let (train, valid) = learnkit::data::train_test_split(&data, 0.25, 0)?;
    /// let model = GradientBoosting::classifier()
    ///     .n_estimators(500)
    ///     .fit_with_validation(&train, &valid)?;
    /// assert!(model.n_rounds() < 500); // stopped once the validation loss stalled
    /// assert_eq!(model.validation_loss().len(), model.n_rounds() + 1);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    pub fn fit_with_validation<D: Labeled<usize> + ?Sized>(
        &self,
        train: &D,
        valid: &D,
    ) -> Result<FittedGradientBoosting<usize>> {
        let (x, y, loss, classes) = self.prepare(train)?;
        let (xv, yv) = crate::dataset::supervised_allowing_missing(valid)?;
        check_validation_features(x, xv)?;
        if let Some(names) = valid.class_names() {
            if names != classes.as_slice() {
                return Err(Error::invalid(
                    "validation classes",
                    names.join(","),
                    format!("must be the training classes {}", classes.join(",")),
                ));
            }
        }
        if let Some(&c) = yv.iter().find(|&&c| c >= classes.len()) {
            return Err(Error::invalid(
                "validation targets",
                c,
                format!("the training data has {} classes", classes.len()),
            ));
        }
        let yv: Vec<f64> = yv.iter().map(|&c| c as f64).collect();
        let names = train.feature_names();
        self.fit_loss(x, &y, loss, names, classes, Some((xv, &yv)))
    }
}

/// The validation records must have the training records' columns.
fn check_validation_features(x: ArrayView2<'_, f64>, xv: ArrayView2<'_, f64>) -> Result<()> {
    if xv.ncols() != x.ncols() {
        return Err(Error::shape(
            "validation records",
            format!("{} features", x.ncols()),
            format!("{} features", xv.ncols()),
        ));
    }
    Ok(())
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for GradientBoosting<usize> {
    type Fitted = FittedGradientBoosting<usize>;

    fn fit(&self, data: &D) -> Result<FittedGradientBoosting<usize>> {
        let (x, y, loss, classes) = self.prepare(data)?;
        self.fit_split(x, &y, loss, data.feature_names(), classes)
    }
}

impl GradientBoosting<f64> {
    /// The training data checked, with its loss.
    fn prepare<'d, D: Labeled<f64> + ?Sized>(
        &self,
        data: &'d D,
    ) -> Result<(ArrayView2<'d, f64>, Vec<f64>, Loss)> {
        self.check()?;
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        let scale = validate::max_abs(y.iter());
        if !(scale * scale).is_finite() {
            return Err(Error::numerical(
                "gradient boosting",
                format!("targets up to {scale:.1e} overflow squared errors; rescale them"),
            ));
        }
        let loss = match self.loss {
            RegressionLoss::SquaredError => Loss::Squared,
            RegressionLoss::AbsoluteError => Loss::Absolute,
            RegressionLoss::Huber { delta } => Loss::Huber(delta),
        };
        Ok((x, y.to_vec(), loss))
    }

    /// Fits on `train` with early stopping on the user's `valid` set (same features), as
    /// [`GradientBoosting::<usize>::fit_with_validation`] does for classes.
    pub fn fit_with_validation<D: Labeled<f64> + ?Sized>(
        &self,
        train: &D,
        valid: &D,
    ) -> Result<FittedGradientBoosting<f64>> {
        let (x, y, loss) = self.prepare(train)?;
        let (xv, yv) = crate::dataset::supervised_allowing_missing(valid)?;
        check_validation_features(x, xv)?;
        let yv = yv.to_vec();
        let names = train.feature_names();
        self.fit_loss(x, &y, loss, names, Vec::new(), Some((xv, &yv)))
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for GradientBoosting<f64> {
    type Fitted = FittedGradientBoosting<f64>;

    fn fit(&self, data: &D) -> Result<FittedGradientBoosting<f64>> {
        let (x, y, loss) = self.prepare(data)?;
        self.fit_split(x, &y, loss, data.feature_names(), Vec::new())
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

impl<T> Persist for FittedGradientBoosting<T> {
    const KIND: &'static str = "GradientBoosting";

    fn validate_loaded(&self) -> Result<()> {
        let k = self.n_outputs;
        if k == 0 || self.init.len() != k || self.trees.len() % k != 0 {
            return Err(Error::invalid(
                "gradient boosting",
                k,
                "outputs, initial scores and trees disagree",
            ));
        }
        if self.gain.len() != self.n_features
            || self.splits.len() != self.n_features
            || self.feature_names.len() != self.n_features
        {
            return Err(Error::invalid(
                "gradient boosting",
                self.n_features,
                "per-feature arrays disagree with the feature count",
            ));
        }
        if k > 1 && self.classes.len() != k {
            return Err(Error::invalid(
                "gradient boosting",
                self.classes.len(),
                "one output per class",
            ));
        }
        if self.init.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "gradient boosting",
                "init",
                "must be finite",
            ));
        }
        self.trees
            .iter()
            .try_for_each(|t| t.validate(self.n_features))
    }
}
