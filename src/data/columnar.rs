//! Columnar input (feature `columnar`): Parquet files and Arrow IPC files (`.arrow`, `.feather`)
//! read into the same [`Table`] a CSV file gives, and Arrow [`RecordBatch`]es from memory.
//!
//! Numeric and boolean columns are features (booleans as 0 and 1); the target may be of any
//! type Arrow can write as text (strings, dictionaries, integers, floats, booleans) and keeps its
//! spelling. A null feature cell is a missing value where the reader allows them (gradient
//! boosting), otherwise an error naming the column and row, as a NaN or infinite value is.
//! String and dictionary feature columns — categorical features — are refused, naming the
//! column, until the tree learner splits on categories. Only the columns read are decoded.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use ndarray::Array2;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use super::csv::{check_headers, parse_error, shown_up_to, Table, TargetColumn, Vocabulary};
use super::output::Column;
use super::{Batch, Streamed};
use crate::error::{Error, Result};

/// Rows per decoded batch.
const BATCH_ROWS: usize = 8 * 1024;

/// Rows reserved up front from a file's own count (a crafted count must not size memory; the
/// table grows with the rows actually decoded beyond it).
const RESERVED_ROWS: usize = 1 << 20;

/// The kinds of file [`super::read_table`] tells apart by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header row (any other extension).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// Arrow IPC file, also known as Feather v2 (`.arrow`, `.feather`, `.ipc`).
    ArrowIpc,
}

impl Format {
    /// The format a path's extension names (case-insensitive); CSV for anything else.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("parquet" | "pq") => Format::Parquet,
            Some("arrow" | "feather" | "ipc") => Format::ArrowIpc,
            _ => Format::Csv,
        }
    }
}

/// An error from the Arrow or Parquet decoder, on one line.
fn decode_error(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    parse_error(
        path,
        1,
        None,
        format!(
            "not a readable {what} file: {}",
            shown_up_to(&e.to_string(), 160)
        ),
    )
}

/// The Arrow IPC decoder's error, or for a Feather version 1 file (which it cannot read) what to
/// do instead.
fn ipc_error(path: &Path, e: impl std::fmt::Display) -> Error {
    use std::io::Read as _;
    let mut magic = [0u8; 4];
    let v1 = File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"FEA1";
    if v1 {
        return parse_error(
            path,
            1,
            None,
            "a Feather version 1 file, which is not read: write version 2, the Arrow IPC file \
             (pyarrow.feather.write_feather's default)",
        );
    }
    decode_error(path, "Arrow IPC", e)
}

/// An error about one cell: the column and the one-based row.
fn cell_error(path: &Path, column: &str, row: usize, message: impl Into<String>) -> Error {
    parse_error(
        path,
        row as u64 + 1,
        Some(column),
        format!("row {}: {}", row + 1, message.into()),
    )
}

/// Turns record batches of one schema into a [`Table`].
struct Collector<'a> {
    path: &'a Path,
    names: Vec<String>,
    target_index: Option<usize>,
    /// Positions (in the schema) of the feature columns, in order.
    features: Vec<usize>,
    /// Positions of the columns read (features and target), ascending: a projection's order.
    read: Vec<usize>,
    allow_missing: bool,
    values: Vec<f64>,
    targets: Vec<String>,
    rows: usize,
    /// Keeps only the last batch (for [`stream`]), not every row.
    streaming: bool,
    /// For each feature, the numbering of its texts if it is a text column.
    numbering: Vec<Option<Numbering>>,
}

/// Numbers a text column's values as categories: known texts by their place in the
/// vocabulary; new ones are added in the order they appear (training), or, with a vocabulary
/// given (a test file), are all the unseen category `words.len()`.
struct Numbering {
    column: String,
    index: std::collections::HashMap<String, u32>,
    words: Vec<String>,
    grows: bool,
}

