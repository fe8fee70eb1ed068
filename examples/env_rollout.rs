//! Replays a sequence of actions in one of learnkit's Gymnasium environments and prints one
//! JSON line per step, so an episode can be diffed against Gymnasium's
//! (`scripts/gym_rollout.py` prints the same lines from Gymnasium itself).
//!
//! ```text
//! cargo run --release --example env_rollout -- --env acrobot --seed 7 --actions actions.txt
//! python3 scripts/gym_rollout.py --env acrobot --seed 7 --actions actions.txt   # the same lines
//! ```
//!
//! The first line is the reset (`"step": 0`, the observation); each action (one integer per line
//! of the file — one number for Pendulum and MountainCarContinuous, printed as a one-value
//! vector in single precision; blank lines and `#` comments are skipped) then prints `step`, `action`,
//! `observation`, `reward`, `terminated`, `truncated`. When an episode ends and actions remain,
//! the environment is reset without a seed (its random stream continues, as Gymnasium's
//! `reset()`) and the reset is printed as another `"step": 0` line. Vector observations are
//! printed in single precision, as Gymnasium returns them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use learnkit::envs::{
    Acrobot, Blackjack, CartPole, ContinuousEnv, Env, MountainCar, MountainCarContinuous, Pendulum,
    Step, Taxi, TaxiOptions,
};
use learnkit::report::animation;
use learnkit::{Error, Result};

/// Command line of the rollout example.
#[derive(Parser, Debug)]
#[command(
    about = "Print a Gymnasium-comparable rollout of an action sequence, one JSON line per step"
)]
pub struct Args {
    /// The environment (Gymnasium id in brackets).
    #[arg(long, value_enum)]
    pub env: EnvName,
    /// Seed of the first reset.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// File with one action per line.
    #[arg(long, value_name = "FILE")]
    pub actions: PathBuf,
    /// Taxi: moves slip sideways (`is_rainy=True`).
    #[arg(long)]
    pub rainy: bool,
    /// Taxi: the passenger may change destination (`fickle_passenger=True`).
    #[arg(long)]
    pub fickle_passenger: bool,
    /// Blackjack: `sab=False, natural=True` (a winning natural pays 1.5).
    #[arg(long)]
    pub natural: bool,
    /// Also draw the first episode as an animated GIF here (not for Blackjack).
    #[arg(long, value_name = "PATH.gif")]
    pub gif: Option<PathBuf>,
}

/// The environments `--env` accepts.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvName {
    /// CartPole-v1.
    Cartpole,
    /// MountainCar-v0.
    Mountaincar,
    /// Acrobot-v1.
    Acrobot,
    /// Taxi-v4.
    Taxi,
    /// Blackjack-v1.
    Blackjack,
    /// Pendulum-v1 (continuous torque).
    Pendulum,
    /// MountainCarContinuous-v0 (continuous force).
    MountaincarContinuous,
}

/// The largest action file read (64 MiB: millions of actions).
const MAX_ACTION_BYTES: u64 = 64 << 20;

/// The actions of `path`, one per line, each with its line in the file: read by `parse`
/// (`None` names the line as not an action, described by `what`). Only a regular file of at
/// most [`MAX_ACTION_BYTES`] is read.
fn read_actions<A>(
    path: &Path,
    what: &str,
    parse: impl Fn(&str) -> Option<A>,
) -> Result<Vec<(A, u64)>> {
    let bytes = learnkit::persist::read_regular_file(path, MAX_ACTION_BYTES)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut actions = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let text = line.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let action = parse(text).ok_or_else(|| Error::Parse {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            column: None,
            message: format!(
                "`{}` is not an action ({what})",
                learnkit::data::shown(text)
            ),
        })?;
        actions.push((action, i as u64 + 1));
    }
    Ok(actions)
}

/// Integer actions.
fn discrete_actions(path: &Path) -> Result<Vec<(usize, u64)>> {
    read_actions(path, "a non-negative integer", |t| t.parse().ok())
}

/// One finite number per line: a NaN or an infinity is refused, not clipped.
fn continuous_actions(path: &Path) -> Result<Vec<(f64, u64)>> {
    read_actions(path, "a finite number", |t| {
        t.parse::<f64>().ok().filter(|v| v.is_finite())
    })
}

