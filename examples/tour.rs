//! The tour: runs every learnkit algorithm end to end on built-in data, writes each PNG report
//! into `--out` (default `reports/`) and a single page, `reports/index.html`, that shows every
//! picture with a short explanation and the stage's metrics and timings.
//!
//! ```text
//! make tour                 # or: cargo run --release --features tch --example tour
//! make tour ARGS=--quick    # smaller settings, well under a minute (CI)
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use learnkit::report::figures;
use learnkit::Result;
use learnkit_cli::{CommonArgs, DataArgs, Outcome};

#[derive(Parser, Debug)]
#[command(about = "Run every learnkit algorithm on built-in data and write reports/index.html")]
struct Args {
    /// Directory for the reports and index.html.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Seed for every randomised step.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Smaller settings so the whole tour finishes in well under a minute.
    #[arg(long)]
    quick: bool,
}

#[path = "decision_tree.rs"]
mod decision_tree;
#[cfg(feature = "tch")]
#[path = "dqn_cartpole.rs"]
mod dqn_cartpole;
#[path = "gradient_boosting.rs"]
mod gradient_boosting;
#[path = "kmeans_elbow.rs"]
mod kmeans_elbow;
#[path = "linear_regression.rs"]
mod linear_regression;
#[path = "logistic_regression.rs"]
mod logistic_regression;
#[cfg(feature = "tch")]
#[path = "mlp.rs"]
mod mlp;
#[path = "model_selection.rs"]
mod model_selection;
#[path = "pca.rs"]
mod pca;
#[path = "q_learning_gridworld.rs"]
mod q_learning_gridworld;
#[path = "random_forest.rs"]
mod random_forest;

/// What one stage contributes to the page.
struct StageReport {
    title: &'static str,
    explanation: &'static str,
    outcome: Outcome,
    seconds: f64,
}

/// Runs a stage with the tour's seed and output directory.
type StageRun = Box<dyn Fn(&CommonArgs) -> Result<Outcome>>;

/// One stage: a name for the progress line, a title and explanation for the page, and the run.
struct Stage {
    name: &'static str,
    title: &'static str,
    explanation: &'static str,
    run: StageRun,
}

/// Built-in data with the tour's common flags.
fn data(common: &CommonArgs) -> DataArgs {
    DataArgs::from(common.clone())
}

