use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The impurity a split must reduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Criterion {
    /// Gini impurity `1 − Σ pₖ²` (classification; scikit-learn's default).
    Gini,
    /// Entropy `−Σ pₖ log₂ pₖ` (classification).
    Entropy,
    /// Variance of the targets, i.e. mean squared error around the mean (regression).
    SquaredError,
}

/// How many features each split considers (drawn at random, without replacement, per split).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature (a plain decision tree; scikit-learn's regression-forest default).
    #[default]
    All,
    /// `max(1, ⌊√n_features⌋)` (scikit-learn's classification-forest default).
    Sqrt,
    /// `max(1, ⌊log₂ n_features⌋)`.
    Log2,
    /// Exactly this many (1 ≤ n ≤ n_features).
    Count(usize),
    /// This fraction of the features, `max(1, ⌊f · n_features⌋)`, with 0 < f ≤ 1.
    Fraction(f64),
}

impl MaxFeatures {
    /// The number of features for `n_features`, or an error naming the bad setting.
    pub fn resolve(self, n_features: usize) -> Result<usize> {
        let n = match self {
            MaxFeatures::All => n_features,
            MaxFeatures::Sqrt => (n_features as f64).sqrt().floor() as usize,
            MaxFeatures::Log2 => (n_features as f64).log2().floor() as usize,
            MaxFeatures::Count(c) => {
                if c == 0 || c > n_features {
                    return Err(Error::invalid(
                        "max_features",
                        c,
                        format!("must be between 1 and the number of features ({n_features})"),
                    ));
                }
                c
            }
            MaxFeatures::Fraction(f) => {
                if !(f > 0.0 && f <= 1.0) {
                    return Err(Error::invalid(
                        "max_features",
                        f,
                        "a fraction must lie in (0, 1]",
                    ));
                }
                (f * n_features as f64).floor() as usize
            }
        };
        Ok(n.clamp(1, n_features.max(1)))
    }
}

impl std::str::FromStr for MaxFeatures {
    type Err = Error;

    /// Parses `all`, `sqrt`, `log2`, a count (`5`) or a fraction (`0.3`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "all" | "1.0" => Ok(MaxFeatures::All),
            "sqrt" => Ok(MaxFeatures::Sqrt),
            "log2" => Ok(MaxFeatures::Log2),
            _ => {
                if let Ok(n) = s.parse::<usize>() {
                    Ok(MaxFeatures::Count(n))
                } else if let Ok(f) = s.parse::<f64>() {
                    Ok(MaxFeatures::Fraction(f))
                } else {
                    Err(Error::invalid(
                        "max_features",
                        s,
                        "use all, sqrt, log2, a count or a fraction",
                    ))
                }
            }
        }
    }
}

impl MaxFeatures {
    /// Whether the setting can be resolved for some data: a count of at least 1, or a fraction
    /// in (0, 1].
    pub(crate) fn is_valid(self) -> bool {
        match self {
            MaxFeatures::Count(c) => c >= 1,
            MaxFeatures::Fraction(f) => f > 0.0 && f <= 1.0,
            _ => true,
        }
    }
}

/// The task of a tree model's targets: class indices (`usize`) or real values (`f64`). It
/// picks the criteria a model accepts and a forest's defaults.
pub trait TargetKind {
    /// Whether the targets are classes.
    const CLASSIFICATION: bool;
    /// The default criterion (Gini or squared error).
    const CRITERION: Criterion;
    /// A forest's default features per split (√d for classes, all for values).
    const FOREST_MAX_FEATURES: MaxFeatures;
}

impl TargetKind for usize {
    const CLASSIFICATION: bool = true;
    const CRITERION: Criterion = Criterion::Gini;
    const FOREST_MAX_FEATURES: MaxFeatures = MaxFeatures::Sqrt;
}

impl TargetKind for f64 {
    const CLASSIFICATION: bool = false;
    const CRITERION: Criterion = Criterion::SquaredError;
    const FOREST_MAX_FEATURES: MaxFeatures = MaxFeatures::All;
}

/// The criterion must suit the task: Gini or entropy for classes, squared error for values.
pub(crate) fn check_criterion(criterion: Criterion, classification: bool) -> Result<()> {
    match (criterion, classification) {
        (Criterion::SquaredError, true) => Err(Error::invalid(
            "criterion",
            "squared_error",
            "is for regression; use gini or entropy",
        )),
        (Criterion::Gini | Criterion::Entropy, false) => Err(Error::invalid(
            "criterion",
            format!("{criterion:?}"),
            "is for classification; use squared_error",
        )),
        _ => Ok(()),
    }
}

/// What the CART grower reads of a tree model's hyper-parameters (checked before).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TreeParams {
    /// Impurity criterion.
    pub criterion: Criterion,
    /// Maximum depth (root = depth 0); `None` grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// A node with fewer samples is not split (≥ 2).
    pub min_samples_split: usize,
    /// Every leaf keeps at least this many samples (≥ 1).
    pub min_samples_leaf: usize,
    /// A split must decrease the weighted impurity by at least this much (scikit-learn's
    /// `N_t / N · (impurity − N_tL/N_t · left − N_tR/N_t · right)`).
    pub min_impurity_decrease: f64,
}

/// Checks a model's categorical feature list against data of `n_features` columns: every index
/// in range, none twice.
pub(crate) fn check_categorical(listed: &[usize], n_features: usize) -> Result<()> {
    for (k, &f) in listed.iter().enumerate() {
        if f >= n_features {
            return Err(Error::invalid(
                "categorical_features",
                f,
                format!("the data has {n_features} features (indices from 0)"),
            ));
        }
        if listed[..k].contains(&f) {
            return Err(Error::invalid("categorical_features", f, "is listed twice"));
        }
    }
    Ok(())
}

/// The error for value `v` of categorical feature `f` (named from `names` when it can be),
/// which is no category.
pub(crate) fn not_a_category(names: &[String], (f, v): (usize, f64)) -> Error {
    let name = names
        .get(f)
        .map_or_else(|| format!("feature {f}"), |n| crate::data::shown(n));
    Error::invalid(
        "categorical feature",
        name,
        format!(
            "holds {v}: a category is a whole number from 0 to {} (text columns of Parquet and \
             Arrow files are numbered for you), or a missing value where the model accepts one",
            u32::MAX
        ),
    )
}

/// A model's categorical features against a binned dataset's: the dataset's rule, and a
/// different non-empty list is an error.
pub(crate) fn same_categorical(
    listed: &[usize],
    mapper: &super::learner::dataset::BinMapper,
) -> Result<()> {
    let binned = mapper.categorical_features();
    let mut sorted = listed.to_vec();
    sorted.sort_unstable();
    if !listed.is_empty() && sorted != binned {
        return Err(Error::invalid(
            "categorical_features",
            crate::model_selection::ParamValue::show(&listed.to_vec()),
            format!(
                "the binned dataset's categorical features are {} (they are chosen when it is \
                 binned)",
                crate::model_selection::ParamValue::show(&binned)
            ),
        ));
    }
    Ok(())
}

/// Bins `x` for a CART tree or forest with `listed` categorical features (checked against the
/// data; a value that is no category is an error naming its column).
pub(crate) fn bin_for_cart(
    x: ndarray::ArrayView2<'_, f64>,
    listed: &[usize],
    names: &[String],
) -> Result<super::learner::dataset::BinnedData> {
    check_categorical(listed, x.ncols())?;
    super::learner::dataset::BinnedData::new(x, listed).map_err(|e| not_a_category(names, e))
}
