//! DQN on CartPole-v1, Acrobot-v1, MountainCar-v0 (RL Zoo's settings) or a gridworld, with the
//! shared training loop. Reports: the learning
//! curve with the 475 "solved" line, loss / mean Q / ε over training, and a greedy episode.
//!
//! ```text
//! cargo run --release --features tch --example dqn_cartpole -- [--steps 100000] [--device cpu|cuda]
//!     [--double | --no-double] [--dueling] [--prioritized] [--n-step N] [--n-envs N]
//!     [--checkpoint PATH] [--resume PATH]
//!     [--env cartpole|acrobot|mountaincar|frozen4|cliff] [--seed N] [--json]
//! ```
//! Training stops early once a greedy evaluation over 100 episodes reaches the solved threshold
//! (475 on CartPole); `--no-early-stop` trains for all `--steps`. Either way the final
//! evaluation (and the checkpoint) use the best network the solved checks evaluated, as
//! Stable-Baselines3's `EvalCallback` keeps its best model.

use std::path::PathBuf;

use clap::Parser;
use learnkit::envs::{
    Acrobot, CartPole, Env, Features, GridWorld, MapSpec, MountainCar, TimeLimit, VecEnv,
};
use learnkit::prelude::*;
use learnkit::report::animation;
use learnkit::report::figures::{self, CurveAxis};
use learnkit::rl::dqn::{DeviceChoice, Dqn, DqnConfig, Prioritized};
use learnkit::rl::presets::DqnTask;
use learnkit::rl::{evaluate, record_episode, train, train_vec, SolveCheck, TrainConfig};
use learnkit_cli::{CommonArgs, Outcome};

/// The environments this example trains on.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EnvChoice {
    /// CartPole-v1 (solved at a mean return of 475).
    #[default]
    Cartpole,
    /// The slippery FrozenLake 4x4.
    Frozen4,
    /// CliffWalking, cut at 200 steps.
    Cliff,
    /// Acrobot-v1 (Gymnasium's threshold: −100).
    Acrobot,
    /// MountainCar-v0 (Gymnasium's threshold: −110).
    Mountaincar,
}

/// Command line of the DQN example.
#[derive(Parser, Debug, Default)]
#[command(about = "Train a DQN on CartPole-v1 or a gridworld")]
pub struct Args {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The environment [default: cartpole].
    #[arg(long, value_enum)]
    pub env: Option<EnvChoice>,
    /// Maximum environment steps; training usually stops earlier, once solved [default: 100000].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Where the networks live; cuda falls back to the CPU without a GPU [default: cpu].
    #[arg(long, value_parser = learnkit_cli::choice::<DeviceChoice>(&["cpu", "cuda"]))]
    pub device: Option<DeviceChoice>,
    /// Use Double DQN targets [default on CartPole, Acrobot and MountainCar].
    #[arg(long, conflicts_with = "no_double")]
    pub double: bool,
    /// Plain DQN targets, without Double DQN [default on the gridworlds].
    #[arg(long)]
    pub no_double: bool,
    /// Dueling value and advantage heads.
    #[arg(long)]
    pub dueling: bool,
    /// Prioritised experience replay (α 0.6, β 0.4 → 1 over --steps).
    #[arg(long)]
    pub prioritized: bool,
    /// n-step returns (1 to 64) [default: 3; 1 on the gridworlds].
    #[arg(long)]
    pub n_step: Option<usize>,
    /// Collect from this many environment copies at once (1 to 256), acting on them as one
    /// batch; Gymnasium's next-step autoreset [default: 1].
    #[arg(long)]
    pub n_envs: Option<usize>,
    /// Hidden layer sizes, comma-separated (default: the environment's).
    #[arg(long, value_delimiter = ',')]
    pub hidden: Option<Vec<usize>>,
    /// libtorch CPU threads [default: 1].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Train for all --steps even after the solved threshold is reached.
    #[arg(long)]
    pub no_early_stop: bool,
    /// Extra 100-episode checks on fresh episodes a passing solved check needs before training
    /// stops [default: 1].
    #[arg(long)]
    pub confirmations: Option<usize>,
    /// Greedy episodes in the final evaluation [default: 100].
    #[arg(long)]
    pub eval_episodes: Option<usize>,
    /// Save a checkpoint here at the end (replay buffer included).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Resume from this checkpoint.
    #[arg(long)]
    pub resume: Option<PathBuf>,
}

