//! `learnkit rl train` and `learnkit rl play`: train an agent on an environment and keep it,
//! then replay the kept agent (RL Zoo's `train.py` and `enjoy.py`).
//!
//! An agent file is a [`SavedAgent`] in the model format: its greedy policy (a Q-table or a
//! network's weights), the environment it learnt and its hyper-parameters. `train` scores the
//! saved agent itself, so `play` with the same `--seed` and `--episodes` repeats its numbers.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use learnkit::envs::{
    Acrobot, Blackjack, CartPole, Env, Features, GridWorld, MapSpec, MountainCar, Space, Taxi,
    TaxiOptions, TimeLimit,
};
use learnkit::persist::Persist;
use learnkit::report::animation;
use learnkit::report::figures::{self, CurveAxis};
use learnkit::rl::presets::{DqnTask, TabularTask};
use learnkit::rl::{
    evaluate, record_episode, train, Agent, Control, SavedAgent, TabularAlgorithm, TrainConfig,
    TrainReport, MAX_EVAL_EPISODES,
};
use learnkit::{Error, Hyperparams, Result};
use learnkit_cli::Outcome;

use crate::commands::{configured, parse_params, run};
use crate::table::refuse_overwrite;
use learnkit::data::shown;

/// Most training episodes (tabular) or environment steps (DQN) a run takes.
pub const MAX_TRAINING: usize = 1_000_000_000;

/// `learnkit rl …`.
#[derive(clap::Subcommand, Debug)]
pub enum RlCommand {
    /// Train an agent, score its greedy policy on fresh episodes and save it.
    #[command(
        after_help = "Examples:\n  learnkit rl train --algo q-learning --env taxi \
                            --save taxi.json\n  learnkit rl train --algo dqn --env cartpole \
                            --steps 50000 --save cartpole.json --out reports/"
    )]
    Train(TrainArgs),
    /// Replay a saved agent: greedy episodes, their mean return, and a GIF with --gif.
    #[command(
        after_help = "Example:\n  learnkit rl play --agent taxi.json --episodes 100 \
                            --gif taxi.gif"
    )]
    Play(PlayArgs),
}

/// The environments, as `--env` names them (or a map file).
const ENVS: &str = "taxi, taxi-rainy, blackjack, frozen4, frozen8, cliff (tabular and dqn on \
                    the maps); cartpole, acrobot, mountaincar (dqn); or an ASCII map file";

/// What trains: a tabular update rule or the DQN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    /// Q-learning, SARSA, Expected SARSA or Double Q-learning.
    Tabular(TabularAlgorithm),
    /// Deep Q-learning (needs libtorch: feature `tch`).
    Dqn,
}

/// `--algo`: the tabular rules' names, and `dqn`.
fn algo_parser() -> impl TypedValueParser<Value = Algo> {
    let mut names = learnkit_cli::tabular_algorithm_names();
    names.push(PossibleValue::new("dqn"));
    PossibleValuesParser::new(names).try_map(|s| match s.as_str() {
        "dqn" => Ok(Algo::Dqn),
        rule => rule.parse::<TabularAlgorithm>().map(Algo::Tabular),
    })
}

/// `learnkit rl train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// The learning algorithm.
    #[arg(long, value_parser = algo_parser())]
    pub algo: Algo,
    /// The environment: taxi, taxi-rainy, blackjack, frozen4, frozen8, cliff, cartpole,
    /// acrobot, mountaincar, or an ASCII map file.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Training episodes, for tabular algorithms (default: the environment's tuned number).
    #[arg(long, value_name = "N")]
    pub episodes: Option<usize>,
    /// Environment steps, for dqn (default 100000; training stops once solved).
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    /// A hyper-parameter, by its name in the library (repeatable): `-p learning_rate=0.2`.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Seed for the agent, the environment and the evaluation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Greedy episodes the trained agent is scored on [default: 100].
    #[arg(long, value_name = "N")]
    pub eval_episodes: Option<usize>,
    /// Where to save the trained agent.
    #[arg(long, value_name = "AGENT")]
    pub save: Option<PathBuf>,
    /// Directory for the learning curve and an episode GIF (none without it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the summary as one JSON object on the last line (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

