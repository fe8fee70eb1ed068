//! Reinforcement learning: agents that learn from the environments of [`learnkit_envs`].
//!
//! * [`Agent`] — what every agent does: act (exploring or greedy) and learn from a transition.
//! * [`train`] and [`evaluate`] — one training loop and one evaluation for every agent and every
//!   environment, with a progress bar, per-episode logs (CSV), callbacks and early stopping.
//! * [`QLearning`] / SARSA — tabular agents ([`tabular`]), with exploration [`Schedule`]s.
//! * `dqn` — a deep Q-network on libtorch (feature `tch`), with its [`replay`] buffer; its
//!   network layout and plain-Rust forward pass are in [`mlp`].
//! * [`SavedAgent`] — a trained greedy policy (Q-table or network) in the model format.

mod agent;
#[cfg(feature = "tch")]
pub mod dqn;
pub mod mlp;
pub mod planning;
pub mod presets;
pub mod replay;
mod saved;
mod schedule;
pub mod tabular;
mod training;

pub use agent::{Agent, Transition};
pub use saved::{Policy, SavedAgent, MAX_SAVED_PARAMS};
pub use schedule::Schedule;
pub use tabular::{EpsilonClock, QLearning, QLearningParams, QTable, TabularAlgorithm};
pub use training::{
    evaluate, record_episode, train, train_vec, Control, EpisodeLog, Evaluation, SolveCheck,
    TrainConfig, TrainReport, MAX_EVAL_EPISODES,
};

#[cfg(feature = "tch")]
pub mod torch;
