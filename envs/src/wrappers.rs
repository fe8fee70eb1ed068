use crate::{ContinuousEnv, Env, EnvError, Space, Step};

/// Cuts episodes after `max_steps` steps by setting `truncated` (never `terminated`), as
/// Gymnasium's `TimeLimit`.
#[derive(Debug, Clone)]
pub struct TimeLimit<E> {
    env: E,
    max_steps: usize,
    elapsed: usize,
    done: bool,
}

impl<E> TimeLimit<E> {
    /// Wraps `env` with a limit of `max_steps` steps per episode.
    pub fn new(env: E, max_steps: usize) -> Self {
        Self {
            env,
            max_steps,
            elapsed: 0,
            done: true,
        }
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.env
    }

    /// The wrapped environment, mutably.
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.env
    }

    /// Steps taken in the current episode.
    pub fn elapsed(&self) -> usize {
        self.elapsed
    }
}

impl<E> TimeLimit<E> {
    /// Counts a step of the wrapped environment: `truncated` once the limit is reached.
    fn count<O>(&mut self, mut step: Step<O>) -> Step<O> {
        self.elapsed += 1;
        if self.elapsed >= self.max_steps && !step.terminated {
            step.truncated = true;
        }
        self.done = step.done();
        step
    }
}

impl<E: ContinuousEnv> ContinuousEnv for TimeLimit<E> {
    type Observation = E::Observation;

    fn observation_space(&self) -> Space {
        self.env.observation_space()
    }

    fn action_space(&self) -> Space {
        self.env.action_space()
    }

    fn reset(&mut self, seed: Option<u64>) -> E::Observation {
        self.elapsed = 0;
        self.done = false;
        self.env.reset(seed)
    }

    fn step(&mut self, action: &[f64]) -> Result<Step<E::Observation>, EnvError> {
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let step = self.env.step(action)?;
        Ok(self.count(step))
    }

    fn max_episode_steps(&self) -> Option<usize> {
        Some(self.max_steps)
    }
}

impl<E: Env> Env for TimeLimit<E> {
    type Observation = E::Observation;

    fn observation_space(&self) -> Space {
        self.env.observation_space()
    }

    fn n_actions(&self) -> usize {
        self.env.n_actions()
    }

    fn reset(&mut self, seed: Option<u64>) -> E::Observation {
        self.elapsed = 0;
        self.done = false;
        self.env.reset(seed)
    }

    fn step(&mut self, action: usize) -> Result<Step<E::Observation>, EnvError> {
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let step = self.env.step(action)?;
        Ok(self.count(step))
    }

    fn max_episode_steps(&self) -> Option<usize> {
        Some(self.max_steps)
    }

    fn is_success(&self) -> bool {
        self.env.is_success()
    }
}