/// Most environment copies `--n-envs` accepts.
pub const MAX_N_ENVS: usize = 256;

/// An error naming `flag` when its `value` is given and lies outside `lo..=hi`.
fn in_range(flag: &'static str, value: Option<usize>, lo: usize, hi: usize) -> Result<()> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => {
            Err(Error::invalid(flag, v, format!("must lie in {lo}..={hi}")))
        }
        _ => Ok(()),
    }
}

pub fn run(args: &Args) -> Result<Outcome> {
    // Every flag and path is checked before any work, under the name the user typed.
    let steps = args.steps.unwrap_or(100_000);
    if steps == 0 {
        return Err(Error::invalid("--steps", 0, "must be at least 1"));
    }
    in_range("--n-step", args.n_step, 1, learnkit::rl::dqn::MAX_N_STEP)?;
    in_range("--n-envs", args.n_envs, 1, MAX_N_ENVS)?;
    in_range("--confirmations", args.confirmations, 0, 100)?;
    in_range("--threads", args.threads, 1, learnkit::rl::dqn::MAX_THREADS)?;
    in_range(
        "--eval-episodes",
        args.eval_episodes,
        1,
        learnkit::rl::MAX_EVAL_EPISODES,
    )?;
    // Checked before training, not when the network is built after it.
    if let Some(hidden) = &args.hidden {
        DqnConfig::params().hidden(hidden.clone()).check()?;
    }
    if let Some(path) = &args.resume {
        std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    }
    if let Some(path) = &args.checkpoint {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !parent.is_dir() || path.is_dir() {
            return Err(Error::invalid(
                "--checkpoint",
                path.display(),
                "must be a file path in an existing directory",
            ));
        }
    }
    let config = |base: DqnConfig| {
        let hidden = args.hidden.clone().unwrap_or_else(|| base.hidden.clone());
        let double = (base.double_dqn || args.double) && !args.no_double;
        let n_step = args.n_step.unwrap_or(base.n_step);
        base.hidden(hidden)
            .double_dqn(double)
            .dueling(args.dueling)
            .prioritized(args.prioritized.then(|| Prioritized {
                beta_steps: steps,
                ..Prioritized::default()
            }))
            .n_step(n_step)
            .seed(args.common.seed)
            .device(args.device.unwrap_or(DeviceChoice::Cpu))
            .threads(args.threads.unwrap_or(1))
    };
    // Tuned settings per environment (learnkit::rl::presets), with the flags on top.
    let preset = |task: DqnTask| config(task.config(steps));
    match args.env.unwrap_or_default() {
        EnvChoice::Cartpole => {
            let solved = DqnTask::CartPole.solved_threshold();
            let cartpole = preset(DqnTask::CartPole);
            let (mut agent, mut out) = learn(args, CartPole::v1, "CartPole-v1", cartpole, solved)?;
            out.draw(
                "dqn_episode.png",
                "One greedy episode of the trained agent: the cart stays inside the track and the \
                 pole within a few degrees of upright for the whole 500 steps (10 s).",
                |path| {
                    figures::cartpole_episode(path, &mut agent, args.common.seed.wrapping_add(99))
                },
            )?;
            let seed = args.common.seed.wrapping_add(99);
            let (states, rewards) = record_episode(&mut CartPole::v1(), &mut agent, seed, 500)?;
            out.draw(
                "dqn_episode.gif",
                "The same greedy episode, animated.",
                |path| animation::cartpole(path, "DQN on CartPole-v1", &states, &rewards),
            )?;
            Ok(out)
        }
        EnvChoice::Frozen4 => {
            // Gymnasium's FrozenLake-v1 cuts the 4x4 map's episodes at 100 steps.
            let env = GridWorld::new(MapSpec::frozen_lake_4x4(true))?;
            let make = || TimeLimit::new(env.clone(), 100);
            Ok(learn(args, make, "FrozenLake 4x4", preset(DqnTask::Grid), None)?.1)
        }
        EnvChoice::Cliff => {
            let env = GridWorld::new(MapSpec::cliff_walking())?;
            let make = || TimeLimit::new(env.clone(), 200);
            Ok(learn(args, make, "CliffWalking", preset(DqnTask::Grid), None)?.1)
        }
        EnvChoice::Acrobot => {
            let (mut agent, mut out) = learn(
                args,
                Acrobot::v1,
                "Acrobot-v1",
                preset(DqnTask::Acrobot),
                DqnTask::Acrobot.solved_threshold(),
            )?;
            let seed = args.common.seed.wrapping_add(99);
            let (obs, rewards) = record_episode(&mut Acrobot::v1(), &mut agent, seed, 500)?;
            let states: Vec<[f64; 4]> = obs
                .iter()
                .map(|o| [o[1].atan2(o[0]), o[3].atan2(o[2]), o[4], o[5]])
                .collect();
            out.draw(
                "dqn_acrobot_episode.gif",
                "A greedy episode of the trained agent: it pumps energy into the two links until \
                 the free end swings above the line.",
                |path| animation::acrobot(path, "DQN on Acrobot-v1", &states, &rewards),
            )?;
            Ok(out)
        }
        EnvChoice::Mountaincar => {
            let (mut agent, mut out) = learn(
                args,
                MountainCar::v0,
                "MountainCar-v0",
                preset(DqnTask::MountainCar),
                DqnTask::MountainCar.solved_threshold(),
            )?;
            let seed = args.common.seed.wrapping_add(99);
            let (states, rewards) = record_episode(&mut MountainCar::v0(), &mut agent, seed, 200)?;
            out.draw(
                "dqn_mountaincar_episode.gif",
                "A greedy episode of the trained agent: too weak to climb directly, the car swings \
                 back and forth to build momentum.",
                |path| animation::mountain_car(path, "DQN on MountainCar-v0", &states, &rewards),
            )?;
            Ok(out)
        }
    }
}

