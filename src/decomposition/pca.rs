use ndarray::{s, Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::dataset::AsRecords;
use crate::error::{Error, Result};
use crate::linalg;
use crate::persist::Persist;
use crate::traits::{Estimator, Hyperparams, InverseTransform, Transform};
use crate::validate;

/// How many components to keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Components {
    /// Exactly this many (1 ≤ n ≤ min(samples, features)).
    Count(usize),
    /// The fewest components whose explained-variance ratios add up to at least this fraction
    /// (0 < f ≤ 1), as scikit-learn's `n_components=0.95`.
    Variance(f64),
    /// All of them.
    All,
}

hyperparams! {
    /// Principal component analysis by eigen-decomposition of the covariance matrix (or of the
    /// Gram matrix when there are fewer samples than features).
    ///
    /// Conventions follow scikit-learn: [`FittedPca::explained_variance`] divides by `n − 1`, and
    /// [`FittedPca::explained_variance_ratio`] is over the **total variance of the data** (so it
    /// sums to less than 1 unless every component is kept — linfa's ratio is over the kept
    /// components only and always sums to 1). Each component's sign makes its largest-magnitude
    /// loading positive (scikit-learn's `svd_flip`). With `whiten`, transformed components have unit
    /// variance.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::decomposition::{Components, Pca};
    ///
    /// let iris = learnkit::data::iris()?;
    /// let pca = Pca::params().n_components(Components::Count(2)).fit(&iris)?;
    /// let ratio = pca.explained_variance_ratio();
    /// assert!(ratio[0] > 0.9 && ratio.sum() < 1.0);
    /// let z = pca.transform(&iris)?;
    /// assert_eq!(z.dim(), (150, 2));
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct Pca {
        /// How many components to keep (default [`Components::All`]): at least 1, or a variance
        /// fraction in (0, 1].
        pub(crate) n_components: Components = Components::All,
            valid |c| components_valid(*c), "must be at least 1, or a variance fraction in (0, 1]";
        /// Scale the transformed components to unit variance (default false).
        pub(crate) whiten: bool = false;
        /// The solver (default [`PcaSolver::Auto`]).
        pub(crate) solver: PcaSolver = PcaSolver::Auto;
        /// Seed of the randomized solver's test matrix (default 0).
        pub(crate) seed: u64 = 0;
    }
    check check_solver;
}

/// How PCA finds the principal axes.
///
/// `Auto` follows scikit-learn's `svd_solver="auto"`: with at most 1,000 features and at least
/// ten times as many samples, the covariance matrix (d×d, built by a blocked rank-k update) is
/// eigen-decomposed; otherwise, when the data has more than 500 rows or columns and a fixed
/// component count below 80% of min(n, d) is asked for, a seeded randomized SVD; otherwise an
/// exact decomposition (covariance, or the n×n Gram matrix when n < d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PcaSolver {
    /// The rule above.
    #[default]
    Auto,
    /// Exact: eigen-decomposition of the covariance (n ≥ d) or Gram (n < d) matrix.
    Exact,
    /// Halko–Martinsson–Tropp randomized SVD with 10 oversamples and 4 power iterations
    /// (7 when fewer than 10% of the components are kept), as scikit-learn; needs a
    /// [`Components::Count`].
    Randomized,
}

impl Pca {
    /// A randomized solver needs a fixed number of components.
    fn check_solver(&self) -> Result<()> {
        match (self.n_components, self.solver) {
            (Components::Variance(_) | Components::All, PcaSolver::Randomized) => Err(
                Error::invalid("solver", "randomized", "needs a fixed number of components"),
            ),
            _ => Ok(()),
        }
    }
}

/// A count of at least 1, a variance fraction in (0, 1], or all.
fn components_valid(c: Components) -> bool {
    match c {
        Components::Count(n) => n >= 1,
        Components::Variance(f) => f > 0.0 && f <= 1.0,
        Components::All => true,
    }
}

impl<D: AsRecords + ?Sized> Estimator<D> for Pca {
    type Fitted = FittedPca;

