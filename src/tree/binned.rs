//! A binned dataset: what the tree models train on, made without holding the data as floats.
//!
//! [`BinnedDataset::read`] reads a Parquet, Arrow or plain CSV file in two passes, as LightGBM's
//! `two_round` loading does: the first keeps the values of a sample of rows (every row up to
//! 200,000, else 200,000 evenly spaced ones, LightGBM's `bin_construct_sample_cnt`), notes which
//! features have missing values and reads the target; the thresholds come from the sample; the
//! second pass turns each batch of rows into one-byte codes. The float matrix never exists: a
//! boosting fit then needs about `n × (d + 24 k + 24)` bytes for `n` rows of `d` features and `k`
//! outputs (1 for regression and two classes) — the codes (`d`), the target (8), gradients and
//! hessians (16 per output), scores (8 per output), the row list and its partition scratch (8),
//! the quantized gradients (8) — plus the histograms: 10M × 28 is 0.76 GB, where the float
//! matrix alone would be `8 n d` bytes (2.2 GB).
//!
//! The thresholds are those [`crate::tree::GradientBoosting`] computes from the same rows in
//! memory, so fitting on a binned dataset gives the model fitting on the data gives.
//!
//! A binned dataset saves to a `.lkbin` file ([`BinnedDataset::save`]) and loads from it without
//! parsing anything ([`BinnedDataset::load`]): versioned, checksummed, and validated on load as
//! model files are.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::learner::dataset::{category_of, BinMapper, RowCodes, MAX_BINS};
use crate::dataset::{AsRecords, Dataset};
use crate::error::{Error, Result};

/// What a batch-by-batch read hands each batch to.
type BatchSink<'a> = dyn FnMut(crate::data::Batch<'_>) -> Result<()> + 'a;

/// One pass over a file, batch by batch (`None`: the file cannot be read that way).
type PassFn<'a> = dyn FnMut(&mut BatchSink<'_>) -> Result<Option<crate::data::Streamed>> + 'a;

/// What the target of a binned dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinnedTask {
    /// Class labels.
    Classification,
    /// Real values.
    Regression,
}

/// Rows of features as one-byte bin codes, with their thresholds, names and target: the input of
/// [`crate::tree::GradientBoosting::fit_binned`].
///
/// ```
/// use learnkit::prelude::*;
/// use learnkit::tree::{BinnedDataset, GradientBoosting};
///
/// let data = learnkit::data::MakeClassification::params().n_samples(500).seed(1).generate()?;
/// let binned = BinnedDataset::from_classification(&data)?;
/// let params = GradientBoosting::classifier().n_estimators(20);
/// // The same model as fitting on the data itself.
/// assert_eq!(params.fit_binned(&binned)?.trees(), params.fit(&data)?.trees());
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BinnedDataset {
    pub(crate) codes: RowCodes,
    /// Class indices (as floats) or values, one per row.
    pub(crate) targets: Vec<f64>,
    pub(crate) class_names: Vec<String>,
    pub(crate) task: BinnedTask,
    pub(crate) feature_names: Vec<String>,
    pub(crate) target_name: String,
    /// The numbering of the text feature columns (categorical).
    pub(crate) vocabularies: Vec<crate::data::Vocabulary>,
}

/// The largest number of distinct labels a classification target may have.
const MAX_CLASSES: usize = 1 << 16;

impl BinnedDataset {
    /// Bins a classification dataset held in memory.
    pub fn from_classification(data: &Dataset<usize>) -> Result<Self> {
        Self::from_classification_with(data, &[])
    }

    /// Bins a classification dataset held in memory whose features `categorical` (indices)
    /// are categorical: each value a category, a whole number ≥ 0 (NaN missing).
    pub fn from_classification_with(data: &Dataset<usize>, categorical: &[usize]) -> Result<Self> {
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        let class_names = super::decision_tree::class_names(data, y);
        Self::from_parts(
            x,
            y.iter().map(|&c| c as f64).collect(),
            class_names,
            BinnedTask::Classification,
            data,
            categorical,
        )
    }

    /// Bins a regression dataset held in memory.
    pub fn from_regression(data: &Dataset<f64>) -> Result<Self> {
        Self::from_regression_with(data, &[])
    }

    /// Bins a regression dataset held in memory with categorical features; see
    /// [`BinnedDataset::from_classification_with`].
    pub fn from_regression_with(data: &Dataset<f64>, categorical: &[usize]) -> Result<Self> {
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        Self::from_parts(
            x,
            y.to_vec(),
            Vec::new(),
            BinnedTask::Regression,
            data,
            categorical,
        )
    }

    fn from_parts<T: Clone>(
        x: ArrayView2<'_, f64>,
        targets: Vec<f64>,
        class_names: Vec<String>,
        task: BinnedTask,
        data: &Dataset<T>,
        categorical: &[usize],
    ) -> Result<Self> {
        let names = AsRecords::feature_names(data);
        super::params::check_categorical(categorical, x.ncols())?;
        let codes = RowCodes::from_matrix(x, categorical)
            .map_err(|e| super::params::not_a_category(&names, e))?;
        Ok(Self {
            codes,
            targets,
            class_names,
            task,
            feature_names: names,
            target_name: data.target_name.clone(),
            vocabularies: Vec::new(),
        })
    }

