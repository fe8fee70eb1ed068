//! The split finder of gradient statistics: for a leaf's histogram, the threshold of each
//! feature that gains the most, `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (twice the drop of the
//! second-order approximation of the loss; LightGBM's and XGBoost's gain), with missing values
//! tried on either side. Features are weighed in order and the first of equal gains is kept,
//! so the choice does not depend on how features are shared out between threads (or, in a
//! feature-parallel learner, between processes).

use rayon::prelude::*;

use super::dataset::BinnedData;
use super::histogram::Histogram;

/// A candidate split of a leaf.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// What the split gains.
    pub gain: f64,
    /// The feature.
    pub feature: usize,
    /// Value bins `0..=bin` go left.
    pub bin: usize,
    /// Gradient sum of the left child.
    pub left_g: f64,
    /// Hessian sum of the left child.
    pub left_h: f64,
    /// Rows in the left child.
    pub left_count: f64,
    /// Whether the missing bin goes left.
    pub missing_left: bool,
    /// Whether the leaf had rows with a missing value of `feature`.
    pub saw_missing: bool,
}

/// `b` if it gains strictly more than `a` (so the first of equal gains is kept).
pub fn better(a: Option<Candidate>, b: Option<Candidate>) -> Option<Candidate> {
    match (a, b) {
        (Some(a), Some(b)) if b.gain > a.gain => Some(b),
        (None, b) => b,
        (a, _) => a,
    }
}

/// Smallest hessian sum of a child (LightGBM's `min_sum_hessian_in_leaf`).
const MIN_HESSIAN: f64 = 1e-3;

/// A leaf being grown: its rows (a range of the index array), sums, depth, histogram and best
/// split.
pub struct Leaf {
    /// First index of its rows in the partition.
    pub start: usize,
    /// One past the last.
    pub end: usize,
    /// Rows (over every process).
    pub count: f64,
    /// Gradient sum (histogram units).
    pub g: f64,
    /// Hessian sum (histogram units).
    pub h: f64,
    /// Depth (root = 0).
    pub depth: usize,
    /// Its node in the tree.
    pub node: usize,
    /// Its histogram.
    pub hist: Histogram,
    /// Its best split, if one is worth making.
    pub best: Option<Candidate>,
}

pub struct SplitFinder<'a> {
    /// The binned data (bin counts, missing bins).
    pub binned: &'a BinnedData,
    /// Where each feature's bins start in a histogram.
    pub offsets: &'a [usize],
    /// The features a split may use.
    pub features: Vec<usize>,
    /// Histogram unit of g (1 for exact gradients).
    pub g_scale: f64,
    /// Histogram unit of h.
    pub h_scale: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Fewest rows in a child.
    pub min_leaf: f64,
    /// Smallest gain worth a split.
    pub min_gain: f64,
    /// Depth limit.
    pub max_depth: Option<usize>,
}

