//! The commands: train, predict, evaluate, inspect.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use learnkit::cluster::KMeans;
use learnkit::decomposition::Pca;
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::model_selection::{Pipeline, Scored, SetParam, Value};
use learnkit::persist::{self, Persist};
use learnkit::preprocessing::StandardScaler;
use learnkit::report::figures;
use learnkit::rl::{Policy, SavedAgent};
use learnkit::tree::{BinnedDataset, BinnedTask, DecisionTree, GradientBoosting, RandomForest};
use learnkit::{metrics, Dataset, Error, Estimator, Hyperparams, Result};
use learnkit_cli::{self as cli, CommonArgs, DataArgs, Outcome, Split, Task};
use ndarray::{ArrayView1, ArrayView2};

use crate::model::{Model, Output};
use crate::table;
use learnkit::data::shown;

/// The models `train` fits.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelName {
    /// Ordinary least squares (regression).
    Linear,
    /// Logistic regression (classification).
    Logistic,
    /// A CART decision tree.
    Tree,
    /// A random forest.
    Forest,
    /// Histogram gradient boosting.
    Boosting,
    /// K-means clustering (no target).
    Kmeans,
    /// Principal component analysis (no target).
    Pca,
}

/// `learnkit train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// The model to fit.
    #[arg(value_enum)]
    pub model: ModelName,
    /// The training data: CSV with a header row, Parquet or Arrow (by extension).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column to predict (required for every model but kmeans and pca).
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// File to score on, with the same columns (default: a seeded 20% of --data).
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// Classification or regression, for tree, forest and boosting (default: guessed from the
    /// target column).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Where to save the fitted model.
    #[arg(long, value_name = "MODEL")]
    pub save: Option<PathBuf>,
    /// A hyper-parameter, by its name in the library (repeatable): `-p max_depth=8`.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Seed for the split and the model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Read empty cells and NaN as missing values (boosting only).
    #[arg(long)]
    pub allow_missing: bool,
    /// Standardise the features before the model (linear, logistic, kmeans): the saved model
    /// is a pipeline that standardises what it is given.
    #[arg(long)]
    pub scale: bool,
    /// Keep the binned training rows in FILE (`.lkbin`; tree, forest, boosting): `--data
    /// FILE.lkbin` then trains without parsing. Parquet and Arrow `--data` with `--test` are
    /// binned batch by batch, never held as floats.
    #[arg(long, value_name = "FILE")]
    pub save_binned: Option<PathBuf>,
    /// Columns that are categorical features (tree, forest, boosting), comma-separated; their
    /// values are whole-number categories. Text columns of Parquet and Arrow files are
    /// categorical without it.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Directory for PNG reports (none without it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the metrics as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// `learnkit predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// A model file written by `learnkit train --save`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// CSV, Parquet or Arrow file with (at least) the model's feature columns, matched by name.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Where to write the predictions (CSV, one row per input row).
    #[arg(long, value_name = "FILE.csv")]
    pub output: PathBuf,
    /// Also write each class's probability (classifiers).
    #[arg(long)]
    pub proba: bool,
    /// Skip columns the model does not read instead of refusing the file.
    #[arg(long)]
    pub ignore_extra: bool,
    /// Print the summary as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// `learnkit evaluate`.
#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    /// A model file written by `learnkit train --save`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Labelled CSV, Parquet or Arrow file with the model's feature columns, matched by name.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column holding the true labels or values.
    #[arg(long, value_name = "COLUMN")]
    pub target: String,
    /// Skip columns the model does not read instead of refusing the file.
    #[arg(long)]
    pub ignore_extra: bool,
    /// Directory for PNG reports (none without it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the metrics as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// `learnkit inspect`.
#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// A model file.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// Print tree N of a tree model (0 for a decision tree) as text rules.
    #[arg(long, value_name = "N")]
    pub tree: Option<usize>,
    /// Print the description as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// Runs `body` as every command does: one-line error and exit status 2 on failure, and the
/// reports written under `out` removed again when the run fails.
pub(crate) fn run(
    out: Option<&Path>,
    json: bool,
    body: impl FnOnce() -> Result<Outcome>,
) -> ExitCode {
    match out {
        Some(out) => cli::run_writing(out, json, body),
        None => cli::run(json, body),
    }
}