impl Numbering {
    fn new(column: &str, known: Option<&Vocabulary>) -> Self {
        let words = known.map(|v| v.words.clone()).unwrap_or_default();
        Self {
            column: column.to_string(),
            index: words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.clone(), i as u32))
                .collect(),
            words,
            grows: known.is_none(),
        }
    }

    fn code(&mut self, text: &str) -> f64 {
        if let Some(&c) = self.index.get(text) {
            return f64::from(c);
        }
        let c = self.words.len();
        if self.grows && c < u32::MAX as usize {
            self.index.insert(text.to_string(), c as u32);
            self.words.push(text.to_string());
        }
        c as f64
    }

    /// The categories of a text column's cells (NaN for a null).
    fn number(&mut self, array: &ArrayRef) -> std::result::Result<ArrayRef, String> {
        let n = array.len();
        let mut out = Vec::with_capacity(n);
        if let Some(dict) = array.as_any_dictionary_opt() {
            // Each dictionary entry numbered once, when a row first uses it.
            let values =
                arrow_cast::cast(dict.values(), &DataType::Utf8).map_err(|e| e.to_string())?;
            let values = values.as_string::<i32>();
            let keys = dict.normalized_keys();
            let nulls = array.logical_nulls();
            let mut cache: Vec<Option<f64>> = vec![None; values.len()];
            for (r, &k) in keys.iter().enumerate() {
                if nulls.as_ref().is_some_and(|b| b.is_null(r)) || k >= values.len() {
                    out.push(f64::NAN);
                    continue;
                }
                let code = match cache[k] {
                    Some(c) => c,
                    None => {
                        let c = if values.is_null(k) {
                            f64::NAN
                        } else {
                            self.code(values.value(k))
                        };
                        cache[k] = Some(c);
                        c
                    }
                };
                out.push(code);
            }
        } else {
            let text = arrow_cast::cast(array, &DataType::Utf8).map_err(|e| e.to_string())?;
            let text = text.as_string::<i32>();
            for r in 0..n {
                out.push(if text.is_null(r) {
                    f64::NAN
                } else {
                    self.code(text.value(r))
                });
            }
        }
        Ok(Arc::new(arrow_array::Float64Array::from(out)))
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary {
            column: self.column.clone(),
            words: self.words.clone(),
        }
    }
}

impl<'a> Collector<'a> {
    /// Checks the schema: names, the target, and a type every read column can be read as.
    #[allow(clippy::too_many_arguments)]
    fn new(
        path: &'a Path,
        schema: &Schema,
        target: Option<&str>,
        ignored: &[String],
        allow_missing: bool,
        expected_rows: usize,
        known: &[Vocabulary],
    ) -> Result<Self> {
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let target_index = check_headers(path, &names, target)?;
        let mut features = Vec::new();
        let mut numbering = Vec::new();
        for (i, field) in schema.fields().iter().enumerate() {
            if Some(i) == target_index || ignored.contains(field.name()) {
                continue;
            }
            let ty = field.data_type();
            let numeric = ty.is_numeric() || *ty == DataType::Boolean || *ty == DataType::Null;
            if is_text(ty) {
                // A text column is a categorical feature.
                let vocabulary = known.iter().find(|v| &v.column == field.name());
                numbering.push(Some(Numbering::new(field.name(), vocabulary)));
            } else if numeric {
                numbering.push(None);
            } else {
                let what = format!("has type {ty}, which is not a number");
                return Err(parse_error(path, 1, Some(field.name()), what));
            }
            features.push(i);
        }
        // The file's own row count sizes the table when the memory can be had (a fallible
        // reservation: a crafted count is refused by the allocator, never an abort, and
        // untouched reserved pages cost nothing); otherwise the table starts small and grows
        // with the rows actually decoded. Growing by doubling would copy the table several
        // times and hold two copies at once at ten million rows.
        let mut values = Vec::new();
        let reserve = match values.try_reserve_exact(expected_rows.saturating_mul(features.len())) {
            Ok(()) => expected_rows,
            Err(_) => {
                let rows = expected_rows.min(RESERVED_ROWS);
                values.reserve(rows * features.len());
                rows
            }
        };
        let mut targets = Vec::new();
        if target_index.is_some() && targets.try_reserve_exact(reserve).is_err() {
            targets.reserve(reserve.min(RESERVED_ROWS));
        }
        let mut read = features.clone();
        read.extend(target_index);
        read.sort_unstable();
        Ok(Collector {
            path,
            target_index,
            allow_missing,
            values,
            targets,
            read,
            features,
            names,
            rows: 0,
            streaming: false,
            numbering,
        })
    }

