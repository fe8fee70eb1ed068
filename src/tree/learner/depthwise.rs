//! The depth-first CART grower of decision trees and random forests.
//!
//! * The features are binned once ([`BinnedData`]): u8 codes, one contiguous column per
//!   feature.
//! * The samples of the tree (the distinct in-bag rows of a bootstrap, with their counts as
//!   weights) live in node order in one array of (row, target, weight), and a split partitions
//!   a node's range of them stably in place with the learner's shared partition, so a node's
//!   samples are always contiguous and read as one stream, and its rows stay in ascending order
//!   (the bin-code reads walk each column forward).
//! * A histogram per candidate feature ([`StatHistograms`]) accumulates, per bin, the sample
//!   count, the weight and the target statistics (class weights, or Σwy and Σwy²); the
//!   learner's threshold scan evaluates every threshold by the impurity criterion (Gini,
//!   entropy, squared error).
//! * Every node statistic and histogram passes through the [`Collective`] before it decides
//!   anything, so the grower runs unchanged on one shard of the rows per process.
//!
//! When every feature is a candidate (a plain decision tree), only the smaller child's
//! histograms are built from its samples and the larger child's are the parent's minus the
//! smaller's (sibling subtraction), so each level reads at most half the samples; big nodes
//! build their feature histograms in parallel. With per-split feature sampling (forests),
//! histograms are built for the sampled features only: with √d of d features per split that
//! reads ≈ √d·n codes per level, fewer than the d·n/2 that all-feature histograms with
//! subtraction would read (measured in `docs/trees_and_forests.md`). Nodes smaller than the
//! feature's bin count sort their codes instead of filling a histogram (one process only).

use rand::Rng as _;

use super::dataset::BinnedData;
use super::histogram::{StatHistograms, StatSample};
use super::partition::{partition, Row};
use super::split::{best_threshold, keep_first_best, BinSet, ThresholdCriterion, Verdict};
use super::tree::Tree;
use super::Collective;
use crate::rng::Rng;
use crate::tree::params::{Criterion, TreeParams};

/// The targets a tree fits.
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// Class indices below `n_classes`.
    Classes(&'a [usize], usize),
    /// Real values.
    Values(&'a [f64]),
}

/// What the engine needs of a target type: how one sample adds to a histogram entry
/// `[count, weight, stats…]`.
trait Target: Copy + Send + Sync {
    fn add(entry: &mut [f64], w: f64, y: Self);
}

/// A class index.
impl Target for u32 {
    #[inline(always)]
    fn add(entry: &mut [f64], w: f64, y: u32) {
        entry[0] += 1.0;
        entry[1] += w;
        entry[2 + y as usize] += w;
    }
}

/// A real value.
impl Target for f64 {
    #[inline(always)]
    fn add(entry: &mut [f64], w: f64, y: f64) {
        entry[0] += 1.0;
        entry[1] += w;
        entry[2] += w * y;
        entry[3] += w * y * y;
    }
}

/// Most categories of a feature split one against the rest (LightGBM's `max_cat_to_onehot`).
const ONE_HOT_CATEGORIES: usize = 4;

/// Nodes with at most this many samples are split by sorting their bin codes rather than by
/// histograms (a histogram costs bins × features whatever the node's size).
const SMALL_NODE: usize = 256;

/// Impurity of summary statistics `[count, weight, stats…]`.
fn impurity(criterion: Criterion, e: &[f64]) -> f64 {
    let w = e[1];
    if w <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => 1.0 - e[2..].iter().map(|c| (c / w) * (c / w)).sum::<f64>(),
        Criterion::Entropy => -e[2..]
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|c| (c / w) * (c / w).log2())
            .sum::<f64>(),
        Criterion::SquaredError => {
            let mean = e[2] / w;
            (e[3] / w - mean * mean).max(0.0)
        }
    }
}

/// CART's criterion over a histogram of `[count, weight, stats…]` entries of `stride` values:
/// the decrease of weighted impurity, with at least `min_leaf` samples on each side.
struct ImpurityGain<'a> {
    hist: &'a [f64],
    stride: usize,
    criterion: Criterion,
    min_leaf: f64,
    totals: &'a [f64],
    parent_impurity: f64,
    /// Scratch for the right side's statistics.
    right: &'a mut [f64],
}

