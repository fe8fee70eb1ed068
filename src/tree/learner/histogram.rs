//! Histograms of gradient statistics per feature bin: the learner's hot loop.
//!
//! A histogram holds, for every bin of every feature, the sums `(g, h, count)` of the rows of
//! one leaf. Gradients are summed exactly ([`Grads::Exact`]) or quantized to 8 bits and packed
//! three-to-a-word ([`Quantized`], LightGBM's quantized training), so that one integer addition
//! per row and feature fills all three sums. The fill walks the row-major codes
//! ([`RowCodes`]) in cache-sized passes of features, with rows prefetched ahead; a node's
//! larger child gets its histogram by subtraction ([`Histogram::subtract`]). A categorical
//! feature with more than 255 categories spreads them over several code columns; its
//! histogram bins come from one merged bin per row ([`WideFeature`]), one addition per row
//! instead of one per column.
//!
//! Every sum of a bin is taken in row order, or is a sum of whole numbers (quantized), so a
//! histogram is the same whatever the number of threads: the property a data-parallel learner
//! also needs, where histograms of row shards are added across processes.

use rayon::prelude::*;

use super::dataset::{RowCodes, WideFeature};
use super::prefetch;
use super::PREFETCH_ROWS;
use crate::rng;

/// The gradient pairs a histogram sums: exact, or quantized and packed (see [`Quantized`]).
#[derive(Clone, Copy)]
pub enum Grads<'a> {
    /// Exact `(g, h)` pairs, indexed by row.
    Exact(&'a [[f64; 2]]),
    /// Packed quantized words, indexed by row.
    Quantized(&'a [u64]),
}

/// Gradients quantized to integers for the histograms (LightGBM's quantized training): `g` to
/// `−127..=127` steps of `g_scale`, `h` to `0..=255` steps of `h_scale`, rounded stochastically
/// (unbiased; the draws are a hash of seed, round and row, so they do not depend on threads).
/// A row's pair and a count of 1 are packed in one `u64` — `g` in the top 22 bits (signed),
/// `h` in the next 22, the count in the low 20 — so adding packed words adds all three at once:
/// one addition per row and feature instead of three. Up to [`PACK_ROWS`] rows fit a word
/// without overflow. Leaf values still come from the exact gradients.
pub struct Quantized {
    /// One packed word per row.
    pub packed: Vec<u64>,
    /// The value of one step of `g`.
    pub g_scale: f64,
    /// The value of one step of `h`.
    pub h_scale: f64,
}

/// Rows a packed histogram word can sum without overflowing a field (127 · 16384 < 2²¹).
pub const PACK_ROWS: usize = 16_384;

impl Quantized {
    /// The largest |g| and h of `gh` (the scales of a loss without bounds).
    pub fn largest(gh: &[[f64; 2]]) -> (f64, f64) {
        gh.par_chunks(8192)
            .map(|c| {
                c.iter().fold((0.0f64, 0.0f64), |(g, h), p| {
                    (g.max(p[0].abs()), h.max(p[1]))
                })
            })
            .reduce(|| (0.0, 0.0), |a, b| (a.0.max(b.0), a.1.max(b.1)))
    }

    /// Quantizes `gh` into `buffer` (reused round after round). `(g_max, h_max)`: the largest
    /// |g| and h the loss can produce (log-losses: 1 and ¼), or present ([`Quantized::largest`],
    /// over every process's rows). Row `i` is rounded with the random bits of row
    /// `first_row + i` of all the rows, so a shard rounds its rows as one process would.
    pub fn new(
        gh: &[[f64; 2]],
        seed: u64,
        first_row: u64,
        (g_max, h_max): (f64, f64),
        buffer: Vec<u64>,
    ) -> Self {
        let g_scale = if g_max > 0.0 { g_max / 127.0 } else { 1.0 };
        let h_scale = if h_max > 0.0 { h_max / 255.0 } else { 1.0 };
        let (g_inv, h_inv) = (1.0 / g_scale, 1.0 / h_scale);
        let mut packed = buffer;
        packed.resize(gh.len(), 0);
        let unit = 2f64.powi(-32);
        packed
            .par_chunks_mut(8192)
            .zip(gh.par_chunks(8192))
            .enumerate()
            .for_each(|(c, (out, gh))| {
                for (j, (o, &[g, h])) in out.iter_mut().zip(gh).enumerate() {
                    let i = first_row + (c * 8192 + j) as u64;
                    let bits = rng::splitmix64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let (u, v) = ((bits >> 32) as f64 * unit, (bits as u32) as f64 * unit);
                    // floor(x) as (x + 128) truncated, minus 128: x lies in [−127, 128) here.
                    let g = ((g * g_inv + u + 128.0) as i64 - 128).clamp(-127, 127);
                    let h = ((h * h_inv + v) as i64).clamp(0, 255);
                    *o = ((g << 42) + (h << 20) + 1) as u64;
                }
            });
        Quantized {
            packed,
            g_scale,
            h_scale,
        }
    }
}

/// `h` cut into one table per feature, at `offsets` (relative to the start of `h`).
fn tables<'h, T>(mut h: &'h mut [T], offsets: &[usize]) -> Vec<&'h mut [T]> {
    let mut out = Vec::with_capacity(offsets.len().saturating_sub(1));
    for w in offsets.windows(2) {
        let (table, rest) = h.split_at_mut(w[1] - w[0]);
        out.push(table);
        h = rest;
    }
    out
}

