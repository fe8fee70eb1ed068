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
use crate::traits::Hyperparams;

fn normal_matrix(rng: &mut Rng, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || StandardNormal.sample(rng))
}

fn shuffled_rows<T: Clone>(data: Dataset<T>, rng: &mut Rng) -> Result<Dataset<T>> {
    let mut order: Vec<usize> = (0..data.n_samples()).collect();
    order.shuffle(rng);
    data.select(&order)
}

hyperparams! {
    /// Isotropic Gaussian blobs for clustering, as scikit-learn's `make_blobs`;
    /// `MakeBlobs::params()` gives 100 points in 2 dimensions around 3 centres, standard
    /// deviation 1.
    #[derive(Debug, Clone)]
    #[non_exhaustive]
    pub struct MakeBlobs {
        /// Total number of points, split evenly over the centres (default 100).
        pub n_samples: usize = 100, valid |n| *n >= 1, "must be at least 1";
        /// Dimension of each point (default 2).
        pub n_features: usize = 2, valid |n| *n >= 1, "must be at least 1";
        /// Number of blobs (1 to `n_samples`; default 3).
        pub centers: usize = 3, valid |n| *n >= 1, "must be at least 1";
        /// Standard deviation of each blob (default 1).
        pub cluster_std: f64 = 1.0, valid |s| s.is_finite() && *s >= 0.0, "must be ≥ 0";
        /// Centres are drawn uniformly from this box in every dimension (default (−10, 10)).
        pub center_box: (f64, f64) = (-10.0, 10.0),
            valid |b| b.0.is_finite() && b.1.is_finite() && b.0 < b.1, "needs finite low < high";
        /// Shuffle the points (default true).
        pub shuffle: bool = true;
        /// Random seed (default 0).
        pub seed: u64 = 0;
    }
    check check_centers;
}

impl MakeBlobs {
    fn check_centers(&self) -> Result<()> {
        if self.centers > self.n_samples {
            return Err(Error::invalid(
                "centers",
                self.centers,
                "must be between 1 and n_samples",
            ));
        }
        Ok(())
    }

    /// Generates the points; the targets are the blob indices.
    pub fn generate(&self) -> Result<Dataset<usize>> {
        Ok(self.build()?.0)
    }

    /// The centres [`MakeBlobs::generate`] draws its points around (one per row).
    pub fn centres(&self) -> Result<Array2<f64>> {
        Ok(self.build()?.1)
    }

    fn build(&self) -> Result<(Dataset<usize>, Array2<f64>)> {
        self.check()?;
        let (lo, hi) = self.center_box;
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

hyperparams! {
    /// A random n-class classification problem, as scikit-learn's `make_classification`:
    /// clusters of normally distributed points around the vertices of a hypercube in the
    /// informative subspace, plus redundant (linear combinations), repeated and useless (noise)
    /// features, and a fraction `flip_y` of labels reassigned at random.
    /// `MakeClassification::params()` gives scikit-learn's defaults.
    #[derive(Debug, Clone)]
    #[non_exhaustive]
    pub struct MakeClassification {
        /// Number of samples (default 100).
        pub n_samples: usize = 100;
        /// Total number of features (default 20).
        pub n_features: usize = 20;
        /// Features that carry the class signal (≥ 1; default 2).
        pub n_informative: usize = 2, valid |n| *n >= 1, "must be at least 1";
        /// Random linear combinations of the informative features (default 2).
        pub n_redundant: usize = 2;
        /// Copies of informative or redundant features (default 0).
        pub n_repeated: usize = 0;
        /// Number of classes (≥ 2; default 2).
        pub n_classes: usize = 2, valid |n| *n >= 2, "must be at least 2";
        /// Gaussian clusters per class (≥ 1; default 2).
        pub n_clusters_per_class: usize = 2, valid |n| *n >= 1, "must be at least 1";
        /// Fraction of labels replaced by a random class, in [0, 1] (default 0.01).
        pub flip_y: f64 = 0.01, valid |f| (0.0..=1.0).contains(f), "must lie in [0, 1]";
        /// Half the side of the hypercube: larger is easier (> 0; default 1).
        pub class_sep: f64 = 1.0, valid |c| c.is_finite() && *c > 0.0, "must be > 0";
        /// Shuffle samples and feature columns (default true).
        pub shuffle: bool = true;
        /// Random seed (default 0).
        pub seed: u64 = 0;
    }
    check check_sizes;
}

impl MakeClassification {
    /// The rules between the sizes.
    fn check_sizes(&self) -> Result<()> {
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

hyperparams! {
    /// A random linear regression problem, as scikit-learn's `make_regression`: standard normal
    /// features, `n_informative` of them with coefficients drawn from `100·U(0, 1)`, plus
    /// `bias` and Gaussian noise of standard deviation `noise`. `MakeRegression::params()`
    /// gives scikit-learn's defaults.
    #[derive(Debug, Clone)]
    #[non_exhaustive]
    pub struct MakeRegression {
        /// Number of samples (default 100).
        pub n_samples: usize = 100, valid |n| *n >= 1, "must be at least 1";
        /// Number of features (default 100).
        pub n_features: usize = 100, valid |n| *n >= 1, "must be at least 1";
        /// Features with a non-zero coefficient (default 10).
        pub n_informative: usize = 10;
        /// Intercept of the underlying model (default 0).
        pub bias: f64 = 0.0, valid |b| b.is_finite(), "must be finite";
        /// Standard deviation of the Gaussian noise added to the targets (default 0).
        pub noise: f64 = 0.0, valid |n| n.is_finite() && *n >= 0.0, "must be ≥ 0";
        /// Shuffle samples and feature columns (default true).
        pub shuffle: bool = true;
        /// Random seed (default 0).
        pub seed: u64 = 0;
    }
}

impl MakeRegression {
    /// Generates the dataset.
    pub fn generate(&self) -> Result<Dataset<f64>> {
        Ok(self.build()?.0)
    }

    /// The true coefficients behind [`MakeRegression::generate`]'s targets, in its final
    /// column order.
    pub fn coefficients(&self) -> Result<Array1<f64>> {
        Ok(self.build()?.1)
    }

    fn build(&self) -> Result<(Dataset<f64>, Array1<f64>)> {
        self.check()?;
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
