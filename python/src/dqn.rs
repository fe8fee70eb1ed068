//! learnkit's DQN trained from Python (feature `dqn`). The extension then links the libtorch of
//! the `torch` package it was built against (`LIBTORCH_USE_PYTORCH=1`), and `learnkit` imports
//! `torch` first so that its libraries are loaded; training, acting and evaluation run in Rust
//! with the per-environment settings of `learnkit::rl::presets` (the `dqn_cartpole` example's).

use learnkit::rl::dqn::Dqn;
use learnkit::rl::presets::DqnTask;
use learnkit::rl::{evaluate, train, Agent, SolveCheck, TrainConfig};
use learnkit_envs::{Acrobot, CartPole, Env, MountainCar, TimeLimit};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::rl::returns_and_lengths;
use crate::{value_error, with_params};

/// An agent and the environment it trains on.
enum Task {
    CartPole(Dqn<[f64; 4]>),
    Acrobot(Dqn<[f64; 6]>),
    MountainCar(Dqn<[f64; 2]>),
}

/// Runs `$body` with `$agent` bound to the agent and `$make` to a function making its
/// environment.
macro_rules! each_task {
    ($task:expr, $agent:ident, $make:ident => $body:expr) => {
        match $task {
            Task::CartPole($agent) => {
                let $make = CartPole::v1;
                $body
            }
            Task::Acrobot($agent) => {
                let $make = Acrobot::v1;
                $body
            }
            Task::MountainCar($agent) => {
                let $make = MountainCar::v0;
                $body
            }
        }
    };
}

/// A DQN agent (3-step Double DQN by default) on CartPole-v1, Acrobot-v1 or MountainCar-v0.
#[pyclass(module = "learnkit._learnkit", unsendable)]
pub struct DqnAgent {
    task: Task,
    preset: DqnTask,
    seed: u64,
    steps_seen: usize,
}

fn build<O, E>(make: fn() -> TimeLimit<E>, config: learnkit::rl::dqn::DqnConfig) -> PyResult<Dqn<O>>
where
    E: Env<Observation = O>,
    O: learnkit_envs::Features + Clone,
{
    let env = make();
    Dqn::new(config, &env.observation_space(), env.n_actions()).map_err(value_error)
}

#[pymethods]
impl DqnAgent {
    /// An agent for `env` with learnkit's tuned settings for it (for a budget of `steps`
    /// environment steps), then `settings` by learnkit's names (`learning_rate`, `hidden`,
    /// `batch_size`, `n_step`, `double_dqn`, `dueling`, ...).
    #[new]
    #[pyo3(signature = (env, steps=100_000, seed=0, settings=Vec::new()))]
    fn new(
        env: &str,
        steps: usize,
        seed: u64,
        settings: Vec<(String, Bound<'_, PyAny>)>,
    ) -> PyResult<Self> {
        let preset = match env {
            "CartPole-v1" => DqnTask::CartPole,
            "Acrobot-v1" => DqnTask::Acrobot,
            "MountainCar-v0" => DqnTask::MountainCar,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown environment {other:?} for the DQN: expected CartPole-v1, \
                     Acrobot-v1 or MountainCar-v0"
                )))
            }
        };
        let config = with_params(preset.config(steps).seed(seed), &settings)?;
        let task = match preset {
            DqnTask::Acrobot => Task::Acrobot(build(Acrobot::v1, config)?),
            DqnTask::MountainCar => Task::MountainCar(build(MountainCar::v0, config)?),
            _ => Task::CartPole(build(CartPole::v1, config)?),
        };
        Ok(DqnAgent {
            task,
            preset,
            seed,
            steps_seen: 0,
        })
    }

    /// Trains for at most `max_env_steps` more environment steps; with `stop_when_solved`, stops
    /// once the greedy policy reaches the environment's threshold on 100 fresh episodes, and
    /// keeps the best network the checks saw. Returns each episode's return and length.
    #[pyo3(signature = (max_env_steps, stop_when_solved=true))]
    fn learn(
        &mut self,
        py: Python<'_>,
        max_env_steps: usize,
        stop_when_solved: bool,
    ) -> PyResult<(Vec<f64>, Vec<usize>)> {
        let threshold = self.preset.solved_threshold().unwrap_or(f64::INFINITY);
        let seed = self.seed.wrapping_add(self.steps_seen as u64);
        // Without the GIL: torch's Python autograd engine, registered once `torch` is imported,
        // refuses a backward pass from a thread that holds it.
        let task = &mut self.task;
        let report = py.detach(|| -> PyResult<_> {
            Ok(each_task!(task, agent, make => {
                let mut env = make();
                let max_len = env.max_episode_steps().unwrap_or(1000);
                let config = TrainConfig::params()
                    .episodes(usize::MAX / 2)
                    .max_env_steps(Some(max_env_steps))
                    .max_episode_steps(max_len)
                    .seed(seed);
                let mut check = SolveCheck::new(make(), threshold)
                    .seed(seed.wrapping_mul(7919).wrapping_add(17))
                    .stop(stop_when_solved);
                let report = train(&mut env, agent, &config, |log, agent| check.check(log, agent))
                    .map_err(value_error)?;
                check.restore_best(agent).map_err(value_error)?;
                report
            }))
        })?;
        self.steps_seen += report.env_steps;
        Ok(returns_and_lengths(&report))
    }

    /// Returns of `episodes` greedy episodes, the first reset seeded with `seed`.
    #[pyo3(signature = (episodes=100, seed=0))]
    fn evaluate(&mut self, py: Python<'_>, episodes: usize, seed: u64) -> PyResult<Vec<f64>> {
        let task = &mut self.task;
        py.detach(|| {
            each_task!(task, agent, make => {
                let mut env = make();
                let max_len = env.max_episode_steps().unwrap_or(1000);
                evaluate(&mut env, agent, episodes, seed, max_len)
                    .map(|e| e.returns)
                    .map_err(value_error)
            })
        })
    }

    /// The greedy action for `observation` (the environment's float vector).
    fn act(&mut self, observation: Vec<f64>) -> PyResult<usize> {
        fn greedy<const N: usize>(agent: &mut Dqn<[f64; N]>, o: &[f64]) -> PyResult<usize> {
            let o: [f64; N] = o.try_into().map_err(|_| {
                PyValueError::new_err(format!(
                    "an observation of {} values for a network of {N} inputs",
                    o.len()
                ))
            })?;
            agent.act(&o, false).map_err(value_error)
        }
        match &mut self.task {
            Task::CartPole(agent) => greedy(agent, &observation),
            Task::Acrobot(agent) => greedy(agent, &observation),
            Task::MountainCar(agent) => greedy(agent, &observation),
        }
    }

    /// Environment steps trained so far.
    #[getter]
    fn steps(&self) -> usize {
        self.steps_seen
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<DqnAgent>()
}
