//! The DQN's hyper-parameters ([`DqnConfig`]) and their checks.

use serde::{Deserialize, Serialize};

use super::network::Activation;
use crate::error::{Error, Result};
use crate::rl::schedule::Schedule;

/// Prioritised experience replay, proportional variant (Schaul et al. 2016): transition `i` is
/// sampled with probability `pᵢ^α / Σ pⱼ^α`, where `pᵢ = |δᵢ| + ε` is its last absolute TD error
/// (new transitions get the largest priority so far), and its loss is weighted by
/// `(N · P(i))^−β / max w`, with β annealed linearly to 1 to undo the bias at the end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prioritized {
    /// How strongly priorities skew sampling (0: uniform); the paper's 0.6.
    pub alpha: f64,
    /// β at the first step; the paper's 0.4.
    pub beta_start: f64,
    /// Environment steps over which β reaches 1.
    pub beta_steps: usize,
    /// Added to |δ| so that no transition has priority 0.
    pub epsilon: f64,
}

impl Default for Prioritized {
    /// The paper's settings (α 0.6, β 0.4 → 1), β annealed over 100,000 steps, ε 1e-6.
    fn default() -> Self {
        Self {
            alpha: 0.6,
            beta_start: 0.4,
            beta_steps: 100_000,
            epsilon: 1e-6,
        }
    }
}

/// How the target network follows the online network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TargetUpdate {
    /// Copy the online weights every `every` environment steps.
    Hard {
        /// Interval in environment steps.
        every: usize,
    },
    /// After every gradient step, `target ← τ·online + (1 − τ)·target`.
    Soft {
        /// The averaging rate τ in (0, 1].
        tau: f64,
    },
}

/// The regression loss on the temporal-difference error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// Huber (smooth L1, δ = 1): robust to large TD errors (SB3's choice).
    Huber,
    /// Mean squared error (CleanRL's choice).
    Mse,
}

/// Where the networks live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceChoice {
    /// The CPU (default; deterministic for a seed).
    Cpu,
    /// The first CUDA GPU, falling back to the CPU when none is available.
    Cuda,
}

impl std::str::FromStr for DeviceChoice {
    type Err = Error;

    /// `cpu` or `cuda`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda),
            _ => Err(Error::invalid(
                "device",
                crate::data::shown(s),
                "use cpu or cuda",
            )),
        }
    }
}

hyperparams! {
    /// DQN hyper-parameters.
    ///
    /// `DqnConfig::params()` holds defaults that solve CartPole-v1. They follow RL Zoo's tuned
    /// CartPole settings for Stable-Baselines3 (lr 2.3e-3, batch 64, γ 0.99, learning starts 1000,
    /// train every 256 steps with 128 gradient steps, hard target updates every 10 steps, ε to 0.04
    /// over the first 16% of 50k steps, Huber loss, gradient clipping at 10) with a smaller
    /// 64-64 network instead of 256-256: on two CPU cores each gradient step then costs about a
    /// third as much, and CartPole needs no more capacity. On top of them, 3-step returns with
    /// Double DQN targets: measured on 50 CartPole seeds they solve every seed, with a lower median
    /// and a worst case half as long as one-step DQN (docs/dqn.md has the study); 3-step returns
    /// without Double DQN are faster still on the median but left one seed in 20 below 475 on fresh
    /// episodes.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct DqnConfig {
        /// Hidden layer sizes (1 to 16 layers of 1 to 16,384 units; default 64-64).
        pub hidden: Vec<usize> = vec![64, 64],
            valid |h| !h.is_empty() && h.len() <= MAX_LAYERS && h.iter().all(|&u| (1..=MAX_UNITS).contains(&u)),
            format!("needs 1 to {MAX_LAYERS} layers of 1 to {MAX_UNITS} units");
        /// Hidden activation (default ReLU).
        pub activation: Activation = Activation::Relu;
        /// Adam step size (> 0; default 2.3e-3).
        pub learning_rate: f64 = 2.3e-3, valid |r| r.is_finite() && *r > 0.0, "must be > 0";
        /// Replay capacity in transitions (default 100,000).
        pub buffer_size: usize = 100_000;
        /// Mini-batch size (≥ 1; default 64).
        pub batch_size: usize = 64, valid |n| *n >= 1, "must be at least 1";
        /// Discount γ in [0, 1] (default 0.99).
        pub gamma: f64 = 0.99, valid |g| (0.0..=1.0).contains(g), "must lie in [0, 1]";
        /// Environment steps before learning starts (default 1000).
        pub learning_starts: usize = 1000;
        /// Learn every this many environment steps (≥ 1; default 256)...
        pub train_frequency: usize = 256, valid |n| *n >= 1, "must be at least 1";
        /// ...taking this many gradient steps (≥ 1; default 128).
        pub gradient_steps: usize = 128, valid |n| *n >= 1, "must be at least 1";
        /// Target network updates (default a hard copy every 10 environment steps).
        pub target_update: TargetUpdate = TargetUpdate::Hard { every: 10 };
        /// Double DQN targets (default true).
        pub double_dqn: bool = true;
        /// Dueling value and advantage heads (Wang et al. 2016) on the shared hidden layers
        /// (default false).
        pub dueling: bool = false;
        /// Prioritised experience replay (Schaul et al. 2016; `None`, the default: uniform
        /// sampling).
        pub prioritized: Option<Prioritized> = None,
            valid |p| p.is_none_or(|p| p.is_valid()),
            "needs alpha and beta_start in [0, 1] and epsilon > 0";
        /// Bootstrap after this many steps: the target is `r₀ + γr₁ + … + γⁿ⁻¹rₙ₋₁ + γⁿ max Q`
        /// (1: ordinary one-step DQN; at most [`MAX_N_STEP`]; default 3).
        pub n_step: usize = 3,
            valid |n| (1..=MAX_N_STEP).contains(n), format!("must lie in 1..={MAX_N_STEP}");
        /// TD loss (default Huber).
        pub loss: Loss = Loss::Huber;
        /// Clip the gradient's global norm to this (`None`: no clipping; default 10).
        pub max_grad_norm: Option<f64> = Some(10.0),
            valid |c| c.is_none_or(|c| c.is_finite() && c > 0.0), "must be > 0";
        /// ε as a function of the environment step (default 1 → 0.04 over 8,000 steps).
        pub exploration: Schedule = Schedule::Linear {
            start: 1.0,
            end: 0.04,
            duration: 8_000,
        };
        /// Seed for weights, exploration and replay sampling (default 0).
        pub seed: u64 = 0;
        /// CPU (default) or CUDA.
        pub device: DeviceChoice = DeviceChoice::Cpu;
        /// libtorch intra-op threads on the CPU (1, the default, is fastest for small networks
        /// and deterministic; at most 256).
        pub threads: usize = 1,
            valid |n| (1..=MAX_THREADS).contains(n), format!("must lie in 1..={MAX_THREADS}");
    }
    check check_rest;
}

