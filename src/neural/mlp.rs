//! The multilayer perceptron estimators (scikit-learn's `MLPClassifier` and `MLPRegressor`).

use std::marker::PhantomData;

use ndarray::{Array1, Array2, ArrayView2};
use rand::seq::SliceRandom;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::dataset::Labeled;
use crate::error::{Error, Result};
use crate::persist::Persist;
use crate::rl::mlp::{Activation, Architecture};
use crate::traits::{Classifier, Estimator, Hyperparams, Predict, PredictProba, Regressor};
use crate::validate::{self, Target};

/// The widest hidden layer accepted (a million units: ~10¹² weights behind two such layers is
/// refused by the parameter count below).
const MAX_WIDTH: usize = 1 << 20;
/// The most parameters a network may have (2³¹: 8 GB of f32, twice more for Adam's moments).
const MAX_PARAMS: usize = 1 << 31;

hyperparams! {
    /// Hyper-parameters of a multilayer perceptron, with scikit-learn's meanings and defaults
    /// (`MLPClassifier`/`MLPRegressor` with `solver="adam"`): one hidden layer of 100 ReLU
    /// units, Adam at 1e-3 on mini-batches of `min(200, n)` shuffled rows each epoch, an L2
    /// penalty `alpha/(2·batch)·‖W‖²` on the weights (not the biases), Glorot-uniform
    /// initialisation, at most 200 epochs, stopping when the epoch's loss has not fallen by
    /// `tol` for `n_iter_no_change` epochs in a row — or, with `early_stopping`, when the score
    /// on a held-out `validation_fraction` of the rows has not risen by `tol` (the best epoch's
    /// weights are kept). Classes use a softmax output and the cross-entropy; values a linear
    /// output and half the squared error. Build it with [`Mlp::classifier`] or
    /// [`Mlp::regressor`] (or `MlpClassifier::params()`); standardise the features first (a
    /// [`Pipeline`](crate::model_selection::Pipeline) with a scaler), as scikit-learn advises.
    /// Training runs on one libtorch thread (set for the process, as the DQN does): the same
    /// seed gives the same network on any machine setting.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Mlp<T: Target> {
        /// Units of each hidden layer (default `[100]`).
        pub(crate) hidden_layer_sizes: Vec<usize> = vec![100],
            valid |h| !h.is_empty() && h.iter().all(|&w| (1..=MAX_WIDTH).contains(&w)),
            "must list at least one layer, each of 1 to 1,048,576 units";
        /// Hidden activation: ReLU (default) or tanh.
        pub(crate) activation: Activation = Activation::Relu;
        /// L2 penalty on the weights (≥ 0; default 1e-4).
        pub(crate) alpha: f64 = 1e-4, valid |a| a.is_finite() && *a >= 0.0, "must be finite and ≥ 0";
        /// Rows per mini-batch (default `min(200, n)`).
        pub(crate) batch_size: Option<usize> = None,
            valid |b| *b != Some(0), "must be at least 1";
        /// Adam's step size (> 0; default 1e-3).
        pub(crate) learning_rate: f64 = 1e-3,
            valid |l| l.is_finite() && *l > 0.0, "must be finite and > 0";
        /// Most epochs (1 to 100,000; default 200).
        pub(crate) max_iter: usize = 200,
            valid |n| (1..=100_000).contains(n), "must lie in 1..=100000";
        /// The improvement that counts (≥ 0; default 1e-4).
        pub(crate) tol: f64 = 1e-4, valid |t| t.is_finite() && *t >= 0.0, "must be finite and ≥ 0";
        /// Epochs without improvement before stopping (≥ 1; default 10).
        pub(crate) n_iter_no_change: usize = 10, valid |n| *n >= 1, "must be at least 1";
        /// Stop on a held-out score instead of the training loss (default false).
        pub(crate) early_stopping: bool = false;
        /// The held-out fraction with `early_stopping` (in (0, 1); default 0.1).
        pub(crate) validation_fraction: f64 = 0.1,
            valid |f| *f > 0.0 && *f < 1.0, "must lie in (0, 1)";
        /// Seed of the initial weights, the shuffles and the held-out rows (default 0).
        pub(crate) seed: u64 = 0;
    }
}

/// A multilayer perceptron for classes.
pub type MlpClassifier = Mlp<usize>;
/// A multilayer perceptron for real values.
pub type MlpRegressor = Mlp<f64>;

impl Mlp<usize> {
    /// The classifier with scikit-learn's defaults.
    pub fn classifier() -> Self {
        Self::defaults()
    }

    /// The classifier with scikit-learn's defaults (as [`Mlp::classifier`]).
    pub fn params() -> Self {
        Self::defaults()
    }
}

impl Mlp<f64> {
    /// The regressor with scikit-learn's defaults.
    pub fn regressor() -> Self {
        Self::defaults()
    }

