//! # learnkit-envs
//!
//! Reinforcement-learning environments with Gymnasium's contract: [`Env::reset`] returns the
//! first observation, [`Env::step`] returns the next observation, the reward, and whether the
//! episode `terminated` (a real end: a hole, the goal, the pole fell) or was `truncated` (a time
//! limit cut it). Stepping a finished episode is an error. Each environment is deterministic
//! given its seed.
//!
//! * [`GridWorld`] — ASCII maps: FrozenLake 4×4 and 8×8, CliffWalking, or any map file.
//! * [`CartPole`], [`MountainCar`], [`Acrobot`] — Gymnasium's CartPole-v1, MountainCar-v0 and
//!   Acrobot-v1, step for step.
//! * [`Taxi`] and [`Blackjack`] — Gymnasium's Taxi-v4 (with its rainy and fickle-passenger
//!   options) and Blackjack-v1.
//! * [`Pendulum`] and [`MountainCarContinuous`] — Gymnasium's Pendulum-v1 and
//!   MountainCarContinuous-v0, with continuous actions ([`ContinuousEnv`]).
//!
//! Every Gymnasium environment here draws its randomness as Gymnasium does — NumPy's
//! `SeedSequence` → `PCG64` → `Generator` ported bit for bit ([`np_random`]) — so
//! `reset(Some(seed))` gives the episode Gymnasium's `reset(seed=seed)` gives, and the same
//! actions then give the same observations (the `env_rollout` example prints them to diff).
//! * [`TimeLimit`] — truncates an episode after a number of steps.
//! * [`VecEnv`] — steps N copies of an environment, resetting each as its episode ends, with
//!   Gymnasium's `NEXT_STEP` rule by default or `SAME_STEP` ([`AutoReset`]).
#![warn(missing_docs)]

pub mod acrobot;
pub mod blackjack;
pub mod cartpole;
mod error;
pub mod gridworld;
pub mod mountain_car;
pub mod mountain_car_continuous;
pub mod np_random;
pub mod pendulum;
mod space;
pub mod taxi;
mod vec_env;
mod wrappers;

pub use acrobot::Acrobot;
pub use blackjack::Blackjack;
pub use cartpole::{CartPole, CartPoleState};
pub use error::EnvError;
pub use gridworld::{safe_name, Cell, GridAction, GridWorld, MapSpec, MAX_SIDE};
pub use mountain_car::MountainCar;
pub use mountain_car_continuous::MountainCarContinuous;
pub use np_random::NpRandom;
pub use pendulum::Pendulum;
pub use space::Space;
pub use taxi::{Taxi, TaxiOptions};
pub use vec_env::{AutoReset, VecEnv, VecStep};
pub use wrappers::TimeLimit;

/// What one step returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<O> {
    /// The observation after the action.
    pub observation: O,
    /// The reward for the transition.
    pub reward: f64,
    /// The episode reached a terminal state: do not bootstrap past it.
    pub terminated: bool,
    /// The episode was cut short (time limit): the state is not terminal.
    pub truncated: bool,
}

impl<O> Step<O> {
    /// True when the episode is over, for either reason.
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// An environment with discrete actions, in the Gymnasium style.
pub trait Env {
    /// What the agent observes: a state index for gridworlds, a vector for CartPole.
    type Observation: Clone;

    /// The set of observations.
    fn observation_space(&self) -> Space;

    /// The number of discrete actions.
    fn n_actions(&self) -> usize;

    /// Starts a new episode. `Some(seed)` re-seeds the environment's generator; `None`
    /// continues its stream (as Gymnasium).
    fn reset(&mut self, seed: Option<u64>) -> Self::Observation;

    /// Applies `action`. Fails on an invalid action or when the episode is over.
    fn step(&mut self, action: usize) -> Result<Step<Self::Observation>, EnvError>;

    /// The step limit after which episodes are truncated, if the environment has one.
    fn max_episode_steps(&self) -> Option<usize> {
        None
    }

    /// Whether the episode that just ended counts as a success (a gridworld's goal reached).
    fn is_success(&self) -> bool {
        false
    }
}

/// An environment with continuous actions (a [`Space::Box`] of action vectors), in the
/// Gymnasium style. Actions are single-precision in Gymnasium's spaces, so each value is
/// rounded to `f32` first and the dynamics then follow NumPy's arithmetic on it: the same
/// seed and actions give Gymnasium's episode. A value outside the bounds is clipped as the
/// environment does; a NaN or infinite value, or a vector of another length, is an error.
pub trait ContinuousEnv {
    /// What the agent observes.
    type Observation: Clone;

    /// The set of observations.
    fn observation_space(&self) -> Space;

    /// The set of actions: a [`Space::Box`].
    fn action_space(&self) -> Space;

    /// Starts a new episode. `Some(seed)` re-seeds the environment's generator; `None`
    /// continues its stream (as Gymnasium).
    fn reset(&mut self, seed: Option<u64>) -> Self::Observation;

    /// Applies `action`. Fails on a malformed action or when the episode is over.
    fn step(&mut self, action: &[f64]) -> Result<Step<Self::Observation>, EnvError>;

    /// The step limit after which episodes are truncated, if the environment has one.
    fn max_episode_steps(&self) -> Option<usize> {
        None
    }
}

/// `action` as single-precision values (Gymnasium's `Box` dtype), after checking it has
/// `len` finite values.
pub(crate) fn box_action(action: &[f64], len: usize) -> Result<Vec<f32>, EnvError> {
    let shown = || format!("{action:?}");
    if action.len() != len {
        return Err(EnvError::BadAction {
            action: shown(),
            reason: format!("expected {len} value(s), got {}", action.len()),
        });
    }
    if let Some(v) = action.iter().find(|v| !v.is_finite()) {
        return Err(EnvError::BadAction {
            action: shown(),
            reason: format!("{v} is not a finite number"),
        });
    }
    Ok(action.iter().map(|&v| v as f32).collect())
}

/// Observations that can be fed to a function approximator as a feature vector.
pub trait Features {
    /// Writes the features of `self` into `out` (length [`Space::feature_len`]); an
    /// observation that does not fit (a state past the end, a vector of another length) is an
    /// error, never truncated or padded.
    fn write_features(&self, space: &Space, out: &mut [f32]) -> Result<(), EnvError>;
}

impl Features for usize {
    /// One-hot encoding of a discrete state.
    fn write_features(&self, _space: &Space, out: &mut [f32]) -> Result<(), EnvError> {
        if *self >= out.len() {
            return Err(EnvError::BadObservation {
                observation: format!("state {self}"),
                expected: out.len(),
            });
        }
        out.iter_mut().for_each(|v| *v = 0.0);
        out[*self] = 1.0;
        Ok(())
    }
}

impl<const N: usize> Features for [f64; N] {
    fn write_features(&self, _space: &Space, out: &mut [f32]) -> Result<(), EnvError> {
        if out.len() != N {
            return Err(EnvError::BadObservation {
                observation: format!("of {N} values"),
                expected: out.len(),
            });
        }
        for (o, v) in out.iter_mut().zip(self) {
            *o = *v as f32;
        }
        Ok(())
    }
}

pub(crate) fn check_action(action: usize, n_actions: usize) -> Result<(), EnvError> {
    if action < n_actions {
        Ok(())
    } else {
        Err(EnvError::InvalidAction { action, n_actions })
    }
}
