//! Reinforcement learning: agents that learn from the environments of [`learnkit_envs`].
//!
//! The `Agent` trait, the shared training loop and the agents (tabular Q-learning, SARSA, and
//! the DQN behind the `tch` feature) live here.

#[cfg(feature = "tch")]
pub mod torch;