    fn fit(&self, data: &D) -> Result<FittedPca> {
        self.check()?;
        let x = data.as_records();
        // One pass over the data for the means and the check: a NaN or an infinity makes its
        // column's sum non-finite, so only then are the values looked at one by one.
        validate::check_not_empty(x, "records")?;
        let mean = linalg::column_means(x);
        if mean.iter().any(|m| !m.is_finite()) {
            validate::check_records(x, "records")?;
        }
        let (n, d) = x.dim();
        if n < 2 {
            return Err(Error::EmptyData(format!(
                "PCA needs at least 2 samples, got n_samples = {n}"
            )));
        }
        let max_components = n.min(d);
        match self.n_components {
            Components::Count(c) if c == 0 || c > max_components => {
                return Err(Error::invalid(
                    "n_components",
                    c,
                    format!("must be between 1 and min(samples, features) = {max_components}"),
                ))
            }
            Components::Variance(f) if !(f > 0.0 && f <= 1.0) => {
                return Err(Error::invalid(
                    "n_components",
                    f,
                    "a variance fraction must lie in (0, 1]",
                ))
            }
            _ => {}
        }
        // Variances of values near f64's limit overflow: say which feature, and what to do.
        let overflow = || {
            let (column, largest) = (0..d)
                .map(|j| (j, validate::max_abs(x.column(j))))
                .fold((0, 0.0), |b, c| if c.1 > b.1 { c } else { b });
            let name = data
                .feature_names()
                .get(column)
                .cloned()
                .unwrap_or_default();
            Error::numerical(
                "PCA",
                format!(
                    "the variance overflows f64 (feature `{name}` holds values up to \
                     {largest:.1e}); standardise the features first"
                ),
            )
        };
        let randomized = match (self.solver, self.n_components) {
            (PcaSolver::Randomized, Components::Count(_)) => true,
            (PcaSolver::Randomized, _) => {
                return Err(Error::invalid(
                    "solver",
                    "randomized",
                    "needs a fixed number of components",
                ))
            }
            (PcaSolver::Auto, Components::Count(c)) => {
                let covariance = d <= 1000 && n >= 10 * d;
                !covariance && n.max(d) > 500 && (c as f64) < 0.8 * max_components as f64
            }
            _ => false,
        };
        let (eigenvalues, axes, total) = if randomized {
            let k = match self.n_components {
                Components::Count(c) => c,
                _ => max_components,
            };
            let xc = &x - &mean;
            let total = xc.iter().map(|v| v * v).sum::<f64>() / (n - 1) as f64;
            if !total.is_finite() {
                return Err(overflow());
            }
            let (values, axes) = randomized_svd(&xc, k, self.seed)?;
            (values, axes, total)
        } else if n >= d {
            // Covariance route: eigenvectors of XcᵀXc are the principal axes.
            let scatter = linalg::centred_scatter(x, &mean);
            if scatter.iter().any(|v| !v.is_finite()) {
                return Err(overflow());
            }
            let total = scatter.diag().sum() / (n - 1) as f64;
            let (values, axes) = linalg::symmetric_eigen(scatter.view())?;
            (values, axes, total)
        } else {
            let xc = &x - &mean;
            // Gram route: XcXcᵀ = U Λ Uᵀ, axes = Xcᵀ U / √λ.
            let gram = xc.dot(&xc.t());
            if gram.iter().any(|v| !v.is_finite()) {
                return Err(overflow());
            }
            let (values, u) = linalg::symmetric_eigen(gram.view())?;
            let mut axes = xc.t().dot(&u);
            for (mut col, &l) in axes.columns_mut().into_iter().zip(&values) {
                let norm = l.max(0.0).sqrt();
                if norm > 1e-12 {
                    col /= norm;
                }
            }
            let total = xc.mapv(|v| v * v).sum() / (n - 1) as f64;
            (values, axes, total)
        };
        if !total.is_finite() || eigenvalues.iter().any(|v| !v.is_finite()) {
            return Err(overflow());
        }
        self.finish(
            eigenvalues,
            axes,
            total,
            (n, max_components),
            mean,
            data.feature_names(),
        )
    }
}

