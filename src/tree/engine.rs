//! The CART engine: grows one tree on binned data with histogram split search.
//!
//! For each node, a histogram per candidate feature accumulates, per bin, the sample count, the
//! weight and the target statistics (class weights, or Σy and Σy²); one scan over the bins then
//! evaluates every threshold. When every feature is a candidate (a plain decision tree), only the
//! smaller child's histograms are built from its samples; the larger child's are the parent's
//! minus the smaller's (the sibling-subtraction trick), so each level reads at most half the
//! samples. With per-split feature sampling (forests), histograms are built for the sampled
//! features only.

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use super::binning::BinnedData;
use super::params::{Criterion, TreeParams};
use crate::rng::Rng;

/// The targets a tree fits.
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// Class indices below `n_classes`.
    Classes(&'a [usize], usize),
    /// Real values.
    Values(&'a [f64]),
}

impl Targets<'_> {
    /// Statistics per histogram entry after the count and the weight.
    fn n_stats(&self) -> usize {
        match self {
            Targets::Classes(_, k) => *k,
            Targets::Values(_) => 2,
        }
    }
}

/// A split: go left when `x[feature] <= threshold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// The feature tested.
    pub feature: usize,
    /// The threshold (a midpoint between training values).
    pub threshold: f64,
    /// Index of the left child.
    pub left: usize,
    /// Index of the right child.
    pub right: usize,
}

/// A node of a fitted tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The test, or `None` for a leaf.
    pub split: Option<Split>,
    /// Class probabilities (classification) or `[mean]` (regression) of the node's samples.
    pub value: Vec<f64>,
    /// The node's impurity.
    pub impurity: f64,
    /// Number of distinct training samples in the node.
    pub n_samples: usize,
    /// Their total weight (bootstrap counts in a forest).
    pub weighted_n_samples: f64,
    /// Depth (root = 0).
    pub depth: usize,
}

/// A fitted tree: nodes with the root at index 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// Impurity decrease credited to each feature (unnormalised).
    pub importances: Vec<f64>,
}

impl Tree {
    /// The leaf `row` falls into.
    pub fn leaf(&self, row: &[f64]) -> &Node {
        let mut node = &self.nodes[0];
        while let Some(split) = &node.split {
            node = if row[split.feature] <= split.threshold {
                &self.nodes[split.left]
            } else {
                &self.nodes[split.right]
            };
        }
        node
    }

    /// Depth of the deepest leaf.
    pub fn depth(&self) -> usize {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }
}

/// The outcome of considering one threshold.
enum Sweep {
    /// Keep scanning thresholds.
    Next,
    /// The right side is already too small: no later threshold can be valid.
    Stop,
}

/// Replaces `best` by `candidate` when the candidate gains strictly more (ties keep the first).
fn keep_better(best: &mut Option<Best>, candidate: Option<Best>) {
    if let Some(c) = candidate {
        if best.as_ref().is_none_or(|b| c.gain > b.gain) {
            *best = Some(c);
        }
    }
}

/// Nodes with at most this many samples are split by sorting their bin codes rather than by
/// histograms (a histogram costs bins × features whatever the node's size).
const SMALL_NODE: usize = 256;

/// Summary statistics of a set of samples: `[count, weight, stats…]`.
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

fn leaf_value(targets: &Targets<'_>, e: &[f64]) -> Vec<f64> {
    let w = e[1].max(f64::MIN_POSITIVE);
    match targets {
        Targets::Classes(..) => e[2..].iter().map(|c| c / w).collect(),
        Targets::Values(_) => vec![e[2] / w],
    }
}

/// Histograms of one node: for each feature, `n_bins × stride` values.
struct Histograms {
    data: Vec<f64>,
}

struct Grower<'a> {
    binned: &'a BinnedData,
    targets: Targets<'a>,
    weights: &'a [f64],
    params: &'a TreeParams,
    n_try: usize,
    stride: usize,
    offsets: Vec<usize>,
    total_weight: f64,
    rng: &'a mut Rng,
}

