//! CSV loading: a header row, numeric feature columns, and an optional target column chosen by
//! name. The target may hold numbers (regression, or class labels) or strings (class labels).
//!
//! Every problem — a missing file, an empty file, a ragged row, a non-numeric or non-finite
//! cell, a missing target column — is an [`Error`] naming the file, the line and the column.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::dataset::{Dataset, Records};
use crate::error::{Error, Result};

/// A parsed CSV file: numeric features plus the raw target column, if one was named.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file it came from.
    pub path: PathBuf,
    /// Feature matrix (every column but the target).
    pub features: Array2<f64>,
    /// Feature column names, from the header.
    pub feature_names: Vec<String>,
    /// The target column, when one was asked for.
    pub target: Option<TargetColumn>,
}

/// The raw cells of the target column, with the file line of each.
#[derive(Debug, Clone)]
pub struct TargetColumn {
    /// The column's header name.
    pub name: String,
    /// The cells, trimmed.
    pub values: Vec<String>,
    /// One-based file line of each cell.
    pub lines: Vec<u64>,
}

fn parse_error(path: &Path, line: u64, column: Option<&str>, message: impl Into<String>) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line,
        column: column.map(shown),
        // Text quoted from the file in the message goes through `shown` where it is quoted.
        message: message.into(),
    }
}

/// Text from a file as an error message shows it: control characters (a newline inside a
/// quoted cell, say) escaped so the message stays on one line, and at most 40 characters.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a CSV file with a header row. Every column except `target` must be numeric and
/// finite.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("learnkit-csv-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("flowers.csv");
/// std::fs::write(&path, "length,width,kind\n1.0,0.5,a\n2.0,1.5,b\n").unwrap();
/// let data = learnkit::data::read_csv(&path, Some("kind"))?.classification()?;
/// assert_eq!(data.feature_names, ["length", "width"]);
/// assert_eq!(data.class_names, ["a", "b"]);
/// assert_eq!(data.targets.to_vec(), [0, 1]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn read_csv(path: impl AsRef<Path>, target: Option<&str>) -> Result<Table> {
    read(path.as_ref(), target, false)
}

/// Reads a CSV file as [`read_csv`] does, except that empty feature cells and `NaN` become
/// missing values (NaN) instead of errors — for the estimators that accept them (gradient
/// boosting). Infinite values and text are still errors; the target may not be missing.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("learnkit-missing-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("gaps.csv");
/// std::fs::write(&path, "a,b,y\n1.0,,0\nNaN,2.0,1\n").unwrap();
/// assert!(learnkit::data::read_csv(&path, Some("y")).is_err());
/// let table = learnkit::data::read_csv_allowing_missing(&path, Some("y"))?;
/// assert!(table.features[(0, 1)].is_nan() && table.features[(1, 0)].is_nan());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn read_csv_allowing_missing(path: impl AsRef<Path>, target: Option<&str>) -> Result<Table> {
    read(path.as_ref(), target, true)
}

/// A feature cell's value: `None` when it is not a number (or a missing value not allowed).
fn cell_value(cell: &str, allow_missing: bool) -> Option<f64> {
    if allow_missing && cell.is_empty() {
        return Some(f64::NAN);
    }
    let value: f64 = cell.parse().ok()?;
    (value.is_finite() || (allow_missing && value.is_nan())).then_some(value)
}

