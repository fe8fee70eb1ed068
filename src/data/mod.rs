//! Getting data in: CSV, Parquet and Arrow files ([`read_table`] tells them apart), Arrow
//! record batches, built-in datasets, synthetic generators, and seeded splits.

#[cfg(feature = "datasets")]
pub mod builtin;
#[cfg(feature = "columnar")]
mod columnar;
pub mod csv;
pub mod generate;
mod output;
pub mod split;

pub use self::csv::{
    categorical_positions, read_csv, read_csv_allowing_missing, read_csv_header, read_csv_ignoring,
    shown, shown_up_to, Table, Vocabulary,
};
#[cfg(feature = "datasets")]
pub use builtin::{breast_cancer, diabetes, digits, iris, iris_petals, winequality};
pub use generate::{MakeBlobs, MakeClassification, MakeRegression};
pub use output::{write_table, Column};
pub use split::{k_fold, train_test_split};

use std::path::Path;

#[cfg(not(feature = "columnar"))]
use crate::error::Error;
use crate::error::Result;

#[cfg(feature = "columnar")]
pub use columnar::Format;
#[cfg(feature = "columnar")]
pub(crate) use columnar::{count_rows, stream};

/// What a batch-by-batch read ([`stream`], `csv::stream`) read: the feature names, the
/// target's name and the rows.
#[derive(Debug, Clone)]
pub(crate) struct Streamed {
    /// Feature column names, in file order.
    pub feature_names: Vec<String>,
    /// The target column's name.
    pub target_name: String,
    /// Rows read.
    pub rows: usize,
    /// The numbering of the text feature columns.
    pub vocabularies: Vec<Vocabulary>,
}

/// One batch of rows a batch-by-batch read hands over.
pub(crate) struct Batch<'a> {
    /// Index of the batch's first row in the file.
    pub first_row: usize,
    /// The batch's features, row-major (`rows × features`; NaN for a missing value).
    pub values: &'a [f64],
    /// The batch's target cells as text.
    pub targets: &'a [String],
}

/// The kinds of file [`read_table`] tells apart (feature `columnar` reads Parquet and Arrow).
#[cfg(not(feature = "columnar"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header row.
    Csv,
}

/// Reads a table from a CSV, Parquet (`.parquet`, `.pq`) or Arrow IPC / Feather v2 (`.arrow`,
/// `.feather`, `.ipc`) file, told apart by the extension: the same [`Table`] whatever the
/// format, so a Parquet copy of a CSV file gives the same model. The columns named in
/// `ignored` are left out unread; with `allow_missing`, empty cells, nulls and NaN are missing
/// values (NaN) instead of errors. Parquet and Arrow need feature `columnar` (on by default).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("learnkit-table-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("flowers.csv");
/// std::fs::write(&path, "length,kind\n1.0,a\n2.0,b\n").unwrap();
/// let table = learnkit::data::read_table(&path, Some("kind"), &[], false)?;
/// assert_eq!(table.feature_names, ["length"]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub fn read_table(
    path: impl AsRef<Path>,
    target: Option<&str>,
    ignored: &[String],
    allow_missing: bool,
) -> Result<Table> {
    read_table_numbered(path, target, ignored, allow_missing, &[])
}

/// [`read_table`], the text columns of a Parquet or Arrow file numbered by `known` first (a
/// test file read with the training file's [`Table::vocabularies`]): a text not in a known
/// vocabulary is category `words.len()`, which no split of a model sends left.
pub fn read_table_numbered(
    path: impl AsRef<Path>,
    target: Option<&str>,
    ignored: &[String],
    allow_missing: bool,
    known: &[Vocabulary],
) -> Result<Table> {
    let path = path.as_ref();
    #[cfg(not(feature = "columnar"))]
    let _ = known;
    match format_of(path)? {
        #[cfg(feature = "columnar")]
        Format::Parquet | Format::ArrowIpc => {
            columnar::read_file(path, target, ignored, allow_missing, known)
        }
        Format::Csv => read_csv_ignoring(path, target, ignored, allow_missing),
    }
}

/// The column names of a CSV, Parquet or Arrow file, without reading its rows.
pub fn read_table_header(path: impl AsRef<Path>) -> Result<Vec<String>> {
    let path = path.as_ref();
    match format_of(path)? {
        Format::Csv => read_csv_header(path),
        #[cfg(feature = "columnar")]
        _ => columnar::read_header(path),
    }
}

/// The format of `path` by its extension; Parquet and Arrow without feature `columnar` are an
/// error that says so.
fn format_of(path: &Path) -> Result<Format> {
    #[cfg(feature = "columnar")]
    return Ok(Format::of(path));
    #[cfg(not(feature = "columnar"))]
    {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("parquet" | "pq" | "arrow" | "feather" | "ipc") => Err(Error::invalid(
                "data",
                path.display(),
                "Parquet and Arrow files need learnkit's `columnar` feature",
            )),
            _ => Ok(Format::Csv),
        }
    }
}
