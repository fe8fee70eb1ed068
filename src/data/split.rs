//! Seeded train/test splits and k-fold cross-validation indices.

use rand::seq::SliceRandom;

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::rng;

/// Shuffles the rows with `seed` and puts `test_fraction` of them (rounded up, as
/// scikit-learn) into the test set. Both sets are non-empty.
pub fn train_test_split<T: Clone>(
    data: &Dataset<T>,
    test_fraction: f64,
    seed: u64,
) -> Result<(Dataset<T>, Dataset<T>)> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::invalid(
            "test_fraction",
            test_fraction,
            "must lie strictly between 0 and 1",
        ));
    }
    data.check_consistent()?;
    let n = data.n_samples();
    if n < 2 {
        return Err(Error::EmptyData(format!(
            "a train/test split needs at least 2 samples, got {n}"
        )));
    }
    let n_test = ((n as f64 * test_fraction).ceil() as usize).clamp(1, n - 1);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng::seeded(seed));
    let (test, train) = order.split_at(n_test);
    Ok((data.select(train)?, data.select(test)?))
}

/// Splits `0..n_samples` into `k` shuffled folds; returns `(train_indices, test_indices)` per
/// fold. The first `n_samples % k` folds hold one extra sample, as scikit-learn's `KFold`.
pub fn k_fold(n_samples: usize, k: usize, seed: u64) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 || k > n_samples {
        return Err(Error::invalid(
            "k",
            k,
            format!("k-fold needs 2 ≤ k ≤ n_samples ({n_samples})"),
        ));
    }
    let mut order: Vec<usize> = (0..n_samples).collect();
    order.shuffle(&mut rng::seeded(seed));
    let mut folds = Vec::with_capacity(k);
    let mut start = 0;
    for f in 0..k {
        let size = n_samples / k + usize::from(f < n_samples % k);
        let test = order[start..start + size].to_vec();
        let train = order[..start]
            .iter()
            .chain(&order[start + size..])
            .copied()
            .collect();
        folds.push((train, test));
        start += size;
    }
    Ok(folds)
}
