//! The seam between the learner and the processes that hold the rows: every sum that decides
//! a tree passes through a [`Collective`]. One process uses [`Serial`]; a data-parallel learner
//! implements [`Collective::all_sum`] as an all-reduce over its processes (MPI's `Allreduce`),
//! and the growers run unchanged on each process's shard of the rows. The tests below run
//! both growers on shards in threads, with an all-reduce over shared memory, and get the
//! serial tree.

/// The collective operations a learner needs when its rows are spread over processes.
///
/// A backend supplies its rank, the number of processes and one primitive, an all-gather of
/// bytes; the sums and maxima are built on it and add in rank order, so that every process
/// gets bit-identical results and grows the same model as the others. A backend may
/// override [`Collective::all_sum_whole`] with a native all-reduce, since sums of whole
/// numbers are exact in any order.
///
/// Backends: [`Serial`] (one process), [`crate::distributed::Threads`] (ranks as threads of
/// one process, for tests) and, with the `mpi` feature, `crate::distributed::Mpi`.
pub trait Collective: Sync {
    /// How many processes hold rows (1 for [`Serial`]). With more than one, a learner may use
    /// no shortcut that looks at its own rows alone (CART's sorted scans of small nodes).
    fn processes(&self) -> usize;

    /// This process's rank, `0..processes()`.
    fn rank(&self) -> usize {
        0
    }

    /// Every process's `mine`, in rank order (an all-gather of varying lengths).
    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>>;

    /// Every process's `mine`, in rank order.
    fn all_gather(&self, mine: &[f64]) -> Vec<Vec<f64>> {
        if self.processes() == 1 {
            return vec![mine.to_vec()];
        }
        let bytes: Vec<u8> = mine.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.all_gather_bytes(&bytes)
            .into_iter()
            .map(|part| {
                part.chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect()
            })
            .collect()
    }

    /// Replaces `values` by their element-wise sum over every process (an all-reduce), added
    /// in rank order.
    fn all_sum(&self, values: &mut [f64]) {
        if self.processes() == 1 {
            return;
        }
        let parts = self.all_gather(values);
        same_lengths(&parts, values.len());
        for (i, v) in values.iter_mut().enumerate() {
            *v = parts.iter().fold(0.0, |sum, p| sum + p[i]);
        }
    }

    /// [`Collective::all_sum`] of whole numbers whose sums stay below 2⁵³ (histogram counts
    /// and quantized gradients): exact in any order, so a backend may use a native all-reduce.
    fn all_sum_whole(&self, values: &mut [f64]) {
        self.all_sum(values);
    }

    /// Replaces `values` by their element-wise maximum over every process.
    fn all_max(&self, values: &mut [f64]) {
        if self.processes() == 1 {
            return;
        }
        let parts = self.all_gather(values);
        same_lengths(&parts, values.len());
        for (i, v) in values.iter_mut().enumerate() {
            *v = parts.iter().fold(f64::NEG_INFINITY, |m, p| m.max(p[i]));
        }
    }

    /// `root`'s `bytes` on every process (a broadcast; the other processes' `bytes` are
    /// replaced).
    fn broadcast_bytes(&self, bytes: &mut Vec<u8>, root: usize) {
        if self.processes() == 1 {
            return;
        }
        let mine = if self.rank() == root {
            &bytes[..]
        } else {
            &[][..]
        };
        let mut parts = self.all_gather_bytes(mine);
        let from = root.min(parts.len() - 1);
        *bytes = std::mem::take(&mut parts[from]);
    }

    /// Returns once every process has called it.
    fn barrier(&self) {
        if self.processes() > 1 {
            self.all_gather_bytes(&[]);
        }
    }

    /// The sum over every process of `values`, cut into `processes()` blocks at `cuts`
    /// (`cuts[r]..cuts[r + 1]` is rank `r`'s block, `cuts` of length `processes() + 1`): this
    /// process's block of the sum (a reduce-scatter, in rank order like
    /// [`Collective::all_sum`]).
    fn reduce_scatter(&self, values: &[f64], cuts: &[usize]) -> Vec<f64> {
        let rank = self.rank();
        let (lo, hi) = (cuts[rank], cuts[rank + 1]);
        if self.processes() == 1 {
            return values[lo..hi].to_vec();
        }
        let mut all = values.to_vec();
        self.all_sum(&mut all);
        all[lo..hi].to_vec()
    }

