//! Tabular Q-learning and SARSA over discrete states and actions.
//!
//! Both keep a table `Q(s, a)` and move it towards a one-step target after every step:
//!
//! * Q-learning (off-policy): `Q(s,a) += α · (r + γ · max_a' Q(s',a') − Q(s,a))`
//! * SARSA (on-policy): `Q(s,a) += α · (r + γ · Q(s',a') − Q(s,a))` with `a'` the action the
//!   ε-greedy policy actually takes next.
//!
//! When the episode *terminated* the target is `r` alone; when a time limit *truncated* it, the
//! next state still has value and Q-learning bootstraps from it (SARSA, which has no next
//! action, uses `max_a' Q(s',a')` there too).

use ndarray::Array2;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use super::agent::{Agent, Transition};
use super::schedule::Schedule;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rng;
use crate::traits::Hyperparams;

/// Which update rule (`--algo q-learning|sarsa` on the command line; `q` also works).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum TabularAlgorithm {
    /// Off-policy: bootstrap from the best next action.
    #[cfg_attr(feature = "cli", value(alias = "q"))]
    QLearning,
    /// On-policy: bootstrap from the next action taken.
    Sarsa,
}

/// A learnt action-value table, saved and loaded with [`Persist`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QTable {
    /// `q[(state, action)]`.
    pub q: Array2<f64>,
    /// The rule that learnt it.
    pub algorithm: TabularAlgorithm,
}

impl QTable {
    /// The greedy action in `state` (lowest index among ties).
    pub fn greedy(&self, state: usize) -> usize {
        let row = self.q.row(state);
        row.iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (a, &v)| if v > b.1 { (a, v) } else { b },
            )
            .0
    }

    /// `max_a Q(state, a)`.
    pub fn max_value(&self, state: usize) -> f64 {
        self.q
            .row(state)
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

impl Persist for QTable {
    const KIND: &'static str = "QTable";

    fn validate_loaded(&self) -> Result<()> {
        if self.q.is_empty() || self.q.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid("q", "table", "must be non-empty and finite"));
        }
        Ok(())
    }
}

/// A tabular agent: Q-learning or SARSA with an ε-greedy behaviour policy.
///
/// ```
/// use learnkit::envs::{GridWorld, MapSpec};
/// use learnkit::rl::{evaluate, train, Control, QLearning, Schedule, TrainConfig};
///
/// let mut env = GridWorld::new(MapSpec::cliff_walking())?;
/// let mut agent = QLearning::params()
///     .learning_rate(0.5)
///     .exploration(Schedule::Constant(0.1))
///     .seed(0)
///     .build(48, 4)?;
/// let config = TrainConfig::params().episodes(500);
/// train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
/// let eval = evaluate(&mut env, &mut agent, 1, 0, 1000)?;
/// assert_eq!(eval.mean_return, -13.0); // the shortest path along the cliff
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct QLearning {
    table: QTable,
    alpha: f64,
    gamma: f64,
    exploration: Schedule,
    episode: usize,
    rng: rng::Rng,
}

/// Hyper-parameters of a [`QLearning`] agent (defaults: α = 0.1, γ = 0.99, ε 1 → 0.05 linearly
/// over 1000 episodes, Q-learning, seed 0); [`QLearningParams::build`] makes the agent for an
/// environment's state and action counts.
#[derive(Debug, Clone, PartialEq)]
pub struct QLearningParams {
    alpha: f64,
    gamma: f64,
    exploration: Schedule,
    algorithm: TabularAlgorithm,
    seed: u64,
}

impl QLearning {
    /// The default hyper-parameters, to adjust with chained setters.
    pub fn params() -> QLearningParams {
        QLearningParams {
            alpha: 0.1,
            gamma: 0.99,
            exploration: Schedule::Linear {
                start: 1.0,
                end: 0.05,
                duration: 1000,
            },
            algorithm: TabularAlgorithm::QLearning,
            seed: 0,
        }
    }

    /// An agent that acts greedily from a learnt table (for evaluation or further training).
    pub fn from_table(table: QTable, seed: u64) -> Self {
        Self {
            table,
            alpha: 0.1,
            gamma: 0.99,
            exploration: Schedule::Constant(0.0),
            episode: 0,
            rng: rng::seeded(seed),
        }
    }

    /// The learnt table.
    pub fn table(&self) -> &QTable {
        &self.table
    }

