use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An exploration rate ε as a function of the episode (or step) number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// Always `epsilon`.
    Constant(f64),
    /// From `start` to `end` linearly over `duration` episodes, then `end`.
    Linear {
        /// Initial rate.
        start: f64,
        /// Final rate.
        end: f64,
        /// Episodes (or steps) to get there.
        duration: usize,
    },
    /// `max(end, start · decay^t)`.
    Exponential {
        /// Initial rate.
        start: f64,
        /// Floor.
        end: f64,
        /// Multiplier per episode (0 < decay < 1).
        decay: f64,
    },
}

impl Schedule {
    /// ε at time `t`.
    pub fn value(&self, t: usize) -> f64 {
        match *self {
            Schedule::Constant(e) => e,
            Schedule::Linear {
                start,
                end,
                duration,
            } => {
                if t >= duration {
                    end
                } else {
                    start + (end - start) * t as f64 / duration.max(1) as f64
                }
            }
            Schedule::Exponential { start, end, decay } => (start * decay.powf(t as f64)).max(end),
        }
    }

    /// Checks that every rate lies in [0, 1] and the decay in (0, 1).
    pub fn check(&self) -> Result<()> {
        let rate = |name: &'static str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid(
                    name,
                    v,
                    "an exploration rate must lie in [0, 1]",
                ))
            }
        };
        match *self {
            Schedule::Constant(e) => rate("epsilon", e),
            Schedule::Linear { start, end, .. } => {
                rate("epsilon_start", start).and(rate("epsilon_end", end))
            }
            Schedule::Exponential { start, end, decay } => {
                rate("epsilon_start", start)?;
                rate("epsilon_end", end)?;
                if decay > 0.0 && decay < 1.0 {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        "epsilon_decay",
                        decay,
                        "must lie strictly between 0 and 1",
                    ))
                }
            }
        }
    }
}
