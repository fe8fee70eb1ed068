//! Deep Q-network (Mnih et al. 2015) on libtorch, read top to bottom in the CleanRL spirit:
//! hyper-parameters in [`DqnConfig`], then [`Agent::learn`](crate::rl::Agent::learn): store the transition, every
//! `train_frequency` steps take `gradient_steps` gradient steps on mini-batches from the replay
//! buffer, and keep the target network in sync.
//!
//! * **Q-network**: an MLP (configurable hidden sizes and activation) with its parameters in one
//!   flat tensor ([`network`]).
//! * **Target network**: hard copies every `N` environment steps, or Polyak averaging with `τ`.
//! * **Double DQN** (van Hasselt et al. 2016): the online network picks the next action, the
//!   target network values it.
//! * **Replay buffer** ([`crate::rl::replay`]): only `terminated` stops bootstrapping; a
//!   time-limit cut bootstraps from the next state.
//! * Adam, Huber or MSE loss, gradient-norm clipping, an ε-greedy [`Schedule`](crate::rl::Schedule) over steps.
//! * Works on any environment whose observations implement [`Features`]: box observations as they
//!   are, gridworld states one-hot.
//! * Checkpoints ([`Dqn::save_checkpoint`]) hold both networks, Adam's state, the step counter,
//!   the generator state and optionally the replay buffer, written atomically.

mod checkpoint;
mod config;
mod learn;
pub mod network;

use std::collections::VecDeque;

use learnkit_envs::{Features, Space};
use serde::Serialize;
use tch::{Device, Kind, Tensor};

use crate::rl::mlp::argmax;
use network::Mirror;
pub use network::{Activation, Architecture, Layer};

use super::replay::{Batch, PriorityTree, ReplayBuffer};
use crate::error::{Error, Result};
use crate::rng;
use crate::traits::Hyperparams;

pub use config::{
    DeviceChoice, DqnConfig, Loss, Prioritized, TargetUpdate, MAX_ENV_COPIES, MAX_HIDDEN_WEIGHTS,
    MAX_LAYERS, MAX_N_STEP, MAX_THREADS, MAX_UNITS,
};

/// Training statistics of the most recent learning phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LearnStats {
    /// Mean loss over the phase's gradient steps.
    pub loss: f64,
    /// Mean predicted Q(s, a) over the phase's batches.
    pub mean_q: f64,
    /// Environment step at which it happened.
    pub step: usize,
}

/// A DQN agent for observations of type `O`.
pub struct Dqn<O> {
    config: DqnConfig,
    arch: Architecture,
    space: Space,
    device: Device,
    online: Tensor,
    target: Tensor,
    adam_m: Tensor,
    adam_v: Tensor,
    adam_t: i64,
    buffer: ReplayBuffer,
    /// Priorities of the buffer's slots (prioritised replay only).
    priorities: Option<PriorityTree>,
    rng: rng::Rng,
    step: usize,
    mirror: Mirror,
    mirror_stale: bool,
    batch: Batch,
    features: (Vec<f32>, Vec<f32>),
    /// Per environment copy, the last `n_step − 1` (features, action, reward) not yet stored.
    pending: std::collections::HashMap<usize, VecDeque<(Vec<f32>, usize, f64)>>,
    /// Feature vectors of stored n-step transitions, reused for the next ones.
    spare: Vec<Vec<f32>>,
    history: Vec<LearnStats>,
    marker: std::marker::PhantomData<fn(&O)>,
}

