//! The chart types: [`LineChart`], [`ScatterChart`], [`BarChart`], [`HeatMap`].

use ndarray::Array2;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{color, padded_range, Area, Panel, FONT};

type DrawResult = std::result::Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A solid line through the points.
    Line,
    /// A thin dashed line (reference lines, thresholds).
    Dashed,
    /// Filled dots.
    Points,
    /// Large crosses (cluster centres, chosen points).
    Crosses,
    /// A pale filled polygon (a ± one standard deviation band): the points run along the
    /// upper edge and back along the lower one.
    Band,
}

/// A named set of points, drawn as a line, dots or crosses.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label; an empty name is left out of the legend.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// How to draw them.
    pub mark: Mark,
    /// Colour index into [`super::PALETTE`]; `None` draws in black.
    pub color: Option<usize>,
}

impl Series {
    /// A solid line in palette colour `color`.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>, color: usize) -> Self {
        Self {
            name: name.into(),
            points,
            mark: Mark::Line,
            color: Some(color),
        }
    }

    /// Dots in palette colour `color`.
    pub fn points(name: impl Into<String>, points: Vec<(f64, f64)>, color: usize) -> Self {
        Self {
            name: name.into(),
            points,
            mark: Mark::Points,
            color: Some(color),
        }
    }

    /// A black dashed reference line.
    pub fn reference(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
            mark: Mark::Dashed,
            color: None,
        }
    }

    /// Black crosses (centres, marked points).
    pub fn crosses(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
            mark: Mark::Crosses,
            color: None,
        }
    }

    /// A pale band between `lower` and `upper` (same x values) in palette colour `color`.
    pub fn band(
        name: impl Into<String>,
        lower: &[(f64, f64)],
        upper: &[(f64, f64)],
        color: usize,
    ) -> Self {
        Self {
            name: name.into(),
            points: upper.iter().chain(lower.iter().rev()).copied().collect(),
            mark: Mark::Band,
            color: Some(color),
        }
    }

    fn rgb(&self) -> RGBColor {
        self.color.map_or(BLACK, color)
    }
}

/// Class regions on a regular grid, drawn as a pale background (decision regions).
#[derive(Debug, Clone)]
pub struct Regions {
    /// Horizontal extent of the grid.
    pub x_range: (f64, f64),
    /// Vertical extent of the grid.
    pub y_range: (f64, f64),
    /// Class per cell: `classes[(row, col)]`, row 0 at the bottom (lowest y).
    pub classes: Array2<usize>,
}

/// A line chart (learning curves, elbow curves, OOB error against trees).
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Vertical axis label.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Fixed vertical range; `None` fits the data.
    pub y_range: Option<(f64, f64)>,
}

/// A scatter plot (points coloured by class), optionally over decision regions.
#[derive(Debug, Clone, Default)]
pub struct ScatterChart {
    /// Title above the chart.
    pub title: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Vertical axis label.
    pub y_label: String,
    /// Point groups and reference lines.
    pub series: Vec<Series>,
    /// Pale class regions drawn underneath.
    pub regions: Option<Regions>,
}

fn xy_ranges(series: &[Series], regions: Option<&Regions>) -> ((f64, f64), (f64, f64)) {
    if let Some(r) = regions {
        return (r.x_range, r.y_range);
    }
    let xs = padded_range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let ys = padded_range(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    (xs, ys)
}

/// A tick label without trailing zeros ("2" not "2.0"); on integer axes, blank between integers.
fn tick_label(v: f64, integers_only: bool) -> String {
    if integers_only {
        return if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round() as i64)
        } else {
            String::new()
        };
    }
    let magnitude = v.abs();
    // A tick meant to be 0 can come out as ±2e-16 from the axis arithmetic.
    if magnitude < 1e-12 {
        return "0".to_string();
    }
    if !(1e-3..1e6).contains(&magnitude) {
        return format!("{v:.1e}");
    }
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

