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

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome, Task};
use learnkit::prelude::*;
use learnkit::report::{self, figures, LineChart, Series};
use learnkit::tree::{DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures};
use learnkit::{data, metrics};

/// Command line of the decision tree example.
#[derive(Parser, Debug)]
#[command(about = "Fit a decision tree and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Classification or regression (default: guessed from the target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Maximum depth (default: unlimited).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Features per split: all, sqrt, log2, a count or a fraction.
    #[arg(long, default_value = "all")]
    pub max_features: MaxFeatures,
    /// Minimum samples per leaf.
    #[arg(long, default_value_t = 1)]
    pub min_samples_leaf: usize,
}

pub fn run(args: &Args) -> Result<Outcome> {
    match args.common.task(args.task, Task::Classification)? {
        Task::Classification => classification(args),
        Task::Regression => regression(args),
    }
}

fn classification(args: &Args) -> Result<Outcome> {
    let builtin = args.common.data.is_none();
    let split = args
        .common
        .classification(|| Ok((data::winequality()?, "wine quality (built-in)".into())))?;
    let params = DecisionTreeClassifier::params()
        .max_depth(args.max_depth)
        .max_features(args.max_features)
        .min_samples_leaf(args.min_samples_leaf)
        .seed(args.common.seed);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let (train, test) = (&split.train, &split.test);
    // Accuracy at every depth down to the leaves, one pass per set: the last entry is the
    // whole tree's accuracy, the first 20 draw the over-fitting curve.
    let full_depth = model.depth().max(2);
    let (train_by_depth, test_by_depth) = (
        model.accuracy_by_depth(train, full_depth)?,
        model.accuracy_by_depth(test, full_depth)?,
    );
    let last = |curve: &[f64]| curve.last().copied().unwrap_or(0.0);
    let mut out = Outcome::default();
    out.summary
        .set("data", &split.source)
        .set("task", "classification")
        .set("n_train", train.n_samples())
        .set("n_test", test.n_samples())
        .set("fit_seconds", seconds)
        .set("load_seconds", args.common.load_seconds())
        .set("accuracy", last(&test_by_depth))
        .set("train_accuracy", last(&train_by_depth))
        .set("depth", model.depth())
        .set("leaves", model.n_leaves());
    importances(
        args,
        &mut out,
        "tree",
        model.feature_names(),
        model.feature_importances().as_slice().unwrap_or(&[]),
    )?;

    // Decision regions of a tree on two features: the iris petals for the built-in demo (a
    // picture that reads at a glance), else the first two columns of the user's data.
    if train.n_features() >= 2 {
        // A figure's own model fits on a seeded sample of at most report::MAX_FIT_ROWS rows.
        let train2 = if builtin {
            data::iris_petals()?
        } else {
            train
                .select_features(&[0, 1])?
                .subsample(report::MAX_FIT_ROWS, args.common.seed)
        };
        let sampled_from = if builtin {
            train2.n_samples()
        } else {
            train.n_samples()
        };
        let model2 = params.fit(&train2)?;
        figures::decision_regions(
            args.common.out_path("tree_regions.png"),
            &format!(
                "Decision tree: regions on {} and {}",
                train2.feature_names[0], train2.feature_names[1]
            ),
            &model2,
            &train2,
            sampled_from,
        )?;
        out.figure("tree_regions.png", "A tree cuts the plane with axis-parallel lines: every region is a box, and an unlimited tree carves small boxes around single training points.");
    }

    // Train and test accuracy against the depth limit, read off the fitted tree cut at each
    // depth (one prediction pass per set, no refits).
    let curve = |by_depth: &[f64]| -> Vec<(f64, f64)> {
        by_depth
            .iter()
            .take(20)
            .enumerate()
            .map(|(i, &a)| ((i + 1) as f64, a))
            .collect()
    };
    let (train_curve, test_curve) = (curve(&train_by_depth), curve(&test_by_depth));
    report::save(
        args.common.out_path("tree_depth.png"),
        report::SIZE,
        &LineChart {
            title: format!("Decision tree: accuracy against depth ({})", split.source),
            x_label: "maximum depth".into(),
            y_label: "accuracy".into(),
            series: vec![
                Series::line("training set", train_curve, 0),
                Series::line("test set", test_curve, 1),
            ],
            y_range: None,
        },
    )?;
    out.figure("tree_depth.png", "Deeper trees fit the training set ever better; the test accuracy stops improving (or falls) once the tree starts memorising noise — over-fitting.");
    Ok(out)
}

fn regression(args: &Args) -> Result<Outcome> {
    let split = args
        .common
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    let params = DecisionTreeRegressor::params()
        .max_depth(args.max_depth.or(Some(4)))
        .max_features(args.max_features)
        .min_samples_leaf(args.min_samples_leaf)
        .seed(args.common.seed);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let test = &split.test;
    let predicted = model.predict(test)?;
    let mut out = Outcome::default();
    out.summary
        .set("data", &split.source)
        .set("task", "regression")
        .set("n_train", split.train.n_samples())
        .set("n_test", test.n_samples())
        .set("fit_seconds", seconds)
        .set("load_seconds", args.common.load_seconds())
        .set("r2", metrics::r2(test.targets(), predicted.view())?)
        .set("mse", metrics::mse(test.targets(), predicted.view())?)
        .set("depth", model.depth())
        .set("leaves", model.n_leaves());
    importances(
        args,
        &mut out,
        "tree",
        model.feature_names(),
        model.feature_importances().as_slice().unwrap_or(&[]),
    )?;
    figures::predicted_vs_actual(
        args.common.out_path("tree_predicted_vs_actual.png"),
        "Regression tree: predicted vs actual (test set)",
        &split.train.target_name,
        test.targets(),
        predicted.view(),
    )?;
    out.figure(
        "tree_predicted_vs_actual.png",
        "A regression tree predicts one value per leaf, so its predictions form horizontal bands.",
    );
    Ok(out)
}

fn importances(
    args: &Args,
    out: &mut Outcome,
    prefix: &str,
    names: &[String],
    values: &[f64],
) -> Result<()> {
    let file = format!("{prefix}_importances.png");
    figures::named_bars(
        args.common.out_path(&file),
        "Decision tree: feature importances (impurity decrease)",
        "share of the total impurity decrease",
        names,
        values,
    )?;
    out.figure(
        &file,
        "How much each feature's splits reduced the impurity, as a share of the total.",
    );
    Ok(())
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
