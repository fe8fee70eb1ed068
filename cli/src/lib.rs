//! The command-line contract shared by the `learnkit` command and the example binaries: the
//! flags, the one-line errors and exit status 2, the JSON summary, the reports directory.
//!
//! The library itself carries no command-line code; this crate is where clap lives.
//!
//! ```text
//! --data PATH --target COLUMN       your own CSV (header row), Parquet or Arrow file; the
//!                                   other columns are numeric features
//! --test PATH                       a separate test file (else a seeded 80/20 split)
//! --seed N                          seed for splits and randomised algorithms (default 42)
//! --out DIR                         where PNG reports go (default reports/)
//! --json                            print one JSON object as the last line of stdout
//! ```
//!
//! Bad input — a missing file or target column, a non-numeric cell, a ragged row, an empty
//! file — ends the program through [`run`] with a one-line message naming the file, line and
//! column, and exit status 2.

pub mod across;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;

use learnkit::data;
use learnkit::rl::TabularAlgorithm;
use learnkit::tree::{BinnedDataset, BinnedTask};
use learnkit::{Dataset, Error, Records, Result};

/// Parses a library type from one of `names` (listed in `--help` and in the error for anything
/// else) through its [`FromStr`](std::str::FromStr): library enums stay free of clap.
pub fn choice<T>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr<Err = Error> + Clone + Send + Sync + 'static,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

/// The tabular update rules as `--algo` lists them, with the aliases `TabularAlgorithm`'s
/// `FromStr` also reads.
pub fn tabular_algorithm_names() -> Vec<clap::builder::PossibleValue> {
    use clap::builder::PossibleValue;
    TabularAlgorithm::ALL
        .iter()
        .map(|a| match a {
            TabularAlgorithm::QLearning => PossibleValue::new(a.name()).alias("q"),
            TabularAlgorithm::DoubleQLearning => {
                PossibleValue::new(a.name()).alias("double-q-learning")
            }
            _ => PossibleValue::new(a.name()),
        })
        .collect()
}

/// `--algo` for tabular RL: `q-learning` (or `q`), `sarsa`, `expected-sarsa`, `double-q`.
pub fn tabular_algorithm() -> impl clap::builder::TypedValueParser<Value = TabularAlgorithm> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(tabular_algorithm_names())
        .try_map(|s| s.parse::<TabularAlgorithm>())
}

