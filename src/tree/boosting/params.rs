//! The hyper-parameters of gradient boosting and their checks.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::tree::forest::MAX_ESTIMATORS;
use crate::tree::TargetKind;

hyperparams! {
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
    pub struct GradientBoosting<T: TargetKind> {
        /// Boosting rounds (1 to 100,000; default 100).
        pub(crate) n_estimators: usize = 100,
            valid |n| (1..=MAX_ESTIMATORS).contains(n), format!("must lie in 1..={MAX_ESTIMATORS}");
        /// Shrinkage of each tree's leaf values, in (0, 1] (default 0.1).
        pub(crate) learning_rate: f64 = 0.1, valid |r| *r > 0.0 && *r <= 1.0, "must lie in (0, 1]";
        /// Leaves per tree (2 to 65,536; default 31); trees grow best-first until they have
        /// this many.
        pub(crate) max_leaf_nodes: usize = 31,
            valid |n| (2..=1 << 16).contains(n), "must lie in 2..=65536";
        /// Optional depth limit (root = depth 0; default none).
        pub(crate) max_depth: Option<usize> = None,
            valid |d| *d != Some(0), "must be at least 1 (or None)";
        /// Fewest training samples in a leaf (≥ 1; default 20).
        pub(crate) min_samples_leaf: usize = 20, valid |n| *n >= 1, "must be at least 1";
        /// L2 penalty λ on leaf values (≥ 0; default 0).
        pub(crate) l2_regularization: f64 = 0.0,
            valid |l| l.is_finite() && *l >= 0.0, "must be finite and ≥ 0";
        /// Smallest gain a split must bring (≥ 0; default 0).
        pub(crate) min_gain_to_split: f64 = 0.0,
            valid |g| g.is_finite() && *g >= 0.0, "must be finite and ≥ 0";
        /// Fraction of the rows each tree sees, drawn with the seed, in (0, 1] (default 1).
        pub(crate) subsample: f64 = 1.0, valid |f| *f > 0.0 && *f <= 1.0, "must lie in (0, 1]";
        /// Fraction of the features each tree may split on, drawn with the seed, in (0, 1]
        /// (default 1).
        pub(crate) colsample: f64 = 1.0, valid |f| *f > 0.0 && *f <= 1.0, "must lie in (0, 1]";
        /// Seed of the row and feature sampling and of the gradients' rounding (default 0).
        pub(crate) seed: u64 = 0;
        /// Hold out `validation_fraction` of the rows (drawn with the seed) and stop once the
        /// validation loss has not improved by more than `tol` for `n_iter_no_change` rounds,
        /// keeping the rounds up to the best one (default off).
        pub(crate) early_stopping: bool = false;
        /// Share of the rows held out for early stopping, in (0, 1) (default 0.1).
        pub(crate) validation_fraction: f64 = 0.1,
            valid |f| *f > 0.0 && *f < 1.0, "must lie in (0, 1)";
        /// Rounds without improvement before early stopping ends training (default 10).
        pub(crate) n_iter_no_change: usize = 10, valid |n| *n >= 1, "must be at least 1";
        /// Smallest validation-loss drop that counts as an improvement (default 1e-7).
        pub(crate) tol: f64 = 1e-7, valid |t| t.is_finite() && *t >= 0.0, "must be finite and ≥ 0";
        /// Histograms of gradients quantized to 8 bits (LightGBM's quantized training; default
        /// on): splits are chosen on sums of rounded gradients — unbiased, stochastically
        /// rounded with the seed — and leaf values from the exact ones. About twice as fast on
        /// large data at the same accuracy; `false` sums the exact gradients (each split then
        /// is the exact best one on the bins).
        pub(crate) quantized_gradients: bool = true;
        /// The regression loss (default [`RegressionLoss::SquaredError`]; classification always
        /// minimises log-loss). Huber's δ must be finite and > 0.
        pub(crate) loss: RegressionLoss = RegressionLoss::SquaredError,
            valid |l| l.is_valid(), "huber's delta must be finite and > 0";
        /// Indices of the categorical features (default none): each value of such a column is
        /// a category (a whole number ≥ 0; NaN missing), split as LightGBM does — one category
        /// against the rest when there are at most `max_cat_to_onehot`, else the categories
        /// sorted by their gradient statistics and split many against many. Missing values
        /// and categories not seen in training go right. A binned dataset's own categorical
        /// columns are used by `fit_binned`.
        pub(crate) categorical_features: Vec<usize> = Vec::new();
        /// Most categories of a feature for one-against-the-rest splits (LightGBM's
        /// `max_cat_to_onehot`, ≥ 1; default 4).
        pub(crate) max_cat_to_onehot: usize = 4, valid |n| *n >= 1, "must be at least 1";
        /// Smoothing of the categories' sort key `G / (H + cat_smooth)`, and fewest rows of a
        /// category in the sorted search (LightGBM's `cat_smooth`, ≥ 0; default 10).
        pub(crate) cat_smooth: f64 = 10.0,
            valid |v| v.is_finite() && *v >= 0.0, "must be finite and ≥ 0";
        /// Extra L2 penalty on many-against-many categorical splits (LightGBM's `cat_l2`, ≥ 0;
        /// default 10).
        pub(crate) cat_l2: f64 = 10.0,
            valid |v| v.is_finite() && *v >= 0.0, "must be finite and ≥ 0";
        /// Most categories on the left of a many-against-many split (LightGBM's
        /// `max_cat_threshold`, ≥ 1; default 32).
        pub(crate) max_cat_threshold: usize = 32, valid |n| *n >= 1, "must be at least 1";
        /// Fewest rows between two candidates of the sorted categorical search (LightGBM's
        /// `min_data_per_group`, ≥ 1; default 100).
        pub(crate) min_data_per_group: usize = 100, valid |n| *n >= 1, "must be at least 1";
    }
    check check_task;
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

impl RegressionLoss {
    fn is_valid(&self) -> bool {
        match *self {
            RegressionLoss::Huber { delta } => delta.is_finite() && delta > 0.0,
            _ => true,
        }
    }
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
    /// The categorical split rules of these parameters.
    pub(crate) fn categorical_rules(&self) -> crate::tree::learner::split::CategoricalRules {
        crate::tree::learner::split::CategoricalRules {
            max_cat_to_onehot: self.max_cat_to_onehot,
            cat_smooth: self.cat_smooth,
            cat_l2: self.cat_l2,
            max_cat_threshold: self.max_cat_threshold,
            min_data_per_group: self.min_data_per_group as f64,
        }
    }
}

impl<T: TargetKind> GradientBoosting<T> {
    /// Only regression takes another loss than the default.
    fn check_task(&self) -> Result<()> {
        if T::CLASSIFICATION && self.loss != RegressionLoss::SquaredError {
            return Err(Error::invalid(
                "loss",
                crate::model_selection::ParamValue::show(&self.loss),
                "is for regression; classification minimises log-loss",
            ));
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
}
