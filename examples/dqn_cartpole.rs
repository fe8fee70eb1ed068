//! DQN on CartPole-v1 (or a gridworld), with the shared training loop. Reports: the learning
//! curve with the 475 "solved" line, loss / mean Q / ε over training, and a greedy episode.
//!
//! ```text
//! cargo run --release --features tch --example dqn_cartpole -- [--steps 100000] [--device cpu|cuda]
//!     [--double] [--checkpoint PATH] [--resume PATH] [--env cartpole|frozen4|cliff] [--seed N] [--json]
//! ```
//! Training stops early once a greedy evaluation over 100 episodes reaches the solved threshold
//! (475 on CartPole); `--no-early-stop` trains for all `--steps`.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use learnkit::cli::{self, Outcome};
use learnkit::envs::cartpole::{REWARD_THRESHOLD, THETA_THRESHOLD, X_THRESHOLD};
use learnkit::envs::{CartPole, Env, Features, GridWorld, MapSpec};
use learnkit::prelude::*;
use learnkit::report::{self, LineChart, Series};
use learnkit::rl::dqn::{DeviceChoice, Dqn, DqnConfig, TargetUpdate};
use learnkit::rl::{evaluate, train, Agent, Control, Schedule, TrainConfig, TrainReport};

/// Command line of the DQN example.
#[derive(Parser, Debug)]
#[command(about = "Train a DQN on CartPole-v1 or a gridworld")]
pub struct Args {
    /// Maximum environment steps (training usually stops earlier, once solved).
    #[arg(long, default_value_t = 100_000)]
    pub steps: usize,
    /// cpu, or cuda (falls back to cpu when no GPU is available).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Use Double DQN targets.
    #[arg(long)]
    pub double: bool,
    /// Save a checkpoint here at the end (replay buffer included).
    #[arg(long)]
    pub checkpoint: Option<std::path::PathBuf>,
    /// Resume from this checkpoint.
    #[arg(long)]
    pub resume: Option<std::path::PathBuf>,
    /// cartpole, frozen4 (slippery FrozenLake 4x4) or cliff.
    #[arg(long, default_value = "cartpole")]
    pub env: String,
    /// Hidden layer sizes, comma-separated (default: the environment's defaults).
    #[arg(long, value_delimiter = ',')]
    pub hidden: Option<Vec<usize>>,
    /// libtorch CPU threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Train for all --steps even after the solved threshold is reached.
    #[arg(long)]
    pub no_early_stop: bool,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory for the PNG reports.
    #[arg(long, default_value = "reports")]
    pub out: std::path::PathBuf,
    /// Print one JSON object with the metrics as the last line of stdout.
    #[arg(long)]
    pub json: bool,
    /// Greedy episodes in the final evaluation.
    #[arg(long, default_value_t = 100)]
    pub eval_episodes: usize,
}

/// Settings for the gridworlds: many small updates, one-hot states.
fn gridworld_config(steps: usize) -> DqnConfig {
    DqnConfig::params()
        .hidden(vec![64])
        .learning_rate(1e-3)
        .buffer_size(50_000)
        .learning_starts(500)
        .train_frequency(4)
        .gradient_steps(1)
        .target_update(TargetUpdate::Hard { every: 250 })
        .exploration(Schedule::Linear {
            start: 1.0,
            end: 0.05,
            duration: steps / 2,
        })
}

pub fn run(args: &Args) -> Result<Outcome> {
    let device = match args.device.as_str() {
        "cpu" => DeviceChoice::Cpu,
        "cuda" => DeviceChoice::Cuda,
        other => return Err(Error::invalid("--device", other, "use cpu or cuda")),
    };
    let base = |config: DqnConfig| {
        let hidden = args.hidden.clone().unwrap_or_else(|| config.hidden.clone());
        config
            .hidden(hidden)
            .double_dqn(args.double)
            .seed(args.seed)
            .device(device)
            .threads(args.threads)
    };
    match args.env.as_str() {
        "cartpole" => run_env(
            args,
            (CartPole::v1(), CartPole::v1()),
            base(DqnConfig::params()),
            Some(REWARD_THRESHOLD),
            "CartPole-v1",
            |agent, out| draw_episode(args, out, agent),
        ),
        "frozen4" => {
            let make = || GridWorld::new(MapSpec::frozen_lake_4x4(true));
            let config = base(gridworld_config(args.steps));
            run_env(
                args,
                (make(), make()),
                config,
                None,
                "FrozenLake 4x4",
                |_, _| Ok(()),
            )
        }
        "cliff" => {
            let make =
                || learnkit::envs::TimeLimit::new(GridWorld::new(MapSpec::cliff_walking()), 200);
            let config = base(gridworld_config(args.steps));
            run_env(
                args,
                (make(), make()),
                config,
                None,
                "CliffWalking",
                |_, _| Ok(()),
            )
        }
        other => Err(Error::invalid(
            "--env",
            other,
            "use cartpole, frozen4 or cliff",
        )),
    }
}

