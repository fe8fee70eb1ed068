//! Synthetic datasets with scikit-learn's parameter meanings: [`MakeBlobs`],
//! [`MakeClassification`] and [`MakeRegression`].
//!
//! The generators follow scikit-learn's algorithms step by step, so the data has the same
//! structure; the random streams differ (a seeded xoshiro generator), so the numbers do not.

use ndarray::{s, Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::rng::{self, Rng};

fn normal_matrix(rng: &mut Rng, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || StandardNormal.sample(rng))
}

fn shuffled_rows<T: Clone>(data: Dataset<T>, rng: &mut Rng) -> Result<Dataset<T>> {
    let mut order: Vec<usize> = (0..data.n_samples()).collect();
    order.shuffle(rng);
    data.select(&order)
}

config_struct! {
/// Isotropic Gaussian blobs for clustering, as scikit-learn's `make_blobs`.
#[derive(Debug, Clone)]
pub struct MakeBlobs {
    /// Total number of points, split evenly over the centres.
    pub n_samples: usize,
    /// Dimension of each point.
    pub n_features: usize,
    /// Number of blobs.
    pub centers: usize,
    /// Standard deviation of each blob.
    pub cluster_std: f64,
    /// Centres are drawn uniformly from this box in every dimension.
    pub center_box: (f64, f64),
    /// Shuffle the points.
    pub shuffle: bool,
    /// Random seed.
    pub seed: u64,
}
}

impl Default for MakeBlobs {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 2,
            centers: 3,
            cluster_std: 1.0,
            center_box: (-10.0, 10.0),
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeBlobs {
    /// The defaults (100 points in 2 dimensions around 3 centres, standard deviation 1), to adjust with the chained setters.
    pub fn params() -> Self {
        Self::default()
    }

    /// Generates the points (targets are the blob indices) and returns them with the centres.
    pub fn generate(&self) -> Result<(Dataset<usize>, Array2<f64>)> {
        if self.n_samples == 0 || self.n_features == 0 {
            return Err(Error::invalid(
                "n_samples/n_features",
                format!("{}×{}", self.n_samples, self.n_features),
                "both must be at least 1",
            ));
        }
        if self.centers == 0 || self.centers > self.n_samples {
            return Err(Error::invalid(
                "centers",
                self.centers,
                "must be between 1 and n_samples",
            ));
        }
        if !(self.cluster_std.is_finite() && self.cluster_std >= 0.0) {
            return Err(Error::invalid(
                "cluster_std",
                self.cluster_std,
                "must be ≥ 0",
            ));
        }
        let (lo, hi) = self.center_box;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::invalid(
                "center_box",
                format!("({lo}, {hi})"),
                "needs finite low < high",
            ));
        }
        let mut rng = rng::seeded(self.seed);
        let centres =
            Array2::from_shape_simple_fn((self.centers, self.n_features), || rng.gen_range(lo..hi));
        let mut x = Array2::zeros((self.n_samples, self.n_features));
        let mut y = Array1::zeros(self.n_samples);
        let mut row = 0;
        for c in 0..self.centers {
            let count =
                self.n_samples / self.centers + usize::from(c < self.n_samples % self.centers);
            for _ in 0..count {
                for j in 0..self.n_features {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    x[(row, j)] = centres[(c, j)] + self.cluster_std * z;
                }
                y[row] = c;
                row += 1;
            }
        }
        let names = (0..self.centers).map(|c| format!("blob {c}")).collect();
        let mut data = Dataset::classification(x, y, names)?;
        if self.shuffle {
            data = shuffled_rows(data, &mut rng)?;
        }
        Ok((data, centres))
    }
}

config_struct! {
/// A random n-class classification problem, as scikit-learn's `make_classification`: clusters of
/// normally distributed points around the vertices of a hypercube in the informative subspace,
/// plus redundant (linear combinations), repeated and useless (noise) features, and a fraction
/// `flip_y` of labels reassigned at random.
#[derive(Debug, Clone)]
pub struct MakeClassification {
    /// Number of samples.
    pub n_samples: usize,
    /// Total number of features.
    pub n_features: usize,
    /// Features that carry the class signal.
    pub n_informative: usize,
    /// Random linear combinations of the informative features.
    pub n_redundant: usize,
    /// Copies of informative or redundant features.
    pub n_repeated: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// Gaussian clusters per class.
    pub n_clusters_per_class: usize,
    /// Fraction of labels replaced by a random class.
    pub flip_y: f64,
    /// Half the side of the hypercube: larger is easier.
    pub class_sep: f64,
    /// Shuffle samples and feature columns.
    pub shuffle: bool,
    /// Random seed.
    pub seed: u64,
}
}