/// `-p name=value` flags as pairs: a flag without `=` or a name given twice is an error.
pub(crate) fn parse_params(flags: &[String]) -> Result<Vec<(String, Value)>> {
    let mut pairs: Vec<(String, Value)> = Vec::new();
    for flag in flags {
        let (name, value) = flag
            .split_once('=')
            .ok_or_else(|| Error::invalid("--param", shown(flag), "must be NAME=VALUE"))?;
        let name = name.trim();
        if pairs.iter().any(|(n, _)| n == name) {
            return Err(Error::invalid("--param", shown(name), "is given twice"));
        }
        pairs.push((name.to_string(), Value::parse(value)));
    }
    Ok(pairs)
}

/// `estimator` with the `-p` flags set, and `--seed` as its seed when it has one and no `-p
/// seed=…` was given.
pub(crate) fn configured<E: SetParam>(
    estimator: E,
    params: &[(String, Value)],
    seed: u64,
) -> Result<E> {
    let mut estimator = estimator.with_params(params)?;
    if estimator.param_names().contains(&"seed") && !params.iter().any(|(n, _)| n == "seed") {
        estimator = estimator.set_param("seed", &Value::Int(seed.min(i64::MAX as u64) as i64))?;
    }
    Ok(estimator)
}

/// The true answers a model is scored against.
enum Truth<'a> {
    Classes(ArrayView1<'a, usize>),
    Values(ArrayView1<'a, f64>),
}

/// Scores `model` on records `x` against `truth` (column `target` of `source`) into `out`: the
/// one scoring of `train` and `evaluate`. Draws the model's reports when `reports`.
fn score(
    model: &Model,
    x: ArrayView2<'_, f64>,
    truth: Truth<'_>,
    out: &mut Outcome,
    reports: bool,
    source: &str,
    target: &str,
) -> Result<()> {
    let output = model.output(x)?;
    out.summary.set("n_scored", x.nrows());
    match (output, truth) {
        (Output::Classes(labels, proba), Truth::Classes(y)) => {
            out.summary
                .set_classification_scores(y, labels.view(), proba.view())?;
            let classes = model.classes().unwrap_or(&[]);
            if reports {
                let title = format!("{}: confusion matrix on {source}", model.kind());
                out.draw("confusion_matrix.png", "confusion matrix", |p| {
                    figures::confusion_matrix(p, &title, y, labels.view(), classes)
                })?;
            }
        }
        (Output::Values(predicted), Truth::Values(y)) => {
            out.summary
                .set("r2", metrics::r2(y, predicted.view())?)
                .set("rmse", metrics::mse(y, predicted.view())?.sqrt())
                .set("mae", metrics::mae(y, predicted.view())?);
            if reports {
                let title = format!("{}: predicted vs actual on {source}", model.kind());
                out.draw("predicted_vs_actual.png", "predicted vs actual", |p| {
                    figures::predicted_vs_actual(p, &title, target, y, predicted.view())
                })?;
            }
        }
        _ => {
            return Err(Error::invalid(
                "--model",
                model.kind(),
                "cannot be scored against labels",
            ))
        }
    }
    if reports {
        if let Some(importances) = model.importances() {
            let names = model.feature_names();
            let values = importances.to_vec();
            let kind = model.kind();
            out.draw("feature_importances.png", "feature importances", |p| {
                if kind.starts_with("GradientBoosting") {
                    figures::gain_importances(p, &kind, names, &values)
                } else {
                    figures::importances(p, &kind, names, &values)
                }
            })?;
        }
    }
    Ok(())
}

/// Refuses an output path (given as `flag`) that is one of the inputs.
fn check_output(
    flag: &'static str,
    output: Option<&Path>,
    inputs: &[(&str, Option<&Path>)],
) -> Result<()> {
    let Some(output) = output else { return Ok(()) };
    let inputs: Vec<(&str, &Path)> = inputs
        .iter()
        .filter_map(|(what, p)| p.map(|p| (*what, p)))
        .collect();
    table::refuse_overwrite(flag, output, &inputs)
}

/// `learnkit train`.
pub fn train(args: &TrainArgs) -> ExitCode {
    run(args.out.as_deref(), args.json, || {
        let _busy = cli::Busy::start("training", args.json);
        train_body(args)
    })
}

fn train_body(args: &TrainArgs) -> Result<Outcome> {
    check_output(
        "--save",
        args.save.as_deref(),
        &[
            ("--data", Some(&args.data)),
            ("--test", args.test.as_deref()),
        ],
    )?;
    if args.allow_missing && args.model != ModelName::Boosting {
        return Err(Error::invalid(
            "--allow-missing",
            "given",
            "only boosting reads missing values",
        ));
    }
    check_scale(args.scale, args.model)?;
    let unsupervised = matches!(args.model, ModelName::Kmeans | ModelName::Pca);
    if unsupervised && (args.test.is_some() || args.task.is_some()) {
        return Err(Error::invalid(
            if args.test.is_some() {
                "--test"
            } else {
                "--task"
            },
            "given",
            "kmeans and pca are fitted on --data alone",
        ));
    }
    if args.task.is_some() && matches!(args.model, ModelName::Linear | ModelName::Logistic) {
        return Err(Error::invalid(
            "--task",
            "given",
            "linear is a regression and logistic a classification",
        ));
    }
    if !args.categorical.is_empty() && !is_tree(args.model) {
        return Err(Error::invalid(
            "--categorical",
            "given",
            "only tree, forest and boosting take categorical features",
        ));
    }
    let params = parse_params(&args.params)?;
    let out_dir = args.out.clone().unwrap_or_default();
    let mut data = DataArgs::from(CommonArgs::new(out_dir, args.seed))
        .allowing_missing(args.allow_missing)
        .with_categorical(args.categorical.clone());
    data.data = Some(args.data.clone());
    data.target = args.target.clone();
    data.test = args.test.clone();
    let reports = args.out.is_some();
    let seed = args.seed;

    let (model, mut out, set) = match args.model {
        ModelName::Kmeans | ModelName::Pca => {
            let (records, _, source) = data.records(unreachable_default)?;
            let (model, seconds, set) = if args.model == ModelName::Kmeans && args.scale {
                let est = configured(scaled(KMeans::params()), &params, seed)?;
                let (m, s) = cli::timed(|| est.fit(&records));
                (Model::ScaledKMeans(m?), s, est.settings())
            } else if args.model == ModelName::Kmeans {
                let est = configured(KMeans::params(), &params, seed)?;
                let (m, s) = cli::timed(|| est.fit(&records));
                (Model::KMeans(m?), s, est.settings())
            } else {
                let est = configured(Pca::params(), &params, seed)?;
                let (m, s) = cli::timed(|| est.fit(&records));
                (Model::Pca(m?), s, est.settings())
            };
            let mut out = data.outcome();
            out.summary
                .set("data", source)
                .set("n_train", records.records.nrows())
                .set("fit_seconds", seconds);
            match &model {
                Model::KMeans(m) => {
                    out.summary
                        .set("inertia", m.inertia())
                        .set("n_clusters", m.n_clusters());
                }
                Model::Pca(m) => {
                    out.summary.set(
                        "explained_variance_ratio",
                        m.explained_variance_ratio().to_vec(),
                    );
                }
                _ => {}
            }
            (model, out, set)
        }
        name if is_tree(name) && binned_input(args) => {
            let binned = data
                .binned(args.task, args.save_binned.is_some())?
                .ok_or_else(|| {
                    Error::invalid(
                        "--save-binned",
                        "given",
                        "bins the whole of --data and needs the rows to score as --test",
                    )
                })?;
            if let Some(file) = &args.save_binned {
                binned.save(file)?;
            }
            data.check_binned_test(&binned)?;
            let cats = binned.categorical_features();
            let params = with_categorical(params, &cats);
            let (model, seconds, mut set) = fit_binned(name, &params, seed, &binned)?;
            keep_vocabularies(&mut set, binned.vocabularies())?;
            let target = binned.target_name().to_string();
            let source = cli::source_name(&args.data);
            let out = match binned.task() {
                BinnedTask::Classification => {
                    let test = data.binned_test_classes(&binned)?;
                    let mut out = Outcome::fitted_binned(
                        &data,
                        &binned,
                        &test,
                        Task::Classification,
                        seconds,
                    );
                    let truth = Truth::Classes(test.targets.view());
                    let x = test.records.view();
                    score(&model, x, truth, &mut out, reports, &source, &target)?;
                    out
                }
                BinnedTask::Regression => {
                    let test = data.binned_test_values(&binned)?;
                    let mut out =
                        Outcome::fitted_binned(&data, &binned, &test, Task::Regression, seconds);
                    let truth = Truth::Values(test.targets.view());
                    let x = test.records.view();
                    score(&model, x, truth, &mut out, reports, &source, &target)?;
                    out
                }
            };
            (model, out, set)
        }
        name => {
            let task = match name {
                ModelName::Linear => Task::Regression,
                ModelName::Logistic => Task::Classification,
                _ => data.task(args.task, Task::Classification)?,
            };
            if args.target.is_none() {
                return Err(Error::invalid(
                    "--target",
                    "missing",
                    "is required to train a supervised model",
                ));
            }
            match task {
                Task::Classification => {
                    let split = data.classification(unreachable_default)?;
                    let params = categorical_params(&data, name, params, &split.train)?;
                    let (model, seconds, mut set) =
                        classifier(name, args.scale, &params, seed, Fit(&split))?;
                    keep_vocabularies(&mut set, &data.vocabularies())?;
                    let mut out = Outcome::fitted(&data, &split, task, seconds);
                    let test = &split.test;
                    let truth = Truth::Classes(test.targets.view());
                    score(
                        &model,
                        test.records.view(),
                        truth,
                        &mut out,
                        reports,
                        &split.source,
                        args.target.as_deref().unwrap_or_default(),
                    )?;
                    (model, out, set)
                }
                Task::Regression => {
                    let split = data.regression(unreachable_default)?;
                    let params = categorical_params(&data, name, params, &split.train)?;
                    let (model, seconds, mut set) =
                        regressor(name, args.scale, &params, seed, Fit(&split))?;
                    keep_vocabularies(&mut set, &data.vocabularies())?;
                    let mut out = Outcome::fitted(&data, &split, task, seconds);
                    let test = &split.test;
                    let truth = Truth::Values(test.targets.view());
                    score(
                        &model,
                        test.records.view(),
                        truth,
                        &mut out,
                        reports,
                        &split.source,
                        args.target.as_deref().unwrap_or_default(),
                    )?;
                    (model, out, set)
                }
            }
        }
    };
    out.summary.set("model", model.kind());
    if let Some(path) = &args.save {
        model.save(path, &set)?;
        out.summary.set("saved", path.display().to_string());
    }
    Ok(out)
}

/// `--data` is required, so the built-in default is never asked for.
pub(crate) fn unreachable_default<T>() -> Result<T> {
    Err(Error::invalid("--data", "missing", "is required"))
}

/// What to do with the estimator a model name stands for, whatever its type: [`classifier`]
/// and [`regressor`] build it once for `train`, `cv` and `search`.
pub(crate) trait WithEstimator<T> {
    /// What comes out.
    type Out;
    /// Runs on `estimator`, whose fitted model `wrap` boxes as a [`Model`].
    fn with<P>(self, estimator: P, wrap: fn(P::Fitted) -> Model) -> Result<Self::Out>
    where
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send;
}

/// `model` after a standard scaler: a pipeline (`-p scaler__with_mean=false` reaches the
/// scaler; other names the model).
fn scaled<E>(model: E) -> Pipeline<E> {
    Pipeline::new(model).scaler(StandardScaler::params())
}

/// `--scale` applies to the models whose fit depends on the features' scales.
fn check_scale(scale: bool, model: ModelName) -> Result<()> {
    if scale
        && !matches!(
            model,
            ModelName::Linear | ModelName::Logistic | ModelName::Kmeans
        )
    {
        return Err(Error::invalid(
            "--scale",
            "given",
            "applies to linear, logistic and kmeans (trees do not depend on the features' \
             scales; pca centres them itself)",
        ));
    }
    Ok(())
}

/// The name under which a model file keeps the numbering of its text columns, beside its
/// hyper-parameters (under the file's checksum).
pub(crate) const VOCABULARIES: &str = "vocabularies";

/// `params` with `categorical_features` set to `cats` (unless `-p` set it, or there are none).
fn with_categorical(mut params: Vec<(String, Value)>, cats: &[usize]) -> Vec<(String, Value)> {
    if !cats.is_empty() && !params.iter().any(|(n, _)| n == "categorical_features") {
        let list: Vec<String> = cats.iter().map(|c| c.to_string()).collect();
        params.push(("categorical_features".into(), Value::Str(list.join(","))));
    }
    params
}

/// The parameters of model `name` trained on `train`: with its categorical features (the
/// `--data` file's text columns and `--categorical`), which only tree models take.
pub(crate) fn categorical_params<T>(
    data: &DataArgs,
    name: ModelName,
    params: Vec<(String, Value)>,
    train: &learnkit::dataset::Dataset<T>,
) -> Result<Vec<(String, Value)>> {
    let cats = data.categorical_features(&train.feature_names)?;
    if let (Some(&f), false) = (cats.first(), is_tree(name)) {
        return Err(Error::invalid(
            "column",
            shown(&train.feature_names[f]),
            "is a categorical feature (text), which only tree, forest and boosting take",
        ));
    }
    Ok(with_categorical(params, &cats))
}

/// Records the numbering of the text columns with the settings saved in a model file.
pub(crate) fn keep_vocabularies(
    set: &mut Settings,
    vocabularies: &[learnkit::data::Vocabulary],
) -> Result<()> {
    if !vocabularies.is_empty() {
        let json = serde_json::to_string(vocabularies)
            .map_err(|e| Error::invalid("vocabularies", "given", e.to_string()))?;
        set.push((VOCABULARIES.into(), json));
    }
    Ok(())
}

/// Whether `name` grows trees (and so can train on binned rows).
fn is_tree(name: ModelName) -> bool {
    matches!(
        name,
        ModelName::Tree | ModelName::Forest | ModelName::Boosting
    )
}

/// Whether `train` reads `--data` as binned rows: a `.lkbin` file, a Parquet or Arrow file with
/// `--test`, or any data with `--save-binned` (then read as a table, binned, and saved).
fn binned_input(args: &TrainArgs) -> bool {
    let lkbin = args
        .data
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("lkbin"));
    let columnar = learnkit::data::Format::of(&args.data) != learnkit::data::Format::Csv;
    lkbin || (columnar && args.test.is_some()) || args.save_binned.is_some()
}

