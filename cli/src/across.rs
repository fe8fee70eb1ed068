//! Data-parallel runs of the example binaries (`mpirun -np N …`, built with learnkit's `mpi`
//! feature): each rank reads its shard of `--data` — a file-name pattern matching one file per
//! rank, or one file the ranks share in contiguous blocks — and every failure before training
//! (an unreadable or mismatched shard) reaches every rank, so all of them stop with the same
//! error. Rank 0 alone reads `--test`, draws the reports and prints the metrics; the other
//! ranks print nothing. Generic over [`Collective`], so the thread backend drives it in tests.

use std::process::ExitCode;

use learnkit::distributed::{self, Collective};
use learnkit::{Dataset, Error, Records, Result};

use crate::{DataArgs, Outcome, Task};

/// Whether this process is one rank of several, started by an MPI launcher.
pub fn launched() -> bool {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "PMIX_SIZE",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .filter_map(|v| std::env::var(v).ok()?.parse::<usize>().ok())
    .any(|n| n > 1)
}

/// Runs a data-parallel example: joins the job (`init`, e.g. `Mpi::init`), then runs `body`
/// on rank 0 as every example runs (metrics printed, the run's files removed on failure, exit
/// status 2 with one error line) and elsewhere silently, failing exactly when rank 0 does.
pub fn main<C: Collective>(
    args: &DataArgs,
    init: impl FnOnce() -> Result<C>,
    body: impl FnOnce(&C) -> Result<Outcome>,
) -> ExitCode {
    let collective = match init() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if collective.rank() == 0 {
        args.main(|| body(&collective))
    } else {
        match body(&collective) {
            Ok(_) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        }
    }
}

/// This rank's data arguments (its shard as `--data`; `--test` on rank 0 only) and the block
/// of rows it keeps when the ranks share one file.
fn shard_args(
    args: &DataArgs,
    collective: &impl Collective,
) -> Result<(DataArgs, Option<(usize, usize)>)> {
    let pattern = args.data.as_ref().ok_or_else(|| {
        Error::invalid(
            "--data",
            "missing",
            "a data-parallel run reads its shards from --data",
        )
    })?;
    let shard = distributed::shard_of(pattern, collective.rank(), collective.processes())?;
    let mut data = args.clone();
    data.data = Some(shard.path);
    if collective.rank() != 0 {
        data.test = None;
    }
    Ok((data, shard.share))
}

/// The rows of a shared file this rank keeps.
fn keep<T: Clone>(data: Dataset<T>, share: Option<(usize, usize)>) -> Result<Dataset<T>> {
    match share {
        None => Ok(data),
        Some((rank, ranks)) => {
            let rows: Vec<usize> = distributed::block(data.n_samples(), rank, ranks).collect();
            data.select(&rows)
        }
    }
}

/// Carries this rank's outcome of a local step to every rank: all go on, or all stop with
/// the first failing rank's error.
pub fn agreed<T>(collective: &(impl Collective + ?Sized), local: Result<T>) -> Result<T> {
    let ok = local
        .as_ref()
        .map(|_| Vec::new())
        .map_err(ToString::to_string);
    distributed::agree(collective, ok)?;
    local
}

/// No built-in data in a data-parallel run.
fn no_default<T>() -> Result<(T, String)> {
    Err(Error::EmptyData("a data-parallel run needs --data".into()))
}

/// The task every rank agrees on: `explicit`, or each rank's guess from its shard (ranks whose
/// guesses differ stop with an error asking for `--task`).
pub fn task(args: &DataArgs, collective: &impl Collective, explicit: Option<Task>) -> Result<Task> {
    let local = shard_args(args, collective)
        .and_then(|(data, _)| data.task(explicit, Task::Classification));
    let name = local
        .as_ref()
        .map(|t| t.name().to_string())
        .map_err(ToString::to_string);
    distributed::check_alike(collective, "task (pass --task)", name)?;
    local
}

/// The `--test` rows of a data-parallel run, read on rank 0 only when asked: after training
/// and after the shard is dropped, so that rank 0 never holds both and its peak memory stays
/// the other ranks'. Read it after the last collective call ([`outcome`]): a test file that
/// fails to read then fails rank 0 alone, and the job with it, without leaving ranks waiting.
pub struct TestRows {
    /// Rank 0's data arguments (they hold `--data`'s category numbering); `None` elsewhere.
    args: Option<DataArgs>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
}

impl TestRows {
    /// The test rows as classes of the training set (`None` without `--test`, or off rank 0).
    pub fn classes(self) -> Result<Option<Dataset<usize>>> {
        match &self.args {
            Some(args) => args.test_classes(&self.feature_names, &self.class_names),
            None => Ok(None),
        }
    }

