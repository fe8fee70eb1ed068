//! Scorers by name, scikit-learn's: greater is better for every one (losses are negated).

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::metrics;
use crate::traits::{Predict, PredictProba};

/// A way to score a fitted model on labelled data, by its scikit-learn name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scorer {
    /// `accuracy`: share of correct classes.
    Accuracy,
    /// `balanced_accuracy`: mean recall over the classes present.
    BalancedAccuracy,
    /// `f1`: F1 of class 1 (binary problems).
    F1,
    /// `f1_macro`: unweighted mean of the per-class F1.
    F1Macro,
    /// `f1_weighted`: per-class F1 weighted by support.
    F1Weighted,
    /// `precision`: precision of class 1 (binary problems).
    Precision,
    /// `recall`: recall of class 1 (binary problems).
    Recall,
    /// `roc_auc`: area under the ROC curve of class 1's probability (binary problems).
    RocAuc,
    /// `roc_auc_ovr`: one-vs-rest AUC averaged over the classes (any number of classes).
    RocAucOvr,
    /// `neg_log_loss` (also `log_loss`): minus the mean cross-entropy.
    NegLogLoss,
    /// `r2`: coefficient of determination.
    R2,
    /// `neg_mean_squared_error` (also `neg_mse`).
    NegMse,
    /// `neg_mean_absolute_error` (also `neg_mae`).
    NegMae,
}

const NAMES: [(&str, Scorer); 16] = [
    ("accuracy", Scorer::Accuracy),
    ("balanced_accuracy", Scorer::BalancedAccuracy),
    ("f1", Scorer::F1),
    ("f1_macro", Scorer::F1Macro),
    ("f1_weighted", Scorer::F1Weighted),
    ("precision", Scorer::Precision),
    ("recall", Scorer::Recall),
    ("roc_auc", Scorer::RocAuc),
    ("roc_auc_ovr", Scorer::RocAucOvr),
    ("neg_log_loss", Scorer::NegLogLoss),
    ("log_loss", Scorer::NegLogLoss),
    ("r2", Scorer::R2),
    ("neg_mean_squared_error", Scorer::NegMse),
    ("neg_mse", Scorer::NegMse),
    ("neg_mean_absolute_error", Scorer::NegMae),
    ("neg_mae", Scorer::NegMae),
];

impl std::str::FromStr for Scorer {
    type Err = Error;
    fn from_str(name: &str) -> Result<Self> {
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                Error::invalid(
                    "scoring",
                    name,
                    format!("unknown scorer; use one of {}", known.join(", ")),
                )
            })
    }
}

impl std::fmt::Display for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Scorer {
    /// The scikit-learn name.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("?", |(n, _)| n)
    }

    /// Whether the scorer is for classifiers (else regressors).
    pub fn is_classification(self) -> bool {
        !matches!(self, Scorer::R2 | Scorer::NegMse | Scorer::NegMae)
    }

    /// Whether it needs class probabilities.
    pub fn needs_proba(self) -> bool {
        matches!(
            self,
            Scorer::RocAuc | Scorer::RocAucOvr | Scorer::NegLogLoss
        )
    }

    /// Fails unless the scorer fits the task (`classification`) and, for the binary-only
    /// scorers, the number of classes.
    pub fn check_task(self, classification: bool, n_classes: usize) -> Result<()> {
        if self.is_classification() != classification {
            let (task, fits) = if classification {
                (
                    "classification",
                    "accuracy, f1_macro, roc_auc, neg_log_loss, ...",
                )
            } else {
                ("regression", "r2, neg_mse, neg_mae")
            };
            return Err(Error::invalid(
                "scoring",
                self.name(),
                format!("does not fit a {task} task; use {fits}"),
            ));
        }
        let binary_only = matches!(
            self,
            Scorer::F1 | Scorer::Precision | Scorer::Recall | Scorer::RocAuc
        );
        if binary_only && n_classes != 2 {
            return Err(Error::invalid(
                "scoring",
                self.name(),
                if self == Scorer::RocAuc {
                    format!("is for two classes, the data has {n_classes}; use roc_auc_ovr")
                } else {
                    format!(
                        "is for two classes, the data has {n_classes}; use {}_macro",
                        self.name()
                    )
                },
            ));
        }
        Ok(())
    }
}

/// A fitted model the scorers can evaluate: classifiers with probabilities (`T = usize`) and
/// regressors (`T = f64`). Every learnkit model implements it; a model of your own does in
/// one line with [`score_classifier`] or [`score_regressor`].
pub trait Scored<T> {
    /// Scores the model on `data` with each scorer, predicting once (and once more for
    /// probabilities when a scorer needs them).
    fn scores(&self, data: &Dataset<T>, scorers: &[Scorer]) -> Result<Vec<f64>>;
}

