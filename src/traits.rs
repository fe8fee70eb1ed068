//! The trait family every learnkit algorithm implements.
//!
//! * [`Estimator`] — a set of validated hyper-parameters; `fit(&data)` returns a fitted model.
//!   The data type is a parameter, so the same trait serves supervised data ([`Labeled`]:
//!   records plus targets) and unsupervised data ([`AsRecords`]: records only).
//! * Fitted-model traits for what comes next: [`Predict`], [`PredictProba`], [`Transform`],
//!   [`InverseTransform`], and the scikit-learn `score` through [`Classifier`] (accuracy) and
//!   [`Regressor`] (R²).
//!
//! Hyper-parameters and fitted models are different types, as in linfa: a parameter set can be
//! fitted many times, and a fitted model cannot be fitted again by mistake.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::dataset::{AsRecords, Dataset};
use crate::error::Result;
use crate::metrics;

/// A validated set of hyper-parameters that can be fitted to data of type `D`.
///
/// ```
/// use learnkit::prelude::*;
/// use ndarray::{array, Array2};
///
/// /// Predicts the mean of the training targets (a baseline regressor).
/// struct MeanRegressor;
/// struct FittedMean { mean: f64, n_features: usize }
///
/// impl<D: Labeled<f64>> Estimator<D> for MeanRegressor {
///     type Fitted = FittedMean;
///     fn fit(&self, data: &D) -> Result<FittedMean> {
///         let (x, y) = learnkit::validate::supervised(data)?;
///         Ok(FittedMean { mean: y.mean().unwrap_or(0.0), n_features: x.ncols() })
///     }
/// }
/// impl Predict for FittedMean {
///     type Output = f64;
///     fn n_features(&self) -> usize { self.n_features }
///     fn predict_view(&self, x: ndarray::ArrayView2<'_, f64>) -> Result<ndarray::Array1<f64>> {
///         learnkit::validate::check_predict_input(x, self.n_features)?;
///         Ok(ndarray::Array1::from_elem(x.nrows(), self.mean))
///     }
/// }
/// impl Regressor for FittedMean {}
///
/// let x: Array2<f64> = array![[1.0], [2.0], [3.0]];
/// let y = array![1.0, 2.0, 3.0];
/// let model = MeanRegressor.fit(&(x.clone(), y.clone()))?;
/// assert_eq!(model.predict(&x)?, array![2.0, 2.0, 2.0]);
/// assert_eq!(model.score(&x, y.view())?, 0.0); // R² of the mean predictor
/// assert!(model.predict(&array![[1.0, 2.0]]).is_err()); // wrong feature count
/// # Ok::<(), learnkit::Error>(())
/// ```
pub trait Estimator<D: ?Sized> {
    /// The fitted model.
    type Fitted;
    /// Fits the model to `data`; invalid data returns an error, never a panic.
    fn fit(&self, data: &D) -> Result<Self::Fitted>;
}

/// Supervised data: records with one target per row. Implemented by [`Dataset`], by linfa's
/// `Dataset`, and by a `(records, targets)` tuple of ndarray arrays.
pub trait Labeled<T>: AsRecords {
    /// One target per record.
    fn targets(&self) -> ArrayView1<'_, T>;
    /// Class names (classification only), when the container has them.
    fn class_names(&self) -> Option<&[String]> {
        None
    }
}

impl<T> Labeled<T> for Dataset<T> {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.targets.view()
    }
    fn class_names(&self) -> Option<&[String]> {
        if self.class_names.is_empty() {
            None
        } else {
            Some(&self.class_names)
        }
    }
}

impl<T> AsRecords for (Array2<f64>, Array1<T>) {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.0.view()
    }
}

impl<T> Labeled<T> for (Array2<f64>, Array1<T>) {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.1.view()
    }
}

impl<T> Labeled<T> for linfa::DatasetBase<Array2<f64>, Array1<T>> {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.targets.view()
    }
}

/// A fitted model that predicts one value per record.
pub trait Predict {
    /// What is predicted: a class index (`usize`) or a real value (`f64`).
    type Output;

    /// The number of features the model was fitted on.
    fn n_features(&self) -> usize;

    /// Predicts from a matrix view. Fails on a wrong feature count or non-finite input.
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<Self::Output>>;

    /// Predicts for any record container (matrix, [`Dataset`], [`crate::Records`], linfa data).
    fn predict<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array1<Self::Output>> {
        self.predict_view(x.as_records())
    }
}

/// A classifier that also gives class probabilities.
pub trait PredictProba: Predict<Output = usize> {
    /// Class names, indexed by class index (the columns of [`PredictProba::predict_proba_view`]).
    fn classes(&self) -> &[String];

    /// One row per record, one column per class; each row sums to 1.
    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// [`PredictProba::predict_proba_view`] for any record container.
    fn predict_proba<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array2<f64>> {
        self.predict_proba_view(x.as_records())
    }
}

/// A classifier; `score` is the accuracy, as in scikit-learn.
pub trait Classifier: Predict<Output = usize> {
    /// Fraction of records whose predicted class equals `y`.
    fn score<R: AsRecords + ?Sized>(&self, x: &R, y: ArrayView1<'_, usize>) -> Result<f64> {
        let predicted = self.predict(x)?;
        metrics::accuracy(y, predicted.view())
    }
}

/// A regressor; `score` is the coefficient of determination R², as in scikit-learn.
pub trait Regressor: Predict<Output = f64> {
    /// R² of the predictions against `y` (1 is perfect, 0 is the mean predictor).
    fn score<R: AsRecords + ?Sized>(&self, x: &R, y: ArrayView1<'_, f64>) -> Result<f64> {
        let predicted = self.predict(x)?;
        metrics::r2(y, predicted.view())
    }
}

/// A fitted model that maps records into another space (PCA, standardisation).
pub trait Transform {
    /// Transforms a matrix view.
    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// [`Transform::transform_view`] for any record container.
    fn transform<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array2<f64>> {
        self.transform_view(x.as_records())
    }
}

/// A transform that can be undone (exactly, or as the best reconstruction).
pub trait InverseTransform: Transform {
    /// Maps transformed records back to the original space.
    fn inverse_transform(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
}