/// Unpacks a sum of packed words into (g, h, count) in quantization steps.
#[inline]
pub fn unpack(word: u64) -> [i64; 3] {
    let w = word as i64;
    [w >> 42, (w >> 20) & 0x3F_FFFF, w & 0xF_FFFF]
}

/// Adds the packed gradient words of `rows` (at most [`PACK_ROWS`]) to the tables of features
/// `f0..f1` (two 256-word tables per feature, indexed by the code without a bounds check):
/// even-numbered rows into the first, odd-numbered into the second. Two rows in flight
/// halve the chains of additions to one word when consecutive rows share a bin (each addition
/// waits for the previous store to the same word).
fn add_packed_group(
    codes: &RowCodes,
    rows: &[u32],
    packed: &[u64],
    tables: &mut [[[u64; 256]; 2]],
    f0: usize,
    f1: usize,
) {
    let d = codes.n_features;
    let row_codes = |r: usize| &codes.codes[r * d + f0..r * d + f1];
    let mut pairs = rows.chunks_exact(2);
    for (k, pair) in (&mut pairs).enumerate() {
        // The rows of a leaf are scattered over the data: ask for a row's codes and gradient
        // well before they are needed.
        if let Some(&ahead) = rows.get(2 * k + PREFETCH_ROWS) {
            prefetch(&codes.codes[ahead as usize * d + f0..]);
            prefetch(&packed[ahead as usize..]);
        }
        let (r0, r1) = (pair[0] as usize, pair[1] as usize);
        let (p0, p1) = (packed[r0], packed[r1]);
        for (t, (&c0, &c1)) in tables
            .iter_mut()
            .zip(row_codes(r0).iter().zip(row_codes(r1)))
        {
            let w = &mut t[0][c0 as usize];
            *w = w.wrapping_add(p0);
            let v = &mut t[1][c1 as usize];
            *v = v.wrapping_add(p1);
        }
    }
    for &r in pairs.remainder() {
        let r = r as usize;
        let p = packed[r];
        for (t, &c) in tables.iter_mut().zip(row_codes(r)) {
            let w = &mut t[0][c as usize];
            *w = w.wrapping_add(p);
        }
    }
}

/// Features whose packed tables one pass fills at most: 10 tables of 256 words take 20 KiB,
/// and two copies of them stay in a core's level-1 data cache (48 KiB here) next to the rows
/// streaming through; twenty features in one pass (two 40 KiB copies) would spill to level 2
/// (the measurements are in `docs/gradient_boosting.md`).
const PASS_FEATURES: usize = 10;

/// Scratch tables of [`add_packed`], all zero between calls: two 256-word tables per feature
/// of a pass, and two tables of a wide feature's merged bins.
#[derive(Default)]
struct Scratch {
    tables: Vec<[[u64; 256]; 2]>,
    merged: Vec<u64>,
}

/// Adds packed words to the (g, h, count) sums `o`.
#[inline]
fn add_unpacked(o: &mut [i64; 3], word: u64) {
    let u = unpack(word);
    o[0] += u[0];
    o[1] += u[1];
    o[2] += u[2];
}

/// The features a fill covers: column ranges filled code by code, and wide features filled
/// from their merged bins.
#[derive(Clone, Copy)]
struct Features<'a> {
    spans: &'a [(usize, usize)],
    wide: &'a [WideFeature],
}

