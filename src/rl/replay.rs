//! Experience replay: a fixed-capacity ring buffer of transitions, sampled uniformly.
//!
//! Each transition stores the observation, action, reward, next observation and — separately —
//! `terminated` and `truncated`. Only `terminated` stops bootstrapping: a transition cut by a
//! time limit still bootstraps from its next observation, whose value is real.

use rand::Rng as _;

use crate::error::{Error, Result};
use crate::rng::Rng;

/// A sampled mini-batch, flattened row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Observations, `batch × obs_dim`.
    pub observations: Vec<f32>,
    /// Actions taken.
    pub actions: Vec<i64>,
    /// Rewards received.
    pub rewards: Vec<f32>,
    /// Next observations, `batch × obs_dim`.
    pub next_observations: Vec<f32>,
    /// 1 where the next state is terminal (no bootstrap), else 0.
    pub terminated: Vec<f32>,
    /// Steps between the observation and the next observation (n-step returns; 1 otherwise):
    /// the bootstrap is discounted by γ to this power.
    pub steps: Vec<f32>,
    /// The buffer slots sampled.
    pub indices: Vec<usize>,
    /// Importance weights (prioritised replay only; empty otherwise).
    pub weights: Vec<f32>,
}

/// A sum tree over the replay buffer's slots (Schaul et al. 2016): the priority of each slot at
/// the leaves, sums above, so that drawing a slot in proportion to its priority and updating a
/// priority both take O(log capacity). A min tree beside it gives the smallest priority, for the
/// largest importance weight.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityTree {
    leaves: usize,
    sums: Vec<f64>,
    mins: Vec<f64>,
    max_priority: f64,
}

impl PriorityTree {
    /// A tree for `capacity` slots, all empty (priority 0).
    pub fn new(capacity: usize) -> Self {
        let leaves = capacity.max(1).next_power_of_two();
        Self {
            leaves,
            sums: vec![0.0; 2 * leaves],
            mins: vec![f64::INFINITY; 2 * leaves],
            max_priority: 1.0,
        }
    }

    /// Sets slot `i`'s priority (> 0 and finite; anything else is stored as the smallest
    /// positive priority).
    pub fn set(&mut self, i: usize, priority: f64) {
        let p = if priority.is_finite() && priority > 0.0 {
            priority
        } else {
            f64::MIN_POSITIVE
        };
        self.max_priority = self.max_priority.max(p);
        let mut at = self.leaves + i;
        self.sums[at] = p;
        self.mins[at] = p;
        while at > 1 {
            at /= 2;
            self.sums[at] = self.sums[2 * at] + self.sums[2 * at + 1];
            self.mins[at] = self.mins[2 * at].min(self.mins[2 * at + 1]);
        }
    }

    /// Slot `i`'s priority.
    pub fn get(&self, i: usize) -> f64 {
        self.sums[self.leaves + i]
    }

    /// The largest priority set so far: new transitions get it, so each is replayed soon.
    pub fn max_priority(&self) -> f64 {
        self.max_priority
    }

    /// The sum of all priorities.
    pub fn total(&self) -> f64 {
        self.sums[1]
    }

    /// The smallest priority of a filled slot.
    pub fn min(&self) -> f64 {
        self.mins[1]
    }

    /// The slot where the running sum of priorities passes `mass` (in `[0, total)`).
    pub fn find(&self, mut mass: f64) -> usize {
        let mut at = 1;
        while at < self.leaves {
            let left = self.sums[2 * at];
            if mass < left || self.sums[2 * at + 1] <= 0.0 {
                at *= 2;
            } else {
                mass -= left;
                at = 2 * at + 1;
            }
        }
        at - self.leaves
    }
}

/// One stored transition, as [`ReplayBuffer::get`] returns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stored<'a> {
    /// Observation features.
    pub observation: &'a [f32],
    /// Action taken.
    pub action: usize,
    /// Reward received.
    pub reward: f32,
    /// Next observation features.
    pub next_observation: &'a [f32],
    /// The episode terminated.
    pub terminated: bool,
    /// A time limit cut the episode.
    pub truncated: bool,
    /// Environment steps from `observation` to `next_observation` (1 unless n-step).
    pub steps: usize,
}

/// A ring buffer of transitions with feature-vector observations.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayBuffer {
    capacity: usize,
    obs_dim: usize,
    len: usize,
    next: usize,
    observations: Vec<f32>,
    next_observations: Vec<f32>,
    actions: Vec<i64>,
    rewards: Vec<f32>,
    terminated: Vec<bool>,
    truncated: Vec<bool>,
    steps: Vec<u8>,
}

