//! The leaf-wise (best-first) grower of gradient boosting, LightGBM's serial tree learner: the
//! leaf whose best split gains the most is split next, until the tree has `max_leaves` leaves.
//! Each split partitions the leaf's rows in place, builds the smaller child's histogram and
//! gets the larger one's by subtraction, and searches both children for their best splits.
//!
//! Every sum that decides the tree — histograms, leaf sizes, leaf values — goes through a
//! [`Collective`], so the same code grows one tree from rows spread over several processes.

use rayon::prelude::*;

use super::collective::FixedPoint;
use super::dataset::RowCodes;
use super::histogram::{Grads, Histogram, Quantized};
use super::partition::{goes_left, partition};
use super::split::{Candidate, CategoricalRules, Leaf, SplitFinder};
use super::tree::{Test, Tree};
use super::Collective;

/// The threshold of a split that sends every value left (and missing values right).
pub const ALL_VALUES: f64 = f64::MAX;

/// A tree being grown on `rows`, with what it needs.
pub struct TreeSpec<'a> {
    /// The binned data: codes row-major, with their thresholds.
    pub row_codes: &'a RowCodes,
    /// Exact gradients (for the leaf values).
    pub gh: &'a [[f64; 2]],
    /// Quantized gradients for the histograms, if used.
    pub quantized: Option<&'a Quantized>,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Fewest rows in a leaf.
    pub min_leaf: usize,
    /// Smallest gain worth a split.
    pub min_gain: f64,
    /// Depth limit.
    pub max_depth: Option<usize>,
    /// Leaves per tree.
    pub max_leaves: usize,
    /// Shrinkage of the leaf values.
    pub learning_rate: f64,
    /// How categorical features are split.
    pub categorical: CategoricalRules,
}

/// A grown tree and, for each leaf, its range of the rows (left partitioned by leaf) and its
/// node.
pub struct Grown {
    /// The tree (one value per node).
    pub tree: Tree,
    /// `(start, end, node)` of each leaf's rows in the partition.
    pub leaves: Vec<(usize, usize, usize)>,
}