/// [`Scored::scores`] for a classifier with probabilities.
pub fn score_classifier<M: PredictProba + ?Sized>(
    model: &M,
    data: &Dataset<usize>,
    scorers: &[Scorer],
) -> Result<Vec<f64>> {
    let x = data.records.view();
    let y = data.targets.view();
    let proba = match scorers.iter().any(|s| s.needs_proba()) {
        true => Some(model.predict_proba_view(x)?),
        false => None,
    };
    let predicted = match &proba {
        Some(p) => metrics::argmax_rows(p.view()),
        None => model.predict_view(x)?,
    };
    let n_classes = model.classes().len().max(data.n_classes());
    scorers
        .iter()
        .map(|&s| {
            classification_score(
                s,
                y,
                predicted.view(),
                proba.as_ref().map(|p| p.view()),
                n_classes,
            )
        })
        .collect()
}

/// [`Scored::scores`] for a regressor.
pub fn score_regressor<M: Predict<Output = f64> + ?Sized>(
    model: &M,
    data: &Dataset<f64>,
    scorers: &[Scorer],
) -> Result<Vec<f64>> {
    let predicted = model.predict_view(data.records.view())?;
    scorers
        .iter()
        .map(|&s| regression_score(s, data.targets.view(), predicted.view()))
        .collect()
}

macro_rules! scored {
    ($helper:ident, $target:ty => $($model:ty),+) => {
        $(
            impl Scored<$target> for $model {
                fn scores(&self, data: &Dataset<$target>, scorers: &[Scorer]) -> Result<Vec<f64>> {
                    $helper(self, data, scorers)
                }
            }
        )+
    };
}

scored!(score_classifier, usize =>
    crate::linear::FittedLogisticRegression,
    crate::tree::FittedDecisionTree<usize>,
    crate::tree::FittedForest<usize>,
    crate::tree::FittedGradientBoosting<usize>,
    Box<dyn PredictProba>
);
scored!(score_regressor, f64 =>
    crate::linear::FittedLinearRegression,
    crate::tree::FittedDecisionTree<f64>,
    crate::tree::FittedForest<f64>,
    crate::tree::FittedGradientBoosting<f64>,
    Box<dyn Predict<Output = f64>>
);

/// One classification score from predictions (and probabilities when needed).
pub fn classification_score(
    scorer: Scorer,
    y: ArrayView1<'_, usize>,
    predicted: ArrayView1<'_, usize>,
    proba: Option<ArrayView2<'_, f64>>,
    n_classes: usize,
) -> Result<f64> {
    let report = || metrics::precision_recall_f1(y, predicted, n_classes);
    let proba = || {
        proba.ok_or_else(|| Error::invalid("scoring", scorer.name(), "needs class probabilities"))
    };
    Ok(match scorer {
        Scorer::Accuracy => metrics::accuracy(y, predicted)?,
        Scorer::BalancedAccuracy => {
            let r = report()?;
            let present: Vec<f64> = (0..n_classes)
                .filter(|&c| r.support[c] > 0)
                .map(|c| r.recall[c])
                .collect();
            present.iter().sum::<f64>() / present.len().max(1) as f64
        }
        Scorer::F1 => report()?.f1[1],
        Scorer::Precision => report()?.precision[1],
        Scorer::Recall => report()?.recall[1],
        Scorer::F1Macro => report()?.macro_f1,
        Scorer::F1Weighted => {
            let r = report()?;
            let total: usize = r.support.iter().sum();
            r.f1.iter()
                .zip(&r.support)
                .map(|(f, &s)| f * s as f64)
                .sum::<f64>()
                / total.max(1) as f64
        }
        Scorer::RocAuc => metrics::roc_auc(y, proba()?.column(1))?,
        Scorer::RocAucOvr => {
            // Macro average of each class against the rest, over the classes present.
            let p = proba()?;
            let mut aucs = Vec::new();
            for c in 0..p.ncols() {
                let is_c: Array1<usize> = y.mapv(|t| usize::from(t == c));
                let positives = is_c.sum();
                if positives > 0 && positives < y.len() {
                    aucs.push(metrics::roc_auc(is_c.view(), p.column(c))?);
                }
            }
            if aucs.is_empty() {
                // As roc_auc: undefined when the labels hold a single class.
                return Err(Error::invalid(
                    "y_true",
                    "a single class",
                    "roc_auc_ovr needs at least two classes in the labels",
                ));
            }
            aucs.iter().sum::<f64>() / aucs.len() as f64
        }
        Scorer::NegLogLoss => -metrics::log_loss(y, proba()?)?,
        Scorer::R2 | Scorer::NegMse | Scorer::NegMae => {
            return Err(Error::invalid(
                "scoring",
                scorer.name(),
                "is a regression scorer",
            ))
        }
    })
}

/// One regression score.
pub fn regression_score(
    scorer: Scorer,
    y: ArrayView1<'_, f64>,
    predicted: ArrayView1<'_, f64>,
) -> Result<f64> {
    Ok(match scorer {
        Scorer::R2 => metrics::r2(y, predicted)?,
        Scorer::NegMse => -metrics::mse(y, predicted)?,
        Scorer::NegMae => -metrics::mae(y, predicted)?,
        other => {
            return Err(Error::invalid(
                "scoring",
                other.name(),
                "is a classification scorer",
            ))
        }
    })
}
