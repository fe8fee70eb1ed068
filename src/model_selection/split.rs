//! Cross-validation splitters, seeded and thread-independent. The deterministic ones
//! ([`KFold`] and [`StratifiedKFold`] without shuffling, [`GroupKFold`], [`TimeSeriesSplit`])
//! give exactly scikit-learn's fold indices; the shuffled ones draw from learnkit's seeded
//! generator (same seed, same folds; not scikit-learn's numbers).

use rand::seq::SliceRandom;

use crate::error::{Error, Result};
use crate::rng;
use crate::traits::Hyperparams;

/// One train/test split: indices into the data, each list ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Rows to fit on.
    pub train: Vec<usize>,
    /// Rows to score on.
    pub test: Vec<usize>,
}

/// What a splitter may look at besides the number of samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct SplitInput<'a> {
    /// Class indices, one per sample (the stratified splitters need them).
    pub labels: Option<&'a [usize]>,
    /// Group ids, one per sample ([`GroupKFold`] needs them).
    pub groups: Option<&'a [usize]>,
}

/// Produces train/test folds of `n_samples` rows.
pub trait Splitter: Send + Sync + std::fmt::Debug {
    /// The folds; errors name the setting that does not fit the data (more folds than
    /// samples, than members of the smallest class, than groups...).
    fn split(&self, n_samples: usize, input: SplitInput<'_>) -> Result<Vec<Fold>>;

    /// How many folds [`Splitter::split`] returns.
    fn n_splits(&self) -> usize;
}

/// The training indices: every row of `0..n` not in `test` (ascending).
fn complement(n: usize, test: &[usize]) -> Vec<usize> {
    let mut in_test = vec![false; n];
    for &i in test {
        in_test[i] = true;
    }
    (0..n).filter(|&i| !in_test[i]).collect()
}

/// Folds from a test-fold number per sample.
fn folds_from_assignment(assignment: &[usize], k: usize) -> Vec<Fold> {
    (0..k)
        .map(|f| {
            let test: Vec<usize> = (0..assignment.len())
                .filter(|&i| assignment[i] == f)
                .collect();
            Fold {
                train: complement(assignment.len(), &test),
                test,
            }
        })
        .collect()
}

fn check_not_more_folds_than_samples(n_splits: usize, n_samples: usize) -> Result<()> {
    if n_splits > n_samples {
        return Err(Error::invalid(
            "n_splits",
            n_splits,
            format!("cannot exceed the number of samples ({n_samples})"),
        ));
    }
    Ok(())
}

fn require<'a>(
    what: Option<&'a [usize]>,
    name: &str,
    n: usize,
    splitter: &str,
) -> Result<&'a [usize]> {
    let values = what.ok_or_else(|| {
        Error::invalid(
            "splitter",
            splitter.to_string(),
            format!("needs {name}, one per sample"),
        )
    })?;
    if values.len() != n {
        return Err(Error::shape(
            name.to_string(),
            format!("{n} values (one per sample)"),
            values.len(),
        ));
    }
    Ok(values)
}

hyperparams! {
    /// K folds of consecutive rows (scikit-learn's `KFold`): the first `n % k` folds hold one extra
    /// row. With `shuffle`, the rows are permuted with `seed` first.
    #[derive(Debug, Clone, PartialEq)]
    pub struct KFold {
        /// Number of folds (≥ 2; default 5).
        pub(crate) n_splits: usize = 5, valid |k| *k >= 2, "needs at least 2 folds";
        /// Permute the rows before cutting them into folds (default false).
        pub(crate) shuffle: bool = false;
        /// Seed of the shuffling (default 0).
        pub(crate) seed: u64 = 0;
    }
}

