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
    /// How histograms are summed across processes.
    pub exchange: Exchange,
}

/// How a leaf's histograms are summed across processes (one process: not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Exchange {
    /// [`Exchange::ReduceScatter`] for histograms of at least [`SCATTER_BYTES`], else
    /// [`Exchange::AllReduce`].
    #[default]
    Auto,
    /// Every process receives the whole summed histogram and searches every feature.
    AllReduce,
    /// LightGBM's data-parallel learner: each process receives the summed histograms of its
    /// block of features only (a reduce-scatter, half an all-reduce's traffic), searches that
    /// block, and the blocks' best splits are gathered and weighed in feature order — the
    /// split one process would choose. Not for wide categorical features (their columns
    /// would be cut between blocks): those use the all-reduce.
    ReduceScatter,
}

impl Exchange {
    /// The environment variable that overrides [`Exchange::Auto`] for a data-parallel fit.
    pub const VARIABLE: &'static str = "LEARNKIT_HISTOGRAM_EXCHANGE";

    /// The exchange `LEARNKIT_HISTOGRAM_EXCHANGE` asks for (`auto`, `all-reduce` or
    /// `reduce-scatter`; unset: `auto`), or why its value is not one of them.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(Self::VARIABLE).as_deref() {
            Err(_) | Ok("auto") => Ok(Self::Auto),
            Ok("all-reduce") => Ok(Self::AllReduce),
            Ok("reduce-scatter") => Ok(Self::ReduceScatter),
            Ok(other) => Err(format!(
                "{} is {other:?}; use auto, all-reduce or reduce-scatter",
                Self::VARIABLE
            )),
        }
    }
}

/// The histogram size from which [`Exchange::Auto`] scatters: measured with
/// `benches/collectives.rs` (Open MPI, 2 and 4 ranks), a reduce-scatter plus the gather of the
/// best splits costs 1.6–2.1× the all-reduce at 123 KB (20 features of 256 bins), 0.76–0.99×
/// at 412 KB (67 features) and 0.56–0.9× from 1.2 MB.
pub const SCATTER_BYTES: usize = 400_000;

/// The histogram exchange of one tree: all-reduce, or a reduce-scatter with this process's
/// block of features.
enum Sharing {
    AllReduce,
    Scatter {
        /// Element offsets of each rank's block in the flattened histogram.
        cuts: Vec<usize>,
        /// This rank's features among those searched.
        mine: Vec<usize>,
    },
}

/// A candidate as bytes (for the gather of the blocks' best splits); `None` as one zero byte.
fn candidate_bytes(c: &Option<Candidate>) -> Vec<u8> {
    let Some(c) = c else {
        return vec![0];
    };
    let mut out = vec![1u8, u8::from(c.missing_left), u8::from(c.saw_missing)];
    for v in [c.gain, c.left_g, c.left_h, c.left_count] {
        out.extend(v.to_le_bytes());
    }
    for v in [c.feature as u64, c.bin as u64] {
        out.extend(v.to_le_bytes());
    }
    if let Some(set) = &c.left_bins {
        out.push(1);
        for w in set.words() {
            out.extend(w.to_le_bytes());
        }
    }
    out
}