fn run_env<E>(
    args: &Args,
    (mut env, mut eval_env): (E, E),
    config: DqnConfig,
    threshold: Option<f64>,
    name: &str,
    extra_report: impl FnOnce(&mut Dqn<E::Observation>, &mut Outcome) -> Result<()>,
) -> Result<Outcome>
where
    E: Env,
    E::Observation: Features,
{
    let mut agent: Dqn<E::Observation> =
        Dqn::new(config, &env.observation_space(), env.n_actions())?;
    if let Some(path) = &args.resume {
        agent.load_checkpoint(path)?;
    }
    let max_len = eval_env.max_episode_steps().unwrap_or(1000);
    let start = Instant::now();
    let mut solved_at: Option<f64> = None;
    let mut last_eval_episode = 0usize;
    let early_stop = !args.no_early_stop;
    let config = TrainConfig::params()
        .episodes(usize::MAX / 2)
        .max_env_steps(Some(args.steps))
        .max_episode_steps(max_len)
        .seed(args.seed)
        .progress(!args.json)
        .log_csv(Some(args.out.join("dqn_episodes.csv")));
    let eval_seed = args.seed.wrapping_mul(7919).wrapping_add(17);
    let report = train(&mut env, &mut agent, &config, |log, agent| {
        // Check the greedy policy when training episodes look solved (cheap: the agent acts
        // from a plain-Rust copy of its network), at most every 5 episodes.
        let Some(threshold) = threshold else {
            return Ok(Control::Continue);
        };
        if solved_at.is_some()
            || log.episode_return < threshold
            || log.episode < last_eval_episode + 5
        {
            return Ok(Control::Continue);
        }
        last_eval_episode = log.episode;
        let eval = evaluate(
            &mut eval_env,
            agent,
            100,
            eval_seed.wrapping_add(log.episode as u64),
            max_len,
        )?;
        if eval.mean_return >= threshold {
            solved_at = Some(start.elapsed().as_secs_f64());
            if early_stop {
                return Ok(Control::Stop);
            }
        }
        Ok(Control::Continue)
    })?;
    let train_seconds = start.elapsed().as_secs_f64();
    // The final evaluation uses episodes the stopping check never saw.
    let eval = evaluate(
        &mut eval_env,
        &mut agent,
        args.eval_episodes,
        eval_seed.wrapping_add(1_000_003),
        max_len,
    )?;
    let solved = threshold.is_some_and(|t| eval.mean_return >= t);
    if let Some(path) = &args.checkpoint {
        agent.save_checkpoint(path, true)?;
    }
    let mut out = Outcome::default();
    out.summary
        .set("env", name)
        .set("device", format!("{:?}", agent.device()))
        .set("double_dqn", args.double)
        .set("train_seconds", train_seconds)
        .set("fit_seconds", train_seconds)
        .set("env_steps", report.env_steps)
        .set("episodes", report.episodes.len())
        .set("solved", solved)
        .set("seconds_to_solve", if solved { solved_at } else { None })
        .set("eval_mean_return", eval.mean_return)
        .set("eval_success_rate", eval.success_rate)
        .set("eval_episodes", args.eval_episodes);
    draw(args, &mut out, &agent, &report, threshold, name)?;
    extra_report(&mut agent, &mut out)?;
    Ok(out)
}

