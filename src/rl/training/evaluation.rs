//! Greedy evaluation, recorded episodes and solve checks.

use std::time::Instant;

use learnkit_envs::Env;
use serde::Serialize;

use super::{Control, EpisodeLog};
use crate::error::{Error, Result};
use crate::rl::agent::Agent;

/// Results of [`evaluate`].
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Return of each episode.
    pub returns: Vec<f64>,
    /// Mean return.
    pub mean_return: f64,
    /// Standard deviation of the returns.
    pub std_return: f64,
    /// Fraction of episodes the environment counted as a success (gridworld goal reached).
    pub success_rate: f64,
    /// Mean episode length.
    pub mean_length: f64,
}

/// The most episodes an evaluation plays (ten million: hours of play on any environment here).
pub const MAX_EVAL_EPISODES: usize = 10_000_000;

/// Runs `episodes` greedy episodes (no exploration, no learning); the first reset uses `seed`.
pub fn evaluate<E, A>(
    env: &mut E,
    agent: &mut A,
    episodes: usize,
    seed: u64,
    max_episode_steps: usize,
) -> Result<Evaluation>
where
    E: Env,
    A: Agent<E::Observation>,
{
    agent.check_env(&env.observation_space(), env.n_actions())?;
    if !(1..=MAX_EVAL_EPISODES).contains(&episodes) {
        return Err(Error::invalid(
            "episodes",
            episodes,
            format!("must lie in 1..={MAX_EVAL_EPISODES}"),
        ));
    }
    let mut returns = Vec::with_capacity(episodes.min(4096));
    let (mut successes, mut total_length) = (0usize, 0usize);
    for episode in 0..episodes {
        let mut observation = env.reset((episode == 0).then_some(seed));
        let mut total = 0.0;
        for length in 1..=max_episode_steps.max(1) {
            let step = env.step(agent.act(&observation, false)?)?;
            total += step.reward;
            if step.done() || length == max_episode_steps {
                successes += usize::from(step.done() && env.is_success());
                total_length += length;
                break;
            }
            observation = step.observation;
        }
        returns.push(total);
    }
    let mean = returns.iter().sum::<f64>() / episodes as f64;
    let var = returns.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / episodes as f64;
    Ok(Evaluation {
        mean_return: mean,
        std_return: var.sqrt(),
        success_rate: successes as f64 / episodes as f64,
        mean_length: total_length as f64 / episodes as f64,
        returns,
    })
}

/// One greedy episode from `reset(Some(seed))`, for animations: the observations from the first
/// to the last, and the reward of the step that led to each (0 for the first). At most
/// `max_episode_steps` steps.
pub fn record_episode<E, A>(
    env: &mut E,
    agent: &mut A,
    seed: u64,
    max_episode_steps: usize,
) -> Result<(Vec<E::Observation>, Vec<f64>)>
where
    E: Env,
    A: Agent<E::Observation>,
{
    agent.check_env(&env.observation_space(), env.n_actions())?;
    let mut observations = vec![env.reset(Some(seed))];
    let mut rewards = vec![0.0];
    for _ in 0..max_episode_steps {
        let last = observations.last().expect("the reset observation");
        let step = env.step(agent.act(last, false)?)?;
        observations.push(step.observation.clone());
        rewards.push(step.reward);
        if step.done() {
            break;
        }
    }
    Ok((observations, rewards))
}

/// A [`train`](super::train) callback that stops training once the greedy policy is solved: whenever a
/// training episode's return reaches `threshold` (and at most every `every` episodes), it
/// evaluates the greedy policy over `episodes` episodes of its own environment, from seeds the
/// final evaluation does not use, and stops when their mean reaches the threshold.
///
/// ```
/// use learnkit::envs::{GridWorld, MapSpec};
/// use learnkit::rl::{train, QLearning, Schedule, SolveCheck, TrainConfig};
///
/// let spec = MapSpec::cliff_walking();
/// let mut agent = QLearning::params()
///     .learning_rate(0.5)
///     .gamma(1.0)
///     .exploration(Schedule::Constant(0.1))
///     .build(48, 4)?;
/// // CliffWalking's best return is −13: stop once the greedy policy earns it.
/// let mut solved = SolveCheck::new(GridWorld::new(spec.clone())?, -13.0).episodes(1).max_episode_steps(100);
/// let config = TrainConfig::params().episodes(2000);
/// let report = train(&mut GridWorld::new(spec)?, &mut agent, &config, |log, agent| solved.check(log, agent))?;
/// assert!(solved.solved_at().is_some() && report.episodes.len() < 2000);
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug)]
pub struct SolveCheck<E> {
    env: E,
    threshold: f64,
    episodes: usize,
    every: usize,
    seed: u64,
    max_episode_steps: usize,
    stop: bool,
    confirmations: usize,
    last_check: Option<usize>,
    start: Instant,
    solved_at: Option<f64>,
    best: Option<Best>,
}

