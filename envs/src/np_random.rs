//! NumPy's random generator, bit for bit: `SeedSequence` → `PCG64` → `Generator`, as
//! Gymnasium's `np_random(seed)` builds it. With it, `reset(Some(seed))` starts the same
//! episode as Gymnasium's `reset(seed=seed)`, and every later draw matches too.
//!
//! * [`SeedSequence`] hashes the seed's 32-bit words into a pool of four words (NumPy's
//!   `mix_entropy`) and expands the pool into the generator's state (`generate_state`).
//! * [`Pcg64`] is PCG's XSL-RR 128/64 generator: a 128-bit LCG whose output is the xor of the
//!   state's halves rotated by its top six bits.
//! * [`NpRandom`] draws as `numpy.random.Generator` does: `random()` takes the top 53 bits of a
//!   64-bit output, `uniform(a, b)` is `a + (b − a)·random()`, and `integers(0, n)` is Lemire's
//!   multiply-and-reject on 32-bit draws. PCG64 serves 32-bit draws in pairs: the low half of a
//!   64-bit output, then (at the next 32-bit draw, however many 64-bit draws came between) its
//!   high half.
//!
//! `envs/tests/gymnasium_parity.rs` (`numpy_seed_sequence_pcg64_and_generator_draws_match`)
//! checks all of it against numbers recorded from NumPy.

const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;
const POOL_SIZE: usize = 4;

/// NumPy's `SeedSequence` for an integer seed (no spawn key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL_SIZE],
}

fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut value = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    value = value.wrapping_mul(*hash_const);
    value ^ (value >> XSHIFT)
}

fn mix(x: u32, y: u32) -> u32 {
    let result = MIX_MULT_L
        .wrapping_mul(x)
        .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    result ^ (result >> XSHIFT)
}

impl SeedSequence {
    /// The sequence for `seed`.
    pub fn new(seed: u64) -> Self {
        // The seed as little-endian 32-bit words (one word for seeds below 2³²).
        let entropy: Vec<u32> = if seed >> 32 == 0 {
            vec![seed as u32]
        } else {
            vec![seed as u32, (seed >> 32) as u32]
        };
        let mut pool = [0u32; POOL_SIZE];
        let mut hash_const = INIT_A;
        for (i, p) in pool.iter_mut().enumerate() {
            *p = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hash_const);
        }
        for src in 0..POOL_SIZE {
            for dst in 0..POOL_SIZE {
                if src != dst {
                    let h = hashmix(pool[src], &mut hash_const);
                    pool[dst] = mix(pool[dst], h);
                }
            }
        }
        for &word in entropy.iter().skip(POOL_SIZE) {
            for p in pool.iter_mut() {
                *p = mix(*p, hashmix(word, &mut hash_const));
            }
        }
        Self { pool }
    }

    /// `n` 64-bit words of state (`generate_state(n, np.uint64)`).
    pub fn generate_state_u64(&self, n: usize) -> Vec<u64> {
        let mut hash_const = INIT_B;
        let words: Vec<u32> = (0..2 * n)
            .map(|i| {
                let mut v = self.pool[i % POOL_SIZE] ^ hash_const;
                hash_const = hash_const.wrapping_mul(MULT_B);
                v = v.wrapping_mul(hash_const);
                v ^ (v >> XSHIFT)
            })
            .collect();
        words
            .chunks(2)
            .map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32))
            .collect()
    }
}

const PCG_MULT: u128 = (2_549_297_995_355_413_924u128 << 64) + 4_865_540_595_714_422_341u128;

/// PCG64 (XSL-RR 128/64), seeded as NumPy seeds it from a [`SeedSequence`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
}

impl Pcg64 {
    /// NumPy's `PCG64(SeedSequence(seed))`.
    pub fn from_seed_sequence(seq: &SeedSequence) -> Self {
        let v = seq.generate_state_u64(4);
        let initstate = (u128::from(v[0]) << 64) | u128::from(v[1]);
        let initseq = (u128::from(v[2]) << 64) | u128::from(v[3]);
        let mut rng = Self {
            state: 0,
            inc: (initseq << 1) | 1,
        };
        rng.step();
        rng.state = rng.state.wrapping_add(initstate);
        rng.step();
        rng
    }

    fn step(&mut self) {
        self.state = self.state.wrapping_mul(PCG_MULT).wrapping_add(self.inc);
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let s = self.state;
        let xored = ((s >> 64) as u64) ^ (s as u64);
        xored.rotate_right((s >> 122) as u32)
    }
}

/// `numpy.random.Generator(PCG64(seed))`, the draws Gymnasium's environments use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpRandom {
    bits: Pcg64,
    /// The high half of the last 64-bit output split for 32-bit draws, not yet served.
    half: Option<u32>,
}

impl NpRandom {
    /// The generator Gymnasium's `np_random(seed)` returns.
    pub fn new(seed: u64) -> Self {
        Self {
            bits: Pcg64::from_seed_sequence(&SeedSequence::new(seed)),
            half: None,
        }
    }

    /// `Generator.random()`: uniform in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        (self.bits.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `Generator.uniform(low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.random()
    }

    /// PCG64's 32-bit draw (`next_uint32`).
    fn next_u32(&mut self) -> u32 {
        if let Some(high) = self.half.take() {
            return high;
        }
        let next = self.bits.next_u64();
        self.half = Some((next >> 32) as u32);
        next as u32
    }

    /// `Generator.integers(0, n)` (and `choice` of `n` items): uniform in `0..n`, for
    /// `1 ≤ n ≤ 2³²`.
    pub fn integers(&mut self, n: u64) -> u64 {
        assert!(
            (1..=1 << 32).contains(&n),
            "integers(0, {n}) is outside 1..=2^32"
        );
        let rng = n - 1;
        if rng == 0 {
            return 0;
        }
        if rng == 0xFFFF_FFFF {
            return u64::from(self.next_u32());
        }
        // Lemire's multiply-and-reject (NumPy's `buffered_bounded_lemire_uint32`).
        let rng_excl = rng + 1;
        let mut m = u64::from(self.next_u32()) * rng_excl;
        let mut leftover = m & 0xFFFF_FFFF;
        if leftover < rng_excl {
            let threshold = (0xFFFF_FFFF - rng) % rng_excl;
            while leftover < threshold {
                m = u64::from(self.next_u32()) * rng_excl;
                leftover = m & 0xFFFF_FFFF;
            }
        }
        m >> 32
    }
}
