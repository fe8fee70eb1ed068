//! The learnkit side of `benches/side_by_side.py`: fits one task on the CSV files the driver
//! wrote (the same files scikit-learn reads) and prints one JSON line with the median fit time
//! over `--repeats` runs and the quality reached.
//!
//! ```text
//! cargo bench --bench side_by_side -- TASK DATA_DIR [REPEATS]
//! ```

use std::path::Path;
use std::time::Instant;

use learnkit::cluster::KMeans;
use learnkit::data::read_csv;
use learnkit::decomposition::{Components, Pca};
use learnkit::envs::{CartPole, Env, GridWorld, MapSpec};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::metrics;
use learnkit::prelude::*;
use learnkit::rl::{evaluate, train, Control, QLearning, Schedule, TrainConfig};
use learnkit::tree::{DecisionTreeClassifier, DecisionTreeRegressor, RandomForest};
use rand::Rng;

fn median_time<T>(repeats: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let out = f()?;
        times.push(start.elapsed().as_secs_f64());
        last = Some(out);
    }
    times.sort_by(f64::total_cmp);
    let out = last.ok_or_else(|| Error::EmptyData("no repeats".into()))?;
    Ok((times[times.len() / 2], out))
}

fn run(task: &str, dir: &Path, repeats: usize) -> Result<serde_json::Value> {
    let regression = |name: &str| read_csv(dir.join(name), Some("y"))?.regression();
    let classification = |name: &str| read_csv(dir.join(name), Some("y"))?.classification();
    Ok(match task {
        "ols" => {
            let (train, test) = (regression("reg_train.csv")?, regression("reg_test.csv")?);
            let (seconds, model) = median_time(repeats, || LinearRegression::params().fit(&train))?;
            serde_json::json!({"task": task, "seconds": seconds, "r2": model.score(&test, test.targets())?})
        }
        "logistic" => {
            let (train, test) = (
                classification("clf_train.csv")?,
                classification("clf_test.csv")?,
            );
            let (seconds, model) =
                median_time(repeats, || LogisticRegression::params().fit(&train))?;
            let proba = model.predict_proba(&test)?;
            serde_json::json!({
                "task": task, "seconds": seconds,
                "accuracy": model.score(&test, test.targets())?,
                "log_loss": metrics::log_loss(test.targets(), proba.view())?,
                "n_iter": model.n_iter(),
            })
        }
        "kmeans" => {
            let x = read_csv(dir.join("blobs.csv"), Some("y"))?.features;
            let (seconds, model) = median_time(repeats, || {
                KMeans::params().n_clusters(8).n_init(1).seed(0).fit(&x)
            })?;
            serde_json::json!({"task": task, "seconds": seconds, "inertia": model.inertia(), "n_iter": model.n_iter()})
        }
        "pca" => {
            let x = read_csv(dir.join("wide.csv"), Some("y"))?.features;
            let (seconds, model) = median_time(repeats, || {
                Pca::params().n_components(Components::Count(10)).fit(&x)
            })?;
            serde_json::json!({"task": task, "seconds": seconds,
                "variance_kept": model.explained_variance_ratio().sum()})
        }
        "tree" => {
            let (train, test) = (
                classification("clf_train.csv")?,
                classification("clf_test.csv")?,
            );
            let (seconds, model) =
                median_time(repeats, || DecisionTreeClassifier::params().fit(&train))?;
            serde_json::json!({"task": task, "seconds": seconds, "accuracy": model.score(&test, test.targets())?,
                "depth": model.depth(), "leaves": model.n_leaves()})
        }
        "forest" => {
            let (train, test) = (
                classification("clf_train.csv")?,
                classification("clf_test.csv")?,
            );
            let (seconds, model) =
                median_time(repeats, || RandomForest::classifier().seed(0).fit(&train))?;
            serde_json::json!({"task": task, "seconds": seconds, "accuracy": model.score(&test, test.targets())?})
        }
        "tree_regression" => {
            let (train, test) = (regression("reg_train.csv")?, regression("reg_test.csv")?);
            let (seconds, model) =
                median_time(repeats, || DecisionTreeRegressor::params().fit(&train))?;
            serde_json::json!({"task": task, "seconds": seconds, "r2": model.score(&test, test.targets())?})
        }
        "forest_regression" => {
            let (train, test) = (regression("reg_train.csv")?, regression("reg_test.csv")?);
            let (seconds, model) =
                median_time(repeats, || RandomForest::regressor().seed(0).fit(&train))?;
            serde_json::json!({"task": task, "seconds": seconds, "r2": model.score(&test, test.targets())?})
        }
        "cartpole_steps" => {
            // 1M random-action steps through CartPole-v1 (time limit included), resetting as
            // episodes end — what Gymnasium's loop does.
            let (seconds, episodes) = median_time(repeats, || {
                let mut env = CartPole::v1();
                let mut rng = learnkit::rng::seeded(0);
                env.reset(Some(0));
                let mut episodes = 0usize;
                for _ in 0..1_000_000 {
                    let step = env.step(rng.gen_range(0..2))?;
                    if step.done() {
                        episodes += 1;
                        env.reset(None);
                    }
                }
                Ok(episodes)
            })?;
            serde_json::json!({"task": task, "seconds": seconds, "steps_per_second": 1e6 / seconds, "episodes": episodes})
        }
        "qlearning" => {
            let (seconds, (steps, success)) = median_time(repeats, || {
                let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap();
                let mut agent = QLearning::params()
                    .learning_rate(0.05)
                    .gamma(0.99)
                    .exploration(Schedule::Linear {
                        start: 1.0,
                        end: 0.01,
                        duration: 15_000,
                    })
                    .seed(0)
                    .build(16, 4)?;
                let report = train(
                    &mut env,
                    &mut agent,
                    &TrainConfig::params().episodes(20_000),
                    |_, _| Ok(Control::Continue),
                )?;
                let eval = evaluate(&mut env, &mut agent, 10_000, 1, 1000)?;
                Ok((report.env_steps, eval.success_rate))
            })?;
            serde_json::json!({"task": task, "seconds": seconds, "steps_per_second": steps as f64 / seconds, "success_rate": success})
        }
        other => match other.strip_prefix("linfa_") {
            Some(task) => linfa_task(task, dir, repeats)?,
            None => return Err(Error::invalid("task", other, "unknown benchmark task")),
        },
    })
}

