use ndarray::{Array1, Axis};
use rayon::prelude::*;
use serde::Serialize;

use super::kmeans::{FittedKMeans, KMeans};
use crate::dataset::AsRecords;
use crate::error::{Error, Result};
use crate::metrics;
use crate::rng;
use crate::traits::{Estimator, Hyperparams};
use crate::validate;

hyperparams! {
    /// Chooses the number of clusters: fits K-means for k = 1..=k_max (in parallel) and finds the
    /// elbow of the inertia curve with Kneedle, confirmed by the silhouette.
    ///
    /// **Kneedle** (Satopää et al. 2011, as the `kneed` package): normalise k and the curve to
    /// [0, 1], flip the decreasing convex curve into an increasing concave one, take the difference
    /// curve `d = y − x`; at each local maximum of `d` set the threshold `d_max − S·mean(Δx)` and
    /// declare the knee when `d` falls below it before the next maximum.
    ///
    /// Two choices differ from textbook usage, each for a reason measured on `make_blobs` data:
    /// * the curve is **log(inertia)**: with well-separated clusters inertia spans orders of
    ///   magnitude, the first drop dominates the linear normalisation, and Kneedle on the raw curve
    ///   puts the knee at k = 2–3 for 5 or 8 blobs; on the log curve it finds 3, 5 and 8;
    /// * a knee counts as a **clear elbow** only if the silhouette at that k reaches
    ///   `min_silhouette` (0.5, Kaufman & Rousseeuw's "reasonable structure"): any smooth convex
    ///   curve has a Kneedle knee, including that of a single uniform cloud (silhouette ≈ 0.15–0.4),
    ///   which must report no elbow rather than invent one.
    ///
    /// The silhouette is computed on at most `silhouette_sample` records (a seeded sample, as
    /// scikit-learn's `sample_size`), since it costs O(n²).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Elbow {
        /// Tries k = 1..=k_max (at least 3; default 10).
        pub(crate) k_max: usize = 10, valid |k| *k >= 3, "must be at least 3 to find an elbow";
        /// Kneedle sensitivity `S` (default 1; larger is more conservative).
        pub(crate) sensitivity: f64 = 1.0, valid |s| s.is_finite() && *s > 0.0, "must be > 0";
        /// Silhouette a knee needs to count as a clear elbow (default 0.5).
        pub(crate) min_silhouette: f64 = 0.5;
        /// Largest number of records used for the silhouette (at least 3; default 2000).
        pub(crate) silhouette_sample: usize = 2000, valid |n| *n >= 3, "must be at least 3";
        /// K-means++ starts per k (default 3, so one unlucky start does not bend the curve).
        pub(crate) n_init: usize = 3, valid |n| *n >= 1, "must be at least 1";
        /// Random seed (each k derives its own; default 0).
        pub(crate) seed: u64 = 0;
    }
}

impl Elbow {
    /// The checks that need the data: k_max cannot exceed the number of samples.
    fn check_data(&self, n_samples: usize) -> Result<()> {
        self.check()?;
        if self.k_max > n_samples {
            return Err(Error::invalid(
                "k_max",
                self.k_max,
                format!("cannot exceed the number of samples ({n_samples})"),
            ));
        }
        Ok(())
    }
}

/// The outcome of [`Elbow`]: the whole curve, the chosen k (or none) and why.
#[derive(Debug, Clone, Serialize)]
pub struct ElbowResult {
    /// The k values tried, 1..=k_max.
    pub ks: Vec<usize>,
    /// Inertia (sum of squared distances) per k.
    pub inertia: Vec<f64>,
    /// Silhouette per k (`None` for k = 1, where it is undefined).
    pub silhouette: Vec<Option<f64>>,
    /// The Kneedle knee of log(inertia), if the curve has one.
    pub knee: Option<usize>,
    /// The height of the difference curve at the knee (0–1; larger is a sharper bend).
    pub knee_strength: Option<f64>,
    /// The chosen k: the knee, when its silhouette confirms it; `None` = no clear elbow.
    pub chosen_k: Option<usize>,
    /// The k with the highest silhouette.
    pub best_silhouette_k: usize,
    /// A sentence saying how `chosen_k` was decided.
    pub reason: String,
    /// The fitted models, one per k.
    #[serde(skip)]
    pub models: Vec<FittedKMeans>,
}