/// Most weights between the hidden layers of a [`DqnConfig`] (50 million: 200 MB of f32, about
/// 1 GB with the target network and Adam's two moments).
pub const MAX_HIDDEN_WEIGHTS: usize = 50_000_000;
/// Most hidden layers a [`DqnConfig`] accepts.
pub const MAX_LAYERS: usize = 16;
/// Most units per hidden layer a [`DqnConfig`] accepts.
pub const MAX_UNITS: usize = 16_384;
/// Most libtorch threads a [`DqnConfig`] accepts.
pub const MAX_THREADS: usize = 256;
/// Environment copies a DQN tells apart in [`Transition::env`](crate::rl::Transition::env) (n-step returns).
pub const MAX_ENV_COPIES: usize = 4096;
/// Longest n-step return a [`DqnConfig`] accepts.
pub const MAX_N_STEP: usize = 64;

impl Prioritized {
    fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.alpha)
            && (0.0..=1.0).contains(&self.beta_start)
            && self.epsilon.is_finite()
            && self.epsilon > 0.0
    }
}

impl DqnConfig {
    /// The rules inside the target update and the exploration schedule.
    fn check_rest(&self) -> Result<()> {
        // Each layer may be within bounds while the network is not: 16 layers of 16,384 units
        // are 4 billion weights (16 GB, four times that with Adam's moments).
        let weights = self
            .hidden
            .windows(2)
            .try_fold(0usize, |n, w| n.checked_add(w[0].checked_mul(w[1])?));
        if weights.is_none_or(|w| w > MAX_HIDDEN_WEIGHTS) {
            return Err(Error::invalid(
                "hidden",
                format!("{:?}", self.hidden),
                format!(
                    "holds more than {MAX_HIDDEN_WEIGHTS} weights between hidden layers \
                     (the network, its target copy and Adam's moments must fit in memory)"
                ),
            ));
        }
        match self.target_update {
            TargetUpdate::Hard { every: 0 } => {
                return Err(Error::invalid(
                    "target_update.every",
                    0,
                    "must be at least 1",
                ))
            }
            TargetUpdate::Soft { tau } if !(tau > 0.0 && tau <= 1.0) => {
                return Err(Error::invalid(
                    "target_update.tau",
                    tau,
                    "must lie in (0, 1]",
                ))
            }
            _ => {}
        }
        self.exploration.check()
    }
}