/// Fits tree model `name` on binned rows, timed, with its settings.
fn fit_binned(
    name: ModelName,
    params: &[(String, Value)],
    seed: u64,
    binned: &BinnedDataset,
) -> Result<(Model, f64, Settings)> {
    let classes = binned.task() == BinnedTask::Classification;
    macro_rules! fit {
        ($estimator:expr, $wrap:expr) => {{
            let estimator = configured($estimator, params, seed)?;
            let (fitted, seconds) = cli::timed(|| estimator.fit_binned(binned));
            Ok(($wrap(fitted?), seconds, estimator.settings()))
        }};
    }
    match (name, classes) {
        (ModelName::Tree, true) => fit!(DecisionTree::<usize>::params(), Model::TreeClassifier),
        (ModelName::Tree, false) => fit!(DecisionTree::<f64>::params(), Model::TreeRegressor),
        (ModelName::Forest, true) => fit!(RandomForest::classifier(), Model::ForestClassifier),
        (ModelName::Forest, false) => fit!(RandomForest::regressor(), Model::ForestRegressor),
        (ModelName::Boosting, true) => {
            fit!(GradientBoosting::classifier(), Model::BoostingClassifier)
        }
        (ModelName::Boosting, false) => {
            fit!(GradientBoosting::regressor(), Model::BoostingRegressor)
        }
        (other, _) => Err(Error::invalid(
            "MODEL",
            format!("{other:?}").to_lowercase(),
            "does not train on binned rows",
        )),
    }
}

