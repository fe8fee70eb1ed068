//! A random forest (classification or regression). Reports: feature importances, the decision
//! regions of a two-feature forest, and the out-of-bag error against the number of trees.
//!
//! ```text
//! cargo run --release --example random_forest -- [--data f.csv --target y] [--task classification|regression]
//!     [--trees 100] [--max-depth N] [--max-features sqrt] [--json]
//! ```
//! Default data: wine quality (classification; the regions use the iris petals) or diabetes
//! (with `--task regression`).

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome, Task};
use learnkit::prelude::*;
use learnkit::report::{self, figures, LineChart, Series};
use learnkit::tree::{MaxFeatures, RandomForest};
use learnkit::{data, metrics};

/// Command line of the random forest example.
#[derive(Parser, Debug)]
#[command(about = "Fit a random forest and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Classification or regression (default: guessed from the target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Number of trees.
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// Maximum depth of each tree (default: unlimited).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Features per split: all, sqrt, log2, a count or a fraction (default: sqrt for
    /// classification, all for regression).
    #[arg(long)]
    pub max_features: Option<MaxFeatures>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let mut out = Outcome::default();
    let (names, importances, curve, metric) = match args
        .common
        .task(args.task, Task::Classification)?
    {
        Task::Classification => {
            let builtin = args.common.data.is_none();
            let split = args
                .common
                .classification(|| Ok((data::winequality()?, "wine quality (built-in)".into())))?;
            let params = configure(RandomForest::classifier(), args);
            let (model, seconds) = cli::timed(|| params.fit(&split.train));
            let model = model?;
            let test = &split.test;
            let proba = model.predict_proba(test)?;
            out.summary
                .set("data", &split.source)
                .set("task", "classification")
                .set("n_train", split.train.n_samples())
                .set("n_test", test.n_samples())
                .set("fit_seconds", seconds)
                .set("load_seconds", args.common.load_seconds())
                .set("trees", args.trees)
                // From the probabilities already computed: no second prediction pass.
                .set(
                    "accuracy",
                    metrics::accuracy(test.targets(), metrics::argmax_rows(proba.view()).view())?,
                )
                .set("log_loss", metrics::log_loss(test.targets(), proba.view())?)
                .set("oob_score", model.oob_score())
                .set(
                    "nodes",
                    model.trees().iter().map(|t| t.n_nodes()).sum::<usize>(),
                )
                .set(
                    "model_mb",
                    model
                        .trees()
                        .iter()
                        .map(|t| t.memory_bytes())
                        .sum::<usize>() as f64
                        / 1e6,
                );
            if split.train.n_features() >= 2 {
                // Regions of a forest on two features: the iris petals for the built-in demo,
                // else the user's two most important features.
                let imp = model.feature_importances();
                let mut order: Vec<usize> = (0..imp.len()).collect();
                order.sort_by(|&a, &b| imp[b].total_cmp(&imp[a]));
                let columns = if builtin && split.train.n_features() == 4 {
                    vec![2, 3]
                } else {
                    order[..2].to_vec()
                };
                // The figure's forest fits on a seeded sample of at most MAX_FIT_ROWS rows.
                let train2 = split
                    .train
                    .select_features(&columns)?
                    .subsample(report::MAX_FIT_ROWS, args.common.seed);
                let model2 = params.clone().oob_score(false).fit(&train2)?;
                figures::decision_regions(
                    args.common.out_path("forest_regions.png"),
                    &format!(
                        "Random forest: regions on {} and {}",
                        train2.feature_names[0], train2.feature_names[1]
                    ),
                    &model2,
                    &train2,
                    split.train.n_samples(),
                )?;
                out.figure("forest_regions.png", "A forest averages many trees grown on bootstrap samples with random features per split: the regions are still made of boxes, but their edges are smoother than a single tree's.");
            }
            (
                model.feature_names().to_vec(),
                model.feature_importances(),
                model.oob_curve().to_vec(),
                "OOB error (1 − accuracy)",
            )
        }
        Task::Regression => {
            let split = args
                .common
                .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
            let params = configure(RandomForest::regressor(), args);
            let (model, seconds) = cli::timed(|| params.fit(&split.train));
            let model = model?;
            let test = &split.test;
            let predicted = model.predict(test)?;
            out.summary
                .set("data", &split.source)
                .set("task", "regression")
                .set("n_train", split.train.n_samples())
                .set("n_test", test.n_samples())
                .set("fit_seconds", seconds)
                .set("load_seconds", args.common.load_seconds())
                .set("trees", args.trees)
                .set("r2", metrics::r2(test.targets(), predicted.view())?)
                .set("mse", metrics::mse(test.targets(), predicted.view())?)
                .set("oob_score", model.oob_score());
            figures::predicted_vs_actual(
                args.common.out_path("forest_predicted_vs_actual.png"),
                "Random forest: predicted vs actual (test set)",
                &split.train.target_name,
                test.targets(),
                predicted.view(),
            )?;
            out.figure(
                "forest_predicted_vs_actual.png",
                "Predicted against actual values on the test set.",
            );
            (
                model.feature_names().to_vec(),
                model.feature_importances(),
                model.oob_curve().to_vec(),
                "OOB error (1 − R²)",
            )
        }
    };
    figures::named_bars(
        args.common.out_path("forest_importances.png"),
        "Random forest: feature importances (mean impurity decrease)",
        "share of the total impurity decrease",
        &names,
        importances.as_slice().unwrap_or(&[]),
    )?;
    out.figure(
        "forest_importances.png",
        "Mean impurity decrease per feature over all trees, as a share of the total.",
    );
    let errors: Vec<(f64, f64)> = curve.iter().map(|&(t, s)| (t as f64, 1.0 - s)).collect();
    report::save(
        args.common.out_path("forest_oob.png"),
        report::SIZE,
        &LineChart {
            title: "Random forest: out-of-bag error against the number of trees".into(),
            x_label: "number of trees".into(),
            y_label: metric.into(),
            series: vec![Series::line("out-of-bag error", errors, 3)],
            y_range: None,
        },
    )?;
    out.figure("forest_oob.png", "Each tree is scored on the samples its bootstrap left out; averaging more trees lowers the error until it levels off — more trees never over-fit, they only cost time.");
    Ok(out)
}

/// Applies the command line's forest settings.
fn configure<T>(params: RandomForest<T>, args: &Args) -> RandomForest<T> {
    let params = params
        .n_estimators(args.trees)
        .max_depth(args.max_depth)
        .oob_score(true)
        .seed(args.common.seed);
    match args.max_features {
        Some(m) => params.max_features(m),
        None => params,
    }
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
