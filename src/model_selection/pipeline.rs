//! Pipelines: transformers fitted inside each fit, then a model — so cross-validation and
//! search fit the scaler (or PCA) on the training folds only, never on the rows they score.

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::params::{unknown_param, SetParam, Value};
use super::scoring::{Scored, Scorer};
use crate::dataset::{Dataset, Records};
use crate::decomposition::{FittedPca, Pca};
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::preprocessing::{FittedStandardScaler, StandardScaler};
use crate::traits::{
    Classifier, Estimator, Hyperparams, Predict, PredictProba, Regressor, Transform,
};

/// A transformer step of a [`Pipeline`].
#[derive(Debug, Clone)]
pub enum Step {
    /// Standardisation.
    Scaler(StandardScaler),
    /// Principal component analysis.
    Pca(Pca),
    /// Any other transformer ([`Step::custom`]): fitted inside each fold like the others.
    Custom(Arc<dyn TransformStep>),
}

impl PartialEq for Step {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Step::Scaler(a), Step::Scaler(b)) => a == b,
            (Step::Pca(a), Step::Pca(b)) => a == b,
            (Step::Custom(a), Step::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A transformer of your own as a pipeline step: how to fit it, check it and set its
/// parameters by name. [`Step::custom`] adapts any learnkit-shaped estimator whose fitted model
/// is a [`Transform`].
pub trait TransformStep: Send + Sync + std::fmt::Debug {
    /// Fits on the (already transformed) training records.
    fn fit_step(&self, x: ArrayView2<'_, f64>) -> Result<Arc<dyn FittedTransform>>;
    /// Validates the settings without data.
    fn check_step(&self) -> Result<()>;
    /// A copy with parameter `name` set.
    fn set_step_param(&self, name: &str, value: &Value) -> Result<Arc<dyn TransformStep>>;
}

/// A fitted transformer of your own, as a pipeline holds it.
pub trait FittedTransform: Send + Sync + std::fmt::Debug {
    /// Transforms records.
    fn transform_step(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
}

/// Adapts an estimator (fitted on a matrix, fitting a [`Transform`]) into a [`TransformStep`].
#[derive(Debug, Clone)]
struct FromEstimator<P>(P);

#[derive(Debug)]
struct FittedFromEstimator<F>(F);

impl<F: Transform + Send + Sync + std::fmt::Debug> FittedTransform for FittedFromEstimator<F> {
    fn transform_step(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.0.transform_view(x)
    }
}

impl<P> TransformStep for FromEstimator<P>
where
    P: for<'a> Estimator<ArrayView2<'a, f64>>
        + Hyperparams
        + SetParam
        + Clone
        + Send
        + Sync
        + std::fmt::Debug
        + 'static,
    for<'a> <P as Estimator<ArrayView2<'a, f64>>>::Fitted:
        Transform + Send + Sync + std::fmt::Debug + 'static,
{
    fn fit_step(&self, x: ArrayView2<'_, f64>) -> Result<Arc<dyn FittedTransform>> {
        Ok(Arc::new(FittedFromEstimator(self.0.fit(&x)?)))
    }
    fn check_step(&self) -> Result<()> {
        self.0.check()
    }
    fn set_step_param(&self, name: &str, value: &Value) -> Result<Arc<dyn TransformStep>> {
        Ok(Arc::new(FromEstimator(
            self.0.clone().set_param(name, value)?,
        )))
    }
}

/// A fitted transformer step. The built-in ones save with the pipeline; a custom one cannot be
/// saved (saving such a pipeline is an error naming the step), only used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FittedStep {
    /// Fitted standardisation.
    Scaler(FittedStandardScaler),
    /// Fitted PCA.
    Pca(FittedPca),
    /// A fitted transformer of your own (not saved).
    #[serde(skip)]
    Custom(Arc<dyn FittedTransform>),
}

impl PartialEq for FittedStep {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (FittedStep::Scaler(a), FittedStep::Scaler(b)) => a == b,
            (FittedStep::Pca(a), FittedStep::Pca(b)) => a == b,
            (FittedStep::Custom(a), FittedStep::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Step {
    /// Any estimator whose fitted model is a [`Transform`] as a step (it must fit on a matrix
    /// view and set its parameters by name, as every learnkit transformer does).
    pub fn custom<P>(params: P) -> Self
    where
        P: for<'a> Estimator<ArrayView2<'a, f64>>
            + Hyperparams
            + SetParam
            + Clone
            + Send
            + Sync
            + std::fmt::Debug
            + 'static,
        for<'a> <P as Estimator<ArrayView2<'a, f64>>>::Fitted:
            Transform + Send + Sync + std::fmt::Debug + 'static,
    {
        Step::Custom(Arc::new(FromEstimator(params)))
    }
}

impl Step {
    fn fit_transform(&self, x: ArrayView2<'_, f64>) -> Result<(FittedStep, Array2<f64>)> {
        Ok(match self {
            Step::Scaler(s) => {
                let f = s.fit(&x)?;
                let z = f.transform_view(x)?;
                (FittedStep::Scaler(f), z)
            }
            Step::Pca(p) => {
                let f = p.fit(&x)?;
                let z = f.transform_view(x)?;
                (FittedStep::Pca(f), z)
            }
            Step::Custom(c) => {
                let f = c.fit_step(x)?;
                let z = f.transform_step(x)?;
                (FittedStep::Custom(f), z)
            }
        })
    }

    fn check(&self) -> Result<()> {
        match self {
            Step::Scaler(s) => s.check(),
            Step::Pca(p) => p.check(),
            Step::Custom(c) => c.check_step(),
        }
    }

    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match self {
            Step::Scaler(s) => Step::Scaler(s.set_param(name, value)?),
            Step::Pca(p) => Step::Pca(p.set_param(name, value)?),
            Step::Custom(c) => Step::Custom(c.set_step_param(name, value)?),
        })
    }
}

impl FittedStep {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match self {
            FittedStep::Scaler(s) => s.transform_view(x),
            FittedStep::Pca(p) => p.transform_view(x),
            FittedStep::Custom(c) => c.transform_step(x),
        }
    }
}

/// Transformers, then a model, fitted as one estimator.
///
/// ```
/// use learnkit::decomposition::{Components, Pca};
/// use learnkit::linear::LogisticRegression;
/// use learnkit::model_selection::{cross_validate, KFold, Pipeline, Scorer};
/// use learnkit::preprocessing::StandardScaler;
/// use learnkit::prelude::*;
///
/// let iris = learnkit::data::iris()?;
/// let pipeline = Pipeline::new(LogisticRegression::params())
///     .scaler(StandardScaler::params())
///     .pca(Pca::params().n_components(Components::Count(2)));
/// let model = pipeline.fit(&iris)?;
/// assert!(model.score_on(&iris)? > 0.9);
/// // Parameters by name: `step__param`, the model's as `model__param`.
/// use learnkit::model_selection::{SetParam, Value};
/// let tuned = pipeline.set_param("model__c", &Value::Float(10.0))?;
/// let shuffled = KFold::params().shuffle(true).seed(1);
/// let cv = cross_validate(&tuned, &iris, &shuffled, &[Scorer::Accuracy])?;
/// assert!(cv.mean(0) > 0.85);
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline<E> {
    steps: Vec<(String, Step)>,
    model: E,
}

impl<E> Pipeline<E> {
    /// A pipeline ending in `model` (named `model`), with no transformers yet.
    pub fn new(model: E) -> Self {
        Self {
            steps: Vec::new(),
            model,
        }
    }

    /// Appends a named transformer step.
    pub fn step(mut self, name: &str, step: Step) -> Self {
        self.steps.push((name.to_string(), step));
        self
    }

    /// Appends standardisation, named `scaler`.
    pub fn scaler(self, scaler: StandardScaler) -> Self {
        self.step("scaler", Step::Scaler(scaler))
    }

    /// Appends PCA, named `pca`.
    pub fn pca(self, pca: Pca) -> Self {
        self.step("pca", Step::Pca(pca))
    }

    /// The final model's parameters.
    pub fn model(&self) -> &E {
        &self.model
    }
}

impl<E: Hyperparams> Hyperparams for Pipeline<E> {
    fn check(&self) -> Result<()> {
        for (i, (name, step)) in self.steps.iter().enumerate() {
            if name == "model" || self.steps[..i].iter().any(|(n, _)| n == name) {
                return Err(Error::invalid(
                    "step",
                    name,
                    "step names must be unique and not `model`",
                ));
            }
            step.check()?;
        }
        self.model.check()
    }
}

impl<E: SetParam> SetParam for Pipeline<E> {
    fn param_names(&self) -> Vec<&'static str> {
        self.model.param_names()
    }

    /// The model's parameters.
    fn shown(&self) -> Vec<(&'static str, String)> {
        self.model.shown()
    }

    /// `step__param` sets a step's parameter (`scaler__with_mean`, `pca__n_components`,
    /// `model__max_depth`); a name without `__` is the model's.
    fn set_param(mut self, name: &str, value: &Value) -> Result<Self> {
        let Some((step, param)) = name.split_once("__") else {
            self.model = self.model.set_param(name, value)?;
            return Ok(self);
        };
        if step == "model" {
            self.model = self.model.set_param(param, value)?;
            return Ok(self);
        }
        let names: Vec<String> = self.steps.iter().map(|(n, _)| n.clone()).collect();
        let Some(i) = names.iter().position(|n| n == step) else {
            let known: Vec<&str> = names.iter().map(String::as_str).chain(["model"]).collect();
            return Err(unknown_param("Pipeline", step, &known));
        };
        let (n, s) = self.steps.remove(i);
        self.steps.insert(i, (n, s.set_param(param, value)?));
        Ok(self)
    }
}