impl Pca {
    /// The fitted model from the eigen-decomposition: `eigenvalues` (descending) and `axes`
    /// (one per column) of the scatter, the total variance, `n` samples and at most
    /// `max_components` components.
    fn finish(
        &self,
        eigenvalues: Array1<f64>,
        axes: Array2<f64>,
        total: f64,
        (n, max_components): (usize, usize),
        mean: Array1<f64>,
        feature_names: Vec<String>,
    ) -> Result<FittedPca> {
        // The randomized solver computes only the kept components.
        let max_components = max_components.min(eigenvalues.len()).min(axes.ncols());
        let variance: Array1<f64> = eigenvalues
            .slice(s![..max_components])
            .mapv(|l| l.max(0.0) / (n - 1) as f64);
        let ratio = if total > 0.0 {
            &variance / total
        } else {
            Array1::zeros(max_components)
        };
        let keep = match self.n_components {
            Components::Count(c) => c.min(max_components),
            Components::All => max_components,
            Components::Variance(f) => {
                let mut cumulative = 0.0;
                let mut k = max_components;
                for (i, r) in ratio.iter().enumerate() {
                    cumulative += r;
                    if cumulative >= f - 1e-12 {
                        k = i + 1;
                        break;
                    }
                }
                k
            }
        };
        let mut components = axes.slice(s![.., ..keep]).t().to_owned();
        for mut row in components.rows_mut() {
            let largest = row
                .iter()
                .fold(0.0f64, |m, &v| if v.abs() > m.abs() { v } else { m });
            if largest < 0.0 {
                row.mapv_inplace(|v| -v);
            }
        }
        Ok(FittedPca {
            mean,
            components,
            explained_variance: variance.slice(s![..keep]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..keep]).to_owned(),
            total_variance: total,
            whiten: self.whiten,
            feature_names,
        })
    }

    /// Fits on `shard`, this process's share of the rows, with the other processes of
    /// `collective` fitting on theirs (every process calls it): the column sums and the
    /// centred scatter matrix (features × features) are added across processes and every
    /// process decomposes the same matrix — one process's covariance-route fit on the
    /// concatenated rows, to the rounding of sums grouped by process (relative 1e-12 in
    /// practice). Needs at least as many rows (of all the processes) as features.
    ///
    /// With [`PcaSolver::Randomized`] the range finder runs across processes instead (for many
    /// features, where the features × features scatter is too large): the power iterations
    /// multiply by XᵀX with the products added across processes, and the projected problem is
    /// solved on every process from all-reduced `l × l` and `l × features` matrices (`l` = the
    /// components + 10). It finds the same subspace as one process's randomized solver (same
    /// seed, same test vectors), so the kept variances agree to rounding wherever the solver
    /// has converged. Shards must share their columns.
    pub fn fit_distributed<D: AsRecords + ?Sized>(
        &self,
        shard: &D,
        collective: &impl crate::distributed::Collective,
    ) -> Result<FittedPca> {
        let x = shard.as_records();
        let names = shard.feature_names();
        let place = crate::distributed::agree_records(collective, x, &names, || self.check())?;
        let (n, d) = (place.total, x.ncols());
        let randomized = self.solver == PcaSolver::Randomized;
        if n < 2 || (n < d && !randomized) {
            return Err(Error::EmptyData(format!(
                "PCA across processes needs at least 2 samples and one per feature, got \
                 n_samples = {n} for {d} features"
            )));
        }
        if let Components::Count(c) = self.n_components {
            if c == 0 || c > n.min(d) {
                return Err(Error::invalid(
                    "n_components",
                    c,
                    format!(
                        "must be between 1 and min(samples, features) = {}",
                        n.min(d)
                    ),
                ));
            }
        }
        if let Components::Variance(f) = self.n_components {
            if !(f > 0.0 && f <= 1.0) {
                return Err(Error::invalid(
                    "n_components",
                    f,
                    "a variance fraction must lie in (0, 1]",
                ));
            }
        }
        let mut sums = (linalg::column_means(x) * x.nrows() as f64).to_vec();
        collective.all_sum(&mut sums);
        let mean = Array1::from(sums) / n as f64;
        if randomized {
            let Components::Count(k) = self.n_components else {
                return Err(Error::invalid(
                    "solver",
                    "randomized",
                    "needs a fixed number of components",
                ));
            };
            let xc = &x - &mean;
            let mut total = [xc.iter().map(|v| v * v).sum::<f64>()];
            collective.all_sum(&mut total);
            let total = total[0] / (n - 1) as f64;
            let (values, axes) = randomized_svd_across(&xc, k, n, self.seed, collective)?;
            if !total.is_finite() || values.iter().any(|v| !v.is_finite()) {
                return Err(Error::numerical(
                    "PCA",
                    "the variance overflows f64; standardise the features first",
                ));
            }
            return self.finish(values, axes, total, (n, n.min(d)), mean, names);
        }
        let mut flat: Vec<f64> = linalg::centred_scatter(x, &mean).iter().copied().collect();
        collective.all_sum(&mut flat);
        let scatter = Array2::from_shape_vec((d, d), flat)
            .map_err(|e| Error::shape("scatter", format!("{d}×{d}"), e))?;
        if scatter.iter().any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                "PCA",
                "the variance overflows f64; standardise the features first",
            ));
        }
        let total = scatter.diag().sum() / (n - 1) as f64;
        let (values, axes) = linalg::symmetric_eigen(scatter.view())?;
        self.finish(values, axes, total, (n, d), mean, names)
    }
}

