//! Histogram gradient boosting (classification or regression). Reports: the training loss per
//! round, the feature importances by gain, and the decision regions of a model on the two most
//! important features.
//!
//! ```text
//! cargo run --release --example gradient_boosting -- [--data f.csv --target y [--test t.csv]]
//!     [--task classification|regression] [--trees 100] [--learning-rate 0.1]
//!     [--max-leaf-nodes 31] [--max-depth N] [--early-stopping] [--allow-missing]
//!     [--loss squared-error|absolute-error|huber] [--save-binned FILE.lkbin] [--json]
//! ```
//! Default data: wine quality (classification) or diabetes (with `--task regression`).
//!
//! A Parquet or Arrow `--data` file with a `--test` file is binned batch by batch without its
//! float matrix (peak memory about the codes plus the gradients); `--save-binned` keeps the
//! binned training rows, and `--data FILE.lkbin` trains from them without parsing anything.

use clap::Parser;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit::tree::{
    BinnedDataset, BinnedTask, FittedGradientBoosting, GradientBoosting, RegressionLoss, TargetKind,
};
use learnkit::{data, metrics};
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};

/// Command line of the gradient boosting example.
#[derive(Parser, Debug, Default)]
#[command(about = "Fit histogram gradient boosting and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Classification or regression (default: guessed from the target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Boosting rounds [default: 100].
    #[arg(long)]
    pub trees: Option<usize>,
    /// Shrinkage of each tree [default: 0.1].
    #[arg(long, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,
    /// Leaves per tree [default: 31].
    #[arg(long)]
    pub max_leaf_nodes: Option<usize>,
    /// Depth limit (default: none).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Fewest samples per leaf [default: 20].
    #[arg(long)]
    pub min_samples_leaf: Option<usize>,
    /// Hold out 10% of the training rows and stop when their loss stops falling for 10 rounds.
    #[arg(long)]
    pub early_stopping: bool,
    /// Read empty cells and `NaN` in --data/--test as missing values (each split learns where
    /// they go) instead of refusing them.
    #[arg(long)]
    pub allow_missing: bool,
    /// Regression loss [default: squared-error].
    #[arg(long, value_enum)]
    pub loss: Option<LossArg>,
    /// Write the binned training rows to FILE (a `.lkbin` file `--data` can train from).
    #[arg(long, value_name = "FILE")]
    pub save_binned: Option<std::path::PathBuf>,
}

/// `--loss` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum LossArg {
    /// Squared error.
    SquaredError,
    /// Absolute error (robust to outliers).
    AbsoluteError,
    /// Huber with delta 1.
    Huber,
}

fn configure<T: TargetKind>(params: GradientBoosting<T>, args: &Args) -> GradientBoosting<T> {
    params
        .n_estimators(args.trees.unwrap_or(100))
        .learning_rate(args.learning_rate.unwrap_or(0.1))
        .max_leaf_nodes(args.max_leaf_nodes.unwrap_or(31))
        .max_depth(args.max_depth)
        .min_samples_leaf(args.min_samples_leaf.unwrap_or(20))
        .early_stopping(args.early_stopping)
        .seed(args.data.seed)
}

pub fn run(args: &Args) -> Result<Outcome> {
    if let Some(binned) = args.data.binned(args.task, false)? {
        if let Some(file) = &args.save_binned {
            binned.save(file)?;
        }
        return match binned.task() {
            BinnedTask::Classification => binned_classification(args, &binned),
            BinnedTask::Regression => binned_regression(args, &binned),
        };
    }
    match args.data.task(args.task, Task::Classification)? {
        Task::Classification => classification(args),
        Task::Regression => regression(args),
    }
}

/// The classifier's settings (`--loss` is for regression).
fn classifier(args: &Args) -> Result<GradientBoosting<usize>> {
    if args.loss.is_some() {
        return Err(learnkit::Error::invalid(
            "--loss",
            "given",
            "chooses a regression loss; classification always uses log-loss",
        ));
    }
    let params = configure(GradientBoosting::classifier(), args);
    params.check()?;
    Ok(params)
}