impl<'a> ImpurityGain<'a> {
    /// The criterion of `params` over one feature's histogram `hist` of a node with sums
    /// `totals` and impurity `parent_impurity`; `right` is scratch of `stride` values.
    fn new(
        params: &TreeParams,
        stride: usize,
        hist: &'a [f64],
        totals: &'a [f64],
        parent_impurity: f64,
        right: &'a mut [f64],
    ) -> Self {
        Self {
            hist,
            stride,
            criterion: params.criterion,
            min_leaf: params.min_samples_leaf as f64,
            totals,
            parent_impurity,
            right,
        }
    }
}

impl ThresholdCriterion for ImpurityGain<'_> {
    type Bin = [f64];
    type Sums = [f64];

    #[inline(always)]
    fn is_empty(&self, bin: &[f64]) -> bool {
        bin[0] == 0.0
    }

    #[inline(always)]
    fn add_bin(&self, left: &mut [f64], bin: &[f64]) {
        left.iter_mut().zip(bin).for_each(|(l, e)| *l += e);
    }

    #[inline(always)]
    fn weigh(&mut self, left: &[f64]) -> Verdict {
        if left[0] < self.min_leaf {
            return Verdict::Skip;
        }
        self.right
            .iter_mut()
            .zip(self.totals.iter().zip(left))
            .for_each(|(r, (t, l))| *r = t - l);
        if self.right[0] < self.min_leaf {
            return Verdict::Stop;
        }
        if left[1] <= 0.0 || self.right[1] <= 0.0 {
            return Verdict::Skip;
        }
        Verdict::Gain(
            self.totals[1] * self.parent_impurity
                - left[1] * impurity(self.criterion, left)
                - self.right[1] * impurity(self.criterion, self.right),
        )
    }

    #[inline(always)]
    fn bin(&self, b: usize) -> &[f64] {
        &self.hist[b * self.stride..(b + 1) * self.stride]
    }
}

/// The best split found so far for a node.
#[derive(Clone, Copy)]
struct Best {
    feature: usize,
    bin: usize,
    gain: f64,
    /// The bins going left of a categorical split (`bin` is then unused).
    left_bins: Option<BinSet>,
}

fn keep_better(best: &mut Option<Best>, candidate: Option<Best>) {
    if let Some(c) = candidate {
        if best.as_ref().is_none_or(|b| c.gain > b.gain) {
            *best = Some(c);
        }
    }
}

/// A node waiting to be split: its sample range, statistics and (for full-feature trees) its
/// histograms.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    totals: Vec<f64>,
    hist: Option<Vec<f64>>,
}

/// One training sample of a tree in node order: its row, target and weight travel together
/// through the partition, so a node's histogram reads one sequential stream. The weight is a
/// bootstrap count (or 1), a small whole number that f32 holds exactly: 12 bytes a sample for
/// classes, 16 for values, instead of 16 and 24.
#[derive(Debug, Clone, Copy)]
struct Item<Y> {
    row: u32,
    w: f32,
    y: Y,
}

impl<Y: Target> Row for Item<Y> {
    #[inline(always)]
    fn row(self) -> usize {
        self.row as usize
    }
}

impl<Y: Target> StatSample for Item<Y> {
    #[inline(always)]
    fn row(self) -> usize {
        self.row as usize
    }

    #[inline(always)]
    fn add_to(self, entry: &mut [f64]) {
        Y::add(entry, f64::from(self.w), self.y);
    }
}

struct Grower<'a, Y: Target, C: Collective> {
    binned: &'a BinnedData,
    params: &'a TreeParams,
    n_try: usize,
    stride: usize,
    /// The histograms' layout and fill.
    hists: StatHistograms<'a>,
    /// Adds histograms and sums across processes.
    collective: &'a C,
    /// Whether small nodes may be split by sorting their codes (one process only: a sorted
    /// scan sees only this process's samples).
    sorted_scans: bool,
    total_weight: f64,
    rng: &'a mut Rng,
    /// Node-ordered samples.
    items: Vec<Item<Y>>,
    /// Scratch for the partition.
    scratch: Vec<Item<Y>>,
    /// Scratch for feature histograms, sorted codes and the feature order.
    buffer: Vec<f64>,
    sorted: Vec<(u8, u32)>,
    order: Vec<usize>,
    left: Vec<f64>,
    right: Vec<f64>,
}