/// The top `k` squared singular values of `xc` (centred) and its right singular vectors as
/// columns, by a randomized range finder (Halko, Martinsson & Tropp 2011, as scikit-learn's
/// `randomized_svd`): `k + 10` Gaussian test vectors, power iterations re-orthonormalised by
/// QR, then the exact decomposition of the small projected matrix.
fn randomized_svd(xc: &Array2<f64>, k: usize, seed: u64) -> Result<(Array1<f64>, Array2<f64>)> {
    use rand_distr::{Distribution, StandardNormal};
    let (n, d) = xc.dim();
    let l = (k + 10).min(n.min(d));
    let n_iter = if (k as f64) < 0.1 * n.min(d) as f64 {
        7
    } else {
        4
    };
    let mut rng = crate::rng::seeded(seed);
    let omega = Array2::from_shape_simple_fn((d, l), || StandardNormal.sample(&mut rng));
    let mut q = linalg::orthonormal_columns(linalg::matmul_nd(xc.view(), omega.view()).view());
    for _ in 0..n_iter {
        let z = linalg::orthonormal_columns(linalg::matmul_nd(xc.t(), q.view()).view());
        q = linalg::orthonormal_columns(linalg::matmul_nd(xc.view(), z.view()).view());
    }
    // B = QᵀXc (l×d); BBᵀ = U Σ² Uᵀ; right singular vectors V = BᵀU / σ.
    let b = linalg::matmul_nd(q.t(), xc.view());
    top_of_projection(&b, k)
}

/// [`randomized_svd`] with the rows of `xc` (centred) spread over the processes of
/// `collective` (`n` rows in all): the same test vectors, the same number of power iterations
/// and so the same subspace. The iterations run in feature space — `Z ← orth(XᵀX Z)`, the
/// `features × l` products added across processes — and the projected problem comes from the
/// all-reduced `G = YᵀY` and `C = YᵀX` for `Y = X Z`: with `G = W Λ Wᵀ`, `Q = Y W Λ^-½` is
/// orthonormal and `B = QᵀX = Λ^-½ Wᵀ C`, without ever gathering a tall matrix.
fn randomized_svd_across(
    xc: &Array2<f64>,
    k: usize,
    n: usize,
    seed: u64,
    collective: &impl crate::distributed::Collective,
) -> Result<(Array1<f64>, Array2<f64>)> {
    use rand_distr::{Distribution, StandardNormal};
    let d = xc.ncols();
    let l = (k + 10).min(n.min(d));
    let n_iter = if (k as f64) < 0.1 * n.min(d) as f64 {
        7
    } else {
        4
    };
    // Every process draws the same test vectors, in the same order as one process does.
    let mut rng = crate::rng::seeded(seed);
    let mut z = Array2::from_shape_simple_fn((d, l), || StandardNormal.sample(&mut rng));
    let summed = |m: Array2<f64>| -> Result<Array2<f64>> {
        let shape = m.dim();
        let mut flat = m.into_raw_vec_and_offset().0;
        collective.all_sum(&mut flat);
        Array2::from_shape_vec(shape, flat).map_err(|e| Error::shape("all-reduced matrix", "", e))
    };
    for _ in 0..n_iter {
        let y = linalg::matmul_nd(xc.view(), z.view());
        z = linalg::orthonormal_columns(summed(linalg::matmul_nd(xc.t(), y.view()))?.view());
    }
    let y = linalg::matmul_nd(xc.view(), z.view());
    let g = summed(linalg::matmul_nd(y.t(), y.view()))?;
    let c = summed(linalg::matmul_nd(y.t(), xc.view()))?;
    let (lambda, w) = linalg::symmetric_eigen(g.view())?;
    let top = lambda.iter().copied().fold(0.0f64, f64::max);
    // Directions X cannot reach (the data's rank is below l) carry nothing: left out of B.
    let scale = lambda.mapv(|v| {
        if v > top * 1e-13 && v > 0.0 {
            1.0 / v.sqrt()
        } else {
            0.0
        }
    });
    let mut b = linalg::matmul_nd(w.t(), c.view());
    for (mut row, &s) in b.rows_mut().into_iter().zip(&scale) {
        row *= s;
    }
    top_of_projection(&b, k)
}

