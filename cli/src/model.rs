//! Any saved model: the kinds the command line trains, read back by the kind their file names.

use std::path::Path;

use learnkit::cluster::FittedKMeans;
use learnkit::decomposition::FittedPca;
use learnkit::linear::{FittedLinearRegression, FittedLogisticRegression};
use learnkit::model_selection::FittedPipeline;
use learnkit::persist::{self, Persist, MAX_MODEL_BYTES};
use learnkit::tree::{FittedDecisionTree, FittedForest, FittedGradientBoosting};
use learnkit::{Error, PredictProba, Result, Transform};
use ndarray::{Array1, Array2, ArrayView2};

/// A fitted model of any kind the command line handles.
pub enum Model {
    /// Linear regression.
    Linear(FittedLinearRegression),
    /// Logistic regression.
    Logistic(FittedLogisticRegression),
    /// A classification tree.
    TreeClassifier(FittedDecisionTree<usize>),
    /// A regression tree.
    TreeRegressor(FittedDecisionTree<f64>),
    /// A classification forest.
    ForestClassifier(FittedForest<usize>),
    /// A regression forest.
    ForestRegressor(FittedForest<f64>),
    /// Boosted classification trees.
    BoostingClassifier(FittedGradientBoosting<usize>),
    /// Boosted regression trees.
    BoostingRegressor(FittedGradientBoosting<f64>),
    /// K-means clusters.
    KMeans(FittedKMeans),
    /// Principal components.
    Pca(FittedPca),
    /// Standardised features, then linear regression (`train linear --scale`).
    ScaledLinear(FittedPipeline<FittedLinearRegression>),
    /// Standardised features, then logistic regression.
    ScaledLogistic(FittedPipeline<FittedLogisticRegression>),
    /// Standardised features, then K-means.
    ScaledKMeans(FittedPipeline<FittedKMeans>),
}

/// What a model makes of a table of records.
pub enum Output {
    /// Class indices (into [`Model::classes`]) and their probabilities.
    Classes(Array1<usize>, Array2<f64>),
    /// Real values.
    Values(Array1<f64>),
    /// Cluster indices.
    Clusters(Array1<usize>),
    /// Coordinates on the principal components.
    Components(Array2<f64>),
}

/// Runs `$body` with `$m` bound to the model inside whatever variant `$model` is.
macro_rules! each {
    ($model:expr, $m:ident => $body:expr) => {
        match $model {
            Model::Linear($m) => $body,
            Model::Logistic($m) => $body,
            Model::TreeClassifier($m) => $body,
            Model::TreeRegressor($m) => $body,
            Model::ForestClassifier($m) => $body,
            Model::ForestRegressor($m) => $body,
            Model::BoostingClassifier($m) => $body,
            Model::BoostingRegressor($m) => $body,
            Model::KMeans($m) => $body,
            Model::Pca($m) => $body,
            Model::ScaledLinear($m) => $body,
            Model::ScaledLogistic($m) => $body,
            Model::ScaledKMeans($m) => $body,
        }
    };
}

/// The numbering of the text columns a model file keeps beside its hyper-parameters (none for
/// a model trained on numbers only).
pub fn vocabularies_in(
    info: &persist::FileInfo,
    path: &Path,
) -> Result<Vec<learnkit::data::Vocabulary>> {
    match info
        .hyperparameters
        .iter()
        .find(|(name, _)| name == crate::commands::VOCABULARIES)
    {
        None => Ok(Vec::new()),
        Some((_, json)) => serde_json::from_str(json).map_err(|e| Error::CorruptModel {
            path: path.to_path_buf(),
            message: format!("the numbering of its text columns: {e}"),
        }),
    }
}

/// Decodes `bytes` as `T`, boxed into `Model` by `wrap`.
fn decode<T: Persist>(bytes: &[u8], path: &Path, wrap: fn(T) -> Model) -> Result<Model> {
    T::from_bytes(bytes, path).map(wrap)
}

impl Model {
    /// Reads a model file of any kind (a regular file of at most 1 GiB; refused with one line
    /// when truncated, altered, foreign, of an unknown kind or from a newer version), with the
    /// numbering of its text columns (kept beside its hyper-parameters; none for a model
    /// trained on numbers only).
    pub fn load_numbered(path: &Path) -> Result<(Model, Vec<learnkit::data::Vocabulary>)> {
        let bytes = persist::read_regular_file(path, MAX_MODEL_BYTES)?;
        let model = Model::from_bytes(&bytes, path)?;
        let info = persist::file_info(&bytes, path)?;
        let vocabularies = vocabularies_in(&info, path)?;
        Ok((model, vocabularies))
    }