/// Adds the packed gradient words of `rows` to `out`, the (g, h, count) sums of `features`
/// (`out` starts at bin `base` of the histogram), in blocks of [`PACK_ROWS`] rows and passes
/// over at most [`PASS_FEATURES`] features.
fn add_packed(
    codes: &RowCodes,
    rows: &[u32],
    packed: &[u64],
    scratch: &mut Scratch,
    features: Features<'_>,
    base: usize,
    out: &mut [[i64; 3]],
) {
    let Features { spans, wide } = features;
    let off = &codes.offsets;
    for chunk in rows.chunks(PACK_ROWS) {
        for &(f0, f1) in spans {
            // Passes of equal size: 20 features as 10 + 10, not 8 + 8 + 4.
            let nf = f1 - f0;
            let per_pass = nf.div_ceil(nf.div_ceil(PASS_FEATURES).max(1)).max(1);
            for a in (f0..f1).step_by(per_pass) {
                let b = (a + per_pass).min(f1);
                if scratch.tables.len() < b - a {
                    scratch.tables.resize(b - a, [[0; 256]; 2]);
                }
                let tables = &mut scratch.tables[..b - a];
                add_packed_group(codes, chunk, packed, tables, a, b);
                for (f, [even, odd]) in (a..b).zip(tables.iter_mut()) {
                    let nb = off[f + 1] - off[f];
                    let out = &mut out[off[f] - base..off[f + 1] - base];
                    for ((o, w), v) in out.iter_mut().zip(&mut even[..nb]).zip(&mut odd[..nb]) {
                        // Each copy summed at most PACK_ROWS / 2 rows: their sum fits.
                        let sum = w.wrapping_add(*v);
                        if sum != 0 {
                            add_unpacked(o, sum);
                            *w = 0;
                            *v = 0;
                        }
                    }
                }
            }
        }
        for feature in wide {
            add_merged(chunk, packed, &mut scratch.merged, feature, base, out);
        }
    }
}

/// Adds the packed words of `rows` (at most [`PACK_ROWS`]) to a wide feature's bins: one
/// addition per row into its merged bin (even and odd rows in two tables), then each merged
/// bin's sum to its place, and a further column's to the first column's missing bin as well
/// (see [`WideFeature`]; the further columns' missing bins stay empty) — the rule
/// `add_wide_rows` applies row by row.
fn add_merged(
    rows: &[u32],
    packed: &[u64],
    tables: &mut Vec<u64>,
    feature: &WideFeature,
    base: usize,
    out: &mut [[i64; 3]],
) {
    let m = feature.starts[feature.columns.len()] + 1;
    tables.resize(tables.len().max(2 * m), 0);
    let (even, odd) = tables.split_at_mut(m);
    let odd = &mut odd[..m];
    let merged = &feature.merged;
    let mut pairs = rows.chunks_exact(2);
    for (k, pair) in (&mut pairs).enumerate() {
        if let Some(&ahead) = rows.get(2 * k + PREFETCH_ROWS) {
            prefetch(&merged[ahead as usize..]);
            prefetch(&packed[ahead as usize..]);
        }
        let (r0, r1) = (pair[0] as usize, pair[1] as usize);
        let w = &mut even[usize::from(merged[r0])];
        *w = w.wrapping_add(packed[r0]);
        let v = &mut odd[usize::from(merged[r1])];
        *v = v.wrapping_add(packed[r1]);
    }
    for &r in pairs.remainder() {
        let w = &mut even[usize::from(merged[r as usize])];
        *w = w.wrapping_add(packed[r as usize]);
    }
    // Each merged bin to its place, and the further columns' bins to the first column's
    // missing bin as well.
    let first_missing = feature.first_missing() - base;
    for (m, (w, v)) in even.iter_mut().zip(odd.iter_mut()).enumerate() {
        let sum = w.wrapping_add(*v);
        if sum != 0 {
            add_unpacked(&mut out[feature.places[m] - base], sum);
            if feature.outside_first(m) {
                add_unpacked(&mut out[first_missing], sum);
            }
            *w = 0;
            *v = 0;
        }
    }
}