/// `learnkit rl play`.
#[derive(clap::Args, Debug)]
pub struct PlayArgs {
    /// An agent file written by `learnkit rl train --save`.
    #[arg(long, value_name = "AGENT")]
    pub agent: PathBuf,
    /// The environment (default: the one the agent was trained on).
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Greedy episodes to play.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub episodes: usize,
    /// Seed of the episodes (train's --seed repeats its evaluation).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write one greedy episode as an animated GIF here.
    #[arg(long, value_name = "FILE.gif")]
    pub gif: Option<PathBuf>,
    /// Print the summary as one JSON object on the last line.
    #[arg(long)]
    pub json: bool,
}

/// Runs an `rl` command.
pub fn main(command: &RlCommand) -> ExitCode {
    match command {
        RlCommand::Train(args) => run(args.out.as_deref(), args.json, || {
            with_env(&args.env, Trainer { args })
        }),
        RlCommand::Play(args) => run(None, args.json, || {
            let _busy = learnkit_cli::Busy::start("playing", args.json);
            play(args)
        }),
    }
}

/// Draws one greedy episode of an environment's observations as a GIF.
type Animate<O> = Box<dyn Fn(&Path, &str, &[O], &[f64]) -> Result<()>>;

/// What the commands need to know of an environment besides the environment itself.
struct Scene<O> {
    /// Its display name (`Taxi-v4`).
    title: String,
    /// Tabular settings, for environments with discrete states.
    tabular: Option<TabularTask>,
    /// DQN settings, for the environments the DQN is tuned for.
    dqn: Option<DqnTask>,
    /// The longest episode an evaluation plays.
    max_steps: usize,
    /// Its animation, if it has one.
    animate: Option<Animate<O>>,
}

/// What a command does with an environment, whatever its type.
trait EnvVisitor: Sized {
    /// Any environment.
    fn visit<E>(self, env: E, scene: Scene<E::Observation>) -> Result<Outcome>
    where
        E: Env + Clone,
        E::Observation: Features;

    /// An environment with discrete states (a tabular agent can learn it).
    fn discrete<E>(self, env: E, scene: Scene<usize>) -> Result<Outcome>
    where
        E: Env<Observation = usize> + Clone,
    {
        self.visit(env, scene)
    }
}

/// Builds the environment `name` names and hands it to `visitor`.
fn with_env(name: &str, visitor: impl EnvVisitor) -> Result<Outcome> {
    fn scene<O>(title: &str, max_steps: usize) -> Scene<O> {
        Scene {
            title: title.to_string(),
            tabular: None,
            dqn: None,
            max_steps,
            animate: None,
        }
    }
    match name {
        "taxi" | "taxi-rainy" => {
            let rainy = name == "taxi-rainy";
            let env = Taxi::v4_with(TaxiOptions {
                is_rainy: rainy,
                ..TaxiOptions::default()
            });
            let title = if rainy { "Taxi-v4 (rainy)" } else { "Taxi-v4" };
            let task = TabularTask::Taxi { rainy };
            let scene = Scene {
                tabular: Some(task),
                animate: Some(
                    Box::new(|path: &Path, title: &str, s: &[usize], r: &[f64]| {
                        animation::taxi(path, title, s, r)
                    }) as Animate<usize>,
                ),
                ..scene(title, task.max_episode_steps())
            };
            visitor.discrete(env, scene)
        }
        "blackjack" => {
            let task = TabularTask::Blackjack;
            let scene = Scene {
                tabular: Some(task),
                ..scene("Blackjack-v1", task.max_episode_steps())
            };
            visitor.discrete(Blackjack::v1(), scene)
        }
        "cartpole" => {
            let env = CartPole::v1();
            let scene = Scene {
                dqn: Some(DqnTask::CartPole),
                animate: Some(Box::new(|path: &Path, title: &str, s: &[_], r: &[f64]| {
                    animation::cartpole(path, title, s, r)
                })),
                ..scene("CartPole-v1", env.max_episode_steps().unwrap_or(500))
            };
            visitor.visit(env, scene)
        }
        "acrobot" => {
            let env = Acrobot::v1();
            let scene = Scene {
                dqn: Some(DqnTask::Acrobot),
                animate: Some(Box::new(
                    |path: &Path, title: &str, s: &[[f64; 6]], r: &[f64]| {
                        // The animation draws angles and velocities: θ = atan2(sin, cos).
                        let states: Vec<[f64; 4]> = s
                            .iter()
                            .map(|o| [o[1].atan2(o[0]), o[3].atan2(o[2]), o[4], o[5]])
                            .collect();
                        animation::acrobot(path, title, &states, r)
                    },
                )),
                ..scene("Acrobot-v1", env.max_episode_steps().unwrap_or(500))
            };
            visitor.visit(env, scene)
        }
        "mountaincar" => {
            let env = MountainCar::v0();
            let scene = Scene {
                dqn: Some(DqnTask::MountainCar),
                animate: Some(Box::new(
                    |path: &Path, title: &str, s: &[[f64; 2]], r: &[f64]| {
                        animation::mountain_car(path, title, s, r)
                    },
                )),
                ..scene("MountainCar-v0", env.max_episode_steps().unwrap_or(200))
            };
            visitor.visit(env, scene)
        }
        map => {
            let spec = match map {
                "frozen4" => MapSpec::frozen_lake_4x4(true),
                "frozen8" => MapSpec::frozen_lake_8x8(true),
                "cliff" => MapSpec::cliff_walking(),
                path if Path::new(path).exists() => MapSpec::from_file(path)?,
                other => {
                    return Err(Error::invalid(
                        "--env",
                        shown(other),
                        format!("is neither an environment nor a map file; use {ENVS}"),
                    ))
                }
            };
            // Gymnasium cuts FrozenLake at 100 (4x4) and 200 (8x8) steps.
            let limit = spec.max_steps.unwrap_or(match map {
                "frozen4" => 100,
                "frozen8" => 200,
                _ => 500,
            });
            let task = TabularTask::Map {
                slippery: spec.slippery,
            };
            let title = spec.name.clone();
            let env = TimeLimit::new(GridWorld::new(spec.clone())?, limit);
            let scene = Scene {
                tabular: Some(task),
                dqn: Some(DqnTask::Grid),
                animate: Some(Box::new(
                    move |path: &Path, title: &str, s: &[usize], r: &[f64]| {
                        animation::gridworld(path, title, &spec, s, r)
                    },
                )),
                ..scene(&title, limit)
            };
            visitor.discrete(env, scene)
        }
    }
}

