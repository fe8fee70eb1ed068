//! Quantile binning of features: each feature's values are mapped to at most 256 bins once,
//! and every tree of a forest grows on the bin codes.
//!
//! A feature with at most 256 distinct values gets one bin per value, with the thresholds at the
//! midpoints between consecutive values — exactly the candidate splits of an exact CART search.
//! A feature with more distinct values gets 256 bins holding about equal numbers of samples
//! (thresholds at midpoints between the quantile values), so only 255 of its possible thresholds
//! are tried: that is what binning changes against exact splits, and on large data it costs a
//! fraction of a point of accuracy at most, for a search that no longer sorts. Above
//! [`BIN_SAMPLE`] rows the thresholds come from an evenly spaced sample of that many rows.
//!
//! Missing values (NaN; only gradient boosting accepts them) get a bin of their own after the
//! value bins, so a feature with missing values has at most 255 value bins.

use ndarray::ArrayView2;
use rayon::prelude::*;

/// Maximum bins per feature.
pub const MAX_BINS: usize = 256;

/// Above this many rows, bin thresholds come from this many evenly spaced rows instead of
/// sorting every value (the codes still cover every row).
pub const BIN_SAMPLE: usize = 200_000;

/// Bin codes for a training matrix, feature-major.
#[derive(Debug, Clone)]
pub struct BinnedData {
    /// Number of samples.
    pub n_samples: usize,
    /// `codes[f * n_samples + i]` is the bin of sample `i` for feature `f`.
    pub codes: Vec<u8>,
    /// `edges[f][b]` is the upper threshold of bin `b` (a sample is in bin ≤ b iff its value ≤
    /// `edges[f][b]`); a feature with `m` bins has `m − 1` edges.
    pub edges: Vec<Vec<f64>>,
    /// `missing[f]`: feature `f` has NaN values, coded [`BinnedData::n_bins`]`(f)` (the bin
    /// after the value bins).
    pub missing: Vec<bool>,
}

impl BinnedData {
    /// Bins every column of `x` (in parallel over features).
    pub fn new(x: ArrayView2<'_, f64>) -> Self {
        let n = x.nrows();
        // Large data: thresholds from a fixed, evenly spaced sample of rows (as LightGBM's
        // `bin_construct_sample_cnt` and scikit-learn's histogram GBM subsample 200,000).
        let sample: Option<Vec<usize>> = (n > BIN_SAMPLE).then(|| {
            (0..BIN_SAMPLE)
                .map(|k| (k as u128 * n as u128 / BIN_SAMPLE as u128) as usize)
                .collect()
        });
        let columns: Vec<(Vec<u8>, Vec<f64>, bool)> = (0..x.ncols())
            .into_par_iter()
            .map(|f| {
                let column: Vec<f64> = x.column(f).to_vec();
                let has_missing = column.iter().any(|v| v.is_nan());
                // The missing bin takes the last code.
                let max_bins = MAX_BINS - usize::from(has_missing);
                let edges = match &sample {
                    None => bin_edges(&column, max_bins),
                    Some(rows) => bin_edges(
                        &rows.iter().map(|&i| column[i]).collect::<Vec<f64>>(),
                        max_bins,
                    ),
                };
                let missing_code = (edges.len() + 1) as u8;
                let codes = column
                    .iter()
                    .map(|&v| {
                        if v.is_nan() {
                            missing_code
                        } else {
                            bin_of(&edges, v)
                        }
                    })
                    .collect();
                (codes, edges, has_missing)
            })
            .collect();
        let mut codes = Vec::with_capacity(n * x.ncols());
        let mut edges = Vec::with_capacity(x.ncols());
        let mut missing = Vec::with_capacity(x.ncols());
        for (c, e, m) in columns {
            codes.extend(c);
            edges.push(e);
            missing.push(m);
        }
        Self {
            n_samples: n,
            codes,
            edges,
            missing,
        }
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.edges.len()
    }

    /// Number of value bins of feature `f` (its missing bin, if any, not counted).
    pub fn n_bins(&self, f: usize) -> usize {
        self.edges[f].len() + 1
    }

    /// The codes of feature `f`, one per sample.
    pub fn feature(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_samples..(f + 1) * self.n_samples]
    }
}

/// The bin of `v`: the number of edges strictly below it.
fn bin_of(edges: &[f64], v: f64) -> u8 {
    edges.partition_point(|&e| e < v) as u8
}

