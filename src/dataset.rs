//! Data as it travels through learnkit: records, optional targets, and the names that reports
//! print.
//!
//! [`Dataset<T>`] is the supervised container (`T = usize` class indices for classification,
//! `T = f64` for regression); [`Records`] is the unsupervised one. Both convert from linfa's
//! `DatasetBase` and from plain ndarray arrays, and keep feature names (and class names) so
//! that reports can label their axes and bars.

use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Axis, Ix1, Ix2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::validate;

/// Records with one target per row, plus feature (and class) names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset<T> {
    /// The feature matrix, one sample per row.
    pub records: Array2<f64>,
    /// One target per row: a class index (classification) or a real value (regression).
    pub targets: Array1<T>,
    /// One name per column of `records`.
    pub feature_names: Vec<String>,
    /// The target column's name.
    pub target_name: String,
    /// Class names, indexed by class index (empty for regression targets).
    pub class_names: Vec<String>,
}

/// A classification dataset: targets are class indices into `class_names`.
pub type ClassificationData = Dataset<usize>;
/// A regression dataset: targets are real values.
pub type RegressionData = Dataset<f64>;

pub(crate) fn default_feature_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("x{i}")).collect()
}

impl<T: Clone> Dataset<T> {
    /// Builds a dataset, checking that there is one target per record. Features are named
    /// `x0, x1, ...` and the target `y` until [`Dataset::with_feature_names`] says otherwise.
    pub fn new(records: Array2<f64>, targets: Array1<T>) -> Result<Self> {
        validate::check_n_targets(records.nrows(), targets.len())?;
        let feature_names = default_feature_names(records.ncols());
        Ok(Self {
            records,
            targets,
            feature_names,
            target_name: "y".to_string(),
            class_names: Vec::new(),
        })
    }

    /// Checks that the public fields agree: one target per record and one name per feature.
    /// [`Dataset::new`] guarantees it; a dataset assembled field by field may not, and the
    /// splitters call this before indexing.
    pub fn check_consistent(&self) -> Result<()> {
        validate::check_n_targets(self.records.nrows(), self.targets.len())?;
        if self.feature_names.len() != self.records.ncols() {
            return Err(Error::shape(
                "feature names",
                format!("{} names (one per column)", self.records.ncols()),
                format!("{} names", self.feature_names.len()),
            ));
        }
        Ok(())
    }

    /// Replaces the feature names (one per column).
    pub fn with_feature_names<S: Into<String>>(mut self, names: Vec<S>) -> Result<Self> {
        if names.len() != self.records.ncols() {
            return Err(Error::shape(
                "feature names",
                format!("{} names", self.records.ncols()),
                format!("{} names", names.len()),
            ));
        }
        self.feature_names = names.into_iter().map(Into::into).collect();
        Ok(self)
    }

    /// Sets the target's name.
    pub fn with_target_name(mut self, name: impl Into<String>) -> Self {
        self.target_name = name.into();
        self
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.records.nrows()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.records.ncols()
    }

    /// The records as a view.
    pub fn records(&self) -> ArrayView2<'_, f64> {
        self.records.view()
    }

    /// The targets as a view.
    pub fn targets(&self) -> ArrayView1<'_, T> {
        self.targets.view()
    }

    /// The rows at `indices` (in that order), keeping names. An index past the last row, or a
    /// dataset whose public fields disagree (see [`Dataset::check_consistent`]), is an error.
    pub fn select(&self, indices: &[usize]) -> Result<Self> {
        self.check_consistent()?;
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.n_samples()) {
            return Err(Error::shape(
                "row selection",
                format!("row indices below {}", self.n_samples()),
                bad,
            ));
        }
        Ok(Self {
            records: self.records.select(Axis(0), indices),
            targets: self.targets.select(Axis(0), indices),
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
            class_names: self.class_names.clone(),
        })
    }

    /// At most `cap` rows drawn without replacement by a generator seeded with `seed`, in
    /// their original order; the whole dataset when it has no more than `cap` rows. Reports
    /// use it so that a figure's cost does not grow with the data.
    pub fn subsample(&self, cap: usize, seed: u64) -> Result<Self> {
        self.check_consistent()?;
        if self.n_samples() <= cap {
            return Ok(self.clone());
        }
        self.select(&crate::rng::sample_rows(self.n_samples(), cap, seed))
    }

    /// Keeps only the given feature columns (e.g. two features for a decision-region plot).
    pub fn select_features(&self, columns: &[usize]) -> Result<Self> {
        if let Some(&bad) = columns.iter().find(|&&c| c >= self.n_features()) {
            return Err(Error::shape(
                "feature selection",
                format!("column indices below {}", self.n_features()),
                bad,
            ));
        }
        Ok(Self {
            records: self.records.select(Axis(1), columns),
            targets: self.targets.clone(),
            feature_names: columns
                .iter()
                .map(|&c| self.feature_names[c].clone())
                .collect(),
            target_name: self.target_name.clone(),
            class_names: self.class_names.clone(),
        })
    }
}

