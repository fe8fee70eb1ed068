//! The extension module behind the `learnkit` Python package (`learnkit._learnkit`).
//!
//! The binding is thin, as in polars or tokenizers: the Python classes (`learnkit/*.py`) carry
//! scikit-learn's conventions (`__init__` parameters, `get_params`, validation, learned
//! attributes with a trailing underscore) and call `fit` with learnkit's own parameter names
//! and NumPy arrays; this module sets the parameters by name ([`SetParam`]), fits without the
//! GIL on a thread pool of the asked size, and hands back a [`Model`] that predicts, transforms,
//! exposes what it learned and round-trips through the crate's versioned model format (what
//! pickling uses). Every learnkit error becomes a `ValueError` carrying the same message; no
//! Rust panic crosses into Python (PyO3 turns one into `PanicException`, and the crate returns
//! errors rather than panicking on any input).

use std::path::Path;

use learnkit::cluster::{Elbow, FittedKMeans, KMeans};
use learnkit::decomposition::{FittedPca, Pca};
use learnkit::linear::{
    FittedLinearRegression, FittedLogisticRegression, LinearRegression, LogisticRegression,
};
use learnkit::model_selection::{SetParam, Value};
use learnkit::persist::{self, Persist};
use learnkit::preprocessing::{FittedStandardScaler, StandardScaler};
use learnkit::tree::{
    DecisionTree, FittedDecisionTree, FittedForest, FittedGradientBoosting, GradientBoosting,
    RandomForest,
};
use learnkit::{AsRecords, Estimator, InverseTransform, Labeled, Predict, PredictProba, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};

mod arrow;
#[cfg(feature = "dqn")]
mod dqn;
mod envs;
mod rl;

/// A learnkit error as the `ValueError` Python code expects, with learnkit's message.
pub(crate) fn value_error(e: learnkit::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Records and targets borrowed from NumPy, with the names the Python side gives.
struct Borrowed<'a, T> {
    x: ArrayView2<'a, f64>,
    y: ArrayView1<'a, T>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
}

impl<T> AsRecords for Borrowed<'_, T> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.x.view()
    }
    fn feature_names(&self) -> Vec<String> {
        self.feature_names.clone()
    }
}

impl<T> Labeled<T> for Borrowed<'_, T> {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.y.view()
    }
    fn class_names(&self) -> Option<&[String]> {
        (!self.class_names.is_empty()).then_some(self.class_names.as_slice())
    }
}

/// Unlabelled records borrowed from NumPy, with their feature names.
struct Unlabelled<'a> {
    x: ArrayView2<'a, f64>,
    feature_names: Vec<String>,
}

impl AsRecords for Unlabelled<'_> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.x.view()
    }
    fn feature_names(&self) -> Vec<String> {
        self.feature_names.clone()
    }
}

/// Every fitted model the package exposes.
enum Fitted {
    Linear(FittedLinearRegression),
    Logistic(FittedLogisticRegression),
    TreeClassifier(FittedDecisionTree<usize>),
    TreeRegressor(FittedDecisionTree<f64>),
    ForestClassifier(FittedForest<usize>),
    ForestRegressor(FittedForest<f64>),
    BoostingClassifier(FittedGradientBoosting<usize>),
    BoostingRegressor(FittedGradientBoosting<f64>),
    KMeans(FittedKMeans),
    Pca(FittedPca),
    Scaler(FittedStandardScaler),
}

/// Runs `$body` with `$m` bound to the model inside whatever variant `$model` is.
macro_rules! each {
    ($model:expr, $m:ident => $body:expr) => {
        match $model {
            Fitted::Linear($m) => $body,
            Fitted::Logistic($m) => $body,
            Fitted::TreeClassifier($m) => $body,
            Fitted::TreeRegressor($m) => $body,
            Fitted::ForestClassifier($m) => $body,
            Fitted::ForestRegressor($m) => $body,
            Fitted::BoostingClassifier($m) => $body,
            Fitted::BoostingRegressor($m) => $body,
            Fitted::KMeans($m) => $body,
            Fitted::Pca($m) => $body,
            Fitted::Scaler($m) => $body,
        }
    };
}

/// Runs `$body` with `$m` bound to the classifier inside `$model`, or else `$other`.
macro_rules! classifier {
    ($model:expr, $m:ident => $body:expr, else $other:expr) => {
        match $model {
            Fitted::Logistic($m) => $body,
            Fitted::TreeClassifier($m) => $body,
            Fitted::ForestClassifier($m) => $body,
            Fitted::BoostingClassifier($m) => $body,
            _ => $other,
        }
    };
}