/// An error for `flag`, given, that does not apply to `what`.
fn not_for(flag: &'static str, what: &str) -> Error {
    Error::invalid(flag, "given", format!("does not apply to {what}"))
}

/// Whether to draw progress bars: on a terminal, and not with `--json`.
fn progress(json: bool) -> bool {
    !json && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// `learnkit rl train`, once the environment is known.
struct Trainer<'a> {
    args: &'a TrainArgs,
}

impl Trainer<'_> {
    /// Checks what does not depend on the environment, before any training.
    fn check(&self) -> Result<usize> {
        let args = self.args;
        if let Some(save) = &args.save {
            refuse_overwrite("--save", save, &[("--env", Path::new(&args.env))])?;
        }
        let eval_episodes = args.eval_episodes.unwrap_or(100);
        if !(1..=MAX_EVAL_EPISODES).contains(&eval_episodes) {
            return Err(Error::invalid(
                "--eval-episodes",
                eval_episodes,
                format!("must lie in 1..={MAX_EVAL_EPISODES}"),
            ));
        }
        for (flag, value) in [("--episodes", args.episodes), ("--steps", args.steps)] {
            if let Some(n) = value.filter(|n| !(1..=MAX_TRAINING).contains(n)) {
                return Err(Error::invalid(
                    flag,
                    n,
                    format!("must lie in 1..={MAX_TRAINING}"),
                ));
            }
        }
        Ok(eval_episodes)
    }

    /// Scores the saved agent on fresh episodes, draws the reports and saves it.
    fn finish<E>(
        &self,
        mut env: E,
        scene: &Scene<E::Observation>,
        mut saved: SavedAgent,
        report: &TrainReport,
        axis: CurveAxis,
        eval_episodes: usize,
    ) -> Result<Outcome>
    where
        E: Env,
        E::Observation: Features,
    {
        let args = self.args;
        // The saved agent itself is scored, so `play` with this seed repeats the numbers.
        let eval = evaluate(
            &mut env,
            &mut saved,
            eval_episodes,
            args.seed.wrapping_add(1),
            scene.max_steps,
        )?;
        let mut out = Outcome::new(args.out.as_deref().unwrap_or(Path::new("")));
        out.summary
            .set("env", &scene.title)
            .set("algorithm", &saved.algorithm)
            .set("episodes", report.episodes.len())
            .set("env_steps", report.env_steps)
            .set("train_seconds", report.seconds)
            .set("eval_episodes", eval_episodes)
            .set("eval_mean_return", eval.mean_return)
            .set("eval_std_return", eval.std_return)
            .set("eval_success_rate", eval.success_rate)
            .set("eval_mean_length", eval.mean_length);
        if args.out.is_some() {
            let name = format!(
                "{}_{}",
                saved
                    .algorithm
                    .to_ascii_lowercase()
                    .replace([' ', '-'], "_"),
                scene
                    .title
                    .to_ascii_lowercase()
                    .replace([' ', '-', '(', ')'], "")
            );
            let title = format!("{} on {}: learning curve", saved.algorithm, scene.title);
            let window = (report.episodes.len() / 50).clamp(10, 500);
            out.draw(
                &format!("{name}_learning.png"),
                "Return of each training episode and its moving average.",
                |path| figures::learning_curve(path, &title, report, axis, window, None),
            )?;
            if let Some(animate) = &scene.animate {
                let seed = args.seed.wrapping_add(2);
                let (states, rewards) =
                    record_episode(&mut env, &mut saved, seed, scene.max_steps.min(1000))?;
                let title = format!("{} on {}", saved.algorithm, scene.title);
                out.draw(
                    &format!("{name}_episode.gif"),
                    "A greedy episode of the saved agent.",
                    |path| animate(path, &title, &states, &rewards),
                )?;
            }
        }
        if let Some(path) = &args.save {
            saved.save(path)?;
            out.summary.set("saved", path.display().to_string());
        }
        Ok(out)
    }
}

