//! Figures of the RL agents: learning curves, the greedy policy over a Q-value map, DQN
//! training diagnostics, and a greedy CartPole episode.

use std::path::Path;

use learnkit_envs::cartpole::{CartPole, TAU, THETA_THRESHOLD, X_THRESHOLD};
use learnkit_envs::gridworld::{Cell, GridAction};
use learnkit_envs::{Env, MapSpec};
use ndarray::Array2;

use crate::error::Result;
use crate::report::{save, save_grid, HeatMap, LineChart, Series, SIZE};
use crate::rl::{Agent, QTable, Schedule, TrainReport};

/// What the x axis of a learning curve counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurveAxis {
    /// Training episodes.
    Episodes,
    /// Environment steps (fair across agents whose episodes differ in length).
    Steps,
}

/// At most `n` points, evenly spaced (keeps plots readable and small).
fn thin(points: Vec<(f64, f64)>, n: usize) -> Vec<(f64, f64)> {
    let step = points.len().div_ceil(n).max(1);
    points.into_iter().step_by(step).collect()
}

/// Only the moving average of the return over `window` episodes, with an optional reference
/// line: for noisy returns (a Blackjack hand is −1, 0 or +1) where single episodes say nothing.
pub fn average_return(
    path: impl AsRef<Path>,
    title: &str,
    report: &TrainReport,
    window: usize,
    reference: Option<(&str, f64)>,
) -> Result<()> {
    let average: Vec<(f64, f64)> = report
        .moving_average(window)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as f64, v))
        .collect();
    let mut series = vec![Series::line(
        format!("moving average ({window} episodes)"),
        thin(average, 4000),
        0,
    )];
    if let Some((name, t)) = reference {
        let end = report.episodes.len().saturating_sub(1) as f64;
        series.push(Series::reference(
            format!("{name} ({t:.4})"),
            vec![(0.0, t), (end, t)],
        ));
    }
    save(
        path,
        SIZE,
        &LineChart {
            title: title.into(),
            x_label: "episode".into(),
            y_label: "mean return".into(),
            series,
            y_range: None,
        },
    )
}

/// The return of every training episode (grey points, at most 2,000 drawn) and its moving
/// average over `window` episodes, with an optional reference line (`(name, value)`: the solved
/// threshold, the optimal return).
pub fn learning_curve(
    path: impl AsRef<Path>,
    title: &str,
    report: &TrainReport,
    axis: CurveAxis,
    window: usize,
    reference: Option<(&str, f64)>,
) -> Result<()> {
    let x = |i: usize| match axis {
        CurveAxis::Episodes => i as f64,
        CurveAxis::Steps => report.episodes[i].env_steps as f64,
    };
    let returns = (0..report.episodes.len())
        .map(|i| (x(i), report.episodes[i].episode_return))
        .collect();
    let average = report
        .moving_average(window)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (x(i), v))
        .collect();
    let mut series = vec![
        Series::points("return per episode", thin(returns, 2000), 7),
        Series::line(format!("moving average ({window} episodes)"), average, 0),
    ];
    if let Some((name, t)) = reference {
        let end = report.episodes.len().saturating_sub(1);
        series.push(Series::reference(
            format!("{name} ({t:.2})"),
            vec![(0.0, t), (x(end), t)],
        ));
    }
    save(
        path,
        SIZE,
        &LineChart {
            title: title.into(),
            x_label: match axis {
                CurveAxis::Episodes => "episode".into(),
                CurveAxis::Steps => "environment steps".into(),
            },
            y_label: "return".into(),
            series,
            y_range: None,
        },
    )
}

/// Several agents' moving-average returns on one chart (for example Q-learning against SARSA
/// on CliffWalking).
pub fn compare_learning(
    path: impl AsRef<Path>,
    title: &str,
    runs: &[(&str, &TrainReport)],
    window: usize,
    y_range: Option<(f64, f64)>,
) -> Result<()> {
    let series = runs
        .iter()
        .enumerate()
        .map(|(i, (name, report))| {
            let points = report
                .moving_average(window)
                .into_iter()
                .enumerate()
                .map(|(e, v)| (e as f64, v))
                .collect();
            Series::line(*name, points, i)
        })
        .collect();
    save(
        path,
        SIZE,
        &LineChart {
            title: title.into(),
            x_label: "episode".into(),
            y_label: format!("return per episode (moving average of {window})"),
            series,
            y_range,
        },
    )
}

/// The greedy policy as arrows over a heat map of max Q per cell; holes (H), cliff (C), goal
/// (G) and walls (#) are grey, since the agent never acts from them.
pub fn policy_map(
    path: impl AsRef<Path>,
    title: &str,
    spec: &MapSpec,
    table: &QTable,
) -> Result<()> {
    let state = |r: usize, c: usize| r * spec.width + c;
    let values = Array2::from_shape_fn((spec.height, spec.width), |(r, c)| {
        match spec.cell(state(r, c)) {
            Cell::Start | Cell::Floor => table.max_value(state(r, c)),
            _ => f64::NAN,
        }
    });
    let text = Array2::from_shape_fn((spec.height, spec.width), |(r, c)| {
        let s = state(r, c);
        match spec.cell(s) {
            Cell::Hole => "H".to_string(),
            Cell::Goal => "G".to_string(),
            Cell::Wall => "#".to_string(),
            Cell::Cliff => "C".to_string(),
            Cell::Start | Cell::Floor => GridAction::ALL[table.greedy(s)].arrow().to_string(),
        }
    });
    // 70-pixel cells, smaller for big maps: the picture stays within about 2,000 pixels a side
    // whatever the map's size; below 24-pixel cells the arrows are left out (colours only).
    let side = spec.width.max(spec.height).max(1) as u32;
    let cell = (1800 / side).clamp(4, 70);
    let size = (
        (spec.width as u32 * cell + 220).max(600),
        (spec.height as u32 * cell + 160).max(360),
    );
    save(
        path,
        size,
        &HeatMap {
            title: title.into(),
            x_label: "column".into(),
            y_label: "row".into(),
            x_labels: (0..spec.width).map(|c| c.to_string()).collect(),
            y_labels: (0..spec.height).map(|r| r.to_string()).collect(),
            values,
            cell_text: (cell >= 24).then_some(text),
        },
    )
}