/// Grows one tree on `rows` (leaf-wise); each split's gain is credited to its feature's
/// importance in the tree. `collective` adds histograms and leaf sums across
/// processes when the rows are one shard of the data ([`Serial`] for one process).
pub fn grow(
    spec: &TreeSpec<'_>,
    collective: &impl Collective,
    features: Vec<usize>,
    rows: &mut [u32],
    pool: &mut Vec<Histogram>,
) -> Grown {
    let (binned, gh) = (&spec.row_codes.mapper, spec.gh);
    let (grads, g_scale, h_scale) = match spec.quantized {
        Some(q) => (Grads::Quantized(&q.packed), q.g_scale, q.h_scale),
        None => (Grads::Exact(gh), 1.0, 1.0),
    };
    let finder = SplitFinder {
        mapper: binned,
        offsets: &spec.row_codes.offsets,
        features,
        g_scale,
        h_scale,
        lambda: spec.lambda,
        min_leaf: spec.min_leaf as f64,
        min_gain: spec.min_gain,
        max_depth: spec.max_depth,
        categorical: spec.categorical,
        wide: &spec.row_codes.wide,
    };
    // Quantized histograms hold whole numbers: exact in any order, so a native all-reduce
    // may add them; exact gradients are added in rank order.
    let add_up = |hist: &mut Histogram| match grads {
        Grads::Quantized(_) => collective.all_sum_whole(hist.0.as_flattened_mut()),
        Grads::Exact(_) => collective.all_sum(hist.0.as_flattened_mut()),
    };
    let mut hist = Histogram::build(spec.row_codes, rows, grads, pool);
    add_up(&mut hist);
    // The root's sums: every bin of one feature (its missing bin included).
    let (g, h, count) = hist.0[..spec.row_codes.offsets[1]]
        .iter()
        .fold((0.0, 0.0, 0.0), |(g, h, c), b| {
            (g + b[0], h + b[1], c + b[2])
        });
    let mut tree = Tree::new(1, binned.n_original());
    tree.push_leaf(count as usize, h * h_scale, 0.0, &[0.0]);
    let mut root = Leaf {
        start: 0,
        end: rows.len(),
        count,
        g,
        h,
        depth: 0,
        node: 0,
        hist,
        best: None,
    };
    root.best = finder.best_split(&root);
    let mut leaves = vec![root];
    let mut scratch: Vec<u32> = vec![0; rows.len()];
    while leaves.len() < spec.max_leaves {
        // The leaf with the largest gain (the first on ties).
        let Some((pick, split)) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.best.map(|c| (i, c)))
            .fold(
                None,
                |best: Option<(usize, Candidate)>, (i, c)| match best {
                    Some((b, bc)) if bc.gain >= c.gain => Some((b, bc)),
                    _ => Some((i, c)),
                },
            )
        else {
            break;
        };
        let leaf = leaves.swap_remove(pick);
        // Stable partition of the leaf's rows, left first, without branching on the data.
        let f = split.feature;
        let codes = spec.row_codes.column(f);
        let miss = if binned.missing[f] {
            binned.n_bins(f)
        } else {
            usize::MAX
        };
        let (bin, missing_left) = (split.bin, split.missing_left);
        // A wide feature (split on all its categories at once, as its first column)
        // partitions by its merged bins: two bytes per row, not a row's every code.
        let wide_feature = spec.row_codes.wide.iter().find(|w| w.columns[0] == f);
        let write = match (split.left_merged.zip(wide_feature), split.left_bins) {
            (Some((set, wide)), _) => partition(
                &mut rows[leaf.start..leaf.end],
                &mut scratch,
                &wide.merged[..],
                move |m| set.contains(m),
            ),
            (None, Some(set)) => partition(
                &mut rows[leaf.start..leaf.end],
                &mut scratch,
                codes,
                move |c| set.contains(c),
            ),
            _ => partition(
                &mut rows[leaf.start..leaf.end],
                &mut scratch,
                codes,
                move |c| goes_left(c as usize, bin, miss, missing_left),
            ),
        };
        let mid = leaf.start + write;
        let (gl, hl, cl) = (split.left_g, split.left_h, split.left_count);
        let cr = leaf.count - cl;
        // The smaller child's histogram is built, the larger one's is the difference (sizes
        // counted over every process, so that all of them choose alike).
        let left_smaller = cl <= cr;
        let small = if left_smaller {
            &rows[leaf.start..mid]
        } else {
            &rows[mid..leaf.end]
        };
        let mut small_hist = Histogram::build(spec.row_codes, small, grads, pool);
        add_up(&mut small_hist);
        let large_hist = leaf.hist.subtract(&small_hist);
        let (left_hist, right_hist) = if left_smaller {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let li = tree.push_leaf(cl as usize, hl * h_scale, 0.0, &[0.0]);
        let ri = tree.push_leaf(cr as usize, (leaf.h - hl) * h_scale, 0.0, &[0.0]);
        match (
            split.left_merged.zip(wide_feature),
            split.left_bins,
            binned.categories(f),
        ) {
            (Some((set, wide)), _, _) => {
                let mut left: Vec<u32> = set
                    .bins()
                    .filter_map(|b| {
                        let k = wide.starts.partition_point(|&s| s <= b).checked_sub(1)?;
                        binned
                            .categories(*wide.columns.get(k)?)?
                            .get(b - wide.starts[k])
                            .copied()
                    })
                    .collect();
                left.sort_unstable();
                tree.set_categorical_split(leaf.node, binned.original(f), &left, li);
            }
            (None, Some(set), Some(categories)) => {
                let left: Vec<u32> = set.bins().map(|b| categories[b]).collect();
                tree.set_categorical_split(leaf.node, binned.original(f), &left, li);
            }
            _ => tree.set_split(
                leaf.node,
                f,
                // The last threshold (every value left, missing values right) is the largest
                // float: every finite value lies below it, and JSON can hold it (not +∞).
                binned.edges[f]
                    .get(split.bin)
                    .copied()
                    .unwrap_or(ALL_VALUES),
                li,
                // Missing values go where the training rows went, or else to the larger side
                // (as scikit-learn).
                if split.saw_missing {
                    split.missing_left
                } else {
                    cl >= cr
                },
            ),
        }
        tree.add_importance(binned.original(f), split.gain);
        let mut left = Leaf {
            start: leaf.start,
            end: mid,
            count: cl,
            g: gl,
            h: hl,
            depth: leaf.depth + 1,
            node: li,
            hist: left_hist,
            best: None,
        };
        let mut right = Leaf {
            start: mid,
            end: leaf.end,
            count: cr,
            g: leaf.g - gl,
            h: leaf.h - hl,
            depth: leaf.depth + 1,
            node: ri,
            hist: right_hist,
            best: None,
        };
        // The two split searches (20 features of 256 bins each, whatever the rows) are
        // shared out between the threads, which `with_awake_workers` keeps ready.
        (left.best, right.best) = if rayon::current_num_threads() > 1 {
            finder.best_splits_parallel(&left, &right)
        } else {
            (finder.best_split(&left), finder.best_split(&right))
        };
        leaves.push(left);
        leaves.push(right);
    }
    // The Newton step from the exact gradients of each leaf's rows, summed in fixed point:
    // exact, so one process and many get the same bits (leaves in parallel, then added across
    // processes). The scale comes from the largest gradient and hessian of every row.
    let rows: &[u32] = rows;
    let mut largest = gh
        .par_chunks(8192)
        .map(|c| {
            c.iter().fold([0.0f64; 2], |m, p| {
                [m[0].max(p[0].abs()), m[1].max(p[1].abs())]
            })
        })
        .reduce(|| [0.0; 2], |a, b| [a[0].max(b[0]), a[1].max(b[1])]);
    collective.all_max(&mut largest);
    let (g_fixed, h_fixed) = (
        FixedPoint::for_max(largest[0]),
        FixedPoint::for_max(largest[1]),
    );
    let mut sums: Vec<i128> = leaves
        .par_iter()
        .flat_map_iter(|leaf| {
            let (g, h) = rows[leaf.start..leaf.end]
                .iter()
                .fold((0i128, 0i128), |(g, h), &r| {
                    let [gr, hr] = gh[r as usize];
                    (
                        g + i128::from(g_fixed.fixed(gr)),
                        h + i128::from(h_fixed.fixed(hr)),
                    )
                });
            [g, h]
        })
        .collect();
    collective.all_sum_i128(&mut sums);
    // Every node's value, the Newton step of its rows: children come after their parent,
    // so one backward pass sums the leaves up the tree.
    let mut node_sums = vec![[0.0f64; 2]; tree.n_nodes()];
    for (leaf, gh) in leaves.iter().zip(sums.chunks_exact(2)) {
        node_sums[leaf.node] = [g_fixed.real(gh[0]), h_fixed.real(gh[1])];
    }
    for i in (0..tree.n_nodes()).rev() {
        if let Some(s) = tree.split(i) {
            let (l, r) = (node_sums[s.left], node_sums[s.right]);
            node_sums[i] = [l[0] + r[0], l[1] + r[1]];
        }
    }
    for (i, [g, h]) in node_sums.into_iter().enumerate() {
        tree.set_value(i, &[-spec.learning_rate * g / (h + spec.lambda)]);
    }
    let ranges = leaves.iter().map(|l| (l.start, l.end, l.node)).collect();
    pool.extend(leaves.into_iter().map(|l| l.hist));
    Grown {
        tree,
        leaves: ranges,
    }
}

/// A tree's value for training row `i`, walked on its bin codes (a bin goes left when its upper
/// edge is at most the threshold; the top bin's upper edge is +∞, below only [`ALL_VALUES`]).
pub fn binned_value(tree: &Tree, codes: &RowCodes, i: usize) -> f64 {
    tree.value(binned_leaf(tree, codes, i))[0]
}

/// The leaf of training row `i`, walked on its bin codes (see [`binned_value`]).
pub fn binned_leaf(tree: &Tree, codes: &RowCodes, i: usize) -> usize {
    let binned = &codes.mapper;
    let row = &codes.codes[i * codes.n_features..(i + 1) * codes.n_features];
    tree.leaf_index_by(|f, test| {
        let code = row[f] as usize;
        let n_bins = binned.n_bins(f);
        let left = match test {
            Test::Categories(set) => binned
                .row_category(row, f)
                .is_some_and(|c| set.binary_search(&c).is_ok()),
            Test::Threshold(_, missing_left) if binned.missing[f] && code == n_bins => missing_left,
            Test::Threshold(threshold, _) if code + 1 < n_bins => {
                binned.edges[f][code] <= threshold
            }
            Test::Threshold(threshold, _) => threshold == ALL_VALUES,
        };
        !left
    })
}
