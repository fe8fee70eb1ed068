//! The split finder of gradient statistics: for a leaf's histogram, the threshold of each
//! feature that gains the most, `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (twice the drop of the
//! second-order approximation of the loss; LightGBM's and XGBoost's gain), with missing values
//! tried on either side. Features are weighed in order and the first of equal gains is kept,
//! so the choice does not depend on how features are shared out between threads (or, in a
//! feature-parallel learner, between processes).

use rayon::prelude::*;

use super::dataset::{BinMapper, WideFeature, MAX_BINS};
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
    /// For a split of a categorical feature, the bins going left (`bin` is then unused);
    /// its missing bin always goes right.
    pub left_bins: Option<BinSet>,
    /// For a split of a wide categorical feature (more than 255 categories, several code
    /// columns; `feature` is its first column), the merged bins going left, chosen among all
    /// its categories at once.
    pub left_merged: Option<MergedSet>,
}

/// A set of a wide categorical feature's merged bins (at most 4,096; see
/// [`WideFeature`](super::dataset::WideFeature)), the left side of its split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedSet([u64; 64]);

impl Default for MergedSet {
    fn default() -> Self {
        Self([0; 64])
    }
}

impl MergedSet {
    /// Adds merged bin `b` (below 4,096).
    pub fn insert(&mut self, b: usize) {
        self.0[(b >> 6) & 63] |= 1 << (b & 63);
    }

    /// Whether merged bin `m` is in the set.
    #[inline(always)]
    pub fn contains(&self, m: u16) -> bool {
        self.0[usize::from(m >> 6) & 63] >> (m & 63) & 1 == 1
    }

    /// The merged bins, ascending.
    pub fn bins(&self) -> impl Iterator<Item = usize> + '_ {
        (0..4096).filter(|&b| self.contains(b as u16))
    }
}

/// What the categorical rules choose among a feature's category bins: the first `taken` bins
/// of the first `sorted` entries of the order they filled (from its end if `reverse`); one
/// category against the rest is the one-entry order.
struct Choice {
    reverse: bool,
    taken: usize,
    sorted: usize,
}

impl Choice {
    /// The chosen bins, from `keyed`, the order [`SplitFinder::categorical_choice`] filled.
    fn bins<'k>(&self, keyed: &'k [(f64, u16)]) -> impl Iterator<Item = usize> + 'k {
        let (order, reverse) = (&keyed[..self.sorted], self.reverse);
        (0..self.taken).map(move |k| {
            usize::from(if reverse {
                order[order.len() - 1 - k].1
            } else {
                order[k].1
            })
        })
    }
}

/// A set of a feature's bins (at most 256), the left side of a categorical split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BinSet([u64; 4]);

impl BinSet {
    /// Adds bin `b`.
    pub fn insert(&mut self, b: usize) {
        self.0[b >> 6] |= 1 << (b & 63);
    }

    /// Whether code `c` is in the set.
    #[inline(always)]
    pub fn contains(&self, c: u8) -> bool {
        self.0[usize::from(c >> 6)] >> (c & 63) & 1 == 1
    }

    /// The set as four 64-bit words (bin `b` is bit `b % 64` of word `b / 64`).
    pub fn words(&self) -> [u64; 4] {
        self.0
    }

    /// The set of [`BinSet::words`].
    pub fn from_words(words: [u64; 4]) -> Self {
        Self(words)
    }

    /// The bins, ascending.
    pub fn bins(&self) -> impl Iterator<Item = usize> + '_ {
        (0..256).filter(|&b| self.contains(b as u8))
    }
}

/// How categorical features are split (LightGBM's parameters and defaults). A feature with at
/// most `max_cat_to_onehot` categories is split one category against the rest; one with more
/// has its categories sorted by `G / (H + cat_smooth)` (only those with at least `cat_smooth`
/// rows take part), and the first `k` of that order in either direction go left, for `k` up to
/// `max_cat_threshold` and half the categories, each candidate adding at least
/// `min_data_per_group` rows to the previous one and weighed with `cat_l2` added to the L2
/// penalty. Missing values and categories without a bin go right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CategoricalRules {
    /// Most categories split one against the rest (LightGBM default 4).
    pub max_cat_to_onehot: usize,
    /// Smoothing of the sort key and fewest rows of a sorted category (default 10).
    pub cat_smooth: f64,
    /// Extra L2 penalty of many-against-many splits (default 10).
    pub cat_l2: f64,
    /// Most categories on the left of a many-against-many split (default 32).
    pub max_cat_threshold: usize,
    /// Fewest rows between two candidates of the sorted scan (default 100).
    pub min_data_per_group: f64,
}

