//! Built-in datasets, from the `linfa-datasets` crate and, for digits and breast cancer,
//! scikit-learn's copies (`sets/`; all shipped inside the crate, no download).

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

/// A numeric CSV shipped in the crate (a header, then rows of numbers, the target last).
fn shipped(text: &str, target: &str) -> Result<Dataset<usize>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let d = header.len().saturating_sub(1);
    let mut values = Vec::new();
    let mut targets = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let mut row = line.split(',');
        for _ in 0..d {
            let v = row.next().and_then(|v| v.parse::<f64>().ok());
            values.push(v.ok_or_else(|| crate::Error::numerical("built-in data", "bad value"))?);
        }
        let t = row.next().and_then(|v| v.parse::<usize>().ok());
        targets.push(t.ok_or_else(|| crate::Error::numerical("built-in data", "bad target"))?);
    }
    let x = ndarray::Array2::from_shape_vec((targets.len(), d), values)
        .map_err(|e| crate::Error::shape("built-in data", d, e))?;
    let mut data = Dataset::new(x, ndarray::Array1::from(targets))?.with_target_name(target);
    data.feature_names = header[..d].to_vec();
    Ok(data)
}

/// The handwritten digits of scikit-learn's `load_digits` (the UCI optical digits test set):
/// 1,797 images of 8 × 8 pixels with intensities 0–16, classes `"0"` to `"9"`.
pub fn digits() -> Result<Dataset<usize>> {
    let mut data = shipped(include_str!("sets/digits.csv"), "digit")?;
    data.class_names = (0..10).map(|d| d.to_string()).collect();
    Ok(data)
}

/// The Wisconsin diagnostic breast cancer data of scikit-learn's `load_breast_cancer`: 569
/// tumours, 30 measurements of their cell nuclei, classes `"malignant"` (0) and `"benign"` (1).
pub fn breast_cancer() -> Result<Dataset<usize>> {
    let mut data = shipped(include_str!("sets/breast_cancer.csv"), "diagnosis")?;
    data.class_names = vec!["malignant".into(), "benign".into()];
    Ok(data)
}
