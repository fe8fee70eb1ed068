//! A multilayer perceptron (scikit-learn's `MLPClassifier`/`MLPRegressor`, on libtorch),
//! standardised inside a pipeline. Reports: the training loss per epoch, and for classes the
//! test-set confusion matrix.
//!
//! ```text
//! cargo run --release --features tch --example mlp -- [--data f.csv --target y [--test t.csv]]
//!     [--hidden 100[,50...]] [--alpha 1e-4] [--learning-rate 1e-3] [--max-iter 200]
//!     [--early-stopping] [--task classification|regression] [--json]
//! ```
//! Default data: the handwritten digits (8 × 8 pixels, 10 classes).

use clap::Parser;
use learnkit::data;
use learnkit::model_selection::Pipeline;
use learnkit::neural::{Mlp, MlpClassifier, MlpRegressor};
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::report::figures;
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};

/// Command line of the MLP example.
#[derive(Parser, Debug, Default)]
#[command(about = "Train a multilayer perceptron and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Units of the hidden layers, comma-separated [default: 100].
    #[arg(long, value_delimiter = ',')]
    pub hidden: Vec<usize>,
    /// L2 penalty [default: 1e-4].
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Adam's step size [default: 1e-3].
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Most epochs [default: 200].
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// Stop on a held-out tenth of the training rows instead of the training loss.
    #[arg(long)]
    pub early_stopping: bool,
    /// Classification or regression [default: guessed from the target].
    #[arg(long, value_enum)]
    pub task: Option<Task>,
}

/// The estimator the flags describe.
fn configure<T: learnkit::validate::Target>(mut params: Mlp<T>, args: &Args) -> Mlp<T> {
    if !args.hidden.is_empty() {
        params = params.hidden_layer_sizes(args.hidden.clone());
    }
    params
        .alpha(args.alpha.unwrap_or(1e-4))
        .learning_rate(args.learning_rate.unwrap_or(1e-3))
        .max_iter(args.max_iter.unwrap_or(200))
        .early_stopping(args.early_stopping)
        .seed(args.data.seed)
}

/// Draws the loss curve.
fn loss_figure(out: &mut Outcome, losses: &[f64], loss: &str) -> Result<()> {
    out.draw(
        "mlp_loss.png",
        "Training loss after each epoch (penalty included): training stops once it has not \
         fallen by `tol` for ten epochs in a row.",
        |path| figures::loss_per_epoch(path, "MLP: training loss per epoch", loss, losses),
    )
}

pub fn run(args: &Args) -> Result<Outcome> {
    match args.data.task(args.task, Task::Classification)? {
        Task::Classification => {
            let split = args
                .data
                .classification(|| Ok((data::digits()?, "digits (built-in)".into())))?;
            let params = Pipeline::new(configure(MlpClassifier::params(), args))
                .scaler(StandardScaler::params());
            let (model, seconds) = cli::timed(|| params.fit(&split.train));
            let model = model?;
            let (y, predicted) = (split.test.targets(), model.predict(&split.test)?);
            let proba = model.predict_proba(&split.test)?;
            let mut out = Outcome::fitted(&args.data, &split, Task::Classification, seconds);
            let network = model.model();
            out.summary
                .set_classification_scores(y, predicted.view(), proba.view())?
                .set("n_iter", network.n_iter())
                .set("converged", network.converged())
                .set("layer_sizes", network.layer_sizes());
            loss_figure(&mut out, network.loss_curve(), "cross-entropy")?;
            out.draw(
                "mlp_confusion.png",
                "Test-set confusion matrix: the diagonal holds correct predictions.",
                |path| {
                    let title = format!("MLP: confusion matrix ({}, test set)", split.source);
                    let names = split.train.class_names_or_default();
                    figures::confusion_matrix(path, &title, y, predicted.view(), &names)
                },
            )?;
            Ok(out)
        }
        Task::Regression => {
            let split = args
                .data
                .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
            let params = Pipeline::new(configure(MlpRegressor::params(), args))
                .scaler(StandardScaler::params());
            let (model, seconds) = cli::timed(|| params.fit(&split.train));
            let model = model?;
            let predicted = model.predict(&split.test)?;
            let y = split.test.targets();
            let mut out = Outcome::fitted(&args.data, &split, Task::Regression, seconds);
            let network = model.model();
            out.summary
                .set("r2", learnkit::metrics::r2(y, predicted.view())?)
                .set("mse", learnkit::metrics::mse(y, predicted.view())?)
                .set("n_iter", network.n_iter())
                .set("converged", network.converged());
            loss_figure(&mut out, network.loss_curve(), "half squared error")?;
            Ok(out)
        }
    }
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Args = learnkit_cli::parse_args();
    args.data.main(|| run(&args))
}