/// The regressor's settings and its loss.
fn regressor(args: &Args) -> Result<(GradientBoosting<f64>, RegressionLoss)> {
    let loss = match args.loss.unwrap_or(LossArg::SquaredError) {
        LossArg::SquaredError => RegressionLoss::SquaredError,
        LossArg::AbsoluteError => RegressionLoss::AbsoluteError,
        LossArg::Huber => RegressionLoss::Huber { delta: 1.0 },
    };
    let params = configure(GradientBoosting::regressor(), args).loss(loss);
    params.check()?;
    Ok((params, loss))
}

/// The name of a regression loss in the loss plot.
fn loss_name(loss: RegressionLoss) -> &'static str {
    match loss {
        RegressionLoss::AbsoluteError => "mean absolute error",
        RegressionLoss::Huber { .. } => "mean Huber loss",
        _ => "mean squared error",
    }
}

/// Keeps the training rows binned when `--save-binned` asks (data read as a table).
fn save_binned(args: &Args, binned: impl FnOnce() -> Result<BinnedDataset>) -> Result<()> {
    match &args.save_binned {
        Some(file) => binned()?.save(file),
        None => Ok(()),
    }
}

/// Why the regions plot is not drawn from binned data.
const NO_REGIONS: &str = "drawn from the training rows' values, which binned data does not keep";

fn binned_classification(args: &Args, binned: &BinnedDataset) -> Result<Outcome> {
    let params = classifier(args)?;
    args.data.check_binned_test(binned)?;
    let (model, seconds) = cli::timed(|| params.fit_binned(binned));
    let model = model?;
    // The test rows are read after the fit, so its memory and theirs never add up.
    let test = args.data.binned_test_classes(binned)?;
    let (proba, predict_seconds) = cli::timed(|| model.predict_proba(&test));
    let proba = proba?;
    let predicted = metrics::argmax_rows(proba.view());
    let mut out = Outcome::fitted_binned(&args.data, binned, &test, Task::Classification, seconds);
    out.summary
        .set("n_trees_used", model.trees().len())
        .set("predict_seconds", predict_seconds)
        .set_classification_scores(test.targets(), predicted.view(), proba.view())?;
    reports(&mut out, &model, "log-loss")?;
    out.skip("boosting_regions.png", NO_REGIONS);
    Ok(out)
}

fn binned_regression(args: &Args, binned: &BinnedDataset) -> Result<Outcome> {
    let (params, loss) = regressor(args)?;
    args.data.check_binned_test(binned)?;
    let (model, seconds) = cli::timed(|| params.fit_binned(binned));
    let model = model?;
    let test = args.data.binned_test_values(binned)?;
    let mut out = Outcome::fitted_binned(&args.data, binned, &test, Task::Regression, seconds);
    scored_regression(&mut out, &model, &test, loss)?;
    out.skip("boosting_regions.png", NO_REGIONS);
    Ok(out)
}

/// Scores a regressor on `test` into `out`, with its reports.
fn scored_regression(
    out: &mut Outcome,
    model: &FittedGradientBoosting<f64>,
    test: &learnkit::Dataset<f64>,
    loss: RegressionLoss,
) -> Result<()> {
    let (predicted, predict_seconds) = cli::timed(|| model.predict(test));
    let (y, predicted) = (test.targets(), predicted?);
    out.summary
        .set("n_trees_used", model.trees().len())
        .set("predict_seconds", predict_seconds)
        .set("r2", metrics::r2(y, predicted.view())?)
        .set("mse", metrics::mse(y, predicted.view())?);
    reports(out, model, loss_name(loss))
}

fn classification(args: &Args) -> Result<Outcome> {
    let params = classifier(args)?;
    let split = args
        .data
        .classification(|| Ok((data::winequality()?, "wine quality (built-in)".into())))?;
    save_binned(args, || BinnedDataset::from_classification(&split.train))?;
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let (proba, predict_seconds) = cli::timed(|| model.predict_proba(&split.test));
    let (y, proba) = (split.test.targets(), proba?);
    let predicted = metrics::argmax_rows(proba.view());

    let mut out = Outcome::fitted(&args.data, &split, Task::Classification, seconds);
    out.summary
        .set("n_trees_used", model.trees().len())
        .set("predict_seconds", predict_seconds)
        .set_classification_scores(y, predicted.view(), proba.view())?;
    reports(&mut out, &model, "log-loss")?;
    if split.train.n_features() >= 2 {
        let order = ranked(&model);
        out.draw(
            "boosting_regions.png",
            "Decision regions of a boosted model on the two most important features: many small \
             trees add up to boundaries finer than one tree's boxes.",
            |path| {
                let (columns, seed) = ([order[0], order[1]], args.data.seed);
                figures::regions_on_two_features(
                    path,
                    "Gradient boosting",
                    &params,
                    &split.train,
                    columns,
                    seed,
                )
            },
        )?;
    }
    Ok(out)
}

