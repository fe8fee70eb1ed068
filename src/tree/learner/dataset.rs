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
//!
//! A categorical feature (its values whole numbers, each one a category) gets one bin per
//! category instead, LightGBM's way: the 255 most frequent categories of the sampled rows keep a
//! bin each, in ascending order of category; the rarer ones, those outside the sample, and
//! missing values share the bin after them, which a categorical split always sends right.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Maximum bins per feature.
pub const MAX_BINS: usize = 256;

/// Above this many rows, bin thresholds come from this many evenly spaced rows instead of
/// sorting every value (the codes still cover every row).
pub const BIN_SAMPLE: usize = 200_000;

/// The bin thresholds of every feature (LightGBM's `BinMapper`): what turns a value into its
/// code, learned from a sample of the rows and kept apart from the codes, so that codes can be
/// made batch by batch from data that is never held whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinMapper {
    /// `edges[f][b]` is the upper threshold of bin `b` (a sample is in bin ≤ b iff its value ≤
    /// `edges[f][b]`); a feature with `m` bins has `m − 1` edges.
    pub edges: Vec<Vec<f64>>,
    /// `missing[f]`: feature `f` has NaN values, coded [`BinMapper::n_bins`]`(f)` (the bin
    /// after the value bins).
    pub missing: Vec<bool>,
    /// `categories[f]`: for a categorical feature, the category of each of its value bins,
    /// ascending (`None` for a numeric feature; the vector is empty when no feature is
    /// categorical). A categorical feature's missing bin also holds the categories too rare
    /// for a bin of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Option<Vec<u32>>>,
    /// Code columns after the features': `extra[k]` is the categorical feature whose further
    /// categories column `n_original() + k` holds (a feature with more than 255 categories
    /// takes one code column per 255 of them, the most frequent first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<usize>,
}

/// One feature's bins: its thresholds, whether it has missing values, and for a categorical
/// feature its categories in code columns.
pub type FeatureBins = (Vec<f64>, bool, Option<Vec<Vec<u32>>>);

/// The category a categorical feature's value stands for: a whole number from 0 to
/// `u32::MAX`, or `None` (a missing value, or a value no category is).
#[inline]
pub fn category_of(v: f64) -> Option<u32> {
    (v >= 0.0 && v <= u32::MAX as f64 && v.fract() == 0.0).then_some(v as u32)
}

/// The categories of one categorical feature's values, with their counts (ascending by
/// category) and whether one was missing (NaN); `Err(v)` names the first value that is neither
/// a category nor missing.
pub fn count_categories(
    values: impl Iterator<Item = f64>,
) -> Result<(Vec<(u32, usize)>, bool), f64> {
    let mut counts: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut missing = false;
    for v in values {
        match category_of(v) {
            Some(c) => *counts.entry(c).or_insert(0) += 1,
            None if v.is_nan() => missing = true,
            None => return Err(v),
        }
    }
    let mut counts: Vec<(u32, usize)> = counts.into_iter().collect();
    counts.sort_unstable();
    Ok((counts, missing))
}

/// Most code columns a categorical feature takes (each holds 255 of its categories).
pub const MAX_CATEGORY_COLUMNS: usize = 16;

/// Fewest sampled rows of a category with a bin of its own (LightGBM's `min_data_in_bin`);
/// the two most frequent categories always have one.
const MIN_CATEGORY_ROWS: usize = 3;

