//! How each hyper-parameter type reads its values by name ([`ParamValue`]); the setters, the
//! names and the checks come from each type's own field list (the crate's `hyperparams!`).

use std::path::PathBuf;

use super::params::{ParamValue, Value};
use crate::cluster::KMeansAlgorithm;
use crate::decomposition::Components;
use crate::error::{Error, Result};
use crate::tree::{Criterion, MaxFeatures, RegressionLoss};

impl ParamValue for usize {
    fn show(&self) -> String {
        self.to_string()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        value.as_usize(name)
    }
}

impl ParamValue for u64 {
    fn show(&self) -> String {
        self.to_string()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        value.as_usize(name).map(|v| v as u64)
    }
}

impl ParamValue for f64 {
    fn show(&self) -> String {
        self.to_string()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        value.as_f64(name)
    }
}

impl ParamValue for bool {
    fn show(&self) -> String {
        self.to_string()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        value.as_bool(name)
    }
}

/// A list of whole numbers (categorical feature indices, layer sizes), shown as `[0, 3]`:
/// set from `none`, one number, or numbers separated by commas (`0,3`, `[0, 3]`).
impl ParamValue for Vec<usize> {
    fn show(&self) -> String {
        format!("{self:?}")
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value {
            Value::None => Ok(Vec::new()),
            Value::Int(_) => Ok(vec![value.as_usize(name)?]),
            Value::Str(s) if s == "none" || s.is_empty() || s == "[]" => Ok(Vec::new()),
            Value::Str(s) => s
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|part| {
                    part.trim().parse::<usize>().map_err(|_| {
                        Error::invalid(name, s, "must be column indices separated by commas")
                    })
                })
                .collect(),
            _ => Err(Error::invalid(
                name,
                value,
                "must be column indices separated by commas",
            )),
        }
    }
}

impl ParamValue for Option<usize> {
    fn show(&self) -> String {
        self.map_or_else(|| "none".into(), |v| v.to_string())
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        value.as_opt_usize(name)
    }
}

impl ParamValue for Option<f64> {
    fn show(&self) -> String {
        self.map_or_else(|| "none".into(), |v| v.to_string())
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value {
            Value::None => Ok(None),
            _ => value.as_f64(name).map(Some),
        }
    }
}

impl ParamValue for PathBuf {
    fn show(&self) -> String {
        self.display().to_string()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        Ok(PathBuf::from(value.as_str(name)?))
    }
}

impl ParamValue for Option<PathBuf> {
    fn show(&self) -> String {
        self.as_ref()
            .map_or_else(|| "none".into(), |p| p.display().to_string())
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value {
            Value::None => Ok(None),
            _ => PathBuf::from_value(value, name).map(Some),
        }
    }
}

/// `all`/`sqrt`/`log2`/`none`, a count or a fraction.
impl ParamValue for MaxFeatures {
    fn show(&self) -> String {
        match self {
            MaxFeatures::All => "all".into(),
            MaxFeatures::Sqrt => "sqrt".into(),
            MaxFeatures::Log2 => "log2".into(),
            MaxFeatures::Count(n) => n.to_string(),
            MaxFeatures::Fraction(f) => f.to_string(),
        }
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value {
            Value::None => Ok(MaxFeatures::All),
            Value::Int(n) if *n >= 0 => Ok(MaxFeatures::Count(*n as usize)),
            Value::Float(f) => Ok(MaxFeatures::Fraction(*f)),
            Value::Str(s) => s.parse(),
            other => Err(Error::invalid(
                name,
                other,
                "use all, sqrt, log2, a count or a fraction",
            )),
        }
    }
}

/// `gini`, `entropy` or `squared_error`.
impl ParamValue for Criterion {
    fn show(&self) -> String {
        match self {
            Criterion::Gini => "gini",
            Criterion::Entropy => "entropy",
            Criterion::SquaredError => "squared_error",
        }
        .into()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value.as_str(name)? {
            "gini" => Ok(Criterion::Gini),
            "entropy" => Ok(Criterion::Entropy),
            "squared_error" => Ok(Criterion::SquaredError),
            other => Err(Error::invalid(
                name,
                other,
                "use gini, entropy or squared_error",
            )),
        }
    }
}

/// A count, a variance fraction in (0, 1), or none for all (scikit-learn's meaning).
impl ParamValue for Components {
    fn show(&self) -> String {
        match self {
            Components::All => "all".into(),
            Components::Count(n) => n.to_string(),
            Components::Variance(f) => f.to_string(),
        }
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value {
            Value::None => Ok(Components::All),
            Value::Int(n) if *n >= 0 => Ok(Components::Count(*n as usize)),
            Value::Float(f) => Ok(Components::Variance(*f)),
            other => Err(Error::invalid(
                name,
                other,
                "use a count, a fraction or none",
            )),
        }
    }
}

/// `squared_error`, `absolute_error`, or `huber` (δ = 1; its setter takes another δ).
impl ParamValue for RegressionLoss {
    fn show(&self) -> String {
        match self {
            RegressionLoss::SquaredError => "squared_error".into(),
            RegressionLoss::AbsoluteError => "absolute_error".into(),
            RegressionLoss::Huber { delta } => format!("huber (delta {delta})"),
        }
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value.as_str(name)? {
            "squared_error" => Ok(RegressionLoss::SquaredError),
            "absolute_error" => Ok(RegressionLoss::AbsoluteError),
            "huber" => Ok(RegressionLoss::Huber { delta: 1.0 }),
            other => Err(Error::invalid(
                name,
                other,
                "use squared_error, absolute_error or huber",
            )),
        }
    }
}

/// `auto`, `lloyd` or `hamerly`.
impl ParamValue for KMeansAlgorithm {
    fn show(&self) -> String {
        format!("{self:?}").to_ascii_lowercase()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        match value.as_str(name)? {
            "auto" => Ok(KMeansAlgorithm::Auto),
            "lloyd" => Ok(KMeansAlgorithm::Lloyd),
            "hamerly" => Ok(KMeansAlgorithm::Hamerly),
            other => Err(Error::invalid(name, other, "use auto, lloyd or hamerly")),
        }
    }
}

/// `auto`, `exact` or `randomized`.
impl ParamValue for crate::decomposition::PcaSolver {
    fn show(&self) -> String {
        format!("{self:?}").to_ascii_lowercase()
    }
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        use crate::decomposition::PcaSolver;
        match value.as_str(name)? {
            "auto" => Ok(PcaSolver::Auto),
            "exact" => Ok(PcaSolver::Exact),
            "randomized" => Ok(PcaSolver::Randomized),
            other => Err(Error::invalid(name, other, "use auto, exact or randomized")),
        }
    }
}

/// Types a grid cannot spell: shown as written in Rust, set only through their setters.
macro_rules! set_by_setter_only {
    ($($ty:ty),* $(,)?) => {
        $(
            impl ParamValue for $ty {
                fn show(&self) -> String {
                    format!("{self:?}")
                }
            }
        )*
    };
}

set_by_setter_only!(
    (f64, f64),
    crate::rl::Schedule,
    crate::rl::EpsilonClock,
    crate::rl::TabularAlgorithm,
);

#[cfg(feature = "tch")]
set_by_setter_only!(
    crate::rl::dqn::Activation,
    crate::rl::dqn::TargetUpdate,
    crate::rl::dqn::Loss,
    crate::rl::dqn::DeviceChoice,
    Option<crate::rl::dqn::Prioritized>,
);
