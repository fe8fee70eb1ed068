use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::AsRecords;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rng;
use crate::traits::{Estimator, Predict};
use crate::validate;

/// Hyper-parameters of K-means (Lloyd's algorithm with greedy k-means++ seeding).
///
/// Defaults follow scikit-learn: `n_init = 1` (one k-means++ start, its `"auto"`),
/// `max_iter = 300`, `tol = 1e-4` relative to the mean feature variance (the run stops when the
/// summed squared movement of the centres falls to `tol × mean variance`), seed 0.
/// [`FittedKMeans::inertia`] is the **sum** of squared distances to the nearest centre
/// (scikit-learn's `inertia_`; linfa reports the mean).
///
/// The seeding is scikit-learn's greedy k-means++: each new centre is the best of
/// `2 + ⌊ln k⌋` candidates drawn with probability proportional to the squared distance to the
/// nearest chosen centre. Assignment runs in parallel over fixed blocks of rows whose partial
/// sums are added in block order, so the result is identical for any thread count.
///
/// ```
/// use learnkit::prelude::*;
/// use learnkit::cluster::KMeans;
/// use ndarray::array;
///
/// let x = array![[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]];
/// let model = KMeans::params(2).seed(7).fit(&x)?;
/// let labels = model.predict(&x)?;
/// assert_eq!(labels[0], labels[1]);
/// assert_ne!(labels[0], labels[2]);
/// assert!((model.inertia() - 0.01).abs() < 1e-12); // 4 × 0.05²
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    n_clusters: usize,
    n_init: usize,
    max_iter: usize,
    tol: f64,
    seed: u64,
}

impl KMeans {
    /// K-means with `n_clusters` clusters and scikit-learn's defaults.
    pub fn params(n_clusters: usize) -> Self {
        Self {
            n_clusters,
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
        }
    }

    /// Number of k-means++ starts; the run with the lowest inertia is kept.
    pub fn n_init(mut self, n: usize) -> Self {
        self.n_init = n;
        self
    }

    /// Maximum Lloyd iterations per start.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }

    /// Relative tolerance on centre movement (see the type's documentation).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Random seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of clusters.
    pub fn n_clusters(&self) -> usize {
        self.n_clusters
    }

    fn check(&self, n_samples: usize) -> Result<()> {
        if self.n_clusters == 0 {
            return Err(Error::invalid("n_clusters", 0, "must be at least 1"));
        }
        if self.n_clusters > n_samples {
            return Err(Error::invalid(
                "n_clusters",
                self.n_clusters,
                format!("cannot exceed the number of samples ({n_samples})"),
            ));
        }
        if self.n_init == 0 {
            return Err(Error::invalid("n_init", 0, "must be at least 1"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "must be at least 1"));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(Error::invalid("tol", self.tol, "must be finite and ≥ 0"));
        }
        Ok(())
    }
}

/// Rows per parallel block.
const BLOCK: usize = 2048;

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The rows of a standard-layout matrix as slices.
fn row_slices<'a>(x: &'a ndarray::CowArray<'_, f64, ndarray::Ix2>) -> Vec<&'a [f64]> {
    let d = x.ncols().max(1);
    x.as_slice()
        .map(|all| all.chunks(d).collect())
        .unwrap_or_default()
}

/// One assignment pass: labels, per-cluster sums and counts, inertia, and each point's
/// squared distance to its centre.
struct Assignment {
    labels: Vec<usize>,
    sums: Vec<f64>,
    counts: Vec<usize>,
    inertia: f64,
    distances: Vec<f64>,
}

fn assign(rows: &[&[f64]], centres: &[f64], k: usize, d: usize) -> Assignment {
    let blocks: Vec<Assignment> = rows
        .par_chunks(BLOCK)
        .map(|chunk| {
            let mut out = Assignment {
                labels: Vec::with_capacity(chunk.len()),
                sums: vec![0.0; k * d],
                counts: vec![0; k],
                inertia: 0.0,
                distances: Vec::with_capacity(chunk.len()),
            };
            for row in chunk {
                let (mut best, mut best_d) = (0, f64::INFINITY);
                for c in 0..k {
                    let dist = sq_dist(row, &centres[c * d..(c + 1) * d]);
                    if dist < best_d {
                        best = c;
                        best_d = dist;
                    }
                }
                out.labels.push(best);
                out.distances.push(best_d);
                out.counts[best] += 1;
                out.inertia += best_d;
                for (s, v) in out.sums[best * d..(best + 1) * d]
                    .iter_mut()
                    .zip(row.iter())
                {
                    *s += v;
                }
            }
            out
        })
        .collect();
    let mut total = Assignment {
        labels: Vec::with_capacity(rows.len()),
        sums: vec![0.0; k * d],
        counts: vec![0; k],
        inertia: 0.0,
        distances: Vec::with_capacity(rows.len()),
    };
    for b in blocks {
        total.labels.extend(b.labels);
        total.distances.extend(b.distances);
        total.inertia += b.inertia;
        total
            .counts
            .iter_mut()
            .zip(&b.counts)
            .for_each(|(t, c)| *t += c);
        total
            .sums
            .iter_mut()
            .zip(&b.sums)
            .for_each(|(t, s)| *t += s);
    }
    total
}

