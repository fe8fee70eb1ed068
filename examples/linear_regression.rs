//! Least-squares (and ridge) regression. Reports: predicted against actual, residuals, and the
//! coefficients by feature name.
//!
//! ```text
//! cargo run --release --example linear_regression -- [--data f.csv --target y] [--alpha 1.0] [--json]
//! ```
//! Default data: scikit-learn's diabetes set (built in).

use clap::Parser;
use learnkit::linear::LinearRegression;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit::{data, metrics};
use learnkit_cli::{self as cli, DataArgs, Outcome, Task};

/// Command line of the linear regression example.
#[derive(Parser, Debug, Default)]
#[command(about = "Fit least-squares or ridge regression and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Ridge penalty (0, the default, is ordinary least squares).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub alpha: f64,
}

pub fn run(args: &Args) -> Result<Outcome> {
    // Data, model, fit: the machine learning.
    let split = args
        .data
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    let params = LinearRegression::params().alpha(args.alpha);
    let (model, seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let (y, predicted) = (split.test.targets(), model.predict(&split.test)?);

    // Metrics, then the pictures.
    let mut out = Outcome::fitted(&args.data, &split, Task::Regression, seconds);
    out.summary
        .set("r2", metrics::r2(y, predicted.view())?)
        .set("mse", metrics::mse(y, predicted.view())?)
        .set("mae", metrics::mae(y, predicted.view())?)
        .set("intercept", model.intercept())
        .set("coefficients", model.coefficients().to_vec());
    let what = match args.alpha {
        a if a > 0.0 => format!("Ridge (α = {a})"),
        _ => "Least squares".into(),
    };
    let target = &split.train.target_name;
    out.draw(
        "linear_predicted_vs_actual.png",
        "Predicted against actual values on the test set; the dashed line is a perfect fit.",
        |path| {
            let title = format!("{what}: predicted vs actual {target} (test set)");
            figures::predicted_vs_actual(path, &title, target, y, predicted.view())
        },
    )?;
    out.draw(
        "linear_residuals.png",
        "Residuals against predictions: a shapeless band around zero means the linear model \
         captured the trend.",
        |path| {
            let title = format!("{what}: residuals vs predicted (test set)");
            figures::residuals(path, &title, y, predicted.view())
        },
    )?;
    out.draw(
        "linear_coefficients.png",
        "Fitted coefficients by feature name (blue positive, red negative).",
        |path| {
            figures::named_bars(
                path,
                &format!("{what}: coefficient per feature"),
                &format!("change in {target} per unit of the feature"),
                model.feature_names(),
                &model.coefficients().to_vec(),
            )
        },
    )?;
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

/// Under `mpirun -np N` (built with `--features mpi`): the sums, Gram matrix and `Xᵀy` of the
/// shards of `--data` ([`learnkit_cli::across`]) are added across ranks and every rank solves
/// the one-process normal equations; rank 0 scores `--test` and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::Mpi;
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        let (train, test) = across::values(&args.data, mpi)?;
        let params = LinearRegression::params().alpha(args.alpha);
        let (model, seconds) = cli::timed(|| params.fit_distributed(&train, mpi));
        let model = model?;
        let task = Task::Regression.name();
        let mut out = across::outcome(&args.data, mpi, task, train.n_samples(), seconds);
        // The shard goes before rank 0 reads the test rows (its peak is the others').
        drop(train);
        let test = test.values()?;
        out.summary
            .set("coefficients", model.coefficients().to_vec())
            .set("intercept", model.intercept());
        if let Some(test) = test {
            across::score_values(&mut out, &test, model.predict(&test)?.view())?;
        }
        Ok(out)
    }
}