struct Pending {
    node: usize,
    start: usize,
    end: usize,
    totals: Vec<f64>,
    hist: Option<Histograms>,
}

struct Best {
    feature: usize,
    bin: usize,
    gain: f64,
    left: Vec<f64>,
}

impl Grower<'_> {
    fn all_features(&self) -> bool {
        self.n_try == self.binned.n_features()
    }

    fn add_sample(&self, entry: &mut [f64], i: usize) {
        let w = self.weights[i];
        entry[0] += 1.0;
        entry[1] += w;
        match self.targets {
            Targets::Classes(y, _) => entry[2 + y[i]] += w,
            Targets::Values(y) => {
                entry[2] += w * y[i];
                entry[3] += w * y[i] * y[i];
            }
        }
    }

    fn build_feature(&self, f: usize, idx: &[u32], out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        let codes = self.binned.feature(f);
        let s = self.stride;
        for &i in idx {
            let i = i as usize;
            let b = codes[i] as usize;
            self.add_sample(&mut out[b * s..(b + 1) * s], i);
        }
    }

    fn build_all(&self, idx: &[u32]) -> Histograms {
        let mut data = vec![0.0; *self.offsets.last().unwrap_or(&0)];
        for f in 0..self.binned.n_features() {
            let (a, b) = (self.offsets[f], self.offsets[f + 1]);
            self.build_feature(f, idx, &mut data[a..b]);
        }
        Histograms { data }
    }

    /// The best threshold of one feature's histogram, if any split is allowed.
    fn scan(&self, f: usize, hist: &[f64], totals: &[f64], parent_impurity: f64) -> Option<Best> {
        let s = self.stride;
        let n_bins = hist.len() / s;
        let mut left = vec![0.0; s];
        let mut right = vec![0.0; s];
        let mut best: Option<Best> = None;
        for b in 0..n_bins.saturating_sub(1) {
            let entry = &hist[b * s..(b + 1) * s];
            if entry[0] == 0.0 {
                continue;
            }
            left.iter_mut().zip(entry).for_each(|(l, e)| *l += e);
            let at = (f, b);
            if let Sweep::Stop =
                self.consider(at, &left, &mut right, totals, parent_impurity, &mut best)
            {
                break;
            }
        }
        best
    }

    /// The best threshold of one feature for a small node, by sorting the node's bin codes
    /// instead of filling a histogram: same candidates, same order, same result, but the cost
    /// follows the node's size rather than the number of bins. Returns `None` for a feature
    /// constant in the node (and says so through `constant`).
    fn scan_sorted(
        &self,
        f: usize,
        idx: &[u32],
        totals: &[f64],
        parent_impurity: f64,
        scratch: &mut Vec<(u8, u32)>,
        constant: &mut bool,
    ) -> Option<Best> {
        let codes = self.binned.feature(f);
        scratch.clear();
        scratch.extend(idx.iter().map(|&i| (codes[i as usize], i)));
        scratch.sort_unstable_by_key(|p| p.0);
        *constant = scratch.first().map(|p| p.0) == scratch.last().map(|p| p.0);
        if *constant {
            return None;
        }
        let s = self.stride;
        let mut left = vec![0.0; s];
        let mut right = vec![0.0; s];
        let mut best: Option<Best> = None;
        for k in 0..scratch.len() - 1 {
            self.add_sample(&mut left, scratch[k].1 as usize);
            if scratch[k + 1].0 == scratch[k].0 {
                continue;
            }
            let at = (f, scratch[k].0 as usize);
            if let Sweep::Stop =
                self.consider(at, &left, &mut right, totals, parent_impurity, &mut best)
            {
                break;
            }
        }
        best
    }

    /// Both threshold scans (histogram and sorted codes) share this step: given the statistics
    /// left of a threshold, check the leaf sizes and keep the split if it gains the most so far.
    fn consider(
        &self,
        (feature, bin): (usize, usize),
        left: &[f64],
        right: &mut [f64],
        totals: &[f64],
        parent_impurity: f64,
        best: &mut Option<Best>,
    ) -> Sweep {
        let (criterion, min_leaf) = (self.params.criterion, self.params.min_samples_leaf as f64);
        if left[0] < min_leaf {
            return Sweep::Next;
        }
        right
            .iter_mut()
            .zip(totals.iter().zip(left))
            .for_each(|(r, (t, l))| *r = t - l);
        if right[0] < min_leaf {
            return Sweep::Stop;
        }
        if left[1] <= 0.0 || right[1] <= 0.0 {
            return Sweep::Next;
        }
        let gain = totals[1] * parent_impurity
            - left[1] * impurity(criterion, left)
            - right[1] * impurity(criterion, right);
        if best.as_ref().is_none_or(|b| gain > b.gain) {
            *best = Some(Best {
                feature,
                bin,
                gain,
                left: left.to_vec(),
            });
        }
        Sweep::Next
    }

    fn is_constant(hist: &[f64], stride: usize) -> bool {
        hist.chunks(stride).filter(|e| e[0] > 0.0).count() <= 1
    }

    /// Finds the best split of a node: from its histograms when it has them (big nodes of a
    /// full-feature tree), else feature by feature — in random order, at least `n_try` of them,
    /// more while no valid split has been found (scikit-learn's rule) — each by a histogram or,
    /// when the node has fewer samples than the feature has bins, by sorting its codes.
    fn best_split(&mut self, p: &Pending, idx: &[u32], parent_impurity: f64) -> Option<Best> {
        let n_features = self.binned.n_features();
        let mut best: Option<Best> = None;
        if let Some(h) = &p.hist {
            for f in 0..n_features {
                let hist = &h.data[self.offsets[f]..self.offsets[f + 1]];
                keep_better(&mut best, self.scan(f, hist, &p.totals, parent_impurity));
            }
            return best;
        }
        let sample = !self.all_features();
        let mut order: Vec<usize> = (0..n_features).collect();
        let mut visited_non_constant = 0;
        let (mut buffer, mut scratch) = (Vec::new(), Vec::new());
        for k in 0..n_features {
            if sample && visited_non_constant >= self.n_try && best.is_some() {
                break;
            }
            if sample {
                let j = self.rng.gen_range(k..n_features);
                order.swap(k, j);
            }
            let f = order[k];
            let candidate = if idx.len() < self.binned.n_bins(f) || !sample {
                let mut constant = false;
                let c = self.scan_sorted(
                    f,
                    idx,
                    &p.totals,
                    parent_impurity,
                    &mut scratch,
                    &mut constant,
                );
                if constant {
                    continue;
                }
                c
            } else {
                let len = self.offsets[f + 1] - self.offsets[f];
                buffer.resize(len, 0.0);
                self.build_feature(f, idx, &mut buffer);
                if Self::is_constant(&buffer, self.stride) {
                    continue;
                }
                self.scan(f, &buffer, &p.totals, parent_impurity)
            };
            visited_non_constant += 1;
            keep_better(&mut best, candidate);
        }
        best
    }

    fn grow(mut self, idx: &mut [u32]) -> Tree {
        let n_features = self.binned.n_features();
        let mut totals = vec![0.0; self.stride];
        for &i in idx.iter() {
            self.add_sample(&mut totals, i as usize);
        }
        let root_hist =
            (self.all_features() && idx.len() > SMALL_NODE).then(|| self.build_all(idx));
        let mut tree = Tree {
            nodes: vec![Node {
                split: None,
                value: leaf_value(&self.targets, &totals),
                impurity: impurity(self.params.criterion, &totals),
                n_samples: idx.len(),
                weighted_n_samples: totals[1],
                depth: 0,
            }],
            importances: vec![0.0; n_features],
        };
        let mut stack = vec![Pending {
            node: 0,
            start: 0,
            end: idx.len(),
            totals,
            hist: root_hist,
        }];
        while let Some(p) = stack.pop() {
            let (depth, node_impurity) = (tree.nodes[p.node].depth, tree.nodes[p.node].impurity);
            let n = p.end - p.start;
            let can_split = n >= self.params.min_samples_split
                && n >= 2 * self.params.min_samples_leaf
                && self.params.max_depth.is_none_or(|m| depth < m)
                && node_impurity > 1e-12;
            if !can_split {
                continue;
            }
            let best = self.best_split(&p, &idx[p.start..p.end], node_impurity);
            let Some(best) = best else { continue };
            // scikit-learn's min_impurity_decrease: weighted by the node's share of the data.
            let decrease = best.gain / self.total_weight;
            if best.gain <= 1e-12 * p.totals[1].max(1.0)
                || decrease < self.params.min_impurity_decrease
            {
                continue;
            }
            let right_totals: Vec<f64> = p
                .totals
                .iter()
                .zip(&best.left)
                .map(|(t, l)| t - l)
                .collect();
            // Partition the node's samples: bins ≤ best.bin go left.
            let codes = self.binned.feature(best.feature);
            let slice = &mut idx[p.start..p.end];
            let mut mid = 0;
            for k in 0..slice.len() {
                if codes[slice[k] as usize] as usize <= best.bin {
                    slice.swap(k, mid);
                    mid += 1;
                }
            }
            let mid = p.start + mid;
            let (left_id, right_id) = (tree.nodes.len(), tree.nodes.len() + 1);
            for (totals, start, end) in [(&best.left, p.start, mid), (&right_totals, mid, p.end)] {
                tree.nodes.push(Node {
                    split: None,
                    value: leaf_value(&self.targets, totals),
                    impurity: impurity(self.params.criterion, totals),
                    n_samples: end - start,
                    weighted_n_samples: totals[1],
                    depth: depth + 1,
                });
            }
            let left_imp = tree.nodes[left_id].impurity;
            let right_imp = tree.nodes[right_id].impurity;
            tree.importances[best.feature] +=
                p.totals[1] * node_impurity - best.left[1] * left_imp - right_totals[1] * right_imp;
            tree.nodes[p.node].split = Some(Split {
                feature: best.feature,
                threshold: self.binned.edges[best.feature][best.bin],
                left: left_id,
                right: right_id,
            });
            // Children's histograms: build the smaller, subtract for the larger — only for
            // children big enough to use them (small nodes scan sorted codes instead).
            let (n_left, n_right) = (mid - p.start, p.end - mid);
            let (left_hist, right_hist) = match p.hist {
                Some(parent) if n_left.max(n_right) > SMALL_NODE => {
                    let left_smaller = n_left <= n_right;
                    let small = if left_smaller {
                        self.build_all(&idx[p.start..mid])
                    } else {
                        self.build_all(&idx[mid..p.end])
                    };
                    let mut large = parent;
                    large
                        .data
                        .iter_mut()
                        .zip(&small.data)
                        .for_each(|(l, s)| *l -= s);
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
                node: right_id,
                start: mid,
                end: p.end,
                totals: right_totals,
                hist: right_hist,
            });
            stack.push(Pending {
                node: left_id,
                start: p.start,
                end: mid,
                totals: best.left,
                hist: left_hist,
            });
        }
        tree
    }
}

/// Grows one tree on the samples with non-zero `weights`.
pub fn grow_tree(
    binned: &BinnedData,
    targets: Targets<'_>,
    weights: &[f64],
    params: &TreeParams,
    n_try: usize,
    rng: &mut Rng,
) -> Tree {
    let stride = 2 + targets.n_stats();
    let mut offsets = vec![0];
    for f in 0..binned.n_features() {
        offsets.push(offsets[f] + binned.n_bins(f) * stride);
    }
    let mut idx: Vec<u32> = (0..binned.n_samples as u32)
        .filter(|&i| weights[i as usize] > 0.0)
        .collect();
    let grower = Grower {
        binned,
        targets,
        weights,
        params,
        n_try,
        stride,
        offsets,
        total_weight: weights.iter().sum::<f64>().max(f64::MIN_POSITIVE),
        rng,
    };
    grower.grow(&mut idx)
}
