//! Logistic regression (binary and multinomial) with reports: the confusion matrix, a ROC curve
//! for a binary problem, and the decision regions of a two-feature fit.
//!
//! ```text
//! cargo run --release --example logistic_regression -- [--data f.csv --target label] [--c 1.0] [--json]
//! ```
//! Default data: iris (3 classes), plus a built-in 2-D binary problem for the ROC curve.

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome};
use learnkit::data::{self, MakeClassification};
use learnkit::linear::LogisticRegression;
use learnkit::metrics;
use learnkit::prelude::*;
use learnkit::report::{self, figures};

/// Command line of the logistic regression example.
#[derive(Parser, Debug)]
#[command(about = "Fit logistic regression and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Inverse regularisation strength (scikit-learn's C).
    #[arg(long, default_value_t = 1.0)]
    pub c: f64,
    /// Maximum L-BFGS iterations.
    #[arg(long, default_value_t = 100)]
    pub max_iter: usize,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let builtin = args.common.data.is_none();
    let split = args
        .common
        .classification(|| Ok((data::iris()?, "iris (built-in)".into())))?;
    let params = LogisticRegression::params()
        .c(args.c)
        .max_iter(args.max_iter);
    let (model, fit_seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    if !model.converged() {
        eprintln!(
            "warning: L-BFGS stopped at max_iter = {} (largest gradient component {:.2e}); raise --max-iter or standardise the features",
            args.max_iter,
            model.final_gradient()
        );
    }
    let (test, names) = (&split.test, split.train.class_names_or_default());
    let predicted = model.predict(test)?;
    let proba = model.predict_proba(test)?;
    let mut out = Outcome::default();
    out.summary
        .set("data", &split.source)
        .set("n_train", split.train.n_samples())
        .set("n_test", test.n_samples())
        .set("fit_seconds", fit_seconds)
        .set("load_seconds", args.common.load_seconds())
        .set(
            "accuracy",
            metrics::accuracy(test.targets(), predicted.view())?,
        )
        .set("log_loss", metrics::log_loss(test.targets(), proba.view())?)
        .set("n_iter", model.n_iter())
        .set("converged", model.converged());
    figures::confusion_matrix(
        args.common.out_path("logistic_confusion.png"),
        &format!(
            "Logistic regression: confusion matrix ({}, test set)",
            split.source
        ),
        test.targets(),
        predicted.view(),
        &names,
    )?;
    out.figure(
        "logistic_confusion.png",
        "Test-set confusion matrix: the diagonal holds correct predictions.",
    );

    // A binary problem for the ROC curve: the user's data if binary, else a built-in one.
    let binary = if names.len() == 2 {
        Some((split.train.clone(), split.test.clone()))
    } else if builtin {
        let blobs = MakeClassification::params()
            .n_samples(1000)
            .n_features(2)
            .n_informative(2)
            .n_redundant(0)
            .n_clusters_per_class(1)
            .class_sep(0.8)
            .seed(args.common.seed)
            .generate()?;
        Some(data::train_test_split(&blobs, 0.2, args.common.seed)?)
    } else {
        None
    };
    if let Some((train, test)) = binary {
        let model = params.fit(&train)?;
        let scores = model.predict_proba(&test)?.column(1).to_owned();
        let auc = figures::roc_curve(
            args.common.out_path("logistic_roc.png"),
            "Logistic regression: ROC curve of a binary problem (test set)",
            test.targets(),
            scores.view(),
        )?;
        out.summary.set("binary_auc", auc);
        out.figure("logistic_roc.png", "ROC curve: the true-positive rate bought at each false-positive rate as the threshold moves; AUC 1 is perfect, 0.5 is chance.");
    }

    // Decision regions of a two-feature fit (iris: petal length and width).
    let columns = if builtin { [2, 3] } else { [0, 1] };
    if split.train.n_features() >= 2 {
        let train2 = split
            .train
            .select_features(&columns)?
            .subsample(report::MAX_FIT_ROWS, args.common.seed);
        let model2 = params.fit(&train2)?;
        figures::decision_regions(
            args.common.out_path("logistic_regions.png"),
            &format!(
                "Logistic regression: decision regions on {} and {}",
                train2.feature_names[0], train2.feature_names[1]
            ),
            &model2,
            &train2,
            split.train.n_samples(),
        )?;
        out.figure("logistic_regions.png", "Decision regions of a fit on two features, with the training points: logistic regression draws straight boundaries.");
    }
    Ok(out)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