    /// [`Collective::reduce_scatter`] of whole numbers (histograms of quantized gradients),
    /// exact in any order of addition: a backend may use a native reduce-scatter.
    fn reduce_scatter_whole(&self, values: &[f64], cuts: &[usize]) -> Vec<f64> {
        self.reduce_scatter(values, cuts)
    }

    /// Bytes this process has handed to collectives so far (0 where the backend does not
    /// count them).
    fn bytes_sent(&self) -> u64 {
        0
    }

    /// Seconds this process has spent inside collectives so far, waiting for the others
    /// included (0 where the backend does not measure it).
    fn seconds_in_collectives(&self) -> f64 {
        0.0
    }

    /// Replaces `values` by their element-wise sum over every process, exactly.
    fn all_sum_i128(&self, values: &mut [i128]) {
        if self.processes() == 1 {
            return;
        }
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let parts = self.all_gather_bytes(&bytes);
        let lengths: Vec<usize> = parts.iter().map(Vec::len).collect();
        assert!(
            lengths.iter().all(|&l| l == bytes.len()),
            "processes summed different lengths ({lengths:?} bytes)"
        );
        for (i, v) in values.iter_mut().enumerate() {
            *v = parts.iter().fold(0i128, |sum, p| {
                let word = p[i * 16..(i + 1) * 16].try_into().expect("16 bytes");
                sum.wrapping_add(i128::from_le_bytes(word))
            });
        }
    }
}

/// Panics unless every process contributed `len` values: the processes took different paths,
/// a bug this catches before it becomes a wrong model.
fn same_lengths(parts: &[Vec<f64>], len: usize) {
    assert!(
        parts.iter().all(|p| p.len() == len),
        "processes reduced different lengths ({:?} values)",
        parts.iter().map(Vec::len).collect::<Vec<_>>()
    );
}

/// One process: every sum is already complete.
#[derive(Debug, Clone, Copy, Default)]
pub struct Serial;

impl Collective for Serial {
    fn processes(&self) -> usize {
        1
    }

    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        vec![mine.to_vec()]
    }

    #[inline]
    fn all_sum(&self, _values: &mut [f64]) {}

    #[inline]
    fn all_sum_whole(&self, _values: &mut [f64]) {}
}

/// Sums of reals in fixed point, exact and so the same in any grouping of the terms: the sum
/// one process makes of all the rows equals the sum of the processes' partial sums, to the
/// bit. Values are scaled by a power of two that puts the largest magnitude (agreed across
/// processes) just below 2⁶², then truncated to integers; a term loses at most 2⁻⁶² of that
/// largest magnitude, less than one rounding of a floating-point sum of many terms.
#[derive(Debug, Clone, Copy)]
pub struct FixedPoint {
    scale: f64,
    inverse: f64,
}

impl FixedPoint {
    /// The scale for terms of magnitude at most `max_abs` (finite).
    pub fn for_max(max_abs: f64) -> Self {
        let exponent = if max_abs > 0.0 && max_abs.is_finite() {
            max_abs.log2().floor() as i32 + 1
        } else {
            0
        };
        let shift = (62 - exponent).clamp(-1000, 1000);
        Self {
            scale: 2f64.powi(shift),
            inverse: 2f64.powi(-shift),
        }
    }

    /// `v` in fixed point.
    #[inline]
    pub fn fixed(&self, v: f64) -> i64 {
        (v * self.scale) as i64
    }

