//! CSV loading: a header row, numeric feature columns, and an optional target column chosen by
//! name. The target may hold numbers (regression, or class labels) or strings (class labels).
//!
//! Every problem — a missing file, an empty file, a ragged row, a non-numeric or non-finite
//! cell, a missing target column — is an [`Error`] naming the file, the line and the column.
//!
//! The reader is split by concern: `sequential` (the csv crate's reader, the one source of
//! error messages), `parallel` (plain files of 8 MB and more, parsed in chunks of whole lines,
//! falling back to the sequential reader on anything irregular) and `table` (a parsed table
//! becoming a classification or regression dataset).

use std::path::{Path, PathBuf};

use ndarray::Array2;

use crate::error::{Error, Result};

mod parallel;
mod sequential;
mod table;
pub(crate) use table::{cells_look_continuous, class_map};

use sequential::read;

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
    /// The numbering of each text feature column (Parquet and Arrow files): such a column is a
    /// categorical feature whose values are the places of its texts in its vocabulary.
    pub vocabularies: Vec<Vocabulary>,
}

/// How a categorical text column's values are numbered: text `words[i]` of column `column` is
/// category `i`, in the order the training file first shows them. A text missing from the
/// list (met in a test file) is category `words.len()`, which no split sends left.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Vocabulary {
    /// The column's name.
    pub column: String,
    /// The texts, by category number.
    pub words: Vec<String>,
}

impl Table {
    /// The positions (among the features) of the columns that are categorical: the text
    /// columns, then those named in `named` (an error names one the table does not have as a
    /// feature).
    pub fn categorical_features(&self, named: &[String]) -> crate::error::Result<Vec<usize>> {
        categorical_positions(&self.feature_names, &self.vocabularies, named)
    }
}

