//! How a training run runs: [`TrainConfig`] and its checks.

use std::path::PathBuf;

hyperparams! {
    /// How [`train`](super::train) runs. `TrainConfig::params()` gives the defaults: 1000
    /// episodes, no step limit, 10,000 steps per episode at most, seed 0, window 100, no
    /// progress bar, no log file.
    #[derive(Debug, Clone)]
    #[non_exhaustive]
    pub struct TrainConfig {
        /// Maximum number of episodes (≥ 1; default 1000).
        pub episodes: usize = 1000, valid |n| *n >= 1, "must be at least 1";
        /// Maximum number of environment steps in total (`None`, the default: no limit).
        pub max_env_steps: Option<usize> = None,
            valid |n| *n != Some(0), "must be at least 1 (or None)";
        /// Safety cap on an episode's length for environments without a time limit; the step
        /// that reaches it counts as truncated (default 10,000).
        pub max_episode_steps: usize = 10_000, valid |n| *n >= 1, "must be at least 1";
        /// Seed for the environment's first reset (later resets continue its stream; default
        /// 0).
        pub seed: u64 = 0;
        /// Stop early once the mean return over the last `window` episodes reaches this
        /// (default none).
        pub target_mean_return: Option<f64> = None;
        /// Episodes in the moving average used by `target_mean_return` and the progress bar
        /// (default 100).
        pub window: usize = 100, valid |n| *n >= 1, "must be at least 1";
        /// Show a progress bar on stderr (hidden when stderr is not a terminal; needs feature
        /// `progress`; default false).
        pub progress: bool = false;
        /// Write the per-episode log to this CSV file at the end (default none).
        pub log_csv: Option<PathBuf> = None;
    }
}