impl Default for CategoricalRules {
    fn default() -> Self {
        Self {
            max_cat_to_onehot: 4,
            cat_smooth: 10.0,
            cat_l2: 10.0,
            max_cat_threshold: 32,
            min_data_per_group: 100.0,
        }
    }
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

#[derive(Clone)]
pub struct SplitFinder<'a> {
    /// The thresholds (bin counts, missing bins).
    pub mapper: &'a BinMapper,
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
    /// How categorical features are split.
    pub categorical: CategoricalRules,
    /// The categorical features with several code columns, split on all their categories at
    /// once.
    pub wide: &'a [WideFeature],
}

impl SplitFinder<'_> {
    fn score(&self, g: f64, h: f64) -> f64 {
        g * g / (h + self.lambda)
    }

    /// Whether `leaf` may be split at all (depth and size limits).
    fn splittable(&self, leaf: &Leaf) -> bool {
        self.max_depth.is_none_or(|d| leaf.depth < d) && leaf.count >= 2.0 * self.min_leaf
    }

    /// The best split of `leaf` on this finder's features, before the gain threshold of
    /// [`SplitFinder::best_split`] (for blocks of features weighed together).
    pub fn best_unfiltered(&self, leaf: &Leaf) -> Option<Candidate> {
        self.splittable(leaf)
            .then(|| self.best_among(leaf, &self.features))
            .flatten()
    }

    pub fn best_split(&self, leaf: &Leaf) -> Option<Candidate> {
        let best = self
            .splittable(leaf)
            .then(|| self.best_among(leaf, &self.features));
        self.worth_it(best.flatten())
    }

    /// `candidate` if it gains more than `min_gain_to_split` (and more than rounding noise).
    pub fn worth_it(&self, candidate: Option<Candidate>) -> Option<Candidate> {
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
            let m = self.mapper.n_bins(f);
            let start = self.offsets[f];
            let bins = &leaf.hist.0[start..start + m];
            if self.mapper.is_categorical(f) {
                if let Some(wide) = self.wide.iter().find(|w| w.columns.contains(&f)) {
                    // A wide feature is weighed once, with its first column.
                    if wide.columns[0] != f {
                        return best;
                    }
                    return better(best, self.wide_split(leaf, wide, total, parent));
                }
                return better(best, self.categorical_split(bins, total, parent, f));
            }
            let missing = if self.mapper.missing[f] {
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

    /// The Newton criterion over one feature's `bins` of a leaf with sums `total` and score
    /// `parent`.
    fn newton<'b>(&self, bins: &'b [[f64; 3]], total: [f64; 3], parent: f64) -> Newton<'b> {
        Newton {
            bins,
            total,
            parent,
            g_scale: self.g_scale,
            h_scale: self.h_scale,
            lambda: self.lambda,
            min_leaf: self.min_leaf,
        }
    }

    /// The best of the first `n` thresholds of one feature: threshold `b` sends `start` (the
    /// missing bin's sums, or nothing) and the value bins `0..=b` left, weighed by the Newton
    /// gain through the shared [`best_threshold`] scan.
    fn scan(
        &self,
        bins: &[[f64; 3]],
        start: [f64; 3],
        total: [f64; 3],
        parent: f64,
        feature: usize,
        n: usize,
    ) -> Option<Candidate> {
        let mut newton = self.newton(bins, total, parent);
        let mut left = start;
        let (bin, gain) = best_threshold(&mut newton, &mut left, n)?;
        // The left sums at the winning threshold, added in the scan's order.
        let mut sums = start;
        for b in bins.iter().take(bin + 1).filter(|b| b[2] != 0.0) {
            newton.add_bin(&mut sums, b);
        }
        Some(Candidate {
            gain,
            feature,
            bin,
            left_g: sums[0],
            left_h: sums[1],
            left_count: sums[2],
            missing_left: start[2] > 0.0,
            saw_missing: start[2] > 0.0 || n == bins.len(),
            left_bins: None,
            left_merged: None,
        })
    }

    /// The best split of categorical feature `feature` (value bins `bins`; its missing bin
    /// always goes right), by [`CategoricalRules`]: LightGBM's
    /// `FindBestThresholdCategoricalInner`.
    fn categorical_split(
        &self,
        bins: &[[f64; 3]],
        total: [f64; 3],
        parent: f64,
        feature: usize,
    ) -> Option<Candidate> {
        // The sorted order in a buffer on the stack: this runs for every categorical feature
        // of every new leaf.
        let mut keyed = [(0.0f64, 0u16); MAX_BINS];
        let (gain, choice) = self.categorical_choice(bins, total, parent, &mut keyed)?;
        let mut set = BinSet::default();
        choice.bins(&keyed).for_each(|b| set.insert(b));
        let sums = self.left_sums(bins, total, parent, set.bins());
        Some(Candidate {
            left_bins: Some(set),
            ..categorical_candidate(gain, feature, sums)
        })
    }

    /// The best split of a wide categorical feature: its categories of every code column
    /// weighed together (as LightGBM, which keeps one bin per category), the chosen ones as
    /// merged bins.
    fn wide_split(
        &self,
        leaf: &Leaf,
        wide: &WideFeature,
        total: [f64; 3],
        parent: f64,
    ) -> Option<Candidate> {
        let k = wide.columns.len();
        let mut bins = Vec::with_capacity(wide.starts[k]);
        for (j, &c) in wide.columns.iter().enumerate() {
            let start = self.offsets[c];
            bins.extend_from_slice(
                &leaf.hist.0[start..start + wide.starts[j + 1] - wide.starts[j]],
            );
        }
        let mut keyed = vec![(0.0f64, 0u16); bins.len()];
        let (gain, choice) = self.categorical_choice(&bins, total, parent, &mut keyed)?;
        let mut set = MergedSet::default();
        choice.bins(&keyed).for_each(|b| set.insert(b));
        let sums = self.left_sums(&bins, total, parent, set.bins());
        Some(Candidate {
            left_merged: Some(set),
            ..categorical_candidate(gain, wide.columns[0], sums)
        })
    }

    /// The left sums of the chosen `left` bins, in bin order.
    fn left_sums(
        &self,
        bins: &[[f64; 3]],
        total: [f64; 3],
        parent: f64,
        left: impl Iterator<Item = usize>,
    ) -> [f64; 3] {
        let newton = self.newton(bins, total, parent);
        let mut sums = [0.0; 3];
        for b in left {
            newton.add_bin(&mut sums, &bins[b]);
        }
        sums
    }

    /// What [`CategoricalRules`] choose among category `bins` and what it gains; `keyed`
    /// (at least as long as `bins`) receives the order the choice reads (the sorted
    /// categories, or the one category against the rest).
    fn categorical_choice(
        &self,
        bins: &[[f64; 3]],
        total: [f64; 3],
        parent: f64,
        keyed: &mut [(f64, u16)],
    ) -> Option<(f64, Choice)> {
        let rules = &self.categorical;
        let mut newton = self.newton(bins, total, parent);
        if bins.len() <= rules.max_cat_to_onehot {
            // One category against the rest: the first of equal gains.
            let mut best: Option<(f64, usize)> = None;
            for (b, bin) in bins.iter().enumerate() {
                if bin[2] == 0.0 {
                    continue;
                }
                if let Verdict::Gain(gain) = newton.weigh(bin) {
                    if best.is_none_or(|(g, _)| gain > g) {
                        best = Some((gain, b));
                    }
                }
            }
            let (gain, b) = best?;
            keyed[0] = (gain, b as u16);
            let one = Choice {
                reverse: false,
                taken: 1,
                sorted: 1,
            };
            return Some((gain, one));
        }
        // The categories with enough rows, sorted by G / (H + cat_smooth) (keys computed
        // once, ties by bin).
        let (gs, hs) = (self.g_scale, self.h_scale);
        let mut m = 0;
        for (b, bin) in bins.iter().enumerate() {
            if bin[2] >= rules.cat_smooth && bin[2] > 0.0 {
                keyed[m] = (bin[0] * gs / (bin[1] * hs + rules.cat_smooth), b as u16);
                m += 1;
            }
        }
        let order = &mut keyed[..m];
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let most = rules.max_cat_threshold.min(m.div_ceil(2));
        newton.lambda = self.lambda + rules.cat_l2;
        // (gain, from the end of the order, how many categories go left).
        let mut best: Option<(f64, bool, usize)> = None;
        for reverse in [false, true] {
            let mut left = [0.0; 3];
            let mut group = 0.0;
            for k in 0..m.min(most) {
                let b = usize::from(if reverse {
                    order[m - 1 - k].1
                } else {
                    order[k].1
                });
                newton.add_bin(&mut left, &bins[b]);
                group += bins[b][2];
                let (hl, cr) = (left[1] * hs, total[2] - left[2]);
                let hr = (total[1] - left[1]) * hs;
                if left[2] < self.min_leaf || hl < MIN_HESSIAN {
                    continue;
                }
                if cr < self.min_leaf || hr < MIN_HESSIAN {
                    break;
                }
                if group < rules.min_data_per_group {
                    continue;
                }
                group = 0.0;
                if let Verdict::Gain(gain) = newton.weigh(&left) {
                    if best.is_none_or(|(g, _, _)| gain > g) {
                        best = Some((gain, reverse, k + 1));
                    }
                }
            }
        }
        let (gain, reverse, taken) = best?;
        let sorted = m;
        Some((
            gain,
            Choice {
                reverse,
                taken,
                sorted,
            },
        ))
    }
}

