//! K-means with the number of clusters chosen by the elbow method. Reports: the inertia
//! (elbow) curve with the chosen k beside the silhouette curve, and the clusters drawn in the
//! plane of the first two principal components with their centres.
//!
//! ```text
//! cargo run --release --example kmeans_elbow -- [--data f.csv [--target label]] [--k-max 10 | --k 4] [--json]
//! ```
//! Default data: 1,500 points in 4 Gaussian blobs (`make_blobs`, 2-D).

use clap::Parser;
use learnkit::cluster::{Elbow, KMeans};
use learnkit::data::MakeBlobs;
use learnkit::metrics;
use learnkit::prelude::*;
use learnkit::report::figures;
use learnkit_cli::{self as cli, DataArgs, Outcome};

/// Command line of the K-means example.
#[derive(Parser, Debug, Default)]
#[command(about = "Cluster with K-means, choosing k by the elbow method")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Largest k the elbow search tries [default: 10].
    #[arg(long)]
    pub k_max: Option<usize>,
    /// Use this k instead of searching for the elbow.
    #[arg(long)]
    pub k: Option<usize>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    let seed = args.data.seed;
    let (records, labels, source) = args.data.records(|| {
        let blobs = MakeBlobs::params().n_samples(1500).centers(4).seed(seed);
        let data = blobs.generate()?;
        let name = "4 Gaussian blobs (make_blobs)".to_string();
        Ok((Records::from(data.clone()), Some(data), name))
    })?;
    let mut out = args.data.outcome();
    out.summary
        .set("data", &source)
        .set("n_samples", records.records.nrows());

    // A given k is one fit; otherwise the elbow method fits every k up to --k-max and picks one.
    let model = match args.k {
        Some(k) => {
            let (model, seconds) =
                cli::timed(|| KMeans::params().n_clusters(k).seed(seed).fit(&records));
            let model = model?;
            out.summary
                .set("fit_seconds", seconds)
                .set("chosen_k", k)
                .set("inertia", model.inertia());
            model
        }
        None => {
            let elbow = Elbow::params().k_max(args.k_max.unwrap_or(10)).seed(seed);
            let (result, seconds) = cli::timed(|| elbow.select(&records));
            let result = result?;
            out.summary
                .set("fit_seconds", seconds)
                .set("chosen_k", result.chosen_k)
                .set("reason", &result.reason)
                .set("inertia", &result.inertia)
                .set("silhouette", &result.silhouette);
            out.draw(
                "kmeans_elbow.png",
                "Left: inertia (within-cluster sum of squares) against k — it always falls, but \
                 past the elbow each extra cluster buys little. Right: the silhouette (how much \
                 closer points are to their own cluster than to the next), highest where \
                 clusters are real.",
                |path| figures::elbow(path, &result),
            )?;
            result.model().clone()
        }
    };
    out.summary.set("load_seconds", args.data.load_seconds());
    if let Some(labels) = &labels {
        // With true labels: how well do the clusters match them (best label per cluster)?
        let purity = metrics::purity(model.labels().view(), labels.targets.view())?;
        out.summary.set("purity", purity);
    }
    if records.records.ncols() >= 2 {
        out.draw(
            "kmeans_clusters.png",
            "Each point coloured by its cluster, drawn in the plane of the first two principal \
             components; crosses mark the centres.",
            |path| figures::clusters(path, records.records.view(), &model, seed),
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

/// Under `mpirun -np N` (built with `--features mpi`): every K-means fit runs over the shards of
/// `--data` ([`learnkit_cli::across`]) and the elbow is chosen from the same inertia curve and
/// silhouette sample as one process; rank 0 draws the elbow curve and prints.
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::{Collective, Mpi};
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        let records = across::records(&args.data, mpi)?;
        let seed = args.data.seed;
        let rows = records.records.nrows();
        let (chosen, inertia, seconds, elbow) = match args.k {
            Some(k) => {
                let params = KMeans::params().n_clusters(k).seed(seed);
                let (model, seconds) = cli::timed(|| params.fit_distributed(&records, mpi));
                (Some(k), serde_json::json!(model?.inertia()), seconds, None)
            }
            None => {
                let elbow = Elbow::params().k_max(args.k_max.unwrap_or(10)).seed(seed);
                let (result, seconds) = cli::timed(|| elbow.select_distributed(&records, mpi));
                let result = result?;
                let inertia = serde_json::json!(result.inertia);
                (result.chosen_k, inertia, seconds, Some(result))
            }
        };
        // A collective: every rank builds the outcome, rank 0 alone draws.
        let mut out = across::outcome(&args.data, mpi, "clustering", rows, seconds);
        out.summary.set("chosen_k", chosen).set("inertia", inertia);
        if let (Some(result), 0) = (&elbow, mpi.rank()) {
            out.draw(
                "kmeans_elbow.png",
                "Inertia against k (left) and the silhouette (right), over every rank's rows.",
                |path| figures::elbow(path, result),
            )?;
        }
        Ok(out)
    }
}