fn read(path: &Path, target: Option<&str>, allow_missing: bool) -> Result<Table> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));

    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(parse_error(
            path,
            1,
            None,
            "empty file: expected a header row",
        ));
    }
    // A nameless column cannot be chosen, shown or told apart; the usual source is a pandas
    // index written by `to_csv` without `index=False`, which a model should not learn from.
    if let Some(i) = headers.iter().position(String::is_empty) {
        return Err(parse_error(
            path,
            1,
            None,
            format!(
                "column {} has no name; every column needs one (a pandas index saved without \
                 `index=False` has none: drop it or name it)",
                i + 1
            ),
        ));
    }
    // Two columns with one name would make `--target NAME` ambiguous and could leak the target
    // into the features: refuse them, naming the name and both positions.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = seen.insert(h.as_str(), i) {
            return Err(parse_error(
                path,
                1,
                Some(h),
                format!(
                    "column name `{}` appears twice (columns {} and {}); column names must be unique",
                    shown(h),
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    let target_index = match target {
        None => None,
        Some(name) => Some(headers.iter().position(|h| h == name).ok_or_else(|| {
            parse_error(
                path,
                1,
                Some(name),
                format!(
                    "no target column named `{}`; the columns are {}{}",
                    shown(name),
                    headers
                        .iter()
                        .take(10)
                        .map(|h| shown(h))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if headers.len() > 10 {
                        format!(", … ({} columns)", headers.len())
                    } else {
                        String::new()
                    }
                ),
            )
        })?),
    };
    let feature_names: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != target_index)
        .map(|(_, h)| h.clone())
        .collect();

    // Large plain files (no quotes, one record per line) are parsed in parallel chunks; any
    // irregularity sends the whole file through the sequential reader below, which names the
    // exact line and column of the problem.
    if let Some(parsed) = read_parallel(path, headers.len(), target_index, allow_missing)? {
        return finish(path, &headers, feature_names, target_index, parsed);
    }
    let mut values = Vec::new();
    let mut targets = Vec::new();
    let mut lines = Vec::new();
    let mut n_rows = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let line = record.position().map_or(0, |p| p.line());
        for (i, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if Some(i) == target_index {
                if cell.is_empty() {
                    return Err(parse_error(
                        path,
                        line,
                        Some(&headers[i]),
                        "empty target cell",
                    ));
                }
                targets.push(cell.to_string());
                lines.push(line);
                continue;
            }
            if let Some(value) = cell_value(cell, allow_missing) {
                values.push(value);
                continue;
            }
            let value: f64 = cell.parse().map_err(|_| {
                parse_error(
                    path,
                    line,
                    Some(&headers[i]),
                    if cell.is_empty() {
                        "empty cell; expected a number (gradient boosting accepts missing values: --allow-missing)".to_string()
                    } else {
                        format!("`{}` is not a number", shown(cell))
                    },
                )
            })?;
            return Err(parse_error(
                path,
                line,
                Some(&headers[i]),
                if value.is_nan() {
                    format!(
                        "`{}` is a missing value; only gradient boosting accepts them \
                         (--allow-missing)",
                        shown(cell)
                    )
                } else {
                    format!("`{}` is not a finite number", shown(cell))
                },
            ));
        }
        n_rows += 1;
    }
    let parsed = (values, targets, lines, n_rows);
    finish(path, &headers, feature_names, target_index, parsed)
}

/// Builds the table from parsed rows.
fn finish(
    path: &Path,
    headers: &[String],
    feature_names: Vec<String>,
    target_index: Option<usize>,
    (values, targets, lines, n_rows): Parsed,
) -> Result<Table> {
    if n_rows == 0 {
        return Err(Error::EmptyData(format!(
            "{}: the header is not followed by any data row",
            path.display()
        )));
    }
    let features = Array2::from_shape_vec((n_rows, feature_names.len()), values)
        .map_err(|e| parse_error(path, 1, None, e.to_string()))?;
    Ok(Table {
        path: path.to_path_buf(),
        features,
        feature_names,
        target: target_index.map(|i| TargetColumn {
            name: headers[i].clone(),
            values: targets,
            lines,
        }),
    })
}

/// Files smaller than this are read sequentially (parallel chunks would not pay off).
const PARALLEL_MIN_BYTES: u64 = 8 << 20;
/// Bytes per parallel chunk (cut back to the last newline).
const CHUNK_BYTES: usize = 4 << 20;

/// Rows parsed from one chunk: values, target cells, their line numbers, row count.
type Parsed = (Vec<f64>, Vec<String>, Vec<u64>, usize);