/// A categorical split's candidate without its set: missing values always go right.
fn categorical_candidate(gain: f64, feature: usize, sums: [f64; 3]) -> Candidate {
    Candidate {
        gain,
        feature,
        bin: 0,
        left_g: sums[0],
        left_h: sums[1],
        left_count: sums[2],
        missing_left: false,
        saw_missing: true,
        left_bins: None,
        left_merged: None,
    }
}

/// What a split criterion says of a threshold, given the sums of the rows left of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Not allowed (a side too small); later thresholds may be.
    Skip,
    /// Not allowed, and no later threshold can be (the right side is already too small).
    Stop,
    /// Allowed, with this gain.
    Gain(f64),
}

/// A split criterion over one feature's bins, in bin order: the left sums grow bin by bin and
/// the criterion weighs each threshold. Boosting's Newton gain ([`Newton`]) and CART's impurity
/// criteria (Gini, entropy, squared error, in `depthwise`) implement it; [`best_threshold`] is
/// the one scan both use.
pub trait ThresholdCriterion {
    /// One bin's entry.
    type Bin: ?Sized;
    /// The sums of the rows left of a threshold.
    type Sums: ?Sized;
    /// Whether `bin` holds no row (its threshold repeats the previous one).
    fn is_empty(&self, bin: &Self::Bin) -> bool;
    /// Adds `bin` to the left sums.
    fn add_bin(&self, left: &mut Self::Sums, bin: &Self::Bin);
    /// Weighs the threshold with `left` on its left.
    fn weigh(&mut self, left: &Self::Sums) -> Verdict;
    /// Bin `b` of the feature being scanned.
    fn bin(&self, b: usize) -> &Self::Bin;
}