    /// The regressor with scikit-learn's defaults (as [`Mlp::regressor`]).
    pub fn params() -> Self {
        Self::defaults()
    }
}

/// What the network is trained to output.
enum Goal<'a> {
    /// Class indices of `k` classes.
    Classes(&'a [i64], usize),
    /// Real values.
    Values(&'a [f32]),
}

/// A trained network and how its training went.
struct Trained {
    architecture: Architecture,
    params: Vec<f32>,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    converged: bool,
}

fn torch_error(e: tch::TchError) -> Error {
    Error::numerical("MLP", e.to_string())
}

impl<T: Target> Mlp<T> {
    /// Trains on `x` for `goal` (every check done by the caller).
    fn train(&self, x: ArrayView2<'_, f64>, goal: Goal<'_>) -> Result<Trained> {
        let (n, d) = x.dim();
        let outputs = match goal {
            Goal::Classes(_, k) => k,
            Goal::Values(_) => 1,
        };
        let mut sizes = vec![d];
        sizes.extend(&self.hidden_layer_sizes);
        sizes.push(outputs);
        let architecture = Architecture {
            sizes,
            activation: self.activation,
            dueling: false,
        };
        let n_params = architecture.checked_n_params(MAX_PARAMS).ok_or_else(|| {
            Error::invalid(
                "hidden_layer_sizes",
                format!("{:?}", self.hidden_layer_sizes),
                format!("makes a network of more than {MAX_PARAMS} parameters"),
            )
        })?;
        // One libtorch thread, as the DQN: the fastest for networks this small, and the same
        // weights whatever OMP_NUM_THREADS or the machine's cores say.
        tch::set_num_threads(1);
        let mut rng = crate::rng::seeded(self.seed);
        // Held-out rows (early stopping): a seeded share of the rows, the rest trained on.
        let mut order: Vec<usize> = (0..n).collect();
        let held = if self.early_stopping {
            order.shuffle(&mut rng);
            let held = ((n as f64) * self.validation_fraction).ceil() as usize;
            if held < 1 || n - held < 1 {
                return Err(Error::invalid(
                    "validation_fraction",
                    self.validation_fraction,
                    format!("leaves no rows to train on or to validate with among {n}"),
                ));
            }
            held
        } else {
            0
        };
        let (train_rows, valid_rows) = order.split_at(n - held);
        let rows_tensor = |rows: &[usize]| -> Tensor {
            let values: Vec<f32> = rows
                .iter()
                .flat_map(|&i| x.row(i).iter().map(|&v| v as f32).collect::<Vec<_>>())
                .collect();
            Tensor::from_slice(&values).view([rows.len() as i64, d as i64])
        };
        let goal_tensor = |rows: &[usize]| -> Tensor {
            match goal {
                Goal::Classes(y, _) => {
                    Tensor::from_slice(&rows.iter().map(|&i| y[i]).collect::<Vec<_>>())
                }
                Goal::Values(y) => {
                    Tensor::from_slice(&rows.iter().map(|&i| y[i]).collect::<Vec<_>>())
                        .view([rows.len() as i64, 1])
                }
            }
        };
        let (x_train, y_train) = (rows_tensor(train_rows), goal_tensor(train_rows));
        let (x_valid, y_valid) = (rows_tensor(valid_rows), goal_tensor(valid_rows));
        // Glorot-uniform weights and biases, as scikit-learn: ±√(6 / (fan_in + fan_out)).
        let mut init = Vec::with_capacity(n_params);
        let mut is_weight = Vec::with_capacity(n_params);
        for layer in architecture.layers() {
            let bound = (6.0 / (layer.inputs + layer.outputs) as f64).sqrt() as f32;
            for k in 0..layer.inputs * layer.outputs + layer.outputs {
                init.push(rng.gen_range(-bound..bound));
                is_weight.push(if k < layer.inputs * layer.outputs {
                    1.0f32
                } else {
                    0.0
                });
            }
        }
        let mut params = Tensor::from_slice(&init).set_requires_grad(true);
        let weights = Tensor::from_slice(&is_weight);
        let (mut m, mut v) = (params.zeros_like(), params.zeros_like());
        let n_train = train_rows.len();
        let batch = self.batch_size.unwrap_or(200).clamp(1, n_train);
        let mut positions: Vec<i64> = (0..n_train as i64).collect();
        let (mut best_loss, mut best_score) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut best_params: Option<Tensor> = None;
        let (mut stale, mut t) = (0usize, 0u64);
        let (mut loss_curve, mut validation_scores) = (Vec::new(), Vec::new());
        let mut converged = false;
        for _ in 0..self.max_iter {
            positions.shuffle(&mut rng);
            // The epoch's rows in their shuffled order once; each batch is a view of them.
            let perm = Tensor::from_slice(&positions);
            let (x_epoch, y_epoch) = (
                x_train.index_select(0, &perm),
                y_train.index_select(0, &perm),
            );
            // The epoch's loss stays a tensor until the epoch ends (one read, not one a batch).
            let mut total = Tensor::zeros([], (Kind::Float, tch::Device::Cpu));
            let mut start = 0;
            while start < n_train {
                let len = batch.min(n_train - start);
                let xb = x_epoch.narrow(0, start as i64, len as i64);
                let yb = y_epoch.narrow(0, start as i64, len as i64);
                start += len;
                let out = architecture.forward(&params, &xb);
                let data_loss = match goal {
                    Goal::Classes(..) => out.cross_entropy_for_logits(&yb),
                    Goal::Values(_) => (out - yb).square().mean(Kind::Float) * 0.5,
                };
                params.zero_grad();
                data_loss.backward();
                t += 1;
                // The L2 term added by hand: its gradient α/|B|·W (weights only) and its value.
                let scale = self.alpha / len as f64;
                let mut grad = params.grad();
                let penalty = tch::no_grad(|| {
                    let value = params.square().dot(&weights) * (scale / 2.0);
                    let _ = grad.g_add_(&(&params * &weights * scale));
                    super::adam_step(&mut params, &grad, (&mut m, &mut v), t, self.learning_rate);
                    value
                });
                total += (data_loss.detach() + penalty) * len as f64;
            }
            let loss = f64::try_from(&total).map_err(torch_error)? / n_train as f64;
            if !loss.is_finite() {
                return Err(Error::numerical(
                    "MLP",
                    format!(
                        "the training loss became {loss} after {} epochs; lower learning_rate or \
                         standardise the features",
                        loss_curve.len() + 1
                    ),
                ));
            }
            loss_curve.push(loss);
            // scikit-learn's rule: an epoch that does not improve on the best by `tol` counts.
            let improved = if self.early_stopping {
                let score = tch::no_grad(|| {
                    let out = architecture.forward(&params, &x_valid);
                    held_out_score(&out, &y_valid, &goal)
                })?;
                validation_scores.push(score);
                let improved = score >= best_score + self.tol;
                if score > best_score {
                    best_score = score;
                    best_params = Some(params.detach().copy());
                }
                improved
            } else {
                let improved = loss <= best_loss - self.tol;
                best_loss = best_loss.min(loss);
                improved
            };
            stale = if improved { 0 } else { stale + 1 };
            if stale > self.n_iter_no_change {
                converged = true;
                break;
            }
        }
        let kept = best_params.unwrap_or_else(|| params.detach());
        let params = Vec::<f32>::try_from(&kept).map_err(torch_error)?;
        Ok(Trained {
            architecture,
            params,
            loss_curve,
            validation_scores,
            converged,
        })
    }
}

/// Accuracy (classes) or R² (values) of `out` on the held-out rows.
fn held_out_score(out: &Tensor, y: &Tensor, goal: &Goal<'_>) -> Result<f64> {
    let score = match goal {
        Goal::Classes(..) => out
            .argmax(1, false)
            .eq_tensor(y)
            .to_kind(Kind::Float)
            .mean(Kind::Float),
        Goal::Values(_) => {
            let residual = (out - y).square().sum(Kind::Float);
            let total = (y - y.mean(Kind::Float)).square().sum(Kind::Float);
            1.0 - residual / total.clamp_min(1e-12)
        }
    };
    f64::try_from(score).map_err(torch_error)
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for Mlp<usize> {
    type Fitted = FittedMlp<usize>;

    fn fit(&self, data: &D) -> Result<FittedMlp<usize>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let k = y.iter().copied().max().unwrap_or(0) + 1;
        let classes = match data.class_names() {
            Some(names) if names.len() >= k => names.to_vec(),
            _ => (0..k).map(|c| c.to_string()).collect(),
        };
        if y.iter().collect::<std::collections::BTreeSet<_>>().len() < 2 {
            return Err(Error::invalid(
                "targets",
                "one class",
                "a classifier needs samples of at least 2 classes",
            ));
        }
        let labels: Vec<i64> = y.iter().map(|&c| c as i64).collect();
        let trained = self.train(x, Goal::Classes(&labels, classes.len()))?;
        Ok(FittedMlp::from_trained(
            trained,
            classes,
            data.feature_names(),
        ))
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for Mlp<f64> {
    type Fitted = FittedMlp<f64>;

    fn fit(&self, data: &D) -> Result<FittedMlp<f64>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let values: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "targets",
                "beyond f32",
                "the network trains in single precision: scale the targets",
            ));
        }
        let trained = self.train(x, Goal::Values(&values))?;
        Ok(FittedMlp::from_trained(
            trained,
            Vec::new(),
            data.feature_names(),
        ))
    }
}