impl Dataset<usize> {
    /// Builds a classification dataset whose class `i` is called `class_names[i]`; every
    /// target must be a valid index.
    pub fn classification<S: Into<String>>(
        records: Array2<f64>,
        targets: Array1<usize>,
        class_names: Vec<S>,
    ) -> Result<Self> {
        let mut data = Self::new(records, targets)?;
        data.class_names = class_names.into_iter().map(Into::into).collect();
        validate::check_labels(data.targets.view(), data.class_names.len())?;
        Ok(data)
    }

    /// Number of classes: the length of `class_names`, or one more than the largest target when
    /// no names were given.
    pub fn n_classes(&self) -> usize {
        if self.class_names.is_empty() {
            self.targets.iter().max().map_or(0, |m| m + 1)
        } else {
            self.class_names.len()
        }
    }

    /// Class names, inventing `"0", "1", ...` when none were given.
    pub fn class_names_or_default(&self) -> Vec<String> {
        if self.class_names.is_empty() {
            (0..self.n_classes()).map(|c| c.to_string()).collect()
        } else {
            self.class_names.clone()
        }
    }
}

/// Records without targets, for unsupervised estimators (K-means, PCA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Records {
    /// The feature matrix, one sample per row.
    pub records: Array2<f64>,
    /// One name per column.
    pub feature_names: Vec<String>,
}

impl Records {
    /// Wraps a matrix, naming features `x0, x1, ...`.
    pub fn new(records: Array2<f64>) -> Self {
        let feature_names = default_feature_names(records.ncols());
        Self {
            records,
            feature_names,
        }
    }
}

impl From<Array2<f64>> for Records {
    fn from(records: Array2<f64>) -> Self {
        Records::new(records)
    }
}

impl<T: Clone> From<Dataset<T>> for Records {
    fn from(data: Dataset<T>) -> Self {
        Records {
            records: data.records,
            feature_names: data.feature_names,
        }
    }
}

/// Anything an unsupervised estimator can fit on: a matrix, [`Records`], or a [`Dataset`] whose
/// targets are ignored.
pub trait AsRecords {
    /// The feature matrix.
    fn as_records(&self) -> ArrayView2<'_, f64>;
    /// Feature names: the container's own, or `x0, x1, ...`.
    fn feature_names(&self) -> Vec<String> {
        default_feature_names(self.as_records().ncols())
    }
}

impl AsRecords for Array2<f64> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.view()
    }
}

impl AsRecords for ArrayView2<'_, f64> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.view()
    }
}

impl AsRecords for Records {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.records.view()
    }
    fn feature_names(&self) -> Vec<String> {
        self.feature_names.clone()
    }
}

impl<T> AsRecords for Dataset<T> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.records.view()
    }
    fn feature_names(&self) -> Vec<String> {
        self.feature_names.clone()
    }
}

impl<S: ndarray::Data<Elem = f64>, T> AsRecords for linfa::DatasetBase<ArrayBase<S, Ix2>, T> {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.records.view()
    }
    fn feature_names(&self) -> Vec<String> {
        names_from_linfa(self.feature_names(), self.records.ncols())
    }
}

/// Supervised data: records with one target per row. Implemented by [`Dataset`], by linfa's
/// `DatasetBase` (owned arrays or views), and by a `(records, targets)` tuple of ndarray arrays.
pub trait Labeled<T>: AsRecords {
    /// One target per record.
    fn targets(&self) -> ArrayView1<'_, T>;
    /// Class names (classification only), when the container has them.
    fn class_names(&self) -> Option<&[String]> {
        None
    }
}