    /// Decodes the bytes of a model file of any kind (`path` names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        let info = persist::file_info(bytes, path)?;
        match info.kind.as_str() {
            "LinearRegression" => decode(bytes, path, Model::Linear),
            "LogisticRegression" => decode(bytes, path, Model::Logistic),
            "DecisionTreeClassifier" => decode(bytes, path, Model::TreeClassifier),
            "DecisionTreeRegressor" => decode(bytes, path, Model::TreeRegressor),
            "RandomForestClassifier" => decode(bytes, path, Model::ForestClassifier),
            "RandomForestRegressor" => decode(bytes, path, Model::ForestRegressor),
            "GradientBoostingClassifier" => decode(bytes, path, Model::BoostingClassifier),
            "GradientBoostingRegressor" => decode(bytes, path, Model::BoostingRegressor),
            // Format 2 named both boosting kinds alike: a classifier has classes.
            "GradientBoosting" => decode(bytes, path, Model::BoostingClassifier)
                .or_else(|_| decode(bytes, path, Model::BoostingRegressor)),
            "KMeans" => decode(bytes, path, Model::KMeans),
            "Pca" => decode(bytes, path, Model::Pca),
            "Pipeline<LinearRegression>" => decode(bytes, path, Model::ScaledLinear),
            "Pipeline<LogisticRegression>" => decode(bytes, path, Model::ScaledLogistic),
            "Pipeline<KMeans>" => decode(bytes, path, Model::ScaledKMeans),
            "Agent" => Err(Error::invalid(
                "model",
                path.display(),
                "is an agent, not an estimator: replay it with `learnkit rl play --agent`",
            )),
            other => Err(Error::IncompatibleModel {
                expected: "a model the command line handles (linear, logistic, tree, forest, \
                           boosting, kmeans, pca)"
                    .into(),
                found: shown(other),
            }),
        }
    }

    /// Writes the model atomically, with the hyper-parameters it was trained with.
    pub fn save(&self, path: &Path, hyperparameters: &[(String, String)]) -> Result<()> {
        each!(self, m => m.save_with(path, hyperparameters))
    }

    /// The kind its file names (`RandomForestClassifier`, `Pipeline<LogisticRegression>`).
    pub fn kind(&self) -> String {
        fn kind_of<T: Persist>(_: &T) -> String {
            T::file_kind().into_owned()
        }
        each!(self, m => kind_of(m))
    }

    /// The feature columns it reads, in order.
    pub fn feature_names(&self) -> &[String] {
        each!(self, m => m.feature_names())
    }

    /// The class labels, as spelled in the training data (classifiers only).
    pub fn classes(&self) -> Option<&[String]> {
        match self {
            Model::Logistic(m) => Some(m.classes()),
            Model::TreeClassifier(m) => Some(m.classes()),
            Model::ForestClassifier(m) => Some(m.classes()),
            Model::BoostingClassifier(m) => Some(m.classes()),
            Model::ScaledLogistic(m) => Some(m.classes()),
            _ => None,
        }
    }

    /// Whether it predicts a real value.
    pub fn is_regressor(&self) -> bool {
        matches!(
            self,
            Model::Linear(_)
                | Model::ScaledLinear(_)
                | Model::TreeRegressor(_)
                | Model::ForestRegressor(_)
                | Model::BoostingRegressor(_)
        )
    }

    /// Whether it reads missing values (NaN) in its records.
    pub fn accepts_missing(&self) -> bool {
        matches!(
            self,
            Model::BoostingClassifier(_) | Model::BoostingRegressor(_)
        )
    }

    /// Feature importances, for the models that have them.
    pub fn importances(&self) -> Option<Array1<f64>> {
        match self {
            Model::TreeClassifier(m) => Some(m.feature_importances()),
            Model::TreeRegressor(m) => Some(m.feature_importances()),
            Model::ForestClassifier(m) => Some(m.feature_importances()),
            Model::ForestRegressor(m) => Some(m.feature_importances()),
            Model::BoostingClassifier(m) => Some(m.feature_importances()),
            Model::BoostingRegressor(m) => Some(m.feature_importances()),
            _ => None,
        }
    }

    /// The model's output for records `x` (columns in [`Model::feature_names`] order). A
    /// classifier's labels are the argmax of its probabilities: one computation, whether
    /// `train` scores it or `predict` writes it.
    pub fn output(&self, x: ArrayView2<'_, f64>) -> Result<Output> {
        fn classes<M: PredictProba>(m: &M, x: ArrayView2<'_, f64>) -> Result<Output> {
            let proba = m.predict_proba_view(x)?;
            Ok(Output::Classes(
                learnkit::metrics::argmax_rows(proba.view()),
                proba,
            ))
        }
        use learnkit::Predict as _;
        match self {
            Model::Logistic(m) => classes(m, x),
            Model::ScaledLogistic(m) => classes(m, x),
            Model::ScaledLinear(m) => m.predict_view(x).map(Output::Values),
            Model::ScaledKMeans(m) => m.predict_view(x).map(Output::Clusters),
            Model::TreeClassifier(m) => classes(m, x),
            Model::ForestClassifier(m) => classes(m, x),
            Model::BoostingClassifier(m) => classes(m, x),
            Model::Linear(m) => m.predict_view(x).map(Output::Values),
            Model::TreeRegressor(m) => m.predict_view(x).map(Output::Values),
            Model::ForestRegressor(m) => m.predict_view(x).map(Output::Values),
            Model::BoostingRegressor(m) => m.predict_view(x).map(Output::Values),
            Model::KMeans(m) => m.predict_view(x).map(Output::Clusters),
            Model::Pca(m) => m.transform_view(x).map(Output::Components),
        }
    }
}

use learnkit::data::shown;