/// A deep agent's training diagnostics side by side: the TD loss and the mean predicted Q of
/// each learning phase (`history` holds `(environment step, loss, mean Q)`), and the
/// exploration rate over the `env_steps` of training.
pub fn training_diagnostics(
    path: impl AsRef<Path>,
    loss_name: &str,
    history: &[(usize, f64, f64)],
    exploration: &Schedule,
    env_steps: usize,
) -> Result<()> {
    let loss = history.iter().map(|h| (h.0 as f64, h.1)).collect();
    let q = history.iter().map(|h| (h.0 as f64, h.2)).collect();
    let eps = (0..=50)
        .map(|i| {
            let step = env_steps * i / 50;
            (step as f64, exploration.value(step))
        })
        .collect();
    save_grid(
        path,
        (1500, 520),
        3,
        &[
            &LineChart {
                title: format!("TD loss ({loss_name})"),
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
    )
}

/// One greedy CartPole-v1 episode of `agent` from the reset with `seed`: cart position and pole
/// angle over time, with the limits that end an episode.
pub fn cartpole_episode(
    path: impl AsRef<Path>,
    agent: &mut impl Agent<[f64; 4]>,
    seed: u64,
) -> Result<()> {
    let mut env = CartPole::v1();
    let mut obs = env.reset(Some(seed));
    let (mut xs, mut thetas) = (vec![(0.0, obs[0])], vec![(0.0, obs[2].to_degrees())]);
    for t in 1..=500 {
        let step = env.step(agent.act(&obs, false)?)?;
        obs = step.observation;
        let time = t as f64 * TAU;
        xs.push((time, obs[0]));
        thetas.push((time, obs[2].to_degrees()));
        if step.done() {
            break;
        }
    }
    let end = xs.last().map_or(10.0, |p| p.0);
    let limit = THETA_THRESHOLD.to_degrees();
    let band = |name: String, at: f64| {
        [
            Series::reference(name, vec![(0.0, at), (end, at)]),
            Series::reference("", vec![(0.0, -at), (end, -at)]),
        ]
    };
    let steps = xs.len() - 1;
    let [x_hi, x_lo] = band(format!("track limit ±{X_THRESHOLD} m"), X_THRESHOLD);
    let [t_hi, t_lo] = band(format!("failure at ±{limit:.0}°"), limit);
    save_grid(
        path,
        (1400, 560),
        2,
        &[
            &LineChart {
                title: format!("Greedy episode: cart position ({steps} steps)"),
                x_label: "time (s)".into(),
                y_label: "cart position x (m)".into(),
                series: vec![Series::line("x", xs, 0), x_hi, x_lo],
                y_range: Some((-2.6, 2.6)),
            },
            &LineChart {
                title: "Greedy episode: pole angle".into(),
                x_label: "time (s)".into(),
                y_label: "pole angle θ (degrees)".into(),
                series: vec![Series::line("θ", thetas, 1), t_hi, t_lo],
                y_range: Some((-13.0, 13.0)),
            },
        ],
    )
}

/// Blackjack's learnt policy as the textbook draws it (Sutton & Barto, figure 5.2): player sum
/// 12–21 (top: 21) against the dealer's card, one panel with a usable ace and one without. Each
/// cell says stick (S) or hit (H), with `*` where the optimal policy (`optimal`, by dynamic
/// programming) does otherwise; the colour is the learnt value of the hand, max Q.
pub fn blackjack_policy(
    path: impl AsRef<Path>,
    title: &str,
    table: &QTable,
    optimal: Option<&[usize]>,
) -> Result<()> {
    use learnkit_envs::blackjack::encode;
    let sums: Vec<usize> = (12..=21).rev().collect();
    let panel = |ace: bool| {
        let state = |r: usize, c: usize| encode(sums[r], c + 1, ace);
        let values = Array2::from_shape_fn((sums.len(), 10), |(r, c)| table.max_value(state(r, c)));
        let text = Array2::from_shape_fn((sums.len(), 10), |(r, c)| {
            let s = state(r, c);
            let action = table.greedy(s);
            let letter = if action == 1 { "H" } else { "S" };
            match optimal {
                Some(best) if best.get(s).is_some_and(|&b| b != action) => format!("{letter}*"),
                _ => letter.to_string(),
            }
        });
        HeatMap {
            title: format!(
                "{title}: {}",
                if ace { "usable ace" } else { "no usable ace" }
            ),
            x_label: "dealer showing".into(),
            y_label: "player sum".into(),
            x_labels: std::iter::once("A".to_string())
                .chain((2..=10).map(|c| c.to_string()))
                .collect(),
            y_labels: sums.iter().map(|s| s.to_string()).collect(),
            values,
            cell_text: Some(text),
        }
    };
    let (with_ace, without) = (panel(true), panel(false));
    save_grid(path, (1500, 620), 2, &[&with_ace, &without])
}