/// Runs `$body` with `$m` bound to the regressor inside `$model`, or else `$other`.
macro_rules! regressor {
    ($model:expr, $m:ident => $body:expr, else $other:expr) => {
        match $model {
            Fitted::Linear($m) => $body,
            Fitted::TreeRegressor($m) => $body,
            Fitted::ForestRegressor($m) => $body,
            Fitted::BoostingRegressor($m) => $body,
            _ => $other,
        }
    };
}

/// A hyper-parameter value from Python: `None`, a bool, an int, a float or a string (a list of
/// ints for categorical feature indices).
fn value_of(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    if v.is_none() {
        Ok(Value::None)
    } else if v.is_instance_of::<PyBool>() {
        Ok(Value::Bool(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(Value::Int(v.extract().map_err(|_| {
            PyValueError::new_err(format!("{name} = {v}: too large"))
        })?))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(Value::Float(v.extract()?))
    } else if v.is_instance_of::<PyString>() {
        Ok(Value::Str(v.extract()?))
    } else if let Ok(list) = v.extract::<Vec<i64>>() {
        let parts: Vec<String> = list.iter().map(i64::to_string).collect();
        Ok(Value::Str(parts.join(",")))
    } else {
        Err(PyValueError::new_err(format!(
            "{name} = {v}: must be None, a bool, a number, a word or a list of indices"
        )))
    }
}

/// Sets each `(name, value)` on `params` (learnkit's names).
pub(crate) fn with_params<P: SetParam>(
    mut params: P,
    settings: &[(String, Bound<'_, PyAny>)],
) -> PyResult<P> {
    for (name, v) in settings {
        params = params
            .set_param(name, &value_of(name, v)?)
            .map_err(value_error)?;
    }
    Ok(params)
}

/// A thread pool of `n_jobs` threads (joblib's meaning: `None` or -1 every core, -2 all but one).
fn pool(n_jobs: Option<i64>) -> PyResult<rayon::ThreadPool> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
    let n =
        match n_jobs {
            None | Some(-1) => cores,
            Some(0) => return Err(PyValueError::new_err(
                "n_jobs = 0: must be a positive count, or negative to count back from the cores",
            )),
            Some(n) if n > 0 => n.min(4096),
            Some(n) => (cores + 1 + n).max(1),
        };
    rayon::ThreadPoolBuilder::new()
        .num_threads(n as usize)
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("could not start {n} threads: {e}")))
}

/// The kinds [`fit`] knows, as the Python classes name them.
const KINDS: &str = "linear, logistic, tree_classifier, tree_regressor, forest_classifier, \
                     forest_regressor, boosting_classifier, boosting_regressor, kmeans, pca, \
                     scaler";

/// Fits a model of `kind` (see [`KINDS`]) with learnkit's parameter names and values.
///
/// `x` is C-contiguous float64 (the Python side converts); `y` holds class indices into
/// `classes` (int64) for classifiers, float64 values for regressors, and is absent for the
/// unsupervised kinds. The fit runs without the GIL on `n_jobs` threads.
#[pyfunction]
#[pyo3(signature = (kind, params, x, y=None, classes=None, feature_names=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn fit(
    py: Python<'_>,
    kind: &str,
    params: Vec<(String, Bound<'_, PyAny>)>,
    x: PyReadonlyArray2<'_, f64>,
    y: Option<&Bound<'_, PyAny>>,
    classes: Option<Vec<String>>,
    feature_names: Option<Vec<String>>,
    n_jobs: Option<i64>,
) -> PyResult<Model> {
    let pool = pool(n_jobs)?;
    let xv = x.as_array();
    let feature_names = feature_names.unwrap_or_else(|| default_names(xv.ncols()));
    if feature_names.len() != xv.ncols() {
        return Err(PyValueError::new_err(format!(
            "{} feature names for {} columns",
            feature_names.len(),
            xv.ncols()
        )));
    }
    let class_names = classes.unwrap_or_default();
    let labels = |y: Option<&Bound<'_, PyAny>>| -> PyResult<Array1<usize>> {
        let y = y.ok_or_else(|| PyValueError::new_err(format!("{kind} needs targets y")))?;
        let y: PyReadonlyArray1<'_, i64> = y.extract()?;
        y.as_array()
            .iter()
            .map(|&c| {
                usize::try_from(c)
                    .ok()
                    .filter(|&c| c < class_names.len())
                    .ok_or_else(|| {
                        PyValueError::new_err(format!(
                            "class index {c} outside the {} classes",
                            class_names.len()
                        ))
                    })
            })
            .collect()
    };
    let values = |y: Option<&Bound<'_, PyAny>>| -> PyResult<Array1<f64>> {
        let y = y.ok_or_else(|| PyValueError::new_err(format!("{kind} needs targets y")))?;
        let y: PyReadonlyArray1<'_, f64> = y.extract()?;
        Ok(y.as_array().to_owned())
    };

    // Fits `$params` on the labelled records without the GIL, wrapping the result in `$wrap`.
    macro_rules! supervised {
        ($params:expr, $y:expr, $wrap:path) => {{
            let params = with_params($params, &params)?;
            let y = $y;
            let data = Borrowed {
                x: xv,
                y: y.view(),
                feature_names: feature_names.clone(),
                class_names: class_names.clone(),
            };
            py.detach(|| pool.install(|| params.fit(&data)))
                .map($wrap)
                .map_err(value_error)?
        }};
    }
    macro_rules! unsupervised {
        ($params:expr, $wrap:path) => {{
            let params = with_params($params, &params)?;
            let data = Unlabelled {
                x: xv,
                feature_names: feature_names.clone(),
            };
            py.detach(|| pool.install(|| params.fit(&data)))
                .map($wrap)
                .map_err(value_error)?
        }};
    }
    let fitted = match kind {
        "linear" => supervised!(LinearRegression::params(), values(y)?, Fitted::Linear),
        "logistic" => supervised!(LogisticRegression::params(), labels(y)?, Fitted::Logistic),
        "tree_classifier" => supervised!(
            DecisionTree::<usize>::params(),
            labels(y)?,
            Fitted::TreeClassifier
        ),
        "tree_regressor" => {
            supervised!(
                DecisionTree::<f64>::params(),
                values(y)?,
                Fitted::TreeRegressor
            )
        }
        "forest_classifier" => supervised!(
            RandomForest::classifier(),
            labels(y)?,
            Fitted::ForestClassifier
        ),
        "forest_regressor" => supervised!(
            RandomForest::regressor(),
            values(y)?,
            Fitted::ForestRegressor
        ),
        "boosting_classifier" => supervised!(
            GradientBoosting::classifier(),
            labels(y)?,
            Fitted::BoostingClassifier
        ),
        "boosting_regressor" => supervised!(
            GradientBoosting::regressor(),
            values(y)?,
            Fitted::BoostingRegressor
        ),
        "kmeans" => unsupervised!(KMeans::params(), Fitted::KMeans),
        "pca" => unsupervised!(Pca::params(), Fitted::Pca),
        "scaler" => unsupervised!(StandardScaler::params(), Fitted::Scaler),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown kind {other:?}: expected one of {KINDS}"
            )))
        }
    };
    Ok(Model { fitted })
}

