//! Tabular reinforcement learning — Q-learning, SARSA, Expected SARSA or Double Q-learning — on
//! a gridworld, Taxi-v4 or Blackjack-v1. Reports: the learning curve; on gridworlds the greedy
//! policy as arrows over a max-Q heat map (and on CliffWalking the Q-learning and SARSA curves
//! on one chart, the textbook picture); on Blackjack the policy in the textbook's layout,
//! marked where it differs from the optimal one.
//!
//! ```text
//! cargo run --release --example q_learning_gridworld -- [--env taxi|taxi-rainy|blackjack|
//!     cliff|frozen4|frozen8|PATH] [--episodes N] [--algo q-learning|sarsa|expected-sarsa|
//!     double-q] [--slippery [true|false]] [--eval-episodes N] [--seed N] [--json]
//! ```
//!
//! `--map` is the old name of `--env` and still works. Taxi and Blackjack are Gymnasium's, and
//! their JSON also reports the optimal policy's expected return (dynamic programming on the
//! environment's rules) next to the learnt one's.

use clap::Parser;
use learnkit::envs::{taxi, Blackjack, GridWorld, MapSpec, Taxi, TaxiOptions};
use learnkit::prelude::*;
use learnkit::report::animation;
use learnkit::report::figures::{self, CurveAxis};
use learnkit::rl::presets::TabularTask;
use learnkit::rl::{
    evaluate, planning, record_episode, train, Control, QLearning, TabularAlgorithm, TrainConfig,
    TrainReport,
};
use learnkit_cli::{CommonArgs, Outcome};

/// Command line of the gridworld example.
#[derive(Parser, Debug, Default)]
#[command(about = "Train tabular Q-learning or SARSA on a gridworld")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// taxi, taxi-rainy, blackjack, cliff, frozen4, frozen8, or the path of a map file
    /// [default: frozen4] (`--map` also works).
    #[arg(long = "env", alias = "map", value_name = "ENV")]
    pub map: Option<String>,
    /// Training episodes (default: 20000 on slippery maps, 500 on the others).
    #[arg(long)]
    pub episodes: Option<usize>,
    /// The update rule [default: q-learning].
    #[arg(long, value_parser = learnkit_cli::tabular_algorithm())]
    pub algo: Option<TabularAlgorithm>,
    /// Make moves slip sideways (default: the map's own setting; FrozenLake slips).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub slippery: Option<bool>,
    /// Greedy evaluation episodes [default: 10000; Taxi 1000; Blackjack 100000 hands].
    #[arg(long)]
    pub eval_episodes: Option<usize>,
}