    /// A fixed-point sum as a real (rounded once).
    #[inline]
    pub fn real(&self, sum: i128) -> f64 {
        sum as f64 * self.inverse
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::{Collective, FixedPoint, Serial};
    use crate::distributed::{ThreadRank, Threads};
    use crate::rng;
    use crate::tree::learner::dataset::{BinnedData, RowCodes};
    use crate::tree::learner::depthwise::{grow_tree, Sample, Targets};
    use crate::tree::learner::leafwise::{grow, TreeSpec};
    use crate::tree::learner::Tree;
    use crate::tree::params::{Criterion, TreeParams};

    /// Runs `grow_shard(rank, collective)` on one in-process rank per shard and returns their
    /// trees.
    fn on_ranks(
        ranks: usize,
        grow_shard: impl Fn(usize, &ThreadRank<'_>) -> Tree + Sync,
    ) -> Vec<Tree> {
        Threads::new(ranks)
            .unwrap()
            .run(|rank| Ok(grow_shard(rank.rank(), rank)))
            .into_iter()
            .map(|tree| tree.unwrap())
            .collect()
    }

    /// The rows `range` of `binned`, binned with the same edges (as a data-parallel dataset
    /// agrees its edges before training).
    fn shard(binned: &BinnedData, range: std::ops::Range<usize>) -> BinnedData {
        let mut codes = Vec::new();
        for f in 0..binned.n_features() {
            codes.extend_from_slice(&binned.feature(f)[range.clone()]);
        }
        BinnedData {
            n_samples: range.len(),
            codes,
            mapper: binned.mapper.clone(),
        }
    }

    /// Uneven contiguous shards of `n` rows.
    fn ranges(n: usize, ranks: usize) -> Vec<std::ops::Range<usize>> {
        let cuts: Vec<usize> = (0..=ranks).map(|k| n * k * k / (ranks * ranks)).collect();
        cuts.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// Features with many distinct values and few; every statistic a whole number, so sums
    /// are exact in any grouping and the sharded tree must equal the serial one to the bit.
    fn data(n: usize, missing: bool) -> (Array2<f64>, Vec<usize>, Vec<f64>) {
        let x = Array2::from_shape_fn((n, 6), |(i, f)| match f {
            0 => ((i * 7919) % 1009) as f64,
            1 => ((i * 13) % 7) as f64,
            2 if missing && i % 17 == 3 => f64::NAN,
            _ => ((i * 104_729 + f) % 331) as f64,
        });
        let classes = (0..n)
            .map(|i| {
                let v = x[[i, 0]] + 3.0 * x[[i, 1]] + if i % 13 == 0 { 400.0 } else { 0.0 };
                ((v / 500.0) as usize).min(2)
            })
            .collect();
        let values = (0..n)
            .map(|i| (x[[i, 0]] / 100.0).floor() + x[[i, 1]] + (i % 5) as f64)
            .collect();
        (x, classes, values)
    }

    #[test]
    fn cart_trees_grown_on_shards_equal_the_serial_tree() {
        let n = 6_000;
        let (x, classes, values) = data(n, false);
        let binned = BinnedData::new(x.view(), &[]).unwrap();
        let weights = |range: std::ops::Range<usize>| Sample {
            rows: (0..range.len() as u32).collect(),
            weights: range.map(|i| (1 + i % 3) as f64).collect(),
        };
        for (criterion, n_try) in [
            (Criterion::Gini, 6),
            (Criterion::Entropy, 2),
            (Criterion::SquaredError, 6),
            (Criterion::SquaredError, 3),
        ] {
            let params = TreeParams {
                criterion,
                max_depth: Some(12),
                min_samples_split: 2,
                min_samples_leaf: 3,
                min_impurity_decrease: 0.0,
            };
            let targets = |range: std::ops::Range<usize>| match criterion {
                Criterion::SquaredError => Targets::Values(&values[range]),
                _ => Targets::Classes(&classes[range], 3),
            };
            let serial = grow_tree(
                &binned,
                targets(0..n),
                weights(0..n),
                &params,
                n_try,
                &mut rng::seeded(7),
                &Serial,
            );
            assert!(
                serial.n_nodes() > 50,
                "{criterion:?}: a tree worth comparing"
            );
            for ranks in [2, 3] {
                let parts = ranges(n, ranks);
                let trees = on_ranks(ranks, |rank, collective| {
                    let range = parts[rank].clone();
                    grow_tree(
                        &shard(&binned, range.clone()),
                        targets(range.clone()),
                        weights(range),
                        &params,
                        n_try,
                        &mut rng::seeded(7),
                        collective,
                    )
                });
                for tree in trees {
                    assert!(
                        tree == serial,
                        "{criterion:?}, n_try {n_try}, {ranks} ranks"
                    );
                }
            }
        }
    }

    #[test]
    fn boosted_trees_grown_on_shards_equal_the_serial_tree() {
        use crate::tree::learner::leafwise::Exchange;
        let n = 6_000;
        let (x, _, values) = data(n, true);
        let binned = BinnedData::new(x.view(), &[]).unwrap();
        // Squared loss from 0: whole-number gradients, unit hessians.
        let gh: Vec<[f64; 2]> = values.iter().map(|v| [-v, 1.0]).collect();
        for exchange in [Exchange::AllReduce, Exchange::ReduceScatter] {
            let tree = |binned: &BinnedData, gh: &[[f64; 2]], collective: &dyn CollectiveRef| {
                let row_codes = RowCodes::new(binned);
                let spec = TreeSpec {
                    row_codes: &row_codes,
                    gh,
                    quantized: None,
                    lambda: 1.0,
                    min_leaf: 20,
                    min_gain: 0.0,
                    max_depth: None,
                    max_leaves: 31,
                    learning_rate: 0.5,
                    categorical: Default::default(),
                    exchange,
                };
                let mut rows: Vec<u32> = (0..binned.n_samples as u32).collect();
                collective.grow(&spec, &mut rows)
            };
            let serial = tree(&binned, &gh, &Serial);
            assert!(serial.n_nodes() == 61, "31 leaves");
            for ranks in [2, 3] {
                let parts = ranges(n, ranks);
                let trees = on_ranks(ranks, |rank, collective| {
                    let range = parts[rank].clone();
                    tree(&shard(&binned, range.clone()), &gh[range], collective)
                });
                for t in trees {
                    assert!(t == serial, "{exchange:?}, {ranks} ranks");
                }
            }
        }
    }

    #[test]
    fn fixed_point_sums_are_exact_in_any_grouping_and_close_to_the_real_sum() {
        let values: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.37 + (i as f64).sin() * 1e-9)
            .collect();
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let fixed = FixedPoint::for_max(largest);
        let sum = |part: &[f64]| {
            part.iter()
                .map(|&v| i128::from(fixed.fixed(v)))
                .sum::<i128>()
        };
        let whole = sum(&values);
        for cut in [1, 977, 5_000, 9_999] {
            assert_eq!(sum(&values[..cut]) + sum(&values[cut..]), whole);
        }
        let mut reversed = values.clone();
        reversed.reverse();
        assert_eq!(sum(&reversed), whole);
        // Against a compensated sum: within a few units of the last place.
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &v in &values {
            let y = v - c;
            let t = s + y;
            c = (t - s) - y;
            s = t;
        }
        assert!(
            (fixed.real(whole) - s).abs() <= 1e-12 * s.abs(),
            "{} vs {s}",
            fixed.real(whole)
        );
        // Extremes: zero, tiny and huge magnitudes keep their scale finite.
        for m in [0.0, 1e-300, 1e300, f64::MAX] {
            let f = FixedPoint::for_max(m);
            assert!(f.real(i128::from(f.fixed(m))).is_finite());
        }
    }

    #[test]
    fn sharded_bin_thresholds_equal_the_serial_ones_with_sampling() {
        use crate::distributed::Shard;
        use crate::tree::learner::dataset::{BinMapper, BIN_SAMPLE};
        let n = BIN_SAMPLE + 31_337;
        let x = Array2::from_shape_fn((n, 3), |(i, f)| match f {
            0 => ((i * 2_654_435_761) % 1_000_003) as f64,
            1 if i % 101 == 7 => f64::NAN,
            1 => (i % 300) as f64 * 0.5,
            _ => ((i * 13) % 40) as f64,
        });
        let serial = BinMapper::fit(x.view(), &[2]).unwrap();
        for ranks in [2, 3] {
            let mappers = Threads::new(ranks).unwrap().run(|rank| {
                let r = rank.rank();
                let (lo, hi) = (n * r / ranks, n * (r + 1) / ranks);
                let shard = Shard::of(rank, hi - lo);
                assert_eq!((shard.offset, shard.total), (lo, n));
                BinMapper::fit_sharded(
                    x.slice(ndarray::s![lo..hi, ..]),
                    &[2],
                    rank,
                    shard,
                    |_| unreachable!(),
                )
            });
            for mapper in mappers {
                let mapper = mapper.unwrap();
                assert_eq!(mapper.edges, serial.edges, "{ranks} ranks");
                assert_eq!(mapper.missing, serial.missing);
                assert_eq!(mapper.categories, serial.categories);
            }
        }
    }

    /// `grow` is generic over the collective; this lets one closure call it with either.
    trait CollectiveRef {
        fn grow(&self, spec: &TreeSpec<'_>, rows: &mut [u32]) -> Tree;
    }

    impl<C: Collective> CollectiveRef for C {
        fn grow(&self, spec: &TreeSpec<'_>, rows: &mut [u32]) -> Tree {
            let features = (0..spec.row_codes.n_features).collect();
            grow(spec, self, features, rows, &mut Vec::new()).tree
        }
    }
}
