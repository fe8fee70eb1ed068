//! Seeded random number generators.
//!
//! Every randomised algorithm takes a `u64` seed. Work split into independent pieces (the trees
//! of a forest, the restarts of K-means) derives one generator per piece from the seed and the
//! piece's index, so results do not depend on the number of threads.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator learnkit uses everywhere (rand 0.8 API, as linfa).
pub type Rng = Xoshiro256PlusPlus;

/// A generator seeded from `seed`.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// An independent generator for piece `index` of the work seeded by `seed`.
pub fn derived(seed: u64, index: u64) -> Rng {
    Rng::seed_from_u64(splitmix64(
        seed ^ splitmix64(index.wrapping_add(0x9E37_79B9_7F4A_7C15)),
    ))
}

/// `cap` distinct indices below `n` (all of them if `n ≤ cap`), ascending, drawn without
/// replacement by a generator seeded with `seed`: the one row sample behind silhouettes,
/// report figures and [`Dataset::subsample`](crate::dataset::Dataset::subsample).
pub fn sample_rows(n: usize, cap: usize, seed: u64) -> Vec<usize> {
    if n <= cap {
        return (0..n).collect();
    }
    let mut rows = rand::seq::index::sample(&mut seeded(seed), n, cap).into_vec();
    rows.sort_unstable();
    rows
}

/// SplitMix64 finaliser: a bijective mix that spreads nearby seeds apart.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