/// A spinner on stderr while a command works: drawn only once the work has taken a second,
/// and never when stdout or stderr is not a terminal or with `--json` (so pipes, logs and
/// scripts see nothing of it). It clears itself when dropped.
pub struct Busy {
    done: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Busy {
    /// Starts the clock on `message` (`"training forest"`); quiet when `json`.
    pub fn start(message: &str, json: bool) -> Busy {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        if json || !terminal {
            return Busy {
                done: None,
                thread: None,
            };
        }
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let message = message.to_string();
        let thread = std::thread::spawn(move || {
            let second = std::time::Duration::from_secs(1);
            if wait.recv_timeout(second) != Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                return; // finished (or abandoned) within a second
            }
            let spinner = indicatif::ProgressBar::new_spinner().with_elapsed(second);
            spinner.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            spinner.set_message(message);
            spinner.enable_steady_tick(std::time::Duration::from_millis(100));
            let _ = wait.recv();
            spinner.finish_and_clear();
        });
        Busy {
            done: Some(done),
            thread: Some(thread),
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Flags every example shares — supervised, unsupervised and RL; embed with
/// `#[command(flatten)]`.
#[derive(clap::Args, Debug, Clone)]
pub struct CommonArgs {
    /// Seed for splits, randomised algorithms and environments.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the PNG reports.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Print one JSON object with the metrics as the last line of stdout.
    #[arg(long)]
    pub json: bool,
}

impl Default for CommonArgs {
    /// The command line's defaults: seed 42, reports into `reports/`, no JSON.
    fn default() -> Self {
        Self {
            seed: 42,
            out: PathBuf::from("reports"),
            json: false,
        }
    }
}

impl CommonArgs {
    /// Flags for a run writing into `out` with `seed` (how the tour drives the examples).
    pub fn new(out: impl Into<PathBuf>, seed: u64) -> Self {
        Self {
            seed,
            out: out.into(),
            json: false,
        }
    }

    /// The path of report `name` under `--out`.
    pub fn out_path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    /// An empty outcome whose figures go under `--out`.
    pub fn outcome(&self) -> Outcome {
        Outcome::new(&self.out)
    }

    /// Runs an example's body the way every example's `main` does: on failure, removes the
    /// files the run created under `--out` ([`run_writing`]) and exits with status 2.
    pub fn main(&self, body: impl FnOnce() -> Result<Outcome>) -> ExitCode {
        run_writing(&self.out, self.json, body)
    }
}

/// The data flags of the supervised and unsupervised examples, with the common ones; embed with
/// `#[command(flatten)]`. Dereferences to [`CommonArgs`].
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Seed, output directory and JSON switch.
    #[command(flatten)]
    pub common: CommonArgs,
    /// CSV (header row), Parquet or Arrow file (default: a built-in dataset).
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Name of the target column in --data.
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Separate test file with the same columns (default: a seeded 80/20 split).
    #[arg(long, value_name = "PATH")]
    pub test: Option<PathBuf>,
    /// The `--data` table when guessing the task has read it: loading takes it from here, so
    /// a large file is parsed once per run and not kept after it becomes a dataset.
    #[arg(skip)]
    table: std::sync::Arc<std::sync::Mutex<Option<data::Table>>>,
    /// Seconds spent reading data files so far.
    #[arg(skip)]
    load_time: std::sync::Arc<std::sync::Mutex<f64>>,
    /// Seconds spent reading (binning or loading) a binned `--data` file.
    #[arg(skip)]
    binned_time: std::sync::Arc<std::sync::Mutex<f64>>,
    /// Empty cells and `NaN` read as missing values (set by the examples whose estimator
    /// accepts them, from their `--allow-missing` flag).
    #[arg(skip)]
    allow_missing: bool,
    /// Columns read as categorical features besides the text columns of Parquet and Arrow
    /// files (set by the commands whose models take them, from their `--categorical` flag).
    #[arg(skip)]
    categorical: Vec<String>,
    /// The numbering of the `--data` file's text columns, which the `--test` file is read
    /// with.
    #[arg(skip)]
    vocabularies: std::sync::Arc<std::sync::Mutex<Vec<data::Vocabulary>>>,
    /// Whether a table's text columns (categorical features) are taken: set by the commands
    /// that hand them to tree models as categories; the examples refuse them rather than
    /// read category numbers as ordered values.
    #[arg(skip)]
    categories_taken: bool,
}

impl From<CommonArgs> for DataArgs {
    /// Built-in data with these common flags.
    fn from(common: CommonArgs) -> Self {
        Self {
            common,
            ..Self::default()
        }
    }
}

impl std::ops::Deref for DataArgs {
    type Target = CommonArgs;
    fn deref(&self) -> &CommonArgs {
        &self.common
    }
}

/// What a supervised example learns (`--task`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Predict a class label.
    Classification,
    /// Predict a real value.
    Regression,
}

impl Task {
    /// `"classification"` or `"regression"`, as the JSON reports it.
    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

/// Training and test data, with a description of where they came from.
#[derive(Debug, Clone)]
pub struct Split<T> {
    /// Data to fit on.
    pub train: Dataset<T>,
    /// Data to score on.
    pub test: Dataset<T>,
    /// "iris (built-in)", "data.csv", ...
    pub source: String,
}

/// An error naming the first text feature column of `table`, for the models that take
/// numbers only (`why` says which).
pub fn no_text_features(table: &data::Table, why: &str) -> Result<()> {
    match table.vocabularies.first() {
        None => Ok(()),
        Some(v) => Err(Error::invalid(
            "column",
            data::shown(&v.column),
            format!("holds text, a categorical feature: {why}"),
        )),
    }
}

/// How a data file is named in reports and the JSON: its file name (a full path would not fit a
/// figure's title).
pub fn source_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The fraction of a single dataset held out for testing.
pub const TEST_FRACTION: f64 = 0.2;

impl DataArgs {
    /// The `--data` file read with `--target`: the table kept by [`CommonArgs::task`] if it
    /// read one (taken out, so it is freed once converted), else read now.
    fn take_table(&self, path: &Path) -> Result<data::Table> {
        let kept = self.table.lock().ok().and_then(|mut t| t.take());
        match kept {
            Some(table) => Ok(table),
            None => self.read(path, Some(self.require_target(path)?), None),
        }
    }