fn default_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("x{i}")).collect()
}

/// The elbow method: K-means for k = 1..=k_max, the knee of the log-inertia curve confirmed
/// by the silhouette. Returns a dict: `ks`, `inertia`, `silhouette`, `knee`, `chosen_k` (or
/// `None`: no clear elbow), `best_silhouette_k`, `reason`, and `model`, the K-means model of
/// the chosen k (the silhouette's best without an elbow).
#[pyfunction]
#[pyo3(signature = (params, x, n_jobs=None))]
fn elbow<'py>(
    py: Python<'py>,
    params: Vec<(String, Bound<'py, PyAny>)>,
    x: PyReadonlyArray2<'py, f64>,
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let pool = pool(n_jobs)?;
    let params = with_params(Elbow::params(), &params)?;
    let xv = x.as_array();
    let result = py
        .detach(|| pool.install(|| params.select(&xv)))
        .map_err(value_error)?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("ks", result.ks.clone())?;
    d.set_item("inertia", result.inertia.clone())?;
    d.set_item("silhouette", result.silhouette.clone())?;
    d.set_item("knee", result.knee)?;
    d.set_item("chosen_k", result.chosen_k)?;
    d.set_item("best_silhouette_k", result.best_silhouette_k)?;
    d.set_item("reason", result.reason.clone())?;
    d.set_item(
        "model",
        Model {
            fitted: Fitted::KMeans(result.model().clone()),
        },
    )?;
    Ok(d)
}

