//! `learnkit cv` and `learnkit search`: the model-selection example as commands.

use std::path::PathBuf;
use std::process::ExitCode;

use learnkit::model_selection::{
    CvTarget, Distribution, GridSearch, KFold, ParamGrid, RandomSearch, Scored, Scorer, SetParam,
    Splitter, StratifiedKFold, SuccessiveHalving, Value,
};
use learnkit::{Dataset, Error, Estimator, Hyperparams, Result};
use learnkit_cli::{self as cli, CommonArgs, DataArgs, Outcome, Task};

use crate::commands::{
    categorical_params, classifier, keep_vocabularies, parse_params, regressor,
    unreachable_default, ModelName, Settings, WithEstimator,
};
use crate::model::Model;

/// The flags `cv` and `search` share.
#[derive(clap::Args, Debug)]
pub struct SelectArgs {
    /// The model (linear, logistic, tree, forest or boosting).
    #[arg(value_enum)]
    pub model: ModelName,
    /// CSV (header row), Parquet or Arrow file.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column to predict.
    #[arg(long, value_name = "COLUMN")]
    pub target: String,
    /// Classification or regression, for tree, forest and boosting (default: guessed).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// A fixed hyper-parameter (repeatable): `-p n_estimators=50`.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Number of folds (2 to 100; default 5).
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// Stratified folds (classification).
    #[arg(long)]
    pub stratified: bool,
    /// Shuffle the rows (with --seed) before cutting the folds.
    #[arg(long)]
    pub shuffle: bool,
    /// Scorer (default: accuracy, or r2 for regression).
    #[arg(long)]
    pub scoring: Option<String>,
    /// Standardise the features before the model (linear, logistic), inside each fold.
    #[arg(long)]
    pub scale: bool,
    /// Seed of the folds, the draws and the model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the results as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// `learnkit search`.
#[derive(clap::Args, Debug)]
pub struct SearchArgs {
    /// Model, data and folds.
    #[command(flatten)]
    pub select: SelectArgs,
    /// Grid to search: "name=v1,v2;name=v1,v2".
    #[arg(long, conflicts_with = "random")]
    pub grid: Option<String>,
    /// Random search with this many candidates, drawn from the --dist distributions.
    #[arg(long, value_name = "N")]
    pub random: Option<usize>,
    /// A distribution for --random: "name=loguniform(a,b)", "name=uniform(a,b)",
    /// "name=int(a,b)" or "name=a,b,c" (repeatable, once per name).
    #[arg(long, value_name = "NAME=DIST", requires = "random")]
    pub dist: Vec<String>,
    /// Search the grid by successive halving.
    #[arg(long, requires = "grid")]
    pub halving: bool,
    /// Where to save the best candidate refitted on all of --data.
    #[arg(long, value_name = "MODEL")]
    pub save: Option<PathBuf>,
}

/// What to search.
enum Candidates {
    /// One candidate: the model as configured (cross-validation).
    One,
    Grid(ParamGrid, bool),
    Random(usize, Vec<(String, Distribution)>),
}

/// `learnkit cv`.
pub fn cv(args: &SelectArgs) -> ExitCode {
    cli::run(args.json, || {
        let _busy = cli::Busy::start("cross-validating", args.json);
        run(args, Candidates::One, None)
    })
}

/// `learnkit search`.
pub fn search(args: &SearchArgs) -> ExitCode {
    cli::run(args.select.json, || {
        let _busy = cli::Busy::start("searching", args.select.json);
        let candidates =
            match (&args.grid, args.random) {
                (Some(grid), None) => Candidates::Grid(ParamGrid::parse(grid)?, args.halving),
                (None, Some(n)) => {
                    let mut dists: Vec<(String, Distribution)> = Vec::new();
                    for d in &args.dist {
                        let (name, dist) = d
                            .split_once('=')
                            .ok_or_else(|| Error::invalid("--dist", d, "write NAME=DIST"))?;
                        let name = name.trim().to_string();
                        if dists.iter().any(|(n, _)| *n == name) {
                            return Err(Error::invalid("--dist", name, "is given twice"));
                        }
                        dists.push((name, Distribution::parse(dist)?));
                    }
                    if dists.is_empty() {
                        return Err(Error::invalid("--random", n, "needs at least one --dist"));
                    }
                    Candidates::Random(n, dists)
                }
                _ => return Err(Error::invalid(
                    "--grid/--random",
                    "missing",
                    "a search needs a grid or a number of random candidates (cv scores one model)",
                )),
            };
        if let Some(save) = &args.save {
            crate::table::refuse_overwrite("--save", save, &[("--data", &args.select.data)])?;
        }
        run(&args.select, candidates, args.save.as_ref())
    })
}

fn run(args: &SelectArgs, candidates: Candidates, save: Option<&PathBuf>) -> Result<Outcome> {
    if !(2..=100).contains(&args.cv) {
        return Err(Error::invalid("--cv", args.cv, "must lie in 2..=100"));
    }
    if matches!(args.model, ModelName::Kmeans | ModelName::Pca) {
        return Err(Error::invalid(
            "MODEL",
            "kmeans/pca",
            "cv and search score supervised models",
        ));
    }
    let params = parse_params(&args.params)?;
    let mut data =
        DataArgs::from(CommonArgs::new(PathBuf::new(), args.seed)).with_categorical(Vec::new());
    data.data = Some(args.data.clone());
    data.target = Some(args.target.clone());
    let task = match args.model {
        ModelName::Linear => Task::Regression,
        ModelName::Logistic => Task::Classification,
        _ => data.task(args.task, Task::Classification)?,
    };
    let seed = args.seed;
    let args_data = &data;
    let (mut out, model) = match task {
        Task::Classification => {
            let (data, _, source) = data.classification_all(unreachable_default)?;
            let params = categorical_params(args_data, args.model, params, &data)?;
            let run = Select {
                args,
                data: &data,
                candidates: &candidates,
                source: &source,
            };
            classifier(args.model, args.scale, &params, seed, run)?
        }
        Task::Regression => {
            let (data, _, source) = data.regression_all(unreachable_default)?;
            let params = categorical_params(args_data, args.model, params, &data)?;
            let run = Select {
                args,
                data: &data,
                candidates: &candidates,
                source: &source,
            };
            regressor(args.model, args.scale, &params, seed, run)?
        }
    };
    if let (Some(path), Some((model, mut set))) = (save, model) {
        keep_vocabularies(&mut set, &args_data.vocabularies())?;
        model.save(path, &set)?;
        out.summary
            .set("model", model.kind())
            .set("saved", path.display().to_string());
    }
    Ok(out)
}

/// Cross-validates every candidate on the estimator; returns the summary and the best
/// candidate refitted on all the data.
struct Select<'a, T> {
    args: &'a SelectArgs,
    data: &'a Dataset<T>,
    candidates: &'a Candidates,
    source: &'a str,
}

