//! Decision trees and random forests on one fast CART engine.
//!
//! * [`DecisionTreeClassifier`] / [`DecisionTreeRegressor`] — CART with Gini, entropy or
//!   squared error; `max_depth`, `min_samples_split`, `min_samples_leaf`,
//!   `min_impurity_decrease`, `max_features` per split; importances; text and dot export.
//! * [`RandomForestClassifier`] / [`RandomForestRegressor`] — bagged trees with per-split
//!   feature sampling, grown in parallel, identical for a seed on any thread count; out-of-bag
//!   score and its curve.
//!
//! The engine bins each feature once into at most 256 quantile bins (module `binning`) and finds
//! splits by histogram accumulation, with sibling subtraction when all features are candidates
//! (module `engine`). With ≤ 256 distinct values per feature the search is exactly CART's; with more,
//! only 255 quantile thresholds per feature are tried. Both stay private: the fitted trees are
//! read through [`Tree`], [`Node`] and [`Split`].

/// Builder methods shared by every tree-based hyper-parameter type (a `params: TreeParams`
/// field and a `seed: u64` field).
macro_rules! tree_builder_methods {
    () => {
        /// Maximum depth; `None` (default) grows until leaves are pure or too small.
        pub fn max_depth(mut self, depth: Option<usize>) -> Self {
            self.params.max_depth = depth;
            self
        }

        /// Minimum samples to split a node (default 2).
        pub fn min_samples_split(mut self, n: usize) -> Self {
            self.params.min_samples_split = n;
            self
        }

        /// Minimum samples in each leaf (default 1).
        pub fn min_samples_leaf(mut self, n: usize) -> Self {
            self.params.min_samples_leaf = n;
            self
        }

        /// Minimum weighted impurity decrease for a split (default 0).
        pub fn min_impurity_decrease(mut self, v: f64) -> Self {
            self.params.min_impurity_decrease = v;
            self
        }

        /// Features considered per split (default: all, but `sqrt` for classification forests).
        pub fn max_features(mut self, m: MaxFeatures) -> Self {
            self.params.max_features = m;
            self
        }

        /// Random seed: the per-split feature order, and in forests the bootstrap samples.
        pub fn seed(mut self, seed: u64) -> Self {
            self.seed = seed;
            self
        }
    };
}

mod boosting;
mod decision_tree;
mod export;
mod forest;
mod learner;
mod params;

pub use boosting::{
    FittedGradientBoosting, GradientBoosting, GradientBoostingClassifier,
    GradientBoostingRegressor, RegressionLoss,
};
pub use decision_tree::{DecisionTreeClassifier, DecisionTreeRegressor, FittedDecisionTree};
pub use forest::{FittedForest, RandomForest, RandomForestClassifier, RandomForestRegressor};
pub use learner::{Node, Split, Tree};
pub use params::{Criterion, MaxFeatures, TreeParams};