impl Splitter for KFold {
    fn split(&self, n: usize, _: SplitInput<'_>) -> Result<Vec<Fold>> {
        self.check()?;
        check_not_more_folds_than_samples(self.n_splits, n)?;
        let mut order: Vec<usize> = (0..n).collect();
        if self.shuffle {
            order.shuffle(&mut rng::seeded(self.seed));
        }
        let k = self.n_splits;
        let mut assignment = vec![0; n];
        let mut start = 0;
        for f in 0..k {
            let size = n / k + usize::from(f < n % k);
            for &i in &order[start..start + size] {
                assignment[i] = f;
            }
            start += size;
        }
        Ok(folds_from_assignment(&assignment, k))
    }

    fn n_splits(&self) -> usize {
        self.n_splits
    }
}

hyperparams! {
    /// K folds that keep each class's share (scikit-learn's `StratifiedKFold`, same allocation):
    /// classes in order of first appearance, the sorted labels dealt round-robin to the folds, each
    /// class's rows taken in order (or shuffled with `seed`). Every class needs at least `k`
    /// members (scikit-learn only warns; here a fold without a class is an error).
    #[derive(Debug, Clone, PartialEq)]
    pub struct StratifiedKFold {
        /// Number of folds (≥ 2; default 5).
        pub(crate) n_splits: usize = 5, valid |k| *k >= 2, "needs at least 2 folds";
        /// Shuffle each class's rows among the folds (default false).
        pub(crate) shuffle: bool = false;
        /// Seed of the shuffling (default 0).
        pub(crate) seed: u64 = 0;
    }
}

/// Class codes in order of first appearance, and the count of each.
fn encode_by_first_appearance(labels: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut code = std::collections::HashMap::new();
    let mut counts = Vec::new();
    let encoded = labels
        .iter()
        .map(|&l| {
            let next = code.len();
            let c = *code.entry(l).or_insert(next);
            if c == counts.len() {
                counts.push(0);
            }
            counts[c] += 1;
            c
        })
        .collect();
    (encoded, counts)
}

impl Splitter for StratifiedKFold {
    fn split(&self, n: usize, input: SplitInput<'_>) -> Result<Vec<Fold>> {
        self.check()?;
        let labels = require(input.labels, "labels", n, "StratifiedKFold")?;
        check_not_more_folds_than_samples(self.n_splits, n)?;
        let k = self.n_splits;
        let (encoded, counts) = encode_by_first_appearance(labels);
        let smallest = counts.iter().copied().min().unwrap_or(0);
        if smallest < k {
            return Err(Error::invalid(
                "n_splits",
                k,
                format!("exceeds the members of the smallest class ({smallest})"),
            ));
        }
        // allocation[f][c]: how many of class c fold f tests — the sorted codes dealt to the
        // folds in turn, as scikit-learn does.
        let mut sorted = encoded.clone();
        sorted.sort_unstable();
        let mut allocation = vec![vec![0usize; counts.len()]; k];
        for (i, &c) in sorted.iter().enumerate() {
            allocation[i % k][c] += 1;
        }
        let mut rng = rng::seeded(self.seed);
        let mut assignment = vec![0; n];
        for (c, _) in counts.iter().enumerate() {
            let mut folds: Vec<usize> = (0..k)
                .flat_map(|f| std::iter::repeat_n(f, allocation[f][c]))
                .collect();
            if self.shuffle {
                folds.shuffle(&mut rng);
            }
            let rows = (0..n).filter(|&i| encoded[i] == c);
            for (row, fold) in rows.zip(folds) {
                assignment[row] = fold;
            }
        }
        Ok(folds_from_assignment(&assignment, k))
    }

    fn n_splits(&self) -> usize {
        self.n_splits
    }
}