impl Default for MakeClassification {
    /// scikit-learn's defaults.
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 20,
            n_informative: 2,
            n_redundant: 2,
            n_repeated: 0,
            n_classes: 2,
            n_clusters_per_class: 2,
            flip_y: 0.01,
            class_sep: 1.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeClassification {
    /// The defaults (scikit-learn's defaults), to adjust with the chained setters.
    pub fn params() -> Self {
        Self::default()
    }

    fn check(&self) -> Result<()> {
        let used = self.n_informative + self.n_redundant + self.n_repeated;
        if used > self.n_features {
            return Err(Error::invalid(
                "n_features",
                self.n_features,
                format!("must be ≥ n_informative + n_redundant + n_repeated = {used}"),
            ));
        }
        if self.n_informative == 0 {
            return Err(Error::invalid("n_informative", 0, "must be at least 1"));
        }
        if self.n_classes < 2 {
            return Err(Error::invalid(
                "n_classes",
                self.n_classes,
                "must be at least 2",
            ));
        }
        if self.n_clusters_per_class == 0 {
            return Err(Error::invalid(
                "n_clusters_per_class",
                0,
                "must be at least 1",
            ));
        }
        let clusters = self.n_classes * self.n_clusters_per_class;
        if self.n_informative < 63 && clusters as u64 > (1u64 << self.n_informative) {
            return Err(Error::invalid(
                "n_informative",
                self.n_informative,
                format!("2^n_informative must be ≥ n_classes × n_clusters_per_class = {clusters}"),
            ));
        }
        if self.n_samples < clusters {
            return Err(Error::invalid(
                "n_samples",
                self.n_samples,
                format!("must be ≥ n_classes × n_clusters_per_class = {clusters}"),
            ));
        }
        if !(0.0..=1.0).contains(&self.flip_y) {
            return Err(Error::invalid("flip_y", self.flip_y, "must lie in [0, 1]"));
        }
        if !(self.class_sep.is_finite() && self.class_sep > 0.0) {
            return Err(Error::invalid("class_sep", self.class_sep, "must be > 0"));
        }
        Ok(())
    }

    /// Distinct random vertices of the unit hypercube in `dim` dimensions.
    fn hypercube(n: usize, dim: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let v: Vec<bool> = (0..dim).map(|_| rng.gen::<bool>()).collect();
            if seen.insert(v.clone()) {
                out.push(v.into_iter().map(|b| f64::from(u8::from(b))).collect());
            }
        }
        out
    }