/// Parses the data rows of a large CSV file in parallel chunks of whole lines. Returns
/// `Ok(None)` — and the caller falls back to the sequential reader — for a small file, a line
/// longer than a chunk, a blank line, a quote or lone carriage return in a label, or any cell
/// the sequential reader would reject (so every error message comes from one place).
fn read_parallel(
    path: &Path,
    n_columns: usize,
    target: Option<usize>,
    allow_missing: bool,
) -> Result<Option<Parsed>> {
    use rayon::prelude::*;
    use std::io::Read as _;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size < PARALLEL_MIN_BYTES {
        return Ok(None);
    }
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut pending: Vec<u8> = Vec::new();
    // Skip the header line.
    let mut header_done = false;
    let mut line = 2u64;
    let mut out: Parsed = (Vec::new(), Vec::new(), Vec::new(), 0);
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut eof = false;
    while !eof {
        // Read up to `batch` chunks of whole lines.
        let mut chunks: Vec<Vec<u8>> = Vec::with_capacity(batch);
        while chunks.len() < batch && !eof {
            let mut buf = std::mem::take(&mut pending);
            let start = buf.len();
            buf.resize(start + CHUNK_BYTES, 0);
            let mut filled = start;
            while filled < buf.len() {
                let got = file
                    .read(&mut buf[filled..])
                    .map_err(|e| Error::io(path, e))?;
                if got == 0 {
                    eof = true;
                    break;
                }
                filled += got;
            }
            buf.truncate(filled);
            if !header_done {
                match buf.iter().position(|&b| b == b'\n') {
                    Some(p) => {
                        buf.drain(..=p);
                        header_done = true;
                    }
                    None => return Ok(None),
                }
            }
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    None => return Ok(None), // a line longer than a chunk
                }
            };
            pending = buf.split_off(cut);
            chunks.push(buf);
        }
        // Chunks are parsed in parallel with line numbers counted from 0; the merge below adds
        // each chunk's first line (records are lines: a blank line sends the file to the
        // sequential reader).
        let parsed: Vec<Option<Parsed>> = chunks
            .par_iter()
            .map(|bytes| parse_chunk(bytes, n_columns, target, allow_missing))
            .collect();
        if out.0.is_empty() {
            // Reserve for the whole file from the first batch's values per byte, so the value
            // vector is not copied as it grows (a 400 MB file would otherwise be copied ~twice).
            let (bytes, values): (usize, usize) = chunks
                .iter()
                .zip(&parsed)
                .filter_map(|(b, p)| p.as_ref().map(|p| (b.len(), p.0.len())))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            if bytes > 0 {
                let estimate = (values as f64 * size as f64 / bytes as f64 * 1.02) as usize;
                // Every value takes at least two bytes (a digit and a separator).
                out.0.reserve(estimate.min(size as usize / 2 + 16));
            }
        }
        for p in parsed {
            let Some((values, targets, lines, rows)) = p else {
                return Ok(None);
            };
            out.0.extend(values);
            out.1.extend(targets);
            out.2.extend(lines.into_iter().map(|k| line + k));
            out.3 += rows;
            line += rows as u64;
        }
    }
    Ok(Some(out))
}

/// Parses whole lines of plain CSV (no quotes), the target cells' line numbers counted from 0
/// within the chunk; `None` on anything irregular.
fn parse_chunk(
    bytes: &[u8],
    n_columns: usize,
    target: Option<usize>,
    allow_missing: bool,
) -> Option<Parsed> {
    let (mut values, mut targets, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    let text = std::str::from_utf8(bytes).ok()?;
    for (k, record) in text.split_terminator('\n').enumerate() {
        let mut n = 0;
        for (i, cell) in record.split(',').enumerate() {
            n += 1;
            let cell = cell.trim();
            if Some(i) == target {
                if cell.is_empty() || cell.contains(['"', '\r']) {
                    return None;
                }
                targets.push(cell.to_string());
                lines.push(k as u64);
                continue;
            }
            values.push(cell_value(cell, allow_missing)?);
        }
        if n != n_columns {
            return None;
        }
        rows += 1;
    }
    Some((values, targets, lines, rows))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(1, |p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => parse_error(
            path,
            line,
            None,
            format!("ragged row: {len} fields where the header has {expected_len}"),
        ),
        csv::ErrorKind::Io(_) => parse_error(path, line, None, e.to_string()),
        _ => parse_error(path, line, None, e.to_string()),
    }
}

/// The label a numeric cell stands for: the number written the shortest way (`1`, `1.0` and
/// `1e0` are all `1`; `-0` is `0`), so numeric class labels compare as numbers.
fn numeric_label(cell: &str) -> Option<String> {
    let v: f64 = cell.parse().ok()?;
    v.is_finite().then(|| format!("{}", v + 0.0))
}

/// Distinct cells up to which a short list is searched rather than a hash map.
const FEW_CELLS: usize = 32;

/// The distinct cells of `values`, in order of first appearance. A class column holds few: they
/// are looked up in a short list (a million cells cost a few milliseconds), and in a hash set
/// only past [`FEW_CELLS`] of them.
fn distinct(values: &[String]) -> Vec<&str> {
    let mut few: Vec<&str> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !few.contains(&v.as_str()) {
            few.push(v);
            if few.len() > FEW_CELLS {
                let mut seen: std::collections::HashSet<&str> = few.iter().copied().collect();
                few.extend(
                    values[i + 1..]
                        .iter()
                        .map(String::as_str)
                        .filter(|v| seen.insert(v)),
                );
                break;
            }
        }
    }
    few
}

