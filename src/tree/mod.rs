//! Decision trees and random forests on one fast CART engine.
//!
//! * [`DecisionTreeClassifier`] / [`DecisionTreeRegressor`] — CART with Gini, entropy or
//!   squared error; `max_depth`, `min_samples_split`, `min_samples_leaf`,
//!   `min_impurity_decrease`, `max_features` per split; importances; text and dot export.
//! * [`RandomForestClassifier`] / [`RandomForestRegressor`] — bagged trees with per-split
//!   feature sampling, grown in parallel, identical for a seed on any thread count; out-of-bag
//!   score and its curve.
//!
//! The engine bins each feature once into at most 256 quantile bins ([`binning`]) and finds
//! splits by histogram accumulation, with sibling subtraction when all features are candidates
//! ([`engine`]). With ≤ 256 distinct values per feature the search is exactly CART's; with more,
//! only 255 quantile thresholds per feature are tried.

pub mod binning;
mod decision_tree;
pub mod engine;
mod export;
mod forest;
mod params;

pub use decision_tree::{DecisionTreeClassifier, DecisionTreeRegressor, FittedDecisionTree};
pub use forest::{FittedForest, RandomForest, RandomForestClassifier, RandomForestRegressor};
pub use params::{Criterion, MaxFeatures, TreeParams};
