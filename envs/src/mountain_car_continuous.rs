//! MountainCarContinuous-v0, as Gymnasium 1.4 defines it.
//!
//! MountainCar with a continuous engine: the car must still swing to build momentum, and the
//! fuel it burns is charged.
//!
//! * **Action**: one force in [−1, 1] (a larger one is clipped, as Gymnasium does).
//! * **Observation**: position in [−1.2, 0.6] and velocity in [−0.07, 0.07], single precision
//!   (Gymnasium keeps the state itself in single precision after the first step).
//! * **Dynamics**: `v ← clip(v + f·0.0015 − 0.0025·cos(3p), ±0.07)`, then
//!   `p ← clip(p + v, −1.2, 0.6)`; at the left wall a leftward velocity becomes 0.
//! * **Reward**: `−0.1·a²` every step (`a` the action before clipping), plus 100 on reaching
//!   the goal. **Termination**: `p ≥ 0.45` and `v ≥ 0`. **Time limit**: 999 steps
//!   ([`MountainCarContinuous::v0`]).
//! * **Start**: position uniform in [−0.6, −0.4] (one NumPy draw), velocity 0.
//!
//! Gymnasium computes a step with NumPy scalars whose types change along the way (the state is
//! double precision until the first step stores it as single; the force is single unless
//! clipping replaced it by a Python float; NumPy 2 computes single op Python-float in single
//! precision). `Num` follows those rules, so the same actions give Gymnasium's episode.

use crate::np_random::NpRandom;
use crate::{box_action, ContinuousEnv, EnvError, Space, Step, TimeLimit};

/// Leftmost position.
pub const MIN_POSITION: f64 = -1.2;
/// Rightmost position.
pub const MAX_POSITION: f64 = 0.6;
/// Largest speed.
pub const MAX_SPEED: f64 = 0.07;
/// Position that ends the episode (with a velocity ≥ 0).
pub const GOAL_POSITION: f64 = 0.45;
/// Engine power.
pub const POWER: f64 = 0.0015;
/// MountainCarContinuous-v0's time limit.
pub const MAX_EPISODE_STEPS: usize = 999;

/// A number as NumPy 2 holds it inside Gymnasium's step: a `float32` scalar, a `float64`
/// scalar, or a Python float (weak: it takes the other operand's precision, NEP 50).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    F32(f32),
    F64(f64),
    Py(f64),
}

impl Num {
    fn value(self) -> f64 {
        match self {
            Num::F32(v) => f64::from(v),
            Num::F64(v) | Num::Py(v) => v,
        }
    }

    /// `self op other` with NumPy 2's promotion: single with single or with a Python float is
    /// single; anything with a double is double; two Python floats stay a Python float.
    fn op(self, other: Num, f32op: fn(f32, f32) -> f32, f64op: fn(f64, f64) -> f64) -> Num {
        match (self, other) {
            (Num::F32(a), Num::F32(b)) => Num::F32(f32op(a, b)),
            (Num::F32(a), Num::Py(b)) => Num::F32(f32op(a, b as f32)),
            (Num::Py(a), Num::F32(b)) => Num::F32(f32op(a as f32, b)),
            (Num::Py(a), Num::Py(b)) => Num::Py(f64op(a, b)),
            (a, b) => Num::F64(f64op(a.value(), b.value())),
        }
    }

    fn add(self, other: Num) -> Num {
        self.op(other, |a, b| a + b, |a, b| a + b)
    }

    fn sub(self, other: Num) -> Num {
        self.op(other, |a, b| a - b, |a, b| a - b)
    }

    fn mul(self, other: Num) -> Num {
        self.op(other, |a, b| a * b, |a, b| a * b)
    }

    /// `self < other` as NumPy compares (a Python float against a single is made single).
    fn lt(self, other: Num) -> bool {
        match (self, other) {
            (Num::F32(a), Num::Py(b)) => a < b as f32,
            (Num::Py(a), Num::F32(b)) => (a as f32) < b,
            (a, b) => a.value() < b.value(),
        }
    }

    fn eq(self, other: Num) -> bool {
        match (self, other) {
            (Num::F32(a), Num::Py(b)) => a == b as f32,
            (Num::Py(a), Num::F32(b)) => a as f32 == b,
            (a, b) => a.value() == b.value(),
        }
    }
}

/// The MountainCarContinuous environment (without a time limit; see
/// [`MountainCarContinuous::v0`]).
#[derive(Debug, Clone)]
pub struct MountainCarContinuous {
    position: f64,
    velocity: f64,
    /// The state is still the double-precision array of the reset (before the first step).
    fresh: bool,
    rng: NpRandom,
    done: bool,
}

impl Default for MountainCarContinuous {
    fn default() -> Self {
        Self::new()
    }
}