impl<T> Labeled<T> for Dataset<T> {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.targets.view()
    }
    fn class_names(&self) -> Option<&[String]> {
        if self.class_names.is_empty() {
            None
        } else {
            Some(&self.class_names)
        }
    }
}

impl<T> AsRecords for (Array2<f64>, Array1<T>) {
    fn as_records(&self) -> ArrayView2<'_, f64> {
        self.0.view()
    }
}

impl<T> Labeled<T> for (Array2<f64>, Array1<T>) {
    fn targets(&self) -> ArrayView1<'_, T> {
        self.1.view()
    }
}

impl<S, U, T> Labeled<T> for linfa::DatasetBase<ArrayBase<S, Ix2>, ArrayBase<U, Ix1>>
where
    S: ndarray::Data<Elem = f64>,
    U: ndarray::Data<Elem = T>,
{
    fn targets(&self) -> ArrayView1<'_, T> {
        self.targets.view()
    }
}

/// Checks supervised training data and returns its records and targets: at least one sample
/// and one feature, one target per record, every value finite, every label known.
pub fn supervised<T: validate::Target, D: Labeled<T> + ?Sized>(
    data: &D,
) -> Result<(ArrayView2<'_, f64>, ArrayView1<'_, T>)> {
    checked(data, validate::check_records)
}

/// As [`supervised`], with NaN features allowed as missing values (gradient boosting).
pub(crate) fn supervised_allowing_missing<T: validate::Target, D: Labeled<T> + ?Sized>(
    data: &D,
) -> Result<(ArrayView2<'_, f64>, ArrayView1<'_, T>)> {
    checked(data, validate::check_records_allowing_missing)
}

fn checked<T: validate::Target, D: Labeled<T> + ?Sized>(
    data: &D,
    check_records: fn(ArrayView2<'_, f64>, &str) -> Result<()>,
) -> Result<(ArrayView2<'_, f64>, ArrayView1<'_, T>)> {
    let x = data.as_records();
    let y = data.targets();
    check_records(x, "training records")?;
    validate::check_n_targets(x.nrows(), y.len())?;
    T::check_targets(y, data.class_names().map(<[String]>::len))?;
    Ok((x, y))
}

fn names_from_linfa(names: &[String], n: usize) -> Vec<String> {
    if names.len() == n {
        names.to_vec()
    } else {
        default_feature_names(n)
    }
}

impl TryFrom<linfa::Dataset<f64, usize, ndarray::Ix1>> for Dataset<usize> {
    type Error = Error;
    /// Takes a linfa classification dataset, keeping its feature names; class names are the
    /// class indices.
    fn try_from(data: linfa::Dataset<f64, usize, ndarray::Ix1>) -> Result<Self> {
        let names = names_from_linfa(data.feature_names(), data.records.ncols());
        let mut out = Dataset::new(data.records, data.targets)?.with_feature_names(names)?;
        out.class_names = out.class_names_or_default();
        Ok(out)
    }
}

impl TryFrom<linfa::Dataset<f64, f64, ndarray::Ix1>> for Dataset<f64> {
    type Error = Error;
    /// Takes a linfa regression dataset, keeping its feature names.
    fn try_from(data: linfa::Dataset<f64, f64, ndarray::Ix1>) -> Result<Self> {
        let names = names_from_linfa(data.feature_names(), data.records.ncols());
        Dataset::new(data.records, data.targets)?.with_feature_names(names)
    }
}

impl<T: Clone> From<Dataset<T>> for linfa::Dataset<f64, T, ndarray::Ix1> {
    /// Hands the records over in row-major order, which linfa's cross-validation and splits
    /// require (they panic on any other layout).
    fn from(data: Dataset<T>) -> Self {
        let records = if data.records.is_standard_layout() {
            data.records
        } else {
            data.records.as_standard_layout().into_owned()
        };
        let targets = if data.targets.is_standard_layout() {
            data.targets
        } else {
            data.targets.as_standard_layout().into_owned()
        };
        linfa::DatasetBase::new(records, targets).with_feature_names(data.feature_names)
    }
}

impl<T: Clone> TryFrom<(Array2<f64>, Array1<T>)> for Dataset<T> {
    type Error = Error;
    fn try_from((records, targets): (Array2<f64>, Array1<T>)) -> Result<Self> {
        Dataset::new(records, targets)
    }
}