fn legend_glyph<'b>(
    mark: Mark,
    c: RGBColor,
    x: i32,
    y: i32,
) -> DynElement<'static, BitMapBackend<'b>, (i32, i32)> {
    match mark {
        Mark::Line | Mark::Dashed => {
            PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)).into_dyn()
        }
        Mark::Points => Circle::new((x + 10, y), 4, c.filled()).into_dyn(),
        Mark::Crosses => Cross::new((x + 10, y), 5, c.stroke_width(3)).into_dyn(),
        Mark::Band => {
            Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.mix(0.25).filled()).into_dyn()
        }
    }
}

/// An x–y chart of `series` (over decision `regions` when given), with the horizontal ticks at
/// positions 1, 2, … named `x_names` when given.
fn draw_xy(
    area: &Area<'_>,
    title: &str,
    labels: (&str, &str),
    series: &[Series],
    regions: Option<&Regions>,
    y_override: Option<(f64, f64)>,
    x_names: Option<&[String]>,
) -> DrawResult {
    let ((x0, x1), (mut y0, mut y1)) = xy_ranges(series, regions);
    if let Some((lo, hi)) = y_override {
        (y0, y1) = (lo, hi);
    }
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 22))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let integer_x = series
        .iter()
        .flat_map(|s| s.points.iter())
        .all(|p| p.0.fract() == 0.0)
        && x1 - x0 <= 60.0
        && regions.is_none();
    let x_fmt = move |v: &f64| match x_names {
        // Position k carries the k-th name; ticks between positions stay blank.
        Some(names) => {
            let k = v.round();
            match (k >= 1.0 && (v - k).abs() < 1e-6).then(|| names.get(k as usize - 1)) {
                Some(Some(name)) => crate::data::shown_up_to(name, 12),
                _ => String::new(),
            }
        }
        None => tick_label(*v, integer_x),
    };
    let y_fmt = |v: &f64| tick_label(*v, false);
    let n_x_labels = x_names.map_or(10, |n| n.len().clamp(2, 30));
    chart
        .configure_mesh()
        .x_labels(n_x_labels)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(labels.0)
        .y_desc(labels.1)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .max_light_lines(2)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(err)?;

    if let Some(r) = regions {
        let (rows, cols) = r.classes.dim();
        let dx = (r.x_range.1 - r.x_range.0) / cols.max(1) as f64;
        let dy = (r.y_range.1 - r.y_range.0) / rows.max(1) as f64;
        chart
            .draw_series(r.classes.indexed_iter().map(|((i, j), &c)| {
                let xa = r.x_range.0 + j as f64 * dx;
                let ya = r.y_range.0 + i as f64 * dy;
                Rectangle::new([(xa, ya), (xa + dx, ya + dy)], color(c).mix(0.22).filled())
            }))
            .map_err(err)?;
    }

    let mut legend = false;
    for s in series {
        let c = s.rgb();
        let drawn = match s.mark {
            Mark::Line => chart
                .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))
                .map_err(err)?,
            Mark::Dashed => chart
                .draw_series(DashedLineSeries::new(
                    s.points.iter().copied(),
                    8,
                    5,
                    c.stroke_width(2),
                ))
                .map_err(err)?,
            Mark::Points => chart
                .draw_series(
                    s.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, c.mix(0.75).filled())),
                )
                .map_err(err)?,
            Mark::Crosses => chart
                .draw_series(
                    s.points
                        .iter()
                        .map(|&p| Cross::new(p, 9, c.stroke_width(4))),
                )
                .map_err(err)?,
            Mark::Band => chart
                .draw_series(std::iter::once(Polygon::new(
                    s.points.clone(),
                    c.mix(0.2).filled(),
                )))
                .map_err(err)?,
        };
        if !s.name.is_empty() {
            legend = true;
            let mark = s.mark;
            drawn
                .label(s.name.as_str())
                .legend(move |(x, y)| legend_glyph(mark, c, x, y));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(150, 150, 150))
            .position(legend_corner(series, (x0, x1), (y0, y1)))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// The corner of the plot whose legend-sized box covers the fewest data points (line series
