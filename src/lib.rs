//! # learnkit
//!
//! Classical machine learning and reinforcement learning in Rust, behind one trait family:
//! every estimator implements [`Estimator`] (hyper-parameters → `fit` → fitted model) and every
//! fitted model the traits for what it can do next ([`Predict`], [`PredictProba`],
//! [`Transform`], [`Classifier::score`], [`Regressor::score`]). Errors are values
//! ([`Error`]), randomised algorithms take a seed, fitted models save and load
//! ([`persist::Persist`]), and `report` (feature `reports`) draws what a model learned as PNG.
//!
//! The layout mirrors the architecture (see `docs/architecture.md`):
//! [`data`] gets data in, the algorithm modules fit it, [`metrics`] scores it, `report` draws
//! it, [`rl`] holds agents for the environments of the `learnkit-envs` crate.
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

pub mod cluster;
pub mod data;
pub mod dataset;
pub mod decomposition;
pub mod distributed;
pub mod error;
pub mod interop;
pub mod linalg;
pub mod linear;
pub mod metrics;
pub mod model_selection;
#[cfg(feature = "tch")]
pub mod neural;
pub mod optim;
pub mod persist;
pub mod preprocessing;
#[cfg(feature = "reports")]
pub mod report;
pub mod rl;
pub mod rng;
pub mod traits;
pub mod tree;
pub mod validate;

pub use dataset::{AsRecords, ClassificationData, Dataset, Labeled, Records, RegressionData};
pub use error::{Error, Result};
pub use learnkit_envs as envs;
pub use traits::{
    Classifier, Estimator, FitTransform, Hyperparams, InverseTransform, Predict, PredictProba,
    Regressor, Transform,
};

/// The names most programs need: `use learnkit::prelude::*;`.
pub mod prelude {
    pub use crate::dataset::{AsRecords, Dataset, Labeled, Records};
    pub use crate::error::{Error, Result};
    pub use crate::persist::Persist;
    pub use crate::traits::{
        Classifier, Estimator, FitTransform, Hyperparams, InverseTransform, Predict, PredictProba,
        Regressor, Transform,
    };
}

/// The guide's code blocks, compiled and run as doc tests so the docs cannot rot.
#[cfg(doctest)]
pub mod guide {
    #[doc = include_str!("../docs/linear_models.md")]
    pub struct LinearModels;
    #[doc = include_str!("../docs/clustering_and_pca.md")]
    pub struct ClusteringAndPca;
    #[doc = include_str!("../docs/trees_and_forests.md")]
    pub struct TreesAndForests;
    #[doc = include_str!("../docs/gradient_boosting.md")]
    pub struct GradientBoosting;
    #[doc = include_str!("../docs/model_selection.md")]
    pub struct ModelSelection;
    #[doc = include_str!("../docs/tabular_rl.md")]
    pub struct TabularRl;
    #[cfg(feature = "tch")]
    #[doc = include_str!("../docs/dqn.md")]
    pub struct Dqn;
    #[cfg(feature = "tch")]
    #[doc = include_str!("../docs/neural.md")]
    pub struct Neural;
    #[cfg(feature = "columnar")]
    #[doc = include_str!("../docs/data.md")]
    pub struct Data;
}
