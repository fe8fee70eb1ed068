//! Built-in datasets, from the `linfa-datasets` crate (shipped inside the crate, no download).

use crate::dataset::Dataset;
use crate::error::Result;

/// Fisher's iris: 150 flowers, 4 measurements (cm), 3 species.
pub fn iris() -> Result<Dataset<usize>> {
    let mut data = Dataset::try_from(linfa_datasets::iris())?.with_target_name("species");
    data.class_names = vec!["setosa".into(), "versicolor".into(), "virginica".into()];
    Ok(data)
}

/// The diabetes regression data (10 standardised baseline variables, disease progression after
/// one year), as in scikit-learn's `load_diabetes` — but 441 patients, not 442: linfa-datasets
/// reads the first data row (and its target) as a header, so the first patient is missing.
pub fn diabetes() -> Result<Dataset<f64>> {
    Ok(Dataset::try_from(linfa_datasets::diabetes())?.with_target_name("progression"))
}

/// Red wine quality (1599 wines, 11 physico-chemical features); the target is the quality
/// score as a class, named by its score (`"3"` to `"8"`, the scores that occur).
pub fn winequality() -> Result<Dataset<usize>> {
    let mut data = Dataset::try_from(linfa_datasets::winequality())?.with_target_name("quality");
    let present: std::collections::BTreeSet<usize> = data.targets.iter().copied().collect();
    let scores: Vec<usize> = present.into_iter().collect();
    data.targets
        .mapv_inplace(|t| scores.iter().position(|&s| s == t).unwrap_or(0));
    data.class_names = scores.iter().map(|s| s.to_string()).collect();
    Ok(data)
}

/// Iris reduced to its two petal measurements (the classic 2-D picture for decision regions).
pub fn iris_petals() -> Result<Dataset<usize>> {
    iris()?.select_features(&[2, 3])
}
