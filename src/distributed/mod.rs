//! Training on rows spread over processes (data-parallel), as LightGBM's and XGBoost's
//! distributed learners do: every process holds a shard of the rows, the statistics that
//! decide a model (bin edges, histograms, leaf sums, initial scores) are combined through a
//! [`Collective`], and every process ends with the same model — the one a single process gets
//! from the concatenated rows (see each estimator's `fit_distributed` for what is bit for bit).
//!
//! Backends:
//! * [`Serial`] — one process, nothing to combine;
//! * [`Threads`] — ranks as threads of one process, each with its own thread pool: tests and
//!   the cheap way to check that a sharded fit equals the one-process fit;
//! * `Mpi` (feature `mpi`) — one rank per MPI process, over Open MPI or any MPI library
//!   (`mpirun -np 4 …`); see `docs/distributed.md`.
//!
//! Failure is collective too: [`agree`] carries each rank's local checks (its shard read, its
//! columns, its classes) to every rank before training, so a bad shard on one rank stops
//! every rank with the same one-line error, and no rank waits forever in a collective the
//! others never reach.
//!
//! ```
//! use learnkit::distributed::{Collective, Threads};
//! use learnkit::prelude::*;
//! use learnkit::tree::GradientBoosting;
//!
//! let data = learnkit::data::MakeClassification::params().n_samples(900).seed(3).generate()?;
//! let params = GradientBoosting::classifier().n_estimators(20);
//! let serial = params.fit(&data)?;
//! // Three ranks, each fitting on its third of the rows.
//! let models = Threads::new(3)?.run(|rank| {
//!     let n = data.n_samples();
//!     let rows: Vec<usize> = (0..n).filter(|i| i * 3 / n == rank.rank()).collect();
//!     params.fit_distributed(&data.select(&rows)?, rank)
//! });
//! for model in models {
//!     assert_eq!(model?.predict_proba(&data)?, serial.predict_proba(&data)?);
//! }
//! # Ok::<(), learnkit::Error>(())
//! ```

mod threads;

#[cfg(feature = "mpi")]
mod mpi;

#[cfg(feature = "mpi")]
pub use self::mpi::Mpi;
pub use crate::tree::learner::collective::{Collective, FixedPoint, Serial};
pub use threads::{ThreadRank, Threads, MAX_THREAD_RANKS};

use crate::error::{Error, Result};

/// Where a process's rows lie among all the rows: the concatenation of the shards in rank
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Index of this shard's first row among all the rows.
    pub offset: usize,
    /// Rows in this shard.
    pub rows: usize,
    /// Rows in every shard together.
    pub total: usize,
}

impl Shard {
    /// A single process holding all `rows`.
    pub fn whole(rows: usize) -> Self {
        Self {
            offset: 0,
            rows,
            total: rows,
        }
    }

    /// This process's place, from every process's row count (a collective call).
    pub fn of(collective: &(impl Collective + ?Sized), rows: usize) -> Self {
        let counts = collective.all_gather(&[rows as f64]);
        let rank = collective.rank();
        let count = |p: &Vec<f64>| p.first().copied().unwrap_or(0.0) as usize;
        Self {
            offset: counts[..rank].iter().map(count).sum(),
            rows,
            total: counts.iter().map(count).sum(),
        }
    }
}

/// Carries every rank's local outcome to every rank (a collective call that every rank must
/// make, whether its own step failed or not): each rank's bytes in rank order when all
/// succeeded, or the first failing rank's error, on every rank.
/// `local` is this rank's bytes, or the message of its failure.
pub fn agree(
    collective: &(impl Collective + ?Sized),
    local: std::result::Result<Vec<u8>, String>,
) -> Result<Vec<Vec<u8>>> {
    let mine = match &local {
        Ok(bytes) => [&[0u8][..], bytes].concat(),
        Err(e) => [&[1u8][..], e.as_bytes()].concat(),
    };
    let parts = collective.all_gather_bytes(&mine);
    for (rank, part) in parts.iter().enumerate() {
        if part.first() != Some(&0) {
            let message = String::from_utf8_lossy(part.get(1..).unwrap_or_default()).into_owned();
            return Err(Error::Distributed { rank, message });
        }
    }
    Ok(parts.into_iter().map(|mut p| p.split_off(1)).collect())
}