impl ElbowResult {
    /// The fitted model for the chosen k (or the silhouette's best k when there is no elbow).
    pub fn model(&self) -> &FittedKMeans {
        let k = self.chosen_k.unwrap_or(self.best_silhouette_k);
        &self.models[k - 1]
    }
}

/// Kneedle on a decreasing convex curve: the index of the knee and the difference-curve height
/// there.
pub fn kneedle_decreasing_convex(x: &[f64], y: &[f64], sensitivity: f64) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 3 || y.len() != n {
        return None;
    }
    let (x_lo, x_hi) = (x[0], x[n - 1]);
    let y_hi = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let y_lo = y.iter().copied().fold(f64::INFINITY, f64::min);
    let spans = (x_hi - x_lo, y_hi - y_lo);
    if !(spans.0.is_finite() && spans.1.is_finite()) || spans.0 <= 0.0 || spans.1 <= 0.0 {
        return None;
    }
    let xn: Vec<f64> = x.iter().map(|v| (v - x_lo) / (x_hi - x_lo)).collect();
    // Normalise, then flip: a decreasing convex curve becomes increasing concave.
    let d: Vec<f64> = y
        .iter()
        .zip(&xn)
        .map(|(v, xv)| (1.0 - (v - y_lo) / (y_hi - y_lo)) - xv)
        .collect();
    let step = sensitivity * (xn[n - 1] - xn[0]) / (n - 1) as f64;
    let maxima: Vec<usize> = (1..n - 1)
        .filter(|&i| d[i] >= d[i - 1] && d[i] >= d[i + 1])
        .collect();
    for (m, &i) in maxima.iter().enumerate() {
        let threshold = d[i] - step;
        let next = maxima.get(m + 1).copied().unwrap_or(n);
        if (i + 1..n)
            .take_while(|&j| j < next)
            .any(|j| d[j] < threshold)
        {
            return Some((i, d[i]));
        }
    }
    None
}

impl Elbow {
    /// Fits K-means for every k and chooses one: a model selection, not a model, so it returns
    /// a report ([`ElbowResult`], with every fitted model) rather than implementing `Estimator`.
    pub fn select<D: AsRecords + ?Sized + Sync>(&self, data: &D) -> Result<ElbowResult> {
        let x = data.as_records();
        validate::check_records(x, "records")?;
        self.check_data(x.nrows())?;
        let ks: Vec<usize> = (1..=self.k_max).collect();
        let models: Vec<FittedKMeans> = ks
            .par_iter()
            .map(|&k| {
                KMeans::params()
                    .n_clusters(k)
                    .n_init(self.n_init)
                    .seed(rng::splitmix64(self.seed ^ k as u64))
                    .fit(data)
            })
            .collect::<Result<_>>()?;
        let inertia: Vec<f64> = models.iter().map(FittedKMeans::inertia).collect();

        // One seeded sample of rows serves every k's silhouette.
        let n = x.nrows();
        let rows = rng::sample_rows(n, self.silhouette_sample, self.seed);
        let xs = x.select(Axis(0), &rows);
        let silhouette: Vec<Option<f64>> = models
            .par_iter()
            .map(|m| {
                let labels: Array1<usize> = rows.iter().map(|&i| m.labels()[i]).collect();
                metrics::silhouette(xs.view(), labels.view()).ok()
            })
            .collect();
        Ok(self.conclude(ks, inertia, silhouette, models))
    }