/// The report files' prefix: `dqn` on CartPole (the original names), `dqn_<env>` otherwise, so
/// that runs on several environments can share an output directory (as in the tour).
fn prefix(args: &Args) -> String {
    match args.env.unwrap_or_default() {
        EnvChoice::Cartpole => "dqn".into(),
        EnvChoice::Frozen4 => "dqn_frozen4".into(),
        EnvChoice::Cliff => "dqn_cliff".into(),
        EnvChoice::Acrobot => "dqn_acrobot".into(),
        EnvChoice::Mountaincar => "dqn_mountaincar".into(),
    }
}

/// Trains a DQN on environments from `make`, evaluates its greedy policy, and reports.
fn learn<E>(
    args: &Args,
    make: impl Fn() -> E,
    name: &str,
    config: DqnConfig,
    solved: Option<f64>,
) -> Result<(Dqn<E::Observation>, Outcome)>
where
    E: Env,
    E::Observation: Features,
{
    let (mut env, mut eval_env) = (make(), make());
    let mut agent = Dqn::new(config, &env.observation_space(), env.n_actions())?;
    if let Some(path) = &args.resume {
        agent.load_checkpoint(path)?;
    }
    let max_len = eval_env.max_episode_steps().unwrap_or(1000);
    let eval_seed = args.common.seed.wrapping_mul(7919).wrapping_add(17);
    // Greedy returns are noisy (CartPole's are bimodal: 500 or an early fall), so a check can
    // pass by chance: a passing check must be confirmed on 100 fresh episodes before training
    // stops.
    let confirmations = args.confirmations.unwrap_or(1);
    let mut check = SolveCheck::new(make(), solved.unwrap_or(f64::INFINITY))
        .seed(eval_seed)
        .confirmations(confirmations)
        .stop(!args.no_early_stop);
    let training = TrainConfig::params()
        .episodes(usize::MAX / 2)
        .max_env_steps(Some(args.steps.unwrap_or(100_000)))
        .max_episode_steps(max_len)
        .seed(args.common.seed)
        .progress(!args.common.json)
        .log_csv(Some(
            args.common
                .out_path(&format!("{}_episodes.csv", prefix(args))),
        ));
    let n_envs = args.n_envs.unwrap_or(1);
    let report = if n_envs == 1 {
        train(&mut env, &mut agent, &training, |log, agent| {
            check.check(log, agent)
        })?
    } else {
        let mut envs = VecEnv::new(n_envs, |_| make());
        train_vec(&mut envs, &mut agent, &training, |log, agent| {
            check.check(log, agent)
        })?
    };
    // Evaluate (and save) the best network the checks saw, not whatever training ended with.
    check.restore_best(&mut agent)?;
    // The final evaluation uses episodes the solved check never saw.
    let eval_episodes = args.eval_episodes.unwrap_or(100);
    let eval = evaluate(
        &mut eval_env,
        &mut agent,
        eval_episodes,
        eval_seed.wrapping_add(1_000_003),
        max_len,
    )?;
    if let Some(path) = &args.checkpoint {
        agent.save_checkpoint(path, true)?;
    }
    let is_solved = solved.is_some_and(|t| eval.mean_return >= t);
    let mut out = args.common.outcome();
    out.summary
        .set("env", name)
        .set("device", format!("{:?}", agent.device()))
        .set("double_dqn", agent.config().double_dqn)
        .set("dueling", agent.config().dueling)
        .set("prioritized", agent.config().prioritized.is_some())
        .set("n_step", agent.config().n_step)
        .set("n_envs", n_envs)
        .set(
            "kept_network_episode",
            check.best().map(|(episode, _)| episode),
        )
        .set("train_seconds", report.seconds)
        .set("fit_seconds", report.seconds)
        .set("env_steps", report.env_steps)
        .set("episodes", report.episodes.len())
        .set("solved", is_solved)
        .set(
            "seconds_to_solve",
            if is_solved { check.solved_at() } else { None },
        )
        .set("eval_mean_return", eval.mean_return)
        .set("eval_success_rate", eval.success_rate)
        .set("eval_episodes", eval_episodes);
    out.draw(
        &format!("{}_learning.png", prefix(args)),
        "Return of every training episode against environment steps, with its 100-episode \
         moving average; the dashed line is the solved threshold.",
        |path| {
            let title = format!("DQN on {name}: learning curve");
            figures::learning_curve(
                path,
                &title,
                &report,
                CurveAxis::Steps,
                100,
                solved.map(|t| ("solved", t)),
            )
        },
    )?;
    out.draw(
        &format!("{}_training.png", prefix(args)),
        "Left: the temporal-difference loss of each learning phase. Middle: the mean Q-value the \
         network predicts for the actions taken — it rises towards the discounted return of a \
         long episode (≈ 1/(1−γ) = 100 on CartPole). Right: the ε-greedy exploration schedule.",
        |path| {
            let history: Vec<_> = agent
                .history()
                .iter()
                .map(|h| (h.step, h.loss, h.mean_q))
                .collect();
            let loss = format!("{:?}", agent.config().loss);
            figures::training_diagnostics(
                path,
                &loss,
                &history,
                &agent.config().exploration,
                report.env_steps,
            )
        },
    )?;
    Ok((agent, out))
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Args = learnkit_cli::parse_args();
    args.common.main(|| run(&args))
}