/// The classifier `name` stands for, configured by `params` and `seed`, handed to `v`.
pub(crate) fn classifier<V: WithEstimator<usize>>(
    name: ModelName,
    scale: bool,
    params: &[(String, Value)],
    seed: u64,
    v: V,
) -> Result<V::Out> {
    check_scale(scale, name)?;
    match name {
        ModelName::Logistic if scale => v.with(
            configured(scaled(LogisticRegression::params()), params, seed)?,
            Model::ScaledLogistic,
        ),
        ModelName::Logistic => v.with(
            configured(LogisticRegression::params(), params, seed)?,
            Model::Logistic,
        ),
        ModelName::Tree => v.with(
            configured(DecisionTree::<usize>::params(), params, seed)?,
            Model::TreeClassifier,
        ),
        ModelName::Forest => v.with(
            configured(RandomForest::classifier(), params, seed)?,
            Model::ForestClassifier,
        ),
        ModelName::Boosting => v.with(
            configured(GradientBoosting::classifier(), params, seed)?,
            Model::BoostingClassifier,
        ),
        other => Err(Error::invalid(
            "MODEL",
            format!("{other:?}").to_lowercase(),
            "is not a classifier",
        )),
    }
}

/// The regressor `name` stands for, configured by `params` and `seed`, handed to `v`.
pub(crate) fn regressor<V: WithEstimator<f64>>(
    name: ModelName,
    scale: bool,
    params: &[(String, Value)],
    seed: u64,
    v: V,
) -> Result<V::Out> {
    check_scale(scale, name)?;
    match name {
        ModelName::Linear if scale => v.with(
            configured(scaled(LinearRegression::params()), params, seed)?,
            Model::ScaledLinear,
        ),
        ModelName::Linear => v.with(
            configured(LinearRegression::params(), params, seed)?,
            Model::Linear,
        ),
        ModelName::Tree => v.with(
            configured(DecisionTree::<f64>::params(), params, seed)?,
            Model::TreeRegressor,
        ),
        ModelName::Forest => v.with(
            configured(RandomForest::regressor(), params, seed)?,
            Model::ForestRegressor,
        ),
        ModelName::Boosting => v.with(
            configured(GradientBoosting::regressor(), params, seed)?,
            Model::BoostingRegressor,
        ),
        other => Err(Error::invalid(
            "MODEL",
            format!("{other:?}").to_lowercase(),
            "is not a regressor (logistic regression is a classifier)",
        )),
    }
}

