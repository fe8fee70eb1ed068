//! Histogram gradient boosting (LightGBM's and scikit-learn's `HistGradientBoosting*` idea) on
//! the shared tree learner: each round fits, per output, a tree to the loss's gradients and
//! hessians, grown leaf-wise (best gain first) up to `max_leaf_nodes`.
//!
//! * Gradients `g` and hessians `h` of the loss at the current scores; a split of a node into
//!   L and R gains `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (twice the drop of the second-order
//!   approximation of the loss); a leaf's value is the Newton step `−G/(H+λ)`, shrunk by the
//!   learning rate.
//! * Histograms of (g, h, count) per feature bin; a node's larger child gets its histogram by
//!   subtracting the smaller child's from the parent's. Features are scanned in parallel and
//!   reduced in feature order, so a seed gives the same model on any thread count.
//! * Five losses: binary log-loss (one tree per round), multiclass softmax (one tree per class
//!   per round), and for regression squared error, absolute error and Huber. The initial scores
//!   come from the loss: log-odds, log priors, the mean, the median.
//!
//! The folder splits by concern, as LightGBM's `boosting/` and `objective/` do: [`params`]
//! (hyper-parameters), `objective` (losses), `fit` (the boosting loop) and `model` (the fitted
//! model, prediction and persistence); the trees grow in [`crate::tree::learner`].

mod fit;
mod model;
mod objective;
pub mod params;

pub use model::FittedGradientBoosting;
pub use params::{
    GradientBoosting, GradientBoostingClassifier, GradientBoostingRegressor, RegressionLoss,
};
