//! Feature scaling, fitted on training data and applied to any later data.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::dataset::{AsRecords, Dataset};
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::traits::{Estimator, Hyperparams, InverseTransform, Transform};
use crate::validate;

hyperparams! {
    /// Standardisation: subtract each feature's mean and divide by its standard deviation
    /// (population, as scikit-learn's `StandardScaler`); constant features are only centred.
    /// `with_mean(false)` / `with_std(false)` skip either step, as in scikit-learn.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::preprocessing::StandardScaler;
    /// use ndarray::array;
    ///
    /// let train = array![[1.0, 10.0], [3.0, 10.0]];
    /// let scaler = StandardScaler::params().fit(&train)?;
    /// assert_eq!(scaler.transform(&train)?, array![[-1.0, 0.0], [1.0, 0.0]]);
    /// assert_eq!(scaler.transform(&array![[5.0, 12.0]])?, array![[3.0, 2.0]]);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct StandardScaler {
        /// Subtract the mean (default true).
        pub(crate) with_mean: bool = true;
        /// Divide by the standard deviation (default true).
        pub(crate) with_std: bool = true;
    }
}

/// Per-feature means and scales learnt by [`StandardScaler`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedStandardScaler {
    /// Feature means.
    pub mean: Array1<f64>,
    /// Feature standard deviations (1 for constant features).
    pub scale: Array1<f64>,
}

impl<D: AsRecords + ?Sized> Estimator<D> for StandardScaler {
    type Fitted = FittedStandardScaler;

    fn fit(&self, data: &D) -> Result<FittedStandardScaler> {
        self.check()?;
        let x = data.as_records();
        validate::check_records(x, "records")?;
        // Each column's statistics are computed on the column divided by its largest magnitude
        // and scaled back, so values near f64's limit (1e300) neither overflow the sums nor the
        // squares: mean = m·mean(x/m), std = m·std(x/m).
        let mut mean = Array1::zeros(x.ncols());
        let mut scale = Array1::ones(x.ncols());
        for (j, column) in x.columns().into_iter().enumerate() {
            let m = validate::max_abs(column);
            if m == 0.0 {
                continue;
            }
            let unit = column.mapv(|v| v / m);
            if self.with_mean {
                mean[j] = m * unit.mean().unwrap_or(0.0);
            }
            if self.with_std {
                // Without centring, scikit-learn still divides by the standard deviation.
                let s = m * unit.std(0.0);
                scale[j] = if s > 1e-300 && s.is_finite() { s } else { 1.0 };
            }
        }
        Ok(FittedStandardScaler { mean, scale })
    }
}

impl FittedStandardScaler {
    /// Standardises the records of a dataset, keeping targets and names.
    pub fn transform_dataset<T: Clone>(&self, data: &Dataset<T>) -> Result<Dataset<T>> {
        let mut out = data.clone();
        out.records = self.transform_view(data.records.view())?;
        Ok(out)
    }
}

impl Transform for FittedStandardScaler {
    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        validate::check_predict_input(x, self.mean.len())?;
        // x/s − m/s rather than (x − m)/s: the difference of two values near f64's limit can
        // overflow where their scaled difference cannot.
        let mut z = x.to_owned();
        ndarray::Zip::from(z.rows_mut()).for_each(|mut row| {
            ndarray::Zip::from(&mut row)
                .and(&self.mean)
                .and(&self.scale)
                .for_each(|v, &m, &s| *v = *v / s - m / s);
        });
        Ok(z)
    }
}

impl InverseTransform for FittedStandardScaler {
    fn inverse_transform_view(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        validate::check_predict_input(z, self.mean.len())?;
        Ok(&z * &self.scale + &self.mean)
    }
}

impl Persist for FittedStandardScaler {
    const KIND: &'static str = "StandardScaler";

    fn validate_loaded(&self) -> Result<()> {
        if self.mean.len() != self.scale.len() {
            return Err(Error::invalid_model(format!(
                "scaler: {} means for {} scales",
                self.mean.len(),
                self.scale.len()
            )));
        }
        Ok(())
    }
}