/// Fits the estimator on the training part of a split, timed.
struct Fit<'a, T>(&'a Split<T>);

impl<T: Clone> WithEstimator<T> for Fit<'_, T> {
    type Out = (Model, f64, Settings);
    fn with<P>(self, estimator: P, wrap: fn(P::Fitted) -> Model) -> Result<Self::Out>
    where
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        let (fitted, seconds) = cli::timed(|| estimator.fit(&self.0.train));
        Ok((wrap(fitted?), seconds, estimator.settings()))
    }
}

/// Hyper-parameters by name, as shown: what a saved model records.
pub(crate) type Settings = Vec<(String, String)>;

/// `learnkit predict`.
pub fn predict(args: &PredictArgs) -> ExitCode {
    cli::run(args.json, || {
        let _busy = cli::Busy::start("predicting", args.json);
        check_output(
            "--output",
            Some(&args.output),
            &[("--data", Some(&args.data)), ("--model", Some(&args.model))],
        )?;
        let (model, vocabularies) = Model::load_numbered(&args.model)?;
        if args.proba && model.classes().is_none() {
            return Err(Error::invalid(
                "--proba",
                "given",
                format!("needs a classifier; the model is a {}", model.kind()),
            ));
        }
        let table = table::read_for(&model, &vocabularies, &args.data, None, args.ignore_extra)?;
        let output = model.output(table.features.view())?;
        table::write_predictions(&args.output, &model, &output, args.proba)?;
        let mut out = Outcome::default();
        out.summary
            .set("model", model.kind())
            .set("n_predicted", table.features.nrows())
            .set("output", args.output.display().to_string());
        Ok(out)
    })
}

