//! K-means with the number of clusters chosen by the elbow method. Reports: the inertia
//! (elbow) curve with the chosen k beside the silhouette curve, and the clusters drawn in the
//! plane of the first two principal components with their centres.
//!
//! ```text
//! cargo run --release --example kmeans_elbow -- [--data f.csv [--target label]] [--k-max 10 | --k 4] [--json]
//! ```
//! Default data: 1,500 points in 4 Gaussian blobs (`make_blobs`, 2-D).

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, CommonArgs, Outcome};
use learnkit::cluster::{Elbow, FittedKMeans, KMeans};
use learnkit::data::MakeBlobs;
use learnkit::decomposition::{Components, Pca};
use learnkit::prelude::*;
use learnkit::report::{self, figures, LineChart, ScatterChart, Series};
use ndarray::Array2;

/// Command line of the K-means example.
#[derive(Parser, Debug)]
#[command(about = "Cluster with K-means, choosing k by the elbow method")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Largest k the elbow search tries.
    #[arg(long, default_value_t = 10)]
    pub k_max: usize,
    /// Use this k instead of searching for the elbow.
    #[arg(long)]
    pub k: Option<usize>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let seed = args.common.seed;
    let (records, labels, source) = args.common.records(|| {
        let (data, _) = MakeBlobs::params()
            .n_samples(1500)
            .centers(4)
            .cluster_std(1.0)
            .seed(seed)
            .generate()?;
        Ok((
            Records::from(data.clone()),
            Some(data),
            "4 Gaussian blobs (make_blobs)".into(),
        ))
    })?;
    let mut out = Outcome::default();
    out.summary
        .set("data", &source)
        .set("n_samples", records.records.nrows());
    let model: FittedKMeans = match args.k {
        Some(k) => {
            let (model, seconds) =
                cli::timed(|| KMeans::params().n_clusters(k).seed(seed).fit(&records));
            let model = model?;
            out.summary
                .set("fit_seconds", seconds)
                .set("load_seconds", args.common.load_seconds())
                .set("chosen_k", k)
                .set("inertia", model.inertia());
            model
        }
        None => {
            let (result, seconds) = cli::timed(|| {
                Elbow::params()
                    .k_max(args.k_max)
                    .seed(seed)
                    .select(&records)
            });
            let result = result?;
            out.summary
                .set("fit_seconds", seconds)
                .set("load_seconds", args.common.load_seconds())
                .set("chosen_k", result.chosen_k)
                .set("reason", &result.reason)
                .set("inertia", &result.inertia)
                .set("silhouette", &result.silhouette);
            draw_elbow(args, &result)?;
            out.figure("kmeans_elbow.png", "Left: inertia (within-cluster sum of squares) against k — it always falls, but past the elbow each extra cluster buys little. Right: the silhouette (how much closer points are to their own cluster than to the next), highest where clusters are real.");
            result.model().clone()
        }
    };
    // The clusters in the plane of the first two principal components.
    let x = &records.records;
    if x.ncols() >= 2 {
        // The projection is the figure's own model: fitted on a seeded sample of at most
        // MAX_FIT_ROWS rows, then applied to every row (one pass).
        let sample = report::sample_rows(x.nrows(), report::MAX_FIT_ROWS, seed);
        let pca = Pca::params()
            .n_components(Components::Count(2))
            .fit(&x.select(ndarray::Axis(0), &sample))?;
        let z = pca.transform(x)?;
        let centres = pca.transform(model.centres())?;
        let names: Vec<String> = (0..model.n_clusters())
            .map(|c| format!("cluster {c}"))
            .collect();
        let mut series = figures::class_series(z.view(), model.labels().view(), &names);
        series.push(Series::crosses("centres", rows(&centres)));
        report::save(
            args.common.out_path("kmeans_clusters.png"),
            report::SIZE,
            &ScatterChart {
                title: format!(
                    "K-means with k = {} in the first two principal components{}",
                    model.n_clusters(),
                    report::points_note(x.nrows())
                ),
                x_label: format!(
                    "PC1 ({:.0}% of variance)",
                    100.0 * pca.explained_variance_ratio()[0]
                ),
                y_label: format!(
                    "PC2 ({:.0}% of variance)",
                    100.0 * pca.explained_variance_ratio()[1]
                ),
                series,
                regions: None,
            },
        )?;
        out.figure("kmeans_clusters.png", "Each point coloured by its cluster, drawn in the plane of the first two principal components; crosses mark the centres.");
    }
    if let Some(labels) = labels {
        // When true labels exist, how well do clusters match them (best label per cluster)?
        let purity = purity(
            model.labels(),
            &labels.targets,
            model.n_clusters(),
            labels.n_classes(),
        );
        out.summary.set("purity", purity);
    }
    Ok(out)
}

fn rows(m: &Array2<f64>) -> Vec<(f64, f64)> {
    m.rows().into_iter().map(|r| (r[0], r[1])).collect()
}

/// Fraction of points whose cluster's majority label is their own label.
fn purity(
    clusters: &ndarray::Array1<usize>,
    labels: &ndarray::Array1<usize>,
    k: usize,
    classes: usize,
) -> f64 {
    let mut counts = vec![vec![0usize; classes.max(1)]; k];
    for (&c, &l) in clusters.iter().zip(labels) {
        counts[c][l] += 1;
    }
    let majority: usize = counts
        .iter()
        .map(|row| row.iter().copied().max().unwrap_or(0))
        .sum();
    majority as f64 / clusters.len().max(1) as f64
}

fn draw_elbow(args: &Args, result: &learnkit::cluster::ElbowResult) -> Result<()> {
    let inertia: Vec<(f64, f64)> = result
        .ks
        .iter()
        .zip(&result.inertia)
        .map(|(&k, &v)| (k as f64, v))
        .collect();
    let mut left = vec![Series::line("inertia", inertia.clone(), 0)];
    left.push(match result.chosen_k {
        Some(k) => Series::crosses(format!("elbow: k = {k}"), vec![inertia[k - 1]]),
        None => Series::crosses("no clear elbow", Vec::new()),
    });
    let sil: Vec<(f64, f64)> = result
        .ks
        .iter()
        .zip(&result.silhouette)
        .filter_map(|(&k, s)| s.map(|s| (k as f64, s)))
        .collect();
    let best = result.best_silhouette_k;
    let best_point = sil.iter().copied().filter(|p| p.0 == best as f64).collect();
    let right = vec![
        Series::line("silhouette", sil, 2),
        Series::crosses(format!("best: k = {best}"), best_point),
        Series::reference(
            "clear-structure threshold (0.5)",
            vec![(2.0, 0.5), (result.ks.len() as f64, 0.5)],
        ),
    ];
    let title = match result.chosen_k {
        Some(k) => format!("Elbow method: k = {k}"),
        None => "Elbow method: no clear elbow".to_string(),
    };
    report::save_grid(
        args.common.out_path("kmeans_elbow.png"),
        (1400, 600),
        2,
        &[
            &LineChart {
                title,
                x_label: "number of clusters k".into(),
                y_label: "inertia (sum of squared distances)".into(),
                series: left,
                y_range: None,
            },
            &LineChart {
                title: "Silhouette score".into(),
                x_label: "number of clusters k".into(),
                y_label: "mean silhouette (−1 to 1)".into(),
                series: right,
                y_range: Some((-0.1, 1.0)),
            },
        ],
    )
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.common.out, args.common.json, || run(&args))
}