/// A fitted learnkit model.
#[pyclass(module = "learnkit._learnkit", frozen)]
pub struct Model {
    fitted: Fitted,
}

fn unsupported(model: &Model, what: &str) -> PyErr {
    PyValueError::new_err(format!("a {} model has no {what}", model.kind()))
}

impl Model {
    fn kind(&self) -> String {
        fn kind_of<T: Persist>(_: &T) -> String {
            T::file_kind().into_owned()
        }
        each!(&self.fitted, m => kind_of(m))
    }
}

fn to_py2<'py>(py: Python<'py>, a: Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    a.into_pyarray(py)
}

fn to_py1<'py, T: numpy::Element>(py: Python<'py>, a: Array1<T>) -> Bound<'py, PyArray1<T>> {
    a.into_pyarray(py)
}

#[pymethods]
impl Model {
    /// The kind the model file names (`RandomForestClassifier`, `KMeans`, ...).
    #[getter(kind)]
    fn py_kind(&self) -> String {
        self.kind()
    }

    /// The number of features it was fitted on.
    #[getter]
    fn n_features(&self) -> usize {
        match &self.fitted {
            Fitted::Scaler(m) => m.mean.len(),
            Fitted::KMeans(m) => m.centres().ncols(),
            Fitted::Pca(m) => m.mean().len(),
            Fitted::Linear(m) => m.n_features(),
            Fitted::Logistic(m) => m.n_features(),
            Fitted::TreeClassifier(m) => m.n_features(),
            Fitted::TreeRegressor(m) => m.n_features(),
            Fitted::ForestClassifier(m) => m.n_features(),
            Fitted::ForestRegressor(m) => m.n_features(),
            Fitted::BoostingClassifier(m) => m.n_features(),
            Fitted::BoostingRegressor(m) => m.n_features(),
        }
    }

