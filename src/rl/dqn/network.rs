//! The Q-network: an MLP whose parameters live in one flat libtorch tensor.
//!
//! One flat parameter vector makes the optimiser, gradient clipping, target updates and
//! checkpoints a handful of tensor operations instead of a handful per layer — on small networks
//! libtorch's per-operation overhead, not arithmetic, is the cost. Layers are views into it.
//! A copy of the weights in plain Rust (the *mirror*) serves single-observation action choice on
//! the CPU without going through libtorch's dispatcher.

use tch::{Device, Tensor};

pub use crate::rl::mlp::{Activation, Architecture, Layer};

/// `activation` applied to a tensor.
fn activate(activation: Activation, x: &Tensor) -> Tensor {
    match activation {
        Activation::Relu => x.relu(),
        Activation::Tanh => x.tanh(),
    }
}

impl Architecture {
    /// A fresh flat parameter vector, initialised as PyTorch's `nn.Linear` (uniform in
    /// ±1/√fan_in for weights and biases), drawn from `rng` — not from libtorch's global
    /// generator, so agents created concurrently stay reproducible.
    pub fn init(&self, device: Device, rng: &mut crate::rng::Rng) -> Tensor {
        use rand::Rng as _;
        let mut values = Vec::with_capacity(self.n_params());
        for layer in self.layers() {
            let bound = 1.0 / (layer.inputs as f32).sqrt();
            for _ in 0..(layer.inputs * layer.outputs + layer.outputs) {
                values.push(rng.gen_range(-bound..bound));
            }
        }
        Tensor::from_slice(&values).to_device(device)
    }

    /// Q-values for a batch `x` (`batch × obs_dim`) under parameters `flat`.
    pub fn forward(&self, flat: &Tensor, x: &Tensor) -> Tensor {
        let layers = self.layers();
        let last = layers.len() - 1;
        let mut h = x.shallow_clone();
        for (l, layer) in layers.iter().enumerate() {
            let weight = flat
                .narrow(
                    0,
                    layer.weights as i64,
                    (layer.inputs * layer.outputs) as i64,
                )
                .view([layer.outputs as i64, layer.inputs as i64]);
            let bias = flat.narrow(0, layer.bias as i64, layer.outputs as i64);
            h = h.linear(&weight, Some(&bias));
            if l < last {
                h = activate(self.activation, &h);
            }
        }
        if self.dueling {
            let n = h.size()[1] - 1;
            let value = h.narrow(1, 0, 1);
            let advantage = h.narrow(1, 1, n);
            let mean = advantage.mean_dim([1i64].as_slice(), true, tch::Kind::Float);
            h = value + advantage - mean;
        }
        h
    }
}

/// The network's weights copied to plain Rust, for fast forward passes on a few observations.
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

    /// The Q-values of one observation.
    pub fn q_values(&mut self, arch: &Architecture, x: &[f32]) -> &[f32] {
        self.q_values_batch(arch, x, 1)
    }

    /// The Q-values of `rows` observations stored row-major in `x`: `rows × n_actions` values,
    /// row-major (empty when the mirror was never refreshed).
    pub fn q_values_batch(&mut self, arch: &Architecture, x: &[f32], rows: usize) -> &[f32] {
        arch.q_values_batch(&self.params, x, rows, &mut self.buffers)
    }
}