/// The most steps one stored n-step transition may span.
pub const MAX_STEPS: usize = 255;

/// The largest replay buffer [`ReplayBuffer::new`] allocates (4 GiB).
pub const MAX_BUFFER_BYTES: usize = 4 << 30;

impl ReplayBuffer {
    /// An empty buffer holding up to `capacity` transitions of `obs_dim`-dimensional observations.
    pub fn new(capacity: usize, obs_dim: usize) -> Result<Self> {
        if capacity == 0 || obs_dim == 0 {
            return Err(Error::invalid(
                "buffer_size",
                format!("{capacity} × {obs_dim}"),
                "capacity and observation size must be at least 1",
            ));
        }
        // Two f32 observation arrays plus action, reward and flags per transition, allocated
        // up front: refuse sizes that overflow or exceed MAX_BUFFER_BYTES instead of aborting.
        let per_transition = obs_dim
            .checked_mul(2 * std::mem::size_of::<f32>())
            .and_then(|b| {
                b.checked_add(std::mem::size_of::<usize>() + std::mem::size_of::<f32>() + 3)
            });
        let bytes = per_transition.and_then(|b| b.checked_mul(capacity));
        if bytes.is_none_or(|b| b > MAX_BUFFER_BYTES) {
            return Err(Error::invalid(
                "buffer_size",
                format!("{capacity} transitions of {obs_dim} features"),
                format!(
                    "would need {} bytes; the replay buffer is capped at {MAX_BUFFER_BYTES} (4 GiB)",
                    bytes.map_or("more than usize::MAX".to_string(), |b| b.to_string())
                ),
            ));
        }
        Ok(Self {
            capacity,
            obs_dim,
            len: 0,
            next: 0,
            observations: vec![0.0; capacity * obs_dim],
            next_observations: vec![0.0; capacity * obs_dim],
            actions: vec![0; capacity],
            rewards: vec![0.0; capacity],
            terminated: vec![false; capacity],
            truncated: vec![false; capacity],
            steps: vec![1; capacity],
        })
    }

    /// Number of stored transitions.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Maximum number of transitions.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Observation size.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Stores a transition, overwriting the oldest when full; returns the slot it went to.
    pub fn push(
        &mut self,
        observation: &[f32],
        action: usize,
        reward: f64,
        next_observation: &[f32],
        terminated: bool,
        truncated: bool,
    ) -> Result<usize> {
        self.push_n(
            observation,
            action,
            reward,
            next_observation,
            terminated,
            truncated,
            1,
        )
    }

