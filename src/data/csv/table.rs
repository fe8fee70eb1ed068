//! A parsed table becoming a dataset: class labels sorted as scikit-learn sorts them, numeric
//! targets checked, features moved rather than copied.

use std::collections::BTreeSet;

use ndarray::{Array1, Array2};

use super::{parse_error, shown, Table, TargetColumn};
use crate::dataset::{Dataset, Records};
use crate::error::Result;

/// The label a numeric cell stands for: the number written the shortest way (`1`, `1.0` and
/// `1e0` are all `1`; `-0` is `0`), so numeric class labels compare as numbers.
/// Integers are read exactly, not through f64 (where 2^53 and 2^53 + 1 are one number, and
/// two classes would merge).
fn numeric_label(cell: &str) -> Option<String> {
    if let Ok(i) = cell.parse::<i128>() {
        return Some(i.to_string());
    }
    let v: f64 = cell.parse().ok()?;
    v.is_finite().then(|| format!("{}", v + 0.0))
}

/// Distinct cells up to which a short list is searched rather than a hash map.
const FEW_CELLS: usize = 32;

/// The distinct cells of `values`, in order of first appearance. A class column holds few: they
/// are looked up in a short list (a million cells cost a few milliseconds), and in a hash set
/// only past [`FEW_CELLS`] of them.
fn distinct(values: &[String]) -> Vec<&str> {
    let mut few: Vec<&str> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !few.contains(&v.as_str()) {
            few.push(v);
            if few.len() > FEW_CELLS {
                let mut seen: std::collections::HashSet<&str> = few.iter().copied().collect();
                few.extend(
                    values[i + 1..]
                        .iter()
                        .map(String::as_str)
                        .filter(|v| seen.insert(v)),
                );
                break;
            }
        }
    }
    few
}

/// The distinct labels sorted as scikit-learn's `np.unique` would: numerically when every label
/// is a number (and then compared as numbers: `1` and `1.0` are one class, named `1`),
/// otherwise as strings.
fn sorted_labels(values: &[String]) -> Vec<String> {
    let unique: BTreeSet<&str> = distinct(values).into_iter().collect();
    // Sorted by value; integers that one f64 cannot tell apart, by their exact value.
    let numeric: Option<Vec<(f64, Option<i128>, String)>> = unique
        .iter()
        .map(|l| numeric_label(l).and_then(|c| Some((c.parse::<f64>().ok()?, c.parse().ok(), c))))
        .collect();
    match numeric {
        Some(mut pairs) => {
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            pairs.dedup_by(|a, b| a.2 == b.2);
            pairs.into_iter().map(|(_, _, l)| l).collect()
        }
        None => unique.into_iter().map(str::to_string).collect(),
    }
}

/// The classes of a target column given its distinct cells (any order), sorted as
/// [`Table::classification`] sorts them, and each cell's class index.
pub(crate) fn class_map(cells: &[String]) -> (Vec<String>, Vec<usize>) {
    let classes = sorted_labels(cells);
    let numeric = !classes.is_empty() && classes.iter().all(|c| numeric_label(c).is_some());
    let index = cells
        .iter()
        .map(|cell| {
            let key = if numeric { numeric_label(cell) } else { None };
            let key = key.as_deref().unwrap_or(cell);
            classes.iter().position(|c| c == key).unwrap_or(0)
        })
        .collect();
    (classes, index)
}

/// Whether the distinct cells of a target column look like a regression target, as
/// [`Table::target_looks_continuous`] decides (every cell a number, and one with a fraction or
/// more than 20 distinct values).
pub(crate) fn cells_look_continuous(cells: &[String]) -> bool {
    let nums: Option<Vec<f64>> = cells.iter().map(|v| v.parse().ok()).collect();
    match nums {
        None => false,
        Some(nums) => {
            let distinct: BTreeSet<u64> = nums.iter().map(|v| v.to_bits()).collect();
            nums.iter().any(|v| v.fract() != 0.0) || distinct.len() > 20
        }
    }
}

/// A table's features, their names and its target's name, for a dataset.
struct Parts {
    features: Array2<f64>,
    feature_names: Vec<String>,
    target_name: Option<String>,
}

impl Parts {
    /// `data` (built from the features) with the feature and target names.
    fn named<T: Clone>(
        data: Dataset<T>,
        feature_names: Vec<String>,
        target_name: Option<String>,
    ) -> Result<Dataset<T>> {
        let data = data.with_feature_names(feature_names)?;
        Ok(match target_name {
            Some(name) => data.with_target_name(name),
            None => data,
        })
    }

    fn classes(self, targets: Array1<usize>, classes: &[String]) -> Result<Dataset<usize>> {
        let data = Dataset::classification(self.features, targets, classes.to_vec())?;
        Self::named(data, self.feature_names, self.target_name)
    }

    fn values(self, targets: Array1<f64>) -> Result<Dataset<f64>> {
        let data = Dataset::new(self.features, targets)?;
        Self::named(data, self.feature_names, self.target_name)
    }
}

impl Table {
    fn target_column(&self) -> Result<&TargetColumn> {
        self.target.as_ref().ok_or_else(|| {
            parse_error(
                &self.path,
                1,
                None,
                "no target column was chosen; pass the target column's name",
            )
        })
    }

    /// The features only, for unsupervised learning, moved out of the table (no copy).
    pub fn into_records(self) -> Records {
        Records {
            records: self.features,
            feature_names: self.feature_names,
        }
    }

