use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::AsRecords;
use crate::distributed::{Collective, Shard};
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rng;
use crate::traits::{Estimator, Hyperparams, Predict};
use crate::validate;

hyperparams! {
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
    /// let model = KMeans::params().n_clusters(2).seed(7).fit(&x)?;
    /// let labels = model.predict(&x)?;
    /// assert_eq!(labels[0], labels[1]);
    /// assert_ne!(labels[0], labels[2]);
    /// assert!((model.inertia() - 0.01).abs() < 1e-12); // 4 × 0.05²
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct KMeans {
        /// The number of clusters (≥ 1, at most the number of samples; default 8).
        pub(crate) n_clusters: usize = 8, valid |k| *k >= 1, "must be at least 1";
        /// Number of k-means++ starts; the run with the lowest inertia is kept (default 1).
        pub(crate) n_init: usize = 1, valid |n| *n >= 1, "must be at least 1";
        /// Maximum Lloyd iterations per start (default 300).
        pub(crate) max_iter: usize = 300, valid |n| *n >= 1, "must be at least 1";
        /// Relative tolerance on centre movement (see the type's documentation; default 1e-4).
        pub(crate) tol: f64 = 1e-4, valid |t| t.is_finite() && *t >= 0.0, "must be finite and ≥ 0";
        /// Random seed (default 0).
        pub(crate) seed: u64 = 0;
        /// Assignment algorithm (default [`KMeansAlgorithm::Auto`]).
        pub(crate) algorithm: KMeansAlgorithm = KMeansAlgorithm::Auto;
    }
}

/// How the iterations assign points to centres. Both give the same clustering from the same
/// start: Hamerly's bounds only skip distance computations that cannot change an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KMeansAlgorithm {
    /// Hamerly for k ≥ 2, Lloyd for k = 1 (nothing to skip).
    #[default]
    Auto,
    /// Every point against every centre, every iteration: O(n·k·d) per iteration.
    Lloyd,
    /// Hamerly (2010): per point an upper bound on the distance to its centre and a lower bound
    /// on the distance to the second-closest; a point is re-examined only when the bounds
    /// overlap. One lower bound per point (O(n) memory), so it suits the small k of the elbow
    /// method; after the first iterations most points skip all k distances.
    Hamerly,
}

impl KMeans {
    /// The checks that need the data: no more clusters than samples.
    fn check_data(&self, n_samples: usize) -> Result<()> {
        self.check()?;
        if self.n_clusters > n_samples {
            return Err(Error::invalid(
                "n_clusters",
                self.n_clusters,
                format!("cannot exceed the number of samples ({n_samples})"),
            ));
        }
        Ok(())
    }
}

/// Rows per parallel block.
const BLOCK: usize = 2048;