impl EnvVisitor for Trainer<'_> {
    fn visit<E>(self, env: E, scene: Scene<E::Observation>) -> Result<Outcome>
    where
        E: Env + Clone,
        E::Observation: Features,
    {
        match self.args.algo {
            Algo::Tabular(rule) => Err(Error::invalid(
                "--algo",
                rule.name(),
                format!(
                    "learns a table of discrete states; {} has continuous observations (use \
                     --algo dqn)",
                    scene.title
                ),
            )),
            Algo::Dqn => self.dqn(env, scene),
        }
    }

    fn discrete<E>(self, mut env: E, scene: Scene<usize>) -> Result<Outcome>
    where
        E: Env<Observation = usize> + Clone,
    {
        let Algo::Tabular(rule) = self.args.algo else {
            return self.visit(env, scene);
        };
        let args = self.args;
        let eval_episodes = self.check()?;
        if args.steps.is_some() {
            return Err(not_for(
                "--steps",
                "tabular agents (they train for --episodes)",
            ));
        }
        let Some(task) = scene.tabular else {
            return Err(Error::invalid(
                "--env",
                shown(&args.env),
                "has no tabular settings",
            ));
        };
        let Space::Discrete(n_states) = env.observation_space() else {
            return Err(Error::invalid(
                "--env",
                shown(&args.env),
                "has no discrete states",
            ));
        };
        let episodes = args.episodes.unwrap_or(task.default_episodes());
        let pairs = parse_params(&args.params)?;
        let params = configured(task.params(rule, episodes, args.seed), &pairs, args.seed)?;
        params.check()?;
        let mut agent = params.build(n_states, env.n_actions())?;
        let config = TrainConfig::params()
            .episodes(episodes)
            .max_episode_steps(scene.max_steps)
            .seed(args.seed)
            .progress(progress(args.json));
        let report = train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue))?;
        let saved = SavedAgent::tabular(&agent, &params, &args.env);
        self.finish(
            env,
            &scene,
            saved,
            &report,
            CurveAxis::Episodes,
            eval_episodes,
        )
    }
}

