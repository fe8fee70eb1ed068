//! Principal component analysis. Reports: the scree plot (explained-variance ratio per
//! component and its running total) and the data projected on the first two components,
//! coloured by class when a target column is given.
//!
//! ```text
//! cargo run --release --example pca -- [--data f.csv [--target label]] [--components 2 | --variance 0.95] [--json]
//! ```
//! Default data: iris (coloured by species).

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome};
use learnkit::data;
use learnkit::decomposition::{Components, Pca};
use learnkit::prelude::*;
use learnkit::report::{self, figures, LineChart, ScatterChart, Series};

/// Command line of the PCA example.
#[derive(Parser, Debug)]
#[command(about = "Project data on its principal components")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Keep this many components.
    #[arg(long, conflicts_with = "variance")]
    pub components: Option<usize>,
    /// Keep the fewest components explaining this fraction of the variance.
    #[arg(long)]
    pub variance: Option<f64>,
    /// Standardise features first (when they have different units).
    #[arg(long)]
    pub standardize: bool,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let (records, labels, source) = args.common.records(|| {
        let iris = data::iris()?;
        Ok((
            Records::from(iris.clone()),
            Some(iris),
            "iris (built-in)".into(),
        ))
    })?;
    let x = if args.standardize {
        let x = &records.records;
        learnkit::preprocessing::StandardScaler::params()
            .fit(x)?
            .transform(x)?
    } else {
        records.records
    };
    let components = match (args.components, args.variance) {
        (Some(n), _) => Components::Count(n),
        (None, Some(f)) => Components::Variance(f),
        (None, None) => Components::All,
    };
    let (pca, seconds) = cli::timed(|| Pca::params().n_components(components).fit(&x));
    let pca = pca?;
    let ratio = pca.explained_variance_ratio().to_vec();
    let mut out = Outcome::default();
    out.summary
        .set("data", &source)
        .set("n_samples", x.nrows())
        .set("fit_seconds", seconds)
        .set("load_seconds", args.common.load_seconds())
        .set("n_components", pca.n_components())
        .set("explained_variance_ratio", &ratio)
        .set("explained_variance", pca.explained_variance().to_vec());

    let mut cumulative = 0.0;
    let running: Vec<(f64, f64)> = ratio
        .iter()
        .enumerate()
        .map(|(i, r)| {
            cumulative += r;
            ((i + 1) as f64, cumulative)
        })
        .collect();
    let per: Vec<(f64, f64)> = ratio
        .iter()
        .enumerate()
        .map(|(i, &r)| ((i + 1) as f64, r))
        .collect();
    let n = ratio.len() as f64;
    let mut per_line = Series::line("ratio per component", per.clone(), 0);
    per_line.name = "explained-variance ratio".into();
    report::save(
        args.common.out_path("pca_scree.png"),
        report::SIZE,
        &LineChart {
            title: format!("PCA scree plot ({source})"),
            x_label: "principal component".into(),
            y_label: "share of the total variance".into(),
            series: vec![
                per_line,
                Series::points("", per, 0),
                Series::line("cumulative", running, 1),
                Series::reference("95% of the variance", vec![(1.0, 0.95), (n.max(2.0), 0.95)]),
            ],
            y_range: Some((0.0, 1.05)),
        },
    )?;
    out.figure("pca_scree.png", "How much of the data's total variance each component explains (blue) and the running total (orange): the components before the curve flattens carry the structure.");

    if x.ncols() >= 2 {
        // The fitted model's first two components when it kept two (a 2-component fit gives the
        // same axes); otherwise a 2-component fit on a seeded sample of MAX_FIT_ROWS rows.
        let two = if pca.n_components() >= 2 {
            pca.clone()
        } else {
            let rows = report::sample_rows(x.nrows(), report::MAX_FIT_ROWS, args.common.seed);
            Pca::params()
                .n_components(Components::Count(2))
                .fit(&x.select(ndarray::Axis(0), &rows))?
        };
        let z = two.transform(&x)?;
        let names = labels
            .as_ref()
            .map(|l| l.class_names_or_default())
            .unwrap_or_else(|| vec!["samples".into()]);
        let targets = labels
            .as_ref()
            .map(|l| l.targets.clone())
            .unwrap_or_else(|| ndarray::Array1::zeros(x.nrows()));
        report::save(
            args.common.out_path("pca_projection.png"),
            report::SIZE,
            &ScatterChart {
                title: format!(
                    "PCA: {source} projected on the first two components{}",
                    report::points_note(x.nrows())
                ),
                x_label: format!(
                    "PC1 ({:.1}% of variance)",
                    100.0 * two.explained_variance_ratio()[0]
                ),
                y_label: format!(
                    "PC2 ({:.1}% of variance)",
                    100.0 * two.explained_variance_ratio()[1]
                ),
                series: figures::class_series(z.view(), targets.view(), &names),
                regions: None,
            },
        )?;
        out.figure(
            "pca_projection.png",
            "The data in the plane of the two directions of largest variance, coloured by class.",
        );
    }
    Ok(out)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