/// The bins of a categorical feature from its category counts, in columns of at most
/// `MAX_BINS − 1` categories each (ascending within a column): the most frequent categories
/// in the first column, the next ones in the next, up to [`MAX_CATEGORY_COLUMNS`] columns;
/// categories seen in fewer than 3 sampled rows get no bin (LightGBM's rule), and share the
/// missing bin.
pub fn category_bins(counts: &[(u32, usize)]) -> Vec<Vec<u32>> {
    let mut by_count: Vec<(u32, usize)> = counts.to_vec();
    by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kept = by_count
        .iter()
        .enumerate()
        .take_while(|&(k, &(_, n))| k < 2 || n >= MIN_CATEGORY_ROWS)
        .count()
        .min(MAX_CATEGORY_COLUMNS * (MAX_BINS - 1));
    let mut columns: Vec<Vec<u32>> = by_count[..kept]
        .chunks(MAX_BINS - 1)
        .map(|chunk| chunk.iter().map(|&(c, _)| c).collect())
        .collect();
    for column in &mut columns {
        column.sort_unstable();
    }
    if columns.is_empty() {
        columns.push(Vec::new());
    }
    columns
}

impl BinMapper {
    /// The rows whose values decide the thresholds of `n` rows: all of them up to
    /// [`BIN_SAMPLE`] (`None`), else that many evenly spaced ones, ascending.
    pub fn sample_rows(n: usize) -> Option<Vec<usize>> {
        (n > BIN_SAMPLE).then(|| {
            (0..BIN_SAMPLE)
                .map(|k| (k as u128 * n as u128 / BIN_SAMPLE as u128) as usize)
                .collect()
        })
    }

    /// The thresholds of one feature from its sampled values (`sample`, NaN allowed), given
    /// whether the whole column has a missing value (which then takes the last code).
    pub fn feature_edges(sample: &[f64], has_missing: bool) -> Vec<f64> {
        bin_edges(sample, MAX_BINS - usize::from(has_missing))
    }

    /// The categories of a categorical feature's bins from its sampled values (each a category
    /// or NaN, checked by the caller), in code columns of at most 255 ([`category_bins`]).
    /// Each column always has the missing bin, which also takes the categories without a bin
    /// there, so codes can be made for rows outside the sample.
    pub fn feature_categories(sample: impl Iterator<Item = f64>) -> Vec<Vec<u32>> {
        let counts = count_categories(sample.filter(|v| !v.is_nan())).unwrap_or_default();
        category_bins(&counts.0)
    }

    /// The thresholds of every column of `x` (in parallel over features); the columns in
    /// `categorical` get a bin per category (see the module's documentation). `Err((f, v))`:
    /// categorical feature `f` holds `v`, which is no category.
    pub fn fit(x: ArrayView2<'_, f64>, categorical: &[usize]) -> Result<Self, (usize, f64)> {
        let sample = Self::sample_rows(x.nrows());
        let features: Vec<FeatureBins> = (0..x.ncols())
            .into_par_iter()
            .map(|f| {
                let column = x.column(f);
                if categorical.contains(&f) {
                    if let Some(&v) = column
                        .iter()
                        .find(|v| !v.is_nan() && category_of(**v).is_none())
                    {
                        return Err((f, v));
                    }
                    let bins = match &sample {
                        None => Self::feature_categories(column.iter().copied()),
                        Some(rows) => Self::feature_categories(rows.iter().map(|&i| column[i])),
                    };
                    return Ok((Vec::new(), true, Some(bins)));
                }
                let has_missing = column.iter().any(|v| v.is_nan());
                let values: Vec<f64> = match &sample {
                    None => column.to_vec(),
                    Some(rows) => rows.iter().map(|&i| column[i]).collect(),
                };
                Ok((Self::feature_edges(&values, has_missing), has_missing, None))
            })
            .collect::<Result<_, (usize, f64)>>()?;
        Ok(Self::from_features(features))
    }