    /// The numbering of every text feature column so far.
    fn vocabularies(&self) -> Vec<Vocabulary> {
        self.numbering
            .iter()
            .flatten()
            .map(Numbering::vocabulary)
            .collect()
    }

    /// Appends a batch whose columns are the schema's (all of them, or the projected ones
    /// when `projected`: then the batch holds `Collector::read` in order).
    fn push(&mut self, batch: &RecordBatch, projected: bool) -> Result<()> {
        self.push_columns(batch.columns(), batch.num_rows(), projected)
    }

    /// [`Collector::push`] on a batch's columns (`batch`) of `n` rows.
    fn push_columns(&mut self, batch: &[ArrayRef], n: usize, projected: bool) -> Result<()> {
        let read = &self.read;
        let column = |i: usize| -> &ArrayRef {
            if projected {
                &batch[read.binary_search(&i).unwrap_or(0)]
            } else {
                &batch[i]
            }
        };
        if self.streaming {
            self.values.clear();
            self.targets.clear();
        }
        let (d, start) = (self.features.len(), self.values.len());
        let mut columns = Vec::with_capacity(d);
        for (j, &i) in self.features.iter().enumerate() {
            let cast = match &mut self.numbering[j] {
                Some(numbering) => numbering.number(column(i)),
                None => arrow_cast::cast(column(i), &DataType::Float64).map_err(|e| e.to_string()),
            }
            .map_err(|e| parse_error(self.path, 1, Some(&self.names[i]), e))?;
            columns.push(cast);
        }
        let columns: Vec<_> = columns
            .iter()
            .map(|c| {
                let floats = c.as_primitive::<Float64Type>();
                (floats.values().as_ref(), floats.nulls())
            })
            .collect();
        self.values.resize(start + n * d, 0.0);
        // Columns to rows, a block of rows at a time (the block's rows stay in cache while
        // every column is written into them), blocks in parallel: each writes its own rows.
        // The first bad cell in row order is reported, as a CSV file's first bad line is.
        const BLOCK: usize = 512;
        let allow_missing = self.allow_missing;
        let bad = self.values[start..]
            .par_chunks_mut(BLOCK * d.max(1))
            .enumerate()
            .filter_map(|(b, out)| {
                let first = b * BLOCK;
                let rows = out.len() / d.max(1);
                let mut bad: Option<(usize, usize, f64)> = None;
                for (j, (values, nulls)) in columns.iter().enumerate() {
                    for r in 0..rows {
                        let row = first + r;
                        let value = match nulls {
                            Some(nulls) if nulls.is_null(row) => f64::NAN,
                            _ => values[row],
                        };
                        let acceptable = value.is_finite() || (allow_missing && value.is_nan());
                        if !acceptable && bad.is_none_or(|(r0, j0, _)| (row, j) < (r0, j0)) {
                            bad = Some((row, j, value));
                        }
                        out[r * d + j] = value;
                    }
                }
                bad
            })
            .min_by_key(|&(row, j, _)| (row, j));
        if let Some((row, j, value)) = bad {
            let message = if value.is_nan() {
                "a missing value (null or NaN); only gradient boosting accepts them \
                 (--allow-missing)"
                    .to_string()
            } else {
                format!("`{value}` is not a finite number")
            };
            let name = &self.names[self.features[j]];
            return Err(cell_error(self.path, name, self.rows + row, message));
        }
        if let Some(t) = self.target_index {
            let name = &self.names[t];
            let text = arrow_cast::cast(column(t), &DataType::Utf8).map_err(|e| {
                parse_error(
                    self.path,
                    1,
                    Some(name),
                    format!("cannot be read as labels: {e}"),
                )
            })?;
            let text = text.as_string::<i32>();
            for r in 0..n {
                if text.is_null(r) {
                    return Err(cell_error(
                        self.path,
                        name,
                        self.rows + r,
                        "empty target cell",
                    ));
                }
                self.targets.push(text.value(r).trim().to_string());
            }
        }
        self.rows += n;
        Ok(())
    }

