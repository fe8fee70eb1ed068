//! The tree learner under every tree model: decision trees, random forests and gradient
//! boosting grow their trees here, on one binned dataset, into one fitted-tree type. The layout
//! follows LightGBM's `io/` and `treelearner/`:
//!
//! * [`dataset`] — the binned dataset: each feature mapped once to at most 256 bins
//!   (`BinnedData`, feature-major codes) and its row-major copy for histograms (`RowCodes`);
//! * [`histogram`] — the histograms, flat tables per feature and bin: gradient sums (exact or
//!   quantized and packed, filled in cache-sized passes with rows prefetched) for boosting, and
//!   CART's class or target statistics, filled feature by feature; sibling subtraction;
//! * [`split`] — the one threshold scan (`best_threshold`) with its criteria plugged in (the
//!   Newton gain here, CART's impurity in `depthwise`), and boosting's split finder (missing
//!   values tried on both sides);
//! * [`partition`] — the data partition: each leaf's samples contiguous, split in place,
//!   stably, in parallel blocks for large leaves;
//! * [`leafwise`] — the best-first grower of boosting (and of any model that grows by gain);
//! * [`depthwise`] — the depth-first CART grower of trees and forests (impurity criteria, class
//!   statistics, per-split feature sampling, sorted scans for small nodes);
//! * [`tree`] — the fitted [`Tree`]: one traversal, one validation of loaded trees;
//! * [`pool`] — the thread-pool discipline of a boosting round;
//! * [`collective`] — the seam for more than one process: every sum that decides a tree, in
//!   both growers, passes through a [`Collective`] ([`Serial`] for one process; an all-reduce
//!   for a data-parallel learner, whose processes then all grow the same tree).

pub mod collective;
pub mod dataset;
pub mod depthwise;
pub mod histogram;
pub mod leafwise;
pub mod partition;
pub mod pool;
pub mod split;
pub mod tree;

pub use collective::{Collective, Serial};
pub use tree::{Node, Split, Tree};

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