/// Greedy k-means++ seeding (scikit-learn's `_kmeans_plusplus`).
fn kmeans_plusplus(rows: &[&[f64]], k: usize, d: usize, rng: &mut rng::Rng) -> Vec<f64> {
    let n = rows.len();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centres = Vec::with_capacity(k * d);
    let first = rng.gen_range(0..n);
    centres.extend_from_slice(rows[first]);
    let mut closest: Vec<f64> = rows.par_iter().map(|r| sq_dist(r, rows[first])).collect();
    let mut potential: f64 = closest.iter().sum();
    for _ in 1..k {
        // Candidates drawn with probability ∝ squared distance to the nearest centre.
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                if potential <= 0.0 {
                    return rng.gen_range(0..n);
                }
                let target = rng.gen::<f64>() * potential;
                let mut acc = 0.0;
                for (i, &c) in closest.iter().enumerate() {
                    acc += c;
                    if acc > target {
                        return i;
                    }
                }
                n - 1
            })
            .collect();
        let (best, best_closest, best_potential) = candidates
            .iter()
            .map(|&c| {
                let updated: Vec<f64> = rows
                    .par_iter()
                    .zip(&closest)
                    .map(|(r, &old)| old.min(sq_dist(r, rows[c])))
                    .collect();
                let pot: f64 = updated.iter().sum();
                (c, updated, pot)
            })
            .fold(
                None,
                |best: Option<(usize, Vec<f64>, f64)>, cand| match best {
                    Some(b) if b.2 <= cand.2 => Some(b),
                    _ => Some(cand),
                },
            )
            .unwrap_or((0, closest.clone(), potential));
        centres.extend_from_slice(rows[best]);
        closest = best_closest;
        potential = best_potential;
    }
    centres
}

struct Run {
    centres: Vec<f64>,
    labels: Vec<usize>,
    inertia: f64,
    n_iter: usize,
}

fn lloyd(
    rows: &[&[f64]],
    mut centres: Vec<f64>,
    k: usize,
    d: usize,
    max_iter: usize,
    tol: f64,
) -> Run {
    let mut n_iter = 0;
    for _ in 0..max_iter {
        n_iter += 1;
        let a = assign(rows, &centres, k, d);
        let mut new = vec![0.0; k * d];
        for c in 0..k {
            if a.counts[c] > 0 {
                for j in 0..d {
                    new[c * d + j] = a.sums[c * d + j] / a.counts[c] as f64;
                }
            } else {
                // An empty cluster takes the point farthest from its centre.
                let far = a
                    .distances
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                    )
                    .0;
                new[c * d..(c + 1) * d].copy_from_slice(rows[far]);
            }
        }
        let shift: f64 = new
            .iter()
            .zip(&centres)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        centres = new;
        if shift <= tol {
            break;
        }
    }
    // Final assignment so labels and inertia match the returned centres.
    let a = assign(rows, &centres, k, d);
    Run {
        centres,
        labels: a.labels,
        inertia: a.inertia,
        n_iter,
    }
}

impl<D: AsRecords + ?Sized> Estimator<D> for KMeans {
    type Fitted = FittedKMeans;

    fn fit(&self, data: &D) -> Result<FittedKMeans> {
        let x = data.as_records();
        validate::check_records(x, "records")?;
        self.check(x.nrows())?;
        let x = x.as_standard_layout();
        let rows = row_slices(&x);
        let (k, d) = (self.n_clusters, x.ncols());
        let mean_variance = x.var_axis(Axis(0), 0.0).mean().unwrap_or(0.0);
        let tol = self.tol * mean_variance;
        let mut best: Option<Run> = None;
        for init in 0..self.n_init {
            let mut rng = rng::derived(self.seed, init as u64);
            let start = kmeans_plusplus(&rows, k, d, &mut rng);
            let run = lloyd(&rows, start, k, d, self.max_iter, tol);
            if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
                best = Some(run);
            }
        }
        let best = best.ok_or_else(|| Error::invalid("n_init", 0, "must be at least 1"))?;
        let centres = Array2::from_shape_vec((k, d), best.centres)
            .map_err(|e| Error::shape("centres", format!("{k}×{d}"), e))?;
        Ok(FittedKMeans {
            centres,
            labels: Array1::from(best.labels),
            inertia: best.inertia,
            n_iter: best.n_iter,
            feature_names: data.feature_names(),
        })
    }
}

/// A fitted K-means model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKMeans {
    centres: Array2<f64>,
    labels: Array1<usize>,
    inertia: f64,
    n_iter: usize,
    feature_names: Vec<String>,
}

impl FittedKMeans {
    /// Cluster centres, one per row.
    pub fn centres(&self) -> &Array2<f64> {
        &self.centres
    }

    /// The cluster of each training record.
    pub fn labels(&self) -> &Array1<usize> {
        &self.labels
    }

    /// Sum of squared distances of the training records to their centres.
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// Lloyd iterations of the kept run.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Number of clusters.
    pub fn n_clusters(&self) -> usize {
        self.centres.nrows()
    }
}

impl Predict for FittedKMeans {
    type Output = usize;

    fn n_features(&self) -> usize {
        self.centres.ncols()
    }

    /// The nearest centre of each record.
    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        validate::check_predict_input(x, self.centres.ncols())?;
        let x = x.as_standard_layout();
        let rows = row_slices(&x);
        let centres = self.centres.as_standard_layout();
        let a = assign(
            &rows,
            centres.as_slice().unwrap_or(&[]),
            self.centres.nrows(),
            self.centres.ncols(),
        );
        Ok(Array1::from(a.labels))
    }
}

impl Persist for FittedKMeans {
    const KIND: &'static str = "KMeans";

    fn validate_loaded(&self) -> Result<()> {
        if self.centres.nrows() == 0 || self.labels.iter().any(|&l| l >= self.centres.nrows()) {
            return Err(Error::shape(
                "k-means labels",
                self.centres.nrows(),
                "out-of-range label",
            ));
        }
        Ok(())
    }
}