/// The positions in `features` of the text columns of `vocabularies` and of the columns
/// `named`, ascending, each once (an error names a column that is not among `features`).
pub fn categorical_positions(
    features: &[String],
    vocabularies: &[Vocabulary],
    named: &[String],
) -> crate::error::Result<Vec<usize>> {
    let mut positions = Vec::new();
    for name in vocabularies.iter().map(|v| &v.column).chain(named) {
        let Some(f) = features.iter().position(|n| n == name) else {
            return Err(Error::invalid(
                "categorical",
                shown(name),
                format!(
                    "is not a feature column; the features are {}",
                    shown_up_to(&features.join(", "), 200)
                ),
            ));
        };
        if !positions.contains(&f) {
            positions.push(f);
        }
    }
    positions.sort_unstable();
    Ok(positions)
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

pub(crate) fn parse_error(
    path: &Path,
    line: u64,
    column: Option<&str>,
    message: impl Into<String>,
) -> Error {
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
///
/// ```
/// assert_eq!(learnkit::data::shown("a\nb"), "a\\nb");
/// assert_eq!(learnkit::data::shown(&"x".repeat(50)).chars().count(), 41);
/// ```
pub fn shown(text: &str) -> String {
    shown_up_to(text, 40)
}

/// [`shown`] with room for `limit` characters.
pub fn shown_up_to(text: &str, limit: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == limit {
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
    read(path.as_ref(), target, &[], false)
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
    read(path.as_ref(), target, &[], true)
}

/// Reads a CSV file as [`read_csv`] (or, with `allow_missing`, [`read_csv_allowing_missing`])
/// does, leaving out the columns named in `ignored` entirely: they are not features and their
/// cells are not checked. For predicting with a model from a file that holds more columns than
/// the model reads.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("learnkit-ignore-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("more.csv");
/// std::fs::write(&path, "id,a,note,b\nx1,1.0,ok,2.0\nx2,3.0,bad,4.0\n").unwrap();
/// let ignored = ["id".to_string(), "note".to_string()];
/// let table = learnkit::data::read_csv_ignoring(&path, None, &ignored, false)?;
/// assert_eq!(table.feature_names, ["a", "b"]);
/// assert_eq!(table.features.row(1).to_vec(), [3.0, 4.0]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn read_csv_ignoring(
    path: impl AsRef<Path>,
    target: Option<&str>,
    ignored: &[String],
    allow_missing: bool,
) -> Result<Table> {
    read(path.as_ref(), target, ignored, allow_missing)
}

/// The column names of a CSV file's header row (trimmed), without reading the rest.
pub fn read_csv_header(path: impl AsRef<Path>) -> Result<Vec<String>> {
    let path = path.as_ref();
    crate::persist::require_regular_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    Ok(reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// Checks a header (CSV's first row, or a Parquet/Arrow schema's field names): a name for every
/// column, no name twice, and the target, when one is named, among them. Returns the target's
/// position.
pub(crate) fn check_headers(
    path: &Path,
    headers: &[String],
    target: Option<&str>,
) -> Result<Option<usize>> {
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
    Ok(match target {
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
    })
}

/// A feature cell's value: `None` when it is not a number (or a missing value not allowed).
fn cell_value(cell: &str, allow_missing: bool) -> Option<f64> {
    if allow_missing && cell.is_empty() {
        return Some(f64::NAN);
    }
    let value: f64 = cell.parse().ok()?;
    (value.is_finite() || (allow_missing && value.is_nan())).then_some(value)
}

/// Reads a plain CSV file of at least [`parallel::PARALLEL_MIN_BYTES`] batch by batch without
/// keeping its rows (as [`crate::data::stream`] reads Parquet): `each` gets every batch in order.
/// `Ok(None)` — before or after some batches — when the file is small or not plain (quotes,
/// blank lines, ragged rows, a bad cell): the caller then reads it as a table, whose errors name
/// the line. The rows are counted first (a pass over the bytes) and returned with the names.
pub(crate) fn stream(
    path: &Path,
    target: &str,
    allow_missing: bool,
    each: &mut dyn FnMut(super::Batch<'_>) -> Result<()>,
) -> Result<Option<super::Streamed>> {
    let meta = crate::persist::require_regular_file(path)?;
    if meta.len() < parallel::PARALLEL_MIN_BYTES {
        return Ok(None);
    }
    let headers = read_csv_header(path)?;
    let Some(t) = check_headers(path, &headers, Some(target))? else {
        return Ok(None);
    };
    let feature_names: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != t)
        .map(|(_, h)| h.clone())
        .collect();
    let mut rows = 0usize;
    let regular = parallel::for_each_batch(
        path,
        headers.len(),
        Some(t),
        allow_missing,
        &mut |(values, targets, _, n), _| {
            each(super::Batch {
                first_row: rows,
                values: &values,
                targets: &targets,
            })?;
            rows += n;
            Ok(())
        },
    )?;
    Ok(regular.then(|| super::Streamed {
        feature_names,
        target_name: target.to_string(),
        rows,
        vocabularies: Vec::new(),
    }))
}

/// The data rows a CSV file's lines promise (see [`stream`]).
pub(crate) fn count_rows(path: &Path) -> Result<usize> {
    parallel::count_data_lines(path)
}

/// Rows parsed from one chunk: values, target cells, their line numbers, row count.
type Parsed = (Vec<f64>, Vec<String>, Vec<u64>, usize);

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
        vocabularies: Vec::new(),
    })
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

#[cfg(test)]
mod tests {
    use super::parallel::{read_parallel, PARALLEL_MIN_BYTES};
    use super::*;
    use std::collections::BTreeSet;
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

    #[test]
    fn a_plain_csv_file_streams_in_batches_that_join_into_its_table() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 400_000;
        let path = big_file(dir.path(), rows, None);
        assert_eq!(count_rows(&path).unwrap(), rows);
        let table = read_csv(&path, Some("label")).unwrap();
        let (mut values, mut targets, mut batches) = (Vec::new(), Vec::new(), 0);
        // One thread reads two 4 MB chunks per batch: this 16 MB file takes several batches.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let streamed = pool
            .install(|| {
                stream(&path, "label", false, &mut |batch| {
                    assert_eq!(batch.first_row * 3, values.len());
                    values.extend_from_slice(batch.values);
                    targets.extend_from_slice(batch.targets);
                    batches += 1;
                    Ok(())
                })
            })
            .unwrap()
            .expect("a plain file streams");
        assert!(batches > 1, "{batches} batches");
        assert_eq!(streamed.rows, rows);
        assert_eq!(streamed.feature_names, ["a", "b", "c"]);
        assert_eq!(values, table.features.as_slice().unwrap());
        assert_eq!(targets, table.target.unwrap().values);
        // A bad cell: not streamed (the table reader then names its line).
        let path = big_file(dir.path(), rows, Some(rows - 10));
        assert!(stream(&path, "label", false, &mut |_| Ok(()))
            .unwrap()
            .is_none());
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