    /// The elbow of the inertia curve, confirmed by the silhouettes (see [`Elbow::select`]).
    fn conclude(
        &self,
        ks: Vec<usize>,
        inertia: Vec<f64>,
        silhouette: Vec<Option<f64>>,
        models: Vec<FittedKMeans>,
    ) -> ElbowResult {
        let best_silhouette_k = silhouette
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i + 1, s)))
            .fold(
                (2, f64::NEG_INFINITY),
                |b, (k, s)| if s > b.1 { (k, s) } else { b },
            )
            .0;

        let xk: Vec<f64> = ks.iter().map(|&k| k as f64).collect();
        let log_inertia: Vec<f64> = inertia.iter().map(|v| v.max(1e-300).ln()).collect();
        let knee = kneedle_decreasing_convex(&xk, &log_inertia, self.sensitivity);
        let (chosen_k, reason) = match knee {
            None => (
                None,
                "no clear elbow: Kneedle finds no knee in the log-inertia curve".to_string(),
            ),
            Some((i, strength)) => {
                let k = ks[i];
                match silhouette[i] {
                    Some(s) if s >= self.min_silhouette => (
                        Some(k),
                        format!(
                            "elbow at k = {k}: Kneedle knee of log(inertia) (strength {strength:.2}), \
                             confirmed by silhouette {s:.2} ≥ {}",
                            self.min_silhouette
                        ),
                    ),
                    Some(s) => (
                        None,
                        format!(
                            "no clear elbow: Kneedle's knee at k = {k} has silhouette {s:.2} < {} \
                             (no real cluster structure, e.g. one uniform cloud)",
                            self.min_silhouette
                        ),
                    ),
                    None => (None, format!("no clear elbow: the knee at k = {k} has no silhouette")),
                }
            }
        };
        ElbowResult {
            ks,
            inertia,
            silhouette,
            knee: knee.map(|(i, _)| i + 1),
            knee_strength: knee.map(|(_, s)| s),
            chosen_k,
            best_silhouette_k,
            reason,
            models,
        }
    }

    /// [`Elbow::select`] on `shard`, this process's share of the rows, with the other
    /// processes of `collective` on theirs (every process calls it): each k is one
    /// [`KMeans::fit_distributed`] (one after another), and the silhouettes are computed on the
    /// same seeded sample of all the rows, gathered from the processes that hold them, so
    /// every process reaches the one-process choice. Each model's labels are its own rows'.
    pub fn select_distributed<D: AsRecords + ?Sized>(
        &self,
        shard: &D,
        collective: &impl crate::distributed::Collective,
    ) -> Result<ElbowResult> {
        let x = shard.as_records();
        let names = shard.feature_names();
        let place = crate::distributed::agree_records(collective, x, &names, || self.check())?;
        self.check_data(place.total)?;
        let ks: Vec<usize> = (1..=self.k_max).collect();
        let models: Vec<FittedKMeans> = ks
            .iter()
            .map(|&k| {
                KMeans::params()
                    .n_clusters(k)
                    .n_init(self.n_init)
                    .seed(rng::splitmix64(self.seed ^ k as u64))
                    .fit_distributed(shard, collective)
            })
            .collect::<Result<_>>()?;
        let inertia: Vec<f64> = models.iter().map(FittedKMeans::inertia).collect();
        // The sampled rows of all the rows and every model's labels of them, from their owners.
        let rows = rng::sample_rows(place.total, self.silhouette_sample, self.seed);
        let (d, lo) = (x.ncols(), place.offset);
        let width = 1 + d + models.len();
        let mut mine = Vec::new();
        for (j, &g) in rows.iter().enumerate() {
            if (lo..lo + place.rows).contains(&g) {
                mine.push(j as f64);
                mine.extend(x.row(g - lo).iter().copied());
                mine.extend(models.iter().map(|m| m.labels()[g - lo] as f64));
            }
        }
        let mut xs = ndarray::Array2::zeros((rows.len(), d));
        let mut labels = vec![Array1::<usize>::zeros(rows.len()); models.len()];
        for part in collective.all_gather(&mine) {
            for entry in part.chunks_exact(width) {
                let j = entry[0] as usize;
                xs.row_mut(j)
                    .assign(&ndarray::ArrayView1::from(&entry[1..=d]));
                for (m, l) in labels.iter_mut().enumerate() {
                    l[j] = entry[1 + d + m] as usize;
                }
            }
        }
        let silhouette: Vec<Option<f64>> = labels
            .par_iter()
            .map(|l| metrics::silhouette(xs.view(), l.view()).ok())
            .collect();
        Ok(self.conclude(ks, inertia, silhouette, models))
    }
}