    /// The features only, for unsupervised learning.
    pub fn records(&self) -> Records {
        Records {
            records: self.features.clone(),
            feature_names: self.feature_names.clone(),
        }
    }

    /// A classification dataset; classes are the distinct target values, sorted (numerically
    /// when all are numbers).
    pub fn classification(&self) -> Result<Dataset<usize>> {
        let column = self.target_column()?;
        let classes = sorted_labels(&column.values);
        self.classification_with(&classes)
    }

    /// A classification dataset using a known class list (the training set's), so a test file
    /// maps labels to the same indices. A label outside `classes` is an
    /// [`crate::Error::Parse`] naming the line.
    pub fn classification_with(&self, classes: &[String]) -> Result<Dataset<usize>> {
        let targets = self.class_targets(classes)?;
        self.clone_parts().classes(targets, classes)
    }

    /// [`Table::classification`], moving the features out of the table instead of copying
    /// them (a million rows of 20 features: 160 MB not copied).
    pub fn into_classification(self) -> Result<Dataset<usize>> {
        let classes = sorted_labels(&self.target_column()?.values);
        self.into_classification_with(&classes)
    }

    /// [`Table::classification_with`], moving the features out of the table.
    pub fn into_classification_with(self, classes: &[String]) -> Result<Dataset<usize>> {
        let targets = self.class_targets(classes)?;
        self.into_parts().classes(targets, classes)
    }

    /// [`Table::regression`], moving the features out of the table.
    pub fn into_regression(self) -> Result<Dataset<f64>> {
        let targets = self.real_targets()?;
        self.into_parts().values(targets)
    }

    /// Copies of the features, their names and the target's name.
    fn clone_parts(&self) -> Parts {
        Parts {
            features: self.features.clone(),
            feature_names: self.feature_names.clone(),
            target_name: self.target.as_ref().map(|t| t.name.clone()),
        }
    }

    /// The features, their names and the target's name, moved out.
    fn into_parts(self) -> Parts {
        Parts {
            features: self.features,
            feature_names: self.feature_names,
            target_name: self.target.map(|t| t.name),
        }
    }

    /// The class index of every target cell (an error names the line of an unknown label).
    fn class_targets(&self, classes: &[String]) -> Result<Array1<usize>> {
        let column = self.target_column()?;
        // Numeric classes match numeric cells by value; a memo keeps this one lookup per
        // distinct cell text.
        let numeric = !classes.is_empty() && classes.iter().all(|c| numeric_label(c).is_some());
        let class_of = |value: &str| {
            let key = if numeric { numeric_label(value) } else { None };
            let key = key.as_deref().unwrap_or(value);
            classes.iter().position(|c| c == key)
        };
        // Each distinct cell text is looked up once; a few are then found in a short list,
        // more in a hash map.
        let known: Vec<(&str, Option<usize>)> = distinct(&column.values)
            .into_iter()
            .map(|v| (v, class_of(v)))
            .collect();
        let many = known.len() > FEW_CELLS;
        let memo: std::collections::HashMap<&str, Option<usize>> = match many {
            true => known.iter().copied().collect(),
            false => Default::default(),
        };
        let mut targets = Vec::with_capacity(column.values.len());
        for (value, &line) in column.values.iter().zip(&column.lines) {
            let class = match many {
                false => known.iter().find(|(v, _)| *v == value).map(|&(_, c)| c),
                true => memo.get(value.as_str()).copied(),
            }
            .flatten();
            match class {
                Some(i) => targets.push(i),
                None => {
                    return Err(parse_error(
                        &self.path,
                        line,
                        Some(&column.name),
                        format!(
                            "unknown label `{}`; the known classes are {}",
                            shown(value),
                            classes
                                .iter()
                                .map(|c| shown(c))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(Array1::from(targets))
    }

    /// A regression dataset; every target cell must be a finite number.
    pub fn regression(&self) -> Result<Dataset<f64>> {
        let targets = self.real_targets()?;
        self.clone_parts().values(targets)
    }

    /// Every target cell as a finite number (an error names the line of any other).
    fn real_targets(&self) -> Result<Array1<f64>> {
        let column = self.target_column()?;
        let mut targets = Vec::with_capacity(column.values.len());
        for (value, &line) in column.values.iter().zip(&column.lines) {
            match value.parse::<f64>() {
                Ok(v) if v.is_finite() => targets.push(v),
                _ => {
                    return Err(parse_error(
                        &self.path,
                        line,
                        Some(&column.name),
                        format!(
                            "`{}` is not a finite number (a regression target must be)",
                            shown(value)
                        ),
                    ))
                }
            }
        }
        Ok(Array1::from(targets))
    }

    /// True when every target cell is a number with a fractional part or there are many distinct
    /// values — a hint that the target is a regression target (used by `--task auto`).
    pub fn target_looks_continuous(&self) -> bool {
        let Some(column) = &self.target else {
            return false;
        };
        // Few distinct cells (a class column) are checked once each; past 20 it is regression
        // if every cell is a number.
        let cells = distinct(&column.values);
        let nums: Option<Vec<f64>> = match cells.len() > 20 {
            false => cells.iter().map(|v| v.parse().ok()).collect(),
            true => column.values.iter().map(|v| v.parse().ok()).collect(),
        };
        match nums {
            None => false,
            Some(nums) => {
                let distinct: BTreeSet<u64> = nums.iter().map(|v| v.to_bits()).collect();
                nums.iter().any(|v| v.fract() != 0.0) || distinct.len() > 20
            }
        }
    }
}