/// `learnkit evaluate`.
pub fn evaluate(args: &EvaluateArgs) -> ExitCode {
    run(args.out.as_deref(), args.json, || {
        let _busy = cli::Busy::start("evaluating", args.json);
        let (model, vocabularies) = Model::load_numbered(&args.model)?;
        let target = Some(args.target.as_str());
        let table = table::read_for(&model, &vocabularies, &args.data, target, args.ignore_extra)?;
        let source = args
            .data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut out = Outcome::new(args.out.as_deref().unwrap_or(Path::new("")));
        out.summary.set("model", model.kind()).set("data", &source);
        let reports = args.out.is_some();
        if let Some(classes) = model.classes() {
            let data = table.into_classification_with(classes)?;
            let truth = Truth::Classes(data.targets.view());
            score(
                &model,
                data.records.view(),
                truth,
                &mut out,
                reports,
                &source,
                &args.target,
            )?;
        } else if model.is_regressor() {
            let data = table.into_regression()?;
            let truth = Truth::Values(data.targets.view());
            score(
                &model,
                data.records.view(),
                truth,
                &mut out,
                reports,
                &source,
                &args.target,
            )?;
        } else {
            return Err(Error::invalid(
                "--model",
                model.kind(),
                "is not supervised; evaluate scores classifiers and regressors",
            ));
        }
        Ok(out)
    })
}

