//! The seam between the learner and the processes that hold the rows: every sum that decides
//! a tree passes through a [`Collective`]. One process uses [`Serial`]; a data-parallel learner
//! implements [`Collective::all_sum`] as an all-reduce over its processes (MPI's `Allreduce`),
//! and the growers run unchanged on each process's shard of the rows. The tests below run
//! both growers on shards in threads, with an all-reduce over shared memory, and get the
//! serial tree.

/// The collective operations a learner needs when its rows are spread over processes.
///
/// Implementations must add in a fixed order (by rank, say), so that every process gets
/// bit-identical sums and the same model as the others.
pub trait Collective: Sync {
    /// Replaces `values` by their element-wise sum over every process (an all-reduce).
    fn all_sum(&self, values: &mut [f64]);

    /// How many processes hold rows (1 for [`Serial`]). With more than one, a learner may use
    /// no shortcut that looks at its own rows alone (CART's sorted scans of small nodes).
    fn processes(&self) -> usize;
}

/// One process: every sum is already complete.
#[derive(Debug, Clone, Copy, Default)]
pub struct Serial;

impl Collective for Serial {
    #[inline]
    fn all_sum(&self, _values: &mut [f64]) {}

    fn processes(&self) -> usize {
        1
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    use ndarray::Array2;

    use super::{Collective, Serial};
    use crate::rng;
    use crate::tree::learner::dataset::{BinnedData, RowCodes};
    use crate::tree::learner::depthwise::{grow_tree, Sample, Targets};
    use crate::tree::learner::leafwise::{grow, TreeSpec};
    use crate::tree::learner::Tree;
    use crate::tree::params::{Criterion, TreeParams};

    /// Processes as threads sharing memory: each deposits its values and waits for the
    /// others; the last to arrive sums the deposits in rank order (so every rank gets the same
    /// bits). A rank that finishes while others wait means the ranks took different paths: the
    /// waiting ones panic rather than hang.
    struct Shared {
        state: Mutex<State>,
        wake: Condvar,
        ranks: usize,
    }

    struct State {
        deposits: Vec<Vec<f64>>,
        arrived: usize,
        generation: u64,
        sum: Vec<f64>,
        finished: usize,
    }

    struct Rank<'a> {
        shared: &'a Shared,
        rank: usize,
    }

    impl Collective for Rank<'_> {
        fn all_sum(&self, values: &mut [f64]) {
            let shared = self.shared;
            let mut state = shared.state.lock().unwrap();
            state.deposits[self.rank] = values.to_vec();
            state.arrived += 1;
            let generation = state.generation;
            if state.arrived == shared.ranks {
                let len = values.len();
                assert!(
                    state.deposits.iter().all(|d| d.len() == len),
                    "ranks reduced different lengths"
                );
                state.sum = (0..len)
                    .map(|i| state.deposits.iter().fold(0.0, |sum, d| sum + d[i]))
                    .collect();
                state.arrived = 0;
                state.generation += 1;
                shared.wake.notify_all();
            } else {
                while state.generation == generation {
                    assert!(state.finished == 0, "a rank finished while others reduce");
                    state = shared
                        .wake
                        .wait_timeout(state, Duration::from_millis(50))
                        .unwrap()
                        .0;
                }
            }
            values.copy_from_slice(&state.sum);
        }

        fn processes(&self) -> usize {
            self.shared.ranks
        }
    }

    /// Runs `grow_shard(rank, collective)` on one thread per shard and returns their trees.
    fn on_ranks(ranks: usize, grow_shard: impl Fn(usize, &Rank<'_>) -> Tree + Sync) -> Vec<Tree> {
        let shared = Shared {
            state: Mutex::new(State {
                deposits: vec![Vec::new(); ranks],
                arrived: 0,
                generation: 0,
                sum: Vec::new(),
                finished: 0,
            }),
            wake: Condvar::new(),
            ranks,
        };
        /// Counts a rank as finished when its thread ends, panicking or not.
        struct Finished<'a>(&'a Shared);
        impl Drop for Finished<'_> {
            fn drop(&mut self) {
                let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
                state.finished += 1;
                self.0.wake.notify_all();
            }
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..ranks)
                .map(|rank| {
                    let (shared, grow_shard) = (&shared, &grow_shard);
                    s.spawn(move || {
                        let _finished = Finished(shared);
                        grow_shard(rank, &Rank { shared, rank })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
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
        let n = 6_000;
        let (x, _, values) = data(n, true);
        let binned = BinnedData::new(x.view(), &[]).unwrap();
        // Squared loss from 0: whole-number gradients, unit hessians.
        let gh: Vec<[f64; 2]> = values.iter().map(|v| [-v, 1.0]).collect();
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
                assert!(t == serial, "{ranks} ranks");
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