/// The best policy a [`SolveCheck`] has evaluated.
#[derive(Debug, Clone)]
struct Best {
    /// The lowest mean return among the check's evaluations (first and confirmations).
    score: f64,
    episode: usize,
    snapshot: Vec<f64>,
}

impl<E: Env> SolveCheck<E> {
    /// Checks against `threshold` on `env` (defaults: 100 greedy episodes, at most every 5
    /// training episodes, seed 0, episodes cut at the environment's own limit or 1000 steps,
    /// and training stops once solved).
    pub fn new(env: E, threshold: f64) -> Self {
        let max_episode_steps = env.max_episode_steps().unwrap_or(1000);
        Self {
            env,
            threshold,
            episodes: 100,
            every: 5,
            seed: 0,
            max_episode_steps,
            stop: true,
            confirmations: 0,
            last_check: None,
            start: Instant::now(),
            solved_at: None,
            best: None,
        }
    }

    /// Greedy episodes per check (≥ 1).
    pub fn episodes(mut self, n: usize) -> Self {
        self.episodes = n.max(1);
        self
    }

    /// At most one check per this many training episodes.
    pub fn every(mut self, n: usize) -> Self {
        self.every = n.max(1);
        self
    }

    /// Seed of the check's episodes (each check derives its own from the episode number).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Cut each check episode after this many steps.
    pub fn max_episode_steps(mut self, n: usize) -> Self {
        self.max_episode_steps = n.max(1);
        self
    }

    /// Whether a solved check stops training (default true); when false it records the time
    /// and goes on checking, keeping the best policy (see [`SolveCheck::restore_best`]).
    pub fn stop(mut self, yes: bool) -> Self {
        self.stop = yes;
        self
    }

    /// After a passing check, this many more checks on fresh episodes must pass too before the
    /// task counts as solved (default 0). Where returns are noisy (Acrobot), a single check of
    /// 100 episodes can pass by chance and the policy then fall short on fresh episodes.
    pub fn confirmations(mut self, n: usize) -> Self {
        self.confirmations = n;
        self
    }

    /// The training episode after which the best evaluated policy was seen, and its score (the
    /// lowest mean return of that check's evaluations), if any check ran on an agent that takes
    /// snapshots.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best.as_ref().map(|b| (b.episode, b.score))
    }

    /// Puts the best evaluated policy back into `agent`, as Stable-Baselines3's `EvalCallback`
    /// keeps its best model: a policy that passed the check is never lost to later training.
    /// Returns whether anything was restored (false when no check ran or the agent takes no
    /// snapshots). When training stopped at a solved check, the agent already holds that
    /// policy, which is the best by construction (every other check scored below the
    /// threshold).
    pub fn restore_best<A: Agent<E::Observation>>(&self, agent: &mut A) -> Result<bool> {
        match &self.best {
            Some(best) => agent.restore(&best.snapshot).map(|()| true),
            None => Ok(false),
        }
    }

    /// Seconds from this check's creation to the first solved check, if any.
    pub fn solved_at(&self) -> Option<f64> {
        self.solved_at
    }

    /// The callback: pass it to [`train`](super::train) as `|log, agent| check.check(log, agent)`.
    pub fn check<A: Agent<E::Observation>>(
        &mut self,
        log: &EpisodeLog,
        agent: &mut A,
    ) -> Result<Control> {
        let recent = self
            .last_check
            .is_some_and(|last| log.episode < last + self.every);
        let solved = self.solved_at.is_some();
        if (solved && self.stop) || log.episode_return < self.threshold || recent {
            return Ok(Control::Continue);
        }
        self.last_check = Some(log.episode);
        let seed = self.seed.wrapping_add(log.episode as u64);
        let eval = evaluate(
            &mut self.env,
            agent,
            self.episodes,
            seed,
            self.max_episode_steps,
        )?;
        let mut score = eval.mean_return;
        if score >= self.threshold {
            for k in 1..=self.confirmations as u64 {
                let again = evaluate(
                    &mut self.env,
                    agent,
                    self.episodes,
                    seed.wrapping_add(k.wrapping_mul(7_919_993)),
                    self.max_episode_steps,
                )?;
                score = score.min(again.mean_return);
                if score < self.threshold {
                    break;
                }
            }
        }
        if self.best.as_ref().is_none_or(|b| score > b.score) {
            if let Some(snapshot) = agent.snapshot()? {
                self.best = Some(Best {
                    score,
                    episode: log.episode,
                    snapshot,
                });
            }
        }
        if score < self.threshold || solved {
            return Ok(Control::Continue);
        }
        self.solved_at = Some(self.start.elapsed().as_secs_f64());
        Ok(if self.stop {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}