    /// Class indices (classifiers), values (regressors) or clusters (K-means) of `x`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let x = x.as_array();
        if let Fitted::KMeans(m) = &self.fitted {
            let out = py.detach(|| m.predict_view(x)).map_err(value_error)?;
            return Ok(to_py1(py, out).into_any());
        }
        classifier!(&self.fitted, m => {
            let out = py.detach(|| m.predict_view(x)).map_err(value_error)?;
            return Ok(to_py1(py, out).into_any());
        }, else ());
        regressor!(&self.fitted, m => {
            let out = py.detach(|| m.predict_view(x)).map_err(value_error)?;
            Ok(to_py1(py, out).into_any())
        }, else Err(unsupported(self, "predict")))
    }

    /// Class probabilities of `x`, one column per class.
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = x.as_array();
        classifier!(&self.fitted, m => {
            let out = py.detach(|| m.predict_proba_view(x)).map_err(value_error)?;
            Ok(to_py2(py, out))
        }, else Err(unsupported(self, "predict_proba")))
    }

    /// `x` mapped by a transform (PCA, the scaler) or to distances from each centre (K-means).
    fn transform<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = x.as_array();
        let out = match &self.fitted {
            Fitted::Pca(m) => py.detach(|| m.transform_view(x)),
            Fitted::Scaler(m) => py.detach(|| m.transform_view(x)),
            _ => return Err(unsupported(self, "transform")),
        };
        Ok(to_py2(py, out.map_err(value_error)?))
    }

    /// Transformed records mapped back (PCA's reconstruction, the scaler's inverse).
    fn inverse_transform<'py>(
        &self,
        py: Python<'py>,
        z: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let z = z.as_array();
        let out = match &self.fitted {
            Fitted::Pca(m) => py.detach(|| m.inverse_transform_view(z)),
            Fitted::Scaler(m) => py.detach(|| m.inverse_transform_view(z)),
            _ => return Err(unsupported(self, "inverse_transform")),
        };
        Ok(to_py2(py, out.map_err(value_error)?))
    }

    /// Raw scores: one column per class row of a logistic model or boosting's margins.
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = x.as_array();
        let out = match &self.fitted {
            Fitted::Logistic(m) => py.detach(|| m.decision_function(&x)),
            Fitted::BoostingClassifier(m) => py.detach(|| m.decision_function(x)),
            _ => return Err(unsupported(self, "decision_function")),
        };
        Ok(to_py2(py, out.map_err(value_error)?))
    }

    /// The class names it was fitted with (classifiers), else `None`.
    #[getter]
    fn classes(&self) -> Option<Vec<String>> {
        classifier!(&self.fitted, m => Some(m.classes().to_vec()), else None)
    }

    /// The feature names it was fitted with.
    #[getter]
    fn feature_names(&self) -> Vec<String> {
        match &self.fitted {
            Fitted::Scaler(m) => default_names(m.mean.len()),
            Fitted::Linear(m) => m.feature_names().to_vec(),
            Fitted::Logistic(m) => m.feature_names().to_vec(),
            Fitted::TreeClassifier(m) => m.feature_names().to_vec(),
            Fitted::TreeRegressor(m) => m.feature_names().to_vec(),
            Fitted::ForestClassifier(m) => m.feature_names().to_vec(),
            Fitted::ForestRegressor(m) => m.feature_names().to_vec(),
            Fitted::BoostingClassifier(m) => m.feature_names().to_vec(),
            Fitted::BoostingRegressor(m) => m.feature_names().to_vec(),
            Fitted::KMeans(m) => m.feature_names().to_vec(),
            Fitted::Pca(m) => m.feature_names().to_vec(),
        }
    }

    /// Impurity-based importances (trees, forests, boosting), summing to 1.
    #[getter]
    fn feature_importances<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let out = match &self.fitted {
            Fitted::TreeClassifier(m) => m.feature_importances(),
            Fitted::TreeRegressor(m) => m.feature_importances(),
            Fitted::ForestClassifier(m) => m.feature_importances(),
            Fitted::ForestRegressor(m) => m.feature_importances(),
            Fitted::BoostingClassifier(m) => m.feature_importances(),
            Fitted::BoostingRegressor(m) => m.feature_importances(),
            _ => return Err(unsupported(self, "feature importances")),
        };
        Ok(to_py1(py, out))
    }

    /// Named arrays and numbers the model learned (`coef`, `intercept`, `cluster_centers`,
    /// `components`, `mean`, `scale`, `n_iter`, `inertia`, `oob_score`, ...), as a dict.
    fn learned<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        use pyo3::types::PyDict;
        fn forest(d: &Bound<'_, PyDict>, oob: Option<f64>, trees: usize) -> PyResult<()> {
            d.set_item("oob_score", oob)?;
            d.set_item("n_estimators", trees)
        }
        fn boosting(d: &Bound<'_, PyDict>, n: usize, train: &[f64], valid: &[f64]) -> PyResult<()> {
            d.set_item("n_iter", n)?;
            d.set_item("train_loss", train)?;
            d.set_item("validation_loss", valid)
        }
        fn tree(d: &Bound<'_, PyDict>, depth: usize, leaves: usize) -> PyResult<()> {
            d.set_item("depth", depth)?;
            d.set_item("n_leaves", leaves)
        }
        let d = PyDict::new(py);
        match &self.fitted {
            Fitted::Linear(m) => {
                d.set_item("coef", to_py1(py, m.coefficients().clone()))?;
                d.set_item("intercept", m.intercept())?;
            }
            Fitted::Logistic(m) => {
                d.set_item("coef", to_py2(py, m.coefficients().clone()))?;
                d.set_item("intercept", to_py1(py, m.intercept().clone()))?;
                d.set_item("n_iter", m.n_iter())?;
                d.set_item("converged", m.converged())?;
            }
            Fitted::KMeans(m) => {
                d.set_item("cluster_centers", to_py2(py, m.centres().clone()))?;
                d.set_item("labels", to_py1(py, m.labels().clone()))?;
                d.set_item("inertia", m.inertia())?;
                d.set_item("n_iter", m.n_iter())?;
            }
            Fitted::Pca(m) => {
                d.set_item("components", to_py2(py, m.components().clone()))?;
                d.set_item(
                    "explained_variance",
                    to_py1(py, m.explained_variance().clone()),
                )?;
                d.set_item(
                    "explained_variance_ratio",
                    to_py1(py, m.explained_variance_ratio().clone()),
                )?;
                d.set_item("mean", to_py1(py, m.mean().clone()))?;
            }
            Fitted::Scaler(m) => {
                d.set_item("mean", to_py1(py, m.mean.clone()))?;
                d.set_item("scale", to_py1(py, m.scale.clone()))?;
            }
            Fitted::ForestClassifier(m) => forest(&d, m.oob_score(), m.trees().len())?,
            Fitted::ForestRegressor(m) => forest(&d, m.oob_score(), m.trees().len())?,
            Fitted::BoostingClassifier(m) => {
                boosting(&d, m.n_rounds(), m.train_loss(), m.validation_loss())?
            }
            Fitted::BoostingRegressor(m) => {
                boosting(&d, m.n_rounds(), m.train_loss(), m.validation_loss())?
            }
            Fitted::TreeClassifier(m) => tree(&d, m.depth(), m.n_leaves())?,
            Fitted::TreeRegressor(m) => tree(&d, m.depth(), m.n_leaves())?,
        }
        Ok(d)
    }

    /// The model in learnkit's versioned, checksummed model format (what `learnkit predict`
    /// and `Persist::load` read), with `hyperparameters` recorded beside it.
    #[pyo3(signature = (hyperparameters=Vec::new()))]
    fn to_bytes<'py>(
        &self,
        py: Python<'py>,
        hyperparameters: Vec<(String, String)>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes =
            each!(&self.fitted, m => m.to_bytes_with(&hyperparameters)).map_err(value_error)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a model from learnkit's model format; a truncated, altered or foreign file is a
    /// `ValueError` that says what is wrong.
    #[staticmethod]
    fn from_bytes(bytes: &[u8]) -> PyResult<Model> {
        decode(bytes).map_err(value_error)
    }

    /// Writes the model to `path` atomically in learnkit's model format.
    #[pyo3(signature = (path, hyperparameters=Vec::new()))]
    fn save(
        &self,
        path: std::path::PathBuf,
        hyperparameters: Vec<(String, String)>,
    ) -> PyResult<()> {
        each!(&self.fitted, m => m.save_with(&path, &hyperparameters)).map_err(value_error)
    }

    /// Reads a model file written by `save`, `learnkit train --save` or `Persist::save`.
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Model> {
        let bytes =
            persist::read_regular_file(&path, persist::MAX_MODEL_BYTES).map_err(value_error)?;
        decode_from(&bytes, &path).map_err(value_error)
    }

    /// Pickling goes through the model format: `(Model.from_bytes, (bytes,))`.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let from_bytes = py.get_type::<Model>().getattr("from_bytes")?;
        Ok((from_bytes, (self.to_bytes(py, Vec::new())?,)))
    }

    fn __repr__(&self) -> String {
        format!("<learnkit {} model>", self.kind())
    }
}

