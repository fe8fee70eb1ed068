//! A CART decision tree (classification or regression). Reports: feature importances, the
//! decision regions of a two-feature tree, and train/test accuracy against the depth limit —
//! the over-fitting picture.
//!
//! ```text
//! cargo run --release --example decision_tree -- [--data f.csv --target y] [--task classification|regression]
//!     [--max-depth 4] [--max-features all|sqrt|log2|N|0.5] [--json]
//! ```
//! Default data: wine quality (classification; the regions use the iris petals) or diabetes
//! (with `--task regression`).

use clap::Parser;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit::tree::{DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures};
use learnkit::{data, metrics};
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};

/// Command line of the decision tree example.
#[derive(Parser, Debug, Default)]
#[command(about = "Fit a decision tree and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Classification or regression (default: guessed from the target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Maximum depth (default: unlimited; 4 for regression).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Features per split: all, sqrt, log2, a count or a fraction.
    #[arg(long, default_value = "all")]
    pub max_features: MaxFeatures,
    /// Minimum samples per leaf [default: 1].
    #[arg(long)]
    pub min_samples_leaf: Option<usize>,
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
    let params = DecisionTreeClassifier::params()
        .max_depth(args.max_depth)
        .max_features(args.max_features)
        .min_samples_leaf(args.min_samples_leaf.unwrap_or(1))
        .seed(args.data.seed);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    // Accuracy at every depth, read off the fitted tree (one pass per set, no refits): the
    // last entry is the whole tree's accuracy.
    let depth = model.depth().max(2);
    let train_curve = model.accuracy_by_depth(&split.train, depth)?;
    let test_curve = model.accuracy_by_depth(&split.test, depth)?;
    let last = |curve: &[f64]| curve.last().copied().unwrap_or(0.0);

    let mut out = Outcome::fitted(&args.data, &split, Task::Classification, seconds);
    out.summary
        .set("accuracy", last(&test_curve))
        .set("train_accuracy", last(&train_curve))
        .set("depth", model.depth())
        .set("leaves", model.n_leaves());
    out.draw(
        "tree_importances.png",
        "How much each feature's splits reduced the impurity, as a share of the total.",
        |path| {
            let values = model.feature_importances().to_vec();
            figures::importances(path, "Decision tree", model.feature_names(), &values)
        },
    )?;
    if split.train.n_features() >= 2 {
        // The built-in demo draws the iris petals (a picture that reads at a glance); user
        // data, its first two columns.
        let iris;
        let (train, columns) = match args.data.data {
            None => {
                iris = data::iris()?;
                (&iris, [2, 3])
            }
            Some(_) => (&split.train, [0, 1]),
        };
        out.draw(
            "tree_regions.png",
            "A tree cuts the plane with axis-parallel lines: every region is a box, and an \
             unlimited tree carves small boxes around single training points.",
            |path| {
                let seed = args.data.seed;
                figures::regions_on_two_features(
                    path,
                    "Decision tree",
                    &params,
                    train,
                    columns,
                    seed,
                )
            },
        )?;
    }
    out.draw(
        "tree_depth.png",
        "Deeper trees fit the training set ever better; the test accuracy stops improving (or \
         falls) once the tree starts memorising noise — over-fitting.",
        |path| figures::accuracy_by_depth(path, &split.source, &train_curve, &test_curve),
    )?;
    Ok(out)
}

fn regression(args: &Args) -> Result<Outcome> {
    let split = args
        .data
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    let params = DecisionTreeRegressor::params()
        .max_depth(args.max_depth.or(Some(4)))
        .max_features(args.max_features)
        .min_samples_leaf(args.min_samples_leaf.unwrap_or(1))
        .seed(args.data.seed);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let (y, predicted) = (split.test.targets(), model.predict(&split.test)?);

    let mut out = Outcome::fitted(&args.data, &split, Task::Regression, seconds);
    out.summary
        .set("r2", metrics::r2(y, predicted.view())?)
        .set("mse", metrics::mse(y, predicted.view())?)
        .set("depth", model.depth())
        .set("leaves", model.n_leaves());
    out.draw(
        "tree_importances.png",
        "How much each feature's splits reduced the impurity, as a share of the total.",
        |path| {
            let values = model.feature_importances().to_vec();
            figures::importances(path, "Regression tree", model.feature_names(), &values)
        },
    )?;
    out.draw(
        "tree_predicted_vs_actual.png",
        "A regression tree predicts one value per leaf, so its predictions form horizontal bands.",
        |path| {
            let title = "Regression tree: predicted vs actual (test set)";
            figures::predicted_vs_actual(path, title, &split.train.target_name, y, predicted.view())
        },
    )?;
    Ok(out)
}

/// Under `mpirun -np N` (built with `--features mpi`): data-parallel training on the shards of
/// `--data` ([`learnkit_cli::across`]); every rank grows the tree one process grows on the
/// concatenated shards, and rank 0 evaluates on `--test`, draws the importances and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::{Collective, Mpi};
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        let leaf = args.min_samples_leaf.unwrap_or(1);
        let (mut out, names, values) = match across::task(&args.data, mpi, args.task)? {
            Task::Classification => {
                let (train, test) = across::classes(&args.data, mpi)?;
                let params = DecisionTreeClassifier::params()
                    .max_depth(args.max_depth)
                    .max_features(args.max_features)
                    .min_samples_leaf(leaf)
                    .seed(args.data.seed);
                let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
                let model = model?;
                let task = Task::Classification.name();
                let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
                // The shard goes before rank 0 reads the test rows (its peak is the others').
                drop(train);
                let test = test.classes()?;
                if let Some(test) = test {
                    let predicted = model.predict(&test)?;
                    out.summary.set("n_test", test.n_samples()).set(
                        "accuracy",
                        metrics::accuracy(test.targets(), predicted.view())?,
                    );
                }
                out.summary
                    .set("depth", model.depth())
                    .set("leaves", model.n_leaves());
                let values = model.feature_importances().to_vec();
                (out, model.feature_names().to_vec(), values)
            }
            Task::Regression => {
                let (train, test) = across::values(&args.data, mpi)?;
                let params = DecisionTreeRegressor::params()
                    .max_depth(args.max_depth.or(Some(4)))
                    .max_features(args.max_features)
                    .min_samples_leaf(leaf)
                    .seed(args.data.seed);
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
                out.summary
                    .set("depth", model.depth())
                    .set("leaves", model.n_leaves());
                let values = model.feature_importances().to_vec();
                (out, model.feature_names().to_vec(), values)
            }
        };
        if mpi.rank() == 0 {
            out.draw(
                "tree_importances.png",
                "How much each feature's splits reduced the impurity, as a share of the total.",
                |path| figures::importances(path, "Decision tree", &names, &values),
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