hyperparams! {
    /// Random train/test splits (scikit-learn's `ShuffleSplit`): each split tests
    /// `ceil(test_size · n)` rows drawn with the seed, trains on the rest. With `stratify`
    /// (scikit-learn's `StratifiedShuffleSplit`, which [`StratifiedShuffleSplit::params`]
    /// starts from) each class contributes its share of the test rows, rounded so the total is
    /// `ceil(test_size · n)`, every class at least one row on each side.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ShuffleSplit {
        /// Number of splits (≥ 1; default 10).
        pub(crate) n_splits: usize = 10, valid |n| *n >= 1, "must be at least 1";
        /// Fraction of the rows tested, in (0, 1) (default 0.1).
        pub(crate) test_size: f64 = 0.1,
            valid |f| *f > 0.0 && *f < 1.0, "must lie strictly between 0 and 1";
        /// Seed of the draws (default 0).
        pub(crate) seed: u64 = 0;
        /// Keep each class's share in the test set (default false; needs the labels).
        pub(crate) stratify: bool = false;
    }
}

/// scikit-learn's `StratifiedShuffleSplit`: a [`ShuffleSplit`] with `stratify` on.
#[derive(Debug, Clone, Copy)]
pub struct StratifiedShuffleSplit;

impl StratifiedShuffleSplit {
    /// scikit-learn's defaults (10 splits, 10% tested), stratified.
    pub fn params() -> ShuffleSplit {
        ShuffleSplit::params().stratify(true)
    }
}

impl Splitter for ShuffleSplit {
    fn split(&self, n: usize, input: SplitInput<'_>) -> Result<Vec<Fold>> {
        self.check()?;
        if n < 2 {
            return Err(Error::EmptyData(format!(
                "a shuffle split needs at least 2 samples, got {n}"
            )));
        }
        let n_test = ((self.test_size * n as f64).ceil() as usize).clamp(1, n - 1);
        let classes = match self.stratify {
            false => None,
            true => {
                let labels = require(input.labels, "labels", n, "StratifiedShuffleSplit")?;
                let (encoded, counts) = encode_by_first_appearance(labels);
                if let Some(c) = counts.iter().position(|&m| m < 2) {
                    return Err(Error::invalid(
                        "labels",
                        format!(
                            "class {} with {} member",
                            labels[encoded.iter().position(|&e| e == c).unwrap_or(0)],
                            counts[c]
                        ),
                        "every class needs at least 2 members to appear on both sides",
                    ));
                }
                Some((encoded, per_class_test_counts(&counts, n_test)))
            }
        };
        (0..self.n_splits)
            .map(|s| {
                let mut rng = rng::derived(self.seed, s as u64);
                let mut test = match &classes {
                    None => {
                        let mut order: Vec<usize> = (0..n).collect();
                        order.shuffle(&mut rng);
                        order.truncate(n_test);
                        order
                    }
                    Some((encoded, take)) => {
                        let mut test = Vec::with_capacity(n_test);
                        for (c, &t) in take.iter().enumerate() {
                            let mut rows: Vec<usize> =
                                (0..n).filter(|&i| encoded[i] == c).collect();
                            rows.shuffle(&mut rng);
                            test.extend_from_slice(&rows[..t]);
                        }
                        test
                    }
                };
                test.sort_unstable();
                Ok(Fold {
                    train: complement(n, &test),
                    test,
                })
            })
            .collect()
    }

    fn n_splits(&self) -> usize {
        self.n_splits
    }
}

/// Each class's share of `n_test` test rows: proportional, rounded by largest remainder, at
/// least one and at most `count − 1` per class.
fn per_class_test_counts(counts: &[usize], n_test: usize) -> Vec<usize> {
    let n: usize = counts.iter().sum();
    let exact: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 * n_test as f64 / n as f64)
        .collect();
    let mut take: Vec<usize> = exact
        .iter()
        .zip(counts)
        .map(|(&e, &c)| (e.floor() as usize).clamp(1, c - 1))
        .collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut total: usize = take.iter().sum();
    for &c in order.iter().cycle().take(counts.len() * 2) {
        if total >= n_test {
            break;
        }
        if take[c] + 1 < counts[c] {
            take[c] += 1;
            total += 1;
        }
    }
    take
}