    /// The table of every row pushed.
    fn finish(self) -> Result<Table> {
        if self.rows == 0 {
            return Err(Error::EmptyData(format!(
                "{}: the file holds no rows",
                self.path.display()
            )));
        }
        let feature_names = self
            .features
            .iter()
            .map(|&i| self.names[i].clone())
            .collect();
        let features = Array2::from_shape_vec((self.rows, self.features.len()), self.values)
            .map_err(|e| parse_error(self.path, 1, None, e.to_string()))?;
        Ok(Table {
            path: self.path.to_path_buf(),
            features,
            feature_names,
            target: self.target_index.map(|t| TargetColumn {
                name: self.names[t].clone(),
                // Rows, one-based, where a CSV file has lines.
                lines: (1..=self.rows as u64).collect(),
                values: self.targets,
            }),
            vocabularies: self
                .numbering
                .iter()
                .flatten()
                .map(Numbering::vocabulary)
                .collect(),
        })
    }
}

/// Whether a column of this type holds text (a string or a dictionary of strings).
fn is_text(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

/// A Parquet or Arrow IPC file's schema, with a Parquet file's footer parsed once (its
/// decoding threads all share it).
struct Opened {
    metadata: Option<ArrowReaderMetadata>,
    schema: arrow_schema::SchemaRef,
}

impl Opened {
    /// Checks `path` is a regular file and reads its schema.
    fn new(path: &Path) -> Result<Opened> {
        crate::persist::require_regular_file(path)?;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        match Format::of(path) {
            Format::Parquet => {
                let metadata = ArrowReaderMetadata::load(&file, Default::default())
                    .map_err(|e| decode_error(path, "Parquet", e))?;
                let schema = metadata.schema().clone();
                Ok(Opened {
                    metadata: Some(metadata),
                    schema,
                })
            }
            Format::ArrowIpc => {
                let reader =
                    arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(file), None)
                        .map_err(|e| ipc_error(path, e))?;
                Ok(Opened {
                    metadata: None,
                    schema: reader.schema(),
                })
            }
            Format::Csv => Err(Error::invalid(
                "data",
                path.display(),
                "is not a Parquet or Arrow file",
            )),
        }
    }

    /// The rows a Parquet footer claims (`None` for Arrow IPC).
    fn claimed_rows(&self) -> Option<usize> {
        let metadata = self.metadata.as_ref()?;
        Some(usize::try_from(metadata.metadata().file_metadata().num_rows()).unwrap_or(0))
    }
}

/// Reads a Parquet or Arrow IPC file whole; see [`super::read_table`].
pub(super) fn read_file(
    path: &Path,
    target: Option<&str>,
    ignored: &[String],
    allow_missing: bool,
    known: &[Vocabulary],
) -> Result<Table> {
    let opened = Opened::new(path)?;
    let rows = opened.claimed_rows().unwrap_or(0);
    let schema = &opened.schema;
    let mut collector = Collector::new(path, schema, target, ignored, allow_missing, rows, known)?;
    match &opened.metadata {
        Some(metadata) => drive_parquet(path, metadata, &mut collector, &mut |_| Ok(()))?,
        None => drive_ipc(path, &mut collector, &mut |_| Ok(()))?,
    }
    collector.finish()
}

