//! One training loop, one evaluation and one log for every agent on every environment with
//! discrete actions: [`TrainConfig`] (`config`), the loops [`train`] and [`train_vec`] (`run`),
//! greedy evaluation, recorded episodes and solve checks (`evaluation`), and the log types here.

use serde::Serialize;

use crate::error::Result;

mod config;
mod evaluation;
mod run;

pub use config::TrainConfig;
pub use evaluation::{evaluate, record_episode, Evaluation, SolveCheck, MAX_EVAL_EPISODES};
pub use run::{train, train_vec};

/// One line of the training log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeLog {
    /// Episode number, from 0.
    pub episode: usize,
    /// Sum of rewards.
    pub episode_return: f64,
    /// Number of steps.
    pub length: usize,
    /// Exploration rate during the episode.
    pub epsilon: f64,
    /// Mean training loss of the episode's learning steps (agents with a loss).
    pub loss: Option<f64>,
    /// Seconds since training started, at the episode's end.
    pub wall_seconds: f64,
    /// Environment steps since training started.
    pub env_steps: usize,
    /// Whether the episode ended in a terminal state (not by a time limit).
    pub terminated: bool,
}

/// What a callback tells the training loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop after this episode.
    Stop,
}

/// What [`train`] did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// One entry per episode.
    pub episodes: Vec<EpisodeLog>,
    /// Total environment steps.
    pub env_steps: usize,
    /// Wall time of the whole loop.
    pub seconds: f64,
    /// Wall time when the target mean return was first reached, if it was.
    pub seconds_to_target: Option<f64>,
}

impl TrainReport {
    /// Moving average of the episode returns over `window` episodes (shorter at the start).
    pub fn moving_average(&self, window: usize) -> Vec<f64> {
        moving_average(
            &self
                .episodes
                .iter()
                .map(|e| e.episode_return)
                .collect::<Vec<_>>(),
            window,
        )
    }
}

/// Trailing moving average with a window of up to `window` values.
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

/// Writes episode logs as CSV (atomically).
pub fn write_log(path: &std::path::Path, episodes: &[EpisodeLog]) -> Result<()> {
    crate::persist::write_atomic(path, |w| {
        use std::io::Write;
        writeln!(
            w,
            "episode,return,length,epsilon,loss,wall_seconds,env_steps,terminated"
        )?;
        for e in episodes {
            writeln!(
                w,
                "{},{},{},{},{},{:.6},{},{}",
                e.episode,
                e.episode_return,
                e.length,
                e.epsilon,
                e.loss.map(|l| l.to_string()).unwrap_or_default(),
                e.wall_seconds,
                e.env_steps,
                e.terminated
            )?;
        }
        Ok(())
    })
}