impl<T: CvTarget> WithEstimator<T> for Select<'_, T> {
    type Out = (Outcome, Option<(Model, Settings)>);

    fn with<P>(self, base: P, wrap: fn(P::Fitted) -> Model) -> Result<Self::Out>
    where
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        let Select {
            args,
            data,
            candidates,
            source,
        } = self;
        let scorer: Scorer = match &args.scoring {
            Some(name) => name.parse()?,
            None => T::default_scorer(),
        };
        if args.stratified && !T::CLASSIFICATION {
            return Err(Error::invalid(
                "--stratified",
                "given",
                "needs a classification target",
            ));
        }
        let splitter: Box<dyn Splitter> = match args.stratified {
            true => Box::new(
                StratifiedKFold::params()
                    .n_splits(args.cv)
                    .shuffle(args.shuffle)
                    .seed(args.seed),
            ),
            false => Box::new(
                KFold::params()
                    .n_splits(args.cv)
                    .shuffle(args.shuffle)
                    .seed(args.seed),
            ),
        };
        let mut rounds = Vec::new();
        let template = base.clone();
        let result = match candidates {
            Candidates::One => GridSearch::new(base, ParamGrid::default())
                .cv_boxed(splitter)
                .scoring(&[scorer])
                .fit(data)?,
            Candidates::Grid(grid, false) => GridSearch::new(base, grid.clone())
                .cv_boxed(splitter)
                .scoring(&[scorer])
                .fit(data)?,
            Candidates::Grid(grid, true) => {
                let (result, r) = SuccessiveHalving::new(base, grid.clone())
                    .seed(args.seed)
                    .cv_boxed(splitter)
                    .scoring(&[scorer])
                    .fit(data)?;
                rounds = r.iter().map(|r| (r.n_resources, r.n_candidates)).collect();
                result
            }
            Candidates::Random(n, dists) => {
                let mut search = RandomSearch::new(base).n_iter(*n).seed(args.seed);
                for (name, dist) in dists {
                    search = search.param(name, dist.clone());
                }
                search.cv_boxed(splitter).scoring(&[scorer]).fit(data)?
            }
        };
        let best = &result.candidates[result.best_index];
        let mut out = Outcome::default();
        out.summary
            .set("data", source)
            .set("n_samples", data.n_samples())
            .set("cv", args.cv)
            .set("scoring", scorer.name())
            .set("fit_seconds", result.seconds);
        if matches!(candidates, Candidates::One) {
            out.summary
                .set("mean_score", best.mean_scores[0])
                .set("std_score", best.std_scores[0])
                .set("fold_scores", &best.fold_scores[0]);
        } else {
            out.summary
                .set("n_candidates", result.candidates.len())
                .set(
                    "best_params",
                    best.params
                        .iter()
                        .cloned()
                        .collect::<std::collections::BTreeMap<_, _>>(),
                )
                .set("best_score", result.best_score)
                .set("best_score_std", best.std_scores[0]);
            if !rounds.is_empty() {
                out.summary.set("halving_rounds", &rounds);
            }
        }
        // The best candidate's settings: the base with its parameters set.
        let best_params: Vec<(String, Value)> = best
            .params
            .iter()
            .map(|(name, value)| (name.clone(), Value::parse(value)))
            .collect();
        let set = template.with_params(&best_params)?.settings();
        Ok((out, result.best_model.map(|m| (wrap(m), set))))
    }
}