    /// Generates the dataset (class names `"0"`, `"1"`, ...).
    pub fn generate(&self) -> Result<Dataset<usize>> {
        self.check()?;
        let mut rng = rng::seeded(self.seed);
        let (n, d, inf) = (self.n_samples, self.n_features, self.n_informative);
        let clusters = self.n_classes * self.n_clusters_per_class;
        let centroids = Self::hypercube(clusters, inf, &mut rng);

        let mut x = Array2::<f64>::zeros((n, d));
        let mut y = Array1::<usize>::zeros(n);
        x.slice_mut(s![.., ..inf])
            .assign(&normal_matrix(&mut rng, n, inf));
        let mut start = 0;
        for (k, centroid) in centroids.iter().enumerate() {
            let count = n / clusters + usize::from(k < n % clusters);
            let stop = start + count;
            y.slice_mut(s![start..stop]).fill(k % self.n_classes);
            let a = Array2::from_shape_simple_fn((inf, inf), || 2.0 * rng.gen::<f64>() - 1.0);
            let block = x.slice(s![start..stop, ..inf]).dot(&a);
            let shift = Array1::from_iter(
                centroid
                    .iter()
                    .map(|&c| c * 2.0 * self.class_sep - self.class_sep),
            );
            x.slice_mut(s![start..stop, ..inf])
                .assign(&(block + &shift));
            start = stop;
        }
        if self.n_redundant > 0 {
            let b = Array2::from_shape_simple_fn((inf, self.n_redundant), || {
                2.0 * rng.gen::<f64>() - 1.0
            });
            let redundant = x.slice(s![.., ..inf]).dot(&b);
            x.slice_mut(s![.., inf..inf + self.n_redundant])
                .assign(&redundant);
        }
        let base = inf + self.n_redundant;
        for r in 0..self.n_repeated {
            let src = ((base - 1) as f64 * rng.gen::<f64>() + 0.5) as usize;
            let column = x.column(src).to_owned();
            x.column_mut(base + r).assign(&column);
        }
        let useless = d - base - self.n_repeated;
        if useless > 0 {
            x.slice_mut(s![.., d - useless..])
                .assign(&normal_matrix(&mut rng, n, useless));
        }
        if self.flip_y > 0.0 {
            for label in y.iter_mut() {
                if rng.gen::<f64>() < self.flip_y {
                    *label = rng.gen_range(0..self.n_classes);
                }
            }
        }
        let names = (0..self.n_classes).map(|c| c.to_string()).collect();
        let mut data = Dataset::classification(x, y, names)?;
        if self.shuffle {
            data = shuffled_rows(data, &mut rng)?;
            let mut columns: Vec<usize> = (0..d).collect();
            columns.shuffle(&mut rng);
            data.records = data.records.select(Axis(1), &columns);
        }
        Ok(data)
    }
}

config_struct! {
/// A random linear regression problem, as scikit-learn's `make_regression`: standard normal
/// features, `n_informative` of them with coefficients drawn from `100·U(0, 1)`, plus `bias`
/// and Gaussian noise of standard deviation `noise`.
#[derive(Debug, Clone)]
pub struct MakeRegression {
    /// Number of samples.
    pub n_samples: usize,
    /// Number of features.
    pub n_features: usize,
    /// Features with a non-zero coefficient.
    pub n_informative: usize,
    /// Intercept of the underlying model.
    pub bias: f64,
    /// Standard deviation of the Gaussian noise added to the targets.
    pub noise: f64,
    /// Shuffle samples and feature columns.
    pub shuffle: bool,
    /// Random seed.
    pub seed: u64,
}
}

impl Default for MakeRegression {
    /// scikit-learn's defaults.
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 100,
            n_informative: 10,
            bias: 0.0,
            noise: 0.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeRegression {
    /// The defaults (scikit-learn's defaults), to adjust with the chained setters.
    pub fn params() -> Self {
        Self::default()
    }

    /// Generates the dataset and returns it with the true coefficients (in the final column
    /// order).
    pub fn generate(&self) -> Result<(Dataset<f64>, Array1<f64>)> {
        if self.n_samples == 0 || self.n_features == 0 {
            return Err(Error::invalid(
                "n_samples/n_features",
                format!("{}×{}", self.n_samples, self.n_features),
                "both must be at least 1",
            ));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(Error::invalid("noise", self.noise, "must be ≥ 0"));
        }
        if !self.bias.is_finite() {
            return Err(Error::invalid("bias", self.bias, "must be finite"));
        }
        let mut rng = rng::seeded(self.seed);
        let x = normal_matrix(&mut rng, self.n_samples, self.n_features);
        let informative = self.n_informative.min(self.n_features);
        let mut coef = Array1::<f64>::zeros(self.n_features);
        for c in coef.iter_mut().take(informative) {
            *c = 100.0 * rng.gen::<f64>();
        }
        let mut y = x.dot(&coef) + self.bias;
        if self.noise > 0.0 {
            for v in y.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut rng);
                *v += self.noise * z;
            }
        }
        let mut data = Dataset::new(x, y)?;
        if self.shuffle {
            data = shuffled_rows(data, &mut rng)?;
            let mut columns: Vec<usize> = (0..self.n_features).collect();
            columns.shuffle(&mut rng);
            data.records = data.records.select(Axis(1), &columns);
            coef = coef.select(Axis(0), &columns);
        }
        Ok((data, coef))
    }
}