    /// The test rows as real-valued targets (`None` without `--test`, or off rank 0).
    pub fn values(self) -> Result<Option<Dataset<f64>>> {
        match &self.args {
            Some(args) => args.test_values(&self.feature_names),
            None => Ok(None),
        }
    }
}

/// This rank's training shard and, on rank 0, where its `--test` rows are.
fn shard<T: Clone>(
    args: &DataArgs,
    collective: &impl Collective,
    read: impl FnOnce(&DataArgs) -> Result<Dataset<T>>,
    class_names: impl FnOnce(&Dataset<T>) -> Vec<String>,
) -> Result<(Dataset<T>, TestRows)> {
    let local = shard_args(args, collective).and_then(|(data, share)| {
        let train = keep(read(&data)?, share)?;
        let test = TestRows {
            feature_names: train.feature_names.clone(),
            class_names: class_names(&train),
            args: data.test.is_some().then_some(data),
        };
        Ok((train, test))
    });
    agreed(collective, local)
}

/// This rank's classification shard and, on rank 0, where its `--test` rows are.
pub fn classes(
    args: &DataArgs,
    collective: &impl Collective,
) -> Result<(Dataset<usize>, TestRows)> {
    shard(
        args,
        collective,
        |data| data.classification_data(no_default),
        |train| train.class_names.clone(),
    )
}

/// This rank's regression shard and, on rank 0, where its `--test` rows are.
pub fn values(args: &DataArgs, collective: &impl Collective) -> Result<(Dataset<f64>, TestRows)> {
    shard(
        args,
        collective,
        |data| data.regression_data(no_default),
        |_| Vec::new(),
    )
}

/// This rank's unlabelled shard (clustering, PCA).
pub fn records(args: &DataArgs, collective: &impl Collective) -> Result<Records> {
    let local = shard_args(args, collective).and_then(|(data, share)| {
        let (records, _, _) =
            data.records(|| Err(Error::EmptyData("a data-parallel run needs --data".into())))?;
        match share {
            None => Ok(records),
            Some((rank, ranks)) => {
                let rows = distributed::block(records.records.nrows(), rank, ranks);
                let mut kept =
                    Records::new(records.records.slice(ndarray::s![rows, ..]).to_owned());
                kept.feature_names = records.feature_names;
                Ok(kept)
            }
        }
    });
    agreed(collective, local)
}

/// The metrics header of a data-parallel run: the pattern, the task, the ranks, the rows of
/// all ranks and of rank 0, fit and load seconds, and what rank 0 handed to collectives and
/// the seconds it spent in them (where the backend counts them).
pub fn outcome(
    args: &DataArgs,
    collective: &impl Collective,
    task: &str,
    local_rows: usize,
    fit_seconds: f64,
) -> Outcome {
    let mut total = [local_rows as f64];
    collective.all_sum_whole(&mut total);
    let mut out = args.outcome();
    out.summary
        .set("data", args.data.as_ref().map(|p| p.display().to_string()))
        .set("task", task)
        .set("ranks", collective.processes())
        .set("n_train", total[0] as usize)
        .set("n_train_rank0", local_rows)
        .set("fit_seconds", fit_seconds)
        .set("load_seconds", args.load_seconds());
    if collective.bytes_sent() > 0 {
        out.summary
            .set("bytes_sent_rank0", collective.bytes_sent())
            .set(
                "collective_seconds_rank0",
                collective.seconds_in_collectives(),
            );
    }
    out
}

/// Scores a classifier's probabilities on the `--test` rows (rank 0) into `out`.
pub fn score_classes(
    out: &mut Outcome,
    test: &Dataset<usize>,
    proba: ndarray::ArrayView2<'_, f64>,
) -> Result<()> {
    let predicted = learnkit::metrics::argmax_rows(proba);
    out.summary.set("n_test", test.n_samples());
    out.summary
        .set_classification_scores(test.targets(), predicted.view(), proba)?;
    Ok(())
}

/// Scores a regressor's predictions on the `--test` rows (rank 0) into `out`: R² and MSE.
pub fn score_values(
    out: &mut Outcome,
    test: &Dataset<f64>,
    predicted: ndarray::ArrayView1<'_, f64>,
) -> Result<()> {
    let y = test.targets();
    out.summary
        .set("n_test", test.n_samples())
        .set("r2", learnkit::metrics::r2(y, predicted)?)
        .set("mse", learnkit::metrics::mse(y, predicted)?);
    Ok(())
}