/// The linfa column: the design-named linfa crate on the same files, same settings where
/// linfa has them (its defaults otherwise), timed the same way.
fn linfa_task(task: &str, dir: &Path, repeats: usize) -> Result<serde_json::Value> {
    use linfa::traits::{Fit, Predict};
    let linfa_data = |name: &str| -> Result<linfa::Dataset<f64, f64, ndarray::Ix1>> {
        Ok(read_csv(dir.join(name), Some("y"))?.regression()?.into())
    };
    let linfa_classes = |name: &str| -> Result<linfa::Dataset<f64, usize, ndarray::Ix1>> {
        Ok(read_csv(dir.join(name), Some("y"))?
            .classification()?
            .into())
    };
    let linfa_err = |e: &dyn std::fmt::Display| Error::Linfa(e.to_string());
    Ok(match task {
        "ols" => {
            let (train, test) = (linfa_data("reg_train.csv")?, linfa_data("reg_test.csv")?);
            let (seconds, model) = median_time(repeats, || {
                Fit::fit(&linfa_linear::LinearRegression::new(), &train).map_err(|e| linfa_err(&e))
            })?;
            let predicted: ndarray::Array1<f64> = model.predict(&test.records);
            serde_json::json!({"task": task, "seconds": seconds,
                "r2": metrics::r2(test.targets.view(), predicted.view())?})
        }
        "logistic" => {
            let (train, test) = (
                linfa_classes("clf_train.csv")?,
                linfa_classes("clf_test.csv")?,
            );
            // α = 1/C; the gradient tolerance is on linfa's summed loss, so n × scikit-learn's.
            let tol = 1e-4 * train.records.nrows() as f64;
            let params = linfa_logistic::LogisticRegression::default()
                .alpha(1.0)
                .gradient_tolerance(tol)
                .max_iterations(100);
            let (seconds, model) = median_time(repeats, || {
                Fit::fit(&params, &train).map_err(|e| linfa_err(&e))
            })?;
            let predicted: ndarray::Array1<usize> = model.predict(&test.records);
            serde_json::json!({"task": task, "seconds": seconds,
                "accuracy": metrics::accuracy(test.targets.view(), predicted.view())?})
        }
        "tree" => {
            let (train, test) = (
                linfa_classes("clf_train.csv")?,
                linfa_classes("clf_test.csv")?,
            );
            let params = linfa_trees::DecisionTree::params();
            let (seconds, model) = median_time(repeats, || {
                Fit::fit(&params, &train).map_err(|e| linfa_err(&e))
            })?;
            let predicted: ndarray::Array1<usize> = model.predict(&test.records);
            serde_json::json!({"task": task, "seconds": seconds,
                "accuracy": metrics::accuracy(test.targets.view(), predicted.view())?})
        }
        "kmeans" => {
            let x = read_csv(dir.join("blobs.csv"), Some("y"))?.features;
            let data = linfa::DatasetBase::from(x);
            let (seconds, model) = median_time(repeats, || {
                let rng = <rand_xoshiro::Xoshiro256Plus as rand::SeedableRng>::seed_from_u64(0);
                let params = linfa_clustering::KMeans::params_with_rng(8, rng).n_runs(1);
                Fit::fit(&params, &data).map_err(|e| linfa_err(&e))
            })?;
            // linfa reports the mean squared distance; the table's inertia is the sum.
            let inertia = model.inertia() * data.records.nrows() as f64;
            serde_json::json!({"task": task, "seconds": seconds, "inertia": inertia})
        }
        "pca" => {
            let x = read_csv(dir.join("wide.csv"), Some("y"))?.features;
            let total: f64 = x.var_axis(ndarray::Axis(0), 1.0).sum();
            let data = linfa::DatasetBase::from(x);
            let (seconds, model) = median_time(repeats, || {
                Fit::fit(&linfa_reduction::Pca::params(10), &data).map_err(|e| linfa_err(&e))
            })?;
            // linfa's own ratio is over the kept components; the kept share of the total
            // variance comes from its singular values.
            let n = data.records.nrows() as f64;
            let kept: f64 = model
                .singular_values()
                .iter()
                .map(|s| s * s / (n - 1.0))
                .sum();
            serde_json::json!({"task": task, "seconds": seconds, "variance_kept": kept / total})
        }
        other => return Err(Error::invalid("task", other, "no linfa counterpart")),
    })
}

fn main() {
    // `cargo bench` passes `--bench`; keep only our positional arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.len() < 2 {
        eprintln!("usage: side_by_side TASK DATA_DIR [REPEATS]");
        std::process::exit(2);
    }
    let repeats = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    match run(&args[0], Path::new(&args[1]), repeats) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
