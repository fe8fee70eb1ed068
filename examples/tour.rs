//! The tour: runs every learnkit algorithm end to end on built-in data, writes each PNG report
//! into `--out` (default `reports/`) and a single page, `reports/index.html`, that shows every
//! picture with a short explanation and the stage's metrics and timings.
//!
//! ```text
//! make tour                 # or: cargo run --release --features tch --example tour
//! make tour ARGS=--quick    # smaller settings, well under a minute (CI)
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use learnkit::cli;
use learnkit::report::{self, ScatterChart, Series};
use learnkit::Result;

#[derive(Parser, Debug)]
#[command(about = "Run every learnkit algorithm on built-in data and write reports/index.html")]
struct Args {
    /// Directory for the reports and index.html.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Seed for every randomised step.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Smaller settings so the whole tour finishes in well under a minute.
    #[arg(long)]
    quick: bool,
}

/// What one stage contributes to the page.
struct StageReport {
    title: String,
    explanation: String,
    images: Vec<(String, String)>,
    metrics: Vec<(String, String)>,
    seconds: f64,
}

struct Ctx<'a> {
    out: &'a Path,
    seed: u64,
    #[allow(dead_code)]
    quick: bool,
}

type StageFn = fn(&Ctx<'_>) -> Result<StageReport>;

fn stage_data(ctx: &Ctx<'_>) -> Result<StageReport> {
    let start = Instant::now();
    let iris = learnkit::data::iris()?;
    let (x, y) = (2, 3);
    let series = iris
        .class_names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let points = iris
                .records
                .rows()
                .into_iter()
                .zip(&iris.targets)
                .filter(|(_, &t)| t == c)
                .map(|(r, _)| (r[x], r[y]))
                .collect();
            Series::points(name.clone(), points, c)
        })
        .collect();
    let file = "data_iris.png";
    report::save(
        ctx.out.join(file),
        report::SIZE,
        &ScatterChart {
            title: "Iris: petal measurements by species".into(),
            x_label: format!("{} (cm)", iris.feature_names[x]),
            y_label: format!("{} (cm)", iris.feature_names[y]),
            series,
            regions: None,
        },
    )?;
    let _ = ctx.seed;
    Ok(StageReport {
        title: "Data: the iris flowers".into(),
        explanation: "Every algorithm starts from data. Fisher's iris (150 flowers, 4 \
            measurements, 3 species) ships with learnkit; two petal measurements already \
            separate setosa from the others, while versicolor and virginica overlap a little — \
            the part the classifiers below have to learn."
            .into(),
        images: vec![(file.into(), "Petal length against petal width, one colour per species.".into())],
        metrics: vec![
            ("samples".into(), iris.n_samples().to_string()),
            ("features".into(), iris.n_features().to_string()),
            ("classes".into(), iris.n_classes().to_string()),
        ],
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn write_index(out: &Path, stages: &[StageReport], total: f64) -> Result<PathBuf> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>learnkit tour</title><style>\
         body{{font-family:sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222}}\
         section{{border-top:1px solid #ddd;padding:1em 0}}\
         img{{max-width:100%;border:1px solid #eee}} figure{{margin:1em 0}}\
         figcaption{{color:#555;font-size:0.9em}}\
         table{{border-collapse:collapse}} td,th{{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}}\
         </style></head><body>\n<h1>learnkit tour</h1>\n\
         <p>Every algorithm of learnkit, run end to end on built-in data. Total time {total:.1} s.</p>\n"
    );
    for stage in stages {
        let _ = write!(
            html,
            "<section><h2>{}</h2><p>{}</p>\n<table><tr><th>metric</th><th>value</th></tr>",
            escape(&stage.title),
            escape(&stage.explanation)
        );
        for (k, v) in &stage.metrics {
            let _ = write!(html, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
        }
        let _ = write!(
            html,
            "<tr><td>stage time</td><td>{:.2} s</td></tr></table>\n",
            stage.seconds
        );
        for (file, caption) in &stage.images {
            let _ = write!(
                html,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
                escape(file),
                escape(caption),
                escape(caption)
            );
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body></html>\n");
    let path = out.join("index.html");
    learnkit::persist::write_atomic(&path, |w| {
        use std::io::Write;
        w.write_all(html.as_bytes())
    })?;
    Ok(path)
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::run(|| {
        let ctx = Ctx {
            out: &args.out,
            seed: args.seed,
            quick: args.quick,
        };
        let stages: Vec<(&str, StageFn)> = vec![("data", stage_data)];
        let start = Instant::now();
        let mut reports = Vec::new();
        for (name, run) in stages {
            let bar = ProgressBar::new_spinner().with_message(format!("tour: {name}"));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            let report = run(&ctx)?;
            bar.finish_with_message(format!("tour: {name} done in {:.2} s", report.seconds));
            reports.push(report);
        }
        let index = write_index(&args.out, &reports, start.elapsed().as_secs_f64())?;
        println!("wrote {}", index.display());
        Ok(())
    })
}