/// count the points along their segments), so the legend hides as little as possible.
fn legend_corner(series: &[Series], xs: (f64, f64), ys: (f64, f64)) -> SeriesLabelPosition {
    let (w, h) = ((xs.1 - xs.0).max(1e-300), (ys.1 - ys.0).max(1e-300));
    let mut counts = [0usize; 4]; // upper-right, upper-left, lower-right, lower-left
    let mut add = |x: f64, y: f64| {
        let (u, v) = ((x - xs.0) / w, (y - ys.0) / h);
        let (right, left, top, bottom) = (u > 0.62, u < 0.38, v > 0.72, v < 0.28);
        counts[0] += usize::from(right && top);
        counts[1] += usize::from(left && top);
        counts[2] += usize::from(right && bottom);
        counts[3] += usize::from(left && bottom);
    };
    for s in series {
        for pair in s.points.windows(2) {
            let ((xa, ya), (xb, yb)) = (pair[0], pair[1]);
            let steps = if matches!(s.mark, Mark::Line | Mark::Dashed) {
                8
            } else {
                1
            };
            for k in 0..steps {
                let t = k as f64 / steps as f64;
                add(xa + t * (xb - xa), ya + t * (yb - ya));
            }
        }
        if let Some(&(x, y)) = s.points.last() {
            add(x, y);
        }
    }
    match (0..4).min_by_key(|&i| (counts[i], i)).unwrap_or(0) {
        0 => SeriesLabelPosition::UpperRight,
        1 => SeriesLabelPosition::UpperLeft,
        2 => SeriesLabelPosition::LowerRight,
        _ => SeriesLabelPosition::LowerLeft,
    }
}

impl Panel for LineChart {
    fn draw(&self, area: &Area<'_>) -> DrawResult {
        draw_xy(
            area,
            &self.title,
            (&self.x_label, &self.y_label),
            &self.series,
            None,
            self.y_range,
            None,
        )
    }
}

/// A line chart whose points sit at positions 1, 2, … that stand for values which are not all
/// numbers (`none`, a word): the ticks carry the values' names.
#[derive(Debug, Clone, Default)]
pub struct NamedLineChart {
    /// The chart; its series' x values are the positions.
    pub chart: LineChart,
    /// The name of position k at index k − 1.
    pub x_names: Vec<String>,
}

impl Panel for NamedLineChart {
    fn draw(&self, area: &Area<'_>) -> DrawResult {
        let c = &self.chart;
        draw_xy(
            area,
            &c.title,
            (&c.x_label, &c.y_label),
            &c.series,
            None,
            c.y_range,
            Some(&self.x_names),
        )
    }
}

impl Panel for ScatterChart {
    fn draw(&self, area: &Area<'_>) -> DrawResult {
        draw_xy(
            area,
            &self.title,
            (&self.x_label, &self.y_label),
            &self.series,
            self.regions.as_ref(),
            None,
            None,
        )
    }
}

/// Horizontal bars with one named category per bar (feature importances, coefficients).
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// Title above the chart.
    pub title: String,
    /// Label of the value axis.
    pub value_label: String,
    /// Category names, drawn top to bottom.
    pub labels: Vec<String>,
    /// One value per category (may be negative).
    pub values: Vec<f64>,
}

