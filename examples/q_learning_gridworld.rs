//! Tabular Q-learning (or SARSA) on a gridworld. Reports: the learning curve, the grid with the
//! greedy policy as arrows over a max-Q heat map, and on CliffWalking the Q-learning and SARSA
//! curves on one chart (the textbook picture).
//!
//! ```text
//! cargo run --release --example q_learning_gridworld -- [--map cliff|frozen4|frozen8|PATH]
//!     [--episodes N] [--algo q|sarsa] [--slippery [true|false]] [--seed N] [--json]
//! ```

use std::process::ExitCode;

use clap::Parser;
use learnkit::cli::{self, Outcome};
use learnkit::envs::gridworld::{Cell, GridAction};
use learnkit::envs::{GridWorld, MapSpec};
use learnkit::prelude::*;
use learnkit::report::{self, HeatMap, LineChart, Series};
use learnkit::rl::{
    evaluate, train, Control, QLearning, Schedule, TabularAlgorithm, TrainConfig, TrainReport,
};
use ndarray::Array2;

/// Command line of the gridworld example.
#[derive(Parser, Debug)]
#[command(about = "Train tabular Q-learning or SARSA on a gridworld")]
pub struct Args {
    /// cliff, frozen4, frozen8, or the path of a map file.
    #[arg(long, default_value = "frozen4")]
    pub map: String,
    /// Training episodes (default: 20000 on FrozenLake, 500 on CliffWalking and user maps).
    #[arg(long)]
    pub episodes: Option<usize>,
    /// q (Q-learning) or sarsa.
    #[arg(long, default_value = "q")]
    pub algo: String,
    /// Make moves slip sideways (default: the map's own setting; FrozenLake slips).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub slippery: Option<bool>,
    /// Seed for training and evaluation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the PNG reports.
    #[arg(long, default_value = "reports")]
    pub out: std::path::PathBuf,
    /// Print one JSON object with the metrics as the last line of stdout.
    #[arg(long)]
    pub json: bool,
    /// Evaluation episodes.
    #[arg(long, default_value_t = 10_000)]
    pub eval_episodes: usize,
}

fn load_map(name: &str) -> Result<MapSpec> {
    Ok(match name {
        "cliff" => MapSpec::cliff_walking(),
        "frozen4" => MapSpec::frozen_lake_4x4(true),
        "frozen8" => MapSpec::frozen_lake_8x8(true),
        path => MapSpec::from_file(path)?,
    })
}

fn algorithm(name: &str) -> Result<TabularAlgorithm> {
    match name {
        "q" | "q-learning" => Ok(TabularAlgorithm::QLearning),
        "sarsa" => Ok(TabularAlgorithm::Sarsa),
        other => Err(Error::invalid("--algo", other, "use q or sarsa")),
    }
}

/// Settings that suit the map: slow, long, discounted learning for the noisy lakes; fast
/// constant-ε learning for deterministic maps.
fn agent_for(
    spec: &MapSpec,
    algo: TabularAlgorithm,
    episodes: usize,
    seed: u64,
) -> Result<QLearning> {
    let params = QLearning::params().algorithm(algo).seed(seed);
    let params = if spec.slippery {
        params
            .learning_rate(0.05)
            .gamma(0.99)
            .exploration(Schedule::Linear {
                start: 1.0,
                end: 0.01,
                duration: episodes * 3 / 4,
            })
    } else {
        params
            .learning_rate(0.5)
            .gamma(1.0)
            .exploration(Schedule::Constant(0.1))
    };
    params.build(spec.cells.len(), 4)
}

fn run_one(
    spec: &MapSpec,
    algo: TabularAlgorithm,
    episodes: usize,
    seed: u64,
    log_csv: Option<std::path::PathBuf>,
) -> Result<(QLearning, TrainReport)> {
    let mut env = GridWorld::new(spec.clone());
    let mut agent = agent_for(spec, algo, episodes, seed)?;
    let config = TrainConfig::params()
        .episodes(episodes)
        .seed(seed)
        .progress(true)
        .log_csv(log_csv);
    let report = train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
    Ok((agent, report))
}

