//! PNG reports drawn with plotters: line charts, scatter plots (coloured by class, optionally
//! over decision regions), bar charts and heat maps.
//!
//! Every chart has a title and labelled axes, and a legend whenever it shows more than one
//! series. Text is drawn with DejaVu Sans embedded in the binary, so reports render the same on a
//! headless machine with no fonts installed.
//!
//! Each chart type is a [`Panel`]; [`save`] writes one panel to a PNG and [`save_grid`] several
//! side by side (e.g. the elbow and silhouette curves).

pub mod animation;
mod charts;
pub mod figures;

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

pub use charts::{BarChart, HeatMap, LineChart, NamedLineChart, Regions, ScatterChart, Series};

/// The drawing surface a panel draws on.
pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// A chart that can draw itself into an area of a figure.
pub trait Panel {
    /// Draws the chart; the error is the backend's message.
    fn draw(&self, area: &Area<'_>) -> std::result::Result<(), String>;
}

/// Most points a scatter plot draws: larger sets are shown as a seeded random sample of this
/// size, and the figure says so (more points only hide each other and cost drawing time).
pub const MAX_POINTS: usize = 5_000;

/// Most rows a figure's own model is fitted on (e.g. the two-feature model of a
/// decision-region plot): a seeded random sample of this size, so reports cost less than the
/// fit they illustrate.
pub const MAX_FIT_ROWS: usize = 20_000;

/// The seed reports use for their samples (fixed, so figures are reproducible).
pub const SAMPLE_SEED: u64 = 0x5EED;

pub use crate::rng::sample_rows;

/// The words a figure adds when it shows a sample of `n` points: empty when all are drawn.
pub fn points_note(n: usize) -> String {
    if n <= MAX_POINTS {
        String::new()
    } else {
        format!(" ({} of {} points)", thousands(MAX_POINTS), thousands(n))
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Default size of a single-panel report, in pixels.
pub const SIZE: (u32, u32) = (960, 640);

static FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();
/// The font family every report uses.
pub const FONT: &str = "sans-serif";

fn register_font() {
    REGISTER_FONT.call_once(|| {
        // Registration only fails on invalid font data, which is embedded and known good; if it
        // ever did, drawing text returns an error that `save` reports.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_DATA);
    });
}

/// The ten categorical colours of matplotlib's `tab10`, so classes look as Python users expect.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Colour number `i` of [`PALETTE`], cycling.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Draws `panel` into a PNG of `size` pixels at `path` (directories are created).
pub fn save(path: impl AsRef<Path>, size: (u32, u32), panel: &dyn Panel) -> Result<()> {
    save_grid(path, size, 1, &[panel])
}

/// Draws `panels` left to right, `columns` per row, into one PNG of `size` pixels.
pub fn save_grid(
    path: impl AsRef<Path>,
    size: (u32, u32),
    columns: usize,
    panels: &[&dyn Panel],
) -> Result<()> {
    let path = path.as_ref();
    let plot_error = |message: String| Error::Plot {
        path: path.to_path_buf(),
        message,
    };
    if panels.is_empty() || columns == 0 {
        return Err(plot_error("nothing to draw".into()));
    }
    if size.0 < 100 || size.1 < 100 {
        return Err(Error::invalid(
            "size",
            format!("{size:?}"),
            "at least 100×100 pixels",
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    register_font();
    let rows = panels.len().div_ceil(columns);
    written_atomically(path, |tmp| {
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(e.to_string()))?;
        let areas = root.split_evenly((rows, columns));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            panel.draw(area).map_err(plot_error)?;
        }
        root.present().map_err(|e| plot_error(e.to_string()))?;
        Ok(())
    })
}

/// Draws a picture into a temporary file next to `path` (same extension, so the encoder is the
/// same) with `draw`, then renames it onto `path`: a symbolic link planted at `path` is
/// replaced, never followed (a report cannot overwrite a file outside its folder), and a
/// drawing that fails leaves the previous picture as it was.
pub(crate) fn written_atomically(
    path: &Path,
    draw: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let tmp = crate::persist::temp_path_for(path);
    let drawn =
        draw(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if drawn.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    drawn
}

/// A `(min, max)` range covering `values` with 5% padding; a safe range for empty or flat data.
pub fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = if lo.abs() > 1e-12 {
            lo.abs() * 0.1
        } else {
            1.0
        };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}
