//! Tuned settings per environment: what the examples and `learnkit rl train` start from.
//!
//! Tabular settings are measured on this project's environments (`docs/tabular_rl.md`); the
//! DQN's follow RL Zoo's tuned settings for Stable-Baselines3 (`rl-baselines3-zoo`,
//! `hyperparams/dqn.yml`) with the changes `docs/dqn.md` measures.

use super::schedule::Schedule;
use super::tabular::{QLearning, QLearningParams, TabularAlgorithm};

/// The kinds of environment a tabular agent is tuned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabularTask {
    /// A gridworld map; slippery maps (FrozenLake) are noisy, the others deterministic.
    Map {
        /// Whether moves slip sideways.
        slippery: bool,
    },
    /// Taxi-v4, optionally rainy (moves slip).
    Taxi {
        /// Gymnasium's `is_rainy`.
        rainy: bool,
    },
    /// Blackjack-v1.
    Blackjack,
}

impl TabularTask {
    /// Training episodes that reach (near-)optimal greedy policies.
    pub fn default_episodes(self) -> usize {
        match self {
            TabularTask::Map { slippery: true } => 20_000,
            TabularTask::Map { slippery: false } => 500,
            TabularTask::Taxi { rainy: true } => 30_000,
            TabularTask::Taxi { rainy: false } => 5_000,
            TabularTask::Blackjack => 2_000_000,
        }
    }

    /// The longest episode an evaluation lets run.
    pub fn max_episode_steps(self) -> usize {
        match self {
            TabularTask::Map { .. } => 10_000,
            TabularTask::Taxi { .. } => 200,
            TabularTask::Blackjack => 100,
        }
    }

    /// Hyper-parameters for `episodes` of training with update rule `algorithm`: slow, long,
    /// discounted learning with ε decaying over most of training for the noisy tasks (slippery
    /// maps, rainy Taxi, Blackjack's hands); fast constant-ε learning for deterministic maps.
    pub fn params(
        self,
        algorithm: TabularAlgorithm,
        episodes: usize,
        seed: u64,
    ) -> QLearningParams {
        let params = QLearning::params().algorithm(algorithm).seed(seed);
        let decay = |end: f64, duration: usize| Schedule::Linear {
            start: 1.0,
            end,
            duration,
        };
        match self {
            TabularTask::Map { slippery: true } => params
                .learning_rate(0.05)
                .gamma(0.99)
                .exploration(decay(0.01, episodes * 3 / 4)),
            TabularTask::Map { slippery: false } => params
                .learning_rate(0.5)
                .gamma(1.0)
                .exploration(Schedule::Constant(0.1)),
            TabularTask::Taxi { rainy } => params
                .learning_rate(if rainy { 0.1 } else { 0.5 })
                .gamma(0.99)
                .exploration(decay(0.01, episodes * 3 / 4)),
            TabularTask::Blackjack => params
                .learning_rate(0.005)
                .gamma(1.0)
                .exploration(decay(0.05, episodes / 2)),
        }
    }
}

/// The environments the DQN is tuned for (its settings need feature `tch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DqnTask {
    /// CartPole-v1 (the [`super::dqn::DqnConfig`] defaults).
    CartPole,
    /// A gridworld on one-hot states (FrozenLake, CliffWalking).
    Grid,
    /// Acrobot-v1.
    Acrobot,
    /// MountainCar-v0.
    MountainCar,
}

impl DqnTask {
    /// Mean greedy return at which the environment counts as solved (Gymnasium's thresholds),
    /// if it has one.
    pub fn solved_threshold(self) -> Option<f64> {
        match self {
            DqnTask::CartPole => Some(learnkit_envs::cartpole::REWARD_THRESHOLD),
            DqnTask::Grid => None,
            DqnTask::Acrobot => Some(-100.0),
            DqnTask::MountainCar => Some(-110.0),
        }
    }

    /// Hyper-parameters for a budget of `steps` environment steps (exploration schedules are
    /// fractions of it).
    #[cfg(feature = "tch")]
    pub fn config(self, steps: usize) -> super::dqn::DqnConfig {
        use super::dqn::{DqnConfig, TargetUpdate};
        let decay = |end: f64, duration: usize| Schedule::Linear {
            start: 1.0,
            end,
            duration,
        };
        match self {
            DqnTask::CartPole => DqnConfig::params(),
            // Many small updates on one-hot states.
            DqnTask::Grid => DqnConfig::params()
                .n_step(1)
                .double_dqn(false)
                .hidden(vec![64])
                .learning_rate(1e-3)
                .buffer_size(50_000)
                .learning_starts(500)
                .train_frequency(4)
                .gradient_steps(1)
                .target_update(TargetUpdate::Hard { every: 250 })
                .exploration(decay(0.05, steps / 2)),
            // RL Zoo's, with 3-step Double DQN targets as on CartPole: measured on seeds 1-5
            // they halve the median time to solve (docs/dqn.md).
            DqnTask::Acrobot => DqnConfig::params()
                .hidden(vec![256, 256])
                .learning_rate(6.3e-4)
                .batch_size(128)
                .buffer_size(50_000)
                .learning_starts(1000)
                .gamma(0.99)
                .train_frequency(4)
                .gradient_steps(4)
                .target_update(TargetUpdate::Hard { every: 250 })
                .exploration(decay(0.1, steps * 12 / 100)),
            // RL Zoo's, with 3-step Double DQN targets (measured on seeds 1-3 they cut the
            // median time to solve from 60 s to 35 s; docs/dqn.md).
            DqnTask::MountainCar => DqnConfig::params()
                .hidden(vec![256, 256])
                .learning_rate(4e-3)
                .batch_size(128)
                .buffer_size(10_000)
                .learning_starts(1000)
                .gamma(0.98)
                .train_frequency(16)
                .gradient_steps(8)
                .target_update(TargetUpdate::Hard { every: 600 })
                .exploration(decay(0.07, steps / 5)),
        }
    }
}