impl SplitFinder<'_> {
    fn score(&self, g: f64, h: f64) -> f64 {
        g * g / (h + self.lambda)
    }

    /// Whether `leaf` may be split at all (depth and size limits).
    fn splittable(&self, leaf: &Leaf) -> bool {
        self.max_depth.is_none_or(|d| leaf.depth < d) && leaf.count >= 2.0 * self.min_leaf
    }

    pub fn best_split(&self, leaf: &Leaf) -> Option<Candidate> {
        let best = self
            .splittable(leaf)
            .then(|| self.best_among(leaf, &self.features));
        self.worth_it(best.flatten())
    }

    /// `candidate` if it gains more than `min_gain_to_split` (and more than rounding noise).
    fn worth_it(&self, candidate: Option<Candidate>) -> Option<Candidate> {
        candidate.filter(|c| c.gain > self.min_gain.max(1e-12))
    }

    /// The best splits of two new leaves, their features shared out between threads in
    /// consecutive runs (two per thread) and the runs' winners weighed in feature order, so the
    /// choice is the same as [`SplitFinder::best_split`]'s on any thread count. Worth it while the
    /// other threads are awake (see [`super::pool::with_awake_workers`]).
    pub fn best_splits_parallel(
        &self,
        a: &Leaf,
        b: &Leaf,
    ) -> (Option<Candidate>, Option<Candidate>) {
        let run = self
            .features
            .len()
            .div_ceil(2 * rayon::current_num_threads())
            .max(1);
        let (ok_a, ok_b) = (self.splittable(a), self.splittable(b));
        let bests: Vec<(Option<Candidate>, Option<Candidate>)> = self
            .features
            .par_chunks(run)
            .map(|fs| {
                (
                    ok_a.then(|| self.best_among(a, fs)).flatten(),
                    ok_b.then(|| self.best_among(b, fs)).flatten(),
                )
            })
            .collect();
        let (best_a, best_b) = bests.into_iter().fold((None, None), |(x, y), (ca, cb)| {
            (better(x, ca), better(y, cb))
        });
        (self.worth_it(best_a), self.worth_it(best_b))
    }

    /// The best split of `leaf` on `features`, weighed in order (the first of equal gains).
    fn best_among(&self, leaf: &Leaf, features: &[usize]) -> Option<Candidate> {
        let total = [leaf.g, leaf.h, leaf.count];
        let parent = self.score(leaf.g * self.g_scale, leaf.h * self.h_scale);
        features.iter().fold(None, |best, &f| {
            let m = self.binned.n_bins(f);
            let start = self.offsets[f];
            let bins = &leaf.hist.0[start..start + m];
            let missing = if self.binned.missing[f] {
                leaf.hist.0[start + m]
            } else {
                [0.0; 3]
            };
            if missing[2] == 0.0 {
                // No missing value here: thresholds between value bins.
                return better(best, self.scan(bins, [0.0; 3], total, parent, f, m - 1));
            }
            // Missing values right (the last threshold puts every value left, so "missing
            // or not" is a candidate too), then missing values left.
            let right = self.scan(bins, [0.0; 3], total, parent, f, m);
            let left = self.scan(bins, missing, total, parent, f, m - 1);
            better(better(best, right), left)
        })
    }

    /// The best of the first `n` thresholds of one feature: threshold `b` sends `start` (the
    /// missing bin's sums, or nothing) and the value bins `0..=b` left. One division per
    /// threshold: `G_L²/D_L + G_R²/D_R = (G_L²·D_R + G_R²·D_L) / (D_L·D_R)`.
    fn scan(
        &self,
        bins: &[[f64; 3]],
        start: [f64; 3],
        total: [f64; 3],
        parent: f64,
        feature: usize,
        n: usize,
    ) -> Option<Candidate> {
        let (mut g, mut h, mut c) = (start[0], start[1], start[2]);
        let (mut best_gain, mut best) = (f64::NEG_INFINITY, (0, 0.0, 0.0, 0.0));
        let (gs, hs) = (self.g_scale, self.h_scale);
        for (b, bin) in bins.iter().enumerate().take(n) {
            // An empty bin moves no row: its split is the previous bin's (already weighed;
            // the first of equal gains is kept).
            if bin[2] == 0.0 {
                continue;
            }
            g += bin[0];
            h += bin[1];
            c += bin[2];
            let (gr, hr, cr) = ((total[0] - g) * gs, (total[1] - h) * hs, total[2] - c);
            let (gl, hl) = (g * gs, h * hs);
            let ok = (c >= self.min_leaf)
                & (cr >= self.min_leaf)
                & (hl >= MIN_HESSIAN)
                & (hr >= MIN_HESSIAN);
            let (dl, dr) = (hl + self.lambda, hr + self.lambda);
            let gain = (gl * gl * dr + gr * gr * dl) / (dl * dr) - parent;
            if ok && gain > best_gain {
                best_gain = gain;
                best = (b, g, h, c);
            }
        }
        (best_gain > f64::NEG_INFINITY).then_some(Candidate {
            gain: best_gain,
            feature,
            bin: best.0,
            left_g: best.1,
            left_h: best.2,
            left_count: best.3,
            missing_left: start[2] > 0.0,
            saw_missing: start[2] > 0.0 || n == bins.len(),
        })
    }
}
