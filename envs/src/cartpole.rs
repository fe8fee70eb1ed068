//! CartPole-v1, as Gymnasium 1.x defines it.
//!
//! A pole is hinged to a cart on a frictionless track; the agent pushes the cart left (action 0)
//! or right (action 1) with a fixed force. Observation: cart position `x`, cart velocity `ẋ`,
//! pole angle `θ` (radians, 0 is upright), pole angular velocity `θ̇`. Reward +1 for every step,
//! the last one included. The episode terminates when `|x| > 2.4` or `|θ| > 12°`; the
//! [`TimeLimit`] of 500 steps truncates it ([`CartPole::v1`]). The start state
//! is uniform in `[-0.05, 0.05]⁴`, drawn as Gymnasium draws it (NumPy's PCG64 seeded through
//! `SeedSequence`), so `reset(Some(seed))` starts Gymnasium's episode for that seed.
//!
//! Dynamics (semi-implicit form of Barto, Sutton & Anderson 1983, explicit Euler as Gymnasium's
//! default): positions advance with the old velocities, then velocities with the new
//! accelerations.

use crate::np_random::NpRandom;
use crate::{check_action, Env, EnvError, Space, Step, TimeLimit};

/// Gravity (m/s²).
pub const GRAVITY: f64 = 9.8;
/// Cart mass (kg).
pub const MASS_CART: f64 = 1.0;
/// Pole mass (kg).
pub const MASS_POLE: f64 = 0.1;
/// Half the pole's length (m).
pub const HALF_LENGTH: f64 = 0.5;
/// Magnitude of the push (N).
pub const FORCE_MAG: f64 = 10.0;
/// Seconds between state updates.
pub const TAU: f64 = 0.02;
/// Angle beyond which the episode terminates: 12° in radians.
pub const THETA_THRESHOLD: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
/// Cart position beyond which the episode terminates.
pub const X_THRESHOLD: f64 = 2.4;
/// CartPole-v1's time limit.
pub const MAX_EPISODE_STEPS: usize = 500;
/// The mean return over 100 episodes that counts as solved for CartPole-v1.
pub const REWARD_THRESHOLD: f64 = 475.0;

const TOTAL_MASS: f64 = MASS_CART + MASS_POLE;
const POLE_MASS_LENGTH: f64 = MASS_POLE * HALF_LENGTH;

/// The state `[x, ẋ, θ, θ̇]`.
pub type CartPoleState = [f64; 4];

/// The CartPole environment (without a time limit; see [`CartPole::v1`]).
#[derive(Debug, Clone)]
pub struct CartPole {
    state: CartPoleState,
    rng: NpRandom,
    done: bool,
}

impl Default for CartPole {
    fn default() -> Self {
        Self::new()
    }
}

impl CartPole {
    /// A CartPole seeded with 0; call [`Env::reset`] before stepping.
    pub fn new() -> Self {
        Self {
            state: [0.0; 4],
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// CartPole-v1: CartPole with the 500-step time limit.
    pub fn v1() -> TimeLimit<CartPole> {
        TimeLimit::new(CartPole::new(), MAX_EPISODE_STEPS)
    }

    /// The current state.
    pub fn state(&self) -> CartPoleState {
        self.state
    }

    /// Puts the system in `state` and starts an episode there (to replay a recorded trajectory).
    pub fn set_state(&mut self, state: CartPoleState) {
        self.state = state;
        self.done = false;
    }

    /// One Euler step of the dynamics under `force`; pure function of the state.
    pub fn dynamics(state: CartPoleState, force: f64) -> CartPoleState {
        let [x, x_dot, theta, theta_dot] = state;
        let (sin, cos) = theta.sin_cos();
        // Same operation order as Gymnasium (np.square first), so rounding matches step for step.
        let temp = (force + POLE_MASS_LENGTH * (theta_dot * theta_dot) * sin) / TOTAL_MASS;
        let theta_acc = (GRAVITY * sin - cos * temp)
            / (HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * (cos * cos) / TOTAL_MASS));
        let x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos / TOTAL_MASS;
        [
            x + TAU * x_dot,
            x_dot + TAU * x_acc,
            theta + TAU * theta_dot,
            theta_dot + TAU * theta_acc,
        ]
    }

    /// True when the state is outside the allowed region.
    pub fn is_terminal(state: &CartPoleState) -> bool {
        state[0] < -X_THRESHOLD
            || state[0] > X_THRESHOLD
            || state[2] < -THETA_THRESHOLD
            || state[2] > THETA_THRESHOLD
    }
}

impl Env for CartPole {
    type Observation = CartPoleState;

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![
                -2.0 * X_THRESHOLD,
                f64::NEG_INFINITY,
                -2.0 * THETA_THRESHOLD,
                f64::NEG_INFINITY,
            ],
            high: vec![
                2.0 * X_THRESHOLD,
                f64::INFINITY,
                2.0 * THETA_THRESHOLD,
                f64::INFINITY,
            ],
        }
    }

    fn n_actions(&self) -> usize {
        2
    }

    fn reset(&mut self, seed: Option<u64>) -> CartPoleState {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        for v in &mut self.state {
            *v = self.rng.uniform(-0.05, 0.05);
        }
        self.done = false;
        self.state
    }

    fn step(&mut self, action: usize) -> Result<Step<CartPoleState>, EnvError> {
        check_action(action, 2)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let force = if action == 1 { FORCE_MAG } else { -FORCE_MAG };
        self.state = Self::dynamics(self.state, force);
        let terminated = Self::is_terminal(&self.state);
        self.done = terminated;
        Ok(Step {
            observation: self.state,
            reward: 1.0,
            terminated,
            truncated: false,
        })
    }
}