fn regression(args: &Args) -> Result<Outcome> {
    let (params, loss) = regressor(args)?;
    let split = args
        .data
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    save_binned(args, || BinnedDataset::from_regression(&split.train))?;
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let mut out = Outcome::fitted(&args.data, &split, Task::Regression, seconds);
    scored_regression(&mut out, &model, &split.test, loss)?;
    Ok(out)
}

/// Features by importance, most important first.
fn ranked<T>(model: &FittedGradientBoosting<T>) -> Vec<usize> {
    let importances = model.feature_importances();
    let mut order: Vec<usize> = (0..importances.len()).collect();
    order.sort_by(|&a, &b| importances[b].total_cmp(&importances[a]));
    order
}

/// The figures every boosted model gets: the loss per round and the importances.
fn reports<T>(out: &mut Outcome, model: &FittedGradientBoosting<T>, loss: &str) -> Result<()> {
    out.draw(
        "boosting_loss.png",
        "Training loss before the first round and after each: every tree takes a shrunken Newton \
         step down the loss.",
        |path| {
            let title = "Gradient boosting: training loss per round";
            figures::loss_per_round(path, title, &format!("training {loss}"), model.train_loss())
        },
    )?;
    out.draw(
        "boosting_importances.png",
        "Total gain of each feature's splits, as a share of the total.",
        |path| {
            let values = model.feature_importances().to_vec();
            figures::gain_importances(path, "Gradient boosting", model.feature_names(), &values)
        },
    )
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let mut args: Args = learnkit_cli::parse_args();
    args.data = args.data.clone().allowing_missing(args.allow_missing);
    #[cfg(feature = "mpi")]
    if learnkit_cli::across::launched() {
        return across::main(&args);
    }
    args.data.main(|| run(&args))
}

/// Under `mpirun -np N` (built with `--features mpi`): data-parallel training on the shards of
/// `--data` ([`learnkit_cli::across`]); every rank ends with the model one process fits on the
/// concatenated shards, and rank 0 evaluates on `--test`, draws the reports and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::{Collective, Mpi};
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        if args.early_stopping || args.save_binned.is_some() {
            return Err(learnkit::Error::invalid(
                "--early-stopping/--save-binned",
                "given",
                "not supported in a data-parallel run",
            ));
        }
        let first = mpi.rank() == 0;
        match across::task(&args.data, mpi, args.task)? {
            Task::Classification => {
                let params = classifier(args)?;
                let (train, test) = across::classes(&args.data, mpi)?;
                let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
                let model = model?;
                let task = Task::Classification.name();
                let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
                // The shard goes before rank 0 reads the test rows (its peak is the others').
                drop(train);
                let test = test.classes()?;
                out.summary.set("n_trees_used", model.trees().len());
                if let Some(test) = test {
                    across::score_classes(&mut out, &test, model.predict_proba(&test)?.view())?;
                }
                if first {
                    reports(&mut out, &model, "log-loss")?;
                }
                Ok(out)
            }
            Task::Regression => {
                let (params, loss) = regressor(args)?;
                let (train, test) = across::values(&args.data, mpi)?;
                let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
                let model = model?;
                let task = Task::Regression.name();
                let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
                // The shard goes before rank 0 reads the test rows (its peak is the others').
                drop(train);
                let test = test.values()?;
                match test {
                    Some(test) => scored_regression(&mut out, &model, &test, loss)?,
                    None if first => reports(&mut out, &model, loss_name(loss))?,
                    None => {}
                }
                Ok(out)
            }
        }
    }
}