    /// The numbering of its text feature columns (categorical features read from text columns
    /// of a Parquet or Arrow file); a test file is read with it
    /// ([`crate::data::read_table_numbered`]).
    pub fn vocabularies(&self) -> &[crate::data::Vocabulary] {
        &self.vocabularies
    }

    /// The categorical features (positions among the features).
    pub fn categorical_features(&self) -> Vec<usize> {
        self.codes.mapper.categorical_features()
    }

    /// Number of rows.
    pub fn n_samples(&self) -> usize {
        self.codes.n_samples
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// The feature names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The target column's name.
    pub fn target_name(&self) -> &str {
        &self.target_name
    }

    /// The class labels, sorted (empty for a regression target).
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Classification or regression.
    pub fn task(&self) -> BinnedTask {
        self.task
    }

    /// The targets: class indices into [`BinnedDataset::class_names`] (as floats) or values.
    pub fn targets(&self) -> &[f64] {
        &self.targets
    }

    /// Number of value bins of feature `f` (its missing bin not counted).
    pub fn n_bins(&self, f: usize) -> usize {
        self.codes.mapper.n_bins(f)
    }

    /// Whether feature `f` has missing values (which then have a bin of their own).
    pub fn has_missing(&self, f: usize) -> bool {
        self.codes.mapper.missing[f]
    }

    /// The thresholds between feature `f`'s bins (a value goes in bin `b` when it is above
    /// `b` of them).
    pub fn thresholds(&self, f: usize) -> &[f64] {
        &self.codes.mapper.edges[f]
    }

    /// Whether `path` starts as a binned-dataset file (reads its first bytes only).
    pub fn is_binned_file(path: impl AsRef<Path>) -> bool {
        let mut magic = [0u8; 8];
        std::fs::File::open(path.as_ref())
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
            && &magic == MAGIC
    }

    /// An error unless the target is `task`'s (a model of the other task was given it).
    pub(crate) fn require_task(&self, task: BinnedTask) -> Result<()> {
        if self.task == task {
            return Ok(());
        }
        Err(Error::invalid(
            "binned dataset",
            format!("a {:?} target", self.task),
            format!("this model needs a {task:?} target"),
        ))
    }

    /// Bytes the codes and targets take in memory.
    pub fn memory_bytes(&self) -> usize {
        self.codes.codes.len() + 8 * self.targets.len()
    }

    /// Reads a CSV, Parquet or Arrow file into a binned dataset. Parquet and Arrow files, and
    /// plain CSV files of 8 MB or more, are read in two passes without holding their values (see
    /// the module's documentation); any other CSV file is read whole first. `task`: what the
    /// target is, or `None` to guess as the examples do (a regression target when every cell is
    /// a number and one has a fraction or there are more than 20 distinct values). With
    /// `allow_missing`, nulls and NaN are missing values, else errors naming the column and row.
    /// Text feature columns (Parquet, Arrow) and the columns named in `categorical` are
    /// categorical features; see [`BinnedDataset::vocabularies`].
    pub fn read(
        path: impl AsRef<Path>,
        target: &str,
        task: Option<BinnedTask>,
        allow_missing: bool,
        categorical: &[String],
    ) -> Result<Self> {
        let path = path.as_ref();
        let features: Vec<String> = crate::data::read_table_header(path)?
            .into_iter()
            .filter(|n| n != target)
            .collect();
        let named = crate::data::csv::categorical_positions(&features, &[], categorical)?;
        let stream = |claimed, pass: &mut PassFn<'_>| {
            Self::stream(path, target, claimed, task, &named, categorical, pass)
        };
        #[cfg(feature = "columnar")]
        if crate::data::Format::of(path) != crate::data::Format::Csv {
            let claimed = crate::data::count_rows(path, target)?;
            // Pass 1 numbers the text columns; pass 2 reads them with that numbering.
            let mut known: Vec<crate::data::Vocabulary> = Vec::new();
            let mut pass = |each: &mut BatchSink<'_>| {
                let streamed = crate::data::stream(path, target, allow_missing, &known, each)?;
                known.clone_from(&streamed.vocabularies);
                Ok(Some(streamed))
            };
            if let Some(binned) = stream(claimed, &mut pass)? {
                return Ok(binned);
            }
        }
        // A large plain CSV file streams too; any other is read whole (its errors name lines).
        if crate::persist::require_regular_file(path)?.len() >= 8 << 20 {
            let claimed = crate::data::csv::count_rows(path)?;
            let mut pass = |each: &mut BatchSink<'_>| {
                crate::data::csv::stream(path, target, allow_missing, each)
            };
            if let Some(binned) = stream(claimed, &mut pass)? {
                return Ok(binned);
            }
        }
        let table = crate::data::read_table(path, Some(target), &[], allow_missing)?;
        let cats = table.categorical_features(categorical)?;
        let vocabularies = table.vocabularies.clone();
        let task = task.unwrap_or(if table.target_looks_continuous() {
            BinnedTask::Regression
        } else {
            BinnedTask::Classification
        });
        let mut binned = match task {
            BinnedTask::Classification => {
                Self::from_classification_with(&table.into_classification()?, &cats)?
            }
            BinnedTask::Regression => Self::from_regression_with(&table.into_regression()?, &cats)?,
        };
        binned.vocabularies = vocabularies;
        Ok(binned)
    }

    /// The two passes over a file read batch by batch by `pass` (which returns `None` when
    /// the file cannot be read that way: then so does this, and the caller reads a table).
    #[allow(clippy::too_many_arguments)]
    fn stream(
        path: &Path,
        target: &str,
        claimed: usize,
        task: Option<BinnedTask>,
        named: &[usize],
        categorical: &[String],
        pass: &mut PassFn<'_>,
    ) -> Result<Option<Self>> {
        let sample = BinMapper::sample_rows(claimed);
        // The first value of a named categorical column that is no category.
        let mut bad: Option<(usize, f64)> = None;
        // Pass 1: the sample's values, which features miss values, the target.
        let mut sampled: Vec<f64> = Vec::new();
        let mut missing: Vec<bool> = Vec::new();
        let mut labels = Labels::new(task);
        let mut next = 0usize; // the next sample row not yet met
        let mut d = 0usize;
        let first = pass(&mut |batch| {
            let rows = batch.targets.len();
            d = batch.values.len() / rows.max(1);
            if missing.len() != d {
                missing = vec![false; d];
            }
            for (r, row) in batch.values.chunks_exact(d.max(1)).enumerate() {
                let i = batch.first_row + r;
                let in_sample = match &sample {
                    None => true,
                    Some(s) => s.get(next).is_some_and(|&r| r == i),
                };
                if in_sample {
                    sampled.extend_from_slice(row);
                    next += 1;
                }
                for (m, v) in missing.iter_mut().zip(row) {
                    *m |= v.is_nan();
                }
                for &f in named {
                    let v = row.get(f).copied().unwrap_or(0.0);
                    if bad.is_none() && !v.is_nan() && category_of(v).is_none() {
                        bad = Some((f, v));
                    }
                }
            }
            labels.push(path, target, batch.first_row, batch.targets)
        })?;
        let Some(first) = first else {
            return Ok(None);
        };
        if first.rows != claimed {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: 1,
                column: None,
                message: format!(
                    "the file claims {claimed} rows but holds {} rows",
                    first.rows
                ),
            });
        }
        let d = first.feature_names.len();
        if missing.len() != d {
            missing = vec![false; d];
        }
        if let Some(bad) = bad {
            return Err(super::params::not_a_category(&first.feature_names, bad));
        }
        let cats = crate::data::csv::categorical_positions(
            &first.feature_names,
            &first.vocabularies,
            categorical,
        )?;
        let n_sampled = sampled.len() / d.max(1);
        let features = (0..d)
            .into_par_iter()
            .map(|f| {
                let column = (0..n_sampled).map(|r| sampled[r * d + f]);
                if cats.contains(&f) {
                    (
                        Vec::new(),
                        true,
                        Some(BinMapper::feature_categories(column)),
                    )
                } else {
                    let column: Vec<f64> = column.collect();
                    (
                        BinMapper::feature_edges(&column, missing[f]),
                        missing[f],
                        None,
                    )
                }
            })
            .collect();
        drop(sampled);
        let mapper = BinMapper::from_features(features);
        let (targets, class_names, task) = labels.finish(path, target)?;
        // Pass 2: the codes, batch by batch, into one array sized from the rows read.
        let n = first.rows;
        // One code per code column: the features and the further category columns.
        let w = mapper.n_features();
        let mut codes: Vec<u8> = Vec::new();
        codes
            .try_reserve_exact(n.saturating_mul(w))
            .map_err(|_| Error::invalid("data", path.display(), "too many rows for memory"))?;
        codes.resize(n * w, 0);
        let second = pass(&mut |batch| {
            let start = batch.first_row * w;
            let rows = batch.values.len() / d.max(1);
            let out = codes
                .get_mut(start..start + rows * w)
                .ok_or_else(|| changed(path))?;
            mapper.code_rows(batch.values, out);
            Ok(())
        })?;
        let Some(second) = second else {
            return Err(changed(path));
        };
        if second.rows != n
            || second.feature_names != first.feature_names
            || second.vocabularies != first.vocabularies
        {
            return Err(changed(path));
        }
        Ok(Some(Self {
            codes: RowCodes::from_parts(mapper, n, codes),
            targets,
            class_names,
            task,
            feature_names: first.feature_names,
            target_name: first.target_name,
            vocabularies: first.vocabularies,
        }))
    }
}