/// Decodes a Parquet file's batches into `collector`, calling `each` after every batch.
fn drive_parquet(
    path: &Path,
    metadata: &ArrowReaderMetadata,
    collector: &mut Collector<'_>,
    each: &mut dyn FnMut(&Collector<'_>) -> Result<()>,
) -> Result<()> {
    let open = || File::open(path).map_err(|e| Error::io(path, e));
    // The columns read are split between decoding threads (decompressing and decoding pages
    // is most of the work), each with its own reader over the same rows; the batches they give
    // are joined and turned into rows here, while they decode the next ones. A two-batch queue
    // per thread bounds what waits.
    let read = collector.read.clone();
    let threads = rayon::current_num_threads()
        .clamp(1, 4)
        .min(read.len().div_ceil(4))
        .max(1);
    let readers = read
        .chunks(read.len().div_ceil(threads))
        .map(|part| {
            let builder =
                ParquetRecordBatchReaderBuilder::new_with_metadata(open()?, metadata.clone());
            let mask = ProjectionMask::roots(builder.parquet_schema(), part.to_vec());
            builder
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| decode_error(path, "Parquet", e))
        })
        .collect::<Result<Vec<_>>>()?;
    std::thread::scope(|scope| {
        let mut queues = Vec::with_capacity(readers.len());
        for reader in readers {
            let (send, receive) = std::sync::mpsc::sync_channel(2);
            scope.spawn(move || {
                for batch in reader {
                    let failed = batch.is_err();
                    if send.send(batch).is_err() || failed {
                        break; // the collector stopped (an error), or the decoder did
                    }
                }
            });
            queues.push(receive);
        }
        loop {
            let batches: Vec<_> = queues.iter().map(|queue| queue.recv().ok()).collect();
            if batches.iter().all(Option::is_none) {
                return Ok(()); // every reader has finished
            }
            let unequal = || decode_error(path, "Parquet", "columns of unequal length");
            let mut columns: Vec<ArrayRef> = Vec::with_capacity(read.len());
            let mut rows = None;
            for batch in batches {
                let batch = batch
                    .ok_or_else(unequal)?
                    .map_err(|e| decode_error(path, "Parquet", e))?;
                if rows.is_some_and(|r| r != batch.num_rows()) {
                    return Err(unequal());
                }
                rows = Some(batch.num_rows());
                columns.extend(batch.columns().iter().cloned());
            }
            collector.push_columns(&columns, rows.unwrap_or(0), true)?;
            each(collector)?;
        }
    })
}

/// Decodes an Arrow IPC file's batches into `collector`, calling `each` after every batch.
fn drive_ipc(
    path: &Path,
    collector: &mut Collector<'_>,
    each: &mut dyn FnMut(&Collector<'_>) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = arrow_ipc::reader::FileReader::try_new(
        std::io::BufReader::new(file),
        Some(collector.read.clone()),
    )
    .map_err(|e| ipc_error(path, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| decode_error(path, "Arrow IPC", e))?;
        collector.push(&batch, true)?;
        each(collector)?;
    }
    Ok(())
}

/// The rows a Parquet or Arrow IPC file claims before they are read (its footer's count for
/// Parquet; for Arrow IPC, the batches' lengths, reading the target column alone). Used to
/// place samples; [`stream`] reports the rows it actually decoded.
pub(crate) fn count_rows(path: &Path, target: &str) -> Result<usize> {
    let opened = Opened::new(path)?;
    if let Some(rows) = opened.claimed_rows() {
        return Ok(rows);
    }
    let column = opened.schema.index_of(target).unwrap_or(0);
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader =
        arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(file), Some(vec![column]))
            .map_err(|e| ipc_error(path, e))?;
    let mut rows = 0usize;
    for batch in reader {
        rows += batch
            .map_err(|e| decode_error(path, "Arrow IPC", e))?
            .num_rows();
    }
    Ok(rows)
}

/// Reads a Parquet or Arrow IPC file batch by batch without keeping its rows: `each` gets
/// every batch, in order, checked as [`super::read_table`] checks cells (a bad cell is an error
/// naming its column and row). Memory stays at one batch whatever the file's size.
pub(crate) fn stream(
    path: &Path,
    target: &str,
    allow_missing: bool,
    known: &[Vocabulary],
    each: &mut dyn FnMut(Batch<'_>) -> Result<()>,
) -> Result<Streamed> {
    let Opened { metadata, schema } = Opened::new(path)?;
    let mut collector = Collector::new(path, &schema, Some(target), &[], allow_missing, 0, known)?;
    collector.streaming = true;
    let mut hand_over = |c: &Collector<'_>| {
        each(Batch {
            first_row: c.rows - c.targets.len(),
            values: &c.values,
            targets: &c.targets,
        })
    };
    match &metadata {
        Some(metadata) => drive_parquet(path, metadata, &mut collector, &mut hand_over)?,
        None => drive_ipc(path, &mut collector, &mut hand_over)?,
    }
    if collector.rows == 0 {
        return Err(Error::EmptyData(format!(
            "{}: the file holds no rows",
            path.display()
        )));
    }
    Ok(Streamed {
        feature_names: collector
            .features
            .iter()
            .map(|&i| collector.names[i].clone())
            .collect(),
        target_name: target.to_string(),
        rows: collector.rows,
        vocabularies: collector.vocabularies(),
    })
}