pub fn run(args: &Args) -> Result<Outcome> {
    // Every flag is checked before any work, under the name the user typed.
    if args.eval_episodes == Some(0) {
        return Err(Error::invalid("--eval-episodes", 0, "must be at least 1"));
    }
    if args.episodes == Some(0) {
        return Err(Error::invalid("--episodes", 0, "must be at least 1"));
    }
    let env_name = args.map.as_deref().unwrap_or("frozen4");
    if matches!(env_name, "taxi" | "taxi-rainy" | "blackjack") && args.slippery.is_some() {
        return Err(Error::invalid(
            "--slippery",
            "given",
            "only applies to gridworld maps",
        ));
    }
    match env_name {
        "taxi" => return taxi(args, false),
        "taxi-rainy" => return taxi(args, true),
        "blackjack" => return blackjack(args),
        _ => {}
    }
    let eval_episodes = args.eval_episodes.unwrap_or(10_000);
    let mut spec = match env_name {
        "cliff" => MapSpec::cliff_walking(),
        "frozen4" => MapSpec::frozen_lake_4x4(true),
        "frozen8" => MapSpec::frozen_lake_8x8(true),
        path => MapSpec::from_file(path)?,
    };
    spec.slippery = args.slippery.unwrap_or(spec.slippery);
    let algo = args.algo.unwrap_or(TabularAlgorithm::QLearning);
    let task = TabularTask::Map {
        slippery: spec.slippery,
    };
    let episodes = args.episodes.unwrap_or(task.default_episodes());
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

    let algo_name = algo.label();
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
    let max_steps = spec.max_steps.unwrap_or(500).min(500);
    let (episode, rewards) = record_episode(&mut env, &mut agent, seed.wrapping_add(2), max_steps)?;
    out.draw(
        &format!("{prefix}_episode.gif"),
        "A greedy episode of the learnt policy (on a slippery map, moves may slip sideways).",
        |path| {
            let title = format!("{algo_name} on {}", spec.name);
            animation::gridworld(path, &title, &spec, &episode, &rewards)
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

/// Summary entries every environment reports.
fn summarise(out: &mut Outcome, env: &str, algo: TabularAlgorithm, report: &TrainReport) {
    out.summary
        .set("env", env)
        .set("algorithm", algo.label())
        .set("episodes", report.episodes.len())
        .set("train_seconds", report.seconds)
        .set("fit_seconds", report.seconds)
        .set("env_steps", report.env_steps)
        .set(
            "steps_per_second",
            report.env_steps as f64 / report.seconds.max(1e-9),
        );
}

/// Taxi-v4 (or its rainy variant): Q-learning with ε falling from 1 to 0.01 over three quarters
/// of training, then the greedy policy over fresh episodes against the optimal return.
fn taxi(args: &Args, rainy: bool) -> Result<Outcome> {
    let (seed, algo) = (
        args.common.seed,
        args.algo.unwrap_or(TabularAlgorithm::QLearning),
    );
    let task = TabularTask::Taxi { rainy };
    let episodes = args.episodes.unwrap_or(task.default_episodes());
    let eval_episodes = args.eval_episodes.unwrap_or(1_000);
    let options = TaxiOptions {
        is_rainy: rainy,
        ..TaxiOptions::default()
    };
    let name = if rainy { "Taxi-v4 (rainy)" } else { "Taxi-v4" };
    let mut env = Taxi::v4_with(options);
    let mut agent = task.params(algo, episodes, seed).build(taxi::N_STATES, 6)?;
    let config = TrainConfig::params()
        .episodes(episodes)
        .seed(seed)
        .progress(true)
        .log_csv(Some(args.common.out_path("taxi_episodes.csv")));
    let report = train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
    let eval = evaluate(
        &mut env,
        &mut agent,
        eval_episodes,
        seed.wrapping_add(1),
        200,
    )?;
    let optimal = planning::taxi_optimal_return(options);
    let (episode, rewards) = record_episode(&mut env, &mut agent, seed.wrapping_add(2), 200)?;
    let table = agent.table().clone();
    let learnt = planning::taxi_policy_return(options, |s| table.greedy(s));
    let mut out = args.common.outcome();
    summarise(&mut out, name, algo, &report);
    out.summary
        .set("eval_mean_return", eval.mean_return)
        .set("eval_episodes", eval_episodes)
        .set("policy_expected_return", learnt)
        .set("optimal_expected_return", optimal);
    out.draw(
        "taxi_learning.png",
        "Return of each training episode and its moving average, against the optimal policy's \
         expected return (value iteration on Taxi's transition table).",
        |path| {
            let title = format!("{} on {name}: learning curve", algo.label());
            let window = (episodes / 50).clamp(10, 500);
            figures::learning_curve(
                path,
                &title,
                &report,
                CurveAxis::Episodes,
                window,
                Some(("optimal policy", optimal)),
            )
        },
    )?;
    out.draw(
        "taxi_episode.gif",
        "A greedy episode: the taxi (filled when the passenger is aboard) drives to the \
         passenger's stand and on to the destination (the outlined stand).",
        |path| {
            let title = format!("{} on {name}", algo.label());
            animation::taxi(path, &title, &episode, &rewards)
        },
    )?;
    Ok(out)
}

/// Blackjack-v1: many hands with a small step size (a hand's outcome is noisy), then the greedy
/// policy over fresh hands and exactly, against the optimal policy.
fn blackjack(args: &Args) -> Result<Outcome> {
    let (seed, algo) = (
        args.common.seed,
        args.algo.unwrap_or(TabularAlgorithm::QLearning),
    );
    let task = TabularTask::Blackjack;
    let episodes = args.episodes.unwrap_or(task.default_episodes());
    let eval_episodes = args.eval_episodes.unwrap_or(100_000);
    let mut env = Blackjack::v1();
    let mut agent = task
        .params(algo, episodes, seed)
        .build(learnkit::envs::blackjack::N_STATES, 2)?;
    let config = TrainConfig::params()
        .episodes(episodes)
        .seed(seed)
        .progress(true);
    let report = train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
    let eval = evaluate(
        &mut env,
        &mut agent,
        eval_episodes,
        seed.wrapping_add(1),
        100,
    )?;
    let (best, optimal) = planning::blackjack(true, false);
    let table = agent.table().clone();
    let learnt = planning::blackjack_policy_return(&|s| table.greedy(s), true, false);
    let mut out = args.common.outcome();
    summarise(&mut out, "Blackjack-v1", algo, &report);
    out.summary
        .set("eval_mean_return", eval.mean_return)
        .set("eval_episodes", eval_episodes)
        .set("policy_expected_return", learnt)
        .set("optimal_expected_return", optimal)
        .set("gap_to_optimal", optimal - learnt);
    out.draw(
        "blackjack_policy.png",
        "The learnt policy, stick (S) or hit (H), by player sum and dealer card, with and \
         without a usable ace; * marks a hand where the optimal policy (dynamic programming) \
         does otherwise. Colour: the learnt value of the hand.",
        |path| {
            let title = format!("{} on Blackjack-v1", algo.label());
            figures::blackjack_policy(path, &title, &table, Some(&best))
        },
    )?;
    out.draw(
        "blackjack_learning.png",
        "Mean return per hand over the last 20,000 hands while learning (exploring as it \
         goes), against the optimal policy's expected return.",
        |path| {
            let title = format!("{} on Blackjack-v1: learning curve", algo.label());
            figures::average_return(
                path,
                &title,
                &report,
                20_000,
                Some(("optimal policy", optimal)),
            )
        },
    )?;
    Ok(out)
}

/// Trains one agent with the settings that suit the map (`learnkit::rl::presets`): slow, long,
/// discounted learning for the noisy lakes; fast constant-ε learning for deterministic maps.
fn learn(
    spec: &MapSpec,
    algo: TabularAlgorithm,
    episodes: usize,
    seed: u64,
    log_csv: Option<std::path::PathBuf>,
) -> Result<(QLearning, learnkit::rl::TrainReport)> {
    let task = TabularTask::Map {
        slippery: spec.slippery,
    };
    let params = task.params(algo, episodes, seed);
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
    let args: Args = learnkit_cli::parse_args();
    args.common.main(|| run(&args))
}