fn changed(path: &Path) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: 1,
        column: None,
        message: "the file changed while it was read".into(),
    }
}

/// The target cells of a file read batch by batch: numbers, and ids of distinct cells, kept while
/// the task (given or still to be guessed) may need them.
struct Labels {
    task: Option<BinnedTask>,
    /// Each row's cell as a number, while every cell is one.
    numbers: Option<Vec<f64>>,
    /// The first cell that is not a finite number: its row and text.
    not_a_number: Option<(usize, String)>,
    /// Distinct cells and each row's index among them, while there are few enough.
    ids: Option<(HashMap<String, u32>, Vec<u32>)>,
}

impl Labels {
    fn new(task: Option<BinnedTask>) -> Self {
        Labels {
            task,
            numbers: (task != Some(BinnedTask::Classification)).then(Vec::new),
            not_a_number: None,
            ids: (task != Some(BinnedTask::Regression)).then(|| (HashMap::new(), Vec::new())),
        }
    }

    fn push(&mut self, path: &Path, target: &str, first: usize, cells: &[String]) -> Result<()> {
        for (r, cell) in cells.iter().enumerate() {
            if let Some(numbers) = &mut self.numbers {
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => numbers.push(v),
                    _ => {
                        if self.task == Some(BinnedTask::Regression) {
                            return Err(not_a_number(path, target, first + r, cell));
                        }
                        self.not_a_number = Some((first + r, cell.clone()));
                        self.numbers = None;
                    }
                }
            }
            if let Some((distinct, ids)) = &mut self.ids {
                let next = distinct.len() as u32;
                let id = *distinct.entry(cell.clone()).or_insert(next);
                ids.push(id);
                if distinct.len() > MAX_CLASSES {
                    if self.task == Some(BinnedTask::Classification) || self.numbers.is_none() {
                        return Err(Error::Parse {
                            path: path.to_path_buf(),
                            line: (first + r) as u64 + 1,
                            column: Some(target.to_string()),
                            message: format!(
                                "more than {MAX_CLASSES} distinct labels: not a class column"
                            ),
                        });
                    }
                    self.ids = None; // a regression target, then
                }
            }
        }
        Ok(())
    }

    /// The targets (class indices or values), the class names and the task.
    fn finish(self, path: &Path, target: &str) -> Result<(Vec<f64>, Vec<String>, BinnedTask)> {
        let task = match (self.task, &self.ids) {
            (Some(task), _) => task,
            (None, None) => BinnedTask::Regression,
            (None, Some((distinct, _))) => {
                let cells: Vec<String> = distinct.keys().cloned().collect();
                if crate::data::csv::cells_look_continuous(&cells) {
                    BinnedTask::Regression
                } else {
                    BinnedTask::Classification
                }
            }
        };
        match task {
            BinnedTask::Regression => match (self.numbers, self.not_a_number) {
                (Some(numbers), _) => Ok((numbers, Vec::new(), task)),
                (None, Some((row, cell))) => Err(not_a_number(path, target, row, &cell)),
                (None, None) => Err(not_a_number(path, target, 0, "")),
            },
            BinnedTask::Classification => {
                let Some((distinct, ids)) = self.ids else {
                    return Err(Error::invalid("target", target, "not a class column"));
                };
                let mut cells = vec![String::new(); distinct.len()];
                for (cell, id) in distinct {
                    cells[id as usize] = cell;
                }
                let (classes, index) = crate::data::csv::class_map(&cells);
                let targets = ids.par_iter().map(|&i| index[i as usize] as f64).collect();
                Ok((targets, classes, task))
            }
        }
    }
}