/// The column names of a Parquet or Arrow IPC file, from its schema alone.
pub(super) fn read_header(path: &Path) -> Result<Vec<String>> {
    let schema = Opened::new(path)?.schema;
    Ok(schema.fields().iter().map(|f| f.name().clone()).collect())
}

impl Table {
    /// A table from Arrow record batches in memory (all of one schema), as
    /// [`super::read_table`] reads a file: numeric and boolean columns are features, `target`
    /// (any type Arrow writes as text) the labels or values; `name` stands for the source in
    /// error messages. Nulls are missing values with `allow_missing`, errors otherwise.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{Float64Array, RecordBatch, StringArray};
    ///
    /// let batch = RecordBatch::try_from_iter([
    ///     ("length", Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])) as _),
    ///     ("kind", Arc::new(StringArray::from(vec!["a", "b", "a"])) as _),
    /// ]).unwrap();
    /// let table = learnkit::data::Table::from_record_batches("memory", &[batch], Some("kind"), false)?;
    /// let data = table.classification()?;
    /// assert_eq!(data.class_names, ["a", "b"]);
    /// assert_eq!(data.targets.to_vec(), [0, 1, 0]);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    pub fn from_record_batches(
        name: impl AsRef<Path>,
        batches: &[RecordBatch],
        target: Option<&str>,
        allow_missing: bool,
    ) -> Result<Table> {
        Table::from_record_batches_numbered(name, batches, target, allow_missing, &[])
    }

    /// [`Table::from_record_batches`], the text columns numbered by `known` first (the
    /// vocabularies of the table a model was trained on), as [`super::read_table_numbered`]
    /// numbers a file's: a text not in a known vocabulary is category `words.len()`.
    pub fn from_record_batches_numbered(
        name: impl AsRef<Path>,
        batches: &[RecordBatch],
        target: Option<&str>,
        allow_missing: bool,
        known: &[Vocabulary],
    ) -> Result<Table> {
        let path = name.as_ref();
        let Some(first) = batches.first() else {
            return Err(Error::EmptyData(format!(
                "{}: no record batches",
                path.display()
            )));
        };
        let schema = first.schema();
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        let mut collector = Collector::new(path, &schema, target, &[], allow_missing, rows, known)?;
        for batch in batches {
            if batch.schema().fields() != schema.fields() {
                return Err(Error::shape(
                    format!("record batches of {}", path.display()),
                    "one schema",
                    "batches with different columns",
                ));
            }
            collector.push(batch, false)?;
        }
        collector.finish()
    }
}

