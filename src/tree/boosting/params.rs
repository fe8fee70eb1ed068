//! The hyper-parameters of gradient boosting and their checks.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::traits::Hyperparams;

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
    pub(crate) n_estimators: usize,
    pub(crate) learning_rate: f64,
    pub(crate) max_leaf_nodes: usize,
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_leaf: usize,
    pub(crate) l2_regularization: f64,
    pub(crate) min_gain_to_split: f64,
    pub(crate) subsample: f64,
    pub(crate) colsample: f64,
    pub(crate) seed: u64,
    pub(crate) early_stopping: bool,
    pub(crate) validation_fraction: f64,
    pub(crate) n_iter_no_change: usize,
    pub(crate) tol: f64,
    pub(crate) quantized_gradients: bool,
    pub(crate) loss: RegressionLoss,
    pub(crate) marker: PhantomData<fn() -> T>,
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
        if self.n_estimators == 0 || self.n_estimators > crate::tree::forest::MAX_ESTIMATORS {
            return Err(Error::invalid(
                "n_estimators",
                self.n_estimators,
                format!("must lie in 1..={}", crate::tree::forest::MAX_ESTIMATORS),
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
