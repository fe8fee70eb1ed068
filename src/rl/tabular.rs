//! Tabular Q-learning, SARSA, Expected SARSA and Double Q-learning over discrete states and
//! actions.
//!
//! All keep a table `Q(s, a)` and move it towards a one-step target after every step:
//!
//! * Q-learning (off-policy): `Q(s,a) += α · (r + γ · max_a' Q(s',a') − Q(s,a))`
//! * SARSA (on-policy): `Q(s,a) += α · (r + γ · Q(s',a') − Q(s,a))` with `a'` the action the
//!   ε-greedy policy actually takes next.
//! * Expected SARSA: the expectation of `Q(s',·)` under the ε-greedy policy instead of one
//!   sampled action: `ε · mean_a' Q(s',a') + (1 − ε) · max_a' Q(s',a')` — SARSA's target
//!   without its sampling noise.
//! * Double Q-learning (van Hasselt 2010): two tables; each step updates one of them (a fair
//!   coin from the seed) towards `r + γ · Q_other(s', argmax_a' Q_this(s',a'))`, which removes
//!   Q-learning's upward bias from taking the max of noisy estimates. The agent acts on, and
//!   [`QLearning::table`] holds, the mean of the two.
//!
//! When the episode *terminated* the target is `r` alone; when a time limit *truncated* it, the
//! next state still has value and every rule bootstraps from it (SARSA, which has no next
//! action there, uses `max_a' Q(s',a')`).
//!
//! The exploration rate ε follows a [`Schedule`] counted in episodes (the default) or in
//! environment steps ([`QLearningParams::epsilon_clock`]); [`QLearning::epsilon_clock`]
//! says which.

use ndarray::Array2;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use super::agent::{Agent, Transition};
use super::schedule::Schedule;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rng;
use crate::traits::Hyperparams;

/// Which update rule (`--algo q-learning|sarsa|expected-sarsa|double-q` on the command line;
/// `q` also works).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TabularAlgorithm {
    /// Off-policy: bootstrap from the best next action.
    QLearning,
    /// On-policy: bootstrap from the next action taken.
    Sarsa,
    /// On-policy, in expectation over the ε-greedy policy's next action.
    ExpectedSarsa,
    /// Two tables, each evaluating the other's greedy action.
    DoubleQLearning,
}

impl TabularAlgorithm {
    /// Every rule, in the order of [`TabularAlgorithm::name`]'s list.
    pub const ALL: [TabularAlgorithm; 4] = [
        TabularAlgorithm::QLearning,
        TabularAlgorithm::Sarsa,
        TabularAlgorithm::ExpectedSarsa,
        TabularAlgorithm::DoubleQLearning,
    ];

    /// The rule's name on a command line: `q-learning`, `sarsa`, `expected-sarsa`, `double-q`
    /// (what [`str::parse`] reads back; it also takes `q` and `double-q-learning`).
    pub fn name(self) -> &'static str {
        match self {
            TabularAlgorithm::QLearning => "q-learning",
            TabularAlgorithm::Sarsa => "sarsa",
            TabularAlgorithm::ExpectedSarsa => "expected-sarsa",
            TabularAlgorithm::DoubleQLearning => "double-q",
        }
    }

    /// The rule's name for reports ("Q-learning", "SARSA", ...).
    pub fn label(self) -> &'static str {
        match self {
            TabularAlgorithm::QLearning => "Q-learning",
            TabularAlgorithm::Sarsa => "SARSA",
            TabularAlgorithm::ExpectedSarsa => "Expected SARSA",
            TabularAlgorithm::DoubleQLearning => "Double Q-learning",
        }
    }
}

impl std::str::FromStr for TabularAlgorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "q" | "double-q-learning" => Ok(if s == "q" {
                TabularAlgorithm::QLearning
            } else {
                TabularAlgorithm::DoubleQLearning
            }),
            _ => TabularAlgorithm::ALL
                .into_iter()
                .find(|a| a.name() == s)
                .ok_or_else(|| {
                    Error::invalid(
                        "algorithm",
                        crate::data::shown(s),
                        "one of q-learning, sarsa, expected-sarsa, double-q",
                    )
                }),
        }
    }
}

/// What an exploration [`Schedule`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EpsilonClock {
    /// ε advances once per finished episode (the default).
    PerEpisode,
    /// ε advances once per environment step (per learning update).
    PerStep,
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
            return Err(Error::invalid_model(
                "Q-table: empty, or a non-finite value",
            ));
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
    clock: EpsilonClock,
    episode: usize,
    steps: usize,
    /// Double Q-learning's two tables (`table.q` is their mean).
    pair: Option<(Array2<f64>, Array2<f64>)>,
    rng: rng::Rng,
}