    /// Reads these columns as categorical features besides text columns (the `--categorical`
    /// flag of the commands whose models take them).
    pub fn with_categorical(mut self, columns: Vec<String>) -> Self {
        self.categorical = columns;
        self.categories_taken = true;
        self
    }

    /// The numbering of the `--data` file's text columns (empty before it is read).
    pub fn vocabularies(&self) -> Vec<data::Vocabulary> {
        self.vocabularies
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// The positions among `features` of the categorical features: the `--data` file's text
    /// columns and the `--categorical` ones.
    pub fn categorical_features(&self, features: &[String]) -> Result<Vec<usize>> {
        data::categorical_positions(features, &self.vocabularies(), &self.categorical)
    }

    /// Reads empty CSV cells and `NaN` as missing values (NaN) instead of refusing them: for
    /// the estimators that handle them (gradient boosting), behind an `--allow-missing` flag.
    pub fn allowing_missing(mut self, yes: bool) -> Self {
        self.allow_missing = yes;
        self
    }

    /// Whether empty cells and `NaN` are read as missing values.
    pub fn allows_missing(&self) -> bool {
        self.allow_missing
    }

    /// Seconds this run has spent reading `--data` and `--test` (0 for built-in data).
    pub fn load_seconds(&self) -> f64 {
        self.load_time.lock().map(|t| *t).unwrap_or(0.0)
    }

    /// Reads a CSV, Parquet or Arrow file, adding the time to [`CommonArgs::load_seconds`]:
    /// the `--data` file (`known`: `None`), whose text columns' numbering is kept, or a test
    /// file read with the numbering `known`.
    fn read(
        &self,
        path: &Path,
        target: Option<&str>,
        known: Option<&[data::Vocabulary]>,
    ) -> Result<data::Table> {
        let numbering = known.unwrap_or_default();
        let (table, seconds) =
            timed(|| data::read_table_numbered(path, target, &[], self.allow_missing, numbering));
        if let Ok(mut total) = self.load_time.lock() {
            *total += seconds;
        }
        let table = table?;
        if known.is_none() {
            if !self.categories_taken {
                no_text_features(
                    &table,
                    "this example takes numbers; `learnkit train tree|forest|boosting` reads \
                     text columns as categories",
                )?;
            }
            if let Ok(mut kept) = self.vocabularies.lock() {
                kept.clone_from(&table.vocabularies);
            }
        }
        Ok(table)
    }

    fn require_target(&self, data: &Path) -> Result<&str> {
        self.target.as_deref().ok_or_else(|| Error::Parse {
            path: data.to_path_buf(),
            line: 1,
            column: None,
            message: "--target COLUMN is required with --data".into(),
        })
    }

    /// The `--data` file (or the default) whole, with the `--test` file when one is given.
    fn load_all<T: Clone>(
        &self,
        load: impl Fn(&Path, Option<&Dataset<T>>) -> Result<Dataset<T>>,
        default: impl FnOnce() -> Result<(Dataset<T>, String)>,
    ) -> Result<(Dataset<T>, Option<Dataset<T>>, String)> {
        let (full, source) = match &self.data {
            Some(path) => (load(path, None)?, source_name(path)),
            None => {
                if self.test.is_some() {
                    return Err(Error::invalid("--test", "given", "--test needs --data"));
                }
                default()?
            }
        };
        let test = self.test_like(&full.feature_names, |path| load(path, Some(&full)))?;
        Ok((full, test, source))
    }

    /// The `--test` file (`None` without one) read by `load`, with the training columns
    /// `feature_names`.
    fn test_like<T>(
        &self,
        feature_names: &[String],
        load: impl FnOnce(&Path) -> Result<Dataset<T>>,
    ) -> Result<Option<Dataset<T>>> {
        let Some(test_path) = &self.test else {
            return Ok(None);
        };
        let test = load(test_path)?;
        if test.feature_names != feature_names {
            return Err(Error::shape(
                format!("columns of {}", test_path.display()),
                feature_names.join(","),
                test.feature_names.join(","),
            ));
        }
        Ok(Some(test))
    }

    /// The `--test` file alone (`None` without one), after `--data` was read: its columns must
    /// be `feature_names` and its labels among `class_names` (the training set's), its text
    /// columns numbered as `--data`'s were. For a run that frees the training rows before it
    /// reads the test rows.
    pub fn test_classes(
        &self,
        feature_names: &[String],
        class_names: &[String],
    ) -> Result<Option<Dataset<usize>>> {
        self.test_like(feature_names, |path| {
            self.read(
                path,
                Some(self.require_target(path)?),
                Some(&self.vocabularies()),
            )?
            .into_classification_with(class_names)
        })
    }

    /// [`DataArgs::test_classes`] for regression data.
    pub fn test_values(&self, feature_names: &[String]) -> Result<Option<Dataset<f64>>> {
        self.test_like(feature_names, |path| {
            self.read(
                path,
                Some(self.require_target(path)?),
                Some(&self.vocabularies()),
            )?
            .into_regression()
        })
    }

    fn split<T: Clone>(
        &self,
        load: impl Fn(&Path, Option<&Dataset<T>>) -> Result<Dataset<T>>,
        default: impl FnOnce() -> Result<(Dataset<T>, String)>,
    ) -> Result<Split<T>> {
        let (full, test, source) = self.load_all(load, default)?;
        let (train, test) = match test {
            Some(test) => (full, test),
            None => data::train_test_split(&full, TEST_FRACTION, self.common.seed)?,
        };
        Ok(Split {
            train,
            test,
            source,
        })
    }

    /// Reads `--data` (no `train`) or `--test` (its classes named as `train`'s) as classes.
    fn load_classes(&self, path: &Path, train: Option<&Dataset<usize>>) -> Result<Dataset<usize>> {
        match train {
            None => self.take_table(path)?.into_classification(),
            Some(train) => self
                .read(
                    path,
                    Some(self.require_target(path)?),
                    Some(&self.vocabularies()),
                )?
                .into_classification_with(&train.class_names),
        }
    }

    /// Reads `--data` (no `train`) or `--test` as real-valued targets.
    fn load_values(&self, path: &Path, train: Option<&Dataset<f64>>) -> Result<Dataset<f64>> {
        match train {
            None => self.take_table(path)?.into_regression(),
            Some(_) => self
                .read(
                    path,
                    Some(self.require_target(path)?),
                    Some(&self.vocabularies()),
                )?
                .into_regression(),
        }
    }

    /// `--data` alone (its `--test` file left unread; see [`DataArgs::test_classes`]), or
    /// `default`'s data.
    pub fn classification_data(
        &self,
        default: impl FnOnce() -> Result<(Dataset<usize>, String)>,
    ) -> Result<Dataset<usize>> {
        match &self.data {
            Some(path) => self.load_classes(path, None),
            None => Ok(default()?.0),
        }
    }

    /// [`DataArgs::classification_data`] for regression data.
    pub fn regression_data(
        &self,
        default: impl FnOnce() -> Result<(Dataset<f64>, String)>,
    ) -> Result<Dataset<f64>> {
        match &self.data {
            Some(path) => self.load_values(path, None),
            None => Ok(default()?.0),
        }
    }

    /// Classification data for cross-validation: all of `--data` (no hold-out split; the folds
    /// are the hold-outs), the `--test` file when given, and the data's name.
    pub fn classification_all(
        &self,
        default: impl FnOnce() -> Result<(Dataset<usize>, String)>,
    ) -> Result<(Dataset<usize>, Option<Dataset<usize>>, String)> {
        self.load_all(|path, train| self.load_classes(path, train), default)
    }

    /// [`DataArgs::classification_all`] for regression data.
    pub fn regression_all(
        &self,
        default: impl FnOnce() -> Result<(Dataset<f64>, String)>,
    ) -> Result<(Dataset<f64>, Option<Dataset<f64>>, String)> {
        self.load_all(|path, train| self.load_values(path, train), default)
    }

    /// The task: `explicit` when given; else, for `--data`, regression when the target column
    /// holds non-integer numbers or many distinct values, classification otherwise; else
    /// `default`.
    pub fn task(&self, explicit: Option<Task>, default: Task) -> Result<Task> {
        if let Some(task) = explicit {
            return Ok(task);
        }
        match &self.data {
            None => Ok(default),
            Some(path) => {
                let table = self.take_table(path)?;
                let task = if table.target_looks_continuous() {
                    Task::Regression
                } else {
                    Task::Classification
                };
                if let Ok(mut kept) = self.table.lock() {
                    *kept = Some(table);
                }
                Ok(task)
            }
        }
    }

    /// Classification data: `--data/--target/--test`, or `default` (data and its name).
    pub fn classification(
        &self,
        default: impl FnOnce() -> Result<(Dataset<usize>, String)>,
    ) -> Result<Split<usize>> {
        self.split(|path, train| self.load_classes(path, train), default)
    }

    /// Regression data: `--data/--target/--test`, or `default` (data and its name).
    pub fn regression(
        &self,
        default: impl FnOnce() -> Result<(Dataset<f64>, String)>,
    ) -> Result<Split<f64>> {
        self.split(|path, train| self.load_values(path, train), default)
    }

    /// The `--data` file as a [`BinnedDataset`] when it can be read without its float matrix:
    /// a Parquet or Arrow file (read in two passes, see [`BinnedDataset::read`]), a CSV file
    /// when `csv` (streamed when plain, else binned from its table) or a `.lkbin` file (loaded),
    /// with a separate `--test` file. `None` otherwise, and without `--test` (the caller then
    /// reads tables and splits them). `task`: `--task`, or `None` to guess.
    pub fn binned(&self, task: Option<Task>, csv: bool) -> Result<Option<BinnedDataset>> {
        let Some(path) = &self.data else {
            return Ok(None);
        };
        let lkbin = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("lkbin"));
        if self.test.is_none() {
            if lkbin {
                return Err(Error::invalid(
                    "--data",
                    path.display(),
                    "a binned dataset (.lkbin) is trained on whole: give the rows to score as \
                     --test",
                ));
            }
            return Ok(None);
        }
        if !lkbin && !csv && data::Format::of(path) == data::Format::Csv {
            return Ok(None);
        }
        let wanted = task.map(|t| match t {
            Task::Classification => BinnedTask::Classification,
            Task::Regression => BinnedTask::Regression,
        });
        let (binned, seconds) = timed(|| -> Result<BinnedDataset> {
            if lkbin {
                BinnedDataset::load(path)
            } else {
                BinnedDataset::read(
                    path,
                    self.require_target(path)?,
                    wanted,
                    self.allow_missing,
                    &self.categorical,
                )
            }
        });
        for time in [&self.load_time, &self.binned_time] {
            if let Ok(mut total) = time.lock() {
                *total += seconds;
            }
        }
        let binned = binned?;
        if let Some(target) = &self.target {
            if target != binned.target_name() {
                return Err(Error::invalid(
                    "--target",
                    data::shown(target),
                    format!(
                        "{} was binned with target `{}`",
                        path.display(),
                        data::shown(binned.target_name())
                    ),
                ));
            }
        }
        if wanted.is_some_and(|t| t != binned.task()) {
            return Err(Error::invalid(
                "--task",
                task.map_or("", |t| t.name()),
                format!("{} holds a {:?} target", path.display(), binned.task()),
            ));
        }
        Ok(Some(binned))
    }

