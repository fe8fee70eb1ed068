//! Tabular agents trained from Python: Q-learning, SARSA, Expected SARSA and Double
//! Q-learning on learnkit's discrete environments, with the training loop in Rust (no Python
//! call per step). `learnkit/rl.py` documents the API.

use learnkit::rl::{
    evaluate, train, Agent, Control, QLearning, QLearningParams, Schedule, TabularAlgorithm,
    TrainConfig, TrainReport,
};
use learnkit::Hyperparams;
use learnkit_envs::gridworld::MapSpec;
use learnkit_envs::{Blackjack, Env, GridWorld, Taxi, TimeLimit};
use numpy::{IntoPyArray, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::value_error;

/// The discrete environments a tabular agent trains on.
enum Discrete {
    Taxi(TimeLimit<Taxi>),
    Blackjack(Blackjack),
    Grid(GridWorld),
}

const DISCRETE: &str = "Taxi-v4, Blackjack-v1, FrozenLake-v1, FrozenLake8x8-v1, CliffWalking-v1";

impl Discrete {
    fn new(name: &str) -> PyResult<Self> {
        let grid = |spec: MapSpec| GridWorld::new(spec).map(Discrete::Grid);
        let env = match name {
            "Taxi-v4" => Ok(Discrete::Taxi(Taxi::v4())),
            "Blackjack-v1" => Ok(Discrete::Blackjack(Blackjack::v1())),
            "FrozenLake-v1" => grid(MapSpec::frozen_lake_4x4(true)),
            "FrozenLake8x8-v1" => grid(MapSpec::frozen_lake_8x8(true)),
            "CliffWalking-v1" => grid(MapSpec::cliff_walking()),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown environment {other:?} for a tabular agent: expected one of {DISCRETE}"
                )))
            }
        };
        env.map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

/// Runs `$body` with `$e` bound to the environment inside `$env`.
macro_rules! each_discrete {
    ($env:expr, $e:ident => $body:expr) => {
        match $env {
            Discrete::Taxi($e) => $body,
            Discrete::Blackjack($e) => $body,
            Discrete::Grid($e) => $body,
        }
    };
}

/// A tabular agent and the environment it trains on.
#[pyclass(module = "learnkit._learnkit", unsendable)]
pub struct TabularAgent {
    env: Discrete,
    agent: QLearning,
    episodes_seen: usize,
    seed: u64,
}

#[pymethods]
impl TabularAgent {
    /// An agent for environment `env` (see `learnkit.rl.QLearning` for the parameters).
    #[new]
    #[pyo3(signature = (env, algorithm="q-learning", learning_rate=0.1, gamma=0.99,
                        epsilon_start=1.0, epsilon_end=0.05, epsilon_episodes=1000, seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        env: &str,
        algorithm: &str,
        learning_rate: f64,
        gamma: f64,
        epsilon_start: f64,
        epsilon_end: f64,
        epsilon_episodes: usize,
        seed: u64,
    ) -> PyResult<Self> {
        let env = Discrete::new(env)?;
        let params: QLearningParams = QLearning::params()
            .learning_rate(learning_rate)
            .gamma(gamma)
            .exploration(Schedule::Linear {
                start: epsilon_start,
                end: epsilon_end,
                duration: epsilon_episodes,
            })
            .seed(seed)
            .algorithm(algorithm.parse::<TabularAlgorithm>().map_err(value_error)?);
        params.check().map_err(value_error)?;
        let (n_states, n_actions) = each_discrete!(&env, e => {
            (e.observation_space().feature_len(), e.n_actions())
        });
        let agent = params.build(n_states, n_actions).map_err(value_error)?;
        Ok(TabularAgent {
            env,
            agent,
            episodes_seen: 0,
            seed,
        })
    }

    /// Trains for `episodes` more episodes (at most `max_env_steps` steps in all) and returns
    /// each episode's return and length.
    #[pyo3(signature = (episodes, max_env_steps=None))]
    fn learn(
        &mut self,
        py: Python<'_>,
        episodes: usize,
        max_env_steps: Option<usize>,
    ) -> PyResult<(Vec<f64>, Vec<usize>)> {
        let config = TrainConfig::params()
            .episodes(episodes)
            .max_env_steps(max_env_steps)
            // A later call continues the environment's stream from a new seed.
            .seed(self.seed.wrapping_add(self.episodes_seen as u64));
        let agent = &mut self.agent;
        let env = &mut self.env;
        let report = py
            .detach(
                || each_discrete!(env, e => train(e, agent, &config, |_, _| Ok(Control::Continue))),
            )
            .map_err(value_error)?;
        self.episodes_seen += report.episodes.len();
        Ok(returns_and_lengths(&report))
    }

    /// Plays `episodes` greedy episodes (first reset seeded with `seed`) and returns their
    /// returns.
    #[pyo3(signature = (episodes=100, seed=0))]
    fn evaluate(&mut self, py: Python<'_>, episodes: usize, seed: u64) -> PyResult<Vec<f64>> {
        let agent = &mut self.agent;
        let env = &mut self.env;
        py.detach(|| each_discrete!(env, e => evaluate(e, agent, episodes, seed, 10_000)))
            .map(|evaluation| evaluation.returns)
            .map_err(value_error)
    }

    /// The greedy action in `state`.
    fn act(&mut self, state: usize) -> PyResult<usize> {
        let n = self.agent.table().q.nrows();
        if state >= n {
            return Err(PyValueError::new_err(format!(
                "state {state}: the table has {n} states"
            )));
        }
        self.agent.act(&state, false).map_err(value_error)
    }

    /// The learnt table `Q[state, action]`.
    #[getter]
    fn q_table<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.agent.table().q.clone().into_pyarray(py)
    }

    /// Episodes trained so far.
    #[getter]
    fn episodes(&self) -> usize {
        self.episodes_seen
    }
}

/// Each episode's return and length, as the Python `learn` methods hand them back.
pub(crate) fn returns_and_lengths(report: &TrainReport) -> (Vec<f64>, Vec<usize>) {
    report
        .episodes
        .iter()
        .map(|e| (e.episode_return, e.length))
        .unzip()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TabularAgent>()
}
