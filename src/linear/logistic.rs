use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::{AsRecords, Labeled};
use crate::error::{Error, Result};
use crate::optim::{lbfgs, LbfgsOptions};
use crate::persist::Persist;
use crate::traits::{Classifier, Estimator, Hyperparams, Predict, PredictProba};
use crate::validate;

hyperparams! {
    /// Hyper-parameters of L2-regularised logistic regression, with scikit-learn's meanings.
    ///
    /// The fitted weights minimise `(1/n) Σᵢ ℓᵢ + ‖W‖² / (2·C·n)`, where `ℓᵢ` is the
    /// cross-entropy of sample `i` — the objective scikit-learn's `LogisticRegression(C=...)`
    /// minimises (its `C·Σℓᵢ + ½‖W‖²`, divided by `C·n`). Smaller `C` means a stronger penalty; the
    /// intercept is not penalised. Two classes use one weight vector and the sigmoid; more classes
    /// use the multinomial (softmax) model with one weight vector per class. Defaults: `C = 1`,
    /// `max_iter = 100`, `tol = 1e-4` on the largest gradient component (scikit-learn's `lbfgs`
    /// defaults).
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::linear::LogisticRegression;
    ///
    /// let iris = learnkit::data::iris()?;
    /// let model = LogisticRegression::params().fit(&iris)?;
    /// assert!(model.converged());
    /// assert!(model.score_on(&iris)? > 0.95);
    /// let proba = model.predict_proba(&iris)?;
    /// assert!((proba.row(0).sum() - 1.0).abs() < 1e-12);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct LogisticRegression {
        /// Inverse penalty strength `C` (> 0; default 1).
        pub(crate) c: f64 = 1.0, valid |c| c.is_finite() && *c > 0.0, "must be finite and > 0";
        /// Maximum L-BFGS iterations (≥ 1; default 100).
        pub(crate) max_iter: usize = 100, valid |n| *n >= 1, "must be at least 1";
        /// Stop when the largest gradient component is at most `tol` (> 0; default 1e-4).
        pub(crate) tol: f64 = 1e-4, valid |t| t.is_finite() && *t > 0.0, "must be finite and > 0";
        /// Whether to fit intercepts (default true).
        pub(crate) fit_intercept: bool = true;
        /// When true, a fit that stops at `max_iter` is an [`Error::NotConverged`]; when false
        /// (default, as scikit-learn, which warns) the model is returned and
        /// [`FittedLogisticRegression::converged`] says so.
        pub(crate) require_convergence: bool = false;
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Objective and gradient for `k_out` output rows of weights (1 for binary, K for softmax).
/// `params` holds `W` (k_out × d, row-major) then the `k_out` intercepts.
struct Objective<'a> {
    x: ArrayView2<'a, f64>,
    y: ArrayView1<'a, usize>,
    k_out: usize,
    penalty: f64,
    fit_intercept: bool,
    /// Rows of every process (the loss is their mean).
    n: f64,
    /// Adds the loss and gradient sums across processes (nothing for one process).
    reduce: &'a (dyn Fn(&mut [f64]) + Sync),
}

impl Objective<'_> {
    fn split<'p>(&self, params: &'p Array1<f64>) -> (ArrayView2<'p, f64>, ArrayView1<'p, f64>) {
        let d = self.x.ncols();
        let w = params
            .slice(s![..self.k_out * d])
            .into_shape_with_order((self.k_out, d))
            .expect("parameter vector length is k_out·d + k_out by construction");
        (w, params.slice(s![self.k_out * d..]))
    }

    /// Loss and gradient in one pass over the rows: each row's scores, its loss term and its
    /// residual `p − onehot(y)` are computed and folded into the gradient at once, so the data
    /// is read once per evaluation. Rows are cut into fixed blocks that rayon spreads over the
    /// cores; block results are added in block order, so the result does not depend on the
    /// number of threads.
    fn eval(&self, params: &Array1<f64>, grad: &mut Array1<f64>) -> f64 {
        let n = self.n;
        let (d, k) = (self.x.ncols(), self.k_out);
        let (w, b) = self.split(params);
        let w = w.as_standard_layout();
        let w = w.as_slice().unwrap_or(&[]);
        let b = b.to_vec();
        let n_blocks = self.x.nrows().div_ceil(BLOCK);
        let partials: Vec<(f64, Vec<f64>)> = (0..n_blocks)
            .into_par_iter()
            .map(|i| {
                let rows = self
                    .x
                    .slice(s![i * BLOCK..((i + 1) * BLOCK).min(self.x.nrows()), ..]);
                let labels = self
                    .y
                    .slice(s![i * BLOCK..((i + 1) * BLOCK).min(self.x.nrows())]);
                block_loss_grad(rows, labels, w, &b)
            })
            .collect();
        // The loss, then the gradient, in one buffer for the processes to add.
        let mut sums = vec![0.0; 1 + k * (d + 1)];
        for (l, part) in &partials {
            sums[0] += l;
            sums[1..].iter_mut().zip(part).for_each(|(a, p)| *a += p);
        }
        (self.reduce)(&mut sums);
        let loss = sums[0];
        let g = &sums[1..];
        let mut penalty = 0.0;
        for i in 0..k * d {
            grad[i] = g[i] / n + self.penalty * w[i];
            penalty += w[i] * w[i];
        }
        for c in 0..k {
            grad[k * d + c] = if self.fit_intercept {
                g[k * d + c] / n
            } else {
                0.0
            };
        }
        loss / n + 0.5 * self.penalty * penalty
    }
}

