/// What an environment can reject.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// `step` was called before `reset`, or after the episode ended.
    #[error("step called on a finished episode; call reset first")]
    EpisodeOver,
    /// An action outside the action space.
    #[error("invalid action {action}: the action space has {n_actions} actions")]
    InvalidAction {
        /// The action given.
        action: usize,
        /// The number of valid actions.
        n_actions: usize,
    },
    /// A continuous action of the wrong length, or with a NaN or infinite value (Gymnasium
    /// would clip an infinity and propagate a NaN into the state; learnkit refuses both).
    #[error("invalid action {action}: {reason}")]
    BadAction {
        /// The action given, as text.
        action: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A batched call got the wrong number of actions.
    #[error("expected {expected} actions (one per environment copy), got {got}")]
    BatchSize {
        /// The number of copies.
        expected: usize,
        /// The number of actions given.
        got: usize,
    },
    /// A map (gridworld layout) could not be read.
    #[error("map {source_name}, line {line}: {message}")]
    BadMap {
        /// File path or built-in map name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An observation does not fit the feature vector of its space.
    #[error("observation {observation} does not fit a feature vector of length {expected}")]
    BadObservation {
        /// The observation (a state index, or the length of a vector).
        observation: String,
        /// The feature length of the space.
        expected: usize,
    },
    /// A map file could not be opened.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
