//! [`SetParam`] for every learnkit parameter type: the names are the setters' names.

use super::params::{unknown_param, SetParam, Value};
use crate::cluster::KMeans;
use crate::decomposition::{Components, Pca};
use crate::error::{Error, Result};
use crate::linear::{LinearRegression, LogisticRegression};
use crate::preprocessing::StandardScaler;
use crate::tree::{
    Criterion, DecisionTreeClassifier, DecisionTreeRegressor, GradientBoosting, MaxFeatures,
    RandomForest,
};

/// `all`/`sqrt`/`log2`/`none`, a count or a fraction.
fn max_features(value: &Value) -> Result<MaxFeatures> {
    match value {
        Value::None => Ok(MaxFeatures::All),
        Value::Int(n) if *n >= 0 => Ok(MaxFeatures::Count(*n as usize)),
        Value::Float(f) => Ok(MaxFeatures::Fraction(*f)),
        Value::Str(s) => s.parse(),
        other => Err(Error::invalid(
            "max_features",
            other,
            "use all, sqrt, log2, a count or a fraction",
        )),
    }
}

fn criterion(value: &Value) -> Result<Criterion> {
    match value.as_str("criterion")? {
        "gini" => Ok(Criterion::Gini),
        "entropy" => Ok(Criterion::Entropy),
        "squared_error" => Ok(Criterion::SquaredError),
        other => Err(Error::invalid(
            "criterion",
            other,
            "use gini, entropy or squared_error",
        )),
    }
}

/// The tree settings shared by trees and forests; `None` when `name` is not one of them.
macro_rules! tree_param {
    ($params:expr, $name:expr, $value:expr) => {
        match $name {
            "max_depth" => Some($params.max_depth($value.as_opt_usize("max_depth")?)),
            "min_samples_split" => {
                Some($params.min_samples_split($value.as_usize("min_samples_split")?))
            }
            "min_samples_leaf" => {
                Some($params.min_samples_leaf($value.as_usize("min_samples_leaf")?))
            }
            "min_impurity_decrease" => {
                Some($params.min_impurity_decrease($value.as_f64("min_impurity_decrease")?))
            }
            "max_features" => Some($params.max_features(max_features($value)?)),
            "seed" => Some($params.seed($value.as_usize("seed")? as u64)),
            _ => None,
        }
    };
}

const TREE_NAMES: [&str; 6] = [
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_impurity_decrease",
    "max_features",
    "seed",
];

impl SetParam for DecisionTreeClassifier {
    fn param_names(&self) -> Vec<&'static str> {
        [&TREE_NAMES[..], &["criterion"]].concat()
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        if name == "criterion" {
            return Ok(self.criterion(criterion(value)?));
        }
        let names = self.param_names();
        tree_param!(self, name, value)
            .ok_or_else(|| unknown_param("DecisionTreeClassifier", name, &names))
    }
}

impl SetParam for DecisionTreeRegressor {
    fn param_names(&self) -> Vec<&'static str> {
        TREE_NAMES.to_vec()
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        let names = self.param_names();
        tree_param!(self, name, value)
            .ok_or_else(|| unknown_param("DecisionTreeRegressor", name, &names))
    }
}

impl<T> SetParam for RandomForest<T> {
    fn param_names(&self) -> Vec<&'static str> {
        [
            &TREE_NAMES[..],
            &["n_estimators", "bootstrap", "oob_score", "criterion"],
        ]
        .concat()
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "n_estimators" => self.n_estimators(value.as_usize("n_estimators")?),
            "bootstrap" => self.bootstrap(value.as_bool("bootstrap")?),
            "oob_score" => self.oob_score(value.as_bool("oob_score")?),
            "criterion" => self.criterion(criterion(value)?),
            _ => {
                let names = self.param_names();
                return tree_param!(self, name, value)
                    .ok_or_else(|| unknown_param("RandomForest", name, &names));
            }
        })
    }
}

impl SetParam for LinearRegression {
    fn param_names(&self) -> Vec<&'static str> {
        vec!["alpha", "fit_intercept"]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "alpha" => self.alpha(value.as_f64("alpha")?),
            "fit_intercept" => self.fit_intercept(value.as_bool("fit_intercept")?),
            _ => return Err(unknown_param("LinearRegression", name, &self.param_names())),
        })
    }
}