/// `learnkit inspect`.
pub fn inspect(args: &InspectArgs) -> ExitCode {
    cli::run(args.json, || {
        persist::require_regular_file(&args.model)?;
        if BinnedDataset::is_binned_file(&args.model) {
            return inspect_binned(args);
        }
        let bytes = persist::read_regular_file(&args.model, persist::MAX_MODEL_BYTES)?;
        let info = persist::file_info(&bytes, &args.model)?;
        if info.kind == SavedAgent::KIND {
            return inspect_agent(args, &bytes, info.version);
        }
        let model = Model::from_bytes(&bytes, &args.model)?;
        let mut out = Outcome::default();
        let names = model.feature_names();
        out.summary
            .set("kind", model.kind())
            .set("format_version", info.version)
            .set("file_bytes", bytes.len())
            .set("n_features", names.len())
            .set("features", names);
        if let Some(classes) = model.classes() {
            out.summary.set("classes", classes);
        }
        if !info.hyperparameters.is_empty() {
            let shown: Vec<String> = info
                .hyperparameters
                .iter()
                .filter(|(name, _)| name != VOCABULARIES)
                .map(|(name, value)| format!("{name}={}", cli::one_line(value)))
                .collect();
            out.summary.set("hyperparameters", shown);
        }
        // The text columns it reads as categories, by name and number of texts.
        let vocabularies = crate::model::vocabularies_in(&info, &args.model)?;
        if !vocabularies.is_empty() {
            let shown: Vec<String> = vocabularies
                .iter()
                .map(|v| format!("{} ({} texts)", shown(&v.column), v.words.len()))
                .collect();
            out.summary.set("text_columns", shown);
        }
        if let Some(importances) = model.importances() {
            let mut ranked: Vec<(usize, f64)> = importances.iter().copied().enumerate().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let top: Vec<String> = ranked
                .iter()
                .take(10)
                .map(|(i, v)| format!("{}={v:.4}", names[*i]))
                .collect();
            out.summary.set("top_importances", top);
        }
        let tree_text = describe(&model, &mut out, args.tree)?;
        if let Some(text) = tree_text {
            cli::write_stdout(&text).map_err(|e| Error::io("stdout", e))?;
        }
        Ok(out)
    })
}

/// `learnkit inspect` of an agent file: what it learnt, on what, with which settings.
/// `learnkit inspect` of a binned dataset (`.lkbin`): checked as training would check it.
fn inspect_binned(args: &InspectArgs) -> Result<Outcome> {
    if let Some(n) = args.tree {
        return Err(Error::invalid(
            "--tree",
            n,
            "applies to tree models; the file holds a binned dataset",
        ));
    }
    let binned = BinnedDataset::load(&args.model)?;
    let names = binned.feature_names();
    let bins: Vec<String> = (0..binned.n_features())
        .map(|f| {
            let missing = if binned.has_missing(f) {
                "+missing"
            } else {
                ""
            };
            format!("{}={}{missing}", names[f], binned.n_bins(f))
        })
        .collect();
    let mut out = Outcome::default();
    out.summary
        .set("kind", "BinnedDataset")
        .set("n_samples", binned.n_samples())
        .set("n_features", binned.n_features())
        .set("target", binned.target_name())
        .set("task", format!("{:?}", binned.task()).to_lowercase())
        .set("bins", bins)
        .set("memory_mb", binned.memory_bytes() >> 20);
    if binned.task() == BinnedTask::Classification {
        out.summary.set("classes", binned.class_names());
    }
    Ok(out)
}

fn inspect_agent(args: &InspectArgs, bytes: &[u8], version: u32) -> Result<Outcome> {
    if args.tree.is_some() {
        return Err(Error::invalid(
            "--tree",
            args.tree.unwrap_or(0),
            "applies to tree models; the file holds an agent",
        ));
    }
    let agent = SavedAgent::from_bytes(bytes, &args.model)?;
    let mut out = Outcome::default();
    let settings: Vec<String> = agent
        .hyperparameters
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    out.summary
        .set("kind", SavedAgent::KIND)
        .set("format_version", version)
        .set("file_bytes", bytes.len())
        .set("env", shown(&agent.env))
        .set("algorithm", &agent.algorithm)
        .set("hyperparameters", settings)
        .set("n_actions", agent.n_actions())
        .set("n_values", agent.n_values());
    match &agent.policy {
        Policy::Table(table) => {
            out.summary.set("n_states", table.q.nrows());
        }
        Policy::Network { architecture, .. } => {
            out.summary
                .set("layer_sizes", &architecture.sizes)
                .set("activation", format!("{:?}", architecture.activation))
                .set("dueling", architecture.dueling);
        }
    }
    Ok(out)
}

