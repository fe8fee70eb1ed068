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

#[cfg(doc)]
use crate::dataset::Dataset;
use crate::dataset::{AsRecords, Labeled};
use crate::error::Result;
use crate::metrics;

/// Hyper-parameters that can check themselves before seeing data (linfa's `ParamGuard` idea).
///
/// Every learnkit parameter type and RL configuration implements it: built with `::params()`
/// (or `::classifier()` / `::regressor()`), chained setters, then `check()`, which names the
/// first invalid field and its value. `fit` calls it first, so an impossible setting fails the
/// same way with or without data; model selection calls it to reject a grid point up front.
///
/// ```
/// use learnkit::prelude::*;
/// use learnkit::tree::RandomForest;
///
/// assert!(RandomForest::classifier().n_estimators(50).check().is_ok());
/// let err = RandomForest::classifier().n_estimators(0).check().unwrap_err();
/// assert!(err.to_string().contains("n_estimators"));
/// ```
pub trait Hyperparams {
    /// Validates the settings that do not depend on the data; fails with
    /// [`crate::Error::InvalidParameter`] naming the field and its value.
    fn check(&self) -> Result<()>;
}

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
///         let (x, y) = learnkit::dataset::supervised(data)?;
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

/// A fitted model that predicts one value per record.
pub trait Predict {
    /// What is predicted: a class index (`usize`) or a real value (`f64`).
    type Output;

    /// The number of features the model was fitted on.
    fn n_features(&self) -> usize;

    /// Predicts from a matrix view. Fails on a wrong feature count or non-finite input.
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<Self::Output>>;

    /// Predicts for any record container (matrix, [`Dataset`], [`crate::Records`], linfa data).
    fn predict<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array1<Self::Output>>
    where
        Self: Sized,
    {
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
    fn predict_proba<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array2<f64>>
    where
        Self: Sized,
    {
        self.predict_proba_view(x.as_records())
    }
}

/// A classifier; `score` is the accuracy, as in scikit-learn.
pub trait Classifier: Predict<Output = usize> {
    /// Fraction of records whose predicted class equals `y` (scikit-learn's `score(X, y)`).
    fn score<R: AsRecords + ?Sized>(&self, x: &R, y: ArrayView1<'_, usize>) -> Result<f64>
    where
        Self: Sized,
    {
        let predicted = self.predict_view(x.as_records())?;
        metrics::accuracy(y, predicted.view())
    }

    /// Accuracy on labelled data: `model.score_on(&test)`.
    fn score_on<D: Labeled<usize> + ?Sized>(&self, data: &D) -> Result<f64>
    where
        Self: Sized,
    {
        self.score(data, data.targets())
    }
}

/// A regressor; `score` is the coefficient of determination R², as in scikit-learn.
pub trait Regressor: Predict<Output = f64> {
    /// R² of the predictions against `y` (1 is perfect, 0 is the mean predictor).
    fn score<R: AsRecords + ?Sized>(&self, x: &R, y: ArrayView1<'_, f64>) -> Result<f64>
    where
        Self: Sized,
    {
        let predicted = self.predict_view(x.as_records())?;
        metrics::r2(y, predicted.view())
    }

    /// R² on labelled data: `model.score_on(&test)`.
    fn score_on<D: Labeled<f64> + ?Sized>(&self, data: &D) -> Result<f64>
    where
        Self: Sized,
    {
        self.score(data, data.targets())
    }
}

/// A fitted model that maps records into another space (PCA, standardisation).
pub trait Transform {
    /// Transforms a matrix view.
    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// [`Transform::transform_view`] for any record container.
    fn transform<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array2<f64>>
    where
        Self: Sized,
    {
        self.transform_view(x.as_records())
    }
}

/// Fit and transform in one call, for every estimator whose fitted model is a [`Transform`].
///
/// ```
/// use learnkit::prelude::*;
/// use learnkit::preprocessing::StandardScaler;
/// use ndarray::array;
///
/// let x = array![[1.0, 10.0], [3.0, 30.0]];
/// let (scaler, z) = StandardScaler::params().fit_transform(&x)?;
/// assert_eq!(z, array![[-1.0, -1.0], [1.0, 1.0]]);
/// assert_eq!(scaler.inverse_transform(&z)?, x);
/// # Ok::<(), learnkit::Error>(())
/// ```
pub trait FitTransform<D: AsRecords + ?Sized>: Estimator<D>
where
    Self::Fitted: Transform,
{
    /// Fits on `data` and returns the fitted model with `data` transformed by it.
    fn fit_transform(&self, data: &D) -> Result<(Self::Fitted, Array2<f64>)> {
        let fitted = self.fit(data)?;
        let transformed = fitted.transform_view(data.as_records())?;
        Ok((fitted, transformed))
    }
}

impl<D: AsRecords + ?Sized, E: Estimator<D>> FitTransform<D> for E where E::Fitted: Transform {}

/// A transform that can be undone (exactly, or as the best reconstruction).
pub trait InverseTransform: Transform {
    /// Maps transformed records (a matrix view) back to the original space.
    fn inverse_transform_view(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// [`InverseTransform::inverse_transform_view`] for any record container.
    fn inverse_transform<R: AsRecords + ?Sized>(&self, z: &R) -> Result<Array2<f64>>
    where
        Self: Sized,
    {
        self.inverse_transform_view(z.as_records())
    }
}

// Boxed models are models: `Box<dyn Predict<Output = usize>>` predicts, scores and transforms.
impl<P: Predict + ?Sized> Predict for Box<P> {
    type Output = P::Output;
    fn n_features(&self) -> usize {
        (**self).n_features()
    }
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<Self::Output>> {
        (**self).predict_view(x)
    }
}

impl<P: PredictProba + ?Sized> PredictProba for Box<P> {
    fn classes(&self) -> &[String] {
        (**self).classes()
    }
    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        (**self).predict_proba_view(x)
    }
}

impl<P: Classifier + ?Sized> Classifier for Box<P> {}
impl<P: Regressor + ?Sized> Regressor for Box<P> {}

impl<P: Transform + ?Sized> Transform for Box<P> {
    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        (**self).transform_view(x)
    }
}
