//! A multilayer perceptron in plain Rust: the layer layout of a flat parameter vector and a
//! forward pass that needs no tensor library. The DQN (feature `tch`) trains these networks on
//! libtorch; a saved agent ([`crate::rl::SavedAgent`]) acts with them anywhere.

use serde::{Deserialize, Serialize};

/// Hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// max(0, x).
    Relu,
    /// tanh(x).
    Tanh,
}

impl Activation {
    /// The activation of one value.
    pub fn apply_f32(self, x: f32) -> f32 {
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

    /// The number of parameters, or `None` when the sizes are not a network (fewer than two
    /// layers, a zero width) or the count exceeds `limit`: computed without overflow, for
    /// architectures read from files.
    pub fn checked_n_params(&self, limit: usize) -> Option<usize> {
        if self.sizes.len() < 2 || self.sizes.contains(&0) {
            return None;
        }
        let last = self.sizes.len() - 2;
        let mut total = 0usize;
        for (l, w) in self.sizes.windows(2).enumerate() {
            let outputs = w[1].checked_add(usize::from(self.dueling && l == last))?;
            let layer = w[0].checked_mul(outputs)?.checked_add(outputs)?;
            total = total.checked_add(layer)?;
        }
        (total <= limit).then_some(total)
    }

    /// The outputs (Q-values) of `rows` inputs stored row-major in `x`, under the flat
    /// parameters `params` (layout of [`Architecture::layers`]): `rows × n_actions` values,
    /// row-major, in `buffers.0`. Plain Rust, for acting on a few observations without a tensor
    /// library; each weight row is read once for the whole batch. Empty when `params` is too
    /// short for the architecture.
    pub fn q_values_batch<'b>(
        &self,
        params: &[f32],
        x: &[f32],
        rows: usize,
        buffers: &'b mut (Vec<f32>, Vec<f32>),
    ) -> &'b [f32] {
        let layers = self.layers();
        let last = layers.len().saturating_sub(1);
        let (a, b) = buffers;
        a.clear();
        if layers
            .last()
            .is_none_or(|l| params.len() < l.bias + l.outputs)
        {
            return a;
        }
        a.extend_from_slice(x);
        for (l, layer) in layers.iter().enumerate() {
            let (inp, out) = (layer.inputs, layer.outputs);
            b.clear();
            b.resize(rows * out, 0.0);
            for o in 0..out {
                let row = &params[layer.weights + o * inp..layer.weights + (o + 1) * inp];
                let bias = params[layer.bias + o];
                for r in 0..rows {
                    let input = &a[r * inp..(r + 1) * inp];
                    let mut s = bias;
                    for (p, v) in row.iter().zip(input) {
                        s += p * v;
                    }
                    b[r * out + o] = if l < last {
                        self.activation.apply_f32(s)
                    } else {
                        s
                    };
                }
            }
            std::mem::swap(a, b);
        }
        if self.dueling {
            // [V, A₁..Aₙ] per row → Q = V + A − mean(A).
            let width = self.sizes.last().copied().unwrap_or(0);
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

/// The index of the largest value (the first of ties; 0 for an empty or all-NaN slice): the
/// greedy action of a row of Q-values.
pub fn argmax(q: &[f32]) -> usize {
    q.iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |b, (i, &v)| if v > b.1 { (i, v) } else { b },
        )
        .0
}