fn stages(quick: bool) -> Vec<Stage> {
    #[allow(unused_mut)]
    let mut stages = vec![
        Stage {
            name: "data",
            title: "Data: the iris flowers",
            explanation: "Every algorithm starts from data. Fisher's iris (150 flowers, 4 \
                measurements, 3 species) ships with learnkit; two petal measurements already \
                separate setosa from the others, while versicolor and virginica overlap a little \
                — the part the classifiers below have to learn.",
            run: Box::new(stage_data),
        },
        Stage {
            name: "linear regression",
            title: "Linear regression: diabetes progression",
            explanation: "Least squares finds the weights w and intercept b that minimise the \
                squared error ‖y − Xw − b‖² in closed form, from the normal equations. On the \
                diabetes data (10 standardised clinical measurements) it explains about half \
                the variance of disease progression one year later: the points scatter around \
                the identity line, and the residuals show no pattern a linear model could use.",
            run: Box::new(|common| {
                linear_regression::run(&linear_regression::Args {
                    data: data(common),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "logistic regression",
            title: "Logistic regression: iris species and a binary problem",
            explanation: "Logistic regression turns a linear score into class probabilities \
                (the sigmoid for two classes, the softmax for more) and fits the weights by \
                minimising the cross-entropy plus an L2 penalty, with L-BFGS. Its decision \
                boundaries are straight lines, which is all iris needs.",
            run: Box::new(|common| {
                logistic_regression::run(&logistic_regression::Args {
                    data: data(common),
                    // Unscaled iris needs more than the default 100 L-BFGS steps to converge.
                    max_iter: Some(1000),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "decision tree",
            title: "Decision tree: questions about one feature at a time",
            explanation: "A CART tree splits the data with yes/no questions on single features, \
                choosing at each node the threshold that most reduces the Gini impurity of the \
                children. Unlimited, it memorises the training set: the depth curve shows \
                training accuracy racing to 1 while test accuracy stalls — over-fitting.",
            run: Box::new(|common| {
                decision_tree::run(&decision_tree::Args {
                    data: data(common),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "random forest",
            title: "Random forest: many decorrelated trees, averaged",
            explanation: "A random forest trains each tree on a bootstrap sample and lets each \
                split look at a random subset of features, then averages their votes. The \
                out-of-bag error (each tree judged on the rows it never saw) falls as trees are \
                added and then levels off.",
            run: Box::new(move |common| {
                random_forest::run(&random_forest::Args {
                    data: data(common),
                    trees: Some(if quick { 30 } else { 100 }),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "gradient boosting",
            title: "Gradient boosting: small trees, each fixing the last ones' errors",
            explanation:
                "Boosting adds shallow trees one at a time, each fitted to the gradient of \
                the loss at the current predictions and shrunk by a learning rate. The training \
                loss falls round after round; the leaf-wise trees (31 leaves each) spend their \
                splits where the loss falls most.",
            run: Box::new(|common| {
                gradient_boosting::run(&gradient_boosting::Args {
                    data: data(common),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "k-means",
            title: "K-means with the elbow method: how many clusters?",
            explanation: "K-means alternates assigning points to their nearest centre and \
                moving each centre to the mean of its points. Inertia (the summed squared \
                distance to the centres) always falls as k grows; the elbow method picks the k \
                after which it stops falling fast (Kneedle on the log-inertia curve), and the \
                silhouette confirms that the clusters are real.",
            run: Box::new(|common| {
                kmeans_elbow::run(&kmeans_elbow::Args {
                    data: data(common),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "pca",
            title: "PCA: the directions of largest variance",
            explanation: "Principal component analysis rotates the data onto the orthogonal \
                directions of largest variance (the eigenvectors of the covariance matrix). On \
                iris one direction carries 92% of the variance; two are enough to see the \
                species apart.",
            run: Box::new(|common| {
                pca::run(&pca::Args {
                    data: data(common),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "model selection",
            title: "Model selection: how deep should the tree be?",
            explanation: "Cross-validation fits a model on four fifths of the data and scores it \
                on the fifth it did not see, five times over. Searching a tree's depth this way \
                shows bias and variance at work: shallow trees score low everywhere, deep trees \
                score perfectly on their training rows and no better on the held-out ones. The \
                pipeline standardises inside each fold, so no fold sees the rows it is scored on.",
            run: Box::new(|common| {
                model_selection::run(&model_selection::Args {
                    data: data(common),
                    model: Some(model_selection::Model::Tree),
                    stratified: true,
                    shuffle: true,
                    grid: Some("max_depth=1,2,3,4,6,8,12,none".into()),
                    scoring: Some("f1_macro".into()),
                    standardize: true,
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "q-learning (frozen lake)",
            title: "Tabular Q-learning on the slippery FrozenLake",
            explanation: "The agent learns a table of action values Q(s, a) from reward alone, \
                nudging each entry towards r + γ·max Q(s', ·) after every step while ε-greedy \
                exploration slowly gives way to exploitation. On the slippery 4×4 lake the best \
                possible success rate within 100 steps is 0.74.",
            run: Box::new(move |common| {
                q_learning_gridworld::run(&q_learning_gridworld::Args {
                    common: common.clone(),
                    map: Some("frozen4".into()),
                    episodes: Some(if quick { 8000 } else { 20_000 }),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "q-learning (cliff)",
            title: "CliffWalking: Q-learning against SARSA",
            explanation: "Both learn from the same experience, but Q-learning values the greedy \
                path along the cliff edge while SARSA values the policy it actually follows, \
                exploration included, and keeps a safe distance — the classic example 6.6 of \
                Sutton & Barto.",
            run: Box::new(|common| {
                q_learning_gridworld::run(&q_learning_gridworld::Args {
                    common: common.clone(),
                    map: Some("cliff".into()),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "q-learning (taxi)",
            title: "Taxi-v4, against the optimal policy",
            explanation: "Gymnasium's Taxi, step for step (the same seed gives the same episode):                 the taxi must fetch a passenger and drop them at their destination. Value                 iteration on the environment's own transition table says the best possible                 policy earns 7.93 per episode; Q-learning's greedy policy reaches it.",
            run: Box::new(|common| {
                q_learning_gridworld::run(&q_learning_gridworld::Args {
                    common: common.clone(),
                    map: Some("taxi".into()),
                    ..Default::default()
                })
            }),
        },
        Stage {
            name: "q-learning (blackjack)",
            title: "Blackjack-v1: the learnt policy against the optimal one",
            explanation: "Sutton & Barto's blackjack, as Gymnasium deals it. Each hand's outcome                 is noisy, so learning takes two million hands (half a second); dynamic                 programming on the rules gives the optimal policy (−0.043 per hand), and the                 learnt one comes within a few thousandths of it.",
            run: Box::new(move |common| {
                q_learning_gridworld::run(&q_learning_gridworld::Args {
                    common: common.clone(),
                    map: Some("blackjack".into()),
                    episodes: quick.then_some(500_000),
                    ..Default::default()
                })
            }),
        },
    ];
    #[cfg(feature = "tch")]
    stages.push(Stage {
        name: "mlp (digits)",
        title: "A multilayer perceptron on handwritten digits",
        explanation: "A hidden layer of 100 ReLU units between the 64 pixels and the 10 digits, \
            trained by mini-batch Adam on the cross-entropy (libtorch's autograd), as \
            scikit-learn's MLPClassifier: where a linear model draws straight boundaries, the \
            hidden layer bends them. The features are standardised inside the pipeline; training \
            stops when the loss has not improved for ten epochs.",
        run: Box::new(move |common| {
            mlp::run(&mlp::Args {
                data: data(common),
                max_iter: quick.then_some(30),
                ..Default::default()
            })
        }),
    });
    #[cfg(feature = "tch")]
    stages.push(Stage {
        name: "dqn (cartpole)",
        title: "Deep Q-network on CartPole-v1",
        explanation: "When the state is four real numbers there is no table to fill: a small \
            neural network (on libtorch) estimates Q(s, a) instead, trained from a replay buffer \
            of past transitions against a periodically frozen target network. Training stops \
            once a greedy evaluation over 100 episodes averages at least 475 — CartPole-v1's \
            'solved' threshold.",
        run: Box::new(move |common| {
            dqn_cartpole::run(&dqn_cartpole::Args {
                common: common.clone(),
                steps: Some(if quick { 30_000 } else { 100_000 }),
                ..Default::default()
            })
        }),
    });
    #[cfg(feature = "tch")]
    stages.push(Stage {
        name: "dqn (acrobot)",
        title: "Deep Q-network on Acrobot-v1",
        explanation: "Two links, one motor at the elbow: the agent must pump energy into the \
            swing until the free end rises above the bar. RL Zoo's settings; training stops once \
            the greedy policy averages −100 or better (Gymnasium's threshold).",
        run: Box::new(move |common| {
            dqn_cartpole::run(&dqn_cartpole::Args {
                common: common.clone(),
                env: Some(dqn_cartpole::EnvChoice::Acrobot),
                steps: Some(if quick { 5_000 } else { 100_000 }),
                ..Default::default()
            })
        }),
    });
    #[cfg(feature = "tch")]
    stages.push(Stage {
        name: "dqn (mountain car)",
        title: "Deep Q-network on MountainCar-v0",
        explanation: "The engine is too weak to climb the hill directly, and every step costs −1 \
            until the flag: the agent only learns once exploration has rocked the car to the top. \
            RL Zoo's settings; training stops at Gymnasium's threshold of −110.",
        run: Box::new(move |common| {
            dqn_cartpole::run(&dqn_cartpole::Args {
                common: common.clone(),
                env: Some(dqn_cartpole::EnvChoice::Mountaincar),
                steps: Some(if quick { 5_000 } else { 120_000 }),
                ..Default::default()
            })
        }),
    });
    stages
}

/// The data stage: the iris petals by species.
fn stage_data(common: &CommonArgs) -> Result<Outcome> {
    let iris = learnkit::data::iris()?;
    let mut out = common.outcome();
    out.summary
        .set("samples", iris.n_samples())
        .set("features", iris.n_features())
        .set("classes", iris.n_classes());
    out.draw(
        "data_iris.png",
        "Petal length against petal width, one colour per species.",
        |path| {
            let title = "Iris: petal measurements (cm) by species";
            figures::classes_on_two_features(path, title, &iris, [2, 3])
        },
    )?;
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn write_index(out: &Path, stages: &[StageReport], total: f64) -> Result<PathBuf> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>learnkit tour</title><style>\
         body{{font-family:sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222}}\
         section{{border-top:1px solid #ddd;padding:1em 0}}\
         img{{max-width:100%;border:1px solid #eee}} figure{{margin:1em 0}}\
         figcaption{{color:#555;font-size:0.9em}}\
         table{{border-collapse:collapse}} td,th{{padding:2px 10px;border-bottom:1px solid #eee;text-align:left;overflow-wrap:anywhere}}\
         </style></head><body>\n<h1>learnkit tour</h1>\n\
         <p>Every algorithm of learnkit, run end to end on built-in data. Total time {total:.1} s.</p>\n"
    );
    for stage in stages {
        let _ = write!(
            html,
            "<section><h2>{}</h2><p>{}</p>\n<table><tr><th>metric</th><th>value</th></tr>",
            escape(stage.title),
            escape(stage.explanation)
        );
        for (k, v) in stage.outcome.summary.entries() {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&k),
                escape(&v)
            );
        }
        let _ = writeln!(
            html,
            "<tr><td>stage time</td><td>{:.2} s</td></tr></table>",
            stage.seconds
        );
        for figure in &stage.outcome.figures {
            let _ = writeln!(
                html,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                escape(&figure.file),
                escape(&figure.caption),
                escape(&figure.caption)
            );
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body></html>\n");
    let path = out.join("index.html");
    learnkit::persist::write_atomic(&path, |w| {
        use std::io::Write;
        w.write_all(html.as_bytes())
    })?;
    Ok(path)
}

fn main() -> ExitCode {
    let args: Args = learnkit_cli::parse_args();
    let common = CommonArgs::new(&args.out, args.seed);
    let result = (|| -> Result<PathBuf> {
        let start = Instant::now();
        let mut reports = Vec::new();
        for stage in stages(args.quick) {
            let bar = ProgressBar::new_spinner().with_message(format!("tour: {}", stage.name));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            let stage_start = Instant::now();
            let outcome = (stage.run)(&common)?;
            let seconds = stage_start.elapsed().as_secs_f64();
            bar.finish_with_message(format!("tour: {} done in {seconds:.2} s", stage.name));
            reports.push(StageReport {
                title: stage.title,
                explanation: stage.explanation,
                outcome,
                seconds,
            });
        }
        write_index(&args.out, &reports, start.elapsed().as_secs_f64())
    })();
    match result {
        Ok(index) => {
            // A closed stdout (`| head -0`) is no reason to fail once the tour is written.
            let _ = learnkit_cli::write_stdout(&format!("wrote {}\n", index.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", learnkit_cli::one_line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