/// Adds the gradients of `rows` to a wide feature's bins, one row at a time in row order (the
/// fill of leaves too small for packed tables): a row adds to its merged bin's place among its
/// columns' value bins and, outside the first column, to the first column's missing bin.
fn add_wide_rows(feature: &WideFeature, rows: &[u32], grads: Grads<'_>, hist: &mut [[f64; 3]]) {
    let first_missing = feature.first_missing();
    let mut add = |r: usize, g: f64, h: f64| {
        let m = usize::from(feature.merged[r]);
        let also = feature.outside_first(m);
        for i in [feature.places[m], first_missing]
            .into_iter()
            .take(1 + usize::from(also))
        {
            let b = &mut hist[i];
            b[0] += g;
            b[1] += h;
            b[2] += 1.0;
        }
    };
    match grads {
        Grads::Exact(gh) => {
            for &r in rows {
                let [g, h] = gh[r as usize];
                add(r as usize, g, h);
            }
        }
        Grads::Quantized(packed) => {
            for &r in rows {
                let [g, h, _] = unpack(packed[r as usize]);
                add(r as usize, g as f64, h as f64);
            }
        }
    }
}

/// The column ranges of `0..w` without the wide features' columns.
fn narrow_spans(w: usize, wide: &[WideFeature]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for c in 0..w {
        if wide.iter().any(|f| f.columns.contains(&c)) {
            if start < c {
                spans.push((start, c));
            }
            start = c + 1;
        }
    }
    if start < w {
        spans.push((start, w));
    }
    spans
}

/// (sum of g, sum of h, count) per bin of every feature (in quantization steps for quantized
/// gradients: whole numbers, so sums and differences are exact).
#[derive(Clone)]
pub struct Histogram(pub Vec<[f64; 3]>);

impl Histogram {
    /// Fills the histogram of `rows` from the row-major codes, in parallel over groups of
    /// features: each group's task walks the rows in order and adds each row's gradient pair to
    /// its features' bins. A bin's sum is always taken in row order (and quantized sums are
    /// exact), so the histogram is the same whatever the number of threads or groups.
    /// `pool` holds buffers of finished histograms, reused (cleared) rather than allocated.
    pub fn build(
        codes: &RowCodes,
        rows: &[u32],
        grads: Grads<'_>,
        pool: &mut Vec<Histogram>,
    ) -> Self {
        let (d, off) = (codes.n_features, &codes.offsets);
        let mut hist = pool.pop().map(|h| h.0).unwrap_or_default();
        hist.clear();
        hist.resize(off[d], [0.0; 3]);
        if d == 0 {
            return Histogram(hist);
        }
        if let (Grads::Quantized(packed), true) = (grads, rows.len() >= BLOCK_HISTOGRAM_ROWS) {
            return Histogram::build_blocks(codes, rows, packed, hist);
        }
        // Small leaves: one task (the rows are too few to share); otherwise two groups of
        // features per thread, so that work stealing evens out the load.
        let threads = rayon::current_num_threads();
        let per_group = if rows.len() < PARALLEL_HISTOGRAM_ROWS || threads == 1 {
            d
        } else {
            d.div_ceil(2 * threads)
        };
        let fill = |(f0, f1, h): (usize, usize, &mut [[f64; 3]])| {
            let local: Vec<usize> = off[f0..=f1].iter().map(|o| o - off[f0]).collect();
            let row_codes = |r: usize| &codes.codes[r * d + f0..r * d + f1];
            // Adds (g, h, 1) to the row's bin of each of the group's features.
            let add = |t: &mut [&mut [[f64; 3]]], r: usize, g: f64, hh: f64| {
                for (t, &c) in t.iter_mut().zip(row_codes(r)) {
                    let b = &mut t[c as usize];
                    b[0] += g;
                    b[1] += hh;
                    b[2] += 1.0;
                }
            };
            match grads {
                Grads::Exact(gh) => {
                    let mut t = tables(h, &local);
                    for &r in rows {
                        let [g, hh] = gh[r as usize];
                        add(&mut t, r as usize, g, hh);
                    }
                }
                Grads::Quantized(packed) if rows.len() < QUANTIZED_TABLE_ROWS => {
                    // Too few rows to pay for a packed table: whole numbers summed in f64
                    // (exact).
                    let mut t = tables(h, &local);
                    for &r in rows {
                        let [g, hh, _] = unpack(packed[r as usize]);
                        add(&mut t, r as usize, g as f64, hh as f64);
                    }
                }
                Grads::Quantized(packed) => {
                    let mut acc = vec![[0i64; 3]; h.len()];
                    let scratch = &mut Scratch::default();
                    add_packed(
                        codes,
                        rows,
                        packed,
                        scratch,
                        Features {
                            spans: &[(f0, f1)],
                            wide: &[],
                        },
                        off[f0],
                        &mut acc,
                    );
                    for (b, a) in h.iter_mut().zip(&acc) {
                        *b = [a[0] as f64, a[1] as f64, a[2] as f64];
                    }
                }
            }
        };
        // Groups of consecutive columns, wide features' columns left out (they are filled
        // from their merged bins below).
        let mut groups = Vec::new();
        let mut rest = &mut hist[..];
        let mut at = 0;
        for (a, b) in narrow_spans(d, &codes.wide) {
            rest = rest.split_at_mut(off[a] - off[at]).1;
            for f0 in (a..b).step_by(per_group) {
                let f1 = (f0 + per_group).min(b);
                let (h, tail) = rest.split_at_mut(off[f1] - off[f0]);
                groups.push((f0, f1, h));
                rest = tail;
                at = f1;
            }
        }
        if per_group == d {
            groups.into_iter().for_each(fill);
        } else {
            groups.into_par_iter().for_each(fill);
        }
        for feature in &codes.wide {
            add_wide_rows(feature, rows, grads, &mut hist);
        }
        Histogram(hist)
    }