impl MountainCarContinuous {
    /// A MountainCarContinuous seeded with 0; call [`ContinuousEnv::reset`] before stepping.
    pub fn new() -> Self {
        Self {
            position: 0.0,
            velocity: 0.0,
            fresh: false,
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// MountainCarContinuous-v0: with the 999-step time limit.
    pub fn v0() -> TimeLimit<MountainCarContinuous> {
        TimeLimit::new(MountainCarContinuous::new(), MAX_EPISODE_STEPS)
    }

    /// The state `[position, velocity]` as Gymnasium holds it.
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

impl ContinuousEnv for MountainCarContinuous {
    type Observation = [f64; 2];

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![MIN_POSITION, -MAX_SPEED],
            high: vec![MAX_POSITION, MAX_SPEED],
        }
    }

    fn action_space(&self) -> Space {
        Space::Box {
            low: vec![-1.0],
            high: vec![1.0],
        }
    }

    fn reset(&mut self, seed: Option<u64>) -> [f64; 2] {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        self.position = self.rng.uniform(-0.6, -0.4);
        self.velocity = 0.0;
        self.fresh = true;
        self.done = false;
        self.observation()
    }

    fn step(&mut self, action: &[f64]) -> Result<Step<[f64; 2]>, EnvError> {
        let a = box_action(action, 1)?[0];
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        // Gymnasium's step, operation by operation, in NumPy's types.
        let num = |v: f64| {
            if self.fresh {
                Num::F64(v)
            } else {
                Num::F32(v as f32)
            }
        };
        let (mut position, mut velocity) = (num(self.position), num(self.velocity));
        let mut force = Num::F32(a);
        if force.lt(Num::Py(-1.0)) {
            force = Num::Py(-1.0);
        }
        if Num::Py(1.0).lt(force) {
            force = Num::Py(1.0);
        }
        // math.cos takes the double of `3 * position`.
        let slope = Num::Py(0.0025 * Num::Py(3.0).mul(position).value().cos());
        velocity = velocity.add(force.mul(Num::Py(POWER)).sub(slope));
        if Num::Py(MAX_SPEED).lt(velocity) {
            velocity = Num::Py(MAX_SPEED);
        }
        if velocity.lt(Num::Py(-MAX_SPEED)) {
            velocity = Num::Py(-MAX_SPEED);
        }
        position = position.add(velocity);
        if Num::Py(MAX_POSITION).lt(position) {
            position = Num::Py(MAX_POSITION);
        }
        if position.lt(Num::Py(MIN_POSITION)) {
            position = Num::Py(MIN_POSITION);
        }
        if position.eq(Num::Py(MIN_POSITION)) && velocity.lt(Num::Py(0.0)) {
            velocity = Num::Py(0.0);
        }
        let terminated = !position.lt(Num::Py(GOAL_POSITION)) && !velocity.lt(Num::Py(0.0));
        let mut reward = if terminated { 100.0 } else { 0.0 };
        reward -= f64::from(a).powi(2) * 0.1;
        // The state is stored as single precision.
        self.position = f64::from(position.value() as f32);
        self.velocity = f64::from(velocity.value() as f32);
        self.fresh = false;
        self.done = terminated;
        Ok(Step {
            observation: self.observation(),
            reward,
            terminated,
            truncated: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_promotion_rules() {
        // float32 with a Python float stays single; with a double becomes double.
        assert!(matches!(Num::F32(1.0).mul(Num::Py(0.0015)), Num::F32(_)));
        assert!(matches!(Num::F32(1.0).add(Num::F64(0.5)), Num::F64(_)));
        assert!(matches!(Num::Py(1.0).sub(Num::Py(0.5)), Num::Py(_)));
        assert_eq!(
            Num::F32(1.0).mul(Num::Py(0.0015)).value(),
            f64::from(0.0015f32)
        );
        // -1.2 as a single equals the Python float -1.2 in NumPy's comparison.
        assert!(Num::F32(-1.2).eq(Num::Py(-1.2)));
    }

    #[test]
    fn full_throttle_to_the_right_and_the_fuel_cost() {
        let mut car = MountainCarContinuous::v0();
        car.reset(Some(3));
        let s = car.step(&[2.0]).unwrap();
        // Clipped to 1 for the dynamics, charged as 2 (Gymnasium charges the raw action).
        assert!((s.reward + 0.4).abs() < 1e-9, "{}", s.reward);
        assert!(matches!(
            car.step(&[f64::NAN]),
            Err(EnvError::BadAction { .. })
        ));
    }

    #[test]
    fn pumping_energy_reaches_the_goal() {
        let mut car = MountainCarContinuous::v0();
        let mut obs = car.reset(Some(0));
        let mut total = 0.0;
        for _ in 0..999 {
            let a = if obs[1] >= 0.0 { 1.0 } else { -1.0 };
            let s = car.step(&[a]).unwrap();
            total += s.reward;
            obs = s.observation;
            if s.done() {
                assert!(s.terminated);
                break;
            }
        }
        assert!(total > 80.0, "{total}");
    }
}