/// Rows per parallel block of the loss evaluation.
const BLOCK: usize = 4096;

/// Summed loss and gradient (weights then intercepts) of one block of rows.
fn block_loss_grad(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
    w: &[f64],
    b: &[f64],
) -> (f64, Vec<f64>) {
    let (d, k) = (x.ncols(), b.len());
    let mut g = vec![0.0; k * (d + 1)];
    let mut z = vec![0.0; k];
    let mut loss = 0.0;
    let mut buffer = vec![0.0; d];
    for (row, &yi) in x.rows().into_iter().zip(y) {
        let row = match row.as_slice() {
            Some(r) => r,
            None => {
                buffer.iter_mut().zip(row.iter()).for_each(|(a, v)| *a = *v);
                &buffer
            }
        };
        for (c, zc) in z.iter_mut().enumerate() {
            let wc = &w[c * d..(c + 1) * d];
            *zc = b[c] + wc.iter().zip(row).map(|(a, x)| a * x).sum::<f64>();
        }
        if k == 1 {
            let t = yi as f64;
            let zi = z[0];
            // One exponential serves the loss log(1 + e^z) − t·z and the sigmoid.
            let e = (-zi.abs()).exp();
            loss += zi.max(0.0) + e.ln_1p() - t * zi;
            let p = if zi >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            z[0] = p - t;
        } else {
            let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0;
            for v in z.iter_mut() {
                *v = (*v - max).exp();
                sum += *v;
            }
            loss -= (z[yi] / sum).ln().max(f64::MIN);
            for v in z.iter_mut() {
                *v /= sum;
            }
            z[yi] -= 1.0;
        }
        for (c, &r) in z.iter().enumerate() {
            g[k * d + c] += r;
            for (gc, x) in g[c * d..(c + 1) * d].iter_mut().zip(row) {
                *gc += r * x;
            }
        }
    }
    (loss, g)
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for LogisticRegression {
    type Fitted = FittedLogisticRegression;

    fn fit(&self, data: &D) -> Result<FittedLogisticRegression> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let classes = classes_of(data, y);
        let mut seen = vec![0.0; classes.len()];
        y.iter().for_each(|&c| seen[c] = 1.0);
        self.fit_rows(x, y, classes, seen, data.feature_names(), &|_| {})
    }
}

/// The class names of a classification dataset, or `"0", "1", ...`.
fn classes_of<D: Labeled<usize> + ?Sized>(data: &D, y: ArrayView1<'_, usize>) -> Vec<String> {
    match data.class_names() {
        Some(names) => names.to_vec(),
        None => (0..=y.iter().copied().max().unwrap_or(0))
            .map(|c| c.to_string())
            .collect(),
    }
}