    /// Large leaves with quantized gradients: blocks of rows in parallel, each thread summing
    /// packed words into its own table of every feature; the sums are whole numbers, so exact
    /// in any order.
    fn build_blocks(
        codes: &RowCodes,
        rows: &[u32],
        packed: &[u64],
        mut hist: Vec<[f64; 3]>,
    ) -> Self {
        let (d, off) = (codes.n_features, &codes.offsets);
        let size = off[d];
        // At least two blocks per thread (of at most PACK_ROWS rows).
        let block = PACK_ROWS
            .min(rows.len().div_ceil(2 * rayon::current_num_threads()))
            .max(2);
        let spans = narrow_spans(d, &codes.wide);
        let sums = rows
            .par_chunks(block)
            .fold(
                || (Scratch::default(), vec![[0i64; 3]; size]),
                |(mut scratch, mut acc), chunk| {
                    add_packed(
                        codes,
                        chunk,
                        packed,
                        &mut scratch,
                        Features {
                            spans: &spans,
                            wide: &codes.wide,
                        },
                        0,
                        &mut acc,
                    );
                    (scratch, acc)
                },
            )
            .map(|(_, acc)| acc)
            .reduce(
                || vec![[0i64; 3]; size],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        x[0] += y[0];
                        x[1] += y[1];
                        x[2] += y[2];
                    }
                    a
                },
            );
        for (h, a) in hist.iter_mut().zip(&sums) {
            *h = [a[0] as f64, a[1] as f64, a[2] as f64];
        }
        Histogram(hist)
    }

    /// The parent's histogram minus a child's: the other child's, in the parent's buffer.
    pub fn subtract(mut self, other: &Histogram) -> Histogram {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a[0] -= b[0];
            a[1] -= b[1];
            a[2] -= b[2];
        }
        self
    }
}

/// One sample of a CART node as a statistics histogram sees it: its row, and what it adds to a
/// bin `[count, weight, target statistics…]` (the class weights, or Σwy and Σwy²).
pub trait StatSample: Copy + Send + Sync {
    /// Its row in the binned data.
    fn row(self) -> usize;
    /// Adds it to `entry`, one bin's `stride` sums.
    fn add_to(self, entry: &mut [f64]);
}

/// CART's histograms: `stride` sums per bin (`[count, weight, target statistics…]`), the
/// features' tables one after another (feature `f`'s at `offsets[f]..offsets[f + 1]`), as a
/// flat slice of `f64` — the shape the [`Collective`](super::Collective) adds across processes,
/// like the gradient histograms. They are filled feature by feature from the feature-major
/// codes, because a forest's split reads only its √d sampled features (measured against
/// row-major fills in `docs/trees_and_forests.md`); every bin's sum is taken in sample order,
/// so the result does not depend on the threads.
pub struct StatHistograms<'a> {
    /// The binned data.
    pub binned: &'a super::dataset::BinnedData,
    /// Sums per bin.
    pub stride: usize,
    /// Where each feature's table starts (in `f64`s), and one past the last.
    pub offsets: Vec<usize>,
}

