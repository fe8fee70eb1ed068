//! Checkpoints: both networks, Adam's state, the step counter, the generator state and
//! optionally the replay buffer (with its priorities), written atomically and validated on load.

use std::io::Cursor;
use std::path::Path;

use learnkit_envs::Features;
use tch::{Device, Kind, Tensor};

use super::network::{Activation, Architecture};
use super::{describe, one_line, torch_error, Dqn};
use crate::error::{Error, Result};
use crate::rl::replay::{PriorityTree, ReplayBuffer};
use crate::rng;

/// Version of the checkpoint layout.
const CHECKPOINT_VERSION: i64 = 1;

impl<O: Features> Dqn<O> {
    /// Writes a checkpoint atomically: both networks, Adam's state, the step counter and the
    /// generator state, plus the replay buffer when `with_buffer`.
    pub fn save_checkpoint(&self, path: impl AsRef<Path>, with_buffer: bool) -> Result<()> {
        let path = path.as_ref();
        let mut meta = vec![
            CHECKPOINT_VERSION,
            self.step as i64,
            self.adam_t,
            // Bit 0: tanh activation; bit 1: dueling heads.
            i64::from(self.arch.activation == Activation::Tanh) + 2 * i64::from(self.arch.dueling),
        ];
        meta.extend(self.arch.sizes.iter().map(|&s| s as i64));
        let rng_json = serde_json::to_vec(&self.rng)
            .map_err(|e| Error::invalid("rng", "state", e.to_string()))?;
        let mut named: Vec<(String, Tensor)> = vec![
            ("meta".into(), Tensor::from_slice(&meta)),
            ("online".into(), self.online.detach().to_device(Device::Cpu)),
            ("target".into(), self.target.to_device(Device::Cpu)),
            ("adam_m".into(), self.adam_m.to_device(Device::Cpu)),
            ("adam_v".into(), self.adam_v.to_device(Device::Cpu)),
            ("rng".into(), Tensor::from_slice(&rng_json)),
        ];
        if with_buffer {
            named.extend(buffer_tensors(&self.buffer));
            if let Some(tree) = &self.priorities {
                // Oldest first, as the transitions.
                let priorities: Vec<f64> = (0..self.buffer.len())
                    .filter_map(|i| self.buffer.slot(i))
                    .map(|slot| tree.get(slot))
                    .collect();
                named.push(("replay.priorities".into(), Tensor::from_slice(&priorities)));
            }
        }
        crate::persist::write_atomic(path, |w| {
            Tensor::save_multi_to_stream(&named, w)
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
    }

    /// Restores a checkpoint written by [`Dqn::save_checkpoint`] into this agent, which must
    /// have the same architecture. A different architecture is an
    /// [`Error::IncompatibleModel`]; a damaged file an [`Error::CorruptModel`].
    pub fn load_checkpoint(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let corrupt = |message: String| Error::CorruptModel {
            path: path.to_path_buf(),
            message: one_line(&message),
        };
        let bytes = crate::persist::read_regular_file(path, crate::persist::MAX_MODEL_BYTES)?;
        let named = Tensor::load_multi_from_stream(Cursor::new(bytes))
            .map_err(|e| corrupt(e.to_string()))?;
        let get = |name: &str| {
            named
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.shallow_clone())
                .ok_or_else(|| corrupt(format!("no `{name}` tensor")))
        };
        let meta = Vec::<i64>::try_from(&get("meta")?).map_err(|e| corrupt(e.to_string()))?;
        if meta.len() < 6 || meta[0] != CHECKPOINT_VERSION {
            return Err(corrupt(format!(
                "unknown checkpoint layout {:?}",
                meta.first()
            )));
        }
        let activation = if meta[3] & 1 == 1 {
            Activation::Tanh
        } else {
            Activation::Relu
        };
        if !(0..=3).contains(&meta[3]) {
            return Err(corrupt(format!(
                "unknown network flags {} in the checkpoint header",
                meta[3]
            )));
        }
        if meta[1] < 0 || meta[2] < 0 || meta[4..].iter().any(|&s| s < 0) {
            return Err(corrupt(format!(
                "negative count in the checkpoint header {meta:?}"
            )));
        }
        let sizes: Vec<usize> = meta[4..].iter().map(|&s| s as usize).collect();
        let found = Architecture {
            sizes,
            activation,
            dueling: meta[3] & 2 == 2,
        };
        if found != self.arch {
            return Err(Error::IncompatibleModel {
                expected: describe(&self.arch),
                found: describe(&found),
            });
        }
        let n = self.arch.n_params() as i64;
        let load = |name: &str| -> Result<Tensor> {
            let t = get(name)?;
            if t.size() != [n] || t.kind() != Kind::Float {
                return Err(corrupt(format!(
                    "`{name}` has shape {:?}, expected [{n}]",
                    t.size()
                )));
            }
            Ok(t.to_device(self.device))
        };
        let (online, target, m, v) = (
            load("online")?,
            load("target")?,
            load("adam_m")?,
            load("adam_v")?,
        );
        let rng_json = Vec::<u8>::try_from(&get("rng")?).map_err(|e| corrupt(e.to_string()))?;
        let rng: rng::Rng =
            serde_json::from_slice(&rng_json).map_err(|e| corrupt(e.to_string()))?;
        let buffer = if named.iter().any(|(name, _)| name == "replay.meta") {
            Some(
                buffer_from_tensors(&get, self.buffer.obs_dim(), self.n_actions())
                    .map_err(|e| corrupt(e.to_string()))?,
            )
        } else {
            None
        };
        // Prioritised replay: the saved priorities, checked; without them (a checkpoint of a
        // uniform-replay agent) every transition starts at the largest priority, 1.
        let priorities = match (&buffer, self.config.prioritized) {
            (Some(buffer), Some(_)) => {
                let mut tree = PriorityTree::new(buffer.capacity());
                let saved = if named.iter().any(|(name, _)| name == "replay.priorities") {
                    Vec::<f64>::try_from(&get("replay.priorities")?)
                        .map_err(|e| corrupt(e.to_string()))?
                } else {
                    vec![1.0; buffer.len()]
                };
                if saved.len() != buffer.len() || saved.iter().any(|p| !(p.is_finite() && *p > 0.0))
                {
                    return Err(corrupt(format!(
                        "`replay.priorities` must hold {} finite positive values",
                        buffer.len()
                    )));
                }
                for (slot, &p) in saved.iter().enumerate() {
                    tree.set(slot, p);
                }
                Some(tree)
            }
            _ => None,
        };
        tch::no_grad(|| {
            self.online.copy_(&online);
            self.target.copy_(&target);
            self.adam_m.copy_(&m);
            self.adam_v.copy_(&v);
        });
        self.step = meta[1].max(0) as usize;
        self.adam_t = meta[2];
        self.rng = rng;
        if let Some(buffer) = buffer {
            self.buffer = buffer;
            if priorities.is_some() {
                self.priorities = priorities;
            }
        }
        self.refresh_mirror()?;
        Ok(())
    }
}

fn buffer_tensors(buffer: &ReplayBuffer) -> Vec<(String, Tensor)> {
    let n = buffer.len();
    let d = buffer.obs_dim();
    let mut obs = Vec::with_capacity(n * d);
    let mut next = Vec::with_capacity(n * d);
    let (mut actions, mut rewards, mut flags) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        if let Some(t) = buffer.get(i) {
            obs.extend_from_slice(t.observation);
            next.extend_from_slice(t.next_observation);
            actions.push(t.action as i64);
            rewards.push(t.reward);
            // Bit 0: terminated; bit 1: truncated; bits 2+: n-step length − 1.
            flags.push(
                i64::from(t.terminated) + 2 * i64::from(t.truncated) + 4 * (t.steps as i64 - 1),
            );
        }
    }
    vec![
        (
            "replay.meta".into(),
            Tensor::from_slice(&[buffer.capacity() as i64, n as i64]),
        ),
        ("replay.observations".into(), Tensor::from_slice(&obs)),
        ("replay.next_observations".into(), Tensor::from_slice(&next)),
        ("replay.actions".into(), Tensor::from_slice(&actions)),
        ("replay.rewards".into(), Tensor::from_slice(&rewards)),
        ("replay.flags".into(), Tensor::from_slice(&flags)),
    ]
}