/// A trained multilayer perceptron: its layers and weights (single precision, as trained), and
/// how training went. Predictions run in plain Rust (no libtorch needed to load and use it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMlp<T> {
    architecture: Architecture,
    params: Vec<f32>,
    classes: Vec<String>,
    feature_names: Vec<String>,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    converged: bool,
    #[serde(skip)]
    task: PhantomData<T>,
}

impl<T> FittedMlp<T> {
    fn from_trained(t: Trained, classes: Vec<String>, feature_names: Vec<String>) -> Self {
        Self {
            architecture: t.architecture,
            params: t.params,
            classes,
            feature_names,
            loss_curve: t.loss_curve,
            validation_scores: t.validation_scores,
            converged: t.converged,
            task: PhantomData,
        }
    }

    /// The training loss after each epoch (scikit-learn's `loss_curve_`, penalty included).
    pub fn loss_curve(&self) -> &[f64] {
        &self.loss_curve
    }

    /// The held-out score after each epoch, with `early_stopping` (scikit-learn's
    /// `validation_scores_`).
    pub fn validation_scores(&self) -> &[f64] {
        &self.validation_scores
    }

    /// Epochs run (scikit-learn's `n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.loss_curve.len()
    }

    /// Whether training stopped on its own rule before `max_iter`.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// Layer sizes, input to output.
    pub fn layer_sizes(&self) -> &[usize] {
        &self.architecture.sizes
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The network's outputs for the rows of `x` (logits for classes).
    fn outputs(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        validate::check_predict_input(x, self.architecture.sizes[0])?;
        let width = *self.architecture.sizes.last().unwrap_or(&1);
        let mut out = Array2::zeros((x.nrows(), width));
        let mut buffers = (Vec::new(), Vec::new());
        let mut input = Vec::new();
        for (block, mut rows) in x
            .axis_chunks_iter(ndarray::Axis(0), 256)
            .zip(out.axis_chunks_iter_mut(ndarray::Axis(0), 256))
        {
            input.clear();
            input.extend(block.iter().map(|&v| v as f32));
            let values =
                self.architecture
                    .q_values_batch(&self.params, &input, block.nrows(), &mut buffers);
            for (o, &v) in rows.iter_mut().zip(values) {
                *o = f64::from(v);
            }
        }
        Ok(out)
    }
}