    /// Checks that the `--test` file of a binned `--data` file has its feature columns and
    /// target, from the test file's header alone: call it before fitting, and read the rows
    /// after ([`DataArgs::binned_test_classes`]), so they are not held during the fit.
    pub fn check_binned_test(&self, binned: &BinnedDataset) -> Result<()> {
        let path = self.binned_test_path()?;
        let columns = data::read_table_header(path)?;
        let target = binned.target_name();
        let features: Vec<&String> = columns.iter().filter(|c| *c != target).collect();
        if features.len() == columns.len()
            || features != binned.feature_names().iter().collect::<Vec<_>>()
        {
            let mut expected = binned.feature_names().to_vec();
            expected.push(target.to_string());
            return Err(Error::shape(
                format!("columns of {}", path.display()),
                expected.join(","),
                columns.join(","),
            ));
        }
        Ok(())
    }

    fn binned_test_path(&self) -> Result<&Path> {
        self.test
            .as_deref()
            .ok_or_else(|| Error::invalid("--test", "missing", "binned data needs --test"))
    }

    /// The `--test` file of a binned `--data` file, with its columns and classes.
    fn binned_test<T: Clone>(
        &self,
        binned: &BinnedDataset,
        convert: impl FnOnce(data::Table) -> Result<Dataset<T>>,
    ) -> Result<Dataset<T>> {
        let path = self.binned_test_path()?;
        let table = self.read(
            path,
            Some(binned.target_name()),
            Some(binned.vocabularies()),
        )?;
        if table.feature_names != binned.feature_names() {
            return Err(Error::shape(
                format!("columns of {}", path.display()),
                binned.feature_names().join(","),
                table.feature_names.join(","),
            ));
        }
        convert(table)
    }

