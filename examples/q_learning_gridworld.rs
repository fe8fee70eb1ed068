//! Tabular Q-learning (or SARSA) on a gridworld. Reports: the learning curve, the grid with the
//! greedy policy as arrows over a max-Q heat map, and on CliffWalking the Q-learning and SARSA
//! curves on one chart (the textbook picture).
//!
//! ```text
//! cargo run --release --example q_learning_gridworld -- [--map cliff|frozen4|frozen8|PATH]
//!     [--episodes N] [--algo q-learning|sarsa] [--slippery [true|false]] [--seed N] [--json]
//! ```

use clap::Parser;
use learnkit::cli::{CommonArgs, Outcome};
use learnkit::envs::{GridWorld, MapSpec};
use learnkit::prelude::*;
use learnkit::report::figures::{self, CurveAxis};
use learnkit::rl::{evaluate, train, Control, QLearning, Schedule, TabularAlgorithm, TrainConfig};

/// Command line of the gridworld example.
#[derive(Parser, Debug, Default)]
#[command(about = "Train tabular Q-learning or SARSA on a gridworld")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// cliff, frozen4, frozen8, or the path of a map file [default: frozen4].
    #[arg(long)]
    pub map: Option<String>,
    /// Training episodes (default: 20000 on slippery maps, 500 on the others).
    #[arg(long)]
    pub episodes: Option<usize>,
    /// The update rule [default: q-learning].
    #[arg(long, value_enum)]
    pub algo: Option<TabularAlgorithm>,
    /// Make moves slip sideways (default: the map's own setting; FrozenLake slips).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub slippery: Option<bool>,
    /// Greedy evaluation episodes [default: 10000].
    #[arg(long)]
    pub eval_episodes: Option<usize>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    // Every flag is checked before any work, under the name the user typed.
    let eval_episodes = args.eval_episodes.unwrap_or(10_000);
    if eval_episodes == 0 {
        return Err(Error::invalid("--eval-episodes", 0, "must be at least 1"));
    }
    if args.episodes == Some(0) {
        return Err(Error::invalid("--episodes", 0, "must be at least 1"));
    }
    let mut spec = match args.map.as_deref().unwrap_or("frozen4") {
        "cliff" => MapSpec::cliff_walking(),
        "frozen4" => MapSpec::frozen_lake_4x4(true),
        "frozen8" => MapSpec::frozen_lake_8x8(true),
        path => MapSpec::from_file(path)?,
    };
    spec.slippery = args.slippery.unwrap_or(spec.slippery);
    let algo = args.algo.unwrap_or(TabularAlgorithm::QLearning);
    let episodes = args
        .episodes
        .unwrap_or(if spec.slippery { 20_000 } else { 500 });
    let (seed, prefix) = (args.common.seed, format!("qlearning_{}", spec.name));

    // Train, then evaluate the greedy policy on fresh episodes.
    let log = args.common.out_path(&format!("{prefix}_episodes.csv"));
    let (mut agent, report) = learn(&spec, algo, episodes, seed, Some(log))?;
    let mut env = GridWorld::new(spec.clone())?;
    let eval = evaluate(
        &mut env,
        &mut agent,
        eval_episodes,
        seed.wrapping_add(1),
        10_000,
    )?;

    let algo_name = match algo {
        TabularAlgorithm::QLearning => "Q-learning",
        TabularAlgorithm::Sarsa => "SARSA",
    };
    let mut out = args.common.outcome();
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
        .set("eval_episodes", eval_episodes);
    out.draw(
        &format!("{prefix}_learning.png"),
        "Return of each training episode (grey) and its moving average (blue): exploration \
         makes single episodes noisy; the average shows learning.",
        |path| {
            let title = format!("{algo_name} on {}: learning curve", spec.name);
            let window = (episodes / 50).clamp(10, 500);
            figures::learning_curve(path, &title, &report, CurveAxis::Episodes, window, None)
        },
    )?;
    out.draw(
        &format!("{prefix}_policy.png"),
        "The learnt greedy policy: in each cell the arrow is the action with the highest \
         Q-value, and the colour is that value (brighter is better). H holes, C cliff, G goal, \
         # walls.",
        |path| {
            let title = format!("{algo_name} on {}: greedy policy over max Q", spec.name);
            figures::policy_map(path, &title, &spec, agent.table())
        },
    )?;
    if spec.name == "cliff_walking" && args.episodes.is_none() {
        // The textbook comparison: both rules, same settings, return while exploring.
        let (_, q) = learn(&spec, TabularAlgorithm::QLearning, episodes, seed, None)?;
        let (_, sarsa) = learn(&spec, TabularAlgorithm::Sarsa, episodes, seed, None)?;
        out.draw(
            "cliff_q_vs_sarsa.png",
            "Q-learning learns the shortest path along the cliff edge but, exploring, often \
             falls off; SARSA learns the value of the policy it follows and takes the safer \
             path, earning more per episode while it explores (Sutton & Barto, example 6.6).",
            |path| {
                let title = "CliffWalking: Q-learning vs SARSA while exploring (ε = 0.1)";
                let runs = [("Q-learning", &q), ("SARSA", &sarsa)];
                figures::compare_learning(path, title, &runs, 20, Some((-100.0, 0.0)))
            },
        )?;
    }
    Ok(out)
}

/// Trains one agent with settings that suit the map: slow, long, discounted learning for the
/// noisy lakes; fast constant-ε learning for deterministic maps.
fn learn(
    spec: &MapSpec,
    algo: TabularAlgorithm,
    episodes: usize,
    seed: u64,
    log_csv: Option<std::path::PathBuf>,
) -> Result<(QLearning, learnkit::rl::TrainReport)> {
    let params = QLearning::params().algorithm(algo).seed(seed);
    let params = match spec.slippery {
        true => params
            .learning_rate(0.05)
            .gamma(0.99)
            .exploration(Schedule::Linear {
                start: 1.0,
                end: 0.01,
                duration: episodes * 3 / 4,
            }),
        false => params
            .learning_rate(0.5)
            .gamma(1.0)
            .exploration(Schedule::Constant(0.1)),
    };
    let mut agent = params.build(spec.cells.len(), 4)?;
    let mut env = GridWorld::new(spec.clone())?;
    let config = TrainConfig::params()
        .episodes(episodes)
        .seed(seed)
        .progress(true)
        .log_csv(log_csv);
    let report = train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
    Ok((agent, report))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Args = learnkit::cli::parse_args();
    args.common.main(|| run(&args))
}
