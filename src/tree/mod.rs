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

/// The CART grower's settings, read from a tree model's tree fields (`@tree_fields` of
/// `hyperparams!`).
macro_rules! tree_params {
    ($p:expr) => {
        $crate::tree::params::TreeParams {
            criterion: $p.criterion,
            max_depth: $p.max_depth,
            min_samples_split: $p.min_samples_split,
            min_samples_leaf: $p.min_samples_leaf,
            min_impurity_decrease: $p.min_impurity_decrease,
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
pub use decision_tree::{
    DecisionTree, DecisionTreeClassifier, DecisionTreeRegressor, FittedDecisionTree,
};
pub use forest::{FittedForest, RandomForest, RandomForestClassifier, RandomForestRegressor};
pub use learner::{Node, Split, Tree};
pub use params::{Criterion, MaxFeatures, TargetKind};
