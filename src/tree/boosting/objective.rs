//! The losses gradient boosting minimises: their initial scores, gradients and hessians, and
//! the loss itself (LightGBM's `objective/`).

use rayon::prelude::*;

use crate::distributed::{Collective, FixedPoint, Shard};

/// The loss being minimised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// Binary log-loss on one score.
    Binary,
    /// Softmax cross-entropy on one score per class.
    Softmax(usize),
    /// Squared error.
    Squared,
    /// Absolute error (leaf values are medians of residuals).
    Absolute,
    /// Huber loss: squared within `delta` of the target, linear beyond.
    Huber(f64),
}

/// The median of `v` (reordered; the mean of the two middle values for an even length).
pub fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let (_, upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lower / 2.0 + upper / 2.0
}

impl Loss {
    pub fn n_outputs(self) -> usize {
        match self {
            Loss::Softmax(k) => k,
            _ => 1,
        }
    }

    /// The largest |g| and h the loss can produce, if bounded.
    pub fn gradient_bounds(self) -> Option<(f64, f64)> {
        match self {
            Loss::Binary | Loss::Softmax(_) => Some((1.0, 0.25)),
            Loss::Absolute => Some((1.0, 1.0)),
            Loss::Huber(delta) => Some((delta, 1.0)),
            Loss::Squared => None,
        }
    }

    /// Initial scores from the targets of every process's shard (the one-process scores, to
    /// the bit: counts are whole numbers and the squared loss's mean is summed in fixed
    /// point). The medians of the absolute and Huber losses need every target in one place:
    /// those losses are for one process (the caller refuses them across processes).
    pub fn shard_init(self, y: &[f64], collective: &impl Collective) -> Vec<f64> {
        let mut count = [y.len() as f64];
        collective.all_sum_whole(&mut count);
        let n = count[0].max(1.0);
        match self {
            Loss::Squared => {
                let mut largest = [y.iter().fold(0.0f64, |m, v| m.max(v.abs()))];
                collective.all_max(&mut largest);
                let fixed = FixedPoint::for_max(largest[0]);
                let mut sum = [y.iter().map(|&v| i128::from(fixed.fixed(v))).sum::<i128>()];
                collective.all_sum_i128(&mut sum);
                vec![fixed.real(sum[0]) / n]
            }
            Loss::Absolute | Loss::Huber(_) => vec![median(&mut y.to_vec())],
            Loss::Binary => {
                let mut ones = [y.iter().sum::<f64>()];
                collective.all_sum_whole(&mut ones);
                let p = (ones[0] / n).clamp(1e-12, 1.0 - 1e-12);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Softmax(k) => {
                let mut counts = vec![0.0; k];
                for &c in y {
                    counts[c as usize] += 1.0;
                }
                collective.all_sum_whole(&mut counts);
                counts.iter().map(|c| (c / n).max(1e-12).ln()).collect()
            }
        }
    }

    /// Gradients and hessians of output `k` at `scores` (row-major, `n × outputs`), and the
    /// mean loss over `loss_rows` evenly spaced rows at most (see [`super::LOSS_ROWS`]).
    pub fn gradients(
        self,
        y: &[f64],
        scores: &[f64],
        gh: &mut [Vec<[f64; 2]>],
        loss_rows: usize,
    ) -> f64 {
        let (sum, counted) = self.shard_gradients(y, scores, gh, loss_rows, Shard::whole(y.len()));
        sum / counted
    }

    /// [`Loss::gradients`] of one shard of the rows: the sum of the loss over the shard's rows
    /// among the evenly spaced ones of all the rows, and how many there are.
    pub fn shard_gradients(
        self,
        y: &[f64],
        scores: &[f64],
        gh: &mut [Vec<[f64; 2]>],
        loss_rows: usize,
        shard: Shard,
    ) -> (f64, f64) {
        let n = y.len();
        let stride = (shard.total / loss_rows.max(1)).max(1);
        let first = shard.offset;
        let sampled = ((first + n).div_ceil(stride) - first.div_ceil(stride)) as f64;
        match self {
            Loss::Squared | Loss::Absolute | Loss::Huber(_) | Loss::Binary => {
                // In fixed chunks, in parallel; the chunk losses are summed in order.
                let chunk = 8192;
                let parts: Vec<f64> = gh[0]
                    .par_chunks_mut(chunk)
                    .enumerate()
                    .map(|(c, out)| {
                        let base = c * chunk;
                        let mut loss = 0.0;
                        // The next row counted in the loss (every `stride`-th of all the
                        // rows), without a division per row.
                        let mut next = (first + base).div_ceil(stride) * stride;
                        for (j, o) in out.iter_mut().enumerate() {
                            let (s, t) = (scores[base + j], y[base + j]);
                            let counted = first + base + j == next;
                            next += if counted { stride } else { 0 };
                            if let Loss::Squared = self {
                                let r = s - t;
                                *o = [r, 1.0];
                                if counted {
                                    loss += r * r;
                                }
                            } else if let Loss::Absolute = self {
                                let r = s - t;
                                *o = [
                                    if r > 0.0 {
                                        1.0
                                    } else if r < 0.0 {
                                        -1.0
                                    } else {
                                        0.0
                                    },
                                    1.0,
                                ];
                                if counted {
                                    loss += r.abs();
                                }
                            } else if let Loss::Huber(delta) = self {
                                let r = s - t;
                                let linear = r.abs() > delta;
                                *o = [if linear { delta * r.signum() } else { r }, 1.0];
                                if counted {
                                    loss += if linear {
                                        delta * (r.abs() - 0.5 * delta)
                                    } else {
                                        0.5 * r * r
                                    };
                                }
                            } else {
                                // One exponential serves the probability and the loss:
                                // e = e^{−|s|}, and −log p(true class) = log(1 + e^{−m}) =
                                // max(−m, 0) + log(1 + e) for the signed margin m = ±s.
                                let e = (-s.abs()).exp();
                                let p = if s >= 0.0 {
                                    1.0 / (1.0 + e)
                                } else {
                                    e / (1.0 + e)
                                };
                                *o = [p - t, (p * (1.0 - p)).max(1e-16)];
                                if counted {
                                    let m = if t > 0.5 { s } else { -s };
                                    // ln(1 + e) rather than ln_1p(e): twice as fast, and e
                                    // near 0 (where they differ) adds nothing to the mean.
                                    loss += (-m).max(0.0) + (1.0 + e).ln();
                                }
                            }
                        }
                        loss
                    })
                    .collect();
                (parts.iter().sum::<f64>(), sampled)
            }
            Loss::Softmax(k) => {
                let mut loss = 0.0;
                let mut p = vec![0.0; k];
                for i in 0..n {
                    let s = &scores[i * k..(i + 1) * k];
                    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let z: f64 = s.iter().map(|v| (v - m).exp()).sum();
                    for c in 0..k {
                        p[c] = (s[c] - m).exp() / z;
                    }
                    let t = y[i] as usize;
                    for c in 0..k {
                        let yc = if c == t { 1.0 } else { 0.0 };
                        gh[c][i] = [p[c] - yc, (p[c] * (1.0 - p[c])).max(1e-16)];
                    }
                    if (first + i) % stride == 0 {
                        loss -= p[t].max(1e-15).ln();
                    }
                }
                (loss, sampled)
            }
        }
    }
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}