/// Checks that every rank describes its shard alike (`what`, e.g. "columns", and a
/// description of it): the first rank whose description differs from rank 0's is named, on
/// every rank. `local` is this rank's description, or the message of its failure.
pub fn check_alike(
    collective: &(impl Collective + ?Sized),
    what: &str,
    local: std::result::Result<String, String>,
) -> Result<()> {
    let parts = agree(collective, local.map(String::into_bytes))?;
    if let Some((rank, part)) = parts.iter().enumerate().find(|(_, p)| *p != &parts[0]) {
        return Err(Error::Distributed {
            rank,
            message: format!(
                "its shard's {what} ({}) differ from rank 0's ({})",
                shorten(part),
                shorten(&parts[0])
            ),
        });
    }
    Ok(())
}

/// The unlabelled shard of a data-parallel fit, checked on every process: `records` passes
/// `check` (the estimator's settings) and holds only finite values, and every process has the
/// same feature names; returns this process's place among all the rows. A failure anywhere
/// is the same error on every process.
pub(crate) fn agree_records(
    collective: &(impl Collective + ?Sized),
    records: ndarray::ArrayView2<'_, f64>,
    names: &[String],
    check: impl FnOnce() -> Result<()>,
) -> Result<Shard> {
    let checked = check()
        .and_then(|()| crate::validate::check_records(records, "records"))
        .map(|_| format!("features {}", names.join(",")))
        .map_err(|e| e.to_string());
    check_alike(collective, "columns", checked)?;
    Ok(Shard::of(collective, records.nrows()))
}

/// A description cut to a readable length for an error line.
fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() <= 120 {
        return text.into_owned();
    }
    format!("{}…", text.chars().take(119).collect::<String>())
}

/// Which rows of which file a rank trains on, from a `--data` path or file-name pattern
/// ([`shard_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardFile {
    /// The file to read.
    pub path: std::path::PathBuf,
    /// `Some((rank, ranks))` when every rank reads this one file and keeps its contiguous
    /// block of the rows ([`block`]); `None` when the file is this rank's alone.
    pub share: Option<(usize, usize)>,
}

/// The rows `rank` of `ranks` keeps of `n` rows shared in contiguous blocks (so the blocks,
/// concatenated in rank order, are the file).
pub fn block(n: usize, rank: usize, ranks: usize) -> std::ops::Range<usize> {
    let cut = |r: usize| (n as u128 * r as u128 / ranks.max(1) as u128) as usize;
    cut(rank)..cut(rank + 1)
}

/// The shard of `rank` among `ranks` for `pattern`: a path whose file name may hold `*` and
/// `?` wildcards. Matching files are sorted by name; with one per rank, rank `r` reads the
/// `r`-th; a single file (or a plain path) is shared in contiguous blocks. Any other count is
/// an error that says how many files matched.
pub fn shard_of(pattern: &std::path::Path, rank: usize, ranks: usize) -> Result<ShardFile> {
    let name = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        return Ok(ShardFile {
            path: pattern.to_path_buf(),
            share: Some((rank, ranks)),
        });
    }
    let dir = match pattern.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok())
        // Everything but directories: a match the reader cannot take (a pipe, a device) is
        // then refused by name rather than silently left out of the count.
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter(|e| wildcard(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    match files.len() {
        1 => Ok(ShardFile {
            path: files.remove(0),
            share: Some((rank, ranks)),
        }),
        n if n == ranks => Ok(ShardFile {
            path: files.swap_remove(rank),
            share: None,
        }),
        n => Err(Error::invalid(
            "--data",
            pattern.display(),
            format!("matches {n} files; a data-parallel run of {ranks} ranks needs one file per rank, or one file they share"),
        )),
    }
}

/// Whether `name` matches `pattern` (`*`: any run of characters, `?`: one character).
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_blocks_and_shard_files() {
        assert!(wildcard("part-*.parquet", "part-00.parquet"));
        assert!(wildcard("p?rt*", "part-1"));
        assert!(!wildcard("part-*.parquet", "part-00.csv"));
        assert!(wildcard("*", ""));
        let blocks: Vec<_> = (0..3).map(|r| block(10, r, 3)).collect();
        assert_eq!(blocks, vec![0..3, 3..6, 6..10]);
        let dir = std::env::temp_dir().join(format!("learnkit-shards-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["part-1.csv", "part-0.csv", "other.csv"] {
            std::fs::write(dir.join(name), "x\n").unwrap();
        }
        let pattern = dir.join("part-*.csv");
        let second = shard_of(&pattern, 1, 2).unwrap();
        assert_eq!(second.path, dir.join("part-1.csv"));
        assert_eq!(second.share, None);
        let err = shard_of(&pattern, 0, 3).unwrap_err().to_string();
        assert!(err.contains("matches 2 files"), "{err}");
        let one = shard_of(&dir.join("oth*"), 2, 3).unwrap();
        assert_eq!(one.share, Some((2, 3)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