impl Panel for BarChart {
    fn draw(&self, area: &Area<'_>) -> DrawResult {
        let n = self.labels.len().min(self.values.len());
        if n == 0 {
            return Err("a bar chart needs at least one bar".into());
        }
        let (lo, hi) = padded_range(self.values[..n].iter().copied().chain([0.0]));
        let longest = self
            .labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(1);
        let labels = &self.labels;
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 22))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size((longest as u32 * 8 + 20).clamp(60, 260))
            .build_cartesian_2d(lo..hi, (0..n - 1).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(self.value_label.as_str())
            .y_labels(n)
            .y_label_formatter(&|v: &SegmentValue<usize>| match v {
                // Bars are listed top to bottom: bar i sits in segment n − 1 − i.
                SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - i].clone(),
                _ => String::new(),
            })
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .disable_y_mesh()
            .max_light_lines(2)
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(self.values[..n].iter().enumerate().map(|(i, &v)| {
                let seg = n - 1 - i;
                let fill = if v >= 0.0 { color(0) } else { color(3) };
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(seg)),
                        (v, SegmentValue::Exact(seg + 1)),
                    ],
                    fill.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(err)?;
        Ok(())
    }
}

/// A grid of coloured cells with optional text in each (confusion matrices, Q-value maps).
#[derive(Debug, Clone, Default)]
pub struct HeatMap {
    /// Title above the chart.
    pub title: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Vertical axis label.
    pub y_label: String,
    /// Column names, left to right.
    pub x_labels: Vec<String>,
    /// Row names, top to bottom.
    pub y_labels: Vec<String>,
    /// Cell values, `values[(row, col)]` with row 0 at the top; NaN cells are drawn grey.
    pub values: Array2<f64>,
    /// Text per cell; `None` prints the values.
    pub cell_text: Option<Array2<String>>,
}

/// A viridis-like colour for `t` in `[0, 1]`.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |u: f64, v: f64| (u + (v - u) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn format_cell(v: f64) -> String {
    if (v.fract() == 0.0 && v.abs() < 1e9) || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

impl Panel for HeatMap {
    fn draw(&self, area: &Area<'_>) -> DrawResult {
        let (rows, cols) = self.values.dim();
        if rows == 0 || cols == 0 {
            return Err("a heat map needs at least one cell".into());
        }
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (xl, yl) = (&self.x_labels, &self.y_labels);
        let longest = yl.iter().map(|l| l.chars().count()).max().unwrap_or(1);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 22))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size((longest as u32 * 8 + 40).clamp(60, 240))
            .build_cartesian_2d(
                (0..cols - 1).into_segmented(),
                (0..rows - 1).into_segmented(),
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(cols)
            .y_labels(rows)
            .x_label_formatter(&|v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(j) if *j < cols => {
                    xl.get(*j).cloned().unwrap_or_else(|| j.to_string())
                }
                _ => String::new(),
            })
            .y_label_formatter(&|v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(i) if *i < rows => yl
                    .get(rows - 1 - i)
                    .cloned()
                    .unwrap_or_else(|| (rows - 1 - i).to_string()),
                _ => String::new(),
            })
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(err)?;
        let cell_font = (FONT, (360 / rows.max(cols)).clamp(10, 22) as f64).into_font();
        for ((i, j), &v) in self.values.indexed_iter() {
            let seg = rows - 1 - i;
            let t = (v - lo) / span;
            // Non-finite cells (walls, holes, ...) are drawn neutral grey.
            let fill = if v.is_finite() {
                viridis(t)
            } else {
                RGBColor(215, 215, 215)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(j), SegmentValue::Exact(seg)),
                        (SegmentValue::Exact(j + 1), SegmentValue::Exact(seg + 1)),
                    ],
                    fill.filled(),
                )))
                .map_err(err)?;
            let text = match &self.cell_text {
                Some(t) => t.get((i, j)).cloned().unwrap_or_default(),
                None if rows * cols <= 400 => format_cell(v),
                None => String::new(),
            };
            if !text.is_empty() {
                let ink = if t > 0.6 || !v.is_finite() {
                    BLACK
                } else {
                    WHITE
                };
                let style = cell_font
                    .clone()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (SegmentValue::CenterOf(j), SegmentValue::CenterOf(seg)),
                        style,
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}
