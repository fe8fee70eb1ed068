//! Tables in through the Arrow PyCapsule interface: any object with `__arrow_c_stream__`
//! (pyarrow and Polars tables, pandas DataFrames with pyarrow installed, DuckDB results) is read
//! as a stream of record batches, without pyarrow on the Rust side, and becomes learnkit's
//! [`Table`] exactly as a Parquet file of the same columns would: numeric and boolean columns
//! are features, dictionary and text columns categorical features (numbered in order of first
//! appearance, or by the vocabularies of a fitted model), nulls missing values where allowed.

use std::ffi::CStr;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::RecordBatch;
use learnkit::data::{Table, Vocabulary};
use numpy::{IntoPyArray, PyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::value_error;

const STREAM: &CStr = c"arrow_array_stream";

/// Record batches from an object that exports the Arrow C stream interface.
fn batches(table: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if !table.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "{} does not export Arrow data (no __arrow_c_stream__)",
            table.get_type().name()?
        )));
    }
    let capsule = table.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule holds an initialised FFI_ArrowArrayStream (its name says so); the
    // stream is moved out, leaving a released one for the capsule's destructor.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
    let reader = RecordBatchStreamReader::try_new(stream)
        .map_err(|e| PyValueError::new_err(format!("reading the Arrow stream: {e}")))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("reading the Arrow stream: {e}")))
}

/// Reads an Arrow-exporting table: returns the float64 feature matrix (missing values NaN),
/// the feature names, the target column (its values as floats, or its texts) when `target`
/// names one, and each text column's vocabulary as `(column, words)`.
///
/// `vocabularies` from a fitted model number a test table's texts the training way (unseen
/// texts get the next number, which no split sends left).
#[pyfunction]
#[pyo3(signature = (table, allow_missing=true, vocabularies=None))]
#[allow(clippy::type_complexity)]
fn read_arrow<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    allow_missing: bool,
    vocabularies: Option<Vec<(String, Vec<String>)>>,
) -> PyResult<(
    Bound<'py, PyArray2<f64>>,
    Vec<String>,
    Vec<(String, Vec<String>)>,
)> {
    let batches = batches(table)?;
    let name = "<arrow table>";
    let table = py
        .detach(|| {
            if batches.is_empty() {
                return Err(learnkit::Error::EmptyData(format!(
                    "{name}: no record batches"
                )));
            }
            let known: Vec<Vocabulary> = vocabularies
                .unwrap_or_default()
                .into_iter()
                .map(|(column, words)| Vocabulary { column, words })
                .collect();
            Table::from_record_batches_numbered(name, &batches, None, allow_missing, &known)
        })
        .map_err(value_error)?;
    let vocabularies = table
        .vocabularies
        .iter()
        .map(|v| (v.column.clone(), v.words.clone()))
        .collect();
    Ok((
        table.features.into_pyarray(py),
        table.feature_names,
        vocabularies,
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_arrow, m)?)
}
