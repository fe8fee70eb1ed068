//! Pendulum-v1, as Gymnasium 1.4 defines it.
//!
//! A frictionless pendulum hangs from a pivot; a torque on the pivot must swing it up and hold
//! it upright.
//!
//! * **Action**: one torque in [−2, 2] (a larger one is clipped, as Gymnasium does).
//! * **Observation**: `[cos θ, sin θ, θ̇]` (θ = 0 upright), single precision.
//! * **Dynamics** (g = 10, m = l = 1, dt = 0.05): `θ̇ ← clip(θ̇ + (15 sin θ + 3u)·dt, ±8)`,
//!   then `θ ← θ + θ̇·dt`.
//! * **Reward**: `−(norm(θ)² + 0.1 θ̇² + 0.001 u²)`, θ normalised to [−π, π): at most 0.
//!   Never terminates. **Time limit**: 200 steps ([`Pendulum::v1`]).
//! * **Start**: θ uniform in [−π, π], θ̇ uniform in [−1, 1] (two NumPy draws).
//!
//! The torque is single-precision, as Gymnasium's action space, and the cost and the
//! acceleration use it as NumPy does (`0.001·u²` and `3u` in `f32`), so the same actions give
//! Gymnasium's episode.

use std::f64::consts::PI;

use crate::np_random::NpRandom;
use crate::{box_action, ContinuousEnv, EnvError, Space, Step, TimeLimit};

/// Largest angular speed.
pub const MAX_SPEED: f64 = 8.0;
/// Largest torque.
pub const MAX_TORQUE: f64 = 2.0;
/// Time step.
pub const DT: f64 = 0.05;
/// Gravity (Gymnasium's default `g`).
pub const GRAVITY: f64 = 10.0;
/// Pendulum-v1's time limit.
pub const MAX_EPISODE_STEPS: usize = 200;

/// The Pendulum environment (without a time limit; see [`Pendulum::v1`]).
#[derive(Debug, Clone)]
pub struct Pendulum {
    theta: f64,
    theta_dot: f64,
    rng: NpRandom,
    started: bool,
    last_torque: Option<f64>,
}

impl Default for Pendulum {
    fn default() -> Self {
        Self::new()
    }
}

/// `x` in [−π, π), as `((x + π) mod 2π) − π` with NumPy's floored modulo.
fn angle_normalize(x: f64) -> f64 {
    let (a, b) = (x + PI, 2.0 * PI);
    let mut m = a % b;
    if m != 0.0 && (m < 0.0) != (b < 0.0) {
        m += b;
    }
    m - PI
}

impl Pendulum {
    /// A Pendulum seeded with 0; call [`ContinuousEnv::reset`] before stepping.
    pub fn new() -> Self {
        Self {
            theta: 0.0,
            theta_dot: 0.0,
            rng: NpRandom::new(0),
            started: false,
            last_torque: None,
        }
    }

    /// Pendulum-v1: with the 200-step time limit.
    pub fn v1() -> TimeLimit<Pendulum> {
        TimeLimit::new(Pendulum::new(), MAX_EPISODE_STEPS)
    }

    /// The exact state `[θ, θ̇]`.
    pub fn state(&self) -> [f64; 2] {
        [self.theta, self.theta_dot]
    }

    /// The torque of the last step, after clipping (`None` right after a reset).
    pub fn last_torque(&self) -> Option<f64> {
        self.last_torque
    }

    fn observation(&self) -> [f64; 3] {
        [
            f64::from(self.theta.cos() as f32),
            f64::from(self.theta.sin() as f32),
            f64::from(self.theta_dot as f32),
        ]
    }
}

impl ContinuousEnv for Pendulum {
    type Observation = [f64; 3];

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![-1.0, -1.0, -MAX_SPEED],
            high: vec![1.0, 1.0, MAX_SPEED],
        }
    }

    fn action_space(&self) -> Space {
        Space::Box {
            low: vec![-MAX_TORQUE],
            high: vec![MAX_TORQUE],
        }
    }

    fn reset(&mut self, seed: Option<u64>) -> [f64; 3] {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        self.theta = self.rng.uniform(-PI, PI);
        self.theta_dot = self.rng.uniform(-1.0, 1.0);
        self.started = true;
        self.last_torque = None;
        self.observation()
    }

    fn step(&mut self, action: &[f64]) -> Result<Step<[f64; 3]>, EnvError> {
        let u = box_action(action, 1)?[0];
        if !self.started {
            return Err(EnvError::EpisodeOver);
        }
        let u = u.clamp(-MAX_TORQUE as f32, MAX_TORQUE as f32);
        self.last_torque = Some(f64::from(u));
        let (th, thdot) = (self.theta, self.theta_dot);
        // NumPy's types: θ and θ̇ are doubles, the torque single (so are 0.001·u² and 3u).
        let costs =
            angle_normalize(th).powi(2) + 0.1 * thdot.powi(2) + f64::from(0.001f32 * (u * u));
        let accel = 3.0 * GRAVITY / 2.0 * th.sin() + f64::from(3.0f32 * u);
        let new_thdot = (thdot + accel * DT).clamp(-MAX_SPEED, MAX_SPEED);
        self.theta = th + new_thdot * DT;
        self.theta_dot = new_thdot;
        Ok(Step {
            observation: self.observation(),
            reward: -costs,
            terminated: false,
            truncated: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_normalise_as_numpy_does() {
        assert_eq!(angle_normalize(0.0), 0.0);
        assert!((angle_normalize(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
        assert!((angle_normalize(-3.0 * PI / 2.0) - PI / 2.0).abs() < 1e-12);
        assert_eq!(angle_normalize(PI), -PI);
    }

    #[test]
    fn upright_and_still_costs_nothing() {
        let mut p = Pendulum::new();
        p.reset(Some(0));
        p.theta = 0.0;
        p.theta_dot = 0.0;
        let s = p.step(&[0.0]).unwrap();
        assert_eq!(s.reward, 0.0);
        assert_eq!(s.observation, [1.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_actions_are_errors() {
        let mut p = Pendulum::v1();
        assert!(matches!(p.step(&[0.0]), Err(EnvError::EpisodeOver)));
        p.reset(Some(1));
        for bad in [vec![f64::NAN], vec![f64::INFINITY], vec![], vec![0.0, 1.0]] {
            assert!(
                matches!(p.step(&bad), Err(EnvError::BadAction { .. })),
                "{bad:?}"
            );
        }
        // Out of bounds is clipped, as Gymnasium does.
        p.step(&[50.0]).unwrap();
        assert_eq!(p.inner().last_torque(), Some(2.0));
    }
}