    /// ε-greedy with random tie-breaking among the best actions.
    fn choose(&mut self, state: usize, epsilon: f64) -> usize {
        let n = self.table.q.ncols();
        if epsilon > 0.0 && self.rng.gen::<f64>() < epsilon {
            return self.rng.gen_range(0..n);
        }
        let row = self.table.q.row(state);
        let best = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ties = row.iter().filter(|&&v| v == best).count();
        if ties == 1 {
            return self.table.greedy(state);
        }
        let pick = self.rng.gen_range(0..ties);
        row.iter()
            .enumerate()
            .filter(|(_, &v)| v == best)
            .nth(pick)
            .map_or(0, |(a, _)| a)
    }
}

impl QLearningParams {
    /// Step size α in (0, 1].
    pub fn learning_rate(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Discount γ in [0, 1].
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    /// The ε schedule, per episode.
    pub fn exploration(mut self, schedule: Schedule) -> Self {
        self.exploration = schedule;
        self
    }

    /// Q-learning (default) or SARSA.
    pub fn algorithm(mut self, algorithm: TabularAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Random seed for exploration and tie-breaking.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the settings and builds an agent for `n_states` states and `n_actions` actions.
    pub fn build(&self, n_states: usize, n_actions: usize) -> Result<QLearning> {
        self.check()?;
        if n_states == 0 || n_actions == 0 {
            return Err(Error::invalid(
                "n_states/n_actions",
                format!("{n_states}/{n_actions}"),
                "both must be at least 1",
            ));
        }
        Ok(QLearning {
            table: QTable {
                q: Array2::zeros((n_states, n_actions)),
                algorithm: self.algorithm,
            },
            alpha: self.alpha,
            gamma: self.gamma,
            exploration: self.exploration,
            episode: 0,
            rng: rng::seeded(self.seed),
        })
    }
}

impl Hyperparams for QLearningParams {
    fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(Error::invalid(
                "learning_rate",
                self.alpha,
                "must lie in (0, 1]",
            ));
        }
        if !(0.0..=1.0).contains(&self.gamma) {
            return Err(Error::invalid("gamma", self.gamma, "must lie in [0, 1]"));
        }
        self.exploration.check()
    }
}

impl Agent<usize> for QLearning {
    fn act(&mut self, state: &usize, explore: bool) -> Result<usize> {
        if *state >= self.table.q.nrows() {
            return Err(Error::shape(
                "Q-table state",
                format!("states < {}", self.table.q.nrows()),
                *state,
            ));
        }
        let epsilon = if explore { self.epsilon() } else { 0.0 };
        Ok(self.choose(*state, epsilon))
    }

    fn learn(&mut self, t: &Transition<'_, usize>) -> Result<Option<f64>> {
        let (s, a, s2) = (*t.observation, t.action, *t.next_observation);
        if s >= self.table.q.nrows() || s2 >= self.table.q.nrows() || a >= self.table.q.ncols() {
            return Err(Error::shape(
                "Q-table index",
                format!(
                    "states < {}, actions < {}",
                    self.table.q.nrows(),
                    self.table.q.ncols()
                ),
                format!("state {s} → {s2}, action {a}"),
            ));
        }
        let bootstrap = if t.terminated {
            0.0
        } else {
            match (self.table.algorithm, t.next_action) {
                (TabularAlgorithm::Sarsa, Some(a2)) => self.table.q[(s2, a2)],
                _ => self.table.max_value(s2),
            }
        };
        let target = t.reward + self.gamma * bootstrap;
        let q = &mut self.table.q[(s, a)];
        let error = target - *q;
        *q += self.alpha * error;
        Ok(None)
    }

    fn end_episode(&mut self) {
        self.episode += 1;
    }

    fn epsilon(&self) -> f64 {
        self.exploration.value(self.episode)
    }

    fn check_env(&self, observation_space: &learnkit_envs::Space, n_actions: usize) -> Result<()> {
        let (states, actions) = self.table.q.dim();
        match observation_space {
            learnkit_envs::Space::Discrete(n) if *n == states && n_actions == actions => Ok(()),
            other => Err(Error::shape(
                "environment for this Q-table",
                format!("{states} discrete states and {actions} actions"),
                format!("{other:?} and {n_actions} actions"),
            )),
        }
    }
}