impl<Y: Target, C: Collective> Grower<'_, Y, C> {
    fn all_features(&self) -> bool {
        self.n_try >= self.binned.mapper.n_original()
    }

    /// Every feature's histogram of the samples `start..end`, summed over the processes.
    fn build_all(&self, start: usize, end: usize) -> Vec<f64> {
        let mut hist = self.hists.fill_all(&self.items[start..end]);
        self.collective.all_sum(&mut hist);
        hist
    }

    /// The best threshold of one feature's histogram, if any split is allowed (the learner's
    /// shared threshold scan, weighed by the impurity criterion).
    fn scan(
        &mut self,
        f: usize,
        hist: &[f64],
        totals: &[f64],
        parent_impurity: f64,
    ) -> Option<Best> {
        let n_bins = hist.len() / self.stride;
        self.left.iter_mut().for_each(|v| *v = 0.0);
        let mut gain = ImpurityGain::new(
            self.params,
            self.stride,
            hist,
            totals,
            parent_impurity,
            &mut self.right,
        );
        best_threshold(&mut gain, &mut self.left, n_bins.saturating_sub(1)).map(|(bin, gain)| {
            Best {
                feature: f,
                bin,
                gain,
                left_bins: None,
            }
        })
    }

    /// The best split of feature `f` from its histogram: by category sets for a categorical
    /// feature, by thresholds otherwise.
    fn scan_feature(
        &mut self,
        f: usize,
        hist: &[f64],
        totals: &[f64],
        parent_impurity: f64,
    ) -> Option<Best> {
        if self.binned.mapper.is_categorical(f) {
            self.scan_categorical(f, hist, totals, parent_impurity)
        } else {
            self.scan(f, hist, totals, parent_impurity)
        }
    }

    /// The best split of categorical feature `f` (its histogram `hist`; the bin after its
    /// value bins holds rare categories and always goes right): each category against the
    /// rest when there are at most [`ONE_HOT_CATEGORIES`], else the best point of the
    /// categories sorted by mean target (values, or the share of class 1 of two classes:
    /// Breiman's order, in which the best subset is a prefix) or by their share of the node's
    /// most frequent class (more classes: a heuristic).
    fn scan_categorical(
        &mut self,
        f: usize,
        hist: &[f64],
        totals: &[f64],
        parent_impurity: f64,
    ) -> Option<Best> {
        let s = self.stride;
        let m = self.binned.n_bins(f);
        let present: Vec<usize> = (0..m).filter(|&b| hist[b * s] > 0.0).collect();
        let mut gain = ImpurityGain::new(
            self.params,
            s,
            hist,
            totals,
            parent_impurity,
            &mut self.right,
        );
        let mut best: Option<(f64, usize, bool)> = None; // (gain, bins of `order` left, one-hot)
        let mut order = present;
        if order.len() <= ONE_HOT_CATEGORIES {
            for (k, &b) in order.iter().enumerate() {
                self.left.copy_from_slice(gain.bin(b));
                if let Verdict::Gain(g) = gain.weigh(&self.left) {
                    if best.is_none_or(|(bg, _, _)| g > bg) {
                        best = Some((g, k, true));
                    }
                }
            }
        } else {
            // The class whose share orders the categories: class 1 of two, else the node's
            // most frequent one; a value's mean for regression.
            let stat = match self.params.criterion {
                Criterion::SquaredError => 2,
                _ if s == 4 => 3,
                _ => {
                    2 + (0..s - 2)
                        .max_by(|&a, &b| totals[2 + a].total_cmp(&totals[2 + b]).then(b.cmp(&a)))
                        .unwrap_or(0)
                }
            };
            // Each key computed once, ties by bin.
            let mut keyed: Vec<(f64, usize)> = order
                .iter()
                .map(|&b| {
                    (
                        hist[b * s + stat] / hist[b * s + 1].max(f64::MIN_POSITIVE),
                        b,
                    )
                })
                .collect();
            keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order = keyed.into_iter().map(|(_, b)| b).collect();
            self.left.iter_mut().for_each(|v| *v = 0.0);
            for (k, &b) in order[..order.len() - 1].iter().enumerate() {
                gain.add_bin(&mut self.left, gain.bin(b));
                match gain.weigh(&self.left) {
                    Verdict::Stop => break,
                    Verdict::Gain(g) => {
                        if best.is_none_or(|(bg, _, _)| g > bg) {
                            best = Some((g, k, false));
                        }
                    }
                    Verdict::Skip => {}
                }
            }
        }
        let (gain, k, one_hot) = best?;
        let mut set = BinSet::default();
        if one_hot {
            set.insert(order[k]);
        } else {
            order[..=k].iter().for_each(|&b| set.insert(b));
        }
        Some(Best {
            feature: f,
            bin: 0,
            gain,
            left_bins: Some(set),
        })
    }

    /// The best threshold of one feature for a small node, by sorting the node's bin codes
    /// instead of filling a histogram: same candidates, same order, same result, but the cost
    /// follows the node's size rather than the number of bins. `None` in the outer option
    /// means the feature is constant in the node.
    fn scan_sorted(&mut self, f: usize, p: &Pending, parent_impurity: f64) -> Option<Option<Best>> {
        let codes = self.binned.feature(f);
        self.sorted.clear();
        self.sorted.extend(
            self.items[p.start..p.end]
                .iter()
                .enumerate()
                .map(|(k, item)| (codes[item.row as usize], (p.start + k) as u32)),
        );
        self.sorted.sort_unstable_by_key(|q| q.0);
        if self.sorted.first().map(|q| q.0) == self.sorted.last().map(|q| q.0) {
            return None;
        }
        self.left.iter_mut().for_each(|v| *v = 0.0);
        let (params, stride) = (self.params, self.stride);
        let mut gain = ImpurityGain::new(
            params,
            stride,
            &[],
            &p.totals,
            parent_impurity,
            &mut self.right,
        );
        let mut best: Option<(usize, f64)> = None;
        for k in 0..self.sorted.len() - 1 {
            let j = self.sorted[k].1 as usize;
            Y::add(&mut self.left, f64::from(self.items[j].w), self.items[j].y);
            if self.sorted[k + 1].0 == self.sorted[k].0 {
                continue;
            }
            match gain.weigh(&self.left) {
                Verdict::Stop => break,
                Verdict::Gain(g) => keep_first_best(&mut best, self.sorted[k].0 as usize, g),
                Verdict::Skip => {}
            }
        }
        Some(best.map(|(bin, gain)| Best {
            feature: f,
            bin,
            gain,
            left_bins: None,
        }))
    }

    fn is_constant(hist: &[f64], stride: usize) -> bool {
        hist.chunks(stride).filter(|e| e[0] > 0.0).count() <= 1
    }

    /// Finds the best split of a node: from its histograms when it has them (big nodes of a
    /// full-feature tree), else feature by feature — in random order, at least `n_try` of them,
    /// more while no valid split has been found (scikit-learn's rule) — each by a histogram or,
    /// when the node has fewer samples than the feature has bins, by sorting its codes.
    fn best_split(&mut self, p: &Pending, parent_impurity: f64) -> Option<Best> {
        let n_features = self.binned.n_features();
        let mut best: Option<Best> = None;
        if let Some(h) = &p.hist {
            for f in 0..n_features {
                let hist = &h[self.hists.offsets[f]..self.hists.offsets[f + 1]];
                let candidate = self.scan_feature(f, hist, &p.totals, parent_impurity);
                keep_better(&mut best, candidate);
            }
            return best;
        }
        let sample = !self.all_features();
        self.order.clear();
        self.order.extend(0..n_features);
        let mut visited_non_constant = 0;
        // Samples over every process, so that all of them choose alike.
        let n = p.totals[0] as usize;
        for k in 0..n_features {
            if sample && visited_non_constant >= self.n_try && best.is_some() {
                break;
            }
            if sample {
                let j = self.rng.gen_range(k..n_features);
                self.order.swap(k, j);
            }
            let f = self.order[k];
            let categorical = self.binned.mapper.is_categorical(f);
            let candidate =
                if self.sorted_scans && !categorical && (n < self.binned.n_bins(f) || !sample) {
                    match self.scan_sorted(f, p, parent_impurity) {
                        None => continue,
                        Some(c) => c,
                    }
                } else {
                    let len = self.hists.offsets[f + 1] - self.hists.offsets[f];
                    let mut buffer = std::mem::take(&mut self.buffer);
                    buffer.resize(len, 0.0);
                    self.hists.fill(f, &self.items[p.start..p.end], &mut buffer);
                    self.collective.all_sum(&mut buffer);
                    let c = if Self::is_constant(&buffer, self.stride) {
                        None
                    } else {
                        Some(self.scan_feature(f, &buffer, &p.totals, parent_impurity))
                    };
                    self.buffer = buffer;
                    match c {
                        None => continue,
                        Some(c) => c,
                    }
                };
            visited_non_constant += 1;
            keep_better(&mut best, candidate);
        }
        best
    }

    /// Stable in-place partition of `start..end` (bins ≤ `best.bin` of its feature go left, or
    /// a categorical split's bins, with the learner's shared partition); returns the first
    /// index of the right part and both sides' statistics, each summed in sample order.
    fn partition(&mut self, start: usize, end: usize, best: &Best) -> (usize, Vec<f64>, Vec<f64>) {
        let codes = self.binned.feature(best.feature);
        let bin = best.bin as u8;
        let items = &mut self.items[start..end];
        let write = match best.left_bins {
            Some(set) => partition(items, &mut self.scratch, codes, |c| set.contains(c)),
            None => partition(items, &mut self.scratch, codes, |c| c <= bin),
        };
        let mid = start + write;
        // Both sides' sums in one call to the collective.
        let s = self.stride;
        let mut sums = vec![0.0; 2 * s];
        for item in &self.items[start..mid] {
            item.add_to(&mut sums[..s]);
        }
        for item in &self.items[mid..end] {
            item.add_to(&mut sums[s..]);
        }
        self.collective.all_sum(&mut sums);
        let right = sums.split_off(s);
        (mid, sums, right)
    }

    fn grow(mut self, value: impl Fn(&[f64], &mut Vec<f64>)) -> Tree {
        let criterion = self.params.criterion;
        let n = self.items.len();
        let mut totals = vec![0.0; self.stride];
        for item in &self.items {
            item.add_to(&mut totals);
        }
        self.collective.all_sum(&mut totals);
        self.total_weight = totals[1].max(f64::MIN_POSITIVE);
        // Every decision counts samples over every process: totals[0], not a local length.
        let count = |totals: &[f64]| totals[0] as usize;
        let root_hist =
            (self.all_features() && count(&totals) > SMALL_NODE).then(|| self.build_all(0, n));
        let mut values = Vec::new();
        value(&totals, &mut values);
        let mut tree = Tree::new(values.len(), self.binned.mapper.n_original());
        tree.push_leaf(
            count(&totals),
            totals[1],
            impurity(criterion, &totals),
            &values,
        );
        let mut stack = vec![Pending {
            node: 0,
            start: 0,
            end: n,
            depth: 0,
            totals,
            hist: root_hist,
        }];
        while let Some(p) = stack.pop() {
            let node_impurity = impurity(criterion, &p.totals);
            let size = count(&p.totals);
            let can_split = size >= self.params.min_samples_split
                && size >= 2 * self.params.min_samples_leaf
                && self.params.max_depth.is_none_or(|m| p.depth < m)
                && node_impurity > 1e-12;
            if !can_split {
                continue;
            }
            let Some(best) = self.best_split(&p, node_impurity) else {
                continue;
            };
            // scikit-learn's min_impurity_decrease: weighted by the node's share of the data.
            let decrease = best.gain / self.total_weight;
            if best.gain <= 1e-12 * p.totals[1].max(1.0)
                || decrease < self.params.min_impurity_decrease
            {
                continue;
            }
            let (mid, left_totals, right_totals) = self.partition(p.start, p.end, &best);
            let left_id = tree.n_nodes();
            let mut child_impurity = [0.0; 2];
            for (side, totals) in [&left_totals, &right_totals].into_iter().enumerate() {
                value(totals, &mut values);
                child_impurity[side] = impurity(criterion, totals);
                tree.push_leaf(count(totals), totals[1], child_impurity[side], &values);
            }
            tree.add_importance(
                self.binned.mapper.original(best.feature),
                p.totals[1] * node_impurity
                    - left_totals[1] * child_impurity[0]
                    - right_totals[1] * child_impurity[1],
            );
            let mapper = &self.binned.mapper;
            match (best.left_bins, mapper.categories(best.feature)) {
                (Some(set), Some(categories)) => {
                    let left: Vec<u32> = set.bins().map(|b| categories[b]).collect();
                    let f = mapper.original(best.feature);
                    tree.set_categorical_split(p.node, f, &left, left_id);
                }
                _ => tree.set_split(
                    p.node,
                    best.feature,
                    mapper.edges[best.feature][best.bin],
                    left_id,
                    true,
                ),
            }
            // Children's histograms: build the smaller, subtract for the larger — only for
            // children big enough to use them (small nodes scan sorted codes instead).
            let (n_left, n_right) = (count(&left_totals), count(&right_totals));
            let (left_hist, right_hist) = match p.hist {
                Some(mut large) if n_left.max(n_right) > SMALL_NODE => {
                    let left_smaller = n_left <= n_right;
                    let small = if left_smaller {
                        self.build_all(p.start, mid)
                    } else {
                        self.build_all(mid, p.end)
                    };
                    StatHistograms::subtract(&mut large, &small);
                    let small = (n_left.min(n_right) > SMALL_NODE).then_some(small);
                    if left_smaller {
                        (small, Some(large))
                    } else {
                        (Some(large), small)
                    }
                }
                _ => (None, None),
            };
            stack.push(Pending {
                node: left_id + 1,
                start: mid,
                end: p.end,
                depth: p.depth + 1,
                totals: right_totals,
                hist: right_hist,
            });
            stack.push(Pending {
                node: left_id,
                start: p.start,
                end: mid,
                depth: p.depth + 1,
                totals: left_totals,
                hist: left_hist,
            });
        }
        tree
    }
}