hyperparams! {
    /// Hyper-parameters of a [`QLearning`] agent (defaults: α = 0.1, γ = 0.99, ε 1 → 0.05 linearly
    /// over 1000 episodes, Q-learning, seed 0); [`QLearningParams::build`] makes the agent for an
    /// environment's state and action counts.
    #[derive(Debug, Clone, PartialEq)]
    pub struct QLearningParams {
        /// Step size α in (0, 1] (default 0.1).
        pub(crate) learning_rate: f64 = 0.1, valid |a| *a > 0.0 && *a <= 1.0, "must lie in (0, 1]";
        /// Discount γ in [0, 1] (default 0.99).
        pub(crate) gamma: f64 = 0.99, valid |g| (0.0..=1.0).contains(g), "must lie in [0, 1]";
        /// The ε schedule (default 1 → 0.05 linearly over 1000 episodes).
        pub(crate) exploration: Schedule = Schedule::Linear {
            start: 1.0,
            end: 0.05,
            duration: 1000,
        };
        /// What the ε schedule counts: episodes (default) or environment steps.
        pub(crate) epsilon_clock: EpsilonClock = EpsilonClock::PerEpisode;
        /// The update rule (default Q-learning).
        pub(crate) algorithm: TabularAlgorithm = TabularAlgorithm::QLearning;
        /// Random seed for exploration and tie-breaking (default 0).
        pub(crate) seed: u64 = 0;
    }
    check check_schedule;
}

impl QLearning {
    /// The default hyper-parameters, to adjust with chained setters.
    pub fn params() -> QLearningParams {
        QLearningParams::defaults()
    }

    /// An agent that acts greedily from a learnt table (for evaluation or further training).
    pub fn from_table(table: QTable, seed: u64) -> Self {
        Self {
            table,
            alpha: 0.1,
            gamma: 0.99,
            exploration: Schedule::Constant(0.0),
            clock: EpsilonClock::PerEpisode,
            episode: 0,
            steps: 0,
            pair: None,
            rng: rng::seeded(seed),
        }
    }

    /// The learnt table (for Double Q-learning, the mean of its two tables).
    pub fn table(&self) -> &QTable {
        &self.table
    }

    /// What the exploration schedule counts.
    pub fn epsilon_clock(&self) -> EpsilonClock {
        self.clock
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
        let zeros = Array2::zeros((n_states, n_actions));
        Ok(QLearning {
            pair: (self.algorithm == TabularAlgorithm::DoubleQLearning)
                .then(|| (zeros.clone(), zeros.clone())),
            table: QTable {
                q: zeros,
                algorithm: self.algorithm,
            },
            alpha: self.learning_rate,
            gamma: self.gamma,
            exploration: self.exploration,
            clock: self.epsilon_clock,
            episode: 0,
            steps: 0,
            rng: rng::seeded(self.seed),
        })
    }
}

impl QLearningParams {
    fn check_schedule(&self) -> Result<()> {
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
        let epsilon = self.epsilon();
        self.steps += 1;
        if let Some((qa, qb)) = self.pair.as_mut() {
            // Update one table towards the other's value of its own greedy action.
            let (this, other) = if self.rng.gen::<bool>() {
                (qa, &*qb)
            } else {
                (qb, &*qa)
            };
            let bootstrap = if t.terminated {
                0.0
            } else {
                let row = this.row(s2);
                let best = row
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                    )
                    .0;
                other[(s2, best)]
            };
            let target = t.reward + self.gamma * bootstrap;
            this[(s, a)] += self.alpha * (target - this[(s, a)]);
            let (qa, qb) = self.pair.as_ref().expect("double tables");
            self.table.q[(s, a)] = 0.5 * (qa[(s, a)] + qb[(s, a)]);
            return Ok(None);
        }
        let bootstrap = if t.terminated {
            0.0
        } else {
            match (self.table.algorithm, t.next_action) {
                (TabularAlgorithm::Sarsa, Some(a2)) => self.table.q[(s2, a2)],
                (TabularAlgorithm::ExpectedSarsa, _) => {
                    let row = self.table.q.row(s2);
                    let mean = row.sum() / row.len() as f64;
                    epsilon * mean + (1.0 - epsilon) * self.table.max_value(s2)
                }
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

    /// The Q-table, row-major.
    fn snapshot(&self) -> Result<Option<Vec<f64>>> {
        Ok(Some(self.table.q.iter().copied().collect()))
    }

    /// Writes a snapshot back into the Q-table (Double Q-learning: into both tables).
    fn restore(&mut self, snapshot: &[f64]) -> Result<()> {
        if snapshot.len() != self.table.q.len() {
            return Err(Error::shape(
                "Q-table snapshot",
                format!("{} values", self.table.q.len()),
                snapshot.len(),
            ));
        }
        for (q, &v) in self.table.q.iter_mut().zip(snapshot) {
            *q = v;
        }
        if let Some((a, b)) = &mut self.pair {
            a.assign(&self.table.q);
            b.assign(&self.table.q);
        }
        Ok(())
    }

    fn epsilon(&self) -> f64 {
        match self.clock {
            EpsilonClock::PerEpisode => self.exploration.value(self.episode),
            EpsilonClock::PerStep => self.exploration.value(self.steps),
        }
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