/// The best of the first `n` thresholds of one feature (threshold `b` sends bins `0..=b` left,
/// on top of what `left` already holds): `(b, gain)`, the first of equal gains. An empty bin is
/// skipped, since its split is the previous one's.
#[inline]
pub fn best_threshold<C: ThresholdCriterion>(
    criterion: &mut C,
    left: &mut C::Sums,
    n: usize,
) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for b in 0..n {
        let bin = criterion.bin(b);
        if criterion.is_empty(bin) {
            continue;
        }
        criterion.add_bin(left, bin);
        match criterion.weigh(left) {
            Verdict::Stop => break,
            Verdict::Gain(gain) => keep_first_best(&mut best, b, gain),
            Verdict::Skip => {}
        }
    }
    best
}

/// Keeps `(b, gain)` if it gains strictly more than `best` (so the first of equal gains stays).
#[inline]
pub fn keep_first_best(best: &mut Option<(usize, f64)>, b: usize, gain: f64) {
    if best.is_none_or(|(_, g)| gain > g) {
        *best = Some((b, gain));
    }
}

/// Boosting's criterion: `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` on (g, h, count) sums in
/// histogram units, with at least `min_leaf` rows and `MIN_HESSIAN` hessian on each side. One
/// division per threshold: `G_L²/D_L + G_R²/D_R = (G_L²·D_R + G_R²·D_L) / (D_L·D_R)`.
pub struct Newton<'a> {
    bins: &'a [[f64; 3]],
    total: [f64; 3],
    parent: f64,
    g_scale: f64,
    h_scale: f64,
    lambda: f64,
    min_leaf: f64,
}