fn decode(bytes: &[u8]) -> learnkit::Result<Model> {
    decode_from(bytes, Path::new("<bytes>"))
}

/// Decodes `bytes` by the kind their header names.
fn decode_from(bytes: &[u8], origin: &Path) -> learnkit::Result<Model> {
    fn as_<T: Persist>(
        bytes: &[u8],
        origin: &Path,
        wrap: fn(T) -> Fitted,
    ) -> learnkit::Result<Fitted> {
        T::from_bytes(bytes, origin).map(wrap)
    }
    let info = persist::file_info(bytes, origin)?;
    let fitted = match info.kind.as_str() {
        "LinearRegression" => as_(bytes, origin, Fitted::Linear),
        "LogisticRegression" => as_(bytes, origin, Fitted::Logistic),
        "DecisionTreeClassifier" => as_(bytes, origin, Fitted::TreeClassifier),
        "DecisionTreeRegressor" => as_(bytes, origin, Fitted::TreeRegressor),
        "RandomForestClassifier" => as_(bytes, origin, Fitted::ForestClassifier),
        "RandomForestRegressor" => as_(bytes, origin, Fitted::ForestRegressor),
        "GradientBoostingClassifier" => as_(bytes, origin, Fitted::BoostingClassifier),
        "GradientBoostingRegressor" => as_(bytes, origin, Fitted::BoostingRegressor),
        "KMeans" => as_(bytes, origin, Fitted::KMeans),
        "Pca" => as_(bytes, origin, Fitted::Pca),
        "StandardScaler" => as_(bytes, origin, Fitted::Scaler),
        other => Err(learnkit::Error::IncompatibleModel {
            expected: "an estimator the Python package wraps".into(),
            found: learnkit::data::shown(other),
        }),
    }?;
    Ok(Model { fitted })
}

/// The extension module.
#[pymodule]
fn _learnkit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(elbow, m)?)?;
    m.add_class::<Model>()?;
    arrow::register(m)?;
    envs::register(m)?;
    rl::register(m)?;
    #[cfg(feature = "dqn")]
    dqn::register(m)?;
    m.add("HAS_DQN", cfg!(feature = "dqn"))?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
