use std::path::PathBuf;
use std::time::Instant;

use learnkit_envs::{Env, VecEnv};
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

#[cfg(feature = "progress")]
type Bar = indicatif::ProgressBar;
#[cfg(not(feature = "progress"))]
type Bar = NoProgress;

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

/// The bookkeeping [`train`] and [`train_vec`] share: the report, the moving window, the
/// progress bar, the callback and the stopping rules.
struct Book<'c> {
    config: &'c TrainConfig,
    start: Instant,
    bar: Bar,
    report: TrainReport,
    recent: std::collections::VecDeque<f64>,
    recent_sum: f64,
}

/// One finished episode, as the loops hand it to [`Book::finish`].
struct Finished {
    episode_return: f64,
    length: usize,
    epsilon: f64,
    loss_sum: f64,
    loss_count: usize,
    terminated: bool,
}

impl Finished {
    /// An episode that has not taken a step yet, run at exploration rate `epsilon`.
    fn start(epsilon: f64) -> Self {
        Finished {
            episode_return: 0.0,
            length: 0,
            epsilon,
            loss_sum: 0.0,
            loss_count: 0,
            terminated: false,
        }
    }
}

impl<'c> Book<'c> {
    fn new(config: &'c TrainConfig) -> Self {
        Book {
            config,
            start: Instant::now(),
            bar: progress_bar(config),
            report: TrainReport {
                episodes: Vec::with_capacity(config.episodes.min(4096)),
                env_steps: 0,
                seconds: 0.0,
                seconds_to_target: None,
            },
            recent: std::collections::VecDeque::with_capacity(config.window),
            recent_sum: 0.0,
        }
    }
}

impl Book<'_> {
    /// Whether the step budget is spent.
    fn out_of_steps(&self) -> bool {
        self.config
            .max_env_steps
            .is_some_and(|m| self.report.env_steps >= m)
    }

    /// Logs a finished episode and calls the callback; true when training must stop.
    fn finish<A>(
        &mut self,
        agent: &mut A,
        episode: Finished,
        callback: &mut impl FnMut(&EpisodeLog, &mut A) -> Result<Control>,
    ) -> Result<bool> {
        let config = self.config;
        let log = EpisodeLog {
            episode: self.report.episodes.len(),
            episode_return: episode.episode_return,
            length: episode.length,
            epsilon: episode.epsilon,
            loss: (episode.loss_count > 0).then(|| episode.loss_sum / episode.loss_count as f64),
            wall_seconds: self.start.elapsed().as_secs_f64(),
            env_steps: self.report.env_steps,
            terminated: episode.terminated,
        };
        if self.recent.len() == config.window {
            self.recent_sum -= self.recent.pop_front().unwrap_or(0.0);
        }
        self.recent.push_back(episode.episode_return);
        self.recent_sum += episode.episode_return;
        let mean = self.recent_sum / self.recent.len() as f64;
        self.bar.inc(1);
        if log.episode % 16 == 0 {
            self.bar.set_message(format!(
                "mean return {mean:.2} (last {})",
                self.recent.len()
            ));
        }
        let control = callback(&log, agent)?;
        self.report.episodes.push(log);
        let reached = config
            .target_mean_return
            .is_some_and(|t| self.recent.len() == config.window && mean >= t);
        if reached && self.report.seconds_to_target.is_none() {
            self.report.seconds_to_target = Some(self.start.elapsed().as_secs_f64());
        }
        Ok(reached
            || control == Control::Stop
            || self.out_of_steps()
            || self.report.episodes.len() >= config.episodes)
    }

    /// Closes the bar, stamps the time and writes the log file.
    fn close(mut self) -> Result<TrainReport> {
        self.bar.finish_and_clear();
        self.report.seconds = self.start.elapsed().as_secs_f64();
        if let Some(path) = &self.config.log_csv {
            write_log(path, &self.report.episodes)?;
        }
        Ok(self.report)
    }
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
    let mut book = Book::new(config);
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
            book.report.env_steps += 1;
            episode_return += step.reward;
            let cut = length >= config.max_episode_steps || book.out_of_steps();
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
                env: 0,
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
        let finished = Finished {
            episode_return,
            length,
            epsilon,
            loss_sum,
            loss_count,
            terminated,
        };
        if book.finish(agent, finished, &mut callback)? {
            break;
        }
    }
    book.close()
}

