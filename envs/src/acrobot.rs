//! Acrobot-v1, as Gymnasium 1.4 defines it (Sutton & Barto's "book" dynamics).
//!
//! Two links hang from a fixed joint; only the joint between them is actuated. The goal is to
//! swing the free end above the bar: `−cos θ₁ − cos(θ₁ + θ₂) > 1`.
//!
//! * **Actions** (3): torque −1, 0 or +1 on the middle joint.
//! * **Observation**: `[cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂]`, single precision as
//!   Gymnasium returns it; θ̇₁ ∈ [−4π, 4π], θ̇₂ ∈ [−9π, 9π].
//! * **Dynamics**: one fourth-order Runge–Kutta step of 0.2 s on the equations of motion
//!   (both links 1 m and 1 kg, centres of mass at 0.5 m, moments of inertia 1, g = 9.8), the
//!   same arithmetic in the same order as Gymnasium's `rk4` and `_dsdt`; angles are then
//!   wrapped into [−π, π] and velocities clipped.
//! * **Reward**: −1 per step, 0 on the step that reaches the goal (which terminates).
//!   **Time limit**: 500 steps ([`Acrobot::v1`]).
//! * **Start**: the four state variables uniform in [−0.1, 0.1] (NumPy draws), rounded to single
//!   precision as Gymnasium stores them.

use std::f64::consts::PI;

use crate::np_random::NpRandom;
use crate::{check_action, Env, EnvError, Space, Step, TimeLimit};

/// Largest |θ̇₁|.
pub const MAX_VEL_1: f64 = 4.0 * PI;
/// Largest |θ̇₂|.
pub const MAX_VEL_2: f64 = 9.0 * PI;
/// Integration step (s).
pub const DT: f64 = 0.2;
/// Acrobot-v1's time limit.
pub const MAX_EPISODE_STEPS: usize = 500;
/// The torques of the three actions.
pub const TORQUES: [f64; 3] = [-1.0, 0.0, 1.0];

/// The Acrobot environment (without a time limit; see [`Acrobot::v1`]).
#[derive(Debug, Clone)]
pub struct Acrobot {
    /// `[θ₁, θ₂, θ̇₁, θ̇₂]`.
    state: [f64; 4],
    rng: NpRandom,
    done: bool,
}

impl Default for Acrobot {
    fn default() -> Self {
        Self::new()
    }
}

/// The time derivative of `[θ₁, θ₂, θ̇₁, θ̇₂, torque]` (Gymnasium's `_dsdt`, "book" variant,
/// with its constants folded exactly as Python folds them: every product of constants here is
/// exact in binary, except `1.5 · 9.8`).
fn dsdt(s: [f64; 5]) -> [f64; 5] {
    let [theta1, theta2, dtheta1, dtheta2, a] = s;
    let g = 9.8;
    let (sin2, cos2) = theta2.sin_cos();
    let d1 = 0.25 + (1.0 + 0.25 + 1.0 * cos2) + 1.0 + 1.0;
    let d2 = (0.25 + 0.5 * cos2) + 1.0;
    let phi2 = 0.5 * g * (theta1 + theta2 - PI / 2.0).cos();
    let phi1 = -0.5 * (dtheta2 * dtheta2) * sin2 - 1.0 * dtheta2 * dtheta1 * sin2
        + 1.5 * g * (theta1 - PI / 2.0).cos()
        + phi2;
    let ddtheta2 = (a + d2 / d1 * phi1 - 0.5 * (dtheta1 * dtheta1) * sin2 - phi2)
        / (0.25 + 1.0 - (d2 * d2) / d1);
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    [dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0]
}

/// One RK4 step of `dt` from `y0`, term by term as Gymnasium's `rk4`.
fn rk4(y0: [f64; 5], dt: f64) -> [f64; 5] {
    let dt2 = dt / 2.0;
    let add =
        |y: [f64; 5], h: f64, k: [f64; 5]| -> [f64; 5] { std::array::from_fn(|i| y[i] + h * k[i]) };
    let k1 = dsdt(y0);
    let k2 = dsdt(add(y0, dt2, k1));
    let k3 = dsdt(add(y0, dt2, k2));
    let k4 = dsdt(add(y0, dt, k3));
    std::array::from_fn(|i| y0[i] + dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
}

/// Wraps `x` into `[m, big_m]` by whole turns (Gymnasium's `wrap`).
fn wrap(mut x: f64, m: f64, big_m: f64) -> f64 {
    let diff = big_m - m;
    while x > big_m {
        x -= diff;
    }
    while x < m {
        x += diff;
    }
    x
}

impl Acrobot {
    /// An Acrobot seeded with 0; call [`Env::reset`] before stepping.
    pub fn new() -> Self {
        Self {
            state: [0.0; 4],
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// Acrobot-v1: with the 500-step time limit.
    pub fn v1() -> TimeLimit<Acrobot> {
        TimeLimit::new(Acrobot::new(), MAX_EPISODE_STEPS)
    }

    /// The exact state `[θ₁, θ₂, θ̇₁, θ̇₂]`.
    pub fn state(&self) -> [f64; 4] {
        self.state
    }

    fn observation(&self) -> [f64; 6] {
        let [t1, t2, v1, v2] = self.state;
        [t1.cos(), t1.sin(), t2.cos(), t2.sin(), v1, v2].map(|v| f64::from(v as f32))
    }
}

impl Env for Acrobot {
    type Observation = [f64; 6];

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![-1.0, -1.0, -1.0, -1.0, -MAX_VEL_1, -MAX_VEL_2],
            high: vec![1.0, 1.0, 1.0, 1.0, MAX_VEL_1, MAX_VEL_2],
        }
    }

    fn n_actions(&self) -> usize {
        3
    }

    fn reset(&mut self, seed: Option<u64>) -> [f64; 6] {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        for v in &mut self.state {
            *v = f64::from(self.rng.uniform(-0.1, 0.1) as f32);
        }
        self.done = false;
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f64; 6]>, EnvError> {
        check_action(action, 3)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let [t1, t2, v1, v2] = self.state;
        let ns = rk4([t1, t2, v1, v2, TORQUES[action]], DT);
        self.state = [
            wrap(ns[0], -PI, PI),
            wrap(ns[1], -PI, PI),
            ns[2].clamp(-MAX_VEL_1, MAX_VEL_1),
            ns[3].clamp(-MAX_VEL_2, MAX_VEL_2),
        ];
        let [t1, t2, _, _] = self.state;
        let terminated = -t1.cos() - (t2 + t1).cos() > 1.0;
        self.done = terminated;
        Ok(Step {
            observation: self.observation(),
            reward: if terminated { 0.0 } else { -1.0 },
            terminated,
            truncated: false,
        })
    }
}
