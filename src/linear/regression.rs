use ndarray::{Array1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::dataset::Labeled;
use crate::error::{Error, Result};
use crate::linalg;
use crate::persist::Persist;
use crate::traits::{Estimator, Hyperparams, Predict, Regressor};
use crate::validate;

hyperparams! {
    /// Hyper-parameters of least-squares regression: `min ‖y − Xw − b‖² + alpha·‖w‖²`.
    ///
    /// `alpha = 0` (the default) is ordinary least squares; `alpha > 0` is ridge regression (the
    /// intercept is not penalised), with scikit-learn's `Ridge(alpha)` meaning.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::linear::LinearRegression;
    /// use ndarray::array;
    ///
    /// let x = array![[0.0], [1.0], [2.0], [3.0]];
    /// let y = array![1.0, 3.0, 5.0, 7.0]; // y = 2x + 1
    /// let model = LinearRegression::params().fit(&(x.clone(), y.clone()))?;
    /// assert!((model.coefficients()[0] - 2.0).abs() < 1e-12);
    /// assert!((model.intercept() - 1.0).abs() < 1e-12);
    /// assert!((model.score(&x, y.view())? - 1.0).abs() < 1e-12);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct LinearRegression {
        /// L2 penalty strength (≥ 0; 0, the default, is ordinary least squares; > 0 is ridge).
        pub(crate) alpha: f64 = 0.0,
            valid |a| a.is_finite() && *a >= 0.0, "must be finite and ≥ 0";
        /// Whether to fit an intercept (default true).
        pub(crate) fit_intercept: bool = true;
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for LinearRegression {
    type Fitted = FittedLinearRegression;

    fn fit(&self, data: &D) -> Result<FittedLinearRegression> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let n_features = x.ncols();
        let (x_mean, y_mean) = if self.fit_intercept {
            (
                x.mean_axis(Axis(0))
                    .unwrap_or_else(|| Array1::zeros(n_features)),
                y.mean().unwrap_or(0.0),
            )
        } else {
            (Array1::zeros(n_features), 0.0)
        };
        let mut gram = linalg::centred_scatter(x, &x_mean);
        if let Some(j) = (0..n_features).find(|&j| !gram[(j, j)].is_finite()) {
            let largest = validate::max_abs(x.column(j));
            let name = data.feature_names().get(j).cloned().unwrap_or_default();
            return Err(Error::numerical(
                "linear regression",
                format!(
                    "the squares of feature `{name}` overflow f64 (values up to {largest:.1e}); \
                     standardise or rescale it"
                ),
            ));
        }
        for i in 0..n_features {
            gram[(i, i)] += self.alpha;
        }
        // Xcᵀyc = Xᵀ(y − ȳ): centring x too would only subtract x̄·Σ(y − ȳ) = 0.
        let rhs = x.t().dot(&(&y - y_mean));
        let coefficients = match linalg::cholesky_solve(gram.view(), rhs.view()) {
            Some(w) => w,
            // Collinear features: the minimum-norm solution, as scikit-learn's lstsq.
            None => linalg::pinv_solve(gram.view(), rhs.view())?,
        };
        let intercept = y_mean - x_mean.dot(&coefficients);
        if !intercept.is_finite() || coefficients.iter().any(|c| !c.is_finite()) {
            let largest = validate::max_abs(y);
            return Err(Error::numerical(
                "linear regression",
                format!(
                    "the solution overflows f64 (targets up to {largest:.1e}); rescale the \
                     targets or the features"
                ),
            ));
        }
        Ok(FittedLinearRegression {
            coefficients,
            intercept,
            feature_names: data.feature_names(),
            alpha: self.alpha,
        })
    }
}

impl LinearRegression {
    /// Fits on `shard`, this process's share of the rows, with the other processes of
    /// `collective` fitting on theirs (every process calls it): the column and target sums,
    /// the centred Gram matrix and `Xᵀ(y − ȳ)` are added across processes and every process
    /// solves the same normal equations — one process's fit on the concatenated rows, to the
    /// rounding of sums grouped by process (relative 1e-12 in practice). Shards must share
    /// their columns (see [`crate::distributed`]).
    pub fn fit_distributed<D: Labeled<f64> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl crate::distributed::Collective,
    ) -> Result<FittedLinearRegression> {
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard));
        let description = prepared
            .as_ref()
            .map(|_| format!("features {}", names.join(",")))
            .map_err(ToString::to_string);
        crate::distributed::check_alike(collective, "columns", description)?;
        let (x, y) = prepared?;
        let d = x.ncols();
        let mut sums: Vec<f64> = x.sum_axis(Axis(0)).to_vec();
        sums.push(y.sum());
        sums.push(x.nrows() as f64);
        collective.all_sum(&mut sums);
        let n = sums[d + 1].max(1.0);
        let (x_mean, y_mean) = if self.fit_intercept {
            (Array1::from(sums[..d].to_vec()) / n, sums[d] / n)
        } else {
            (Array1::zeros(d), 0.0)
        };
        let mut flat: Vec<f64> = linalg::centred_scatter(x, &x_mean)
            .iter()
            .copied()
            .collect();
        flat.extend(x.t().dot(&(&y - y_mean)));
        collective.all_sum(&mut flat);
        let rhs = Array1::from(flat.split_off(d * d));
        let mut gram = ndarray::Array2::from_shape_vec((d, d), flat)
            .map_err(|e| Error::shape("Gram matrix", format!("{d}×{d}"), e))?;
        if gram.iter().chain(rhs.iter()).any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "linear regression",
                "the squares of the features or targets overflow f64; standardise or rescale them",
            ));
        }
        for i in 0..d {
            gram[(i, i)] += self.alpha;
        }
        let coefficients = match linalg::cholesky_solve(gram.view(), rhs.view()) {
            Some(w) => w,
            None => linalg::pinv_solve(gram.view(), rhs.view())?,
        };
        let intercept = y_mean - x_mean.dot(&coefficients);
        if !intercept.is_finite() || coefficients.iter().any(|c| !c.is_finite()) {
            return Err(Error::numerical(
                "linear regression",
                "the solution overflows f64; rescale the targets or the features",
            ));
        }
        Ok(FittedLinearRegression {
            coefficients,
            intercept,
            feature_names: names,
            alpha: self.alpha,
        })
    }
}

/// A fitted linear regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLinearRegression {
    coefficients: Array1<f64>,
    intercept: f64,
    feature_names: Vec<String>,
    alpha: f64,
}

impl FittedLinearRegression {
    /// One coefficient per feature.
    pub fn coefficients(&self) -> &Array1<f64> {
        &self.coefficients
    }

    /// The intercept.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The penalty it was fitted with.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
}

impl Predict for FittedLinearRegression {
    type Output = f64;

    fn n_features(&self) -> usize {
        self.coefficients.len()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        validate::check_predict_input(x, self.coefficients.len())?;
        Ok(x.dot(&self.coefficients) + self.intercept)
    }
}

impl Regressor for FittedLinearRegression {}

impl Persist for FittedLinearRegression {
    const KIND: &'static str = "LinearRegression";

    fn validate_loaded(&self) -> Result<()> {
        if self.feature_names.len() != self.coefficients.len() {
            return Err(Error::invalid_model(format!(
                "linear regression: {} coefficients for {} feature names",
                self.coefficients.len(),
                self.feature_names.len()
            )));
        }
        if !self.intercept.is_finite() || self.coefficients.iter().any(|c| !c.is_finite()) {
            return Err(Error::invalid_model(
                "linear regression: a non-finite coefficient",
            ));
        }
        Ok(())
    }
}