/// [`train`] on the copies of a vector environment, stepped in lock-step: each round, the agent
/// chooses the copies' actions in one [`Agent::act_batch`] call and learns from each copy's
/// transition in copy order. Under [`learnkit_envs::AutoReset::NextStep`] (Gymnasium's default) the step
/// after an episode's end is a reset, not a transition: nothing is learned from the final
/// observation of one episode to the first of the next; a truncated episode still bootstraps
/// from its last observation. Episodes are logged in the order they finish; the copies are
/// seeded `config.seed + i` at the start.
///
/// Every copy needs its own time limit ([`Env::max_episode_steps`]; wrap it in a
/// [`learnkit_envs::TimeLimit`] if it has none): a vector environment resets only copies
/// whose episode ended. When the step budget runs out, episodes still running are not logged.
pub fn train_vec<E, A>(
    envs: &mut VecEnv<E>,
    agent: &mut A,
    config: &TrainConfig,
    mut callback: impl FnMut(&EpisodeLog, &mut A) -> Result<Control>,
) -> Result<TrainReport>
where
    E: Env,
    A: Agent<E::Observation>,
{
    config.check()?;
    let Some(first) = envs.envs().first() else {
        return Err(Error::invalid("envs", 0, "needs at least one copy"));
    };
    agent.check_env(&first.observation_space(), first.n_actions())?;
    if envs.envs().iter().any(|e| e.max_episode_steps().is_none()) {
        return Err(Error::invalid(
            "envs",
            "a copy without a time limit",
            "every copy needs one (wrap it in TimeLimit)",
        ));
    }
    let n = envs.len();
    let mut book = Book::new(config);
    let mut observations = envs.reset(config.seed);
    let mut running: Vec<Finished> = (0..n).map(|_| Finished::start(agent.epsilon())).collect();
    let mut actions = agent.act_batch(&observations, true)?;
    loop {
        let steps = envs.step(&actions)?;
        let next: Vec<E::Observation> =
            steps.iter().map(|s| s.next_observation().clone()).collect();
        // Copies whose episode just ended reset on their next step, ignoring the action: only
        // the others act (so one copy draws exactly what the single-environment loop draws).
        // The step that spends the budget ends its episode too.
        let mut budget = config
            .max_env_steps
            .map(|m| m.saturating_sub(book.report.env_steps));
        let mut acting = Vec::with_capacity(n);
        for (i, s) in steps.iter().enumerate() {
            let mut cut = false;
            if let (false, Some(b)) = (s.reset, budget.as_mut()) {
                cut = *b <= 1;
                *b = b.saturating_sub(1);
            }
            if !(s.step.done() || cut) {
                acting.push(i);
            }
        }
        let chosen = if acting.len() == n {
            agent.act_batch(&next, true)?
        } else {
            let batch: Vec<E::Observation> = acting.iter().map(|&i| next[i].clone()).collect();
            agent.act_batch(&batch, true)?
        };
        let mut next_actions = vec![0; n];
        for (&i, a) in acting.iter().zip(chosen) {
            next_actions[i] = a;
        }
        for (i, s) in steps.iter().enumerate() {
            if s.reset {
                running[i].epsilon = agent.epsilon();
                continue;
            }
            let episode = &mut running[i];
            episode.length += 1;
            episode.episode_return += s.step.reward;
            book.report.env_steps += 1;
            let truncated = s.step.truncated || (book.out_of_steps() && !s.step.terminated);
            let done = s.step.terminated || truncated;
            let loss = agent.learn(&Transition {
                observation: &observations[i],
                action: actions[i],
                reward: s.step.reward,
                next_observation: &s.step.observation,
                next_action: (!done).then_some(next_actions[i]),
                terminated: s.step.terminated,
                truncated,
                env: i,
            })?;
            if let Some(l) = loss {
                episode.loss_sum += l;
                episode.loss_count += 1;
            }
            if done {
                episode.terminated = s.step.terminated;
                agent.end_episode();
                let epsilon = agent.epsilon();
                let finished = std::mem::replace(episode, Finished::start(epsilon));
                if book.finish(agent, finished, &mut callback)? {
                    return book.close();
                }
            }
            if book.out_of_steps() {
                return book.close();
            }
        }
        observations = next;
        actions = next_actions;
    }
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

    /// The callback: pass it to [`train`] as `|log, agent| check.check(log, agent)`.
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