hyperparams! {
    /// K folds that never split a group (scikit-learn's `GroupKFold`, same assignment): groups from
    /// the largest down, each to the fold with the fewest rows so far.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupKFold {
        /// Number of folds (≥ 2, at most the number of groups; default 5).
        pub(crate) n_splits: usize = 5, valid |k| *k >= 2, "needs at least 2 folds";
    }
}

impl Splitter for GroupKFold {
    fn split(&self, n: usize, input: SplitInput<'_>) -> Result<Vec<Fold>> {
        self.check()?;
        let groups = require(input.groups, "groups", n, "GroupKFold")?;
        // Groups numbered in sorted order of their ids (numpy's unique).
        let mut ids: Vec<usize> = groups.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let k = self.n_splits;
        if k > ids.len() {
            return Err(Error::invalid(
                "n_splits",
                k,
                format!("exceeds the number of groups ({})", ids.len()),
            ));
        }
        let index: Vec<usize> = groups
            .iter()
            .map(|g| ids.binary_search(g).unwrap_or(0))
            .collect();
        let mut sizes = vec![0usize; ids.len()];
        for &g in &index {
            sizes[g] += 1;
        }
        // A stable ascending sort reversed: largest first, ties by the later group first.
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&g| sizes[g]);
        order.reverse();
        let mut fold_rows = vec![0usize; k];
        let mut group_fold = vec![0usize; ids.len()];
        for g in order {
            let lightest = (0..k).min_by_key(|&f| (fold_rows[f], f)).unwrap_or(0);
            fold_rows[lightest] += sizes[g];
            group_fold[g] = lightest;
        }
        let assignment: Vec<usize> = index.iter().map(|&g| group_fold[g]).collect();
        Ok(folds_from_assignment(&assignment, k))
    }

    fn n_splits(&self) -> usize {
        self.n_splits
    }
}

hyperparams! {
    /// Expanding-window splits for ordered data (scikit-learn's `TimeSeriesSplit`, same indices):
    /// each test block follows its training rows, never precedes them.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TimeSeriesSplit {
        /// Number of splits (≥ 2; default 5).
        pub(crate) n_splits: usize = 5, valid |k| *k >= 2, "needs at least 2 folds";
        /// Keep at most this many of the latest training rows (default: all).
        pub(crate) max_train_size: Option<usize> = None,
            valid |n| *n != Some(0), "must be at least 1";
        /// Rows per test block (default `n / (k + 1)`).
        pub(crate) test_size: Option<usize> = None, valid |n| *n != Some(0), "must be at least 1";
        /// Rows left out between the training rows and the test block (default 0).
        pub(crate) gap: usize = 0;
    }
}

impl Splitter for TimeSeriesSplit {
    fn split(&self, n: usize, _: SplitInput<'_>) -> Result<Vec<Fold>> {
        self.check()?;
        let k = self.n_splits;
        if k + 1 > n {
            return Err(Error::invalid(
                "n_splits",
                k,
                format!("needs more than {k} samples, got {n}"),
            ));
        }
        let test_size = self.test_size.unwrap_or(n / (k + 1));
        if n <= self.gap + test_size * k {
            return Err(Error::invalid(
                "n_splits",
                k,
                format!(
                    "too many splits for {n} samples with test_size {test_size} and gap {}",
                    self.gap
                ),
            ));
        }
        Ok((0..k)
            .map(|s| {
                let test_start = n - (k - s) * test_size;
                let train_end = test_start - self.gap;
                let train_start = match self.max_train_size {
                    Some(m) if m < train_end => train_end - m,
                    _ => 0,
                };
                Fold {
                    train: (train_start..train_end).collect(),
                    test: (test_start..test_start + test_size).collect(),
                }
            })
            .collect())
    }

    fn n_splits(&self) -> usize {
        self.n_splits
    }
}
