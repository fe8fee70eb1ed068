//! The tree learner under every tree model: decision trees, random forests and gradient
//! boosting grow their trees here, on one binned dataset, into one fitted-tree type. The layout
//! follows LightGBM's `io/` and `treelearner/`:
//!
//! * [`dataset`] — the binned dataset: each feature mapped once to at most 256 bins
//!   (`BinnedData`, feature-major codes) and its row-major copy for histograms (`RowCodes`);
//! * [`histogram`] — histograms of gradient statistics per bin, exact or quantized and packed,
//!   filled in cache-sized passes with rows prefetched, and sibling subtraction;
//! * [`split`] — the one threshold scan (`best_threshold`) with its criteria plugged in (the
//!   Newton gain here, CART's impurity in `depthwise`), and boosting's split finder (missing
//!   values tried on both sides);
//! * [`partition`] — the data partition: each leaf's samples contiguous, split in place,
//!   stably, in parallel blocks for large leaves;
//! * [`leafwise`] — the best-first grower of boosting (and of any model that grows by gain);
//! * [`depthwise`] — the depth-first CART grower of trees and forests (impurity criteria, class
//!   statistics, per-split feature sampling, sorted scans for small nodes);
//! * [`tree`] — the fitted [`Tree`]: one traversal, one validation of loaded trees;
//! * [`pool`] — the thread-pool discipline of a boosting round.
//!
//! **The seam for more than one process.** Every sum that decides a tree — each histogram,
//! each leaf's row count and gradient sums — passes through a [`Collective`] before it is used.
//! One process uses [`Serial`], whose sums are no-ops. A data-parallel learner (LightGBM's
//! `data_parallel_tree_learner`) holds a shard of the rows in each process and implements
//! [`Collective::all_sum`] as an all-reduce: every process then sees the histograms of all the
//! rows, finds the same split, partitions its own rows, and ends with the same tree. Bin edges
//! must be agreed before training (computed on rank 0's sample and broadcast), which is the
//! dataset's concern, not the learner's.

pub mod dataset;
pub mod depthwise;
pub mod histogram;
pub mod leafwise;
pub mod partition;
pub mod pool;
pub mod split;
pub mod tree;

pub use tree::{Node, Split, Tree};

/// The collective operations a learner needs when its rows are spread over processes.
///
/// Implementations must add in a fixed order (by rank, say), so that every process gets
/// bit-identical sums and the same model as the others.
pub trait Collective: Sync {
    /// Replaces `values` by their element-wise sum over every process (an all-reduce).
    fn all_sum(&self, values: &mut [f64]);
}

/// One process: every sum is already complete.
#[derive(Debug, Clone, Copy, Default)]
pub struct Serial;

impl Collective for Serial {
    #[inline]
    fn all_sum(&self, _values: &mut [f64]) {}
}

/// Rows ahead of the one being read whose codes (and gradients) are fetched into the cache.
pub const PREFETCH_ROWS: usize = 64;

/// Asks the processor to start loading the cache line that holds `p[0]` into its level-1
/// cache. A hint only: it changes no result, and it does nothing off x86-64. The rows of a
/// deep leaf are scattered over the data, so without it each one is a cache miss.
#[inline(always)]
pub fn prefetch<T>(p: &[T]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program can observe and cannot fault, whatever
    // the address; this one is the start of a live slice.
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
