//! The Q-network: an MLP whose parameters live in one flat libtorch tensor.
//!
//! One flat parameter vector makes the optimiser, gradient clipping, target updates and
//! checkpoints a handful of tensor operations instead of a handful per layer — on small networks
//! libtorch's per-operation overhead, not arithmetic, is the cost. Layers are views into it.
//! A copy of the weights in plain Rust (the *mirror*) serves single-observation action choice on
//! the CPU without going through libtorch's dispatcher.

use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

/// Hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// max(0, x).
    Relu,
    /// tanh(x).
    Tanh,
}

impl Activation {
    fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Relu => x.relu(),
            Activation::Tanh => x.tanh(),
        }
    }

    fn apply_f32(self, x: f32) -> f32 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::Tanh => x.tanh(),
        }
    }
}

/// Layer sizes: input, hidden..., output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    /// `[obs_dim, hidden₁, …, n_actions]`.
    pub sizes: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
}

impl Architecture {
    /// Offsets of (weight, bias) of each layer in the flat vector, and the total length.
    pub fn layout(&self) -> (Vec<(usize, usize)>, usize) {
        let mut offsets = Vec::new();
        let mut at = 0;
        for w in self.sizes.windows(2) {
            let (inp, out) = (w[0], w[1]);
            offsets.push((at, at + inp * out));
            at += inp * out + out;
        }
        (offsets, at)
    }

    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.layout().1
    }

    /// A fresh flat parameter vector, initialised as PyTorch's `nn.Linear` (uniform in
    /// ±1/√fan_in for weights and biases), drawn from `rng` — not from libtorch's global
    /// generator, so agents created concurrently stay reproducible.
    pub fn init(&self, device: Device, rng: &mut crate::rng::Rng) -> Tensor {
        use rand::Rng as _;
        let mut values = Vec::with_capacity(self.n_params());
        for w in self.sizes.windows(2) {
            let bound = 1.0 / (w[0] as f32).sqrt();
            for _ in 0..(w[0] * w[1] + w[1]) {
                values.push(rng.gen_range(-bound..bound));
            }
        }
        Tensor::from_slice(&values).to_device(device)
    }

    /// Q-values for a batch `x` (`batch × obs_dim`) under parameters `flat`.
    pub fn forward(&self, flat: &Tensor, x: &Tensor) -> Tensor {
        let (offsets, _) = self.layout();
        let last = offsets.len() - 1;
        let mut h = x.shallow_clone();
        for (l, (w, &(wo, bo))) in self.sizes.windows(2).zip(&offsets).enumerate() {
            let weight = flat
                .narrow(0, wo as i64, (w[0] * w[1]) as i64)
                .view([w[1] as i64, w[0] as i64]);
            let bias = flat.narrow(0, bo as i64, w[1] as i64);
            h = h.linear(&weight, Some(&bias));
            if l < last {
                h = self.activation.apply(&h);
            }
        }
        h
    }
}

/// The network's weights copied to plain Rust, for fast single-observation forward passes.
#[derive(Debug, Clone, Default)]
pub struct Mirror {
    params: Vec<f32>,
    buffers: (Vec<f32>, Vec<f32>),
}

impl Mirror {
    /// Copies `flat` (on any device) into the mirror; a failed copy is an error (an empty
    /// mirror would read every Q-value as 0).
    pub fn refresh(&mut self, flat: &Tensor) -> Result<(), tch::TchError> {
        let cpu = flat.detach().to_device(Device::Cpu).contiguous();
        self.params = Vec::<f32>::try_from(&cpu)?;
        Ok(())
    }

    /// The greedy action and Q-values for one observation.
    pub fn q_values(&mut self, arch: &Architecture, x: &[f32]) -> &[f32] {
        let (offsets, _) = arch.layout();
        let last = offsets.len() - 1;
        let (a, b) = &mut self.buffers;
        a.clear();
        a.extend_from_slice(x);
        for (l, (w, &(wo, bo))) in arch.sizes.windows(2).zip(&offsets).enumerate() {
            let (inp, out) = (w[0], w[1]);
            b.clear();
            b.resize(out, 0.0);
            if self.params.len() >= bo + out {
                for (o, bv) in b.iter_mut().enumerate() {
                    let row = &self.params[wo + o * inp..wo + (o + 1) * inp];
                    let mut s = self.params[bo + o];
                    for (p, v) in row.iter().zip(a.iter()) {
                        s += p * v;
                    }
                    *bv = if l < last {
                        arch.activation.apply_f32(s)
                    } else {
                        s
                    };
                }
            }
            std::mem::swap(a, b);
        }
        a
    }
}