impl Trainer<'_> {
    /// The DQN settings for the environment (an error for one the DQN is not tuned for).
    fn dqn_task<O>(&self, scene: &Scene<O>) -> Result<DqnTask> {
        scene.dqn.ok_or_else(|| {
            Error::invalid(
                "--env",
                shown(&self.args.env),
                "has no dqn settings: dqn is tuned for cartpole, acrobot, mountaincar and maps",
            )
        })
    }

    /// Trains a DQN with the environment's tuned settings, keeping the best network the solved
    /// checks saw.
    #[cfg(feature = "tch")]
    fn dqn<E>(self, mut env: E, scene: Scene<E::Observation>) -> Result<Outcome>
    where
        E: Env + Clone,
        E::Observation: Features,
    {
        use learnkit::rl::dqn::Dqn;
        use learnkit::rl::SolveCheck;
        let args = self.args;
        let eval_episodes = self.check()?;
        if args.episodes.is_some() {
            return Err(not_for("--episodes", "dqn (it trains for --steps)"));
        }
        let task = self.dqn_task(&scene)?;
        let steps = args.steps.unwrap_or(100_000);
        let pairs = parse_params(&args.params)?;
        let config = configured(task.config(steps), &pairs, args.seed)?;
        config.check()?;
        let mut agent = Dqn::new(config.clone(), &env.observation_space(), env.n_actions())?;
        let eval_seed = args.seed.wrapping_mul(7919).wrapping_add(17);
        let threshold = task.solved_threshold().unwrap_or(f64::INFINITY);
        let mut check = SolveCheck::new(env.clone(), threshold).seed(eval_seed);
        let training = TrainConfig::params()
            .episodes(usize::MAX / 2)
            .max_env_steps(Some(steps))
            .max_episode_steps(scene.max_steps)
            .seed(args.seed)
            .progress(progress(args.json));
        let report = train(&mut env, &mut agent, &training, |log, agent| {
            check.check(log, agent)
        })?;
        check.restore_best(&mut agent)?;
        let saved = SavedAgent::dqn(&agent, &config, &args.env)?;
        self.finish(env, &scene, saved, &report, CurveAxis::Steps, eval_episodes)
    }

    /// Without libtorch there is no DQN to train.
    #[cfg(not(feature = "tch"))]
    fn dqn<E>(self, _env: E, scene: Scene<E::Observation>) -> Result<Outcome>
    where
        E: Env + Clone,
        E::Observation: Features,
    {
        self.dqn_task(&scene)?;
        Err(Error::invalid(
            "--algo",
            "dqn",
            "needs libtorch: this learnkit was built without it (cargo install --path cli \
             --features tch, with scripts/with-torch.sh)",
        ))
    }
}

/// `learnkit rl play`.
fn play(args: &PlayArgs) -> Result<Outcome> {
    if !(1..=MAX_EVAL_EPISODES).contains(&args.episodes) {
        return Err(Error::invalid(
            "--episodes",
            args.episodes,
            format!("must lie in 1..={MAX_EVAL_EPISODES}"),
        ));
    }
    if let Some(gif) = &args.gif {
        refuse_overwrite("--gif", gif, &[("--agent", &args.agent)])?;
    }
    let saved = SavedAgent::load(&args.agent)?;
    let env = args.env.clone().unwrap_or_else(|| saved.env.clone());
    with_env(&env, Player { args, saved })
}

/// `learnkit rl play`, once the environment is known.
struct Player<'a> {
    args: &'a PlayArgs,
    saved: SavedAgent,
}

impl EnvVisitor for Player<'_> {
    fn visit<E>(self, mut env: E, scene: Scene<E::Observation>) -> Result<Outcome>
    where
        E: Env + Clone,
        E::Observation: Features,
    {
        let (args, mut saved) = (self.args, self.saved);
        Agent::<E::Observation>::check_env(&saved, &env.observation_space(), env.n_actions())?;
        let animate = match (&args.gif, &scene.animate) {
            (Some(gif), None) => {
                return Err(Error::invalid(
                    "--gif",
                    gif.display(),
                    format!("{} has no animation", scene.title),
                ))
            }
            (Some(gif), Some(animate)) => Some((gif, animate)),
            (None, _) => None,
        };
        let eval = evaluate(
            &mut env,
            &mut saved,
            args.episodes,
            args.seed.wrapping_add(1),
            scene.max_steps,
        )?;
        let mut out = Outcome::default();
        out.summary
            .set("env", &scene.title)
            .set("trained_on", shown(&saved.env))
            .set("algorithm", &saved.algorithm)
            .set("episodes", args.episodes)
            .set("mean_return", eval.mean_return)
            .set("std_return", eval.std_return)
            .set("success_rate", eval.success_rate)
            .set("mean_length", eval.mean_length);
        if let Some((gif, animate)) = animate {
            let seed = args.seed.wrapping_add(2);
            let (states, rewards) =
                record_episode(&mut env, &mut saved, seed, scene.max_steps.min(1000))?;
            let title = format!("{} on {}", saved.algorithm, scene.title);
            animate(gif, &title, &states, &rewards)?;
            out.summary.set("gif", gif.display().to_string());
        }
        Ok(out)
    }
}
