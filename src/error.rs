//! The one error type of learnkit: every fallible call returns [`Result`].
//!
//! Each variant carries what a user needs to act: the hyper-parameter and its bad value, the
//! expected and actual shape, the row and column of a non-finite value, the file and line of a
//! parse error.

use std::path::PathBuf;

/// Result alias used throughout learnkit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when using learnkit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hyper-parameter, flag or setting has a value that cannot be used.
    #[error("invalid `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name, as the builder method spells it.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What values are allowed.
        reason: String,
    },

    /// An array does not have the shape the operation needs.
    #[error("shape mismatch in {context}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Which input (for example "features at predict time").
        context: String,
        /// The expected shape or count.
        expected: String,
        /// The actual shape or count.
        got: String,
    },

    /// The input holds no samples (or no features) where some are needed.
    #[error("empty data: {0}")]
    EmptyData(String),

    /// A NaN or infinite value where only finite numbers are allowed.
    #[error("non-finite value {value} in {context} at row {row}, column {column}")]
    NonFinite {
        /// Which input.
        context: String,
        /// Zero-based row index.
        row: usize,
        /// Zero-based column index.
        column: usize,
        /// The offending value (NaN or ±inf).
        value: f64,
    },

    /// A class label the model was not trained on (or an out-of-range class index).
    #[error("unknown label `{label}`; known labels are {known}")]
    UnknownLabel {
        /// The label as given.
        label: String,
        /// The labels the model knows, formatted.
        known: String,
    },

    /// A model file holds a different model, or a model from an incompatible format version.
    #[error("incompatible model: expected {expected}, found {found}")]
    IncompatibleModel {
        /// What the caller asked for.
        expected: String,
        /// What the file or object holds.
        found: String,
    },

    /// A model file exists but cannot be decoded (truncated, corrupt, not a model).
    #[error("corrupt model file {}: {message}", path.display())]
    CorruptModel {
        /// The file.
        path: PathBuf,
        /// What the decoder reported.
        message: String,
    },

    /// A decoded model whose parts contradict each other (arrays of different lengths, a tree
    /// whose links leave it, a non-finite value): the file was corrupted or crafted. Loading a
    /// model reports it inside [`Error::CorruptModel`], with the file's path.
    #[error("inconsistent model: {0}")]
    InvalidModel(String),

    /// An operating-system I/O failure on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A text input (CSV, map file) could not be parsed.
    #[error("{}:{line}{}: {message}", path.display(), column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// One-based line number.
        line: u64,
        /// The column (header name or one-based index), when known.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },

    /// An iterative solver stopped at its iteration limit before meeting its tolerance (only
    /// when the estimator was asked to require convergence).
    #[error("{algorithm} did not converge in {iterations} iterations (final {measure} = {value:.3e}); raise the iteration limit or standardise the features")]
    NotConverged {
        /// The algorithm.
        algorithm: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// What was measured.
        measure: &'static str,
        /// Its final value.
        value: f64,
    },

    /// A computation the data makes impossible in floating point: sums or variances that
    /// overflow even when computed in a rescaled way, an eigen-solver that cannot converge on
    /// non-finite intermediate values. Not a parameter error: the message says which values
    /// caused it and what to do.
    #[error("numerical failure in {context}: {reason}")]
    Numerical {
        /// Where (the estimator or step).
        context: String,
        /// What overflowed or failed, and what to do about it.
        reason: String,
    },

    /// An environment rejected a call (see [`learnkit_envs::EnvError`]).
    #[error(transparent)]
    Env(#[from] learnkit_envs::EnvError),

    /// A data-parallel fit failed on one of its processes (see [`crate::distributed`]): every
    /// process reports the same rank and cause.
    #[error("rank {rank}: {message}")]
    Distributed {
        /// The rank where it failed.
        rank: usize,
        /// What went wrong there.
        message: String,
    },

    /// A linfa routine driving a learnkit model failed (linfa interop; see [`crate::interop`]).
    #[error("linfa: {0}")]
    Linfa(String),

    /// libtorch failed (a tensor operation or copy of the DQN); the message is libtorch's first
    /// line, without its C++ stack trace.
    #[error("libtorch: {0}")]
    Torch(String),

    /// Drawing a report failed.
    #[error("drawing {}: {message}", path.display())]
    Plot {
        /// The PNG being drawn.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
}

impl From<linfa::Error> for Error {
    fn from(error: linfa::Error) -> Self {
        Error::Linfa(error.to_string())
    }
}

impl Error {
    /// Builds an [`Error::Numerical`].
    pub fn numerical(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Numerical {
            context: context.into(),
            reason: reason.into(),
        }
    }

    /// Builds an [`Error::InvalidParameter`].
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Builds an [`Error::InvalidModel`].
    pub fn invalid_model(what: impl Into<String>) -> Self {
        Error::InvalidModel(what.into())
    }

    /// Builds an [`Error::ShapeMismatch`].
    pub fn shape(
        context: impl Into<String>,
        expected: impl std::fmt::Display,
        got: impl std::fmt::Display,
    ) -> Self {
        Error::ShapeMismatch {
            context: context.into(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }

    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
