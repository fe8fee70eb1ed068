//! Vector environments: N copies stepped in lock-step, each reset as its episode ends, with the
//! reset rule declared in the type ([`AutoReset`]), as Gymnasium's `autoreset_mode`.

use crate::{ContinuousEnv, Env, EnvError, Step};

/// When a finished copy is reset (Gymnasium's `AutoresetMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoReset {
    /// Gymnasium's default (`NEXT_STEP`): the step that ends an episode returns its final
    /// observation; the copy's *next* step ignores its action, resets the copy and returns the
    /// first observation of the new episode with reward 0 and both flags false
    /// ([`VecStep::reset`] is true).
    #[default]
    NextStep,
    /// `SAME_STEP`: the step that ends an episode also resets the copy; it returns the final
    /// step (reward, flags, final observation) and the new episode's first observation in
    /// [`VecStep::reset_observation`].
    SameStep,
}

/// The result of stepping one copy inside a [`VecEnv`].
#[derive(Debug, Clone)]
pub struct VecStep<O> {
    /// The step as the copy returned it (its observation is the final one if the episode
    /// ended; under [`AutoReset::NextStep`], after an ended episode, the reset observation with
    /// reward 0).
    pub step: Step<O>,
    /// [`AutoReset::SameStep`]: the first observation of the next episode, when this step ended
    /// one.
    pub reset_observation: Option<O>,
    /// [`AutoReset::NextStep`]: this entry is a reset (the action was ignored), not a
    /// transition to learn from.
    pub reset: bool,
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
/// under the declared [`AutoReset`] rule, for batched data collection.
///
/// ```
/// use learnkit_envs::{AutoReset, CartPole, VecEnv};
///
/// let mut envs = VecEnv::new(4, |_| CartPole::v1()); // Gymnasium's default: NextStep
/// assert_eq!(envs.autoreset(), AutoReset::NextStep);
/// let observations = envs.reset(7); // copy i seeded 7 + i, as Gymnasium's vector reset
/// let steps = envs.step(&[0, 1, 0, 1])?;
/// assert_eq!(observations.len(), steps.len());
/// # Ok::<(), learnkit_envs::EnvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct VecEnv<E> {
    envs: Vec<E>,
    mode: AutoReset,
    /// NextStep: the copy's last episode ended; its next step resets it.
    pending: Vec<bool>,
}

impl<E> VecEnv<E> {
    /// Builds `n` copies with `make(i)`, with Gymnasium's default [`AutoReset::NextStep`].
    pub fn new(n: usize, make: impl FnMut(usize) -> E) -> Self {
        Self::with_autoreset(n, make, AutoReset::NextStep)
    }

    /// Builds `n` copies with `make(i)` and the given reset rule.
    pub fn with_autoreset(n: usize, make: impl FnMut(usize) -> E, mode: AutoReset) -> Self {
        Self {
            envs: (0..n).map(make).collect(),
            mode,
            pending: vec![false; n],
        }
    }

    /// The reset rule.
    pub fn autoreset(&self) -> AutoReset {
        self.mode
    }

    /// Number of copies.
    pub fn len(&self) -> usize {
        self.envs.len()
    }

    /// True when there are no copies.
    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }
}

impl<E: Env> VecEnv<E> {
    /// Resets every copy; copy `i` is seeded with `seed + i`.
    pub fn reset(&mut self, seed: u64) -> Vec<E::Observation> {
        self.reset_with(seed, |e, s| e.reset(s))
    }

    /// Applies one action per copy (`actions.len()` must equal [`VecEnv::len`]).
    pub fn step(&mut self, actions: &[usize]) -> Result<Vec<VecStep<E::Observation>>, EnvError> {
        self.step_with(actions, |e, &a| e.step(a), |e| e.reset(None))
    }
}

impl<E: ContinuousEnv> VecEnv<E> {
    /// [`VecEnv::reset`] for copies with continuous actions: copy `i` is seeded with
    /// `seed + i`.
    pub fn reset_continuous(&mut self, seed: u64) -> Vec<E::Observation> {
        self.reset_with(seed, |e, s| e.reset(s))
    }

    /// [`VecEnv::step`] for copies with continuous actions: one action vector per copy.
    pub fn step_continuous(
        &mut self,
        actions: &[Vec<f64>],
    ) -> Result<Vec<VecStep<E::Observation>>, EnvError> {
        self.step_with(actions, |e, a| e.step(a), |e| e.reset(None))
    }
}

impl<E> VecEnv<E> {
    fn reset_with<O>(&mut self, seed: u64, reset: impl Fn(&mut E, Option<u64>) -> O) -> Vec<O> {
        self.pending.iter_mut().for_each(|p| *p = false);
        self.envs
            .iter_mut()
            .enumerate()
            .map(|(i, e)| reset(e, Some(seed.wrapping_add(i as u64))))
            .collect()
    }

    fn step_with<A, O>(
        &mut self,
        actions: &[A],
        step: impl Fn(&mut E, &A) -> Result<Step<O>, EnvError>,
        reset: impl Fn(&mut E) -> O,
    ) -> Result<Vec<VecStep<O>>, EnvError> {
        if actions.len() != self.envs.len() {
            return Err(EnvError::BatchSize {
                expected: self.envs.len(),
                got: actions.len(),
            });
        }
        let mode = self.mode;
        self.envs
            .iter_mut()
            .zip(self.pending.iter_mut())
            .zip(actions)
            .map(|((env, pending), a)| match mode {
                AutoReset::NextStep if *pending => {
                    *pending = false;
                    Ok(VecStep {
                        step: Step {
                            observation: reset(env),
                            reward: 0.0,
                            terminated: false,
                            truncated: false,
                        },
                        reset_observation: None,
                        reset: true,
                    })
                }
                AutoReset::NextStep => {
                    let step = step(env, a)?;
                    *pending = step.done();
                    Ok(VecStep {
                        step,
                        reset_observation: None,
                        reset: false,
                    })
                }
                AutoReset::SameStep => {
                    let step = step(env, a)?;
                    let reset_observation = step.done().then(|| reset(env));
                    Ok(VecStep {
                        step,
                        reset_observation,
                        reset: false,
                    })
                }
            })
            .collect()
    }

    /// The copies.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }
}
