//! Decision trees, random forests and gradient boosting on one tree learner.
//!
//! * [`DecisionTreeClassifier`] / [`DecisionTreeRegressor`] — CART with Gini, entropy or
//!   squared error; `max_depth`, `min_samples_split`, `min_samples_leaf`,
//!   `min_impurity_decrease`, `max_features` per split; importances; text and dot export.
//! * [`RandomForestClassifier`] / [`RandomForestRegressor`] — bagged trees with per-split
//!   feature sampling, grown in parallel, identical for a seed on any thread count; out-of-bag
//!   score and its curve.
//! * [`GradientBoostingClassifier`] / [`GradientBoostingRegressor`] — histogram gradient
//!   boosting (LightGBM's leaf-wise trees), missing values learned per split.
//!
//! Every tree model grows on one learner (module `learner`, laid out as LightGBM's `io/` and
//! `treelearner/`): each feature is binned once into at most 256 quantile bins and splits are
//! found by histogram accumulation, with sibling subtraction. With ≤ 256 distinct values per
//! feature the search is exactly CART's; with more, only 255 quantile thresholds per feature are
//! tried. The learner stays private: the fitted trees are read through [`Tree`], [`Node`] and
//! [`Split`].

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

mod binned;
mod boosting;
mod decision_tree;
mod export;
mod forest;
pub(crate) mod learner;
mod params;

#[cfg(test)]
mod categorical_tests;

pub use binned::{BinnedDataset, BinnedTask};
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

/// The model file version of a model made of `trees`: 5 when one of them tests a set of
/// categories (see [`crate::persist::FORMAT_VERSION`]), else the base version.
pub(crate) fn trees_version(trees: &[Tree]) -> u32 {
    if trees.iter().any(Tree::has_category_sets) {
        crate::persist::FORMAT_VERSION
    } else {
        crate::persist::BASE_FORMAT_VERSION
    }
}