fn draw<O: Features>(
    args: &Args,
    out: &mut Outcome,
    agent: &Dqn<O>,
    report: &TrainReport,
    threshold: Option<f64>,
    name: &str,
) -> Result<()> {
    let returns: Vec<(f64, f64)> = report
        .episodes
        .iter()
        .map(|e| (e.env_steps as f64, e.episode_return))
        .collect();
    let average: Vec<(f64, f64)> = report
        .moving_average(100)
        .into_iter()
        .zip(&report.episodes)
        .map(|(m, e)| (e.env_steps as f64, m))
        .collect();
    let mut series = vec![
        Series::points("episode return", returns, 7),
        Series::line("moving average (100 episodes)", average, 0),
    ];
    if let Some(t) = threshold {
        series.push(Series::reference(
            format!("solved ({t})"),
            vec![(0.0, t), (report.env_steps as f64, t)],
        ));
    }
    report::save(
        args.out.join("dqn_learning.png"),
        report::SIZE,
        &LineChart {
            title: format!("DQN on {name}: learning curve"),
            x_label: "environment steps".into(),
            y_label: "episode return".into(),
            series,
            y_range: None,
        },
    )?;
    out.figure("dqn_learning.png", "Return of every training episode against environment steps, with its 100-episode moving average; the dashed line is the solved threshold.");

    let history = agent.history();
    let loss: Vec<(f64, f64)> = history.iter().map(|h| (h.step as f64, h.loss)).collect();
    let q: Vec<(f64, f64)> = history.iter().map(|h| (h.step as f64, h.mean_q)).collect();
    let eps: Vec<(f64, f64)> = (0..=50)
        .map(|i| {
            let step = report.env_steps * i / 50;
            (step as f64, agent.config().exploration.value(step))
        })
        .collect();
    report::save_grid(
        args.out.join("dqn_training.png"),
        (1500, 520),
        3,
        &[
            &LineChart {
                title: "TD loss (Huber)".into(),
                x_label: "environment steps".into(),
                y_label: "mean loss per phase".into(),
                series: vec![Series::line("loss", loss, 3)],
                y_range: None,
            },
            &LineChart {
                title: "Mean predicted Q(s, a)".into(),
                x_label: "environment steps".into(),
                y_label: "Q".into(),
                series: vec![Series::line("mean Q", q, 2)],
                y_range: None,
            },
            &LineChart {
                title: "Exploration rate ε".into(),
                x_label: "environment steps".into(),
                y_label: "ε".into(),
                series: vec![Series::line("ε", eps, 4)],
                y_range: Some((0.0, 1.05)),
            },
        ],
    )?;
    out.figure("dqn_training.png", "Left: the temporal-difference loss of each learning phase. Middle: the mean Q-value the network predicts for the actions taken — it rises towards the discounted return of a long episode (≈ 1/(1−γ) = 100 on CartPole). Right: the ε-greedy exploration schedule.");
    Ok(())
}

fn draw_episode(args: &Args, out: &mut Outcome, agent: &mut impl Agent<[f64; 4]>) -> Result<()> {
    let mut env = CartPole::v1();
    let mut obs = env.reset(Some(args.seed.wrapping_add(99)));
    let (mut xs, mut thetas) = (vec![(0.0, obs[0])], vec![(0.0, obs[2].to_degrees())]);
    for t in 1..=500 {
        let step = env.step(agent.act(&obs, false))?;
        obs = step.observation;
        let time = t as f64 * learnkit::envs::cartpole::TAU;
        xs.push((time, obs[0]));
        thetas.push((time, obs[2].to_degrees()));
        if step.done() {
            break;
        }
    }
    let end = xs.last().map_or(10.0, |p| p.0);
    let limit = THETA_THRESHOLD.to_degrees();
    report::save_grid(
        args.out.join("dqn_episode.png"),
        (1400, 560),
        2,
        &[
            &LineChart {
                title: format!("Greedy episode: cart position ({} steps)", xs.len() - 1),
                x_label: "time (s)".into(),
                y_label: "cart position x (m)".into(),
                series: vec![
                    Series::line("x", xs, 0),
                    Series::reference(
                        format!("track limit ±{X_THRESHOLD} m"),
                        vec![(0.0, X_THRESHOLD), (end, X_THRESHOLD)],
                    ),
                    Series::reference("", vec![(0.0, -X_THRESHOLD), (end, -X_THRESHOLD)]),
                ],
                y_range: Some((-2.6, 2.6)),
            },
            &LineChart {
                title: "Greedy episode: pole angle".into(),
                x_label: "time (s)".into(),
                y_label: "pole angle θ (degrees)".into(),
                series: vec![
                    Series::line("θ", thetas, 1),
                    Series::reference(
                        format!("failure at ±{limit:.0}°"),
                        vec![(0.0, limit), (end, limit)],
                    ),
                    Series::reference("", vec![(0.0, -limit), (end, -limit)]),
                ],
                y_range: Some((-13.0, 13.0)),
            },
        ],
    )?;
    out.figure("dqn_episode.png", "One greedy episode of the trained agent: the cart stays inside the track and the pole within a few degrees of upright for the whole 500 steps (10 s).");
    Ok(())
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args = Args::parse();
    cli::run_writing(&args.out, args.json, || run(&args))
}