impl ThresholdCriterion for Newton<'_> {
    type Bin = [f64; 3];
    type Sums = [f64; 3];

    #[inline(always)]
    fn is_empty(&self, bin: &[f64; 3]) -> bool {
        bin[2] == 0.0
    }

    #[inline(always)]
    fn add_bin(&self, left: &mut [f64; 3], bin: &[f64; 3]) {
        left[0] += bin[0];
        left[1] += bin[1];
        left[2] += bin[2];
    }

    #[inline(always)]
    fn weigh(&mut self, left: &[f64; 3]) -> Verdict {
        let [g, h, c] = *left;
        let (gs, hs, total) = (self.g_scale, self.h_scale, self.total);
        let (gr, hr, cr) = ((total[0] - g) * gs, (total[1] - h) * hs, total[2] - c);
        let (gl, hl) = (g * gs, h * hs);
        let ok = (c >= self.min_leaf)
            & (cr >= self.min_leaf)
            & (hl >= MIN_HESSIAN)
            & (hr >= MIN_HESSIAN);
        let (dl, dr) = (hl + self.lambda, hr + self.lambda);
        let gain = (gl * gl * dr + gr * gr * dl) / (dl * dr) - self.parent;
        // A gain that is not a number never wins (as against an initial best of −∞).
        if ok && gain > f64::NEG_INFINITY {
            Verdict::Gain(gain)
        } else {
            Verdict::Skip
        }
    }

    #[inline(always)]
    fn bin(&self, b: usize) -> &[f64; 3] {
        &self.bins[b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gain of every threshold by hand, against the scan: the best one wins, an empty bin
    /// (which repeats the previous threshold) is never chosen, a side below `min_leaf` rows is
    /// skipped.
    #[test]
    fn the_shared_scan_picks_the_threshold_a_brute_force_search_picks() {
        // (g, h, count) per bin; bin 2 is empty.
        let bins = [
            [-4.0, 2.0, 4.0],
            [-1.0, 1.0, 2.0],
            [0.0, 0.0, 0.0],
            [3.0, 1.5, 3.0],
            [2.0, 1.0, 2.0],
        ];
        let total = bins
            .iter()
            .fold([0.0; 3], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
        let lambda = 0.5;
        let score = |g: f64, h: f64| g * g / (h + lambda);
        let parent = score(total[0], total[1]);
        let newton = |min_leaf: f64| Newton {
            bins: &bins,
            total,
            parent,
            g_scale: 1.0,
            h_scale: 1.0,
            lambda,
            min_leaf,
        };
        for min_leaf in [1.0, 4.0, 7.0] {
            let mut newton = newton(min_leaf);
            let mut left = [0.0; 3];
            let got = best_threshold(&mut newton, &mut left, bins.len() - 1);
            let mut expected: Option<(usize, f64)> = None;
            let mut acc = [0.0; 3];
            for (b, bin) in bins.iter().enumerate().take(bins.len() - 1) {
                acc = [acc[0] + bin[0], acc[1] + bin[1], acc[2] + bin[2]];
                let right = [total[0] - acc[0], total[1] - acc[1], total[2] - acc[2]];
                if bin[2] == 0.0 || acc[2] < min_leaf || right[2] < min_leaf {
                    continue;
                }
                let gain = score(acc[0], acc[1]) + score(right[0], right[1]) - parent;
                if expected.is_none_or(|(_, g)| gain > g + 1e-12) {
                    expected = Some((b, gain));
                }
            }
            match (got, expected) {
                (Some((b, g)), Some((eb, eg))) => {
                    assert_eq!(b, eb, "min_leaf {min_leaf}");
                    assert!((g - eg).abs() < 1e-9, "{g} vs {eg}");
                }
                (None, None) => {}
                other => panic!("min_leaf {min_leaf}: {other:?}"),
            }
        }
        // No side can hold 7 of the 11 rows and leave 7: no split at all.
        assert_eq!(best_threshold(&mut newton(7.0), &mut [0.0; 3], 4), None);
    }
}