    /// The `--test` rows of a binned classification dataset, labels mapped to its classes.
    pub fn binned_test_classes(&self, binned: &BinnedDataset) -> Result<Dataset<usize>> {
        self.binned_test(binned, |t| t.into_classification_with(binned.class_names()))
    }

    /// The `--test` rows of a binned regression dataset.
    pub fn binned_test_values(&self, binned: &BinnedDataset) -> Result<Dataset<f64>> {
        self.binned_test(binned, data::Table::into_regression)
    }

    /// Unlabelled records for clustering or PCA: `--data` (every column but the optional
    /// `--target` is a feature; the target, if named, comes back as class labels for colouring
    /// plots) or `default`.
    pub fn records(
        &self,
        default: impl FnOnce() -> Result<(Records, Option<Dataset<usize>>, String)>,
    ) -> Result<(Records, Option<Dataset<usize>>, String)> {
        // Listed in --help with the shared flags, but nothing is scored on held-out rows here.
        if self.test.is_some() {
            return Err(Error::invalid(
                "--test",
                "given",
                "clustering and PCA are fitted and shown on --data alone",
            ));
        }
        match &self.data {
            None => default(),
            Some(path) => {
                let table = self.read(path, self.target.as_deref(), None)?;
                no_text_features(&table, "clustering and PCA take numbers")?;
                let labels = match &table.target {
                    Some(_) => Some(table.classification()?),
                    None => None,
                };
                Ok((table.into_records(), labels, source_name(path)))
            }
        }
    }
}

/// A report picture an example wrote: its file name under `--out` and a one-line caption.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name relative to `--out`.
    pub file: String,
    /// What the picture shows.
    pub caption: String,
}

/// What an example produced: its metrics and its pictures (the tour shows both).
#[derive(Debug, Default)]
pub struct Outcome {
    /// The metrics.
    pub summary: Summary,
    /// The PNG reports.
    pub figures: Vec<Figure>,
    /// Where the figures go (`--out`).
    out: PathBuf,
    /// Figures not drawn, with the reason.
    skipped: Vec<String>,
    /// Seconds spent drawing figures so far.
    report_seconds: f64,
}

impl Outcome {
    /// An empty outcome whose figures go into `out`.
    pub fn new(out: &Path) -> Self {
        Self {
            out: out.to_path_buf(),
            ..Self::default()
        }
    }