    /// [`BinMapper::fit`] on rows spread over processes, `x` being this process's `shard` of
    /// them: the thresholds one process computes from all the rows. Every process checks its
    /// categorical columns (a failure anywhere is reported on every process, through
    /// `describe`), the missing-value flags are combined, and the evenly spaced sample of all
    /// the rows is gathered in row order, so each process bins exactly the values one process
    /// would, in the same order.
    pub fn fit_sharded(
        x: ArrayView2<'_, f64>,
        categorical: &[usize],
        collective: &impl super::Collective,
        shard: crate::distributed::Shard,
        describe: impl Fn((usize, f64)) -> crate::Error,
    ) -> crate::Result<Self> {
        let d = x.ncols();
        let bad = categorical.iter().find_map(|&f| {
            x.column(f)
                .iter()
                .find(|v| !v.is_nan() && category_of(**v).is_none())
                .map(|&v| (f, v))
        });
        let checked = match bad {
            Some(e) => Err(describe(e).to_string()),
            None => Ok(Vec::new()),
        };
        crate::distributed::agree(collective, checked)?;
        let mut missing: Vec<f64> = (0..d)
            .into_par_iter()
            .map(|f| f64::from(u8::from(x.column(f).iter().any(|v| v.is_nan()))))
            .collect();
        collective.all_sum_whole(&mut missing);
        // This shard's rows of the sample of all the rows (or all its rows), row-major.
        let end = shard.offset + x.nrows();
        let local: Vec<usize> = match Self::sample_rows(shard.total) {
            None => (0..x.nrows()).collect(),
            Some(rows) => rows
                .into_iter()
                .filter(|&i| (shard.offset..end).contains(&i))
                .map(|i| i - shard.offset)
                .collect(),
        };
        // The sample is gathered a block of features at a time (column-major within the
        // block), so no process holds more than ~8 MB of it at once.
        let sampled = shard.total.clamp(1, BIN_SAMPLE);
        let per_block = ((8 << 20) / (sampled * 8)).clamp(1, d.max(1));
        let mut features: Vec<FeatureBins> = Vec::with_capacity(d);
        for block in (0..d).collect::<Vec<_>>().chunks(per_block) {
            let mut mine = Vec::with_capacity(local.len() * block.len());
            for &f in block {
                let column = x.column(f);
                mine.extend(local.iter().map(|&i| column[i]));
            }
            // Rank by rank, each rank's columns one after another.
            let gathered = collective.all_gather(&mine);
            drop(mine);
            let column_of = |k: usize| -> Vec<f64> {
                gathered
                    .iter()
                    .flat_map(|part| {
                        let rows = part.len() / block.len();
                        part[k * rows..(k + 1) * rows].iter().copied()
                    })
                    .collect()
            };
            let bins: Vec<FeatureBins> = block
                .par_iter()
                .enumerate()
                .map(|(k, &f)| {
                    let values = column_of(k);
                    if categorical.contains(&f) {
                        let bins = Self::feature_categories(values.into_iter());
                        return (Vec::new(), true, Some(bins));
                    }
                    let has_missing = missing[f] > 0.0;
                    (Self::feature_edges(&values, has_missing), has_missing, None)
                })
                .collect();
            features.extend(bins);
        }
        Ok(Self::from_features(features))
    }

    /// A mapper from each feature's `(edges, missing, category columns)`: a categorical
    /// feature's first column of categories stays in its place, the further ones become code
    /// columns after every feature's ([`BinMapper::extra`]).
    pub fn from_features(features: Vec<FeatureBins>) -> Self {
        let any_categorical = features.iter().any(|f| f.2.is_some());
        let mut mapper = Self {
            edges: Vec::with_capacity(features.len()),
            missing: Vec::with_capacity(features.len()),
            categories: Vec::new(),
            extra: Vec::new(),
        };
        let mut further = Vec::new();
        for (f, (edges, missing, columns)) in features.into_iter().enumerate() {
            mapper.edges.push(edges);
            mapper.missing.push(missing);
            if !any_categorical {
                continue;
            }
            let mut columns = columns.map(Vec::into_iter);
            mapper
                .categories
                .push(columns.as_mut().map(|c| c.next().unwrap_or_default()));
            further.extend(columns.into_iter().flatten().map(|c| (f, c)));
        }
        for (f, categories) in further {
            mapper.edges.push(Vec::new());
            mapper.missing.push(true);
            mapper.categories.push(Some(categories));
            mapper.extra.push(f);
        }
        mapper
    }