/// [`candidate_bytes`] read back.
fn candidate_from(bytes: &[u8]) -> Option<Candidate> {
    if bytes.first() != Some(&1) {
        return None;
    }
    let word = |i: usize| -> [u8; 8] { bytes[3 + 8 * i..11 + 8 * i].try_into().expect("8 bytes") };
    let left_bins = (bytes.len() > 51 && bytes[51] == 1).then(|| {
        let mut words = [0u64; 4];
        for (k, w) in words.iter_mut().enumerate() {
            *w = u64::from_le_bytes(bytes[52 + 8 * k..60 + 8 * k].try_into().expect("8 bytes"));
        }
        super::split::BinSet::from_words(words)
    });
    Some(Candidate {
        gain: f64::from_le_bytes(word(0)),
        left_g: f64::from_le_bytes(word(1)),
        left_h: f64::from_le_bytes(word(2)),
        left_count: f64::from_le_bytes(word(3)),
        feature: u64::from_le_bytes(word(4)) as usize,
        bin: u64::from_le_bytes(word(5)) as usize,
        missing_left: bytes[1] == 1,
        saw_missing: bytes[2] == 1,
        left_bins,
        left_merged: None,
    })
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
    let offsets = &spec.row_codes.offsets;
    let n_features = offsets.len() - 1;
    let hist_bytes = offsets[n_features] * 3 * 8;
    let (ranks, rank) = (collective.processes(), collective.rank());
    let scatter = ranks > 1
        && spec.row_codes.wide.is_empty()
        && match spec.exchange {
            Exchange::Auto => hist_bytes >= SCATTER_BYTES,
            Exchange::AllReduce => false,
            Exchange::ReduceScatter => true,
        };
    let sharing = if scatter {
        // Rank r owns the consecutive features n·r/ranks .. n·(r+1)/ranks.
        let first = |r: usize| n_features * r / ranks;
        let cuts = (0..=ranks).map(|r| offsets[first(r)] * 3).collect();
        let mine = finder
            .features
            .iter()
            .copied()
            .filter(|&f| (first(rank)..first(rank + 1)).contains(&f))
            .collect();
        Sharing::Scatter { cuts, mine }
    } else {
        Sharing::AllReduce
    };
    // Quantized histograms hold whole numbers: exact in any order, so a native all-reduce
    // (or reduce-scatter) may add them; exact gradients are added in rank order.
    let add_up = |hist: &mut Histogram| {
        let flat = hist.0.as_flattened_mut();
        match (&sharing, grads) {
            (Sharing::AllReduce, Grads::Quantized(_)) => collective.all_sum_whole(flat),
            (Sharing::AllReduce, Grads::Exact(_)) => collective.all_sum(flat),
            (Sharing::Scatter { cuts, .. }, grads) => {
                let block = match grads {
                    Grads::Quantized(_) => collective.reduce_scatter_whole(flat, cuts),
                    Grads::Exact(_) => collective.reduce_scatter(flat, cuts),
                };
                // Only this rank's block is summed; the rest stays this rank's own (unused).
                flat[cuts[rank]..cuts[rank + 1]].copy_from_slice(&block);
            }
        }
    };
    let mine_finder = match &sharing {
        Sharing::Scatter { mine, .. } => Some(SplitFinder {
            features: mine.clone(),
            ..finder.clone()
        }),
        Sharing::AllReduce => None,
    };
    // The best splits of `leaves`: this rank's block searched, the blocks' winners gathered
    // and weighed in feature order (rank order), under a scatter; else every feature here.
    let best_splits = |leaves: &[&Leaf]| -> Vec<Option<Candidate>> {
        let Some(mine) = &mine_finder else {
            return match leaves {
                [a, b] if rayon::current_num_threads() > 1 => {
                    let (x, y) = finder.best_splits_parallel(a, b);
                    vec![x, y]
                }
                _ => leaves.iter().map(|l| finder.best_split(l)).collect(),
            };
        };
        let local: Vec<u8> = leaves
            .iter()
            .flat_map(|l| {
                let bytes = candidate_bytes(&mine.best_unfiltered(l));
                let mut framed = (bytes.len() as u32).to_le_bytes().to_vec();
                framed.extend(bytes);
                framed
            })
            .collect();
        let parts = collective.all_gather_bytes(&local);
        let mut best = vec![None; leaves.len()];
        for part in &parts {
            let mut at = 0;
            for slot in best.iter_mut() {
                let len = u32::from_le_bytes(part[at..at + 4].try_into().expect("4 bytes"));
                let bytes = &part[at + 4..at + 4 + len as usize];
                *slot = super::split::better(*slot, candidate_from(bytes));
                at += 4 + len as usize;
            }
        }
        best.into_iter().map(|c| finder.worth_it(c)).collect()
    };
    // The root's sums: every bin of one feature (its missing bin included) — of this rank's
    // rows added across processes under a scatter (whole numbers, or added in rank order).
    let mut hist = Histogram::build(spec.row_codes, rows, grads, pool);
    let root_sums = |hist: &Histogram| {
        hist.0[..offsets[1]]
            .iter()
            .fold([0.0; 3], |s, b| [s[0] + b[0], s[1] + b[1], s[2] + b[2]])
    };
    let [g, h, count] = match &sharing {
        Sharing::AllReduce => {
            add_up(&mut hist);
            root_sums(&hist)
        }
        Sharing::Scatter { .. } => {
            let mut sums = root_sums(&hist);
            match grads {
                Grads::Quantized(_) => collective.all_sum_whole(&mut sums),
                Grads::Exact(_) => collective.all_sum(&mut sums),
            }
            add_up(&mut hist);
            sums
        }
    };
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
    root.best = best_splits(&[&root])[0];
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
        let both = best_splits(&[&left, &right]);
        (left.best, right.best) = (both[0], both[1]);
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
