//! One API shape: every estimator and RL configuration is built by `::params()` (or
//! `::classifier()` / `::regressor()`), chained setters and `check()`; `fit` fails with exactly
//! the error `check()` gives; every fitted model boxes as a trait object.

use learnkit::cluster::{Elbow, KMeans};
use learnkit::decomposition::{Components, Pca};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::rl::{QLearning, Schedule, TrainConfig};
use learnkit::tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, GradientBoosting, MaxFeatures, RandomForest,
};

/// The field named by a parameter error.
fn field(err: Error) -> &'static str {
    match err {
        Error::InvalidParameter { name, .. } => name,
        other => panic!("expected an invalid-parameter error, got {other}"),
    }
}

/// Defaults pass `check()`; one bad setting fails it naming the field, and `fit` on valid data
/// fails with the same error before looking at the data.
fn assert_guarded<P, D>(good: P, bad: P, name: &str, data: &D)
where
    P: Hyperparams + Estimator<D>,
    P::Fitted: std::fmt::Debug,
{
    assert!(good.check().is_ok(), "{name}: defaults must pass check()");
    let checked = bad.check().unwrap_err().to_string();
    let fitted = bad.fit(data).unwrap_err().to_string();
    assert_eq!(checked, fitted, "{name}");
    assert_eq!(field(bad.check().unwrap_err()), name);
}

#[test]
fn every_parameter_type_checks_itself_without_data() {
    let iris = learnkit::data::iris().unwrap();
    let diabetes = learnkit::data::diabetes().unwrap();
    let x = iris.records.clone();
    assert_guarded(
        LinearRegression::params(),
        LinearRegression::params().alpha(-1.0),
        "alpha",
        &diabetes,
    );
    assert_guarded(
        LogisticRegression::params(),
        LogisticRegression::params().c(0.0),
        "c",
        &iris,
    );
    assert_guarded(
        DecisionTreeClassifier::params(),
        DecisionTreeClassifier::params().min_samples_split(1),
        "min_samples_split",
        &iris,
    );
    assert_guarded(
        DecisionTreeRegressor::params(),
        DecisionTreeRegressor::params().max_features(MaxFeatures::Fraction(1.5)),
        "max_features",
        &diabetes,
    );
    assert_guarded(
        RandomForest::classifier(),
        RandomForest::classifier().n_estimators(0),
        "n_estimators",
        &iris,
    );
    assert_guarded(
        RandomForest::regressor(),
        RandomForest::regressor().oob_score(true).bootstrap(false),
        "oob_score",
        &diabetes,
    );
    assert_guarded(
        GradientBoosting::classifier(),
        GradientBoosting::classifier().learning_rate(0.0),
        "learning_rate",
        &iris,
    );
    assert_guarded(
        GradientBoosting::regressor(),
        GradientBoosting::regressor().max_leaf_nodes(1),
        "max_leaf_nodes",
        &diabetes,
    );
    assert_guarded(
        KMeans::params(),
        KMeans::params().n_clusters(0),
        "n_clusters",
        &x,
    );
    assert_guarded(
        Pca::params(),
        Pca::params().n_components(Components::Variance(2.0)),
        "n_components",
        &x,
    );
    assert!(StandardScaler::params().with_mean(false).check().is_ok());
    // The model selection and the RL configurations follow the same shape.
    assert!(Elbow::params().check().is_ok());
    assert_eq!(
        field(Elbow::params().k_max(2).check().unwrap_err()),
        "k_max"
    );
    assert_eq!(
        field(Elbow::params().k_max(2).select(&x).unwrap_err()),
        "k_max"
    );
    assert!(QLearning::params().check().is_ok());
    assert_eq!(
        field(QLearning::params().gamma(1.5).check().unwrap_err()),
        "gamma"
    );
    assert_eq!(
        field(QLearning::params().gamma(1.5).build(4, 2).unwrap_err()),
        "gamma"
    );
    assert_eq!(
        field(
            QLearning::params()
                .exploration(Schedule::Constant(2.0))
                .check()
                .unwrap_err()
        ),
        "epsilon"
    );
    assert!(TrainConfig::params().check().is_ok());
    assert_eq!(
        field(TrainConfig::params().episodes(0).check().unwrap_err()),
        "episodes"
    );
}

