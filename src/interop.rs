//! linfa interop: learnkit models driven by linfa code.
//!
//! Every learnkit parameter type implements linfa's [`Fit`] on `f64` records (owned arrays or
//! views, with `f64` targets for regressors and `usize` class indices for classifiers), and
//! every fitted supervised model (and K-means) implements [`PredictInplace`]. So linfa's own
//! routines — `cross_validate_single`, `fold`, its `Predict` blanket implementations and its
//! metrics — run on learnkit models unchanged:
//!
//! ```
//! use learnkit::linear::LinearRegression;
//! use linfa::prelude::*;
//!
//! let data = learnkit::data::MakeRegression::params().n_samples(200).noise(1.0).seed(3);
//! let data = data.generate()?;
//! let mut data: linfa::Dataset<f64, f64, ndarray::Ix1> = data.into();
//! // linfa's k-fold cross-validation, fitting learnkit's least squares on each fold.
//! let params = [LinearRegression::params(), LinearRegression::params().alpha(10.0)];
//! let r2 = data.cross_validate_single(5, &params, |predicted, truth| predicted.r2(truth))?;
//! assert!(r2[0] > 0.99 && r2[0] >= r2[1]);
//! # Ok::<(), learnkit::Error>(())
//! ```
//!
//! linfa's `Fit::fit` and learnkit's [`crate::Estimator::fit`] share a name: with both traits in
//! scope, call one as `Fit::fit(&params, &dataset)`.
//!
//! linfa's [`PredictInplace`] has no error channel. Records that learnkit's
//! [`crate::Predict::predict`] rejects (a wrong number of features, NaN or infinite values)
//! leave the targets as they were (linfa's `default_target`: zeros) for class indices, and fill
//! them with NaN for real-valued predictions, so the failure shows in any metric. Call
//! learnkit's `predict` when you need the error itself.

use linfa::traits::{Fit, PredictInplace};
use linfa::DatasetBase;
use ndarray::{Array1, ArrayBase, Data, Ix1, Ix2};

use crate::cluster::{FittedKMeans, KMeans};
use crate::decomposition::{FittedPca, Pca};
use crate::error::{Error, Result};
use crate::linear::{
    FittedLinearRegression, FittedLogisticRegression, LinearRegression, LogisticRegression,
};
use crate::preprocessing::{FittedStandardScaler, StandardScaler};
use crate::traits::{Estimator, Predict};
use crate::tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, FittedDecisionTree, FittedForest,
    FittedGradientBoosting, GradientBoostingClassifier, GradientBoostingRegressor,
    RandomForestClassifier, RandomForestRegressor,
};

/// linfa's `Fit` and `PredictInplace` for a supervised parameter type and its fitted model.
macro_rules! supervised {
    ($params:ty => $fitted:ty, $target:ty, $on_error:expr) => {
        impl<R, T> Fit<ArrayBase<R, Ix2>, ArrayBase<T, Ix1>, Error> for $params
        where
            R: Data<Elem = f64>,
            T: Data<Elem = $target>,
        {
            type Object = $fitted;

            fn fit(
                &self,
                dataset: &DatasetBase<ArrayBase<R, Ix2>, ArrayBase<T, Ix1>>,
            ) -> Result<$fitted> {
                Estimator::fit(self, dataset)
            }
        }

        impl<R: Data<Elem = f64>> PredictInplace<ArrayBase<R, Ix2>, Array1<$target>> for $fitted {
            fn predict_inplace<'a>(&'a self, x: &'a ArrayBase<R, Ix2>, y: &mut Array1<$target>) {
                fill(self.predict_view(x.view()), y, x.nrows(), $on_error)
            }

            fn default_target(&self, x: &ArrayBase<R, Ix2>) -> Array1<$target> {
                Array1::default(x.nrows())
            }
        }
    };
}

/// Writes predictions into linfa's targets, or what `on_error` makes of a failure.
fn fill<T>(
    predicted: Result<Array1<T>>,
    y: &mut Array1<T>,
    n: usize,
    on_error: fn(&mut Array1<T>, usize),
) {
    match predicted {
        Ok(predicted) => *y = predicted,
        Err(_) => on_error(y, n),
    }
}

/// Real-valued predictions that failed become NaN.
fn nan_targets(y: &mut Array1<f64>, n: usize) {
    *y = Array1::from_elem(n, f64::NAN);
}

/// Class predictions that failed leave the targets as they were.
fn keep_targets(_: &mut Array1<usize>, _: usize) {}

supervised!(LinearRegression => FittedLinearRegression, f64, nan_targets);
supervised!(LogisticRegression => FittedLogisticRegression, usize, keep_targets);
supervised!(DecisionTreeClassifier => FittedDecisionTree<usize>, usize, keep_targets);
supervised!(DecisionTreeRegressor => FittedDecisionTree<f64>, f64, nan_targets);
supervised!(RandomForestClassifier => FittedForest<usize>, usize, keep_targets);
supervised!(RandomForestRegressor => FittedForest<f64>, f64, nan_targets);
supervised!(GradientBoostingClassifier => FittedGradientBoosting<usize>, usize, keep_targets);
supervised!(GradientBoostingRegressor => FittedGradientBoosting<f64>, f64, nan_targets);

/// linfa's `Fit` for an unsupervised parameter type: the targets, whatever they are, are
/// ignored.
macro_rules! unsupervised {
    ($params:ty => $fitted:ty) => {
        impl<R: Data<Elem = f64>, T> Fit<ArrayBase<R, Ix2>, T, Error> for $params {
            type Object = $fitted;

            fn fit(&self, dataset: &DatasetBase<ArrayBase<R, Ix2>, T>) -> Result<$fitted> {
                Estimator::fit(self, &dataset.records.view())
            }
        }
    };
}

unsupervised!(KMeans => FittedKMeans);
unsupervised!(Pca => FittedPca);
unsupervised!(StandardScaler => FittedStandardScaler);

/// A boxed learnkit model is a linfa model too: `Box<dyn Predict<Output = usize>>` goes where
/// linfa expects a classifier, `Box<dyn Predict<Output = f64>>` where it expects a regressor.
macro_rules! boxed {
    ($target:ty, $on_error:expr) => {
        impl<R: Data<Elem = f64>> PredictInplace<ArrayBase<R, Ix2>, Array1<$target>>
            for Box<dyn Predict<Output = $target>>
        {
            fn predict_inplace<'a>(&'a self, x: &'a ArrayBase<R, Ix2>, y: &mut Array1<$target>) {
                fill(self.predict_view(x.view()), y, x.nrows(), $on_error)
            }

            fn default_target(&self, x: &ArrayBase<R, Ix2>) -> Array1<$target> {
                Array1::default(x.nrows())
            }
        }
    };
}

boxed!(usize, keep_targets);
boxed!(f64, nan_targets);

impl<R: Data<Elem = f64>> PredictInplace<ArrayBase<R, Ix2>, Array1<usize>> for FittedKMeans {
    fn predict_inplace<'a>(&'a self, x: &'a ArrayBase<R, Ix2>, y: &mut Array1<usize>) {
        if let Ok(labels) = self.predict_view(x.view()) {
            *y = labels;
        }
    }

    fn default_target(&self, x: &ArrayBase<R, Ix2>) -> Array1<usize> {
        Array1::default(x.nrows())
    }
}