/// Thresholds of at most `max_bins` bins for the values of `column` (NaN left out).
fn bin_edges(column: &[f64], max_bins: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let mut distinct: Vec<f64> = Vec::new();
    for v in sorted.iter().copied() {
        if distinct.last() != Some(&v) {
            distinct.push(v);
        }
    }
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| midpoint(w[0], w[1])).collect();
    }
    // Quantile edges: the values at ranks n·b/max_bins, made distinct, thresholds between them.
    let n = sorted.len();
    let mut cuts: Vec<f64> = Vec::with_capacity(max_bins);
    for b in 1..max_bins {
        let v = sorted[(b * n / max_bins).min(n - 1)];
        if cuts.last() != Some(&v) {
            cuts.push(v);
        }
    }
    // An edge sits between a cut value and the next distinct value above it.
    cuts.iter()
        .filter_map(|&c| {
            let next = sorted.partition_point(|&v| v <= c);
            (next < n).then(|| midpoint(c, sorted[next]))
        })
        .collect()
}

/// The midpoint of two consecutive values, as scikit-learn's threshold (guarding against the
/// midpoint rounding up to the upper value).
fn midpoint(a: f64, b: f64) -> f64 {
    let m = a / 2.0 + b / 2.0;
    if m >= b {
        a
    } else {
        m
    }
}

/// The bin codes row-major (`codes[i · d + f]`), for histograms filled row by row.
pub struct RowCodes {
    /// Number of features.
    pub n_features: usize,
    /// `codes[i · d + f]`.
    pub codes: Vec<u8>,
    /// Feature `f`'s bins (its missing bin included) start at `offsets[f]` in a histogram;
    /// `offsets[d]` is the histogram's length. A feature with few distinct values takes few
    /// bins, so histograms of such data are small to clear, fill and subtract.
    pub offsets: Vec<usize>,
}

impl RowCodes {
    /// The row-major copy of `binned`'s codes.
    pub fn new(binned: &BinnedData) -> Self {
        let (n, d) = (binned.n_samples, binned.n_features());
        let mut codes = vec![0u8; n * d];
        codes
            .par_chunks_mut(d.max(1))
            .enumerate()
            .for_each(|(i, row)| {
                for (f, c) in row.iter_mut().enumerate() {
                    *c = binned.feature(f)[i];
                }
            });
        let mut offsets = vec![0];
        for f in 0..d {
            offsets.push(offsets[f] + binned.n_bins(f) + usize::from(binned.missing[f]));
        }
        Self {
            n_features: d,
            codes,
            offsets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn few_distinct_values_get_exact_midpoint_thresholds() {
        let x = Array2::from_shape_vec((5, 1), vec![3.0, 1.0, 2.0, 1.0, 3.0]).unwrap();
        let b = BinnedData::new(x.view());
        assert_eq!(b.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[2, 0, 1, 0, 2]);
    }

    #[test]
    fn many_values_get_at_most_256_balanced_bins() {
        let n = 10_000;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| ((i * 7919) % n) as f64);
        let b = BinnedData::new(x.view());
        assert_eq!(b.n_bins(0), MAX_BINS);
        let mut counts = vec![0usize; MAX_BINS];
        b.feature(0).iter().for_each(|&c| counts[c as usize] += 1);
        assert!(counts.iter().all(|&c| (35..=45).contains(&c)), "{counts:?}");
        assert_eq!(b.missing, vec![false]);
        // Codes agree with the thresholds.
        for (i, &c) in b.feature(0).iter().enumerate() {
            let v = x[(i, 0)];
            let c = c as usize;
            assert!(c == 0 || v > b.edges[0][c - 1]);
            assert!(c == MAX_BINS - 1 || v <= b.edges[0][c]);
        }
    }

    #[test]
    fn missing_values_get_the_bin_after_the_value_bins() {
        let x = Array2::from_shape_vec(
            (5, 2),
            vec![
                3.0,
                f64::NAN, //
                f64::NAN,
                f64::NAN,
                1.0,
                f64::NAN,
                2.0,
                f64::NAN,
                f64::NAN,
                f64::NAN,
            ],
        )
        .unwrap();
        let b = BinnedData::new(x.view());
        assert_eq!(b.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[2, 3, 0, 1, 3]);
        assert_eq!(b.missing, vec![true, true]);
        // All missing: one (empty) value bin, the missing bin after it.
        assert_eq!(b.n_bins(1), 1);
        assert_eq!(b.feature(1), &[1; 5]);
        // With missing values a feature keeps at most 255 value bins.
        let n = 5_000;
        let x = Array2::from_shape_fn(
            (n, 1),
            |(i, _)| if i % 10 == 0 { f64::NAN } else { i as f64 },
        );
        let b = BinnedData::new(x.view());
        assert_eq!(b.n_bins(0), MAX_BINS - 1);
        assert!(b
            .feature(0)
            .iter()
            .step_by(10)
            .all(|&c| c as usize == MAX_BINS - 1));
    }
}
