//! Model selection: cross-validation, grid or random search, and a pipeline that standardises
//! inside each fold. Reports: the search as a heat map (two parameters) or a validation curve
//! (one), the best model's learning curve, and its per-class report (classification).
//!
//! ```text
//! cargo run --release --example model_selection -- [--data f.csv --target y] [--model logistic|tree|forest|linear]
//!     [--cv 5 [--shuffle] [--stratified]] [--scoring f1_macro] [--grid "max_depth=2,4,8;n_estimators=50,100"]
//!     [--random 20 --param "c=loguniform(0.01,100)"] [--halving] [--standardize] [--trees 50] [--json]
//! ```
//! Without `--grid` or `--random`, the one model is cross-validated and `best_score` is its
//! mean CV score. Default data: wine quality (classification) or diabetes (`--model linear`).

use clap::Parser;
use learnkit::data;
use learnkit::distributed::{Collective, Serial};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::metrics;
use learnkit::model_selection::*;
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::report::figures;
use learnkit::tree::{DecisionTreeClassifier, RandomForest};
use learnkit_cli::{DataArgs, Outcome};

/// The models this example can tune.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Model {
    /// Logistic regression (classification).
    #[default]
    Logistic,
    /// A decision tree (classification).
    Tree,
    /// A random forest (classification).
    Forest,
    /// Least squares / ridge (regression).
    Linear,
}

/// Command line of the model selection example.
#[derive(Parser, Debug, Default)]
#[command(about = "Cross-validate, search hyper-parameters, and report")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// The model [default: logistic].
    #[arg(long, value_enum)]
    pub model: Option<Model>,
    /// Folds [default: 5].
    #[arg(long)]
    pub cv: Option<usize>,
    /// Shuffle the rows (with --seed) before cutting the folds.
    #[arg(long)]
    pub shuffle: bool,
    /// Stratified folds (classification).
    #[arg(long)]
    pub stratified: bool,
    /// Scorer name [default: accuracy, or r2 for regression].
    #[arg(long)]
    pub scoring: Option<String>,
    /// Grid to search: "name=v1,v2;name=v1,v2".
    #[arg(long, conflicts_with = "random")]
    pub grid: Option<String>,
    /// Random search with this many candidates, drawn from the --param distributions.
    #[arg(long)]
    pub random: Option<usize>,
    /// A distribution for --random: "name=loguniform(a,b)", "name=uniform(a,b)",
    /// "name=int(a,b)" or "name=v1,v2" (repeatable).
    #[arg(long)]
    pub param: Vec<String>,
    /// Search the grid by successive halving (a third of the candidates go on to three times
    /// the rows each round) instead of exhaustively.
    #[arg(long, requires = "grid")]
    pub halving: bool,
    /// Standardise inside each fold (a pipeline: scaler, then the model; grid names for the
    /// scaler are `scaler__with_mean`).
    #[arg(long)]
    pub standardize: bool,
    /// Trees of the forest (fixed unless the grid searches n_estimators) [default: 100].
    #[arg(long)]
    pub trees: Option<usize>,
    /// Depth limit of the tree or forest (fixed unless the grid searches max_depth).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Logistic regression's C (fixed unless the grid searches c) [default: 1].
    #[arg(long, allow_negative_numbers = true)]
    pub c: Option<f64>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    run_on(args, &Serial)
}

/// [`run`] with the search's (candidate, fold) pairs spread over the processes of `collective`
/// (`mpirun -np N`: every rank reads all of `--data`; rank 0 alone writes the tables and
/// reports and prints; the results table is the one-process table).
pub fn run_on(args: &Args, collective: &dyn Collective) -> Result<Outcome> {
    let seed = args.data.seed;
    let model = args.model.unwrap_or_default();
    // A flag that cannot apply to the model is an error, not silently ignored.
    for (flag, given, applies) in [
        ("--c", args.c.is_some(), model == Model::Logistic),
        ("--trees", args.trees.is_some(), model == Model::Forest),
        (
            "--max-depth",
            args.max_depth.is_some(),
            matches!(model, Model::Tree | Model::Forest),
        ),
    ] {
        if given && !applies {
            return Err(Error::invalid(
                flag,
                "given",
                format!("does not apply to --model {model:?}").to_lowercase(),
            ));
        }
    }
    match model {
        Model::Logistic => {
            let logistic = LogisticRegression::params()
                .c(args.c.unwrap_or(1.0))
                .max_iter(1000);
            select(args, logistic, classes(args, collective)?, collective)
        }
        Model::Tree => {
            let tree = DecisionTreeClassifier::params()
                .max_depth(args.max_depth)
                .seed(seed);
            select(args, tree, classes(args, collective)?, collective)
        }
        Model::Forest => {
            let forest = RandomForest::classifier()
                .n_estimators(args.trees.unwrap_or(100))
                .max_depth(args.max_depth);
            select(
                args,
                forest.seed(seed),
                classes(args, collective)?,
                collective,
            )
        }
        Model::Linear => {
            let data = args
                .data
                .regression_all(|| Ok((data::diabetes()?, "diabetes (built-in)".into())));
            let data = learnkit_cli::across::agreed(collective, data)?;
            select(args, LinearRegression::params(), data, collective)
        }
    }
}