fn not_a_number(path: &Path, target: &str, row: usize, cell: &str) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: row as u64 + 1,
        column: Some(target.to_string()),
        message: format!(
            "row {}: `{}` is not a finite number (a regression target must be)",
            row + 1,
            crate::data::shown(cell)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The .lkbin file.

/// The first bytes of a binned-dataset file.
const MAGIC: &[u8; 8] = b"LKBIN\0\r\n";
/// The file layout's version.
const VERSION: u32 = 1;
/// The largest header (names and thresholds) a file may declare.
const MAX_HEADER: u64 = 256 << 20;

/// What a `.lkbin` file says of itself before its codes.
#[derive(Serialize, Deserialize)]
struct Header {
    n_samples: u64,
    n_features: u64,
    feature_names: Vec<String>,
    target_name: String,
    class_names: Vec<String>,
    task: BinnedTask,
    edges: Vec<Vec<f64>>,
    missing: Vec<bool>,
    /// Each feature's categories (`None`: numeric); empty when no feature is categorical.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    categories: Vec<Option<Vec<u32>>>,
    /// The numbering of the text feature columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vocabularies: Vec<crate::data::Vocabulary>,
    /// The feature of each further category column (see [`BinMapper::extra`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    extra: Vec<usize>,
}

/// A 64-bit checksum of `bytes` (blocks hashed in parallel, then combined in order): catches a
/// flipped or truncated byte, not an adversary.
fn checksum(bytes: &[u8]) -> u64 {
    const BLOCK: usize = 1 << 20;
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let blocks: Vec<u64> = bytes
        .par_chunks(BLOCK)
        .map(|block| {
            let mut h = K ^ block.len() as u64;
            let mut words = block.chunks_exact(8);
            for w in &mut words {
                let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
                h = (h ^ w).wrapping_mul(K).rotate_left(27);
            }
            for &b in words.remainder() {
                h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(27);
            }
            h
        })
        .collect();
    blocks.iter().fold(bytes.len() as u64, |acc, &h| {
        (acc ^ h).wrapping_mul(K).rotate_left(31)
    })
}

impl BinnedDataset {
    /// Writes the binned dataset to `path` (conventionally `.lkbin`), atomically: magic bytes, a
    /// version, a JSON header (names, thresholds, sizes), the codes, the targets, and a checksum
    /// of everything before it.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let header = Header {
            n_samples: self.n_samples() as u64,
            n_features: self.codes.n_features as u64,
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
            class_names: self.class_names.clone(),
            task: self.task,
            edges: self.codes.mapper.edges.clone(),
            missing: self.codes.mapper.missing.clone(),
            categories: self.codes.mapper.categories.clone(),
            vocabularies: self.vocabularies.clone(),
            extra: self.codes.mapper.extra.clone(),
        };
        let header = serde_json::to_vec(&header)
            .map_err(|e| Error::invalid("binned dataset", path.display(), e.to_string()))?;
        let targets: Vec<u8> = self.targets.iter().flat_map(|v| v.to_le_bytes()).collect();
        let sum = [
            checksum(&header),
            checksum(&self.codes.codes),
            checksum(&targets),
        ]
        .iter()
        .fold(0u64, |acc, &h| acc.rotate_left(17) ^ h);
        crate::persist::write_atomic(path, |w| {
            w.write_all(MAGIC)?;
            w.write_all(&VERSION.to_le_bytes())?;
            w.write_all(&(header.len() as u64).to_le_bytes())?;
            w.write_all(&header)?;
            w.write_all(&self.codes.codes)?;
            w.write_all(&targets)?;
            w.write_all(&sum.to_le_bytes())
        })
    }

    /// Loads a binned dataset written by [`BinnedDataset::save`]. Sizes are checked against the
    /// file's length before anything is allocated; the checksum, the thresholds (finite,
    /// increasing, at most 256 bins), every code (within its feature's bins) and every target
    /// (finite; a class index within the classes) are checked before the data is returned.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let corrupt = |message: String| Error::CorruptModel {
            path: path.to_path_buf(),
            message: format!("not a valid binned dataset: {message}"),
        };
        let meta = crate::persist::require_regular_file(path)?;
        let mut file =
            std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?);
        let mut fixed = [0u8; 20];
        file.read_exact(&mut fixed)
            .map_err(|_| corrupt("shorter than its header".into()))?;
        if &fixed[..8] != MAGIC {
            return Err(corrupt("it does not start as a .lkbin file".into()));
        }
        let version = u32::from_le_bytes(fixed[8..12].try_into().unwrap_or_default());
        if version != VERSION {
            return Err(Error::IncompatibleModel {
                expected: format!("binned dataset version {VERSION}"),
                found: format!("version {version}"),
            });
        }
        let header_len = u64::from_le_bytes(fixed[12..20].try_into().unwrap_or_default());
        if header_len > MAX_HEADER || header_len > meta.len() {
            return Err(corrupt(format!("a header of {header_len} bytes")));
        }
        let mut header_bytes = vec![0u8; header_len as usize];
        file.read_exact(&mut header_bytes)
            .map_err(|_| corrupt("truncated header".into()))?;
        let header: Header =
            serde_json::from_slice(&header_bytes).map_err(|e| corrupt(format!("header: {e}")))?;
        let (n, d) = (header.n_samples, header.n_features);
        let sizes = n
            .checked_mul(d)
            .and_then(|codes| Some((codes, n.checked_mul(8)?)))
            .and_then(|(codes, targets)| {
                let total = 20u64
                    .checked_add(header_len)?
                    .checked_add(codes)?
                    .checked_add(targets)?
                    .checked_add(8)?;
                Some((codes, targets, total))
            });
        let Some((codes_len, targets_len, total)) = sizes else {
            return Err(corrupt(format!("{n} rows of {d} features")));
        };
        if total != meta.len() {
            return Err(corrupt(format!(
                "{n} rows of {d} features need {total} bytes; the file has {}",
                meta.len()
            )));
        }
        let (n, d) = (n as usize, d as usize);
        let mapper = check_header(&header, n, d).map_err(corrupt)?;
        let mut codes = vec![0u8; codes_len as usize];
        file.read_exact(&mut codes)
            .map_err(|_| corrupt("truncated codes".into()))?;
        let mut target_bytes = vec![0u8; targets_len as usize];
        file.read_exact(&mut target_bytes)
            .map_err(|_| corrupt("truncated targets".into()))?;
        let mut sum = [0u8; 8];
        file.read_exact(&mut sum)
            .map_err(|_| corrupt("truncated checksum".into()))?;
        let expected = [
            checksum(&header_bytes),
            checksum(&codes),
            checksum(&target_bytes),
        ]
        .iter()
        .fold(0u64, |acc, &h| acc.rotate_left(17) ^ h);
        if u64::from_le_bytes(sum) != expected {
            return Err(corrupt("checksum mismatch (the file was altered)".into()));
        }
        // Every code within its feature's bins: a histogram is indexed by them.
        let limits: Vec<u8> = (0..d).map(|f| (mapper.codes_of(f) - 1) as u8).collect();
        let bad = codes
            .par_chunks(d.max(1) * 4096)
            .enumerate()
            .find_map_first(|(b, block)| {
                block
                    .chunks_exact(d.max(1))
                    .enumerate()
                    .find_map(|(r, row)| {
                        row.iter()
                            .zip(&limits)
                            .position(|(c, l)| c > l)
                            .map(|f| (b * 4096 + r, f))
                    })
            });
        if let Some((row, f)) = bad {
            return Err(corrupt(format!(
                "row {}: a code beyond feature `{}`'s bins",
                row + 1,
                crate::data::shown(&header.feature_names[mapper.original(f)])
            )));
        }
        let targets: Vec<f64> = target_bytes
            .par_chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or_default()))
            .collect();
        drop(target_bytes);
        let k = header.class_names.len() as f64;
        let bad_target = targets.par_iter().position_first(|&t| match header.task {
            BinnedTask::Regression => !t.is_finite(),
            BinnedTask::Classification => !(t >= 0.0 && t < k && t.fract() == 0.0),
        });
        if let Some(row) = bad_target {
            return Err(corrupt(format!("row {}: target {}", row + 1, targets[row])));
        }
        Ok(Self {
            codes: RowCodes::from_parts(mapper, n, codes),
            targets,
            class_names: header.class_names,
            task: header.task,
            feature_names: header.feature_names,
            target_name: header.target_name,
            vocabularies: header.vocabularies,
        })
    }

    /// The binned dataset's source in a report: its target name and size.
    pub fn describe(&self) -> String {
        format!(
            "{} rows × {} features, binned ({} MB)",
            self.n_samples(),
            self.n_features(),
            self.memory_bytes() >> 20
        )
    }
}