/// A fitted pipeline: the fitted steps, then the fitted model. Saves and loads as one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPipeline<M> {
    steps: Vec<(String, FittedStep)>,
    model: M,
    n_features: usize,
    /// The input columns' names, in training order (empty in files written before they were
    /// kept).
    #[serde(default)]
    feature_names: Vec<String>,
}

impl<M> FittedPipeline<M> {
    /// The fitted model at the end.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The fitted steps, by name.
    pub fn steps(&self) -> &[(String, FittedStep)] {
        &self.steps
    }

    /// The names of the columns it reads, in training order (the training data's; the model
    /// inside sees the steps' outputs).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Runs the records through every step.
    pub fn transform_records(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        crate::validate::check_predict_input(x, self.n_features)?;
        let mut z = x.to_owned();
        for (_, step) in &self.steps {
            z = step.transform(z.view())?;
        }
        Ok(z)
    }
}

/// Fitted steps by name, in order.
type FittedSteps = Vec<(String, FittedStep)>;

impl<E: Hyperparams> Pipeline<E> {
    /// Fits the steps in order on `x` (checked first): the fitted steps and what the last gives.
    fn fit_steps(&self, x: &Array2<f64>) -> Result<(FittedSteps, Array2<f64>)> {
        self.check()?;
        crate::validate::check_records(x.view(), "training records")?;
        let mut x = x.clone();
        let mut steps = Vec::with_capacity(self.steps.len());
        for (name, step) in &self.steps {
            let (fitted, z) = step.fit_transform(x.view())?;
            steps.push((name.clone(), fitted));
            x = z;
        }
        Ok((steps, x))
    }
}