    /// Stores an n-step transition: `reward` is the discounted sum of the `steps` rewards
    /// between `observation` and `next_observation` (1 ≤ `steps` ≤ [`MAX_STEPS`]); returns the
    /// slot it went to.
    #[allow(clippy::too_many_arguments)]
    pub fn push_n(
        &mut self,
        observation: &[f32],
        action: usize,
        reward: f64,
        next_observation: &[f32],
        terminated: bool,
        truncated: bool,
        steps: usize,
    ) -> Result<usize> {
        if !(1..=MAX_STEPS).contains(&steps) {
            return Err(Error::invalid(
                "replay steps",
                steps,
                format!("must lie in 1..={MAX_STEPS}"),
            ));
        }
        if observation.len() != self.obs_dim || next_observation.len() != self.obs_dim {
            return Err(Error::shape(
                "replay observation",
                self.obs_dim,
                format!("{} and {}", observation.len(), next_observation.len()),
            ));
        }
        let i = self.next;
        let d = self.obs_dim;
        self.observations[i * d..(i + 1) * d].copy_from_slice(observation);
        self.next_observations[i * d..(i + 1) * d].copy_from_slice(next_observation);
        self.actions[i] = action as i64;
        self.rewards[i] = reward as f32;
        self.terminated[i] = terminated;
        self.truncated[i] = truncated;
        self.steps[i] = steps as u8;
        self.next = (i + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
        Ok(i)
    }

    /// Samples `batch` transitions uniformly with replacement into `out`.
    pub fn sample_into(&self, batch: usize, rng: &mut Rng, out: &mut Batch) -> Result<()> {
        if self.len == 0 {
            return Err(Error::EmptyData("the replay buffer is empty".into()));
        }
        out.indices.clear();
        for _ in 0..batch {
            out.indices.push(rng.gen_range(0..self.len));
        }
        self.gather(out);
        Ok(())
    }

    /// Fills `out` with the transitions in the slots `out.indices` (each below
    /// [`ReplayBuffer::len`]).
    fn gather(&self, out: &mut Batch) {
        let d = self.obs_dim;
        out.observations.clear();
        out.next_observations.clear();
        out.actions.clear();
        out.rewards.clear();
        out.terminated.clear();
        out.steps.clear();
        for &i in &out.indices {
            out.observations
                .extend_from_slice(&self.observations[i * d..(i + 1) * d]);
            out.next_observations
                .extend_from_slice(&self.next_observations[i * d..(i + 1) * d]);
            out.actions.push(self.actions[i]);
            out.rewards.push(self.rewards[i]);
            // Only termination masks the bootstrap; truncation does not.
            out.terminated.push(f32::from(u8::from(self.terminated[i])));
            out.steps.push(f32::from(self.steps[i]));
        }
    }

    /// Samples `batch` transitions in proportion to their priorities in `tree` (stratified: one
    /// draw in each of `batch` equal slices of the total), into `out`, with their importance
    /// weights `(len · P(i))^−β`, normalised by the largest possible weight.
    pub fn sample_prioritized_into(
        &self,
        batch: usize,
        tree: &PriorityTree,
        beta: f64,
        rng: &mut Rng,
        out: &mut Batch,
    ) -> Result<()> {
        if self.len == 0 {
            return Err(Error::EmptyData("the replay buffer is empty".into()));
        }
        let total = tree.total();
        let slice = total / batch as f64;
        out.indices.clear();
        out.weights.clear();
        let n = self.len as f64;
        let max_weight = (n * tree.min() / total).powf(-beta);
        for k in 0..batch {
            let mass = (k as f64 + rng.gen::<f64>()) * slice;
            let i = tree.find(mass).min(self.len - 1);
            out.indices.push(i);
            let p = tree.get(i) / total;
            out.weights.push(((n * p).powf(-beta) / max_weight) as f32);
        }
        self.gather(out);
        Ok(())
    }

    /// The slot holding the transition at position `i` (0 = oldest still stored).
    pub fn slot(&self, i: usize) -> Option<usize> {
        if i >= self.len {
            return None;
        }
        let start = if self.len == self.capacity {
            self.next
        } else {
            0
        };
        Some((start + i) % self.capacity)
    }

    /// The stored transition at position `i` (0 = oldest still stored).
    pub fn get(&self, i: usize) -> Option<Stored<'_>> {
        let j = self.slot(i)?;
        let d = self.obs_dim;
        Some(Stored {
            observation: &self.observations[j * d..(j + 1) * d],
            action: self.actions[j] as usize,
            reward: self.rewards[j],
            next_observation: &self.next_observations[j * d..(j + 1) * d],
            terminated: self.terminated[j],
            truncated: self.truncated[j],
            steps: usize::from(self.steps[j]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminated_and_truncated_are_kept_apart() {
        let mut buffer = ReplayBuffer::new(4, 2).unwrap();
        buffer
            .push(&[0.0, 0.0], 1, 1.0, &[1.0, 1.0], false, true)
            .unwrap(); // time limit
        buffer
            .push(&[1.0, 1.0], 0, 1.0, &[2.0, 2.0], true, false)
            .unwrap(); // real end
        let first = buffer.get(0).unwrap();
        assert!(!first.terminated && first.truncated);
        let second = buffer.get(1).unwrap();
        assert!(second.terminated && !second.truncated);
        let mut batch = Batch::default();
        let mut rng = crate::rng::seeded(0);
        buffer.sample_into(64, &mut rng, &mut batch).unwrap();
        for (k, &t) in batch.terminated.iter().enumerate() {
            // The truncated transition (from [0, 0]) keeps its bootstrap; the terminal one not.
            let from_first = batch.observations[2 * k] == 0.0;
            assert_eq!(t, if from_first { 0.0 } else { 1.0 });
        }
    }

    #[test]
    fn the_ring_overwrites_the_oldest() {
        let mut buffer = ReplayBuffer::new(3, 1).unwrap();
        for i in 0..5 {
            buffer
                .push(&[i as f32], 0, i as f64, &[i as f32 + 1.0], false, false)
                .unwrap();
        }
        assert_eq!(buffer.len(), 3);
        let rewards: Vec<f32> = (0..3).map(|i| buffer.get(i).unwrap().reward).collect();
        assert_eq!(rewards, vec![2.0, 3.0, 4.0]);
        assert!(buffer
            .push(&[0.0, 1.0], 0, 0.0, &[0.0], false, false)
            .is_err());
        assert!(ReplayBuffer::new(0, 1).is_err());
        let empty = ReplayBuffer::new(2, 1).unwrap();
        assert!(empty
            .sample_into(1, &mut crate::rng::seeded(0), &mut Batch::default())
            .is_err());
    }
}
