use std::path::PathBuf;
use std::time::Instant;

use learnkit_envs::Env;
use serde::Serialize;

use super::agent::{Agent, Transition};
use crate::error::{Error, Result};
use crate::traits::Hyperparams;

config_struct! {
/// How [`train`] runs.
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

/// The training progress bar: indicatif's with feature `progress`, nothing without it.
#[cfg(feature = "progress")]
fn progress_bar(config: &TrainConfig) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(config.episodes as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} episodes [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Without feature `progress`, `TrainConfig::progress` draws nothing.
#[cfg(not(feature = "progress"))]
fn progress_bar(_config: &TrainConfig) -> NoProgress {
    NoProgress
}

#[cfg(not(feature = "progress"))]
struct NoProgress;

#[cfg(not(feature = "progress"))]
impl NoProgress {
    fn inc(&self, _: u64) {}
    fn set_message(&self, _: String) {}
    fn finish_and_clear(&self) {}
}

/// Trains `agent` on `env` for up to `config.episodes` episodes, calling `callback` after each
/// one with the episode's log and the agent (to evaluate it, checkpoint it, or stop). Works for
/// every agent and every environment with discrete actions.
pub fn train<E, A>(
    env: &mut E,
    agent: &mut A,
    config: &TrainConfig,
    mut callback: impl FnMut(&EpisodeLog, &mut A) -> Result<Control>,
) -> Result<TrainReport>
where
    E: Env,
    A: Agent<E::Observation>,
{
    config.check()?;
    agent.check_env(&env.observation_space(), env.n_actions())?;
    let start = Instant::now();
    let bar = progress_bar(config);
    let mut report = TrainReport {
        episodes: Vec::with_capacity(config.episodes.min(4096)),
        env_steps: 0,
        seconds: 0.0,
        seconds_to_target: None,
    };
    let mut recent = std::collections::VecDeque::with_capacity(config.window);
    let mut recent_sum = 0.0;
    for episode in 0..config.episodes {
        let seed = (episode == 0).then_some(config.seed);
        let mut observation = env.reset(seed);
        let mut action = agent.act(&observation, true)?;
        let epsilon = agent.epsilon();
        let (mut episode_return, mut length) = (0.0, 0usize);
        let (mut loss_sum, mut loss_count) = (0.0, 0usize);
        let terminated = loop {
            let step = env.step(action)?;
            length += 1;
            report.env_steps += 1;
            episode_return += step.reward;
            let cut = length >= config.max_episode_steps
                || config.max_env_steps.is_some_and(|m| report.env_steps >= m);
            let truncated = step.truncated || (cut && !step.terminated);
            let done = step.terminated || truncated;
            let next_action = if done {
                None
            } else {
                Some(agent.act(&step.observation, true)?)
            };
            let loss = agent.learn(&Transition {
                observation: &observation,
                action,
                reward: step.reward,
                next_observation: &step.observation,
                next_action,
                terminated: step.terminated,
                truncated,
            })?;
            if let Some(l) = loss {
                loss_sum += l;
                loss_count += 1;
            }
            if done {
                break step.terminated;
            }
            observation = step.observation;
            action = next_action.unwrap_or(0);
        };
        agent.end_episode();
        let log = EpisodeLog {
            episode,
            episode_return,
            length,
            epsilon,
            loss: (loss_count > 0).then(|| loss_sum / loss_count as f64),
            wall_seconds: start.elapsed().as_secs_f64(),
            env_steps: report.env_steps,
            terminated,
        };
        if recent.len() == config.window {
            recent_sum -= recent.pop_front().unwrap_or(0.0);
        }
        recent.push_back(episode_return);
        recent_sum += episode_return;
        let mean = recent_sum / recent.len() as f64;
        bar.inc(1);
        if episode % 16 == 0 {
            bar.set_message(format!("mean return {mean:.2} (last {})", recent.len()));
        }
        let control = callback(&log, agent)?;
        report.episodes.push(log);
        let reached = config
            .target_mean_return
            .is_some_and(|t| recent.len() == config.window && mean >= t);
        if reached && report.seconds_to_target.is_none() {
            report.seconds_to_target = Some(start.elapsed().as_secs_f64());
        }
        if reached
            || control == Control::Stop
            || config.max_env_steps.is_some_and(|m| report.env_steps >= m)
        {
            break;
        }
    }
    bar.finish_and_clear();
    report.seconds = start.elapsed().as_secs_f64();
    if let Some(path) = &config.log_csv {
        write_log(path, &report.episodes)?;
    }
    Ok(report)
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
    if episodes == 0 {
        return Err(Error::invalid("episodes", 0, "must be at least 1"));
    }
    let mut returns = Vec::with_capacity(episodes);
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

/// A [`train`] callback that stops training once the greedy policy is solved: whenever a
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

    /// Whether a solved check stops training (default true); when false it only records the
    /// time.
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

    /// Seconds from this check's creation to the first solved check, if any.
    pub fn solved_at(&self) -> Option<f64> {
        self.solved_at
    }

    /// The callback: pass it to [`train`] as `|log, agent| check.check(log, agent)`.
    pub fn check<A: Agent<E::Observation>>(
        &mut self,
        log: &EpisodeLog,
        agent: &mut A,
    ) -> Result<Control> {
        let recent = self
            .last_check
            .is_some_and(|last| log.episode < last + self.every);
        if self.solved_at.is_some() || log.episode_return < self.threshold || recent {
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
        if eval.mean_return < self.threshold {
            return Ok(Control::Continue);
        }
        for k in 1..=self.confirmations as u64 {
            let again = evaluate(
                &mut self.env,
                agent,
                self.episodes,
                seed.wrapping_add(k.wrapping_mul(7_919_993)),
                self.max_episode_steps,
            )?;
            if again.mean_return < self.threshold {
                return Ok(Control::Continue);
            }
        }
        self.solved_at = Some(self.start.elapsed().as_secs_f64());
        Ok(if self.stop {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}