impl<E, T> Estimator<Dataset<T>> for Pipeline<E>
where
    T: Clone,
    E: Estimator<Dataset<T>> + Hyperparams,
{
    type Fitted = FittedPipeline<E::Fitted>;

    fn fit(&self, data: &Dataset<T>) -> Result<Self::Fitted> {
        let (steps, x) = self.fit_steps(&data.records)?;
        let names = crate::dataset::default_feature_names(x.ncols());
        let mut transformed = Dataset::new(x, data.targets.clone())?.with_feature_names(names)?;
        transformed.class_names = data.class_names.clone();
        transformed.target_name = data.target_name.clone();
        Ok(FittedPipeline {
            steps,
            model: self.model.fit(&transformed)?,
            n_features: data.n_features(),
            feature_names: data.feature_names.clone(),
        })
    }
}

/// Unsupervised models (K-means after a scaler) fit on records alone.
impl<E> Estimator<Records> for Pipeline<E>
where
    E: Estimator<Records> + Hyperparams,
{
    type Fitted = FittedPipeline<E::Fitted>;

    fn fit(&self, data: &Records) -> Result<Self::Fitted> {
        let (steps, x) = self.fit_steps(&data.records)?;
        Ok(FittedPipeline {
            steps,
            model: self.model.fit(&Records::new(x))?,
            n_features: data.records.ncols(),
            feature_names: data.feature_names.clone(),
        })
    }
}