/// A float as Python's `repr` writes it: the fewest significant digits that read back as the
/// same number (each candidate correctly rounded, ties to even), in fixed notation from 1e-4
/// to 1e16 and with a two-digit exponent outside; so the lines match `json.dumps` character
/// for character.
fn py_float(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    let (mut digits, mut exp) = (String::new(), 0i32);
    for precision in 0..17 {
        let text = format!("{a:.precision$e}");
        if text.parse::<f64>() == Ok(a) {
            let (mantissa, e) = text.split_once('e').unwrap_or((&text, "0"));
            digits = mantissa.replace('.', "");
            exp = e.parse().unwrap_or(0);
            break;
        }
    }
    let n = digits.len() as i32;
    if (1e-4..1e16).contains(&a) {
        if exp < 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else if n <= exp + 1 {
            format!("{sign}{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
        } else {
            let (int, frac) = digits.split_at(exp as usize + 1);
            format!("{sign}{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot}e{e_sign}{:02}", exp.abs())
    }
}

/// How an observation prints.
trait Printable {
    fn json(&self) -> String;
}

impl Printable for usize {
    fn json(&self) -> String {
        self.to_string()
    }
}

impl<const N: usize> Printable for [f64; N] {
    fn json(&self) -> String {
        let values: Vec<String> = self
            .iter()
            .map(|&v| py_float(f64::from(v as f32)))
            .collect();
        format!("[{}]", values.join(","))
    }
}

/// Draws the first episode of a rollout.
type Animate<O> = fn(&std::path::Path, &str, &[O], &[f64]) -> Result<()>;

fn roll<E: Env>(
    mut env: E,
    args: &Args,
    actions: &[(usize, u64)],
    animate: Option<Animate<E::Observation>>,
) -> Result<()>
where
    E::Observation: Printable,
{
    let n_actions = env.n_actions();
    let env = std::cell::RefCell::new(&mut env);
    roll_with(
        args,
        actions,
        animate,
        |seed| env.borrow_mut().reset(seed),
        |&action, file_line| {
            if action >= n_actions {
                return Err(Error::Parse {
                    path: args.actions.clone(),
                    line: file_line,
                    column: None,
                    message: format!(
                        "action {action} is outside the {n_actions} actions of this environment"
                    ),
                });
            }
            Ok(env.borrow_mut().step(action)?)
        },
        |action| action.to_string(),
    )
}

/// [`roll`] for an environment with one continuous action (its single-precision value is
/// printed, as Gymnasium's float32 action space holds it).
fn roll_continuous<E: ContinuousEnv>(
    mut env: E,
    args: &Args,
    actions: &[(f64, u64)],
    animate: Option<Animate<E::Observation>>,
) -> Result<()>
where
    E::Observation: Printable,
{
    let env = std::cell::RefCell::new(&mut env);
    roll_with(
        args,
        actions,
        animate,
        |seed| env.borrow_mut().reset(seed),
        |&action, _| Ok(env.borrow_mut().step(&[action])?),
        |&action| format!("[{}]", py_float(f64::from(action as f32))),
    )
}

/// The rollout: the reset line, then one line per action, resetting (unseeded) between
/// episodes; the first episode drawn when asked.
fn roll_with<A, O: Clone + Printable>(
    args: &Args,
    actions: &[(A, u64)],
    animate: Option<Animate<O>>,
    reset: impl Fn(Option<u64>) -> O,
    step: impl Fn(&A, u64) -> Result<Step<O>>,
    action_json: impl Fn(&A) -> String,
) -> Result<()> {
    let mut episode = Vec::new();
    let mut rewards = vec![0.0];
    let mut first_episode = true;
    let mut out = std::io::stdout().lock();
    // Keys in sorted order, as `json.dumps(sort_keys=True)` writes them.
    let mut line = |text: String| -> Result<()> {
        match writeln!(out, "{text}") {
            // The reader stopped reading (`| head`): nothing more to print to.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => written.map_err(|e| Error::io("stdout", e)),
        }
    };
    let reset_line = |obs: &O| format!(r#"{{"observation":{},"step":0}}"#, obs.json());
    let first = reset(Some(args.seed));
    line(reset_line(&first))?;
    episode.push(first);
    let mut t = 0;
    for (i, (action, file_line)) in actions.iter().enumerate() {
        let step = step(action, *file_line)?;
        t += 1;
        if first_episode {
            episode.push(step.observation.clone());
            rewards.push(step.reward);
            first_episode = !step.done();
        }
        line(format!(
            r#"{{"action":{},"observation":{},"reward":{},"step":{t},"terminated":{},"truncated":{}}}"#,
            action_json(action),
            step.observation.json(),
            py_float(step.reward),
            step.terminated,
            step.truncated,
        ))?;
        if step.done() && i + 1 < actions.len() {
            t = 0;
            let obs = reset(None);
            line(reset_line(&obs))?;
        }
    }
    if let (Some(path), Some(animate)) = (&args.gif, animate) {
        let title = format!("{:?}, seed {}", args.env, args.seed);
        animate(path, &title, &episode, &rewards)?;
    }
    Ok(())
}

fn cartpole_gif(path: &std::path::Path, title: &str, obs: &[[f64; 4]], r: &[f64]) -> Result<()> {
    animation::cartpole(path, title, obs, r)
}

fn mountain_car_gif(
    path: &std::path::Path,
    title: &str,
    obs: &[[f64; 2]],
    r: &[f64],
) -> Result<()> {
    animation::mountain_car(path, title, obs, r)
}

fn taxi_gif(path: &std::path::Path, title: &str, obs: &[usize], r: &[f64]) -> Result<()> {
    animation::taxi(path, title, obs, r)
}

fn acrobot_gif(path: &std::path::Path, title: &str, obs: &[[f64; 6]], r: &[f64]) -> Result<()> {
    // The angles back from their cosines and sines.
    let states: Vec<[f64; 4]> = obs
        .iter()
        .map(|o| [o[1].atan2(o[0]), o[3].atan2(o[2]), o[4], o[5]])
        .collect();
    animation::acrobot(path, title, &states, r)
}

fn run(args: &Args) -> Result<()> {
    let taxi_only = args.rainy || args.fickle_passenger;
    if taxi_only && args.env != EnvName::Taxi {
        return Err(Error::invalid(
            "--rainy/--fickle-passenger",
            "given",
            "only apply to --env taxi",
        ));
    }
    if args.natural && args.env != EnvName::Blackjack {
        return Err(Error::invalid(
            "--natural",
            "given",
            "only applies to --env blackjack",
        ));
    }
    if let Some(path) = &args.gif {
        if matches!(args.env, EnvName::Blackjack | EnvName::Pendulum) {
            return Err(Error::invalid(
                "--gif",
                path.display(),
                format!("{:?} has no animation", args.env),
            ));
        }
        if path.extension().and_then(|e| e.to_str()) != Some("gif") {
            return Err(Error::invalid(
                "--gif",
                path.display(),
                "must name a .gif file",
            ));
        }
    }
    let continuous = |env| -> Result<()> {
        let actions = continuous_actions(&args.actions)?;
        match env {
            EnvName::Pendulum => roll_continuous(Pendulum::v1(), args, &actions, None),
            _ => roll_continuous(
                MountainCarContinuous::v0(),
                args,
                &actions,
                Some(mountain_car_gif),
            ),
        }
    };
    if matches!(args.env, EnvName::Pendulum | EnvName::MountaincarContinuous) {
        return continuous(args.env);
    }
    let actions = discrete_actions(&args.actions)?;
    match args.env {
        EnvName::Cartpole => roll(CartPole::v1(), args, &actions, Some(cartpole_gif)),
        EnvName::Mountaincar => roll(MountainCar::v0(), args, &actions, Some(mountain_car_gif)),
        EnvName::Acrobot => roll(Acrobot::v1(), args, &actions, Some(acrobot_gif)),
        EnvName::Taxi => roll(
            Taxi::v4_with(TaxiOptions {
                is_rainy: args.rainy,
                fickle_passenger: args.fickle_passenger,
                ..TaxiOptions::default()
            }),
            args,
            &actions,
            Some(taxi_gif),
        ),
        EnvName::Blackjack => roll(
            Blackjack::new(!args.natural, args.natural),
            args,
            &actions,
            None,
        ),
        EnvName::Pendulum | EnvName::MountaincarContinuous => continuous(args.env),
    }
}

fn main() -> ExitCode {
    let args: Args = learnkit_cli::parse_args();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", learnkit_cli::one_line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