    /// Number of features (the code columns of [`BinMapper::n_features`] less the further
    /// category columns).
    pub fn n_original(&self) -> usize {
        self.edges.len() - self.extra.len()
    }

    /// The feature whose codes column `c` holds.
    #[inline]
    pub fn original(&self, c: usize) -> usize {
        let d = self.n_original();
        if c < d {
            c
        } else {
            self.extra[c - d]
        }
    }

    /// The category of categorical feature `f` in a row of codes (all code columns), if one of
    /// its columns has a bin for it.
    pub fn row_category(&self, row: &[u8], f: usize) -> Option<u32> {
        let d = self.n_original();
        let columns = std::iter::once(f).chain(
            (0..self.extra.len())
                .filter(|&k| self.extra[k] == f)
                .map(|k| d + k),
        );
        columns
            .filter_map(|c| self.categories(c)?.get(usize::from(row[c])).copied())
            .next()
    }

    /// The categories of feature `f`'s value bins, if it is categorical.
    #[inline]
    pub fn categories(&self, f: usize) -> Option<&[u32]> {
        self.categories.get(f).and_then(|c| c.as_deref())
    }

    /// Whether feature `f` is categorical.
    #[inline]
    pub fn is_categorical(&self, f: usize) -> bool {
        self.categories(f).is_some()
    }

    /// The categorical features.
    pub fn categorical_features(&self) -> Vec<usize> {
        (0..self.n_original())
            .filter(|&f| self.is_categorical(f))
            .collect()
    }

    /// Number of code columns: the features, and the further category columns of features
    /// with more than 255 categories.
    pub fn n_features(&self) -> usize {
        self.edges.len()
    }

    /// Number of value bins of feature `f` (its missing bin, if any, not counted).
    pub fn n_bins(&self, f: usize) -> usize {
        match self.categories(f) {
            Some(categories) => categories.len().max(1),
            None => self.edges[f].len() + 1,
        }
    }

    /// The code of value `v` of feature `f` (NaN: the missing bin; for a categorical
    /// feature, also a category without a bin of its own).
    #[inline]
    pub fn code(&self, f: usize, v: f64) -> u8 {
        if let Some(categories) = self.categories(f) {
            return category_of(v)
                .and_then(|c| categories.binary_search(&c).ok())
                .unwrap_or(categories.len().max(1)) as u8;
        }
        if v.is_nan() {
            self.edges[f].len() as u8 + 1
        } else {
            bin_of(&self.edges[f], v)
        }
    }

    /// Codes (the missing bin included) each feature may take: `codes_of(f)` bins.
    pub fn codes_of(&self, f: usize) -> usize {
        self.n_bins(f) + usize::from(self.missing[f])
    }

    /// Where each feature's bins start in a histogram; the last entry is its length.
    pub fn offsets(&self) -> Vec<usize> {
        let mut offsets = vec![0];
        for f in 0..self.n_features() {
            offsets.push(offsets[f] + self.codes_of(f));
        }
        offsets
    }

    /// Writes the codes of `rows` (row-major, one value per feature) into `out` (one code per
    /// code column), blocks of rows in parallel.
    pub fn code_rows(&self, rows: &[f64], out: &mut [u8]) {
        let (d, w) = (self.n_original().max(1), self.n_features().max(1));
        out.par_chunks_mut(w * 1024)
            .zip(rows.par_chunks(d * 1024))
            .for_each(|(out, rows)| {
                for (o, v) in out.chunks_exact_mut(w).zip(rows.chunks_exact(d)) {
                    for (f, (c, &v)) in o.iter_mut().zip(v).enumerate() {
                        *c = self.code(f, v);
                    }
                    for (k, &f) in self.extra.iter().enumerate() {
                        o[d + k] = self.code(d + k, v[f]);
                    }
                }
            });
    }
}