impl<M: Predict> Predict for FittedPipeline<M> {
    type Output = M::Output;
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<M::Output>> {
        self.model.predict_view(self.transform_records(x)?.view())
    }
}

impl<M: PredictProba> PredictProba for FittedPipeline<M> {
    fn classes(&self) -> &[String] {
        self.model.classes()
    }
    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.model
            .predict_proba_view(self.transform_records(x)?.view())
    }
}

impl<M: Predict<Output = usize>> Classifier for FittedPipeline<M> {}
impl<M: Predict<Output = f64>> Regressor for FittedPipeline<M> {}

impl<M: Scored<T>, T: Clone> Scored<T> for FittedPipeline<M> {
    /// Transforms the records once, then lets the model score them.
    fn scores(&self, data: &Dataset<T>, scorers: &[Scorer]) -> Result<Vec<f64>> {
        let mut transformed = data.clone();
        let x = self.transform_records(data.records.view())?;
        transformed.feature_names = crate::dataset::default_feature_names(x.ncols());
        transformed.records = x;
        self.model.scores(&transformed, scorers)
    }
}

impl<M: Persist> Persist for FittedPipeline<M> {
    const KIND: &'static str = "Pipeline";

    /// `Pipeline<` the model's kind `>`.
    fn file_kind() -> std::borrow::Cow<'static, str> {
        format!("Pipeline<{}>", M::file_kind()).into()
    }

    /// Its model's: a pipeline holds nothing newer.
    fn written_version(&self) -> u32 {
        self.model.written_version()
    }

    /// Its own kind; files written before the kind named the model (`Pipeline`) too.
    fn reads_kind(kind: &str, _version: u32) -> bool {
        kind == Self::file_kind() || kind == Self::KIND
    }

    fn validate_loaded(&self) -> Result<()> {
        if !self.feature_names.is_empty() && self.feature_names.len() != self.n_features {
            return Err(Error::invalid_model(format!(
                "pipeline: {} feature names for {} features",
                self.feature_names.len(),
                self.n_features
            )));
        }
        // Each step must take what the previous one gives.
        let mut width = self.n_features;
        for (name, step) in &self.steps {
            let (input, output) = match step {
                FittedStep::Scaler(s) => {
                    s.validate_loaded()?;
                    (s.mean.len(), s.mean.len())
                }
                FittedStep::Pca(p) => {
                    p.validate_loaded()?;
                    (p.mean().len(), p.n_components())
                }
                // Never loaded from a file (custom steps are not saved).
                FittedStep::Custom(_) => (width, width),
            };
            if input != width {
                return Err(Error::invalid_model(format!(
                    "pipeline step `{name}` takes {input} features, but receives {width}"
                )));
            }
            width = output;
        }
        self.model.validate_loaded()
    }
}