#[test]
fn every_fitted_model_boxes_as_a_trait_object() {
    let iris = learnkit::data::iris().unwrap();
    let diabetes = learnkit::data::diabetes().unwrap();
    let classifiers: Vec<Box<dyn Classifier<Output = usize>>> = vec![
        Box::new(LogisticRegression::params().fit(&iris).unwrap()),
        Box::new(DecisionTreeClassifier::params().fit(&iris).unwrap()),
        Box::new(
            RandomForest::classifier()
                .n_estimators(5)
                .fit(&iris)
                .unwrap(),
        ),
        Box::new(
            GradientBoosting::classifier()
                .n_estimators(20)
                .fit(&iris)
                .unwrap(),
        ),
    ];
    for model in &classifiers {
        assert!(model.score_on(&iris).unwrap() > 0.9);
    }
    let probabilistic: Vec<Box<dyn PredictProba>> = vec![
        Box::new(LogisticRegression::params().fit(&iris).unwrap()),
        Box::new(
            RandomForest::classifier()
                .n_estimators(5)
                .fit(&iris)
                .unwrap(),
        ),
        Box::new(
            GradientBoosting::classifier()
                .n_estimators(20)
                .fit(&iris)
                .unwrap(),
        ),
    ];
    for model in &probabilistic {
        assert_eq!(model.predict_proba(&iris).unwrap().dim(), (150, 3));
        assert_eq!(model.classes().len(), 3);
    }
    let regressors: Vec<Box<dyn Regressor<Output = f64>>> = vec![
        Box::new(LinearRegression::params().fit(&diabetes).unwrap()),
        Box::new(
            DecisionTreeRegressor::params()
                .max_depth(Some(3))
                .fit(&diabetes)
                .unwrap(),
        ),
        Box::new(
            RandomForest::regressor()
                .n_estimators(5)
                .fit(&diabetes)
                .unwrap(),
        ),
        Box::new(
            GradientBoosting::regressor()
                .n_estimators(50)
                .fit(&diabetes)
                .unwrap(),
        ),
    ];
    for model in &regressors {
        assert!(model.score_on(&diabetes).unwrap() > 0.4);
    }
    let clusterer: Box<dyn Predict<Output = usize>> =
        Box::new(KMeans::params().n_clusters(3).fit(&iris).unwrap());
    assert_eq!(clusterer.predict(&iris).unwrap().len(), 150);
    let transforms: Vec<Box<dyn Transform>> = vec![
        Box::new(StandardScaler::params().fit(&iris).unwrap()),
        Box::new(
            Pca::params()
                .n_components(Components::Count(2))
                .fit(&iris)
                .unwrap(),
        ),
    ];
    assert_eq!(transforms[0].transform(&iris).unwrap().ncols(), 4);
    assert_eq!(transforms[1].transform(&iris).unwrap().ncols(), 2);
}

#[test]
fn fit_transform_and_inverse_take_any_record_container() {
    let iris = learnkit::data::iris().unwrap();
    let (pca, z) = Pca::params().fit_transform(&iris).unwrap();
    assert_eq!(z.dim(), (150, 4));
    // All components kept: the inverse is exact, from an owned matrix or a view.
    let back = pca.inverse_transform(&z).unwrap();
    assert!((&back - &iris.records).iter().all(|d| d.abs() < 1e-10));
    assert_eq!(pca.inverse_transform(&z.view()).unwrap(), back);
    let (scaler, z) = StandardScaler::params()
        .with_std(false)
        .fit_transform(&iris)
        .unwrap();
    assert!(z.column(0).mean().unwrap().abs() < 1e-12);
    assert!((scaler.inverse_transform(&z).unwrap() - &iris.records)
        .iter()
        .all(|d| d.abs() < 1e-12));
    let logistic = LogisticRegression::params().fit(&iris).unwrap();
    assert_eq!(logistic.decision_function(&iris).unwrap().dim(), (150, 3));
    assert_eq!(
        logistic
            .decision_function(&iris.records.view())
            .unwrap()
            .dim(),
        (150, 3)
    );
}