/// Bin codes for a training matrix, feature-major.
#[derive(Debug, Clone)]
pub struct BinnedData {
    /// Number of samples.
    pub n_samples: usize,
    /// `codes[f * n_samples + i]` is the bin of sample `i` for feature `f`.
    pub codes: Vec<u8>,
    /// The thresholds and categories.
    pub mapper: BinMapper,
}

impl BinnedData {
    /// Bins every column of `x` (in parallel over features), the columns in `categorical` by
    /// category (see [`BinMapper::fit`]).
    pub fn new(x: ArrayView2<'_, f64>, categorical: &[usize]) -> Result<Self, (usize, f64)> {
        let mapper = BinMapper::fit(x, categorical)?;
        Ok(Self::with_mapper(x, mapper))
    }

    /// Bins `x` with thresholds learned elsewhere (e.g. [`BinMapper::fit_sharded`]).
    pub fn with_mapper(x: ArrayView2<'_, f64>, mapper: BinMapper) -> Self {
        let n = x.nrows();
        let mut codes = vec![0u8; n * mapper.n_features()];
        codes
            .par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(c, out)| {
                for (code, &v) in out.iter_mut().zip(x.column(mapper.original(c))) {
                    *code = mapper.code(c, v);
                }
            });
        Self {
            n_samples: n,
            codes,
            mapper,
        }
    }

    /// The feature-major copy of row-major codes (for the depth-first grower).
    pub fn from_rows(rows: &RowCodes) -> Self {
        let (n, d) = (rows.n_samples, rows.n_features);
        let codes = transpose(&rows.codes, n, d);
        Self {
            n_samples: n,
            codes,
            mapper: rows.mapper.clone(),
        }
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.mapper.n_features()
    }

    /// Number of value bins of feature `f` (its missing bin, if any, not counted).
    pub fn n_bins(&self, f: usize) -> usize {
        self.mapper.n_bins(f)
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

/// The bin codes row-major (`codes[i · d + f]`), for histograms filled row by row, with the
/// thresholds that made them: all the leaf-wise grower needs.
#[derive(Debug, Clone)]
pub struct RowCodes {
    /// Number of samples.
    pub n_samples: usize,
    /// Number of features.
    pub n_features: usize,
    /// `codes[i · d + f]`.
    pub codes: Vec<u8>,
    /// Feature `f`'s bins (its missing bin included) start at `offsets[f]` in a histogram;
    /// `offsets[d]` is the histogram's length. A feature with few distinct values takes few
    /// bins, so histograms of such data are small to clear, fill and subtract.
    pub offsets: Vec<usize>,
    /// The thresholds.
    pub mapper: BinMapper,
    /// The features with more than one code column (over 255 categories), each with one
    /// merged code per row, from which histograms fill all its columns with one addition per
    /// row instead of one per column.
    pub wide: Vec<WideFeature>,
}

/// A categorical feature whose categories take several code columns, and every row's bin
/// among all of them: column `columns[k]`'s value bin `b` is merged bin `starts[k] + b`; a row
/// in none of them (missing, or a category without a bin) has merged bin `starts[K]`, the
/// last. A row is in one column's value bins at most (the columns hold disjoint categories),
/// so a histogram gets every column's value bins from the merged bins' sums, and the first
/// column's missing bin as the leaf's total less its value bins; the further columns' missing
/// bins are left empty (a split of the feature weighs all its value bins together and reads
/// no missing bin).
#[derive(Debug, Clone)]
pub struct WideFeature {
    /// Its code columns: the feature's own, then its further ones in order.
    pub columns: Vec<usize>,
    /// Where each column's value bins start among the merged bins; the last entry is the
    /// merged bin of rows in none of them.
    pub starts: Vec<usize>,
    /// Each row's merged bin (at most 16 · 255 + 1 of them).
    pub merged: Vec<u16>,
    /// Each merged bin's place in a histogram: a value bin's own bin in its column, and for
    /// the last merged bin (rows in no column) the first column's missing bin.
    pub places: Vec<usize>,
}

impl WideFeature {
    /// The histogram bin every row outside the first column's value bins adds to as well: the
    /// first column's missing bin.
    pub fn first_missing(&self) -> usize {
        self.places[self.places.len() - 1]
    }

    /// Whether merged bin `m` is a value bin of a further column (its rows then add to
    /// [`WideFeature::first_missing`] as well as to their own bin).
    #[inline]
    pub fn outside_first(&self, m: usize) -> bool {
        m >= self.starts[1] && m < self.starts[self.columns.len()]
    }

    /// The wide features of `n` rows of `codes` (`mapper.n_features()` per row).
    fn all(mapper: &BinMapper, n: usize, codes: &[u8]) -> Vec<WideFeature> {
        let (d, w) = (mapper.n_original(), mapper.n_features());
        let offsets = &mapper.offsets();
        (0..d)
            .filter(|&f| mapper.extra.contains(&f))
            .map(|f| {
                let columns: Vec<usize> = std::iter::once(f)
                    .chain(
                        (0..mapper.extra.len())
                            .filter(|&k| mapper.extra[k] == f)
                            .map(|k| d + k),
                    )
                    .collect();
                let mut starts = vec![0];
                for &c in &columns {
                    starts.push(starts.last().copied().unwrap_or(0) + mapper.n_bins(c));
                }
                let bins: Vec<(usize, u8, u16)> = columns
                    .iter()
                    .zip(&starts)
                    .map(|(&c, &s)| (c, mapper.n_bins(c) as u8, s as u16))
                    .collect();
                let none = starts[columns.len()] as u16;
                let mut merged = vec![0u16; n];
                merged
                    .par_chunks_mut(4096)
                    .zip(codes.par_chunks(4096 * w.max(1)))
                    .for_each(|(out, rows)| {
                        for (m, row) in out.iter_mut().zip(rows.chunks_exact(w)) {
                            *m = bins
                                .iter()
                                .find(|&&(c, nb, _)| row[c] < nb)
                                .map_or(none, |&(c, _, s)| s + u16::from(row[c]));
                        }
                    });
                let mut places: Vec<usize> = columns
                    .iter()
                    .flat_map(|&c| (0..mapper.n_bins(c)).map(move |b| offsets[c] + b))
                    .collect();
                places.push(offsets[f] + mapper.n_bins(f));
                WideFeature {
                    columns,
                    starts,
                    merged,
                    places,
                }
            })
            .collect()
    }
}

impl RowCodes {
    /// The row-major copy of `binned`'s codes.
    #[cfg(test)]
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
        Self::from_parts(binned.mapper.clone(), n, codes)
    }

    /// Bins `x` straight into row-major codes (no feature-major copy): the same codes as
    /// [`BinnedData::new`].
    pub fn from_matrix(
        x: ArrayView2<'_, f64>,
        categorical: &[usize],
    ) -> Result<Self, (usize, f64)> {
        let mapper = BinMapper::fit(x, categorical)?;
        Ok(Self::with_mapper(x, mapper))
    }

    /// Bins `x` with thresholds learned elsewhere (e.g. [`BinMapper::fit_sharded`]).
    pub fn with_mapper(x: ArrayView2<'_, f64>, mapper: BinMapper) -> Self {
        let (n, w) = (x.nrows(), mapper.n_features());
        let mut codes = vec![0u8; n * w];
        match x.as_slice() {
            Some(rows) => mapper.code_rows(rows, &mut codes),
            None => codes
                .par_chunks_mut(w.max(1))
                .enumerate()
                .for_each(|(i, out)| {
                    for (c, code) in out.iter_mut().enumerate() {
                        *code = mapper.code(c, x[(i, mapper.original(c))]);
                    }
                }),
        }
        Self::from_parts(mapper, n, codes)
    }

    /// Codes made elsewhere (`n` rows of `mapper.n_features()` codes, each within its
    /// feature's bins — the caller checks).
    pub fn from_parts(mapper: BinMapper, n: usize, codes: Vec<u8>) -> Self {
        Self {
            n_samples: n,
            n_features: mapper.n_features(),
            wide: WideFeature::all(&mapper, n, &codes),
            codes,
            offsets: mapper.offsets(),
            mapper,
        }
    }

    /// The codes of feature `f` as a strided column.
    pub fn column(&self, f: usize) -> Column<'_> {
        Column {
            codes: &self.codes[f.min(self.codes.len())..],
            stride: self.n_features,
        }
    }
}

