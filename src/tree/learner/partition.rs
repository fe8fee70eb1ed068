//! The data partition (LightGBM's `DataPartition`): the samples of every leaf lie contiguously in
//! one array, and splitting a leaf partitions its range in place, stably — rows going left
//! first, each side in its previous order. Both growers use it: the leaf-wise one on row
//! indices, the depth-first one on samples that carry their weight and target along.

use rayon::prelude::*;

use super::dataset::Column;
use super::{prefetch, PREFETCH_ROWS};

/// Whether a row with bin `code` goes left under a split at `bin` (`miss`: the feature's
/// missing code, or `usize::MAX` when it has none).
#[inline]
pub fn goes_left(code: usize, bin: usize, miss: usize, missing_left: bool) -> bool {
    // The missing code lies above every value bin, so `code <= bin` is false for it.
    (code <= bin) | ((code == miss) & missing_left)
}

/// Rows per block of a parallel partition.
pub const PARTITION_BLOCK: usize = 1 << 11;

/// A sample of the partition: it knows its row in the data.
pub trait Row: Copy + Send + Sync {
    /// The row index.
    fn row(self) -> usize;
}

impl Row for u32 {
    #[inline(always)]
    fn row(self) -> usize {
        self as usize
    }
}

/// The codes of one feature, one per row, as a partition reads them.
pub trait Codes: Copy + Sync {
    /// One row's code.
    type Code: Copy;
    /// Row `i`'s code.
    fn at(&self, i: usize) -> Self::Code;
    /// Asks for row `i`'s code to be fetched into the cache.
    fn fetch(&self, i: usize);
}

impl Codes for Column<'_> {
    type Code = u8;
    #[inline(always)]
    fn at(&self, i: usize) -> u8 {
        Column::at(self, i)
    }
    #[inline(always)]
    fn fetch(&self, i: usize) {
        prefetch(self.from(i));
    }
}

/// A feature-major slice of one-byte codes, or a wide categorical feature's merged bins (see
/// [`WideFeature`](super::dataset::WideFeature)): two bytes per row, contiguous, so a split of
/// such a feature partitions without reading the rows' other codes.
impl<T: Copy + Sync> Codes for &[T] {
    type Code = T;
    #[inline(always)]
    fn at(&self, i: usize) -> T {
        self[i]
    }
    #[inline(always)]
    fn fetch(&self, i: usize) {
        prefetch(&self[i.min(self.len())..]);
    }
}

/// Stable partition of `range` by the codes of one feature (`codes`: a feature-major slice, a
/// strided [`Column`] of row-major codes, or a wide feature's merged bins; rows going left
/// first, each side in its order); returns the number going left. Large ranges are cut into
/// fixed blocks partitioned in parallel, then stitched: the result is the same as a serial pass, on any
/// number of threads. `scratch` must be at least as long as `range`.
pub fn partition<T: Row, C: Codes>(
    range: &mut [T],
    scratch: &mut [T],
    codes: C,
    left: impl Fn(C::Code) -> bool + Sync,
) -> usize {
    let n = range.len();
    let scratch = &mut scratch[..n];
    // Left rows compacted at the start of `range`, right rows at the start of `scratch`,
    // without branching on the data.
    let split = |(range, scratch): (&mut [T], &mut [T])| -> usize {
        let (mut write, mut other) = (0, 0);
        for k in 0..range.len() {
            // Rows `k..` are still in place (`write <= k`).
            if let Some(&ahead) = range.get(k + PREFETCH_ROWS) {
                codes.fetch(ahead.row());
            }
            let r = range[k];
            let l = left(codes.at(r.row()));
            range[write] = r;
            scratch[other] = r;
            write += usize::from(l);
            other += usize::from(!l);
        }
        write
    };
    if n < 2 * PARTITION_BLOCK {
        let write = split((range, scratch));
        range[write..].copy_from_slice(&scratch[..n - write]);
        return write;
    }
    let lefts: Vec<usize> = range
        .par_chunks_mut(PARTITION_BLOCK)
        .zip(scratch.par_chunks_mut(PARTITION_BLOCK))
        .map(split)
        .collect();
    // Block b's left rows move down to the running offset (never past block b's start).
    let mut write = 0;
    for (b, &nl) in lefts.iter().enumerate() {
        let start = b * PARTITION_BLOCK;
        range.copy_within(start..start + nl, write);
        write += nl;
    }
    let mut right = write;
    for (b, &nl) in lefts.iter().enumerate() {
        let start = b * PARTITION_BLOCK;
        let nr = PARTITION_BLOCK.min(n - start) - nl;
        range[right..right + nr].copy_from_slice(&scratch[start..start + nr]);
        right += nr;
    }
    write
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partition a reader would write: a filter for each side.
    fn reference(rows: &[u32], codes: &[u8], bin: u8) -> (Vec<u32>, usize) {
        let left: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|&r| codes[r as usize] <= bin)
            .collect();
        let n_left = left.len();
        let right = rows.iter().copied().filter(|&r| codes[r as usize] > bin);
        (left.into_iter().chain(right).collect(), n_left)
    }

    #[test]
    fn serial_and_parallel_partitions_are_stable_and_equal_a_filter() {
        // Below and well above the parallel threshold, with a ragged last block.
        for n in [
            0usize,
            1,
            7,
            3 * PARTITION_BLOCK + 123,
            20 * PARTITION_BLOCK + 5,
        ] {
            let codes: Vec<u8> = (0..n).map(|i| ((i * 7919 + 13) % 251) as u8).collect();
            // A leaf's rows: ascending, with gaps.
            let rows: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 1).collect();
            for bin in [0u8, 100, 250] {
                let (expected, n_left) = reference(&rows, &codes, bin);
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let mut got = rows.clone();
                    let mut scratch = vec![0u32; got.len()];
                    let write = pool
                        .install(|| partition(&mut got, &mut scratch, &codes[..], |c| c <= bin));
                    assert_eq!(write, n_left, "n = {n}, bin = {bin}, {threads} threads");
                    assert_eq!(got, expected, "n = {n}, bin = {bin}, {threads} threads");
                }
            }
        }
    }

    #[test]
    fn missing_values_follow_the_learned_side() {
        let miss = 5;
        assert!(goes_left(3, 3, miss, false));
        assert!(!goes_left(4, 3, miss, true));
        assert!(goes_left(miss, 3, miss, true));
        assert!(!goes_left(miss, 3, miss, false));
        // The last threshold sends every value left, and missing values where learned.
        assert!(goes_left(4, 4, miss, false) && !goes_left(miss, 4, miss, false));
        // A feature without missing values never matches the missing code.
        assert!(!goes_left(4, 3, usize::MAX, true));
    }
}