/// The distinct labels sorted as scikit-learn's `np.unique` would: numerically when every label
/// is a number (and then compared as numbers: `1` and `1.0` are one class, named `1`),
/// otherwise as strings.
fn sorted_labels(values: &[String]) -> Vec<String> {
    let unique: BTreeSet<&str> = distinct(values).into_iter().collect();
    let numeric: Option<Vec<(f64, String)>> = unique
        .iter()
        .map(|l| numeric_label(l).and_then(|c| Some((c.parse::<f64>().ok()?, c))))
        .collect();
    match numeric {
        Some(mut pairs) => {
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            pairs.dedup_by(|a, b| a.1 == b.1);
            pairs.into_iter().map(|(_, l)| l).collect()
        }
        None => unique.into_iter().map(str::to_string).collect(),
    }
}

/// A table's features, their names and its target's name, for a dataset.
struct Parts {
    features: Array2<f64>,
    feature_names: Vec<String>,
    target_name: Option<String>,
}

impl Parts {
    /// `data` (built from the features) with the feature and target names.
    fn named<T: Clone>(
        data: Dataset<T>,
        feature_names: Vec<String>,
        target_name: Option<String>,
    ) -> Result<Dataset<T>> {
        let data = data.with_feature_names(feature_names)?;
        Ok(match target_name {
            Some(name) => data.with_target_name(name),
            None => data,
        })
    }

    fn classes(self, targets: Array1<usize>, classes: &[String]) -> Result<Dataset<usize>> {
        let data = Dataset::classification(self.features, targets, classes.to_vec())?;
        Self::named(data, self.feature_names, self.target_name)
    }

    fn values(self, targets: Array1<f64>) -> Result<Dataset<f64>> {
        let data = Dataset::new(self.features, targets)?;
        Self::named(data, self.feature_names, self.target_name)
    }
}

impl Table {
    fn target_column(&self) -> Result<&TargetColumn> {
        self.target.as_ref().ok_or_else(|| {
            parse_error(
                &self.path,
                1,
                None,
                "no target column was chosen; pass the target column's name",
            )
        })
    }

    /// The features only, for unsupervised learning, moved out of the table (no copy).
    pub fn into_records(self) -> Records {
        Records {
            records: self.features,
            feature_names: self.feature_names,
        }
    }

    /// The features only, for unsupervised learning.
    pub fn records(&self) -> Records {
        Records {
            records: self.features.clone(),
            feature_names: self.feature_names.clone(),
        }
    }

    /// A classification dataset; classes are the distinct target values, sorted (numerically
    /// when all are numbers).
    pub fn classification(&self) -> Result<Dataset<usize>> {
        let column = self.target_column()?;
        let classes = sorted_labels(&column.values);
        self.classification_with(&classes)
    }

    /// A classification dataset using a known class list (the training set's), so a test file
    /// maps labels to the same indices. A label outside `classes` is an
    /// [`Error::Parse`] naming the line.
    pub fn classification_with(&self, classes: &[String]) -> Result<Dataset<usize>> {
        let targets = self.class_targets(classes)?;
        self.clone_parts().classes(targets, classes)
    }

    /// [`Table::classification`], moving the features out of the table instead of copying
    /// them (a million rows of 20 features: 160 MB not copied).
    pub fn into_classification(self) -> Result<Dataset<usize>> {
        let classes = sorted_labels(&self.target_column()?.values);
        self.into_classification_with(&classes)
    }

    /// [`Table::classification_with`], moving the features out of the table.
    pub fn into_classification_with(self, classes: &[String]) -> Result<Dataset<usize>> {
        let targets = self.class_targets(classes)?;
        self.into_parts().classes(targets, classes)
    }

    /// [`Table::regression`], moving the features out of the table.
    pub fn into_regression(self) -> Result<Dataset<f64>> {
        let targets = self.real_targets()?;
        self.into_parts().values(targets)
    }