impl LogisticRegression {
    /// Fits on checked rows: `seen[c] > 0` for each class present in the rows of every
    /// process; `reduce` adds the loss and gradient across processes.
    fn fit_rows<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, usize>,
        classes: Vec<String>,
        seen: Vec<f64>,
        feature_names: Vec<String>,
        reduce: &'a (dyn Fn(&mut [f64]) + Sync),
    ) -> Result<FittedLogisticRegression> {
        let n_classes = classes.len();
        let present = seen.iter().filter(|&&s| s > 0.0).count();
        if present < 2 {
            return Err(Error::invalid(
                "targets",
                format!("{present} class"),
                "logistic regression needs samples of at least 2 classes",
            ));
        }
        let mut n = [x.nrows() as f64];
        reduce(&mut n);
        let d = x.ncols();
        let k_out = if n_classes == 2 { 1 } else { n_classes };
        let objective = Objective {
            x,
            y,
            k_out,
            penalty: 1.0 / (self.c * n[0]),
            fit_intercept: self.fit_intercept,
            n: n[0],
            reduce,
        };
        let options = LbfgsOptions {
            max_iter: self.max_iter,
            tol: self.tol,
            ..Default::default()
        };
        let result = lbfgs(
            |p, g| objective.eval(p, g),
            Array1::zeros(k_out * (d + 1)),
            options,
        );
        if !result.x.iter().all(|v| v.is_finite()) {
            return Err(Error::invalid(
                "features",
                "scale",
                "the optimiser diverged; standardise the features",
            ));
        }
        if self.require_convergence && !result.converged {
            return Err(Error::NotConverged {
                algorithm: "LogisticRegression (L-BFGS)",
                iterations: result.iterations,
                measure: "max gradient component",
                value: result.grad_max,
            });
        }
        let (w, b) = objective.split(&result.x);
        Ok(FittedLogisticRegression {
            coefficients: w.to_owned(),
            intercepts: b.to_owned(),
            classes,
            feature_names,
            n_iter: result.iterations,
            converged: result.converged,
            grad_max: result.grad_max,
            objective: result.value,
        })
    }

    /// Fits on `shard`, this process's share of the rows, with the other processes of
    /// `collective` fitting on theirs (every process calls it): each L-BFGS evaluation adds
    /// the loss and gradient sums across processes, so every process takes the same steps —
    /// one process's fit on the concatenated rows, to the rounding of sums grouped by process
    /// (coefficients equal to ~1e-10 relative; the iteration count the same unless a stopping
    /// test is within rounding). Shards must share their columns and class names (see
    /// [`crate::distributed`]).
    pub fn fit_distributed<D: Labeled<usize> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl crate::distributed::Collective,
    ) -> Result<FittedLogisticRegression> {
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard))
            .map(|(x, y)| (x, y, classes_of(shard, y)));
        let description = prepared
            .as_ref()
            .map(|(_, _, classes)| {
                format!(
                    "features {}; classes {}",
                    names.join(","),
                    classes.join(",")
                )
            })
            .map_err(ToString::to_string);
        crate::distributed::check_alike(collective, "columns and classes", description)?;
        let (x, y, classes) = prepared?;
        let mut seen = vec![0.0; classes.len()];
        y.iter().for_each(|&c| seen[c] = 1.0);
        collective.all_sum_whole(&mut seen);
        let reduce = |values: &mut [f64]| collective.all_sum(values);
        self.fit_rows(x, y, classes, seen, names, &reduce)
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogisticRegression {
    coefficients: Array2<f64>,
    intercepts: Array1<f64>,
    classes: Vec<String>,
    feature_names: Vec<String>,
    n_iter: usize,
    converged: bool,
    grad_max: f64,
    objective: f64,
}

impl FittedLogisticRegression {
    /// Weights: one row for a binary problem (the positive class, index 1), else one row per
    /// class — scikit-learn's `coef_` layout.
    pub fn coefficients(&self) -> &Array2<f64> {
        &self.coefficients
    }

    /// Intercepts, one per row of [`FittedLogisticRegression::coefficients`] (scikit-learn's
    /// `intercept_`).
    pub fn intercept(&self) -> &Array1<f64> {
        &self.intercepts
    }

    /// L-BFGS iterations used.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the optimiser met its tolerance before `max_iter`.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The largest gradient component at the solution.
    pub fn final_gradient(&self) -> f64 {
        self.grad_max
    }

    /// The objective at the solution (mean cross-entropy plus penalty).
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Decision scores `X Wᵀ + b` (one column for binary problems), for any record container.
    pub fn decision_function<R: AsRecords + ?Sized>(&self, x: &R) -> Result<Array2<f64>> {
        let x = x.as_records();
        validate::check_predict_input(x, self.coefficients.ncols())?;
        let mut z = x.dot(&self.coefficients.t());
        z += &self.intercepts;
        Ok(z)
    }
}

impl Predict for FittedLogisticRegression {
    type Output = usize;

    fn n_features(&self) -> usize {
        self.coefficients.ncols()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let z = self.decision_function(&x)?;
        Ok(if z.ncols() == 1 {
            z.column(0).mapv(|v| usize::from(v > 0.0))
        } else {
            crate::metrics::argmax_rows(z.view())
        })
    }
}

impl PredictProba for FittedLogisticRegression {
    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let z = self.decision_function(&x)?;
        if z.ncols() == 1 {
            let mut p = Array2::zeros((z.nrows(), 2));
            for (i, &v) in z.column(0).iter().enumerate() {
                let p1 = sigmoid(v);
                p[(i, 0)] = 1.0 - p1;
                p[(i, 1)] = p1;
            }
            return Ok(p);
        }
        let mut p = z;
        for mut row in p.rows_mut() {
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        Ok(p)
    }
}

impl Classifier for FittedLogisticRegression {}

impl Persist for FittedLogisticRegression {
    const KIND: &'static str = "LogisticRegression";

    fn validate_loaded(&self) -> Result<()> {
        let rows = if self.classes.len() == 2 {
            1
        } else {
            self.classes.len()
        };
        if self.classes.len() < 2
            || self.coefficients.nrows() != rows
            || self.intercepts.len() != rows
            || self.feature_names.len() != self.coefficients.ncols()
        {
            return Err(Error::invalid_model(format!(
                "logistic regression: {} classes need {rows} weight rows and intercepts, found \
                 {} rows and {} intercepts",
                self.classes.len(),
                self.coefficients.nrows(),
                self.intercepts.len()
            )));
        }
        Ok(())
    }
}