/// The classification data, read by every process (a process that cannot read it stops all).
fn classes(
    args: &Args,
    collective: &dyn Collective,
) -> Result<(Dataset<usize>, Option<Dataset<usize>>, String)> {
    let data = args
        .data
        .classification_all(|| Ok((data::winequality()?, "wine quality (built-in)".into())));
    learnkit_cli::across::agreed(collective, data)
}

/// Everything after the model is chosen: the splitter, the scorer, the search (or one
/// cross-validation), and the reports. With --standardize the model sits in a pipeline.
fn select<P, T>(
    args: &Args,
    params: P,
    (data, test, source): (Dataset<T>, Option<Dataset<T>>, String),
    collective: &dyn Collective,
) -> Result<Outcome>
where
    T: CvTarget + serde::Serialize,
    P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync + std::fmt::Debug,
    P::Fitted: Scored<T> + Predict<Output = T> + Send,
{
    if args.standardize {
        let pipeline = Pipeline::new(params).scaler(StandardScaler::params());
        return search(args, pipeline, (data, test, source), collective);
    }
    search(args, params, (data, test, source), collective)
}

fn search<P, T>(
    args: &Args,
    params: P,
    (data, test, source): (Dataset<T>, Option<Dataset<T>>, String),
    collective: &dyn Collective,
) -> Result<Outcome>
where
    T: CvTarget + serde::Serialize,
    P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync + std::fmt::Debug,
    P::Fitted: Scored<T> + Predict<Output = T> + Send,
{
    // Every flag is read and checked before any fitting.
    let k = args.cv.unwrap_or(5);
    let scorer: Scorer = match &args.scoring {
        Some(name) => name.parse()?,
        None => T::default_scorer(),
    };
    let seed = args.data.seed;
    if args.stratified && !T::CLASSIFICATION {
        return Err(Error::invalid(
            "--stratified",
            "given",
            "needs a classification target",
        ));
    }
    let make_splitter = || -> Box<dyn Splitter> {
        match args.stratified {
            true => Box::new(
                StratifiedKFold::params()
                    .n_splits(k)
                    .shuffle(args.shuffle)
                    .seed(seed),
            ),
            false => Box::new(KFold::params().n_splits(k).shuffle(args.shuffle).seed(seed)),
        }
    };
    let splitter = make_splitter();
    let grid = args.grid.as_deref().map(ParamGrid::parse).transpose()?;
    let random = match args.random {
        Some(n) if !(1..=MAX_CANDIDATES).contains(&n) => {
            return Err(Error::invalid(
                "--random",
                n,
                format!("must lie in 1..={MAX_CANDIDATES}"),
            ))
        }
        Some(n) => {
            let mut search = RandomSearch::new(params.clone()).n_iter(n).seed(seed);
            let mut seen: Vec<&str> = Vec::new();
            for p in &args.param {
                let (name, dist) = p
                    .split_once('=')
                    .ok_or_else(|| Error::invalid("--param", p, "write name=distribution"))?;
                let name = name.trim();
                if seen.contains(&name) {
                    return Err(Error::invalid("--param", name, "is given twice"));
                }
                seen.push(name);
                search = search.param(name, Distribution::parse(dist)?);
            }
            Some(search)
        }
        None if !args.param.is_empty() => {
            return Err(Error::invalid("--param", "given", "needs --random N"))
        }
        None => None,
    };

    // The search: a grid (searched exhaustively or by successive halving), random candidates,
    // or just this model.
    // (rows, candidates) of each round of a halving search.
    let mut halving_rounds: Vec<(usize, usize)> = Vec::new();
    let result = match random {
        Some(random) => random
            .cv_boxed(make_splitter())
            .scoring(&[scorer])
            .fit_distributed(&data, collective)?,
        None if args.halving => {
            // Successive halving over the grid (`--halving` requires `--grid`).
            let grid = grid.clone().unwrap_or_default();
            let (result, rounds) = SuccessiveHalving::new(params.clone(), grid)
                .seed(seed)
                .cv_boxed(make_splitter())
                .scoring(&[scorer])
                .fit_distributed(&data, collective)?;
            halving_rounds = rounds
                .iter()
                .map(|r| (r.n_resources, r.n_candidates))
                .collect();
            result
        }
        None => {
            let grid = grid.clone().unwrap_or_default();
            GridSearch::new(params.clone(), grid)
                .cv_boxed(make_splitter())
                .scoring(&[scorer])
                .fit_distributed(&data, collective)?
        }
    };
    let mut out = args.data.outcome();
    if collective.rank() != 0 {
        // Rank 0 alone writes the tables and draws; the others are done.
        return Ok(out);
    }

    let best = &result.candidates[result.best_index];
    let best_params = params.clone().with_params(&parse_back(best))?;
    // The results table, as CSV (one row per candidate) and JSON (every fold's scores too),
    // written last: a run that fails before the end leaves an earlier run's tables as they were.
    let table = args.data.out_path("cv_results.csv");
    out.summary
        .set("data", &source)
        .set("n_samples", data.n_samples())
        .set("cv", k)
        .set("scoring", scorer.name())
        .set("n_candidates", result.candidates.len())
        .set(
            "best_params",
            best.params
                .iter()
                .cloned()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .set("best_score", result.best_score)
        .set("best_score_std", best.std_scores[0])
        .set("search_seconds", result.seconds)
        .set("fit_seconds", result.seconds)
        .set("load_seconds", args.data.load_seconds())
        .set("ranks", collective.processes())
        .set("cv_results", table.display().to_string());
    if !halving_rounds.is_empty() {
        out.summary.set("halving_rounds", &halving_rounds);
    }
    if let (Some(test), Some(model)) = (&test, &result.best_model) {
        out.summary
            .set("test_score", model.scores(test, &[scorer])?[0]);
    }

    // Reports: the search, the best model's learning curve, its per-class report.
    let names = grid.as_ref().map(|g| g.names()).unwrap_or_default();
    match names.as_slice() {
        [one] => out.draw(
            "search_validation_curve.png",
            "Training and cross-validation scores against the searched parameter (mean ± 1 sd over \
             the folds): where the two part, the model starts to over-fit.",
            |path| {
                let values: Vec<Value> = grid.as_ref().map(|g| g.candidates().into_iter().map(|c| c[0].1.clone()).collect()).unwrap_or_default();
                let curve = validation_curve(&params, &data, splitter.as_ref(), scorer, one, &values)?;
                figures::score_curve(path, &format!("Validation curve ({source})"), one, &curve)
            },
        )?,
        [x, y, ..] => out.draw(
            "search_grid.png",
            "Mean cross-validation score of every grid point; ★ marks the best.",
            |path| figures::search_heatmap(path, &format!("Grid search: mean {scorer} ({source})"), &result, x, y),
        )?,
        [] => {}
    }
    out.draw(
        "learning_curve.png",
        "The best model's training and cross-validation scores as the training set grows \
         (mean ± 1 sd): a gap that stays means more data would help; curves that meet mean a \
         richer model would.",
        |path| {
            let curve = learning_curve(
                &best_params,
                &data,
                splitter.as_ref(),
                scorer,
                &[0.1, 0.325, 0.55, 0.775, 1.0],
            )?;
            figures::score_curve(
                path,
                &format!("Learning curve ({source})"),
                "training rows",
                &curve,
            )
        },
    )?;
    report_classes(&mut out, &best_params, &data, splitter.as_ref())?;
    result.write_csv(&table)?;
    result.write_json(args.data.out_path("cv_results.json"))?;
    Ok(out)
}

/// The per-class report from out-of-fold predictions (classification only).
fn report_classes<P, T>(
    out: &mut Outcome,
    params: &P,
    data: &Dataset<T>,
    splitter: &dyn Splitter,
) -> Result<()>
where
    T: CvTarget,
    P: Estimator<Dataset<T>> + Hyperparams + Sync,
    P::Fitted: Predict<Output = T>,
{
    if !T::CLASSIFICATION {
        return Ok(());
    }
    let predicted = cross_val_predict(params, data, splitter)?;
    let (Some(truth), Some(predicted)) =
        (T::labels(data.targets.view()), T::labels(predicted.view()))
    else {
        return Ok(());
    };
    let (truth, predicted) = (
        ndarray::Array1::from(truth),
        ndarray::Array1::from(predicted),
    );
    let report = metrics::precision_recall_f1(truth.view(), predicted.view(), T::n_classes(data))?;
    out.summary.set("cv_macro_f1", report.macro_f1);
    out.draw(
        "classification_report.png",
        "Precision, recall and F1 of each class from out-of-fold predictions (every row \
         predicted by the model that did not see it), with each class's support.",
        |path| {
            figures::classification_report(
                path,
                "Classification report (out-of-fold)",
                &report,
                &data.class_names,
            )
        },
    )
}

/// The best candidate's parameters as values again.
fn parse_back(best: &CandidateResult) -> Vec<(String, Value)> {
    best.params
        .iter()
        .map(|(n, v)| (n.clone(), Value::parse(v)))
        .collect()
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Args = learnkit_cli::parse_args();
    #[cfg(feature = "mpi")]
    if learnkit_cli::across::launched() {
        return learnkit_cli::across::main(&args.data, learnkit::distributed::Mpi::init, |mpi| {
            run_on(&args, mpi)
        });
    }
    args.data.main(|| run(&args))
}