/// The top `k` squared singular values and right singular vectors of the data from its
/// projection `B = QᵀXc` (`l × d`): `BBᵀ = U Σ² Uᵀ` and `V = BᵀU / σ`.
fn top_of_projection(b: &Array2<f64>, k: usize) -> Result<(Array1<f64>, Array2<f64>)> {
    let bbt = linalg::matmul_nd(b.view(), b.t());
    let (values, u) = linalg::symmetric_eigen(bbt.view())?;
    let mut axes = linalg::matmul_nd(b.t(), u.view());
    for (mut col, &v) in axes.columns_mut().into_iter().zip(&values) {
        let norm = v.max(0.0).sqrt();
        if norm > 1e-12 {
            col /= norm;
        }
    }
    let keep = k.min(values.len());
    Ok((
        values.slice(s![..keep]).to_owned(),
        axes.slice(s![.., ..keep]).to_owned(),
    ))
}

/// A fitted PCA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPca {
    mean: Array1<f64>,
    components: Array2<f64>,
    explained_variance: Array1<f64>,
    explained_variance_ratio: Array1<f64>,
    total_variance: f64,
    whiten: bool,
    feature_names: Vec<String>,
}

impl FittedPca {
    /// Principal axes, one unit vector per row, by decreasing variance.
    pub fn components(&self) -> &Array2<f64> {
        &self.components
    }

    /// Variance along each kept component (eigenvalue / (n − 1)).
    pub fn explained_variance(&self) -> &Array1<f64> {
        &self.explained_variance
    }

    /// Each kept component's share of the data's total variance.
    pub fn explained_variance_ratio(&self) -> &Array1<f64> {
        &self.explained_variance_ratio
    }

    /// The per-feature means subtracted before projecting.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Number of kept components.
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    fn scale(&self) -> Array1<f64> {
        if self.whiten {
            self.explained_variance
                .mapv(|v| if v > 0.0 { v.sqrt() } else { 1.0 })
        } else {
            Array1::ones(self.explained_variance.len())
        }
    }
}

impl Transform for FittedPca {
    fn transform_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        validate::check_predict_input(x, self.mean.len())?;
        Ok((&x - &self.mean).dot(&self.components.t()) / &self.scale())
    }
}

impl InverseTransform for FittedPca {
    fn inverse_transform_view(&self, z: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        validate::check_predict_input(z, self.components.nrows())?;
        Ok((&z * &self.scale()).dot(&self.components) + &self.mean)
    }
}

impl Persist for FittedPca {
    const KIND: &'static str = "Pca";

    fn validate_loaded(&self) -> Result<()> {
        let k = self.components.nrows();
        if self.components.ncols() != self.mean.len()
            || self.explained_variance.len() != k
            || self.explained_variance_ratio.len() != k
        {
            return Err(Error::invalid_model(format!(
                "PCA: {k} components, but arrays of other lengths"
            )));
        }
        Ok(())
    }
}
