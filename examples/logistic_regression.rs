//! Logistic regression (binary and multinomial) with reports: the confusion matrix, a ROC curve
//! for a binary problem, and the decision regions of a two-feature fit.
//!
//! ```text
//! cargo run --release --example logistic_regression -- [--data f.csv --target label] [--c 1.0] [--json]
//! ```
//! Default data: iris (3 classes), plus a built-in 2-D binary problem for the ROC curve.

use clap::Parser;
use learnkit::data::{self, MakeClassification};
use learnkit::linear::LogisticRegression;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};
use ndarray::Array1;

/// Command line of the logistic regression example.
#[derive(Parser, Debug, Default)]
#[command(about = "Fit logistic regression and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Inverse regularisation strength (scikit-learn's C) [default: 1].
    #[arg(long, allow_negative_numbers = true)]
    pub c: Option<f64>,
    /// Maximum L-BFGS iterations [default: 100].
    #[arg(long)]
    pub max_iter: Option<usize>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let split = args
        .data
        .classification(|| Ok((data::iris()?, "iris (built-in)".into())))?;
    let params = LogisticRegression::params()
        .c(args.c.unwrap_or(1.0))
        .max_iter(args.max_iter.unwrap_or(100));
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    if !model.converged() {
        eprintln!(
            "warning: L-BFGS stopped after {} iterations (largest gradient component {:.2e}); \
             raise --max-iter or standardise the features",
            model.n_iter(),
            model.final_gradient()
        );
    }
    let (y, predicted) = (split.test.targets(), model.predict(&split.test)?);
    let proba = model.predict_proba(&split.test)?;

    let mut out = Outcome::fitted(&args.data, &split, Task::Classification, seconds);
    out.summary
        .set_classification_scores(y, predicted.view(), proba.view())?
        .set("n_iter", model.n_iter())
        .set("converged", model.converged());
    out.draw(
        "logistic_confusion.png",
        "Test-set confusion matrix: the diagonal holds correct predictions.",
        |path| {
            let title = format!(
                "Logistic regression: confusion matrix ({}, test set)",
                split.source
            );
            let names = split.train.class_names_or_default();
            figures::confusion_matrix(path, &title, y, predicted.view(), &names)
        },
    )?;

    // A binary problem for the ROC curve: the user's data if binary, else a built-in one.
    let builtin = args.data.data.is_none();
    // The test targets and the positive class's probabilities: the fitted model's own when the
    // user's data is binary (no refit), else a fit on a built-in binary problem.
    let binary: Option<(Array1<usize>, Array1<f64>)> = match split.train.n_classes() {
        2 => Some((split.test.targets.clone(), proba.column(1).to_owned())),
        _ if builtin => {
            let blobs = MakeClassification::params()
                .n_samples(1000)
                .n_features(2)
                .n_redundant(0)
                .n_clusters_per_class(1)
                .class_sep(0.8)
                .seed(args.data.seed)
                .generate()?;
            let (train, test) = data::train_test_split(&blobs, 0.2, args.data.seed)?;
            let scores = params
                .fit(&train)?
                .predict_proba(&test)?
                .column(1)
                .to_owned();
            Some((test.targets, scores))
        }
        _ => None,
    };
    match binary {
        // A ROC curve needs both classes among the test rows; without them the run goes on.
        Some((targets, _)) if targets.iter().all(|&c| c == targets[0]) => {
            out.skip("logistic_roc.png", "the test set holds one class only");
        }
        Some((targets, scores)) => {
            let mut auc = 0.0;
            out.draw(
                "logistic_roc.png",
                "ROC curve: the true-positive rate bought at each false-positive rate as the \
                 threshold moves; AUC 1 is perfect, 0.5 is chance.",
                |path| {
                    let title = "Logistic regression: ROC curve of a binary problem (test set)";
                    auc = figures::roc_curve(path, title, targets.view(), scores.view())?;
                    Ok(())
                },
            )?;
            out.summary.set("binary_auc", auc);
        }
        None => {}
    }
    if split.train.n_features() >= 2 {
        let columns = if builtin { [2, 3] } else { [0, 1] }; // iris: the petals
        out.draw(
            "logistic_regions.png",
            "Decision regions of a fit on two features, with the training points: logistic \
             regression draws straight boundaries.",
            |path| {
                let (train, seed) = (&split.train, args.data.seed);
                figures::regions_on_two_features(
                    path,
                    "Logistic regression",
                    &params,
                    train,
                    columns,
                    seed,
                )
            },
        )?;
    }
    Ok(out)
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

/// Under `mpirun -np N` (built with `--features mpi`): each L-BFGS evaluation adds the loss and
/// gradient of the shards of `--data` ([`learnkit_cli::across`]) across ranks, so every rank
/// takes the one-process steps; rank 0 scores `--test` and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::Mpi;
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        let (train, test) = across::classes(&args.data, mpi)?;
        let params = LogisticRegression::params()
            .c(args.c.unwrap_or(1.0))
            .max_iter(args.max_iter.unwrap_or(100));
        let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
        let model = model?;
        let task = Task::Classification.name();
        let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
        // The shard goes before rank 0 reads the test rows (its peak is the others').
        drop(train);
        let test = test.classes()?;
        out.summary
            .set("n_iter", model.n_iter())
            .set("converged", model.converged());
        if let Some(test) = test {
            across::score_classes(&mut out, &test, model.predict_proba(&test)?.view())?;
        }
        Ok(out)
    }
}