/// Squared Euclidean distance, with four independent partial sums so the additions do not
/// wait on each other (one chain of d dependent adds is what limits a distance at small d).
#[inline]
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let (mut acc, n) = ([0.0f64; 4], a.len().min(b.len()));
    let (head_a, tail_a) = a[..n].split_at(n - n % 4);
    let (head_b, tail_b) = b[..n].split_at(n - n % 4);
    for (x, y) in head_a.chunks_exact(4).zip(head_b.chunks_exact(4)) {
        for j in 0..4 {
            let t = x[j] - y[j];
            acc[j] += t * t;
        }
    }
    let tail: f64 = tail_a
        .iter()
        .zip(tail_b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
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
/// A sum over fixed blocks added in block order (thread-count independent).
fn block_sum(v: &[f64]) -> f64 {
    v.par_chunks(BLOCK)
        .map(|b| b.iter().sum::<f64>())
        .collect::<Vec<f64>>()
        .iter()
        .sum()
}

fn kmeans_plusplus(rows: &[&[f64]], k: usize, d: usize, rng: &mut rng::Rng) -> Vec<f64> {
    let n = rows.len();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centres = Vec::with_capacity(k * d);
    let first = rng.gen_range(0..n);
    centres.extend_from_slice(rows[first]);
    let mut closest: Vec<f64> = rows.par_iter().map(|r| sq_dist(r, rows[first])).collect();
    let mut potential = block_sum(&closest);
    for _ in 1..k {
        // Candidates drawn with probability ∝ squared distance to the nearest centre: the
        // block holding the target is found from the blocks' sums, then scanned.
        let block_sums: Vec<f64> = closest.par_chunks(BLOCK).map(|b| b.iter().sum()).collect();
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                if potential <= 0.0 {
                    return rng.gen_range(0..n);
                }
                let target = rng.gen::<f64>() * potential;
                let mut acc = 0.0;
                for (b, &sum) in block_sums.iter().enumerate() {
                    if acc + sum > target || b + 1 == block_sums.len() {
                        for (i, &c) in closest[b * BLOCK..].iter().take(BLOCK).enumerate() {
                            acc += c;
                            if acc > target {
                                return b * BLOCK + i;
                            }
                        }
                        return (b * BLOCK + BLOCK).min(n) - 1;
                    }
                    acc += sum;
                }
                n - 1
            })
            .collect();
        // Every candidate's potential from one pass over fixed blocks of rows (each row read
        // once for all candidates), block sums added in block order; only the best
        // candidate's distances are then kept.
        let per_block: Vec<Vec<f64>> = closest
            .par_chunks(BLOCK)
            .zip(rows.par_chunks(BLOCK))
            .map(|(cl, rs)| {
                let mut sums = vec![0.0; candidates.len()];
                for (&old, r) in cl.iter().zip(rs) {
                    for (s, &c) in sums.iter_mut().zip(&candidates) {
                        *s += old.min(sq_dist(r, rows[c]));
                    }
                }
                sums
            })
            .collect();
        let (best, best_potential) = candidates
            .iter()
            .enumerate()
            .map(|(j, &c)| (c, per_block.iter().map(|b| b[j]).sum::<f64>()))
            .fold(None, |best: Option<(usize, f64)>, cand| match best {
                Some(b) if b.1 <= cand.1 => Some(b),
                _ => Some(cand),
            })
            .unwrap_or((0, potential));
        closest
            .par_iter_mut()
            .zip(rows.par_iter())
            .for_each(|(old, r)| *old = old.min(sq_dist(r, rows[best])));
        potential = best_potential;
        centres.extend_from_slice(rows[best]);
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
        let shift = update_centres(rows, &mut centres, &a.sums, &a.counts, &a.distances, d);
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

/// New centres from an assignment's sums; an empty cluster takes the point farthest from its
/// centre (`distances` are exact squared distances). Returns the summed squared movement.
fn update_centres(
    rows: &[&[f64]],
    centres: &mut [f64],
    sums: &[f64],
    counts: &[usize],
    distances: &[f64],
    d: usize,
) -> f64 {
    let mut new = vec![0.0; centres.len()];
    for c in 0..counts.len() {
        if counts[c] > 0 {
            for j in 0..d {
                new[c * d + j] = sums[c * d + j] / counts[c] as f64;
            }
        } else {
            let far = distances
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
    let shift = new
        .iter()
        .zip(centres.iter())
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    centres.copy_from_slice(&new);
    shift
}

/// Hamerly's bounds for one point: its label, an upper bound on the distance to its centre
/// and a lower bound on the distance to every other centre (plain distances, not squared).
#[derive(Clone, Copy)]
struct Bounds {
    label: usize,
    upper: f64,
    lower: f64,
}

/// The closest and second-closest centre of `row`: (label, distance, second distance).
fn two_closest(row: &[f64], centres: &[f64], k: usize, d: usize) -> (usize, f64, f64) {
    let (mut best, mut best_d, mut second_d) = (0, f64::INFINITY, f64::INFINITY);
    for c in 0..k {
        let dist = sq_dist(row, &centres[c * d..(c + 1) * d]);
        if dist < best_d {
            second_d = best_d;
            best = c;
            best_d = dist;
        } else if dist < second_d {
            second_d = dist;
        }
    }
    (best, best_d.sqrt(), second_d.sqrt())
}

/// Lloyd's iterations with Hamerly's bounds: the same assignments (so the same centres, labels
/// and inertia) as [`lloyd`] from the same start, with most distance computations skipped.
/// Blocks of rows keep their partial sums, added in block order: thread-count independent.
fn hamerly(
    rows: &[&[f64]],
    mut centres: Vec<f64>,
    k: usize,
    d: usize,
    max_iter: usize,
    tol: f64,
) -> Run {
    let mut bounds: Vec<Bounds> = rows
        .par_iter()
        .map(|row| {
            let (label, upper, lower) = two_closest(row, &centres, k, d);
            Bounds {
                label,
                upper,
                lower,
            }
        })
        .collect();
    let mut n_iter = 0;
    for iteration in 0..max_iter {
        n_iter += 1;
        if iteration > 0 {
            reassign(&mut bounds, rows, &centres, k, d);
        }
        // Cluster sums over fixed blocks, added in block order.
        let partial: Vec<(Vec<f64>, Vec<usize>)> = bounds
            .par_chunks(BLOCK)
            .zip(rows.par_chunks(BLOCK))
            .map(|(bounds, rows)| {
                let (mut sums, mut counts) = (vec![0.0; k * d], vec![0usize; k]);
                for (b, row) in bounds.iter().zip(rows) {
                    counts[b.label] += 1;
                    sums[b.label * d..(b.label + 1) * d]
                        .iter_mut()
                        .zip(row.iter())
                        .for_each(|(s, v)| *s += v);
                }
                (sums, counts)
            })
            .collect();
        let (mut sums, mut counts) = (vec![0.0; k * d], vec![0usize; k]);
        for (s, c) in partial {
            sums.iter_mut().zip(&s).for_each(|(t, v)| *t += v);
            counts.iter_mut().zip(&c).for_each(|(t, v)| *t += v);
        }
        let old = centres.clone();
        let shift = if counts.contains(&0) {
            // Rare: an empty cluster needs exact distances to find the farthest point.
            let exact = assign(rows, &centres, k, d);
            let shift = update_centres(rows, &mut centres, &sums, &counts, &exact.distances, d);
            // The moved centre invalidates the bounds: recompute them exactly.
            bounds
                .par_iter_mut()
                .zip(rows.par_iter())
                .for_each(|(b, row)| {
                    let (label, upper, lower) = two_closest(row, &centres, k, d);
                    *b = Bounds {
                        label,
                        upper,
                        lower,
                    };
                });
            shift
        } else {
            update_centres(rows, &mut centres, &sums, &counts, &[], d)
        };
        move_bounds(&mut bounds, &old, &centres, k, d);
        if shift <= tol {
            break;
        }
    }
    // The last update moved the centres: one more bounded assignment gives exactly the labels
    // Lloyd's final full pass would, without measuring every centre.
    reassign(&mut bounds, rows, &centres, k, d);
    // Inertia from each point's own centre, summed over fixed blocks in order (the same
    // numbers, in the same order, as Lloyd's final pass).
    let inertia: f64 = bounds
        .par_chunks(BLOCK)
        .zip(rows.par_chunks(BLOCK))
        .map(|(bounds, rows)| {
            bounds
                .iter()
                .zip(rows)
                .map(|(b, row)| sq_dist(row, &centres[b.label * d..(b.label + 1) * d]))
                .fold(0.0, |acc, v| acc + v)
        })
        .collect::<Vec<f64>>()
        .iter()
        .sum();
    Run {
        labels: bounds.iter().map(|b| b.label).collect(),
        centres,
        inertia,
        n_iter,
    }
}

/// Hamerly's assignment step: a point is re-examined only when its upper bound exceeds both its
/// lower bound and half the distance from its centre to the nearest other centre (closer than
/// that, no other centre can win); then its bound is tightened, and only if that does not
/// settle it are all k distances measured.
fn reassign(bounds: &mut [Bounds], rows: &[&[f64]], centres: &[f64], k: usize, d: usize) {
    let half: Vec<f64> = (0..k)
        .map(|c| {
            (0..k)
                .filter(|&o| o != c)
                .map(|o| sq_dist(&centres[c * d..(c + 1) * d], &centres[o * d..(o + 1) * d]))
                .fold(f64::INFINITY, f64::min)
                .sqrt()
                / 2.0
        })
        .collect();
    bounds
        .par_chunks_mut(BLOCK)
        .zip(rows.par_chunks(BLOCK))
        .for_each(|(bounds, rows)| {
            for (b, row) in bounds.iter_mut().zip(rows) {
                let limit = half[b.label].max(b.lower);
                if b.upper <= limit {
                    continue;
                }
                b.upper = sq_dist(row, &centres[b.label * d..(b.label + 1) * d]).sqrt();
                if b.upper <= limit {
                    continue;
                }
                let (label, upper, lower) = two_closest(row, centres, k, d);
                *b = Bounds {
                    label,
                    upper,
                    lower,
                };
            }
        });
}

/// Moves the bounds with the centres: a point's upper bound grows by its centre's movement,
/// its lower bound shrinks by the largest movement of any other centre.
fn move_bounds(bounds: &mut [Bounds], old: &[f64], centres: &[f64], k: usize, d: usize) {
    let moved: Vec<f64> = (0..k)
        .map(|c| sq_dist(&old[c * d..(c + 1) * d], &centres[c * d..(c + 1) * d]).sqrt())
        .collect();
    let (mut far, mut far_by) = (0, 0.0);
    for (c, &m) in moved.iter().enumerate() {
        if m > far_by {
            (far, far_by) = (c, m);
        }
    }
    let second = moved
        .iter()
        .enumerate()
        .filter(|&(c, _)| c != far)
        .map(|(_, &m)| m)
        .fold(0.0, f64::max);
    bounds.par_iter_mut().for_each(|b| {
        b.upper += moved[b.label];
        b.lower -= if b.label == far { second } else { far_by };
    });
}

impl<D: AsRecords + ?Sized> Estimator<D> for KMeans {
    type Fitted = FittedKMeans;

    fn fit(&self, data: &D) -> Result<FittedKMeans> {
        let x = data.as_records();
        validate::check_records(x, "records")?;
        self.check_data(x.nrows())?;
        let x = x.as_standard_layout();
        let rows = validate::row_slices(&x);
        let (k, d) = (self.n_clusters, x.ncols());
        let mean_variance = crate::linalg::column_variances(x.view())
            .mean()
            .unwrap_or(0.0);
        let tol = self.tol * mean_variance;
        self.best_of_inits(k, d, data.feature_names(), |rng| {
            let start = kmeans_plusplus(&rows, k, d, rng);
            match self.algorithm {
                KMeansAlgorithm::Lloyd => lloyd(&rows, start, k, d, self.max_iter, tol),
                KMeansAlgorithm::Auto if k == 1 => lloyd(&rows, start, k, d, self.max_iter, tol),
                _ => hamerly(&rows, start, k, d, self.max_iter, tol),
            }
        })
    }
}

impl KMeans {
    /// The run of lowest inertia among `n_init` runs (`run` from each start's generator), as
    /// the fitted model.
    fn best_of_inits(
        &self,
        k: usize,
        d: usize,
        feature_names: Vec<String>,
        mut run: impl FnMut(&mut rng::Rng) -> Run,
    ) -> Result<FittedKMeans> {
        let mut best: Option<Run> = None;
        for init in 0..self.n_init {
            let run = run(&mut rng::derived(self.seed, init as u64));
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
            feature_names,
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

    /// The feature names of the data it was fitted on.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
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
        let rows = validate::row_slices(&x);
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
            return Err(Error::invalid_model(format!(
                "k-means: a label beyond its {} centres",
                self.centres.nrows()
            )));
        }
        Ok(())
    }
}

impl KMeans {
    /// Fits on `shard`, this process's share of the rows, with the other processes of
    /// `collective` fitting on theirs (every process calls it): k-means++ seeding draws over
    /// all the rows (the same draws on every process; each candidate row comes from the
    /// process that holds it), and each Lloyd iteration adds the per-cluster sums and counts
    /// across processes. Every process gets the same centres, inertia and iteration count —
    /// one process's fit on the concatenated rows, to the rounding of sums grouped by process
    /// (relative 1e-12 in practice); each process's `labels` are those of its own rows.
    /// Lloyd's algorithm runs whatever [`KMeans::algorithm`] says (Hamerly's bounds change no
    /// result). Shards must share their columns (checked on every process; see
    /// [`crate::distributed`]).
    pub fn fit_distributed<D: AsRecords + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedKMeans> {
        let x = shard.as_records();
        let names = shard.feature_names();
        let place = crate::distributed::agree_records(collective, x, &names, || self.check())?;
        self.check_data(place.total)?;
        let x = x.as_standard_layout();
        let rows = validate::row_slices(&x);
        let (k, d) = (self.n_clusters, x.ncols());
        let world = World {
            collective,
            place,
            d,
        };
        // The tolerance from the mean column variance of all the rows (two passes).
        let mut sums = crate::linalg::column_means(x.view())
            .mapv(|m| m * x.nrows() as f64)
            .to_vec();
        collective.all_sum(&mut sums);
        let means: Vec<f64> = sums.iter().map(|s| s / place.total.max(1) as f64).collect();
        let mut squares: Vec<f64> = (0..d)
            .map(|j| {
                rows.iter()
                    .map(|r| (r[j] - means[j]) * (r[j] - means[j]))
                    .sum()
            })
            .collect();
        collective.all_sum(&mut squares);
        let mean_variance = squares.iter().sum::<f64>() / (place.total.max(1) * d.max(1)) as f64;
        let tol = self.tol * mean_variance;
        self.best_of_inits(k, d, names, |rng| {
            let start = world.plusplus(&rows, k, rng);
            world.lloyd(&rows, start, k, self.max_iter, tol)
        })
    }
}

/// The processes of a data-parallel K-means and this one's place among them.
struct World<'c, C: Collective> {
    collective: &'c C,
    place: Shard,
    d: usize,
}

impl<C: Collective> World<'_, C> {
    /// The rows of all the rows numbered `wanted` (in that order), each sent by the process
    /// that holds it.
    fn fetch(&self, rows: &[&[f64]], wanted: &[usize]) -> Vec<Vec<f64>> {
        let (lo, hi) = (self.place.offset, self.place.offset + self.place.rows);
        let mut mine = Vec::new();
        for (j, &g) in wanted.iter().enumerate() {
            if (lo..hi).contains(&g) {
                mine.push(j as f64);
                mine.extend_from_slice(rows[g - lo]);
            }
        }
        let mut out = vec![Vec::new(); wanted.len()];
        for part in self.collective.all_gather(&mine) {
            for entry in part.chunks_exact(self.d + 1) {
                out[entry[0] as usize] = entry[1..].to_vec();
            }
        }
        out
    }

    /// Greedy k-means++ over every process's rows: [`kmeans_plusplus`] with the potential, the
    /// draws and the candidates' potentials taken over all the rows.
    fn plusplus(&self, rows: &[&[f64]], k: usize, rng: &mut rng::Rng) -> Vec<f64> {
        let (n, total) = (rows.len(), self.place.total);
        let collective = self.collective;
        let trials = 2 + (k as f64).ln().floor() as usize;
        let first = self.fetch(rows, &[rng.gen_range(0..total)]).remove(0);
        let mut centres = first.clone();
        let mut closest: Vec<f64> = rows.par_iter().map(|r| sq_dist(r, &first)).collect();
        for _ in 1..k {
            // Each process's share of the potential, in rank order.
            let shares: Vec<f64> = collective
                .all_gather(&[block_sum(&closest)])
                .iter()
                .map(|p| p[0])
                .collect();
            let potential: f64 = shares.iter().sum();
            let wanted: Vec<usize> = (0..trials)
                .map(|_| {
                    if potential <= 0.0 {
                        return rng.gen_range(0..total);
                    }
                    let mut target = rng.gen::<f64>() * potential;
                    // The process whose share holds the target, then the row within it.
                    let mut owner = shares.len() - 1;
                    for (r, &share) in shares.iter().enumerate() {
                        if target < share {
                            owner = r;
                            break;
                        }
                        if r + 1 < shares.len() {
                            target -= share;
                        }
                    }
                    if owner != collective.rank() {
                        return usize::MAX;
                    }
                    let mut acc = 0.0;
                    for (i, &c) in closest.iter().enumerate() {
                        acc += c;
                        if acc > target {
                            return self.place.offset + i;
                        }
                    }
                    self.place.offset + n - 1
                })
                .collect();
            // Each drawn row's number is known to its owner: agree on them, then fetch.
            let mut numbers: Vec<f64> = wanted
                .iter()
                .map(|&w| if w == usize::MAX { 0.0 } else { w as f64 + 1.0 })
                .collect();
            collective.all_sum_whole(&mut numbers);
            let wanted: Vec<usize> = numbers
                .iter()
                .map(|&w| (w as usize).saturating_sub(1))
                .collect();
            let candidates = self.fetch(rows, &wanted);
            let mut potentials: Vec<f64> = candidates
                .iter()
                .map(|c| {
                    closest
                        .par_chunks(BLOCK)
                        .zip(rows.par_chunks(BLOCK))
                        .map(|(cl, rs)| {
                            cl.iter()
                                .zip(rs)
                                .map(|(&old, r)| old.min(sq_dist(r, c)))
                                .sum::<f64>()
                        })
                        .collect::<Vec<f64>>()
                        .iter()
                        .sum()
                })
                .collect();
            collective.all_sum(&mut potentials);
            let best =
                (0..candidates.len())
                    .fold(0, |b, j| if potentials[j] < potentials[b] { j } else { b });
            closest
                .par_iter_mut()
                .zip(rows.par_iter())
                .for_each(|(old, r)| *old = old.min(sq_dist(r, &candidates[best])));
            centres.extend_from_slice(&candidates[best]);
        }
        centres
    }

    /// Lloyd's iterations over every process's rows: per-cluster sums and counts added across
    /// processes; an empty cluster takes the row farthest from its centre among all of them.
    fn lloyd(
        &self,
        rows: &[&[f64]],
        mut centres: Vec<f64>,
        k: usize,
        max_iter: usize,
        tol: f64,
    ) -> Run {
        let (collective, d) = (self.collective, self.d);
        let mut n_iter = 0;
        for _ in 0..max_iter {
            n_iter += 1;
            let mut a = assign(rows, &centres, k, d);
            collective.all_sum(&mut a.sums);
            let mut counts: Vec<f64> = a.counts.iter().map(|&c| c as f64).collect();
            collective.all_sum_whole(&mut counts);
            let mut new = vec![0.0; k * d];
            for c in 0..k {
                if counts[c] > 0.0 {
                    for j in 0..d {
                        new[c * d + j] = a.sums[c * d + j] / counts[c];
                    }
                } else {
                    // The farthest row of all: each process's farthest, the first largest wins.
                    let (far, far_d) = a.distances.iter().enumerate().fold(
                        (0, f64::NEG_INFINITY),
                        |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                    );
                    let all = collective.all_gather(&[far_d, (self.place.offset + far) as f64]);
                    let winner = all
                        .iter()
                        .fold(&all[0], |b, p| if p[0] > b[0] { p } else { b });
                    let row = self.fetch(rows, &[winner[1] as usize]).remove(0);
                    new[c * d..(c + 1) * d].copy_from_slice(&row);
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
        let a = assign(rows, &centres, k, d);
        let mut inertia = [a.inertia];
        collective.all_sum(&mut inertia);
        Run {
            centres,
            labels: a.labels,
            inertia: inertia[0],
            n_iter,
        }
    }
}
