//! MountainCar-v0, as Gymnasium 1.4 defines it.
//!
//! A car sits in a valley between two hills and its engine is too weak to climb the right one
//! directly: it must swing back and forth to build momentum.
//!
//! * **Actions** (3): accelerate left (0), do nothing (1), accelerate right (2).
//! * **Observation**: position in [−1.2, 0.6] and velocity in [−0.07, 0.07], rounded to single
//!   precision as Gymnasium returns them.
//! * **Dynamics**: `v ← clip(v + (a − 1)·0.001 − 0.0025·cos(3p), ±0.07)`, then
//!   `p ← clip(p + v, −1.2, 0.6)`; at the left wall a leftward velocity becomes 0.
//! * **Reward**: −1 every step. **Termination**: `p ≥ 0.5` (and `v ≥ 0`, the goal velocity).
//!   **Time limit**: 200 steps ([`MountainCar::v0`]).
//! * **Start**: position uniform in [−0.6, −0.4] (one NumPy draw), velocity 0.

use crate::np_random::NpRandom;
use crate::{check_action, Env, EnvError, Space, Step, TimeLimit};

/// Leftmost position.
pub const MIN_POSITION: f64 = -1.2;
/// Rightmost position.
pub const MAX_POSITION: f64 = 0.6;
/// Largest speed.
pub const MAX_SPEED: f64 = 0.07;
/// Position that ends the episode.
pub const GOAL_POSITION: f64 = 0.5;
/// Engine force.
pub const FORCE: f64 = 0.001;
/// Gravity's pull along the slope (times cos 3p).
pub const GRAVITY: f64 = 0.0025;
/// MountainCar-v0's time limit.
pub const MAX_EPISODE_STEPS: usize = 200;

/// The MountainCar environment (without a time limit; see [`MountainCar::v0`]).
#[derive(Debug, Clone)]
pub struct MountainCar {
    position: f64,
    velocity: f64,
    rng: NpRandom,
    done: bool,
}

impl Default for MountainCar {
    fn default() -> Self {
        Self::new()
    }
}

impl MountainCar {
    /// A MountainCar seeded with 0; call [`Env::reset`] before stepping.
    pub fn new() -> Self {
        Self {
            position: 0.0,
            velocity: 0.0,
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// MountainCar-v0: with the 200-step time limit.
    pub fn v0() -> TimeLimit<MountainCar> {
        TimeLimit::new(MountainCar::new(), MAX_EPISODE_STEPS)
    }

    /// The exact (double-precision) state `[position, velocity]`.
    pub fn state(&self) -> [f64; 2] {
        [self.position, self.velocity]
    }

    fn observation(&self) -> [f64; 2] {
        [
            f64::from(self.position as f32),
            f64::from(self.velocity as f32),
        ]
    }
}

impl Env for MountainCar {
    type Observation = [f64; 2];

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![MIN_POSITION, -MAX_SPEED],
            high: vec![MAX_POSITION, MAX_SPEED],
        }
    }

    fn n_actions(&self) -> usize {
        3
    }

    fn reset(&mut self, seed: Option<u64>) -> [f64; 2] {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        self.position = self.rng.uniform(-0.6, -0.4);
        self.velocity = 0.0;
        self.done = false;
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<[f64; 2]>, EnvError> {
        check_action(action, 3)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        // Gymnasium's order of operations, so rounding matches.
        let mut v = self.velocity
            + ((action as f64 - 1.0) * FORCE + (3.0 * self.position).cos() * (-GRAVITY));
        v = v.clamp(-MAX_SPEED, MAX_SPEED);
        let p = (self.position + v).clamp(MIN_POSITION, MAX_POSITION);
        if p == MIN_POSITION && v < 0.0 {
            v = 0.0;
        }
        let terminated = p >= GOAL_POSITION && v >= 0.0;
        self.position = p;
        self.velocity = v;
        self.done = terminated;
        Ok(Step {
            observation: self.observation(),
            reward: -1.0,
            terminated,
            truncated: false,
        })
    }
}