pub fn run(args: &Args) -> Result<Outcome> {
    // Every flag is checked before any work, under the name the user typed.
    if args.eval_episodes == 0 {
        return Err(Error::invalid("--eval-episodes", 0, "must be at least 1"));
    }
    if args.episodes == Some(0) {
        return Err(Error::invalid("--episodes", 0, "must be at least 1"));
    }
    let mut spec = load_map(&args.map)?;
    if let Some(slippery) = args.slippery {
        spec.slippery = slippery;
    }
    let algo = algorithm(&args.algo)?;
    let episodes = args
        .episodes
        .unwrap_or(if spec.slippery { 20_000 } else { 500 });
    let (mut agent, report) = run_one(
        &spec,
        algo,
        episodes,
        args.seed,
        Some(
            args.out
                .join(format!("qlearning_{}_episodes.csv", spec.name)),
        ),
    )?;
    let mut env = GridWorld::new(spec.clone());
    let eval = evaluate(
        &mut env,
        &mut agent,
        args.eval_episodes,
        args.seed.wrapping_add(1),
        10_000,
    )?;
    let mut out = Outcome::default();
    let algo_name = if algo == TabularAlgorithm::Sarsa {
        "SARSA"
    } else {
        "Q-learning"
    };
    out.summary
        .set("map", &spec.name)
        .set("algorithm", algo_name)
        .set("episodes", report.episodes.len())
        .set("train_seconds", report.seconds)
        .set("fit_seconds", report.seconds)
        .set("env_steps", report.env_steps)
        .set(
            "steps_per_second",
            report.env_steps as f64 / report.seconds.max(1e-9),
        )
        .set("eval_mean_return", eval.mean_return)
        .set("eval_success_rate", eval.success_rate)
        .set("eval_episodes", args.eval_episodes);

    let prefix = format!("qlearning_{}", spec.name);
    let window = (episodes / 50).clamp(10, 500);
    let returns: Vec<(f64, f64)> = report
        .episodes
        .iter()
        .map(|e| (e.episode as f64, e.episode_return))
        .collect();
    let average: Vec<(f64, f64)> = report
        .moving_average(window)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as f64, v))
        .collect();
    let mut raw = Series::points("return per episode", thin(&returns, 2000), 7);
    raw.name = "return per episode".into();
    report::save(
        args.out.join(format!("{prefix}_learning.png")),
        report::SIZE,
        &LineChart {
            title: format!("{algo_name} on {}: learning curve", spec.name),
            x_label: "episode".into(),
            y_label: "return".into(),
            series: vec![
                raw,
                Series::line(format!("moving average ({window} episodes)"), average, 0),
            ],
            y_range: None,
        },
    )?;
    out.figure(&format!("{prefix}_learning.png"), "Return of each training episode (grey) and its moving average (blue): exploration makes single episodes noisy; the average shows learning.");

    draw_policy(
        &args.out.join(format!("{prefix}_policy.png")),
        &spec,
        &agent,
        algo_name,
    )?;
    out.figure(&format!("{prefix}_policy.png"), "The learnt greedy policy: in each cell the arrow is the action with the highest Q-value, and the colour is that value (brighter is better). H holes, C cliff, G goal, # walls.");

    if spec.name == "cliff_walking" && args.episodes.is_none() {
        // The textbook comparison: both algorithms, same settings, return during training.
        let (_, q_report) = run_one(
            &spec,
            TabularAlgorithm::QLearning,
            episodes,
            args.seed,
            None,
        )?;
        let (_, s_report) = run_one(&spec, TabularAlgorithm::Sarsa, episodes, args.seed, None)?;
        let smooth = |r: &TrainReport| -> Vec<(f64, f64)> {
            r.moving_average(20)
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i as f64, v))
                .collect()
        };
        report::save(
            args.out.join("cliff_q_vs_sarsa.png"),
            report::SIZE,
            &LineChart {
                title: "CliffWalking: Q-learning vs SARSA while exploring (ε = 0.1)".into(),
                x_label: "episode".into(),
                y_label: "return per episode (moving average of 20)".into(),
                series: vec![
                    Series::line("Q-learning", smooth(&q_report), 0),
                    Series::line("SARSA", smooth(&s_report), 1),
                ],
                y_range: Some((-100.0, 0.0)),
            },
        )?;
        out.figure("cliff_q_vs_sarsa.png", "Q-learning learns the shortest path along the cliff edge but, exploring, often falls off; SARSA learns the value of the policy it follows and takes the safer path, earning more per episode while it explores (Sutton & Barto, example 6.6).");
    }
    Ok(out)
}

/// At most `n` points, evenly spaced (keeps plots readable and small).
fn thin(points: &[(f64, f64)], n: usize) -> Vec<(f64, f64)> {
    let step = points.len().div_ceil(n).max(1);
    points.iter().step_by(step).copied().collect()
}

fn draw_policy(
    path: &std::path::Path,
    spec: &MapSpec,
    agent: &QLearning,
    algo_name: &str,
) -> Result<()> {
    let table = agent.table();
    // Only cells the agent acts from get a value colour; holes, cliff, goal and walls are grey.
    let values = Array2::from_shape_fn((spec.height, spec.width), |(r, c)| {
        let s = r * spec.width + c;
        match spec.cell(s) {
            Cell::Start | Cell::Floor => table.max_value(s),
            _ => f64::NAN,
        }
    });
    let text = Array2::from_shape_fn((spec.height, spec.width), |(r, c)| {
        let s = r * spec.width + c;
        match spec.cell(s) {
            Cell::Hole => "H".to_string(),
            Cell::Goal => "G".to_string(),
            Cell::Wall => "#".to_string(),
            Cell::Cliff => "C".to_string(),
            Cell::Start | Cell::Floor => GridAction::ALL[table.greedy(s)].arrow().to_string(),
        }
    });
    let cell = 70u32;
    let size = (
        (spec.width as u32 * cell + 220).max(600),
        (spec.height as u32 * cell + 160).max(360),
    );
    report::save(
        path,
        size,
        &HeatMap {
            title: format!("{algo_name} on {}: greedy policy over max Q", spec.name),
            x_label: "column".into(),
            y_label: "row".into(),
            x_labels: (0..spec.width).map(|c| c.to_string()).collect(),
            y_labels: (0..spec.height).map(|r| r.to_string()).collect(),
            values,
            cell_text: Some(text),
        },
    )
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.out, args.json, || run(&args))
}