impl<O: Features> Dqn<O> {
    /// A new agent for an environment with observation space `space` and `n_actions` actions.
    pub fn new(config: DqnConfig, space: &Space, n_actions: usize) -> Result<Self> {
        config.check()?;
        let obs_dim = space.feature_len();
        if obs_dim == 0 || n_actions == 0 {
            return Err(Error::invalid(
                "space",
                format!("{obs_dim} features, {n_actions} actions"),
                "both must be at least 1",
            ));
        }
        tch::set_num_threads(config.threads as i32);
        let device = match config.device {
            DeviceChoice::Cuda if tch::Cuda::is_available() => Device::Cuda(0),
            _ => Device::Cpu,
        };
        let mut sizes = vec![obs_dim];
        sizes.extend(&config.hidden);
        sizes.push(n_actions);
        let arch = Architecture {
            sizes,
            activation: config.activation,
            dueling: config.dueling,
        };
        let online = arch
            .init(device, &mut rng::derived(config.seed, 0))
            .set_requires_grad(true);
        let target = online.detach().copy();
        let n = arch.n_params() as i64;
        let buffer = ReplayBuffer::new(config.buffer_size.max(1), obs_dim)?;
        let priorities = config
            .prioritized
            .map(|_| PriorityTree::new(buffer.capacity()));
        let mut agent = Self {
            rng: rng::derived(config.seed, 1),
            config,
            arch,
            space: space.clone(),
            device,
            online,
            target,
            adam_m: Tensor::zeros([n], (Kind::Float, device)),
            adam_v: Tensor::zeros([n], (Kind::Float, device)),
            adam_t: 0,
            buffer,
            priorities,
            step: 0,
            mirror: Mirror::default(),
            mirror_stale: true,
            batch: Batch::default(),
            features: (vec![0.0; obs_dim], vec![0.0; obs_dim]),
            pending: Default::default(),
            spare: Vec::new(),
            history: Vec::new(),
            marker: std::marker::PhantomData,
        };
        agent.refresh_mirror()?;
        Ok(agent)
    }

    /// The device the networks live on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The network's layer sizes and activation.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// Environment steps seen.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// Loss and mean Q of every learning phase so far.
    pub fn history(&self) -> &[LearnStats] {
        &self.history
    }

    /// The replay buffer.
    pub fn buffer(&self) -> &ReplayBuffer {
        &self.buffer
    }

    /// Number of actions (the network's outputs).
    pub fn n_actions(&self) -> usize {
        self.arch.sizes.last().copied().unwrap_or(0)
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &DqnConfig {
        &self.config
    }

    /// The online parameters as a flat vector (for tests and inspection).
    pub fn parameters(&self) -> Result<Vec<f32>> {
        Vec::<f32>::try_from(&self.online.detach().to_device(Device::Cpu)).map_err(torch_error)
    }

    fn refresh_mirror(&mut self) -> Result<()> {
        self.mirror.refresh(&self.online).map_err(torch_error)?;
        self.mirror_stale = false;
        Ok(())
    }

    /// Q-values of one observation.
    pub fn q_values(&mut self, observation: &O) -> Result<Vec<f32>> {
        observation.write_features(&self.space, &mut self.features.0)?;
        if self.mirror_stale {
            self.refresh_mirror()?;
        }
        Ok(self.mirror.q_values(&self.arch, &self.features.0).to_vec())
    }

    fn greedy(&mut self, observation: &O) -> Result<usize> {
        observation.write_features(&self.space, &mut self.features.0)?;
        if self.mirror_stale {
            self.refresh_mirror()?;
        }
        let q = self.mirror.q_values(&self.arch, &self.features.0);
        if q.is_empty() {
            return Err(Error::Torch("the Q-network returned no values".into()));
        }
        Ok(argmax(q))
    }
}

fn describe(arch: &Architecture) -> String {
    let sizes: Vec<String> = arch.sizes.iter().map(|s| s.to_string()).collect();
    let heads = if arch.dueling { ", dueling" } else { "" };
    format!("an MLP {} ({:?}{heads})", sizes.join("-"), arch.activation)
}

fn torch_error(e: tch::TchError) -> Error {
    Error::Torch(one_line(&e.to_string()))
}

/// The first line of a libtorch message (they carry a C++ stack trace after it).
fn one_line(message: &str) -> String {
    // libtorch's messages run to several sentences of advice: the first says what is wrong.
    let line = message.lines().next().unwrap_or("").trim();
    let first = match line.find(". ") {
        Some(end) => &line[..end],
        None => line,
    };
    crate::data::shown_up_to(first, 160)
}
