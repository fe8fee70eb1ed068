//! Figures of the unsupervised models: the elbow curve, clusters and PCA projections, the scree
//! plot.

use std::path::Path;

use ndarray::{Array1, ArrayView2, Axis};

use super::class_series;
use crate::cluster::{ElbowResult, FittedKMeans};
use crate::dataset::Dataset;
use crate::decomposition::{Components, FittedPca, Pca};
use crate::error::Result;
use crate::report::{
    points_note, sample_rows, save, save_grid, LineChart, ScatterChart, Series, MAX_FIT_ROWS,
    MAX_POINTS, SAMPLE_SEED, SIZE,
};
use crate::traits::{Estimator, Transform};

/// The elbow method's two curves side by side: inertia against k with the chosen elbow, and the
/// silhouette against k with the best k and the 0.5 "clear structure" line.
pub fn elbow(path: impl AsRef<Path>, result: &ElbowResult) -> Result<()> {
    let inertia: Vec<(f64, f64)> = result
        .ks
        .iter()
        .zip(&result.inertia)
        .map(|(&k, &v)| (k as f64, v))
        .collect();
    let chosen = match result.chosen_k {
        Some(k) => Series::crosses(format!("elbow: k = {k}"), vec![inertia[k - 1]]),
        None => Series::crosses("no clear elbow", Vec::new()),
    };
    let silhouette: Vec<(f64, f64)> = result
        .ks
        .iter()
        .zip(&result.silhouette)
        .filter_map(|(&k, s)| s.map(|s| (k as f64, s)))
        .collect();
    let best = result.best_silhouette_k;
    let best_point = silhouette
        .iter()
        .copied()
        .filter(|p| p.0 == best as f64)
        .collect();
    let title = match result.chosen_k {
        Some(k) => format!("Elbow method: k = {k}"),
        None => "Elbow method: no clear elbow".to_string(),
    };
    save_grid(
        path,
        (1400, 600),
        2,
        &[
            &LineChart {
                title,
                x_label: "number of clusters k".into(),
                y_label: "inertia (sum of squared distances)".into(),
                series: vec![Series::line("inertia", inertia, 0), chosen],
                y_range: None,
            },
            &LineChart {
                title: "Silhouette score".into(),
                x_label: "number of clusters k".into(),
                y_label: "mean silhouette (−1 to 1)".into(),
                series: vec![
                    Series::line("silhouette", silhouette, 2),
                    Series::crosses(format!("best: k = {best}"), best_point),
                    Series::reference(
                        "clear-structure threshold (0.5)",
                        vec![(2.0, 0.5), (result.ks.len() as f64, 0.5)],
                    ),
                ],
                y_range: Some((-0.1, 1.0)),
            },
        ],
    )
}

/// A 2-component PCA for a figure: fitted on a seeded sample of at most [`MAX_FIT_ROWS`] rows
/// (the figure's own model, cheap at any size).
fn plane(x: ArrayView2<'_, f64>, seed: u64) -> Result<FittedPca> {
    let rows = sample_rows(x.nrows(), MAX_FIT_ROWS, seed);
    Pca::params()
        .n_components(Components::Count(2))
        .fit(&x.select(Axis(0), &rows))
}

fn axis_label(pca: &FittedPca, i: usize) -> String {
    format!(
        "PC{} ({:.1}% of variance)",
        i + 1,
        100.0 * pca.explained_variance_ratio()[i]
    )
}

/// K-means clusters in the plane of the first two principal components, one colour per
/// cluster, the centres as crosses. Needs at least two features.
pub fn clusters(
    path: impl AsRef<Path>,
    x: ArrayView2<'_, f64>,
    model: &FittedKMeans,
    seed: u64,
) -> Result<()> {
    let pca = plane(x, seed)?;
    // Only the points drawn are projected (the sample `class_series` would draw).
    let shown = sample_rows(x.nrows(), MAX_POINTS, SAMPLE_SEED);
    let z = pca.transform(&x.select(Axis(0), &shown))?;
    let labels = model.labels().select(Axis(0), &shown);
    let centres = pca.transform(model.centres())?;
    let k = model.centres().nrows();
    let names: Vec<String> = (0..k).map(|c| format!("cluster {c}")).collect();
    let mut series = class_series(z.view(), labels.view(), &names);
    series.push(Series::crosses(
        "centres",
        centres.rows().into_iter().map(|r| (r[0], r[1])).collect(),
    ));
    save(
        path,
        SIZE,
        &ScatterChart {
            title: format!(
                "K-means with k = {k} in the first two principal components{}",
                points_note(x.nrows())
            ),
            x_label: axis_label(&pca, 0),
            y_label: axis_label(&pca, 1),
            series,
            regions: None,
        },
    )
}

/// The scree plot: the explained-variance ratio of each component and their running total,
/// with the 95% line.
pub fn scree(path: impl AsRef<Path>, source: &str, ratio: &[f64]) -> Result<()> {
    let per: Vec<(f64, f64)> = ratio
        .iter()
        .enumerate()
        .map(|(i, &r)| ((i + 1) as f64, r))
        .collect();
    let running: Vec<(f64, f64)> = ratio
        .iter()
        .scan(0.0, |total, r| {
            *total += r;
            Some(*total)
        })
        .enumerate()
        .map(|(i, c)| ((i + 1) as f64, c))
        .collect();
    let n = (ratio.len() as f64).max(2.0);
    save(
        path,
        SIZE,
        &LineChart {
            title: format!("PCA scree plot ({source})"),
            x_label: "principal component".into(),
            y_label: "share of the total variance".into(),
            series: vec![
                Series::line("explained-variance ratio", per.clone(), 0),
                Series::points("", per, 0),
                Series::line("cumulative", running, 1),
                Series::reference("95% of the variance", vec![(1.0, 0.95), (n, 0.95)]),
            ],
            y_range: Some((0.0, 1.05)),
        },
    )
}

/// The records projected on their first two principal components, coloured by class when
/// `labels` are given. Uses `pca` when it kept at least two components (a 2-component fit has
/// the same axes), else a 2-component fit on a seeded sample.
pub fn projection(
    path: impl AsRef<Path>,
    source: &str,
    x: ArrayView2<'_, f64>,
    pca: &FittedPca,
    labels: Option<&Dataset<usize>>,
    seed: u64,
) -> Result<()> {
    let own;
    let two = if pca.n_components() >= 2 {
        pca
    } else {
        own = plane(x, seed)?;
        &own
    };
    // Only the points drawn are projected (the sample `class_series` would draw).
    let shown = sample_rows(x.nrows(), MAX_POINTS, SAMPLE_SEED);
    let z = two.transform(&x.select(Axis(0), &shown))?;
    let (names, targets) = match labels {
        Some(l) => (
            l.class_names_or_default(),
            l.targets.select(Axis(0), &shown),
        ),
        None => (vec!["samples".to_string()], Array1::zeros(shown.len())),
    };
    save(
        path,
        SIZE,
        &ScatterChart {
            title: format!(
                "PCA: {source} projected on the first two components{}",
                points_note(x.nrows())
            ),
            x_label: axis_label(two, 0),
            y_label: axis_label(two, 1),
            series: class_series(z.view(), targets.view(), &names),
            regions: None,
        },
    )
}