/// Writes named columns as Parquet (snappy) or an Arrow IPC file, atomically; see
/// [`super::write_table`].
pub(super) fn write(path: &Path, columns: &[(String, Column)], format: Format) -> Result<()> {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
    let arrays: Vec<(String, ArrayRef)> = columns
        .iter()
        .map(|(name, c)| {
            let array: ArrayRef = match c {
                Column::Text(v) => Arc::new(StringArray::from_iter_values(v)),
                Column::Float(v) => Arc::new(Float64Array::from(v.clone())),
                Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
            };
            (name.clone(), array)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(arrays)
        .map_err(|e| Error::invalid("columns", "given", shown_up_to(&e.to_string(), 160)))?;
    let schema = batch.schema();
    crate::persist::write_atomic(path, |w| {
        let io = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
        match format {
            Format::Parquet => {
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::SNAPPY)
                    .build();
                let mut writer = parquet::arrow::ArrowWriter::try_new(w, schema, Some(props))
                    .map_err(|e| io(&e))?;
                writer.write(&batch).map_err(|e| io(&e))?;
                writer.close().map_err(|e| io(&e))?;
            }
            _ => {
                let mut writer =
                    arrow_ipc::writer::FileWriter::try_new(w, &schema).map_err(|e| io(&e))?;
                writer.write(&batch).map_err(|e| io(&e))?;
                writer.finish().map_err(|e| io(&e))?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{BooleanArray, DictionaryArray, Float64Array, Int64Array, StringArray};

    fn batch(columns: Vec<(&str, Arc<dyn Array>)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    #[test]
    fn types_nulls_and_text_columns() {
        let ints: Arc<dyn Array> = Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]));
        let flags: Arc<dyn Array> = Arc::new(BooleanArray::from(vec![true, false, true]));
        let dict: Arc<dyn Array> = Arc::new(
            ["x", "y", "x"]
                .into_iter()
                .collect::<DictionaryArray<arrow_array::types::Int32Type>>(),
        );
        let b = batch(vec![
            ("i", ints.clone()),
            ("f", flags.clone()),
            ("y", dict.clone()),
        ]);
        let e = Table::from_record_batches("t", std::slice::from_ref(&b), Some("y"), false)
            .unwrap_err();
        assert!(
            e.to_string().contains("column i") && e.to_string().contains("row 2"),
            "{e}"
        );
        let t = Table::from_record_batches("t", &[b], Some("y"), true).unwrap();
        assert_eq!(t.features.row(0).to_vec(), [1.0, 1.0]);
        assert!(t.features[(1, 0)].is_nan());
        assert_eq!(t.target.unwrap().values, ["x", "y", "x"]);
        // A dictionary text feature is categorical: numbered by first appearance.
        let b = batch(vec![("i", ints), ("f", flags), ("s", dict)]);
        let t = Table::from_record_batches("t", &[b], None, true).unwrap();
        assert_eq!(t.features.column(2).to_vec(), [0.0, 1.0, 0.0]);
        assert_eq!(t.vocabularies[0].words, ["x", "y"]);
        assert_eq!(t.categorical_features(&[]).unwrap(), [2]);
        // A null label and an infinite feature name their row.
        let labels: Arc<dyn Array> = Arc::new(StringArray::from(vec![Some("a"), None]));
        let x: Arc<dyn Array> = Arc::new(Float64Array::from(vec![1.0, f64::INFINITY]));
        let e = Table::from_record_batches(
            "t",
            &[batch(vec![("x", x.clone()), ("y", labels)])],
            Some("y"),
            true,
        )
        .unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
        let e = Table::from_record_batches("t", &[batch(vec![("x", x)])], None, true).unwrap_err();
        assert!(e.to_string().contains("inf"), "{e}");
    }

    #[test]
    fn blocks_of_rows_fill_in_order_and_the_first_bad_cell_in_row_order_is_named() {
        let n = 5000;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| -(i as f64)).collect();
        let make = |x: Vec<f64>, y: Vec<f64>| {
            batch(vec![
                ("x", Arc::new(Float64Array::from(x)) as _),
                ("y", Arc::new(Float64Array::from(y)) as _),
            ])
        };
        let t = Table::from_record_batches(
            "t",
            &[make(x.clone(), y.clone()), make(x.clone(), y.clone())],
            None,
            false,
        )
        .unwrap();
        assert_eq!(t.features.nrows(), 2 * n);
        for r in [0, 511, 512, 4999, 5000, 9999] {
            assert_eq!(t.features.row(r).to_vec(), [x[r % n], y[r % n]]);
        }
        // An infinity in the later column at row 1201 and one in the first column at row 3001:
        // row order names row 1201, whichever block finishes first.
        let (mut bx, mut by) = (x.clone(), y.clone());
        bx[3000] = f64::INFINITY;
        by[1200] = f64::NEG_INFINITY;
        let e =
            Table::from_record_batches("t", &[make(x, y), make(bx, by)], None, true).unwrap_err();
        assert!(
            e.to_string().contains("column y") && e.to_string().contains("row 6201"),
            "{e}"
        );
    }
}
