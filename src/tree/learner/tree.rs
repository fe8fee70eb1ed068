//! The one fitted-tree type of every tree model: CART trees, forests and boosted trees.
//!
//! A [`Tree`] is a struct of arrays with the root at index 0; children follow their parent and
//! the right child of node `i` is its left child plus one. What a prediction reads of a node is
//! packed in 16 bytes ([`Link`]), so one step of a walk touches one cache line. A split sends
//! `x[feature] <= threshold` left; a missing value (NaN, which only boosting accepts) goes to
//! the side the split learned. A split of a categorical feature sends a set of categories left
//! (LightGBM's rule): the value must be one of them, a whole number; anything else — a missing
//! value, a category the training rows did not send left, a category never seen in training, a
//! negative or fractional value — goes right. One traversal, one validation of loaded trees and
//! one export (`super::super::export`) serve every model.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A split: go left when `x[feature] <= threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// The feature tested.
    pub feature: usize,
    /// The threshold (a midpoint between training values).
    pub threshold: f64,
    /// Index of the left child.
    pub left: usize,
    /// Index of the right child.
    pub right: usize,
    /// Where a missing (NaN) value goes: left, unless the training rows taught otherwise
    /// (gradient boosting learns it; CART trees reject NaN and keep the default).
    pub missing_left: bool,
    /// Whether the feature is categorical: then the categories in
    /// [`Tree::split_categories`] go left, every other value right, and `threshold` is not a
    /// threshold.
    pub categorical: bool,
}

/// What decides one split, for a walk on something else than values (bin codes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Test<'a> {
    /// `x <= threshold` goes left; a missing value goes left when the flag says so.
    Threshold(f64, bool),
    /// The categories going left, ascending.
    Categories(&'a [u32]),
}

/// A read-only view of one node of a fitted tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node<'a> {
    /// The test, or `None` for a leaf.
    pub split: Option<Split>,
    /// Class probabilities (classification) or `[mean]` (regression) of the node's samples.
    pub value: &'a [f64],
    /// The node's impurity.
    pub impurity: f64,
    /// Number of distinct training samples in the node.
    pub n_samples: usize,
    /// Their total weight (bootstrap counts in a forest).
    pub weighted_n_samples: f64,
    /// Depth (root = 0).
    pub depth: usize,
}

/// Marks a leaf in [`Tree`]'s feature array.
const LEAF: u32 = u32::MAX;

/// Set in a split's feature word when missing values go right.
const MISSING_RIGHT: u32 = 1 << 31;

/// Set in a split's feature word when the feature is categorical (its threshold is then the
/// index of its category set).
const CATEGORICAL: u32 = 1 << 30;

/// The feature bits of a split's feature word.
const FEATURE: u32 = CATEGORICAL - 1;

/// The most features a tree can split on (the feature word keeps its top two bits for
/// [`MISSING_RIGHT`] and [`CATEGORICAL`]).
pub const MAX_FEATURES: usize = FEATURE as usize;

/// What a prediction reads of a node, packed in 16 bytes so one step of a walk touches one
/// cache line: the feature (`u32::MAX` for a leaf; the top bit set when missing values go
/// right), the left child (the right one is next to it) and the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Link {
    feature: u32,
    left: u32,
    threshold: f64,
}

/// A fitted tree, stored as a struct of arrays with the root at index 0. Children follow their
/// parent, and the right child of node `i` is `left[i] + 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Feature, left child and threshold per node.
    links: Vec<Link>,
    /// Distinct training samples per node.
    n_samples: Vec<u32>,
    /// Weighted training samples per node.
    weighted_n_samples: Vec<f32>,
    /// Impurity per node.
    impurity: Vec<f32>,
    /// Values per node (classes, or 1 for regression).
    value_len: usize,
    /// `value_len` values per node.
    value: Vec<f64>,
    /// Impurity decrease credited to each feature (unnormalised).
    importances: Vec<f64>,
    /// Category set `k` of the categorical splits is `categories[bounds[k]..bounds[k + 1]]`
    /// (both empty in a tree without categorical splits, and then not written to files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    category_bounds: Vec<u32>,
    /// The categories of every set, each set ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    categories: Vec<u32>,
}

