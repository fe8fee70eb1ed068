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
///
/// With `dueling` (Wang et al. 2016) the last layer has one more output than there are actions:
/// a state value `V(s)` and one advantage `A(s, a)` per action, combined as
/// `Q(s, a) = V(s) + A(s, a) − mean_a' A(s, a')`. The two heads share the hidden layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Architecture {
    /// `[obs_dim, hidden₁, …, n_actions]`.
    pub sizes: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Value and advantage heads instead of one Q head.
    #[serde(default)]
    pub dueling: bool,
}

/// One linear layer of an [`Architecture`] and where its parameters sit in the flat vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Input width.
    pub inputs: usize,
    /// Output width (the dueling head has `n_actions + 1`).
    pub outputs: usize,
    /// Offset of the `outputs × inputs` weights, row-major.
    pub weights: usize,
    /// Offset of the `outputs` biases.
    pub bias: usize,
}

impl Architecture {
    /// The linear layers in order, with their offsets in the flat parameter vector.
    pub fn layers(&self) -> Vec<Layer> {
        let last = self.sizes.len().saturating_sub(2);
        let mut at = 0;
        self.sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let (inputs, outputs) = (w[0], w[1] + usize::from(self.dueling && l == last));
                let layer = Layer {
                    inputs,
                    outputs,
                    weights: at,
                    bias: at + inputs * outputs,
                };
                at += inputs * outputs + outputs;
                layer
            })
            .collect()
    }

    /// Offsets of (weight, bias) of each layer in the flat vector, and the total length.
    pub fn layout(&self) -> (Vec<(usize, usize)>, usize) {
        let layers = self.layers();
        let total = layers.last().map_or(0, |l| l.bias + l.outputs);
        (layers.iter().map(|l| (l.weights, l.bias)).collect(), total)
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
                h = self.activation.apply(&h);
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
    /// row-major. Each weight row is read once for the whole batch.
    pub fn q_values_batch(&mut self, arch: &Architecture, x: &[f32], rows: usize) -> &[f32] {
        let layers = arch.layers();
        let last = layers.len() - 1;
        let (a, b) = &mut self.buffers;
        a.clear();
        a.extend_from_slice(x);
        if layers
            .last()
            .is_none_or(|l| self.params.len() < l.bias + l.outputs)
        {
            // Never refreshed: no network to read (refresh errors are reported upstream).
            a.clear();
            return a;
        }
        for (l, layer) in layers.iter().enumerate() {
            let (inp, out) = (layer.inputs, layer.outputs);
            b.clear();
            b.resize(rows * out, 0.0);
            for o in 0..out {
                let row = &self.params[layer.weights + o * inp..layer.weights + (o + 1) * inp];
                let bias = self.params[layer.bias + o];
                for r in 0..rows {
                    let input = &a[r * inp..(r + 1) * inp];
                    let mut s = bias;
                    for (p, v) in row.iter().zip(input) {
                        s += p * v;
                    }
                    b[r * out + o] = if l < last {
                        arch.activation.apply_f32(s)
                    } else {
                        s
                    };
                }
            }
            std::mem::swap(a, b);
        }
        if arch.dueling {
            // [V, A₁..Aₙ] per row → Q = V + A − mean(A).
            let width = arch.sizes.last().copied().unwrap_or(0);
            b.clear();
            for head in a.chunks_exact(width + 1) {
                let mean = head[1..].iter().sum::<f32>() / width as f32;
                b.extend(head[1..].iter().map(|adv| head[0] + adv - mean));
            }
            std::mem::swap(a, b);
        }
        a
    }
}