    /// Copies of the features, their names and the target's name.
    fn clone_parts(&self) -> Parts {
        Parts {
            features: self.features.clone(),
            feature_names: self.feature_names.clone(),
            target_name: self.target.as_ref().map(|t| t.name.clone()),
        }
    }

    /// The features, their names and the target's name, moved out.
    fn into_parts(self) -> Parts {
        Parts {
            features: self.features,
            feature_names: self.feature_names,
            target_name: self.target.map(|t| t.name),
        }
    }

    /// The class index of every target cell (an error names the line of an unknown label).
    fn class_targets(&self, classes: &[String]) -> Result<Array1<usize>> {
        let column = self.target_column()?;
        // Numeric classes match numeric cells by value; a memo keeps this one lookup per
        // distinct cell text.
        let numeric = !classes.is_empty() && classes.iter().all(|c| numeric_label(c).is_some());
        let class_of = |value: &str| {
            let key = if numeric { numeric_label(value) } else { None };
            let key = key.as_deref().unwrap_or(value);
            classes.iter().position(|c| c == key)
        };
        // Each distinct cell text is looked up once; a few are then found in a short list,
        // more in a hash map.
        let known: Vec<(&str, Option<usize>)> = distinct(&column.values)
            .into_iter()
            .map(|v| (v, class_of(v)))
            .collect();
        let many = known.len() > FEW_CELLS;
        let memo: std::collections::HashMap<&str, Option<usize>> = match many {
            true => known.iter().copied().collect(),
            false => Default::default(),
        };
        let mut targets = Vec::with_capacity(column.values.len());
        for (value, &line) in column.values.iter().zip(&column.lines) {
            let class = match many {
                false => known.iter().find(|(v, _)| *v == value).map(|&(_, c)| c),
                true => memo.get(value.as_str()).copied(),
            }
            .flatten();
            match class {
                Some(i) => targets.push(i),
                None => {
                    return Err(parse_error(
                        &self.path,
                        line,
                        Some(&column.name),
                        format!(
                            "unknown label `{}`; the known classes are {}",
                            shown(value),
                            classes
                                .iter()
                                .map(|c| shown(c))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(Array1::from(targets))
    }

    /// A regression dataset; every target cell must be a finite number.
    pub fn regression(&self) -> Result<Dataset<f64>> {
        let targets = self.real_targets()?;
        self.clone_parts().values(targets)
    }

    /// Every target cell as a finite number (an error names the line of any other).
    fn real_targets(&self) -> Result<Array1<f64>> {
        let column = self.target_column()?;
        let mut targets = Vec::with_capacity(column.values.len());
        for (value, &line) in column.values.iter().zip(&column.lines) {
            match value.parse::<f64>() {
                Ok(v) if v.is_finite() => targets.push(v),
                _ => {
                    return Err(parse_error(
                        &self.path,
                        line,
                        Some(&column.name),
                        format!(
                            "`{}` is not a finite number (a regression target must be)",
                            shown(value)
                        ),
                    ))
                }
            }
        }
        Ok(Array1::from(targets))
    }

    /// True when every target cell is a number with a fractional part or there are many distinct
    /// values — a hint that the target is a regression target (used by `--task auto`).
    pub fn target_looks_continuous(&self) -> bool {
        let Some(column) = &self.target else {
            return false;
        };
        // Few distinct cells (a class column) are checked once each; past 20 it is regression
        // if every cell is a number.
        let cells = distinct(&column.values);
        let nums: Option<Vec<f64>> = match cells.len() > 20 {
            false => cells.iter().map(|v| v.parse().ok()).collect(),
            true => column.values.iter().map(|v| v.parse().ok()).collect(),
        };
        match nums {
            None => false,
            Some(nums) => {
                let distinct: BTreeSet<u64> = nums.iter().map(|v| v.to_bits()).collect();
                nums.iter().any(|v| v.fract() != 0.0) || distinct.len() > 20
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    /// A file large enough for the parallel path: row i holds i, i/7, …; label i % 3.
    fn big_file(dir: &Path, rows: usize, bad_row: Option<usize>) -> PathBuf {
        let path = dir.join("big.csv");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "a,b,c,label").unwrap();
        for i in 0..rows {
            if Some(i) == bad_row {
                writeln!(w, "{i},oops,1,0").unwrap();
            } else {
                writeln!(w, "{i},{},{},{}", i as f64 / 7.0, -(i as f64) * 1e-3, i % 3).unwrap();
            }
        }
        w.flush().unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > PARALLEL_MIN_BYTES);
        path
    }

    /// A table whose target column holds `labels` (one feature, the row number).
    fn labelled(dir: &Path, labels: &[String]) -> Table {
        let path = dir.join("labels.csv");
        let mut text = String::from("x,y\n");
        for (i, l) in labels.iter().enumerate() {
            text.push_str(&format!("{i},{l}\n"));
        }
        std::fs::write(&path, text).unwrap();
        read_csv(&path, Some("y")).unwrap()
    }

    #[test]
    fn moving_a_table_into_a_dataset_equals_copying_it() {
        let dir = tempfile::tempdir().unwrap();
        // Few classes (the short list) and many (past 32: the hash set), numeric and not.
        let few: Vec<String> = (0..500)
            .map(|i| ["b", "a", "c"][i % 3].to_string())
            .collect();
        let many: Vec<String> = (0..500).map(|i| format!("{}", (i * 37) % 50)).collect();
        for labels in [few, many] {
            let table = labelled(dir.path(), &labels);
            let copied = table.classification().unwrap();
            let distinct: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
            assert_eq!(copied.class_names.len(), distinct.len());
            let copied_reg = table.regression().ok();
            assert_eq!(table.target_looks_continuous(), distinct.len() > 20);
            let moved = labelled(dir.path(), &labels).into_classification().unwrap();
            assert_eq!(copied, moved);
            for (i, &t) in moved.targets.iter().enumerate() {
                assert_eq!(moved.class_names[t], labels[i], "row {i}");
            }
            let moved_reg = labelled(dir.path(), &labels).into_regression().ok();
            assert_eq!(copied_reg, moved_reg);
        }
        // Numeric classes sort as numbers: 2 before 10.
        let numbers: Vec<String> = ["10", "2", "10", "2.0"].map(String::from).to_vec();
        let data = labelled(dir.path(), &numbers)
            .into_classification()
            .unwrap();
        assert_eq!(data.class_names, ["2", "10"]);
        assert_eq!(data.targets.to_vec(), [1, 0, 1, 0]);
    }

    #[test]
    fn large_files_parse_in_parallel_chunks_with_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 400_000;
        let path = big_file(dir.path(), rows, None);
        assert!(read_parallel(&path, 4, Some(3), false).unwrap().is_some());
        let table = read_csv(&path, Some("label")).unwrap();
        assert_eq!(table.features.dim(), (rows, 3));
        for i in [0, 1, 123_456, rows - 1] {
            assert_eq!(table.features[(i, 0)], i as f64);
            assert_eq!(table.features[(i, 1)], i as f64 / 7.0);
            assert_eq!(table.features[(i, 2)], -(i as f64) * 1e-3);
        }
        let target = table.target.unwrap();
        assert_eq!(target.values[rows - 1], ((rows - 1) % 3).to_string());
        // Line numbers count the header as line 1.
        assert_eq!(target.lines[0], 2);
        assert_eq!(target.lines[rows - 1], rows as u64 + 1);
    }

    #[test]
    fn windows_line_endings_and_quoted_labels_give_the_sequential_result() {
        let dir = tempfile::tempdir().unwrap();
        let path = big_file(dir.path(), 400_000, None);
        let lf = read_csv(&path, Some("label")).unwrap();
        // CRLF: the parallel path trims the carriage return like the csv reader.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        let crlf = read_csv(&path, Some("label")).unwrap();
        assert_eq!(crlf.features, lf.features);
        let (a, b) = (crlf.target.unwrap(), lf.target.clone().unwrap());
        assert_eq!((a.values, a.lines), (b.values, b.lines));
        // A quoted label: the sequential reader unquotes it.
        let quoted = text.replacen(",0\n", ",\"0\"\n", 1);
        std::fs::write(&path, quoted).unwrap();
        let table = read_csv(&path, Some("label")).unwrap();
        assert_eq!(table.target.unwrap().values, lf.target.unwrap().values);
    }

    #[test]
    fn an_error_deep_in_a_large_file_names_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = big_file(dir.path(), 400_000, Some(300_000));
        match read_csv(&path, Some("label")).unwrap_err() {
            Error::Parse { line, column, .. } => {
                assert_eq!(line, 300_002);
                assert_eq!(column.as_deref(), Some("b"));
            }
            other => panic!("{other}"),
        }
    }
}