/// `n` rows of `d` codes, feature-major.
fn transpose(codes: &[u8], n: usize, d: usize) -> Vec<u8> {
    let mut out = vec![0u8; n * d];
    out.par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(f, column)| {
            for (i, c) in column.iter_mut().enumerate() {
                *c = codes[i * d + f];
            }
        });
    out
}

/// One feature's codes, `stride` apart (1 in feature-major data, the feature count in
/// row-major data).
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// The codes, the first one first.
    pub codes: &'a [u8],
    /// Distance between consecutive rows' codes.
    pub stride: usize,
}

impl Column<'_> {
    /// Row `i`'s code.
    #[inline(always)]
    pub fn at(&self, i: usize) -> u8 {
        self.codes[i * self.stride]
    }

    /// The codes from row `i` on (for a prefetch).
    #[inline(always)]
    pub fn from(&self, i: usize) -> &[u8] {
        &self.codes[(i * self.stride).min(self.codes.len())..]
    }
}

impl<'a> From<&'a [u8]> for Column<'a> {
    fn from(codes: &'a [u8]) -> Self {
        Column { codes, stride: 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn few_distinct_values_get_exact_midpoint_thresholds() {
        let x = Array2::from_shape_vec((5, 1), vec![3.0, 1.0, 2.0, 1.0, 3.0]).unwrap();
        let b = BinnedData::new(x.view(), &[]).unwrap();
        assert_eq!(b.mapper.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[2, 0, 1, 0, 2]);
    }

    #[test]
    fn many_values_get_at_most_256_balanced_bins() {
        let n = 10_000;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| ((i * 7919) % n) as f64);
        let b = BinnedData::new(x.view(), &[]).unwrap();
        assert_eq!(b.n_bins(0), MAX_BINS);
        let mut counts = vec![0usize; MAX_BINS];
        b.feature(0).iter().for_each(|&c| counts[c as usize] += 1);
        assert!(counts.iter().all(|&c| (35..=45).contains(&c)), "{counts:?}");
        assert_eq!(b.mapper.missing, vec![false]);
        // Codes agree with the thresholds.
        for (i, &c) in b.feature(0).iter().enumerate() {
            let v = x[(i, 0)];
            let c = c as usize;
            assert!(c == 0 || v > b.mapper.edges[0][c - 1]);
            assert!(c == MAX_BINS - 1 || v <= b.mapper.edges[0][c]);
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
        let b = BinnedData::new(x.view(), &[]).unwrap();
        assert_eq!(b.mapper.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[2, 3, 0, 1, 3]);
        assert_eq!(b.mapper.missing, vec![true, true]);
        // All missing: one (empty) value bin, the missing bin after it.
        assert_eq!(b.n_bins(1), 1);
        assert_eq!(b.feature(1), &[1; 5]);
        // With missing values a feature keeps at most 255 value bins.
        let n = 5_000;
        let x = Array2::from_shape_fn(
            (n, 1),
            |(i, _)| if i % 10 == 0 { f64::NAN } else { i as f64 },
        );
        let b = BinnedData::new(x.view(), &[]).unwrap();
        assert_eq!(b.n_bins(0), MAX_BINS - 1);
        assert!(b
            .feature(0)
            .iter()
            .step_by(10)
            .all(|&c| c as usize == MAX_BINS - 1));
    }
}