/// The names of a pipeline's steps, in order.
fn step_names(steps: &[(String, learnkit::model_selection::FittedStep)]) -> Vec<&str> {
    steps.iter().map(|(name, _)| name.as_str()).collect()
}

/// Adds the kind's sizes to `out`; returns tree `tree` as text when asked for.
fn describe(model: &Model, out: &mut Outcome, tree: Option<usize>) -> Result<Option<String>> {
    let no_tree = |n: usize| {
        Error::invalid(
            "--tree",
            tree.unwrap_or(0),
            format!("must be below {n}, the number of trees"),
        )
    };
    let s = &mut out.summary;
    let text = match model {
        Model::TreeClassifier(m) => {
            s.set("depth", m.depth()).set("n_leaves", m.n_leaves());
            tree.map(|t| {
                if t == 0 {
                    Ok(m.export_text())
                } else {
                    Err(no_tree(1))
                }
            })
            .transpose()?
        }
        Model::TreeRegressor(m) => {
            s.set("depth", m.depth()).set("n_leaves", m.n_leaves());
            tree.map(|t| {
                if t == 0 {
                    Ok(m.export_text())
                } else {
                    Err(no_tree(1))
                }
            })
            .transpose()?
        }
        Model::ForestClassifier(m) => {
            s.set("n_trees", m.trees().len());
            tree.map(|t| m.export_text(t).ok_or_else(|| no_tree(m.trees().len())))
                .transpose()?
        }
        Model::ForestRegressor(m) => {
            s.set("n_trees", m.trees().len());
            tree.map(|t| m.export_text(t).ok_or_else(|| no_tree(m.trees().len())))
                .transpose()?
        }
        Model::BoostingClassifier(m) => {
            s.set("n_rounds", m.n_rounds())
                .set("n_trees", m.trees().len());
            tree.map(|t| m.export_text(t).ok_or_else(|| no_tree(m.trees().len())))
                .transpose()?
        }
        Model::BoostingRegressor(m) => {
            s.set("n_rounds", m.n_rounds())
                .set("n_trees", m.trees().len());
            tree.map(|t| m.export_text(t).ok_or_else(|| no_tree(m.trees().len())))
                .transpose()?
        }
        Model::KMeans(m) => {
            s.set("n_clusters", m.n_clusters())
                .set("inertia", m.inertia());
            None
        }
        Model::Pca(m) => {
            s.set("n_components", m.n_components()).set(
                "explained_variance_ratio",
                m.explained_variance_ratio().to_vec(),
            );
            None
        }
        Model::Linear(m) => {
            s.set("coefficients", m.coefficients().to_vec())
                .set("intercept", m.intercept());
            None
        }
        Model::Logistic(m) => {
            s.set("n_iter", m.n_iter()).set("converged", m.converged());
            None
        }
        // The model inside a pipeline reads standardised features.
        Model::ScaledLinear(m) => {
            s.set("steps", step_names(m.steps()))
                .set(
                    "coefficients_standardised",
                    m.model().coefficients().to_vec(),
                )
                .set("intercept", m.model().intercept());
            None
        }
        Model::ScaledLogistic(m) => {
            s.set("steps", step_names(m.steps()))
                .set("n_iter", m.model().n_iter())
                .set("converged", m.model().converged());
            None
        }
        Model::ScaledKMeans(m) => {
            s.set("steps", step_names(m.steps()))
                .set("n_clusters", m.model().n_clusters())
                .set("inertia_standardised", m.model().inertia());
            None
        }
    };
    if tree.is_some() && text.is_none() {
        return Err(Error::invalid(
            "--tree",
            tree.unwrap_or(0),
            format!("applies to tree models; the model is a {}", model.kind()),
        ));
    }
    Ok(text)
}
