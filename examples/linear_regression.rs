//! Least-squares (and ridge) regression with reports: predicted against actual, residuals, and
//! the coefficients by feature name.
//!
//! ```text
//! cargo run --release --example linear_regression -- [--data f.csv --target y] [--alpha 1.0] [--json]
//! ```
//! Default data: scikit-learn's diabetes set (built in).

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome};
use learnkit::linear::LinearRegression;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit::{data, metrics};

/// Command line of the linear regression example.
#[derive(Parser, Debug)]
#[command(about = "Fit least-squares or ridge regression and draw its reports")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Ridge penalty (0 = ordinary least squares).
    #[arg(long, default_value_t = 0.0)]
    pub alpha: f64,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let split = args
        .common
        .regression(|| Ok((data::diabetes()?, "diabetes (built-in)".into())))?;
    let params = LinearRegression::params().alpha(args.alpha);
    let (model, fit_seconds) = cli::timed(|| params.fit(&split.train));
    let model = model?;
    let predicted = model.predict(&split.test)?;
    let y = split.test.targets();
    let mut out = Outcome::default();
    out.summary
        .set("data", &split.source)
        .set("n_train", split.train.n_samples())
        .set("n_test", split.test.n_samples())
        .set("fit_seconds", fit_seconds)
        .set("load_seconds", args.common.load_seconds())
        .set("r2", metrics::r2(y, predicted.view())?)
        .set("mse", metrics::mse(y, predicted.view())?)
        .set("mae", metrics::mae(y, predicted.view())?)
        .set("intercept", model.intercept())
        .set("coefficients", model.coefficients().to_vec());

    let what = if args.alpha > 0.0 {
        format!("Ridge (α = {})", args.alpha)
    } else {
        "Least squares".into()
    };
    let target = &split.train.target_name;
    figures::predicted_vs_actual(
        args.common.out_path("linear_predicted_vs_actual.png"),
        &format!("{what}: predicted vs actual {target} (test set)"),
        target,
        y,
        predicted.view(),
    )?;
    out.figure(
        "linear_predicted_vs_actual.png",
        "Predicted against actual values on the test set; the dashed line is a perfect fit.",
    );
    figures::residuals(
        args.common.out_path("linear_residuals.png"),
        &format!("{what}: residuals vs predicted (test set)"),
        y,
        predicted.view(),
    )?;
    out.figure("linear_residuals.png", "Residuals against predictions: a shapeless band around zero means the linear model captured the trend.");
    figures::named_bars(
        args.common.out_path("linear_coefficients.png"),
        &format!("{what}: coefficient per feature"),
        &format!("change in {target} per unit of the feature"),
        model.feature_names(),
        model.coefficients().as_slice().unwrap_or(&[]),
    )?;
    out.figure(
        "linear_coefficients.png",
        "Fitted coefficients by feature name (blue positive, red negative).",
    );
    Ok(out)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