/// Samples × features from which [`StatHistograms::fill_all`] fills features in parallel.
const PARALLEL_STAT_WORK: usize = 1 << 18;

impl<'a> StatHistograms<'a> {
    /// The layout of `stride` sums per bin of every feature of `binned`.
    pub fn new(binned: &'a super::dataset::BinnedData, stride: usize) -> Self {
        let mut offsets = vec![0];
        for f in 0..binned.n_features() {
            // A categorical feature's missing bin holds its rare categories.
            let bins = if binned.mapper.is_categorical(f) {
                binned.mapper.codes_of(f)
            } else {
                binned.n_bins(f)
            };
            offsets.push(offsets[f] + bins * stride);
        }
        Self {
            binned,
            stride,
            offsets,
        }
    }

    /// Feature `f`'s table of `samples` into `out` (cleared first).
    pub fn fill<S: StatSample>(&self, f: usize, samples: &[S], out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        let codes = self.binned.feature(f);
        let s = self.stride;
        for &sample in samples {
            let b = codes[sample.row()] as usize;
            sample.add_to(&mut out[b * s..(b + 1) * s]);
        }
    }

    /// Every feature's table of `samples`, features in parallel when the work is large.
    pub fn fill_all<S: StatSample>(&self, samples: &[S]) -> Vec<f64> {
        let d = self.binned.n_features();
        let mut data = vec![0.0; self.offsets[d]];
        let slices = tables(&mut data, &self.offsets);
        if samples.len() * d >= PARALLEL_STAT_WORK {
            slices
                .into_par_iter()
                .enumerate()
                .for_each(|(f, out)| self.fill(f, samples, out));
        } else {
            for (f, out) in slices.into_iter().enumerate() {
                self.fill(f, samples, out);
            }
        }
        data
    }

    /// Sibling subtraction: `parent` minus a child's tables is the other child's.
    pub fn subtract(parent: &mut [f64], child: &[f64]) {
        parent.iter_mut().zip(child).for_each(|(p, c)| *p -= c);
    }
}

/// Rows from which a histogram of quantized gradients is filled by blocks of rows, one table
/// of every feature per block (fewer: by groups of features over all the rows, which fetch
/// every row once per group); chosen by measurement (`docs/gradient_boosting.md`).
const BLOCK_HISTOGRAM_ROWS: usize = 8192;

/// Rows from which quantized gradients are summed in packed tables (fewer: as whole numbers
/// in `f64`, which costs less than clearing the tables).
const QUANTIZED_TABLE_ROWS: usize = 2048;