impl Tree {
    pub(crate) fn new(value_len: usize, n_features: usize) -> Self {
        Self {
            links: Vec::new(),
            n_samples: Vec::new(),
            weighted_n_samples: Vec::new(),
            impurity: Vec::new(),
            value_len,
            value: Vec::new(),
            importances: vec![0.0; n_features],
            category_bounds: Vec::new(),
            categories: Vec::new(),
        }
    }

    pub(crate) fn push_leaf(
        &mut self,
        n_samples: usize,
        weight: f64,
        impurity: f64,
        value: &[f64],
    ) -> usize {
        self.links.push(Link {
            feature: LEAF,
            left: 0,
            threshold: 0.0,
        });
        self.n_samples.push(n_samples as u32);
        self.weighted_n_samples.push(weight as f32);
        self.impurity.push(impurity as f32);
        self.value.extend_from_slice(value);
        self.links.len() - 1
    }

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.links.len()
    }

    /// Impurity decrease credited to each feature (unnormalised).
    pub fn importances(&self) -> &[f64] {
        &self.importances
    }

    /// The values of node `i`.
    pub fn value(&self, i: usize) -> &[f64] {
        &self.value[i * self.value_len..(i + 1) * self.value_len]
    }

    /// Turns leaf `node` into a split on `feature` at `threshold` whose children are `left`
    /// and `left + 1`.
    pub(crate) fn set_split(
        &mut self,
        node: usize,
        feature: usize,
        threshold: f64,
        left: usize,
        missing_left: bool,
    ) {
        debug_assert!(feature < MAX_FEATURES);
        self.links[node] = Link {
            feature: feature as u32 | if missing_left { 0 } else { MISSING_RIGHT },
            left: left as u32,
            threshold,
        };
    }

    /// Turns leaf `node` into a split of categorical `feature` sending `categories` (ascending)
    /// left, whose children are `left` and `left + 1`.
    pub(crate) fn set_categorical_split(
        &mut self,
        node: usize,
        feature: usize,
        categories: &[u32],
        left: usize,
    ) {
        debug_assert!(feature < MAX_FEATURES);
        debug_assert!(categories.windows(2).all(|w| w[0] < w[1]));
        if self.category_bounds.is_empty() {
            self.category_bounds.push(0);
        }
        let set = self.category_bounds.len() - 1;
        self.categories.extend_from_slice(categories);
        self.category_bounds.push(self.categories.len() as u32);
        self.links[node] = Link {
            feature: feature as u32 | CATEGORICAL | MISSING_RIGHT,
            left: left as u32,
            threshold: set as f64,
        };
    }

    /// Whether a split of the tree tests a set of categories (such trees need model file
    /// format version 5).
    pub fn has_category_sets(&self) -> bool {
        self.category_bounds.len() > 1
    }

    /// The categories a categorical split of node `i` sends left (ascending), or `None` when
    /// node `i` is a leaf or splits a numeric feature.
    pub fn split_categories(&self, i: usize) -> Option<&[u32]> {
        let link = &self.links[i];
        (link.feature != LEAF && link.feature & CATEGORICAL != 0)
            .then(|| self.category_set(link.threshold as usize))
    }

    #[inline]
    fn category_set(&self, k: usize) -> &[u32] {
        &self.categories[self.category_bounds[k] as usize..self.category_bounds[k + 1] as usize]
    }

    /// Sets the value of node `i`.
    pub(crate) fn set_value(&mut self, i: usize, value: &[f64]) {
        self.value[i * self.value_len..(i + 1) * self.value_len].copy_from_slice(value);
    }

    /// Credits `gain` to `feature`'s importance.
    pub(crate) fn add_importance(&mut self, feature: usize, gain: f64) {
        self.importances[feature] += gain;
    }

    /// The split of node `i`, or `None` for a leaf.
    pub fn split(&self, i: usize) -> Option<Split> {
        let link = self.links[i];
        (link.feature != LEAF).then(|| Split {
            feature: (link.feature & FEATURE) as usize,
            threshold: link.threshold,
            left: link.left as usize,
            right: link.left as usize + 1,
            missing_left: link.feature & MISSING_RIGHT == 0,
            categorical: link.feature & CATEGORICAL != 0,
        })
    }

    /// Whether node `i` is a leaf.
    pub fn is_leaf(&self, i: usize) -> bool {
        self.links[i].feature == LEAF
    }

    /// The depth of every node (children follow their parents, so one forward pass).
    pub fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.n_nodes()];
        for (i, link) in self.links.iter().enumerate() {
            if link.feature != LEAF {
                let l = link.left as usize;
                depth[l] = depth[i] + 1;
                depth[l + 1] = depth[i] + 1;
            }
        }
        depth
    }

    /// Every node, root first.
    pub fn nodes(&self) -> Vec<Node<'_>> {
        self.depths()
            .into_iter()
            .enumerate()
            .map(|(i, depth)| self.node_with_depth(i, depth))
            .collect()
    }

    /// Node `i` (its depth set to 0; [`Tree::nodes`] fills depths).
    pub fn node(&self, i: usize) -> Node<'_> {
        self.node_with_depth(i, 0)
    }

    fn node_with_depth(&self, i: usize, depth: usize) -> Node<'_> {
        Node {
            split: self.split(i),
            value: self.value(i),
            impurity: self.impurity[i] as f64,
            n_samples: self.n_samples[i] as usize,
            weighted_n_samples: self.weighted_n_samples[i] as f64,
            depth,
        }
    }

    /// The child of node `i` that `row` goes to, or `None` at a leaf. Branch-free on the
    /// value: right when above the threshold, or missing where missing values go right.
    #[inline]
    fn child(&self, i: usize, row: &[f64]) -> Option<usize> {
        let link = &self.links[i];
        (link.feature != LEAF).then(|| {
            let v = row[(link.feature & FEATURE) as usize];
            let right = if link.feature & CATEGORICAL == 0 {
                (v > link.threshold) | (v.is_nan() & (link.feature & MISSING_RIGHT != 0))
            } else {
                !self.in_set(link.threshold as usize, v)
            };
            link.left as usize + usize::from(right)
        })
    }

    /// Whether value `v` is one of the categories of set `k`.
    #[inline]
    fn in_set(&self, k: usize, v: f64) -> bool {
        super::dataset::category_of(v)
            .is_some_and(|c| self.category_set(k).binary_search(&c).is_ok())
    }

    /// The leaf of training row `row` walked on bin codes rather than values: `goes_right(f,
    /// test)` says where the row's code of feature `f` sends it.
    #[inline]
    pub(crate) fn leaf_index_by(
        &self,
        mut goes_right: impl FnMut(usize, Test<'_>) -> bool,
    ) -> usize {
        let mut i = 0;
        loop {
            let link = &self.links[i];
            if link.feature == LEAF {
                return i;
            }
            let f = (link.feature & FEATURE) as usize;
            let test = if link.feature & CATEGORICAL == 0 {
                Test::Threshold(link.threshold, link.feature & MISSING_RIGHT == 0)
            } else {
                Test::Categories(self.category_set(link.threshold as usize))
            };
            i = link.left as usize + usize::from(goes_right(f, test));
        }
    }

    /// The index of the leaf `row` falls into.
    #[inline]
    pub fn leaf_index(&self, row: &[f64]) -> usize {
        let mut i = 0;
        while let Some(next) = self.child(i, row) {
            i = next;
        }
        i
    }

    /// The leaf index of every row, written to `out` (cleared first). Walks eight rows in
    /// lockstep so that their independent node loads overlap instead of each step waiting for
    /// the previous one: a tree walk is bound by memory latency, not arithmetic.
    pub fn leaf_indices(&self, rows: &[&[f64]], out: &mut Vec<u32>) {
        const LANES: usize = 8;
        out.clear();
        let mut chunks = rows.chunks_exact(LANES);
        for chunk in &mut chunks {
            let mut at = [0u32; LANES];
            loop {
                let mut moved = false;
                for (node, row) in at.iter_mut().zip(chunk) {
                    if let Some(next) = self.child(*node as usize, row) {
                        *node = next as u32;
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
            out.extend_from_slice(&at);
        }
        out.extend(
            chunks
                .remainder()
                .iter()
                .map(|row| self.leaf_index(row) as u32),
        );
    }

    /// The values of the leaf `row` falls into.
    #[inline]
    pub fn leaf_value(&self, row: &[f64]) -> &[f64] {
        self.value(self.leaf_index(row))
    }

    /// Calls `visit(depth, node)` for every node on `row`'s path, root first: the prediction
    /// of the tree cut at depth `d` is the value of the path's node at depth `min(d, leaf)`.
    pub fn path(&self, row: &[f64], mut visit: impl FnMut(usize, usize)) {
        let (mut i, mut depth) = (0, 0);
        visit(depth, i);
        while let Some(next) = self.child(i, row) {
            (i, depth) = (next, depth + 1);
            visit(depth, i);
        }
    }

    /// Depth of the deepest leaf.
    pub fn depth(&self) -> usize {
        self.depths().into_iter().max().unwrap_or(0)
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.links.iter().filter(|l| l.feature == LEAF).count()
    }

    /// Bytes the tree's arrays hold.
    pub fn memory_bytes(&self) -> usize {
        self.n_nodes() * (16 + 4 + 4 + 4)
            + self.value.len() * 8
            + self.importances.len() * 8
            + (self.category_bounds.len() + self.categories.len()) * 4
    }

    /// Checks a tree read from a file: array lengths agree, every split names a feature below
    /// `n_features` and children after their parent and inside the tree (so every walk ends).
    pub(crate) fn validate(&self, n_features: usize, value_len: usize) -> Result<()> {
        let bad = |what: String| Error::InvalidModel(format!("tree: {what}"));
        let n = self.links.len();
        if n == 0 || n > u32::MAX as usize {
            return Err(bad(format!("{n} nodes")));
        }
        if self.importances.len() != n_features {
            return Err(bad(format!(
                "{} importances for {n_features} features",
                self.importances.len()
            )));
        }
        if self.value_len != value_len
            || self.value.len() != n.saturating_mul(value_len)
            || [
                self.n_samples.len(),
                self.weighted_n_samples.len(),
                self.impurity.len(),
            ]
            .iter()
            .any(|&len| len != n)
        {
            return Err(bad("node arrays of different lengths".into()));
        }
        if self.value.iter().any(|v| !v.is_finite()) {
            return Err(bad("a non-finite node value".into()));
        }
        // Category sets: bounds from 0, never decreasing, up to the categories' length; each
        // set strictly ascending.
        let sets = self.category_bounds.len().saturating_sub(1);
        if !self.category_bounds.is_empty() || !self.categories.is_empty() {
            let bounds = &self.category_bounds;
            if bounds.first() != Some(&0)
                || bounds.last().map(|&b| b as usize) != Some(self.categories.len())
                || bounds.windows(2).any(|w| w[0] > w[1])
            {
                return Err(bad("category sets out of bounds".into()));
            }
            if (0..sets).any(|k| self.category_set(k).windows(2).any(|w| w[0] >= w[1])) {
                return Err(bad("a category set not in ascending order".into()));
            }
        }
        for (i, link) in self.links.iter().enumerate() {
            if link.feature == LEAF {
                continue;
            }
            let l = link.left as usize;
            let feature = (link.feature & FEATURE) as usize;
            let test_ok = if link.feature & CATEGORICAL == 0 {
                !link.threshold.is_nan()
            } else {
                let k = link.threshold;
                k >= 0.0 && k.fract() == 0.0 && k < sets as f64
            };
            if feature >= n_features || l <= i || l + 1 >= n || !test_ok {
                return Err(bad(format!("node {i} has an invalid split")));
            }
        }
        Ok(())
    }
}
