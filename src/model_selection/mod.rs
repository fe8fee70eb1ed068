//! Model evaluation and selection: splitters, scorers by name, cross-validation,
//! hyper-parameter search and pipelines — scikit-learn's `model_selection` and `pipeline`.
//!
//! * [`KFold`], [`StratifiedKFold`], [`ShuffleSplit`], [`StratifiedShuffleSplit`],
//!   [`GroupKFold`], [`TimeSeriesSplit`] — seeded; the deterministic ones give scikit-learn's
//!   exact folds.
//! * [`Scorer`] — `accuracy`, `balanced_accuracy`, `f1`, `f1_macro`, `f1_weighted`,
//!   `precision`, `recall`, `roc_auc`, `roc_auc_ovr`, `neg_log_loss`, `r2`, `neg_mse`,
//!   `neg_mae`; greater is better for every one.
//! * [`cross_validate`], [`cross_val_predict`] — folds in parallel.
//! * [`GridSearch`], [`RandomSearch`], [`SuccessiveHalving`] — every (candidate, fold) pair in
//!   parallel; each candidate is built and checked ([`crate::Hyperparams::check`]) before any fitting.
//! * [`Pipeline`] — scaler and PCA steps fitted inside each fit, so no fold sees statistics of
//!   the rows it is scored on.

mod curves;
mod params;
mod pipeline;
mod scoring;
mod search;
mod set_params;
mod split;
mod validation;

pub use curves::{learning_curve, validation_curve, ScoreCurve};
pub use params::{
    unknown_param, Distribution, ParamGrid, ParamValue, SetParam, Value, MAX_CANDIDATES,
};
pub use pipeline::{FittedPipeline, FittedStep, FittedTransform, Pipeline, Step, TransformStep};
pub use scoring::{
    classification_score, regression_score, score_classifier, score_regressor, Scored, Scorer,
};
pub use search::{
    CandidateResult, GridSearch, HalvingRound, RandomSearch, SearchResult, SuccessiveHalving,
};
pub use split::{
    Fold, GroupKFold, KFold, ShuffleSplit, SplitInput, Splitter, StratifiedKFold,
    StratifiedShuffleSplit, TimeSeriesSplit,
};
pub use validation::{
    cross_val_predict, cross_validate, cross_validate_groups, CvResults, CvTarget,
};