/// The thresholds of a header, checked against its sizes (`d` code columns: the features and
/// the further category columns of features with more than 255 categories).
fn check_header(header: &Header, n: usize, d: usize) -> std::result::Result<BinMapper, String> {
    if n == 0 {
        return Err("no rows".into());
    }
    let names = &header.feature_names;
    let original = d.checked_sub(header.extra.len()).unwrap_or(usize::MAX);
    if names.len() != original || header.edges.len() != d || header.missing.len() != d {
        return Err(format!(
            "{d} code columns ({} of them further category columns) but {} names, {} \
             threshold lists and {} missing flags",
            header.extra.len(),
            names.len(),
            header.edges.len(),
            header.missing.len()
        ));
    }
    if !header.categories.is_empty() && header.categories.len() != d {
        return Err(format!(
            "{d} code columns but {} category lists",
            header.categories.len()
        ));
    }
    let name = |c: usize| {
        let f = if c < original {
            c
        } else {
            header.extra[c - original]
        };
        crate::data::shown(&names[f])
    };
    let is_categorical = |c: usize| header.categories.get(c).is_some_and(Option::is_some);
    for (k, &f) in header.extra.iter().enumerate() {
        if f >= original || !is_categorical(f) || !is_categorical(original + k) {
            return Err(format!(
                "a further category column of feature {f}, which is no categorical feature"
            ));
        }
    }
    for (c, categories) in header.categories.iter().enumerate() {
        let Some(categories) = categories else {
            continue;
        };
        let ascending = categories.windows(2).all(|w| w[0] < w[1]);
        if categories.len() >= MAX_BINS || !ascending || !header.edges[c].is_empty() {
            return Err(format!(
                "categorical feature `{}`: at most {} categories a column, ascending, and no \
                 thresholds",
                name(c),
                MAX_BINS - 1
            ));
        }
    }
    for vocabulary in &header.vocabularies {
        let f = names.iter().position(|n| *n == vocabulary.column);
        if f.is_none_or(|f| !is_categorical(f)) {
            return Err(format!(
                "a numbering of texts for `{}`, which is no categorical feature",
                crate::data::shown(&vocabulary.column)
            ));
        }
    }
    for (c, (edges, &missing)) in header.edges.iter().zip(&header.missing).enumerate() {
        let bins = edges.len() + 1 + usize::from(missing);
        let increasing = edges.windows(2).all(|w| w[0] < w[1]);
        if bins > MAX_BINS || !increasing || edges.iter().any(|e| !e.is_finite()) {
            return Err(format!(
                "feature `{}`: thresholds must be finite, increasing and at most {} bins",
                name(c),
                MAX_BINS
            ));
        }
    }
    if header.task == BinnedTask::Classification && header.class_names.is_empty() {
        return Err("a classification target without classes".into());
    }
    Ok(BinMapper {
        edges: header.edges.clone(),
        missing: header.missing.clone(),
        categories: header.categories.clone(),
        extra: header.extra.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traits::Estimator;
    use crate::tree::GradientBoosting;

    fn classes(n: usize, missing: bool) -> Dataset<usize> {
        let mut data = crate::data::MakeClassification::params()
            .n_samples(n)
            .n_features(6)
            .n_informative(3)
            .n_classes(3)
            .seed(7)
            .generate()
            .unwrap();
        if missing {
            for i in (0..n).step_by(7) {
                data.records[(i, i % 6)] = f64::NAN;
            }
        }
        data
    }

    #[test]
    fn fitting_on_the_binned_data_gives_the_model_fitting_on_the_data_gives() {
        let params = GradientBoosting::classifier().n_estimators(8).seed(3);
        for missing in [false, true] {
            let data = classes(3_000, missing);
            let binned = BinnedDataset::from_classification(&data).unwrap();
            let (a, b) = (
                params.fit_binned(&binned).unwrap(),
                params.fit(&data).unwrap(),
            );
            assert_eq!(a.trees(), b.trees(), "missing values: {missing}");
            assert_eq!(a.classes, b.classes);
            assert_eq!(binned.feature_names(), AsRecords::feature_names(&data));
        }
        let data = crate::data::MakeRegression::params()
            .n_samples(2_000)
            .seed(5)
            .generate()
            .unwrap();
        let binned = BinnedDataset::from_regression(&data).unwrap();
        let params = GradientBoosting::regressor().n_estimators(5);
        assert_eq!(
            params.fit_binned(&binned).unwrap().trees(),
            params.fit(&data).unwrap().trees()
        );
        // The other task is refused.
        assert!(GradientBoosting::classifier().fit_binned(&binned).is_err());
        // Early stopping holds out binned rows.
        let model = GradientBoosting::regressor()
            .n_estimators(400)
            .early_stopping(true)
            .fit_binned(&binned)
            .unwrap();
        assert!(model.n_rounds() < 400);
    }

    #[test]
    fn forests_and_trees_fit_on_binned_data_as_on_the_data() {
        use crate::tree::{DecisionTreeClassifier, DecisionTreeRegressor, RandomForest};
        let data = classes(2_000, false);
        let binned = BinnedDataset::from_classification(&data).unwrap();
        let forest = RandomForest::classifier()
            .n_estimators(8)
            .oob_score(true)
            .seed(2);
        let (a, b) = (
            forest.fit_binned(&binned).unwrap(),
            forest.fit(&data).unwrap(),
        );
        assert!(a.oob_score().is_some());
        assert_eq!(a, b);
        let tree = DecisionTreeClassifier::params().max_depth(Some(6));
        assert_eq!(tree.fit_binned(&binned).unwrap(), tree.fit(&data).unwrap());
        let values = crate::data::MakeRegression::params()
            .n_samples(1_500)
            .seed(4)
            .generate()
            .unwrap();
        let binned_values = BinnedDataset::from_regression(&values).unwrap();
        let forest = RandomForest::regressor().n_estimators(5).oob_score(true);
        assert_eq!(
            forest.fit_binned(&binned_values).unwrap(),
            forest.fit(&values).unwrap()
        );
        let tree = DecisionTreeRegressor::params();
        assert_eq!(
            tree.fit_binned(&binned_values).unwrap(),
            tree.fit(&values).unwrap()
        );
        // The wrong task, and missing values, are refused.
        assert!(forest.fit_binned(&binned).is_err());
        let missing = BinnedDataset::from_classification(&classes(500, true)).unwrap();
        let e = RandomForest::classifier()
            .fit_binned(&missing)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing values"), "{e}");
    }

    fn saved(data: &BinnedDataset, name: &str) -> (std::path::PathBuf, Vec<u8>) {
        // One folder per file name: tests running at once never remove each other's files.
        let dir = std::env::temp_dir().join(format!(
            "learnkit-lkbin-{}-{}",
            std::process::id(),
            name.replace('.', "-")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        data.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    }

    #[test]
    fn a_saved_binned_dataset_loads_as_it_was_and_a_damaged_one_is_refused() {
        let mut data = classes(1_000, true);
        // A feature of few values (three value bins and the missing bin).
        for i in 0..1_000 {
            if !data.records[(i, 0)].is_nan() {
                data.records[(i, 0)] = (i % 3) as f64;
            }
        }
        let binned = BinnedDataset::from_classification(&data).unwrap();
        let load_error = |path: &Path| match BinnedDataset::load(path) {
            Ok(_) => panic!("{} loaded", path.display()),
            Err(e) => e.to_string(),
        };
        let (path, bytes) = saved(&binned, "ok.lkbin");
        let back = BinnedDataset::load(&path).unwrap();
        assert_eq!(back.codes.codes, binned.codes.codes);
        assert_eq!(back.codes.mapper, binned.codes.mapper);
        assert_eq!(back.targets, binned.targets);
        assert_eq!(back.class_names, binned.class_names);
        assert_eq!(back.feature_names, binned.feature_names);
        let params = GradientBoosting::classifier().n_estimators(3);
        assert_eq!(
            params.fit_binned(&back).unwrap().trees(),
            params.fit_binned(&binned).unwrap().trees()
        );
        let refused = |bytes: &[u8], what: &str| {
            std::fs::write(&path, bytes).unwrap();
            let e = load_error(&path);
            assert!(e.contains(what), "{e}");
        };
        // A flipped byte in the codes, the file cut short, another file, a newer version.
        let mut flipped = bytes.clone();
        let at = bytes.len() - 8 * 1_000 - 100;
        flipped[at] ^= 1;
        refused(&flipped, "checksum");
        refused(&bytes[..bytes.len() - 3], "need");
        refused(b"a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n", "does not start");
        refused(b"a,b\n", "shorter");
        let mut newer = bytes.clone();
        newer[8] = 2;
        refused(&newer, "version 2");
        // A header that claims 2^40 rows: refused from the file's length, nothing allocated.
        let header_len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
        let header = String::from_utf8(bytes[20..20 + header_len].to_vec()).unwrap();
        let huge = header.replace("\"n_samples\":1000", "\"n_samples\":1099511627776");
        assert_ne!(huge, header);
        let mut crafted = bytes[..12].to_vec();
        crafted.extend((huge.len() as u64).to_le_bytes());
        crafted.extend(huge.as_bytes());
        crafted.extend(&bytes[20 + header_len..]);
        refused(&crafted, "1099511627776 rows");
        // A header length beyond the file.
        let mut long = bytes.clone();
        long[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        refused(&long, "header of");
        // A code beyond its feature's bins, with a valid checksum (as a crafted file would
        // have): refused before any histogram is indexed by it.
        let mut bad = binned.clone();
        let f = 0;
        let (d, limit) = (bad.n_features(), bad.codes.mapper.codes_of(f) as u8);
        assert_eq!(limit, 4);
        bad.codes.codes[5 * d + f] = limit;
        let (path2, _) = saved(&bad, "bad.lkbin");
        let e = load_error(&path2);
        assert!(e.contains("row 6") && e.contains("beyond"), "{e}");
        // A class index outside the classes.
        let mut bad = binned.clone();
        bad.targets[9] = 3.0;
        let (path3, _) = saved(&bad, "bad_target.lkbin");
        let e = load_error(&path3);
        assert!(e.contains("row 10"), "{e}");
        // Thresholds out of order.
        let mut bad = binned.clone();
        bad.codes.mapper.edges[0].reverse();
        let (path4, _) = saved(&bad, "bad_edges.lkbin");
        let e = load_error(&path4);
        assert!(e.contains("increasing"), "{e}");
        for p in [&path, &path2, &path3, &path4] {
            std::fs::remove_dir_all(p.parent().unwrap()).ok();
        }
    }

    /// A binned dataset with a 300-category feature (two code columns) and a text numbering
    /// loads as it was; crafted category layouts, with valid checksums, are refused.
    #[test]
    fn categorical_layouts_load_as_saved_and_crafted_ones_are_refused() {
        let n = 3_000;
        let x = ndarray::Array2::from_shape_fn((n, 2), |(i, j)| {
            if j == 0 {
                (i % 7) as f64
            } else {
                ((i * 7) % 300) as f64
            }
        });
        let y = ndarray::Array1::from_shape_fn(n, |i| (i * 7) % 300 % 2);
        let data = Dataset::new(x, y).unwrap();
        let mut binned = BinnedDataset::from_classification_with(&data, &[1]).unwrap();
        binned.vocabularies = vec![crate::data::Vocabulary {
            column: "x1".into(),
            words: (0..300).map(|i| format!("w{i}")).collect(),
        }];
        assert_eq!(binned.codes.mapper.extra, [1]);
        assert_eq!(binned.n_features(), 2);
        let (path, _) = saved(&binned, "cats.lkbin");
        let back = BinnedDataset::load(&path).unwrap();
        assert_eq!(back.codes.mapper, binned.codes.mapper);
        assert_eq!(back.vocabularies, binned.vocabularies);
        let refused = |bad: &BinnedDataset, name: &str, what: &str| {
            let (path, _) = saved(bad, name);
            match BinnedDataset::load(&path) {
                Ok(_) => panic!("{name} loaded"),
                Err(e) => assert!(e.to_string().contains(what), "{name}: {e}"),
            }
            std::fs::remove_dir_all(path.parent().unwrap()).ok();
        };
        // A further column claimed by a numeric feature, or by no feature.
        let mut bad = binned.clone();
        bad.codes.mapper.extra = vec![0];
        refused(&bad, "extra_numeric.lkbin", "no categorical feature");
        let mut bad = binned.clone();
        bad.codes.mapper.extra = vec![9];
        refused(&bad, "extra_none.lkbin", "no categorical feature");
        // Categories out of order; a numbering for a numeric column.
        let mut bad = binned.clone();
        if let Some(Some(c)) = bad.codes.mapper.categories.get_mut(1) {
            c.swap(0, 1);
        }
        refused(&bad, "unsorted.lkbin", "ascending");
        let mut bad = binned.clone();
        bad.vocabularies[0].column = "x0".into();
        refused(&bad, "vocab.lkbin", "numbering");
        std::fs::remove_dir_all(path.parent().unwrap()).ok();
    }
}
