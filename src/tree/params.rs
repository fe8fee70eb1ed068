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

/// Settings shared by every tree of the engine, with scikit-learn's meanings and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeParams {
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
    /// Features considered per split.
    pub max_features: MaxFeatures,
}

impl TreeParams {
    /// scikit-learn's defaults for `criterion`.
    pub fn new(criterion: Criterion) -> Self {
        Self {
            criterion,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 0.0,
            max_features: MaxFeatures::All,
        }
    }

    /// Checks every field against `n_features`; returns the resolved feature count per split.
    pub fn check(&self, n_features: usize, classification: bool) -> Result<usize> {
        self.check_fields(classification)?;
        self.max_features.resolve(n_features)
    }

    /// The checks that need no data: every field on its own, and the criterion against the
    /// task.
    pub fn check_fields(&self, classification: bool) -> Result<()> {
        match self.max_features {
            MaxFeatures::Count(0) => {
                return Err(Error::invalid("max_features", 0, "must be at least 1"))
            }
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                return Err(Error::invalid(
                    "max_features",
                    f,
                    "a fraction must lie in (0, 1]",
                ))
            }
            _ => {}
        }
        if self.min_samples_split < 2 {
            return Err(Error::invalid(
                "min_samples_split",
                self.min_samples_split,
                "must be at least 2",
            ));
        }
        if self.min_samples_leaf < 1 {
            return Err(Error::invalid(
                "min_samples_leaf",
                self.min_samples_leaf,
                "must be at least 1",
            ));
        }
        if self.max_depth == Some(0) {
            return Err(Error::invalid(
                "max_depth",
                0,
                "must be at least 1 (or None for no limit)",
            ));
        }
        if !(self.min_impurity_decrease.is_finite() && self.min_impurity_decrease >= 0.0) {
            return Err(Error::invalid(
                "min_impurity_decrease",
                self.min_impurity_decrease,
                "must be ≥ 0",
            ));
        }
        match (self.criterion, classification) {
            (Criterion::SquaredError, true) => {
                return Err(Error::invalid(
                    "criterion",
                    "squared_error",
                    "is for regression; use gini or entropy",
                ))
            }
            (Criterion::Gini | Criterion::Entropy, false) => {
                return Err(Error::invalid(
                    "criterion",
                    format!("{:?}", self.criterion),
                    "is for classification; use squared_error",
                ))
            }
            _ => {}
        }
        Ok(())
    }
}
