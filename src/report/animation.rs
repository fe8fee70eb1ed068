//! Episode animations: a GIF of an episode drawn from the environment's state, one frame per step
//! (long episodes are thinned to at most [`MAX_FRAMES`] frames), with the step number and the
//! return so far written on every frame.
//!
//! * [`cartpole`] — the cart on its track and the pole.
//! * [`mountain_car`] — the valley `0.45 · sin 3x + 0.55`, the car and the flag.
//! * [`acrobot`] — the two links hanging from the bar, and the height to reach.
//! * [`taxi`] — the 5×5 grid with its walls, the four stands, the taxi (filled when the
//!   passenger is aboard), the passenger and the destination.
//! * [`gridworld`] — the map's cells and the agent.

use std::path::Path;

use learnkit_envs::gridworld::Cell;
use learnkit_envs::MapSpec;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{color, register_font, FONT};
use crate::error::{Error, Result};

/// Most frames a GIF holds (longer episodes show every k-th step).
pub const MAX_FRAMES: usize = 250;
/// Frame size in pixels.
const SIZE: (u32, u32) = (480, 360);

type Frame<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Writes a GIF of `frames` states, `delay_ms` per frame, drawing each with `draw`; `rewards[i]`
/// is the reward of the step that led to state `i` (0 for the first).
fn save_gif<S>(
    path: &Path,
    title: &str,
    states: &[S],
    rewards: &[f64],
    delay_ms: u32,
    draw: impl Fn(&Frame<'_>, &S) -> std::result::Result<(), String>,
) -> Result<()> {
    let plot_error = |message: String| Error::Plot {
        path: path.to_path_buf(),
        message,
    };
    if states.is_empty() {
        return Err(plot_error("an animation needs at least one state".into()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    register_font();
    let every = states.len().div_ceil(MAX_FRAMES);
    super::written_atomically(path, |tmp| {
        let root = BitMapBackend::gif(tmp, SIZE, delay_ms * every as u32)
            .map_err(|e| plot_error(e.to_string()))?
            .into_drawing_area();
        let mut total = 0.0;
        for (i, state) in states.iter().enumerate() {
            total += rewards.get(i).copied().unwrap_or(0.0);
            if i % every != 0 && i + 1 != states.len() {
                continue;
            }
            root.fill(&WHITE).map_err(|e| plot_error(e.to_string()))?;
            let (top, body) = root.split_vertically(40);
            top.draw(&Text::new(
                format!("{title} — step {i}, return {total:.0}"),
                (10, 12),
                (FONT, 18).into_font(),
            ))
            .map_err(|e| plot_error(e.to_string()))?;
            draw(&body, state).map_err(plot_error)?;
            root.present().map_err(|e| plot_error(e.to_string()))?;
        }
        Ok(())
    })
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// CartPole states `[x, ẋ, θ, θ̇]`.
pub fn cartpole(
    path: impl AsRef<Path>,
    title: &str,
    states: &[[f64; 4]],
    rewards: &[f64],
) -> Result<()> {
    save_gif(path.as_ref(), title, states, rewards, 40, |area, s| {
        let (w, h) = area.dim_in_pixel();
        let scale = w as f64 / 4.8 * 0.9; // pixels per metre: the track ±2.4 fills 90%
        let track_y = (h as f64 * 0.75) as i32;
        let cx = (w as f64 / 2.0 + s[0] * scale) as i32;
        area.draw(&PathElement::new(
            vec![(0, track_y), (w as i32, track_y)],
            BLACK.stroke_width(2),
        ))
        .map_err(err)?;
        area.draw(&Rectangle::new(
            [(cx - 30, track_y - 18), (cx + 30, track_y + 2)],
            color(0).filled(),
        ))
        .map_err(err)?;
        let pole = 1.0 * scale; // the pole is 1 m long
        let tip = (
            cx + (pole * s[2].sin()) as i32,
            track_y - 18 - (pole * s[2].cos()) as i32,
        );
        area.draw(&PathElement::new(
            vec![(cx, track_y - 18), tip],
            color(1).stroke_width(8),
        ))
        .map_err(err)
    })
}

/// MountainCar states `[position, velocity]`.
pub fn mountain_car(
    path: impl AsRef<Path>,
    title: &str,
    states: &[[f64; 2]],
    rewards: &[f64],
) -> Result<()> {
    save_gif(path.as_ref(), title, states, rewards, 40, |area, s| {
        let (w, h) = area.dim_in_pixel();
        let to_px = |x: f64| -> (i32, i32) {
            let y = 0.45 * (3.0 * x).sin() + 0.55;
            (
                ((x + 1.2) / 1.8 * (w as f64 - 20.0) + 10.0) as i32,
                (h as f64 - 20.0 - y * (h as f64 - 60.0)) as i32,
            )
        };
        let hill: Vec<(i32, i32)> = (0..=200)
            .map(|i| to_px(-1.2 + 1.8 * i as f64 / 200.0))
            .collect();
        area.draw(&PathElement::new(hill, BLACK.stroke_width(2)))
            .map_err(err)?;
        let flag = to_px(0.5);
        area.draw(&PathElement::new(
            vec![flag, (flag.0, flag.1 - 40)],
            BLACK.stroke_width(2),
        ))
        .map_err(err)?;
        area.draw(&Rectangle::new(
            [(flag.0, flag.1 - 40), (flag.0 + 22, flag.1 - 28)],
            color(3).filled(),
        ))
        .map_err(err)?;
        let car = to_px(s[0]);
        area.draw(&Circle::new((car.0, car.1 - 10), 10, color(0).filled()))
            .map_err(err)
    })
}

/// Acrobot states `[θ₁, θ₂, θ̇₁, θ̇₂]`.
pub fn acrobot(
    path: impl AsRef<Path>,
    title: &str,
    states: &[[f64; 4]],
    rewards: &[f64],
) -> Result<()> {
    save_gif(path.as_ref(), title, states, rewards, 40, |area, s| {
        let (w, h) = area.dim_in_pixel();
        let link = h as f64 / 4.6; // two links and a margin fill the height
        let pivot = (w as i32 / 2, (h as f64 / 2.0) as i32);
        let at = |x: f64, y: f64| (pivot.0 + (x * link) as i32, pivot.1 - (y * link) as i32);
        // The goal height: one link length above the pivot.
        area.draw(&PathElement::new(
            vec![at(-2.2, 1.0), at(2.2, 1.0)],
            BLACK.mix(0.4).stroke_width(1),
        ))
        .map_err(err)?;
        let p1 = (s[0].sin(), -s[0].cos());
        let p2 = (p1.0 + (s[0] + s[1]).sin(), p1.1 - (s[0] + s[1]).cos());
        area.draw(&PathElement::new(
            vec![at(0.0, 0.0), at(p1.0, p1.1)],
            color(0).stroke_width(10),
        ))
        .map_err(err)?;
        area.draw(&PathElement::new(
            vec![at(p1.0, p1.1), at(p2.0, p2.1)],
            color(1).stroke_width(10),
        ))
        .map_err(err)?;
        for p in [at(0.0, 0.0), at(p1.0, p1.1)] {
            area.draw(&Circle::new(p, 6, BLACK.filled())).map_err(err)?;
        }
        Ok(())
    })
}

/// Taxi states (indices of `learnkit_envs::taxi::encode`).
pub fn taxi(path: impl AsRef<Path>, title: &str, states: &[usize], rewards: &[f64]) -> Result<()> {
    use learnkit_envs::taxi::{decode, LOCATIONS};
    // Walls east of (row, column), from Gymnasium's map.
    const WALLS: [(usize, usize); 6] = [(0, 1), (1, 1), (3, 0), (3, 2), (4, 0), (4, 2)];
    save_gif(path.as_ref(), title, states, rewards, 250, |area, &s| {
        let (w, h) = area.dim_in_pixel();
        let cell = ((h.min(w) as i32) - 20) / 5;
        let x0 = (w as i32 - 5 * cell) / 2;
        let corner = |r: usize, c: usize| (x0 + c as i32 * cell, 10 + r as i32 * cell);
        let (row, col, pass, dest) = decode(s);
        for (i, &(r, c)) in LOCATIONS.iter().enumerate() {
            let (x, y) = corner(r, c);
            area.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                color(i + 2).mix(0.25).filled(),
            ))
            .map_err(err)?;
            area.draw(&Text::new(
                ["R", "G", "Y", "B"][i],
                (x + 4, y + 4),
                (FONT, 16).into_font(),
            ))
            .map_err(err)?;
        }
        let (dx, dy) = corner(LOCATIONS[dest].0, LOCATIONS[dest].1);
        area.draw(&Rectangle::new(
            [(dx + 2, dy + 2), (dx + cell - 2, dy + cell - 2)],
            color(3).stroke_width(4),
        ))
        .map_err(err)?;
        for r in 0..=5 {
            let (a, b) = (corner(r.min(4), 0), corner(r.min(4), 5));
            let y = if r == 5 { a.1 + cell } else { a.1 };
            area.draw(&PathElement::new(vec![(a.0, y), (b.0, y)], BLACK.mix(0.3)))
                .map_err(err)?;
        }
        for c in 0..=5 {
            let x = x0 + c * cell;
            area.draw(&PathElement::new(
                vec![(x, 10), (x, 10 + 5 * cell)],
                BLACK.mix(0.3),
            ))
            .map_err(err)?;
        }
        for &(r, c) in &WALLS {
            let x = x0 + (c as i32 + 1) * cell;
            let y = 10 + r as i32 * cell;
            area.draw(&PathElement::new(
                vec![(x, y), (x, y + cell)],
                BLACK.stroke_width(5),
            ))
            .map_err(err)?;
        }
        let (tx, ty) = corner(row, col);
        let taxi_style = if pass == 4 {
            color(1).filled()
        } else {
            color(1).stroke_width(4)
        };
        area.draw(&Rectangle::new(
            [
                (tx + cell / 5, ty + cell / 4),
                (tx + 4 * cell / 5, ty + 3 * cell / 4),
            ],
            taxi_style,
        ))
        .map_err(err)?;
        if pass < 4 {
            let (px, py) = corner(LOCATIONS[pass].0, LOCATIONS[pass].1);
            area.draw(&Circle::new(
                (px + cell / 2, py + cell / 2),
                cell / 6,
                color(0).filled(),
            ))
            .map_err(err)?;
        }
        Ok(())
    })
}

/// A gridworld episode: states are cell indices of `spec`.
pub fn gridworld(
    path: impl AsRef<Path>,
    title: &str,
    spec: &MapSpec,
    states: &[usize],
    rewards: &[f64],
) -> Result<()> {
    save_gif(path.as_ref(), title, states, rewards, 200, |area, &s| {
        let (w, h) = area.dim_in_pixel();
        let side = spec.width.max(spec.height).max(1) as i32;
        let cell = ((h.min(w) as i32) - 20) / side;
        let x0 = (w as i32 - spec.width as i32 * cell) / 2;
        let y0 = (h as i32 - spec.height as i32 * cell) / 2;
        for i in 0..spec.cells.len() {
            let (r, c) = ((i / spec.width) as i32, (i % spec.width) as i32);
            let (x, y) = (x0 + c * cell, y0 + r * cell);
            let fill = match spec.cell(i) {
                Cell::Hole | Cell::Cliff => RGBColor(60, 60, 90),
                Cell::Wall => RGBColor(30, 30, 30),
                Cell::Goal => RGBColor(120, 200, 120),
                Cell::Start => RGBColor(220, 220, 240),
                Cell::Floor => RGBColor(235, 240, 250),
            };
            area.draw(&Rectangle::new(
                [(x, y), (x + cell - 1, y + cell - 1)],
                fill.filled(),
            ))
            .map_err(err)?;
        }
        let (r, c) = ((s / spec.width) as i32, (s % spec.width) as i32);
        area.draw(&Circle::new(
            (x0 + c * cell + cell / 2, y0 + r * cell + cell / 2),
            (cell / 3).max(2),
            color(1).filled(),
        ))
        .map_err(err)
    })
}
