//! The training loops: one environment ([`train`]) or a vector of them ([`train_vec`]), with
//! their episode bookkeeping and progress bar.

use std::time::Instant;

use learnkit_envs::{Env, VecEnv};

use super::{write_log, Control, EpisodeLog, TrainConfig, TrainReport};
use crate::error::{Error, Result};
use crate::rl::agent::{Agent, Transition};
use crate::traits::Hyperparams;

/// The training progress bar: indicatif's with feature `progress`, nothing without it.
#[cfg(feature = "progress")]
fn progress_bar(config: &TrainConfig) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if !config.progress {
        return ProgressBar::hidden();
    }
    // A step budget (the DQN's) is what ends training: the bar counts steps then.
    let (len, unit) = match config.max_env_steps {
        Some(steps) => (steps, "steps"),
        None => (config.episodes, "episodes"),
    };
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:30}} {{pos}}/{{len}} {unit} [{{elapsed}}] {{msg}}"
        ))
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
    fn set_position(&self, _: u64) {}
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
        match config.max_env_steps {
            Some(_) => self.bar.set_position(self.report.env_steps as u64),
            None => self.bar.inc(1),
        }
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
