use crate::{Env, EnvError, Step};

/// The result of stepping one copy inside a [`VecEnv`].
#[derive(Debug, Clone)]
pub struct VecStep<O> {
    /// The step as the copy returned it (its observation is the final one if the episode ended).
    pub step: Step<O>,
    /// The first observation of the next episode, when this step ended one (the copy was reset).
    pub reset_observation: Option<O>,
}

impl<O: Clone> VecStep<O> {
    /// The observation the next action should be chosen from.
    pub fn next_observation(&self) -> &O {
        self.reset_observation
            .as_ref()
            .unwrap_or(&self.step.observation)
    }
}

/// Steps `n` copies of an environment in lock-step, resetting each copy when its episode ends
/// (auto-reset), for batched data collection.
#[derive(Debug, Clone)]
pub struct VecEnv<E> {
    envs: Vec<E>,
}

impl<E: Env> VecEnv<E> {
    /// Builds `n` copies with `make(i)`.
    pub fn new(n: usize, make: impl FnMut(usize) -> E) -> Self {
        Self {
            envs: (0..n).map(make).collect(),
        }
    }

    /// Number of copies.
    pub fn len(&self) -> usize {
        self.envs.len()
    }

    /// True when there are no copies.
    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }

    /// Resets every copy; copy `i` is seeded with `seed + i`.
    pub fn reset(&mut self, seed: u64) -> Vec<E::Observation> {
        self.envs
            .iter_mut()
            .enumerate()
            .map(|(i, e)| e.reset(Some(seed.wrapping_add(i as u64))))
            .collect()
    }

    /// Applies one action per copy (`actions.len()` must equal [`VecEnv::len`]).
    pub fn step(&mut self, actions: &[usize]) -> Result<Vec<VecStep<E::Observation>>, EnvError> {
        if actions.len() != self.envs.len() {
            return Err(EnvError::BatchSize {
                expected: self.envs.len(),
                got: actions.len(),
            });
        }
        self.envs
            .iter_mut()
            .zip(actions)
            .map(|(env, &a)| {
                let step = env.step(a)?;
                let reset_observation = step.done().then(|| env.reset(None));
                Ok(VecStep {
                    step,
                    reset_observation,
                })
            })
            .collect()
    }

    /// The copies.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }
}