impl SetParam for LogisticRegression {
    fn param_names(&self) -> Vec<&'static str> {
        vec!["c", "max_iter", "tol", "fit_intercept"]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "c" | "C" => self.c(value.as_f64("C")?),
            "max_iter" => self.max_iter(value.as_usize("max_iter")?),
            "tol" => self.tol(value.as_f64("tol")?),
            "fit_intercept" => self.fit_intercept(value.as_bool("fit_intercept")?),
            _ => {
                return Err(unknown_param(
                    "LogisticRegression",
                    name,
                    &self.param_names(),
                ))
            }
        })
    }
}

impl SetParam for KMeans {
    fn param_names(&self) -> Vec<&'static str> {
        vec!["n_clusters", "n_init", "max_iter", "tol", "seed"]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "n_clusters" => self.n_clusters(value.as_usize("n_clusters")?),
            "n_init" => self.n_init(value.as_usize("n_init")?),
            "max_iter" => self.max_iter(value.as_usize("max_iter")?),
            "tol" => self.tol(value.as_f64("tol")?),
            "seed" => self.seed(value.as_usize("seed")? as u64),
            _ => return Err(unknown_param("KMeans", name, &self.param_names())),
        })
    }
}

impl SetParam for Pca {
    fn param_names(&self) -> Vec<&'static str> {
        vec!["n_components", "whiten", "seed"]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            // A count, a variance fraction in (0, 1), or none for all (scikit-learn's meaning).
            "n_components" => self.n_components(match value {
                Value::None => Components::All,
                Value::Int(n) if *n >= 0 => Components::Count(*n as usize),
                Value::Float(f) => Components::Variance(*f),
                other => {
                    return Err(Error::invalid(
                        "n_components",
                        other,
                        "use a count, a fraction or none",
                    ))
                }
            }),
            "whiten" => self.whiten(value.as_bool("whiten")?),
            "seed" => self.seed(value.as_usize("seed")? as u64),
            _ => return Err(unknown_param("Pca", name, &self.param_names())),
        })
    }
}

impl SetParam for StandardScaler {
    fn param_names(&self) -> Vec<&'static str> {
        vec!["with_mean", "with_std"]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "with_mean" => self.with_mean(value.as_bool("with_mean")?),
            "with_std" => self.with_std(value.as_bool("with_std")?),
            _ => return Err(unknown_param("StandardScaler", name, &self.param_names())),
        })
    }
}

impl<T> SetParam for GradientBoosting<T> {
    fn param_names(&self) -> Vec<&'static str> {
        vec![
            "n_estimators",
            "learning_rate",
            "max_leaf_nodes",
            "max_depth",
            "min_samples_leaf",
            "l2_regularization",
            "min_gain_to_split",
            "subsample",
            "colsample",
            "quantized_gradients",
            "seed",
        ]
    }
    fn set_param(self, name: &str, value: &Value) -> Result<Self> {
        Ok(match name {
            "n_estimators" => self.n_estimators(value.as_usize("n_estimators")?),
            "learning_rate" => self.learning_rate(value.as_f64("learning_rate")?),
            "max_leaf_nodes" => self.max_leaf_nodes(value.as_usize("max_leaf_nodes")?),
            "max_depth" => self.max_depth(value.as_opt_usize("max_depth")?),
            "min_samples_leaf" => self.min_samples_leaf(value.as_usize("min_samples_leaf")?),
            "l2_regularization" => self.l2_regularization(value.as_f64("l2_regularization")?),
            "min_gain_to_split" => self.min_gain_to_split(value.as_f64("min_gain_to_split")?),
            "subsample" => self.subsample(value.as_f64("subsample")?),
            "colsample" => self.colsample(value.as_f64("colsample")?),
            "quantized_gradients" => {
                self.quantized_gradients(value.as_bool("quantized_gradients")?)
            }
            "seed" => self.seed(value.as_usize("seed")? as u64),
            _ => return Err(unknown_param("GradientBoosting", name, &self.param_names())),
        })
    }
}