fn buffer_from_tensors(
    get: &dyn Fn(&str) -> Result<Tensor>,
    obs_dim: usize,
    n_actions: usize,
) -> Result<ReplayBuffer> {
    let meta = Vec::<i64>::try_from(&get("replay.meta")?).map_err(torch_error)?;
    // Every size, count and index read from the file is checked before it is used.
    let count = |i: usize, name: &str| -> Result<usize> {
        match meta.get(i) {
            Some(&v) if v >= 0 => Ok(v as usize),
            Some(&v) => Err(Error::shape("replay buffer", format!("a {name} ≥ 0"), v)),
            None => Err(Error::shape("replay buffer", format!("a {name}"), "none")),
        }
    };
    let (capacity, n) = (count(0, "capacity")?, count(1, "transition count")?);
    let floats = n
        .checked_mul(obs_dim)
        .ok_or_else(|| Error::shape("replay buffer", "a transition count that fits", n))?;
    // The capacity is checked (and capped) before anything is read into memory.
    let mut buffer = ReplayBuffer::new(capacity, obs_dim)?;
    let obs = Vec::<f32>::try_from(&get("replay.observations")?).map_err(torch_error)?;
    let next = Vec::<f32>::try_from(&get("replay.next_observations")?).map_err(torch_error)?;
    let actions = Vec::<i64>::try_from(&get("replay.actions")?).map_err(torch_error)?;
    let rewards = Vec::<f32>::try_from(&get("replay.rewards")?).map_err(torch_error)?;
    let flags = Vec::<i64>::try_from(&get("replay.flags")?).map_err(torch_error)?;
    if obs.len() != floats
        || next.len() != floats
        || actions.len() != n
        || rewards.len() != n
        || flags.len() != n
        || n > capacity
    {
        return Err(Error::shape(
            "replay buffer",
            format!("{n} transitions of {obs_dim} features, at most {capacity}"),
            "arrays of other lengths",
        ));
    }
    if let Some(i) = actions
        .iter()
        .position(|&a| a < 0 || a as usize >= n_actions)
    {
        return Err(Error::shape(
            "replay buffer action",
            format!("0..{n_actions}"),
            actions[i],
        ));
    }
    if obs
        .iter()
        .chain(&next)
        .chain(&rewards)
        .any(|v| !v.is_finite())
    {
        return Err(Error::invalid(
            "replay buffer",
            "values",
            "holds NaN or infinite values",
        ));
    }
    if let Some(&f) = flags
        .iter()
        .find(|&&f| f < 0 || (f >> 2) >= crate::rl::replay::MAX_STEPS as i64)
    {
        return Err(Error::shape(
            "replay buffer flags",
            format!("0..{}", 4 * crate::rl::replay::MAX_STEPS),
            f,
        ));
    }
    for i in 0..n {
        buffer.push_n(
            &obs[i * obs_dim..(i + 1) * obs_dim],
            actions[i] as usize,
            f64::from(rewards[i]),
            &next[i * obs_dim..(i + 1) * obs_dim],
            flags[i] & 1 == 1,
            flags[i] & 2 == 2,
            (flags[i] >> 2) as usize + 1,
        )?;
    }
    Ok(buffer)
}
