//! Principal component analysis. Reports: the scree plot (variance explained per component and
//! cumulated) and the data projected on the first two components, coloured by class.
//!
//! ```text
//! cargo run --release --example pca -- [--data f.csv [--target label]] [--components 2 | --variance 0.95]
//!     [--solver auto|exact|randomized] [--standardize] [--json]
//! ```
//! Default data: iris.

use clap::Parser;
use learnkit::data;
use learnkit::decomposition::{Components, Pca, PcaSolver};
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::report::figures;
use learnkit_cli::{self as cli, DataArgs, Outcome};

/// Command line of the PCA example.
#[derive(Parser, Debug, Default)]
#[command(about = "Project data on its principal components")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Keep this many components.
    #[arg(long, conflicts_with = "variance")]
    pub components: Option<usize>,
    /// Keep the fewest components explaining this fraction of the variance.
    #[arg(long)]
    pub variance: Option<f64>,
    /// Standardise features first (when they have different units).
    #[arg(long)]
    pub standardize: bool,
    /// How the axes are found [default: auto, scikit-learn's rule]; `randomized` (with
    /// --components and --seed) for many features.
    #[arg(long, value_enum)]
    pub solver: Option<Solver>,
}

/// The PCA solvers, as flags.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// scikit-learn's rule (see `PcaSolver::Auto`).
    Auto,
    /// The covariance (or Gram) matrix, decomposed exactly.
    Exact,
    /// A seeded randomized range finder.
    Randomized,
}

/// The estimator the flags describe.
fn params(args: &Args, components: Components) -> Pca {
    let solver = match args.solver.unwrap_or(Solver::Auto) {
        Solver::Auto => PcaSolver::Auto,
        Solver::Exact => PcaSolver::Exact,
        Solver::Randomized => PcaSolver::Randomized,
    };
    Pca::params()
        .n_components(components)
        .solver(solver)
        .seed(args.data.seed)
}

pub fn run(args: &Args) -> Result<Outcome> {
    let (records, labels, source) = args.data.records(|| {
        let iris = data::iris()?;
        Ok((
            Records::from(iris.clone()),
            Some(iris),
            "iris (built-in)".into(),
        ))
    })?;
    let x = match args.standardize {
        true => StandardScaler::params().fit_transform(&records)?.1,
        false => records.records,
    };
    let components = match (args.components, args.variance) {
        (Some(n), _) => Components::Count(n),
        (None, Some(f)) => Components::Variance(f),
        (None, None) => Components::All,
    };
    let (pca, seconds) = cli::timed(|| params(args, components).fit(&x));
    let pca = pca?;
    let ratio = pca.explained_variance_ratio().to_vec();

    let mut out = args.data.outcome();
    out.summary
        .set("data", &source)
        .set("n_samples", x.nrows())
        .set("fit_seconds", seconds)
        .set("load_seconds", args.data.load_seconds())
        .set("n_components", pca.n_components())
        .set("explained_variance_ratio", &ratio)
        .set("explained_variance", pca.explained_variance().to_vec());
    out.draw(
        "pca_scree.png",
        "How much of the data's total variance each component explains (blue) and the running \
         total (orange): the components before the curve flattens carry the structure.",
        |path| figures::scree(path, &source, &ratio),
    )?;
    if x.ncols() >= 2 {
        out.draw(
            "pca_projection.png",
            "The data in the plane of the two directions of largest variance, coloured by class.",
            |path| {
                let seed = args.data.seed;
                figures::projection(path, &source, x.view(), &pca, labels.as_ref(), seed)
            },
        )?;
    }
    Ok(out)
}

/// Under `mpirun -np N` (built with `--features mpi`): the column sums and scatter matrix of the
/// shards of `--data` ([`learnkit_cli::across`]) are added across ranks (with `--solver
/// randomized`, the range finder's products), every rank gets the one-process components, and rank 0 draws the scree plot and prints (`--standardize` is not
/// offered here: it needs the scaler's statistics of all the rows first).
#[cfg(feature = "mpi")]
mod across {
    use super::*;
    use learnkit::distributed::{Collective, Mpi};
    use learnkit_cli::across;

    pub fn main(args: &Args) -> std::process::ExitCode {
        across::main(&args.data, Mpi::init, |mpi| run(args, mpi))
    }

    fn run(args: &Args, mpi: &Mpi) -> Result<Outcome> {
        if args.standardize {
            return Err(learnkit::Error::invalid(
                "--standardize",
                "given",
                "not supported in a data-parallel run",
            ));
        }
        let records = across::records(&args.data, mpi)?;
        let components = match (args.components, args.variance) {
            (Some(n), _) => Components::Count(n),
            (None, Some(f)) => Components::Variance(f),
            (None, None) => Components::All,
        };
        let params = params(args, components);
        let (pca, seconds) = cli::timed(|| params.fit_distributed(&records, mpi));
        let pca = pca?;
        let ratio = pca.explained_variance_ratio().to_vec();
        let rows = records.records.nrows();
        let mut out = across::outcome(&args.data, mpi, "pca", rows, seconds);
        out.summary
            .set("n_components", pca.n_components())
            .set("explained_variance_ratio", &ratio)
            .set("explained_variance", pca.explained_variance().to_vec());
        if mpi.rank() == 0 {
            let source = "PCA across ranks";
            out.draw(
                "pca_scree.png",
                "How much of the data's total variance each component explains (blue) and the \
                 running total (orange).",
                |path| figures::scree(path, source, &ratio),
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