/// The training samples of one tree: distinct rows (ascending) with their weights.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Row indices, ascending.
    pub rows: Vec<u32>,
    /// Weight of each row (bootstrap count).
    pub weights: Vec<f64>,
}

impl Sample {
    /// Every row once.
    pub fn all(n: usize) -> Self {
        Self {
            rows: (0..n as u32).collect(),
            weights: vec![1.0; n],
        }
    }

    /// A bootstrap sample of `total` draws with replacement (the distinct rows drawn, weighted
    /// by how often each was drawn), the part of it that falls in `shard` (rows numbered
    /// among all of them; the sample's rows are returned relative to the shard's start): every
    /// process draws the same `total` rows with the same generator and keeps its own, so the
    /// shards' parts make up the one-process sample, and the generator ends in the same state.
    pub fn bootstrap_shard(total: usize, shard: std::ops::Range<usize>, rng: &mut Rng) -> Self {
        let n = shard.len();
        let mut counts = vec![0u32; n];
        for _ in 0..total {
            let i = rng.gen_range(0..total);
            if shard.contains(&i) {
                counts[i - shard.start] += 1;
            }
        }
        let rows: Vec<u32> = (0..n as u32).filter(|&i| counts[i as usize] > 0).collect();
        let weights = rows.iter().map(|&i| counts[i as usize] as f64).collect();
        Self { rows, weights }
    }
}