    /// Adds a figure already written under `--out`.
    pub fn figure(&mut self, file: &str, caption: &str) {
        self.figures.push(Figure {
            file: file.to_string(),
            caption: caption.to_string(),
        });
    }

    /// Draws figure `file` under `--out` with `draw` (given its full path) and records it with
    /// `caption`: a figure's file name is written once. The time it takes (with whatever the
    /// figure computes) adds to the JSON's `report_seconds`.
    pub fn draw(
        &mut self,
        file: &str,
        caption: &str,
        draw: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<()> {
        let (drawn, seconds) = timed(|| draw(&self.out.join(file)));
        self.report_seconds += seconds;
        self.summary.set("report_seconds", self.report_seconds);
        drawn?;
        self.figure(file, caption);
        Ok(())
    }

    /// Records that figure `file` was not drawn and why: the run goes on, and the JSON lists
    /// it under `skipped_figures`.
    pub fn skip(&mut self, file: &str, reason: &str) {
        self.skipped.push(format!("{file}: {reason}"));
        self.summary.set("skipped_figures", &self.skipped);
    }

    /// The metrics header every supervised example starts with: data source, task, train and
    /// test sizes, fit and load seconds.
    pub fn fitted<T: Clone>(
        args: &DataArgs,
        split: &Split<T>,
        task: Task,
        fit_seconds: f64,
    ) -> Self {
        let sizes = (split.train.n_samples(), split.test.n_samples());
        Self::fitted_on(args, &split.source, sizes, task, fit_seconds)
    }

    /// [`Outcome::fitted`] for a model trained on a binned `--data` file.
    pub fn fitted_binned<T: Clone>(
        args: &DataArgs,
        binned: &BinnedDataset,
        test: &Dataset<T>,
        task: Task,
        fit_seconds: f64,
    ) -> Self {
        let source = args.data.as_deref().map(source_name).unwrap_or_default();
        let sizes = (binned.n_samples(), test.n_samples());
        let mut out = Self::fitted_on(args, &source, sizes, task, fit_seconds);
        let binned_seconds = args.binned_time.lock().map(|t| *t).unwrap_or(0.0);
        out.summary
            .set("binned_mb", binned.memory_bytes() >> 20)
            .set("binned_load_seconds", binned_seconds);
        out
    }

    fn fitted_on(
        args: &DataArgs,
        source: &str,
        (n_train, n_test): (usize, usize),
        task: Task,
        fit_seconds: f64,
    ) -> Self {
        let mut out = args.outcome();
        out.summary
            .set("data", source)
            .set("task", task.name())
            .set("n_train", n_train)
            .set("n_test", n_test)
            .set("fit_seconds", fit_seconds)
            .set("load_seconds", args.load_seconds());
        out
    }
}

/// Parses the command line like `A::parse()`, but a bad command line ends like every other bad
/// input: `error: …` on one line of stderr (clap's first line, which names the flag and the
/// value) and exit status 2. `--help` and `--version` print as usual.
pub fn parse_args<A: clap::Parser>() -> A {
    match A::try_parse() {
        Ok(args) => args,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            e.exit()
        }
        Err(e) => {
            // clap's first paragraph names the flag and the problem (over one or more lines);
            // the usage and tips after it are left out.
            let text = e.to_string();
            let first: Vec<&str> = text
                .trim()
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = first.join(" ");
            let first = first.trim_start_matches("error:").trim();
            eprintln!("error: {first}");
            std::process::exit(2)
        }
    }
}

/// Writes `text` to stdout without panicking: a closed pipe (the reader stopped reading, as
/// `head` does) ends the writing quietly; any other failure is returned.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Runs an example's body: on error, prints `error: ...` as one line on stderr and exits with
/// status 2; on success prints the summary (`--json`: as the last line).
pub fn run(json: bool, body: impl FnOnce() -> Result<Outcome>) -> ExitCode {
    match body() {
        Ok(outcome) => match outcome.summary.print(json) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: stdout: {}", one_line(&e.to_string()));
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("error: {}", one_line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

/// An error message as one stderr line: whatever text from the user's files or paths it
/// quotes, line breaks become spaces and other control characters (terminal escape sequences)
/// are shown escaped, never sent to the terminal.
pub fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// [`run`] for an example that writes its reports into `out`: when the body fails, every file
/// it created directly in `out` is removed again (and `out` itself if the run created it), so
/// a failed run leaves no partial reports or logs behind. Files that existed before the run
/// are never touched.
pub fn run_writing(out: &Path, json: bool, body: impl FnOnce() -> Result<Outcome>) -> ExitCode {
    // The folders of `out` that do not exist yet (the run may create them), deepest first.
    let created: Vec<PathBuf> = out
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| !a.exists())
        .map(Path::to_path_buf)
        .collect();
    let before: std::collections::HashSet<PathBuf> = list_files(out).into_iter().collect();
    run(json, || {
        // Found before any work, not after it: an --out that is a file.
        if out.exists() && !out.is_dir() {
            return Err(Error::invalid(
                "--out",
                out.display(),
                "is a file; --out names a folder for the reports",
            ));
        }
        let result = body();
        if result.is_err() {
            for file in list_files(out) {
                if !before.contains(&file) {
                    let _ = std::fs::remove_file(&file);
                }
            }
            for dir in &created {
                // Only succeeds when empty: anything else in it was not ours to delete.
                let _ = std::fs::remove_dir(dir);
            }
        }
        result
    })
}

/// The regular files directly inside `dir` (none if it does not exist).
fn list_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `f` and returns its result with the elapsed wall time in seconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

/// The metrics an example prints: `key: value` lines for people, and with `--json` the same
/// as one JSON object on the last line of stdout.
#[derive(Debug, Default)]
pub struct Summary {
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Summary {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the classification scores every command and example reports: accuracy and
    /// log-loss of `proba` (one column per class; labels are its row-wise argmax, or
    /// `predicted` when given) against `y`, and for two classes the ROC AUC of the second
    /// class's probability (left out when the test set holds one class only).
    pub fn set_classification_scores(
        &mut self,
        y: ndarray::ArrayView1<'_, usize>,
        predicted: ndarray::ArrayView1<'_, usize>,
        proba: ndarray::ArrayView2<'_, f64>,
    ) -> Result<&mut Self> {
        use learnkit::metrics;
        self.set("accuracy", metrics::accuracy(y, predicted)?)
            .set("log_loss", metrics::log_loss(y, proba)?);
        if proba.ncols() == 2 {
            if let Ok(auc) = metrics::roc_auc(y, proba.column(1)) {
                self.set("roc_auc", auc);
            }
        }
        Ok(self)
    }

    /// Records a metric under its plain name (`"accuracy"`, `"r2"`, `"fit_seconds"`, ...).
    pub fn set(&mut self, key: &str, value: impl Serialize) -> &mut Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.fields.insert(key.to_string(), value);
        self
    }

    /// The value recorded under `key`.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.fields.get(key)
    }

    /// The entries as `(name, formatted value)` pairs, in name order.
    pub fn entries(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::Number(n) if n.is_f64() => {
                        format!("{:.4}", n.as_f64().unwrap_or(f64::NAN))
                    }
                    // Text from files (names, labels, an agent's algorithm) reaches the
                    // terminal with its control characters escaped, never raw.
                    serde_json::Value::String(s) => data::shown_up_to(s, usize::MAX),
                    serde_json::Value::Array(a) if a.len() > 12 => format!("[{} values]", a.len()),
                    serde_json::Value::Array(a) => {
                        let items: Vec<String> = a
                            .iter()
                            .map(|v| match v.as_f64() {
                                Some(f) if v.is_f64() => format!("{f:.4}"),
                                _ => v.to_string(),
                            })
                            .collect();
                        format!("[{}]", items.join(", "))
                    }
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    }

    /// Prints the summary; the JSON object, when asked for, is the very last line. A reader
    /// that has gone away (`… | head -1`) is not an error: the printing stops there.
    pub fn print(&self, json: bool) -> std::io::Result<()> {
        let mut text = String::new();
        for (k, v) in self.entries() {
            text.push_str(&format!("{k:>20}: {v}\n"));
        }
        if json {
            text.push_str(&format!(
                "{}\n",
                serde_json::Value::Object(self.fields.clone())
            ));
        }
        write_stdout(&text)
    }
}