impl Predict for FittedMlp<usize> {
    type Output = usize;

    fn n_features(&self) -> usize {
        self.architecture.sizes[0]
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(crate::metrics::argmax_rows(self.outputs(x)?.view()))
    }
}

impl PredictProba for FittedMlp<usize> {
    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut p = self.outputs(x)?;
        for mut row in p.rows_mut() {
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        Ok(p)
    }
}

impl Classifier for FittedMlp<usize> {}

impl Predict for FittedMlp<f64> {
    type Output = f64;

    fn n_features(&self) -> usize {
        self.architecture.sizes[0]
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.outputs(x)?.column(0).to_owned())
    }
}

impl Regressor for FittedMlp<f64> {}

impl<T> FittedMlp<T> {
    /// The shape checks of a loaded model.
    fn check_loaded(&self, classes: bool) -> Result<()> {
        let sizes = &self.architecture.sizes;
        let bad = |why: String| Err(Error::invalid_model(format!("MLP: {why}")));
        if sizes.len() < 2 || sizes.contains(&0) || self.architecture.dueling {
            return bad(format!("layer sizes {sizes:?}"));
        }
        match self.architecture.checked_n_params(MAX_PARAMS) {
            Some(n) if n == self.params.len() => {}
            _ => {
                return bad(format!(
                    "{} weights for layers {sizes:?}",
                    self.params.len()
                ))
            }
        }
        if self.params.iter().any(|v| !v.is_finite()) {
            return bad("a weight is not finite".into());
        }
        if self.feature_names.len() != sizes[0] {
            return bad(format!(
                "{} feature names for {} inputs",
                self.feature_names.len(),
                sizes[0]
            ));
        }
        let outputs = sizes[sizes.len() - 1];
        if classes && (self.classes.len() != outputs || outputs < 2) {
            return bad(format!(
                "{} classes for {outputs} outputs",
                self.classes.len()
            ));
        }
        if !classes && outputs != 1 {
            return bad(format!("{outputs} outputs for one value"));
        }
        Ok(())
    }
}

impl Persist for FittedMlp<usize> {
    const KIND: &'static str = "MlpClassifier";

    fn validate_loaded(&self) -> Result<()> {
        self.check_loaded(true)
    }
}

impl Persist for FittedMlp<f64> {
    const KIND: &'static str = "MlpRegressor";

    fn validate_loaded(&self) -> Result<()> {
        self.check_loaded(false)
    }
}
