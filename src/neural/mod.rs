//! Neural-network estimators on libtorch (feature `tch`): [`MlpClassifier`] and
//! [`MlpRegressor`], scikit-learn's `MLPClassifier`/`MLPRegressor` — fully connected layers
//! with ReLU or tanh, trained by mini-batch Adam on the cross-entropy or squared error plus an
//! L2 penalty, stopping when the loss (or a held-out score) stops improving.
//!
//! The network is the one the DQN trains ([`crate::rl::mlp::Architecture`]: every parameter in
//! one flat tensor, layers as views), and both take their Adam steps from one function.
//!
//! ```
//! use learnkit::prelude::*;
//! use learnkit::neural::MlpClassifier;
//! use learnkit::preprocessing::StandardScaler;
//! use learnkit::model_selection::Pipeline;
//!
//! let iris = learnkit::data::iris()?;
//! let mlp = Pipeline::new(MlpClassifier::params().hidden_layer_sizes(vec![16]).max_iter(300))
//!     .scaler(StandardScaler::params());
//! let model = mlp.fit(&iris)?;
//! assert!(model.score_on(&iris)? > 0.9);
//! # Ok::<(), learnkit::Error>(())
//! ```

mod mlp;

pub use mlp::{FittedMlp, Mlp, MlpClassifier, MlpRegressor};

use tch::Tensor;

/// One Adam step (Kingma & Ba; β = 0.9, 0.999, ε = 1e-8) on a flat parameter tensor: updates
/// the moments `m` and `v` in place with `grad`, `t` is the step number (from 1).
pub(crate) fn adam_step(
    params: &mut Tensor,
    grad: &Tensor,
    (m, v): (&mut Tensor, &mut Tensor),
    t: u64,
    learning_rate: f64,
) {
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let _ = m.g_mul_scalar_(b1);
    let _ = m.g_add_(&(grad * (1.0 - b1)));
    let _ = v.g_mul_scalar_(b2);
    let _ = v.g_add_(&(grad * grad * (1.0 - b2)));
    let bias1 = 1.0 - b1.powi(t as i32);
    let bias2 = 1.0 - b2.powi(t as i32);
    let denom = (&*v / bias2).sqrt() + eps;
    let update = &*m / &denom * (learning_rate / bias1);
    let _ = params.g_sub_(&update);
}
