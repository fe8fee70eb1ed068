//! A random forest (classification or regression). Reports: feature importances, the decision
//! regions of a forest on the two most important features, and the out-of-bag error against the
//! number of trees.
//!
//! ```text
//! cargo run --release --example random_forest -- [--data f.csv --target y] [--task classification|regression]
//!     [--trees 100] [--max-depth N] [--max-features sqrt] [--json]
//! ```
//! Default data: wine quality (classification) or diabetes (with `--task regression`).

use clap::Parser;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit::tree::{FittedForest, MaxFeatures, RandomForest, TargetKind};
use learnkit::{data, metrics};
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};

/// Command line of the random forest example.
#[derive(Parser, Debug, Default)]
#[command(about = "Fit a random forest and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Classification or regression (default: guessed from the target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Number of trees [default: 100].
    #[arg(long)]
    pub trees: Option<usize>,
    /// Maximum depth of each tree (default: unlimited).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Features per split: all, sqrt, log2, a count or a fraction (default: sqrt for
    /// classification, all for regression).
    #[arg(long)]
    pub max_features: Option<MaxFeatures>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    match args.data.task(args.task, Task::Classification)? {
        Task::Classification => classification(args),
        Task::Regression => regression(args),
    }
}

fn classification(args: &Args) -> Result<Outcome> {
    let split = args
        .data
        .classification(|| Ok((data::winequality()?, "wine quality (built-in)".into())))?;
    let params = configure(RandomForest::classifier(), args);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let proba = model.predict_proba(&split.test)?;
    let predicted = metrics::argmax_rows(proba.view()); // no second prediction pass
    let y = split.test.targets();

    let mut out = Outcome::fitted(&args.data, &split, Task::Classification, seconds);
    out.summary
        .set_classification_scores(y, predicted.view(), proba.view())?;
    forest_summary(&mut out, &model);
    if split.train.n_features() >= 2 {
        let importances = model.feature_importances();
        let mut order: Vec<usize> = (0..importances.len()).collect();
        order.sort_by(|&a, &b| importances[b].total_cmp(&importances[a]));
        out.draw(
            "forest_regions.png",
            "A forest averages many trees grown on bootstrap samples with random features per \
             split: the regions are still made of boxes, but their edges are smoother than a \
             single tree's.",
            |path| {
                let params = params.clone().oob_score(false);
                let (columns, seed) = ([order[0], order[1]], args.data.seed);
                figures::regions_on_two_features(
                    path,
                    "Random forest",
                    &params,
                    &split.train,
                    columns,
                    seed,
                )
            },
        )?;
    }
    forest_figures(&mut out, &model, "accuracy")?;
    Ok(out)
}

fn regression(args: &Args) -> Result<Outcome> {
    let split = args
        .data
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    let params = configure(RandomForest::regressor(), args);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let (y, predicted) = (split.test.targets(), model.predict(&split.test)?);

    let mut out = Outcome::fitted(&args.data, &split, Task::Regression, seconds);
    out.summary
        .set("r2", metrics::r2(y, predicted.view())?)
        .set("mse", metrics::mse(y, predicted.view())?);
    forest_summary(&mut out, &model);
    out.draw(
        "forest_predicted_vs_actual.png",
        "Predicted against actual values on the test set.",
        |path| {
            let title = "Random forest: predicted vs actual (test set)";
            figures::predicted_vs_actual(path, title, &split.train.target_name, y, predicted.view())
        },
    )?;
    forest_figures(&mut out, &model, "R²")?;
    Ok(out)
}

/// Applies the command line's forest settings.
fn configure<T: TargetKind>(params: RandomForest<T>, args: &Args) -> RandomForest<T> {
    let params = params
        .n_estimators(args.trees.unwrap_or(100))
        .max_depth(args.max_depth)
        .oob_score(true)
        .seed(args.data.seed);
    match args.max_features {
        Some(m) => params.max_features(m),
        None => params,
    }
}

/// The forest's size in the summary: trees, OOB score, nodes and model memory.
fn forest_summary<T>(out: &mut Outcome, model: &FittedForest<T>) {
    let trees = model.trees();
    out.summary
        .set("trees", trees.len())
        .set("oob_score", model.oob_score())
        .set("nodes", trees.iter().map(|t| t.n_nodes()).sum::<usize>())
        .set(
            "model_mb",
            trees.iter().map(|t| t.memory_bytes()).sum::<usize>() as f64 / 1e6,
        );
}

/// The figures every forest gets: importances and the out-of-bag error curve.
fn forest_figures<T>(out: &mut Outcome, model: &FittedForest<T>, score: &str) -> Result<()> {
    out.draw(
        "forest_importances.png",
        "Mean impurity decrease per feature over all trees, as a share of the total.",
        |path| {
            let values = model.feature_importances().to_vec();
            figures::importances(path, "Random forest", model.feature_names(), &values)
        },
    )?;
    out.draw(
        "forest_oob.png",
        "Each tree is scored on the samples its bootstrap left out; averaging more trees lowers \
         the error until it levels off — more trees never over-fit, they only cost time.",
        |path| figures::oob_error(path, model.oob_curve(), score),
    )
}

/// Under `mpirun -np N` (built with `--features mpi`): data-parallel training on the shards of
/// `--data` ([`learnkit_cli::across`]); every rank grows the forest one process grows on the
/// concatenated shards (the out-of-bag score is left out), and rank 0 evaluates on `--test`,
/// draws the importances and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::{Collective, Mpi};
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        let (mut out, model_figures) = match across::task(&args.data, mpi, args.task)? {
            Task::Classification => {
                let (train, test) = across::classes(&args.data, mpi)?;
                let params = configure(RandomForest::classifier(), args).oob_score(false);
                let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
                let model = model?;
                let task = Task::Classification.name();
                let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
                // The shard goes before rank 0 reads the test rows (its peak is the others').
                drop(train);
                let test = test.classes()?;
                if let Some(test) = test {
                    across::score_classes(&mut out, &test, model.predict_proba(&test)?.view())?;
                }
                forest_summary(&mut out, &model);
                let values = model.feature_importances().to_vec();
                (out, (model.feature_names().to_vec(), values))
            }
            Task::Regression => {
                let (train, test) = across::values(&args.data, mpi)?;
                let params = configure(RandomForest::regressor(), args).oob_score(false);
                let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
                let model = model?;
                let task = Task::Regression.name();
                let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
                // The shard goes before rank 0 reads the test rows (its peak is the others').
                drop(train);
                let test = test.values()?;
                if let Some(test) = test {
                    across::score_values(&mut out, &test, model.predict(&test)?.view())?;
                }
                forest_summary(&mut out, &model);
                let values = model.feature_importances().to_vec();
                (out, (model.feature_names().to_vec(), values))
            }
        };
        if mpi.rank() == 0 {
            let (names, values) = model_figures;
            out.draw(
                "forest_importances.png",
                "Mean impurity decrease per feature over all trees, as a share of the total.",
                |path| figures::importances(path, "Random forest", &names, &values),
            )?;
        }
        Ok(out)
    }
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Args = learnkit_cli::parse_args();
    #[cfg(feature = "mpi")]
    if learnkit_cli::across::launched() {
        return across::main(&args);
    }
    args.data.main(|| run(&args))
}
