//! The parallel reader: a large plain CSV file parsed in chunks of whole lines on every core.

use std::path::Path;

use super::{cell_value, Parsed};
use crate::error::{Error, Result};

/// Files smaller than this are read sequentially (parallel chunks would not pay off).
pub(super) const PARALLEL_MIN_BYTES: u64 = 8 << 20;
/// Bytes per parallel chunk (cut back to the last newline).
const CHUNK_BYTES: usize = 4 << 20;

/// Parses the data rows of a large CSV file in parallel chunks of whole lines. Returns
/// `Ok(None)` — and the caller falls back to the sequential reader — for a small file, a line
/// longer than a chunk, a blank line, a quote or lone carriage return in a label, or any cell
/// the sequential reader would reject (so every error message comes from one place).
pub(super) fn read_parallel(
    path: &Path,
    n_columns: usize,
    target: Option<usize>,
    allow_missing: bool,
) -> Result<Option<Parsed>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size < PARALLEL_MIN_BYTES {
        return Ok(None);
    }
    let mut out: Parsed = (Vec::new(), Vec::new(), Vec::new(), 0);
    let regular = for_each_batch(
        path,
        n_columns,
        target,
        allow_missing,
        &mut |parsed, bytes| {
            if out.0.is_empty() && bytes > 0 {
                // Reserve for the whole file from the first batch's values per byte, so the value
                // vector is not copied as it grows (a 400 MB file would otherwise be copied ~twice).
                let estimate = (parsed.0.len() as f64 * size as f64 / bytes as f64 * 1.02) as usize;
                // Every value takes at least two bytes (a digit and a separator).
                out.0.reserve(estimate.min(size as usize / 2 + 16));
            }
            let (values, targets, lines, rows) = parsed;
            out.0.extend(values);
            out.1.extend(targets);
            out.2.extend(lines);
            out.3 += rows;
            Ok(())
        },
    )?;
    Ok(regular.then_some(out))
}

/// Reads a plain CSV file's data rows in batches of chunks of whole lines, each batch parsed in
/// parallel, and hands every batch to `each` with the bytes it covered (line numbers are the
/// file's: the first data line is 2). Returns `Ok(false)` as soon as the file turns out
/// irregular (see [`read_parallel`]): `each` may have seen the batches before.
pub(super) fn for_each_batch(
    path: &Path,
    n_columns: usize,
    target: Option<usize>,
    allow_missing: bool,
    each: &mut dyn FnMut(Parsed, usize) -> Result<()>,
) -> Result<bool> {
    use rayon::prelude::*;
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut pending: Vec<u8> = Vec::new();
    // Skip the header line.
    let mut header_done = false;
    let mut line = 2u64;
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
                    None => return Ok(false),
                }
            }
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    None => return Ok(false), // a line longer than a chunk
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
        let mut merged: Parsed = (Vec::new(), Vec::new(), Vec::new(), 0);
        for p in parsed {
            let Some((values, targets, lines, rows)) = p else {
                return Ok(false);
            };
            merged.0.extend(values);
            merged.1.extend(targets);
            merged.2.extend(lines.into_iter().map(|k| line + k));
            merged.3 += rows;
            line += rows as u64;
        }
        let bytes = chunks.iter().map(Vec::len).sum();
        each(merged, bytes)?;
    }
    Ok(true)
}

/// The data rows of a plain CSV file as [`for_each_batch`] reads them: its lines after the
/// header, the last one counted with or without a final newline. A file whose records are not
/// its lines is found irregular when it is read.
pub(super) fn count_data_lines(path: &Path) -> Result<usize> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    let (mut newlines, mut last) = (0usize, None);
    loop {
        let got = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if got == 0 {
            break;
        }
        newlines += buf[..got].iter().filter(|&&b| b == b'\n').count();
        last = Some(buf[got - 1]);
    }
    let unterminated = usize::from(last.is_some_and(|b| b != b'\n'));
    Ok((newlines + unterminated).saturating_sub(1))
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