/// Grows one tree on `sample`'s rows of `binned`. `collective` adds histograms and node sums
/// across processes when `binned` is one shard of the rows ([`Serial`](super::Serial) for one
/// process); every process then grows the same tree.
pub fn grow_tree(
    binned: &BinnedData,
    targets: Targets<'_>,
    sample: Sample,
    params: &TreeParams,
    n_try: usize,
    rng: &mut Rng,
    collective: &impl Collective,
) -> Tree {
    let Sample { rows, weights } = sample;
    match targets {
        Targets::Classes(y, k) => {
            let items = items(&rows, &weights, |i| y[i] as u32);
            grower(binned, params, n_try, rng, items, 2 + k, collective).grow(|e, out| {
                let w = e[1].max(f64::MIN_POSITIVE);
                out.clear();
                out.extend(e[2..].iter().map(|c| c / w));
            })
        }
        Targets::Values(y) => {
            let items = items(&rows, &weights, |i| y[i]);
            grower(binned, params, n_try, rng, items, 4, collective).grow(|e, out| {
                out.clear();
                out.push(e[2] / e[1].max(f64::MIN_POSITIVE));
            })
        }
    }
}

/// The samples of `rows`, weighted, with their targets.
fn items<Y>(rows: &[u32], weights: &[f64], target: impl Fn(usize) -> Y) -> Vec<Item<Y>> {
    rows.iter()
        .zip(weights)
        .map(|(&row, &w)| Item {
            row,
            // A bootstrap count or 1: exact in f32.
            w: w as f32,
            y: target(row as usize),
        })
        .collect()
}

fn grower<'a, Y: Target, C: Collective>(
    binned: &'a BinnedData,
    params: &'a TreeParams,
    n_try: usize,
    rng: &'a mut Rng,
    items: Vec<Item<Y>>,
    stride: usize,
    collective: &'a C,
) -> Grower<'a, Y, C> {
    let scratch = items.clone();
    Grower {
        binned,
        params,
        n_try,
        stride,
        hists: StatHistograms::new(binned, stride),
        collective,
        sorted_scans: collective.processes() == 1,
        // Set from the root's sums.
        total_weight: f64::MIN_POSITIVE,
        rng,
        items,
        scratch,
        buffer: Vec::new(),
        sorted: Vec::new(),
        order: Vec::new(),
        left: vec![0.0; stride],
        right: vec![0.0; stride],
    }
}