/// Rows from which a histogram is filled by several threads (fewer: by one).
const PARALLEL_HISTOGRAM_ROWS: usize = 512;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::learner::dataset::BinnedData;
    use ndarray::Array2;

    /// 12 features: many distinct values, few, and one with missing values.
    fn data(n: usize) -> (BinnedData, RowCodes) {
        let x = Array2::from_shape_fn((n, 12), |(i, f)| match f % 3 {
            0 => ((i * 7919 + f * 31) % 1000) as f64,
            1 => ((i * 13 + f) % 5) as f64,
            _ if i % 11 == f => f64::NAN,
            _ => ((i * 104_729) % 337) as f64 / 7.0,
        });
        let binned = BinnedData::new(x.view(), &[]).unwrap();
        let codes = RowCodes::new(&binned);
        (binned, codes)
    }

    fn gradients(n: usize) -> Vec<[f64; 2]> {
        (0..n)
            .map(|i| {
                let u = ((i * 2_654_435_761) % 1000) as f64 / 1000.0;
                [u - 0.6, 0.05 + u * 0.2]
            })
            .collect()
    }

    /// The histogram a reader would write: every row's (g, h, 1) added to its bin of each
    /// feature.
    fn naive(codes: &RowCodes, rows: &[u32], value: impl Fn(usize) -> [f64; 2]) -> Vec<[f64; 3]> {
        let d = codes.n_features;
        let mut out = vec![[0.0; 3]; codes.offsets[d]];
        for &r in rows {
            let [g, h] = value(r as usize);
            for f in 0..d {
                let b = &mut out[codes.offsets[f] + codes.codes[r as usize * d + f] as usize];
                b[0] += g;
                b[1] += h;
                b[2] += 1.0;
            }
        }
        out
    }

    #[test]
    fn packed_words_add_gradient_hessian_and_count_at_once() {
        let gh = [[-0.9, 0.2], [0.4, 0.01], [0.0, 0.25], [-0.25, 0.0]];
        let q = Quantized::new(&gh, 7, 0, (1.0, 0.25), Vec::new());
        let (gs, hs) = (q.g_scale, q.h_scale);
        let mut sum = 0u64;
        let mut expected = [0i64; 3];
        for (word, [g, h]) in q.packed.iter().zip(gh) {
            let [qg, qh, c] = unpack(*word);
            // Stochastic rounding: each value lies within one step of its quantized value.
            assert!((qg as f64 * gs - g).abs() <= gs, "{g} → {qg}");
            assert!((qh as f64 * hs - h).abs() <= hs, "{h} → {qh}");
            assert_eq!(c, 1);
            expected = [expected[0] + qg, expected[1] + qh, expected[2] + c];
            sum = sum.wrapping_add(*word);
        }
        // A sum of words unpacks to the sums of the fields, negative gradients included.
        assert_eq!(unpack(sum), expected);
        // The extremes of a full block stay in their fields.
        let full = vec![[-1.0, 0.25]; PACK_ROWS];
        let q = Quantized::new(&full, 1, 0, (1.0, 0.25), Vec::new());
        let total = q.packed.iter().fold(0u64, |a, w| a.wrapping_add(*w));
        assert_eq!(
            unpack(total),
            [
                -127 * PACK_ROWS as i64,
                255 * PACK_ROWS as i64,
                PACK_ROWS as i64
            ]
        );
    }

    #[test]
    fn every_fill_path_gives_the_naive_histogram_on_any_thread_count() {
        // 300 rows: one task; 3,000: feature groups; 20,000: row blocks (quantized).
        for n in [300usize, 3_000, 20_000] {
            let (_, codes) = data(n);
            let gh = gradients(n);
            let q = Quantized::new(&gh, 3, 0, Quantized::largest(&gh), Vec::new());
            // A leaf's rows: every third row is left out.
            let rows: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 0).collect();
            let exact = naive(&codes, &rows, |r| gh[r]);
            let quantized = naive(&codes, &rows, |r| {
                let [g, h, _] = unpack(q.packed[r]);
                [g as f64, h as f64]
            });
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (e, p) = pool.install(|| {
                    (
                        Histogram::build(&codes, &rows, Grads::Exact(&gh), &mut Vec::new()),
                        Histogram::build(
                            &codes,
                            &rows,
                            Grads::Quantized(&q.packed),
                            &mut Vec::new(),
                        ),
                    )
                });
                // Exact sums are taken in row order: equal to the last bit.
                assert_eq!(e.0, exact, "exact, n = {n}, {threads} threads");
                assert_eq!(p.0, quantized, "quantized, n = {n}, {threads} threads");
            }
        }
    }

    #[test]
    fn wide_categorical_features_fill_every_code_column_from_their_merged_bins() {
        // Feature 1: 700 categories (three code columns), feature 3: 300 (two), some missing;
        // features 0 and 2 numeric.
        let n = 30_000;
        let x = Array2::from_shape_fn((n, 4), |(i, f)| match f {
            1 if i % 17 == 0 => f64::NAN,
            1 => ((i * 7919) % 700) as f64,
            3 => ((i * 31) % 300 + 1000) as f64,
            _ => ((i * 13 + f) % 97) as f64,
        });
        let codes = RowCodes::from_matrix(x.view(), &[1, 3]).unwrap();
        assert_eq!(codes.n_features, 4 + 3);
        assert_eq!(codes.wide.len(), 2);
        assert_eq!(codes.wide[0].columns, vec![1, 4, 5]);
        assert_eq!(codes.wide[1].columns, vec![3, 6]);
        let gh = gradients(n);
        let q = Quantized::new(&gh, 9, 0, Quantized::largest(&gh), Vec::new());
        // The further columns' missing bins are not kept (a wide feature's split reads its
        // value bins; the first column's missing bin holds every row outside it).
        let kept = |mut h: Vec<[f64; 3]>| {
            for w in &codes.wide {
                for &c in &w.columns[1..] {
                    h[codes.offsets[c + 1] - 1] = [0.0; 3];
                }
            }
            h
        };
        // Large leaves (packed tables by row blocks), mid-size ones (by feature groups) and
        // small ones (row by row).
        for rows in [
            (0..n as u32).collect::<Vec<u32>>(),
            (0..n as u32).filter(|r| r % 5 != 1).collect(),
            (0..5_000).map(|r| r * 3 + 1).collect(),
            (0..700).map(|r| r * 41 + 2).collect(),
        ] {
            let expected = kept(naive(&codes, &rows, |r| {
                let [g, h, _] = unpack(q.packed[r]);
                [g as f64, h as f64]
            }));
            let exact = kept(naive(&codes, &rows, |r| gh[r]));
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let (got, got_exact) = pool.install(|| {
                    (
                        Histogram::build(
                            &codes,
                            &rows,
                            Grads::Quantized(&q.packed),
                            &mut Vec::new(),
                        ),
                        Histogram::build(&codes, &rows, Grads::Exact(&gh), &mut Vec::new()),
                    )
                });
                assert_eq!(got.0, expected, "{} rows, {threads} threads", rows.len());
                // Exact sums, taken in row order: equal to the last bit.
                assert_eq!(got_exact.0, exact, "{} rows, {threads} threads", rows.len());
            }
        }
    }

    #[test]
    fn sibling_subtraction_gives_the_other_childs_histogram() {
        let n = 20_000;
        let (_, codes) = data(n);
        let gh = gradients(n);
        let q = Quantized::new(&gh, 5, 0, Quantized::largest(&gh), Vec::new());
        let rows: Vec<u32> = (0..n as u32).collect();
        let (left, right): (Vec<u32>, Vec<u32>) = rows.iter().partition(|&&r| r % 7 < 3);
        let grads = Grads::Quantized(&q.packed);
        let mut pool = Vec::new();
        let parent = Histogram::build(&codes, &rows, grads, &mut pool);
        let small = Histogram::build(&codes, &left, grads, &mut pool);
        let other = Histogram::build(&codes, &right, grads, &mut pool);
        // Quantized sums are whole numbers: the difference is exact.
        assert_eq!(parent.subtract(&small).0, other.0);
        // Exact gradients: equal up to rounding.
        let grads = Grads::Exact(&gh);
        let parent = Histogram::build(&codes, &rows, grads, &mut pool);
        let small = Histogram::build(&codes, &left, grads, &mut pool);
        let other = Histogram::build(&codes, &right, grads, &mut pool);
        for (a, b) in parent.subtract(&small).0.iter().zip(&other.0) {
            assert!((a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9 && a[2] == b[2]);
        }
    }

    /// A CART sample for the statistics tests: row, class.
    #[derive(Clone, Copy)]
    struct ClassSample(u32, u32);

    impl StatSample for ClassSample {
        fn row(self) -> usize {
            self.0 as usize
        }
        fn add_to(self, entry: &mut [f64]) {
            entry[0] += 1.0;
            entry[1] += 2.0;
            entry[2 + self.1 as usize] += 2.0;
        }
    }

    #[test]
    fn statistics_histograms_count_each_sample_in_its_bin_and_subtract_exactly() {
        let n = 30_000;
        // CART's data has no missing values: many distinct values, and few.
        let x = Array2::from_shape_fn((n, 6), |(i, f)| ((i * 7919 + f * 31) % (3 + f * 97)) as f64);
        let binned = BinnedData::new(x.view(), &[]).unwrap();
        let layout = StatHistograms::new(&binned, 5);
        let samples: Vec<ClassSample> = (0..n as u32).map(|r| ClassSample(r, r % 3)).collect();
        let naive = |samples: &[ClassSample]| {
            let mut out = vec![0.0; layout.offsets[binned.n_features()]];
            for s in samples {
                for f in 0..binned.n_features() {
                    let b = layout.offsets[f] + binned.feature(f)[s.0 as usize] as usize * 5;
                    out[b] += 1.0;
                    out[b + 1] += 2.0;
                    out[b + 2 + s.1 as usize] += 2.0;
                }
            }
            out
        };
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let all = pool.install(|| layout.fill_all(&samples));
            assert_eq!(all, naive(&samples), "{threads} threads");
        }
        let (left, right): (Vec<ClassSample>, Vec<ClassSample>) =
            samples.iter().partition(|s| s.0 % 5 < 2);
        let mut parent = layout.fill_all(&samples);
        StatHistograms::subtract(&mut parent, &layout.fill_all(&left));
        assert_eq!(parent, naive(&right));
    }
}
