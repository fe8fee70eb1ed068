//! How a training run runs: [`TrainConfig`] and its checks.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::traits::Hyperparams;

config_struct! {
/// How [`train`](super::train) runs.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Maximum number of episodes.
    pub episodes: usize,
    /// Maximum number of environment steps in total (`None`: no limit).
    pub max_env_steps: Option<usize>,
    /// Safety cap on an episode's length for environments without a time limit; the step that
    /// reaches it counts as truncated.
    pub max_episode_steps: usize,
    /// Seed for the environment's first reset (later resets continue its stream).
    pub seed: u64,
    /// Stop early once the mean return over the last `window` episodes reaches this.
    pub target_mean_return: Option<f64>,
    /// Episodes in the moving average used by `target_mean_return` and the progress bar.
    pub window: usize,
    /// Show a progress bar on stderr (hidden when stderr is not a terminal; needs feature
    /// `progress`).
    pub progress: bool,
    /// Write the per-episode log to this CSV file at the end.
    pub log_csv: Option<PathBuf>,
}
}

impl TrainConfig {
    /// The defaults (1000 episodes, no step limit, 10,000 steps per episode at most, seed 0,
    /// window 100, no progress bar, no log file), to adjust with the chained setters.
    pub fn params() -> Self {
        Self::default()
    }
}

impl Hyperparams for TrainConfig {
    fn check(&self) -> Result<()> {
        if self.episodes == 0 {
            return Err(Error::invalid("episodes", 0, "must be at least 1"));
        }
        if self.window == 0 {
            return Err(Error::invalid("window", 0, "must be at least 1"));
        }
        if self.max_episode_steps == 0 {
            return Err(Error::invalid("max_episode_steps", 0, "must be at least 1"));
        }
        if self.max_env_steps == Some(0) {
            return Err(Error::invalid(
                "max_env_steps",
                0,
                "must be at least 1 (or None)",
            ));
        }
        Ok(())
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            episodes: 1000,
            max_env_steps: None,
            max_episode_steps: 10_000,
            seed: 0,
            target_mean_return: None,
            window: 100,
            progress: false,
            log_csv: None,
        }
    }
}
