//! The sequential reader: the csv crate's parser over the whole file, the one place every error
//! message comes from. Large plain files go through [`super::parallel`] first.

use std::path::Path;

use super::parallel::read_parallel;
use super::{cell_value, check_headers, csv_error, finish, parse_error, shown, Table};
use crate::error::{Error, Result};

/// Reads `path` (the parallel reader first, where it applies); the columns named in `ignored`
/// are skipped, neither features nor checked.
pub(super) fn read(
    path: &Path,
    target: Option<&str>,
    ignored: &[String],
    allow_missing: bool,
) -> Result<Table> {
    crate::persist::require_regular_file(path)?;
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
    let target_index = check_headers(path, &headers, target)?;
    let skipped: Vec<bool> = headers.iter().map(|h| ignored.contains(h)).collect();
    let feature_names: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != target_index && !skipped[*i])
        .map(|(_, h)| h.clone())
        .collect();

    // Large plain files (no quotes, one record per line) are parsed in parallel chunks; any
    // irregularity sends the whole file through the sequential reader below, which names the
    // exact line and column of the problem.
    if ignored.is_empty() {
        if let Some(parsed) = read_parallel(path, headers.len(), target_index, allow_missing)? {
            return finish(path, &headers, feature_names, target_index, parsed);
        }
    }
    let mut values = Vec::new();
    let mut targets = Vec::new();
    let mut lines = Vec::new();
    let mut n_rows = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let line = record.position().map_or(0, |p| p.line());
        for (i, cell) in record.iter().enumerate() {
            if skipped[i] {
                continue;
            }
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
