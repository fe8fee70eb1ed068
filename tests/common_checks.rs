//! Checks every estimator and agent passes, written once and run over every type — in the
//! spirit of scikit-learn's `check_estimator` and Gymnasium's `check_env`: NaN and infinite
//! inputs, a wrong feature count at predict time and empty data are errors (never panics); the
//! same seed gives the same model; save → load → predict gives the same output.

use std::fmt::Debug;

use learnkit::cluster::KMeans;
use learnkit::data::{MakeClassification, MakeRegression};
use learnkit::decomposition::{Components, Pca};
use learnkit::envs::{CartPole, Env, EnvError, GridWorld, MapSpec, Space};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::persist::Persist;
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::rl::{train, Control, QLearning, QTable, Schedule, TrainConfig};
use learnkit::tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, GradientBoosting, RandomForest,
};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn classification() -> Dataset<usize> {
    MakeClassification::params()
        .n_samples(200)
        .n_features(5)
        .n_informative(3)
        .n_redundant(1)
        .n_classes(3)
        .n_clusters_per_class(1)
        .seed(1)
        .generate()
        .unwrap()
}

fn regression() -> Dataset<f64> {
    MakeRegression::params()
        .n_samples(200)
        .n_features(5)
        .n_informative(3)
        .noise(5.0)
        .seed(2)
        .generate()
        .unwrap()
}

fn poisoned<T: Clone>(data: &Dataset<T>, value: f64) -> Dataset<T> {
    let mut bad = data.clone();
    bad.records[(7, 2)] = value;
    bad
}

/// Whether an estimator reads NaN as a missing value (gradient boosting) or refuses it.
#[derive(Clone, Copy, PartialEq)]
enum Nan {
    Refused,
    Missing,
}

/// Checks the bad-input contract of fitting, for any data type.
fn check_fit_rejects_bad_input<T, P>(name: &str, params: &P, data: &Dataset<T>)
where
    T: Clone,
    P: Estimator<Dataset<T>>,
    P::Fitted: Debug,
{
    check_fit_input(name, params, data, Nan::Refused)
}

fn check_fit_input<T, P>(name: &str, params: &P, data: &Dataset<T>, nan: Nan)
where
    T: Clone,
    P: Estimator<Dataset<T>>,
    P::Fitted: Debug,
{
    if nan == Nan::Missing {
        assert!(
            params.fit(&poisoned(data, f64::NAN)).is_ok(),
            "{name}: NaN is a missing value"
        );
    }
    let refused: &[f64] = match nan {
        Nan::Refused => &[f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
        Nan::Missing => &[f64::INFINITY, f64::NEG_INFINITY],
    };
    for &value in refused {
        let err = params.fit(&poisoned(data, value)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NonFinite {
                    row: 7,
                    column: 2,
                    ..
                }
            ),
            "{name}: {value} gave {err}"
        );
    }
    let empty = data.select(&[]).unwrap();
    assert!(
        matches!(params.fit(&empty).unwrap_err(), Error::EmptyData(_)),
        "{name}: empty data"
    );
}

/// The predict-time contract: wrong feature count and non-finite input are errors; the same
/// seed gives the same predictions; a saved and reloaded model predicts the same.
fn check_predictor<T, P, M>(name: &str, params: &P, data: &Dataset<T>)
where
    T: Clone,
    P: Estimator<Dataset<T>, Fitted = M>,
    M: Predict + Persist + Debug,
    M::Output: PartialEq + Debug,
{
    check_model(name, params, data, Nan::Refused)
}

fn check_model<T, P, M>(name: &str, params: &P, data: &Dataset<T>, nan: Nan)
where
    T: Clone,
    P: Estimator<Dataset<T>, Fitted = M>,
    M: Predict + Persist + Debug,
    M::Output: PartialEq + Debug,
{
    check_fit_input(name, params, data, nan);
    let model = params.fit(data).unwrap();
    let wide = Array2::<f64>::zeros((3, data.n_features() + 1));
    assert!(
        matches!(
            model.predict(&wide).unwrap_err(),
            Error::ShapeMismatch { .. }
        ),
        "{name}: wrong feature count"
    );
    let mut bad = data.records.slice(ndarray::s![0..3, ..]).to_owned();
    bad[(1, 0)] = f64::NAN;
    match nan {
        Nan::Refused => assert!(
            matches!(model.predict(&bad).unwrap_err(), Error::NonFinite { .. }),
            "{name}: NaN at predict time"
        ),
        Nan::Missing => assert_eq!(model.predict(&bad).unwrap().len(), 3, "{name}"),
    }
    bad[(1, 0)] = f64::INFINITY;
    assert!(
        matches!(model.predict(&bad).unwrap_err(), Error::NonFinite { .. }),
        "{name}: infinity at predict time"
    );
    let predictions = model.predict(data).unwrap();
    assert_eq!(
        params.fit(data).unwrap().predict(data).unwrap(),
        predictions,
        "{name}: same seed, same model"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    model.save(&path).unwrap();
    let loaded = M::load(&path).unwrap();
    assert_eq!(
        loaded.predict(data).unwrap(),
        predictions,
        "{name}: save → load → predict"
    );
}

fn check_transformer<P, M>(name: &str, params: &P, data: &Dataset<f64>)
where
    P: Estimator<Dataset<f64>, Fitted = M>,
    M: Transform + Persist + Debug,
{
    check_fit_rejects_bad_input(name, params, data);
    let model = params.fit(data).unwrap();
    assert!(
        model
            .transform(&Array2::<f64>::zeros((2, data.n_features() + 2)))
            .is_err(),
        "{name}: wrong feature count"
    );
    let out = model.transform(data).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    model.save(&path).unwrap();
    assert_eq!(
        M::load(&path).unwrap().transform(data).unwrap(),
        out,
        "{name}: save → load → transform"
    );
}

#[test]
fn every_classifier_passes_the_common_checks() {
    let data = classification();
    check_predictor("LogisticRegression", &LogisticRegression::params(), &data);
    check_predictor(
        "DecisionTreeClassifier",
        &DecisionTreeClassifier::params().seed(3),
        &data,
    );
    check_predictor(
        "RandomForestClassifier",
        &RandomForest::classifier().n_estimators(10).seed(3),
        &data,
    );
    check_model(
        "GradientBoostingClassifier",
        &GradientBoosting::classifier().n_estimators(20).seed(3),
        &data,
        Nan::Missing,
    );
}

#[test]
fn every_regressor_passes_the_common_checks() {
    let data = regression();
    check_predictor("LinearRegression", &LinearRegression::params(), &data);
    check_predictor("Ridge", &LinearRegression::params().alpha(2.0), &data);
    check_predictor(
        "DecisionTreeRegressor",
        &DecisionTreeRegressor::params().seed(3),
        &data,
    );
    check_predictor(
        "RandomForestRegressor",
        &RandomForest::regressor().n_estimators(10).seed(3),
        &data,
    );
    check_model(
        "GradientBoostingRegressor",
        &GradientBoosting::regressor().n_estimators(20).seed(3),
        &data,
        Nan::Missing,
    );
}

#[test]
fn every_unsupervised_estimator_passes_the_common_checks() {
    let data = regression();
    check_predictor("KMeans", &KMeans::params().n_clusters(3).seed(4), &data);
    check_transformer(
        "Pca",
        &Pca::params().n_components(Components::Count(2)),
        &data,
    );
    check_transformer("StandardScaler", &StandardScaler::params(), &data);
}

/// Gymnasium's `check_env`, for our environments.
fn check_env<E: Env>(name: &str, mut env: E)
where
    E::Observation: PartialEq + Debug + 'static,
{
    assert!(
        matches!(env.step(0), Err(EnvError::EpisodeOver)),
        "{name}: step before reset"
    );
    let first = env.reset(Some(5));
    assert_eq!(
        env.reset(Some(5)),
        first,
        "{name}: reset(seed) is deterministic"
    );
    assert!(
        matches!(
            env.step(env.n_actions()),
            Err(EnvError::InvalidAction { .. })
        ),
        "{name}: invalid action"
    );
    let mut steps = 0;
    loop {
        let step = env.step(steps % env.n_actions()).unwrap();
        steps += 1;
        if let (Space::Discrete(n), Some(obs)) = (
            env.observation_space(),
            (&step.observation as &dyn std::any::Any).downcast_ref::<usize>(),
        ) {
            assert!(*obs < n, "{name}: observation outside the space");
        }
        assert!(
            !(step.terminated && step.truncated),
            "{name}: a step is terminated or truncated, not both"
        );
        if step.done() {
            break;
        }
        assert!(steps < 100_000, "{name}: the episode never ends");
    }
    assert!(
        matches!(env.step(0), Err(EnvError::EpisodeOver)),
        "{name}: step after the end"
    );
}

#[test]
fn every_environment_passes_check_env() {
    check_env("CartPole-v1", CartPole::v1());
    check_env(
        "FrozenLake 4x4",
        GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap(),
    );
    check_env(
        "FrozenLake 8x8",
        GridWorld::new(MapSpec::frozen_lake_8x8(true)).unwrap(),
    );
    check_env(
        "CliffWalking (time-limited)",
        learnkit::envs::TimeLimit::new(GridWorld::new(MapSpec::cliff_walking()).unwrap(), 50),
    );
    check_env("MountainCar-v0", learnkit::envs::MountainCar::v0());
    check_env("Acrobot-v1", learnkit::envs::Acrobot::v1());
    check_env("Taxi-v4", learnkit::envs::Taxi::v4());
    check_env(
        "Taxi-v4 (rainy, fickle)",
        learnkit::envs::Taxi::v4_with(learnkit::envs::TaxiOptions {
            is_rainy: true,
            fickle_passenger: true,
            ..Default::default()
        }),
    );
    check_env("Blackjack-v1", learnkit::envs::Blackjack::v1());
}

#[test]
fn tabular_agents_are_reproducible_and_persist() {
    let table = |seed| {
        let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap();
        let mut agent = QLearning::params()
            .exploration(Schedule::Constant(0.2))
            .seed(seed)
            .build(16, 4)
            .unwrap();
        train(
            &mut env,
            &mut agent,
            &TrainConfig::params().episodes(300).seed(seed),
            |_, _| Ok(Control::Continue),
        )
        .unwrap();
        agent.table().clone()
    };
    assert_eq!(table(1), table(1));
    let dir = tempfile::tempdir().unwrap();
    table(1).save(dir.path().join("q.json")).unwrap();
    assert_eq!(QTable::load(dir.path().join("q.json")).unwrap(), table(1));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes as a CSV file: an error or a dataset, never a panic.
    #[test]
    fn csv_loading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), target in "[a-c]{0,2}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.csv");
        std::fs::write(&path, &bytes).unwrap();
        let target = (!target.is_empty()).then_some(target.as_str());
        if let Ok(table) = learnkit::data::read_csv(&path, target) {
            let _ = table.classification();
            let _ = table.regression();
            prop_assert!(table.features.iter().all(|v| v.is_finite()));
        }
    }

    /// CSV-shaped text with numbers, blanks and junk in the cells.
    #[test]
    fn csv_like_text_never_panics(rows in proptest::collection::vec(proptest::collection::vec("(-?[0-9]{1,3}(\\.[0-9])?|nan|inf|x|)", 1..4), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.csv");
        let mut text = String::from("a,b,c\n");
        for row in &rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        if let Ok(table) = learnkit::data::read_csv(&path, Some("c")) {
            let _ = table.regression();
            let _ = table.classification();
        }
    }

    /// Arbitrary bytes as a model file: an error, never a panic, for every model type.
    #[test]
    fn model_loading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let origin = std::path::Path::new("fuzz.json");
        prop_assert!(learnkit::linear::FittedLinearRegression::from_bytes(&bytes, origin).is_err());
        prop_assert!(learnkit::linear::FittedLogisticRegression::from_bytes(&bytes, origin).is_err());
        prop_assert!(learnkit::tree::FittedForest::<usize>::from_bytes(&bytes, origin).is_err());
        prop_assert!(learnkit::cluster::FittedKMeans::from_bytes(&bytes, origin).is_err());
        prop_assert!(QTable::from_bytes(&bytes, origin).is_err());
    }

    /// A valid model file with one byte changed or cut short: loads or errors, never panics.
    #[test]
    fn damaged_model_files_never_panic(position in 0usize..10_000, byte in any::<u8>(), cut in any::<bool>()) {
        let data = classification();
        let model = DecisionTreeClassifier::params().max_depth(Some(3)).fit(&data).unwrap();
        let mut bytes = model.to_bytes().unwrap();
        let i = position % bytes.len();
        if cut { bytes.truncate(i) } else { bytes[i] = byte }
        if let Ok(loaded) = learnkit::tree::FittedDecisionTree::<usize>::from_bytes(&bytes, std::path::Path::new("x")) {
            let _ = loaded.predict(&data);
        }
    }

    /// Arbitrary map text: an error naming a line, or a valid map.
    #[test]
    fn map_parsing_never_panics(text in "[SGHC#.F=a-z0-9 \n-]{0,80}") {
        if let Ok(spec) = MapSpec::parse(&text, "fuzz") {
            let mut env = GridWorld::new(spec).unwrap();
            env.reset(Some(0));
            let _ = env.step(1);
        }
    }
}

#[test]
fn labels_arrays_and_targets_must_agree() {
    let x = Array2::<f64>::zeros((4, 2));
    let y = Array1::from(vec![0usize, 1, 0]);
    let err = LogisticRegression::params().fit(&(x, y)).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}

/// The `k`-th number (or array, for `shorten`) of a JSON tree, in document order, replaced by
/// `hostile` (or cut short by one element). Returns whether anything changed.
fn mutate_json(
    value: &mut serde_json::Value,
    k: &mut usize,
    hostile: &serde_json::Value,
    shorten: bool,
) -> bool {
    match value {
        serde_json::Value::Number(_) if !shorten => {
            if *k == 0 {
                *value = hostile.clone();
                return true;
            }
            *k -= 1;
            false
        }
        serde_json::Value::Array(items) => {
            if shorten && !items.is_empty() {
                if *k == 0 {
                    items.pop();
                    return true;
                }
                *k -= 1;
            }
            items
                .iter_mut()
                .any(|v| mutate_json(v, k, hostile, shorten))
        }
        serde_json::Value::Object(map) => map
            .values_mut()
            .any(|v| mutate_json(v, k, hostile, shorten)),
        _ => false,
    }
}

/// Saves `model`, mutates one number or one array of the file's JSON, and loads it back: an
/// error, or a model that predicts (or fails) without panicking.
fn load_mutated<M: Persist + Predict>(
    model: &M,
    x: &Dataset<usize>,
    k: usize,
    hostile: &serde_json::Value,
    shorten: bool,
) {
    let mut json: serde_json::Value = serde_json::from_slice(&model.to_bytes().unwrap()).unwrap();
    let mut index = k;
    if !mutate_json(&mut json, &mut index, hostile, shorten) {
        return;
    }
    let bytes = serde_json::to_vec(&json).unwrap();
    if let Ok(loaded) = M::from_bytes(&bytes, std::path::Path::new("mutated.json")) {
        let _ = loaded.predict_view(x.records.view());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Structure-aware corruption of real model files: any one number set to a hostile value
    /// (huge, negative, past u32/usize, fractional where a count belongs) or any one array cut
    /// short — every loader returns an error or a model that does not panic when used.
    #[test]
    fn mutated_model_files_never_panic(k in 0usize..400, choice in 0usize..8, shorten in any::<bool>()) {
        let hostile = [
            serde_json::json!(-1),
            serde_json::json!(1e308),
            serde_json::json!(-1e308),
            serde_json::json!(4294967296u64),
            serde_json::json!(u64::MAX),
            serde_json::json!(0),
            serde_json::json!(0.5),
            serde_json::json!(i64::MIN),
        ][choice].clone();
        let data = classification();
        let tree = DecisionTreeClassifier::params().max_depth(Some(4)).fit(&data).unwrap();
        load_mutated(&tree, &data, k, &hostile, shorten);
        let forest = RandomForest::classifier().n_estimators(3).max_depth(Some(3)).seed(1).fit(&data).unwrap();
        load_mutated(&forest, &data, k, &hostile, shorten);
        let logistic = LogisticRegression::params().fit(&data).unwrap();
        load_mutated(&logistic, &data, k, &hostile, shorten);
        let boosting = GradientBoosting::classifier().n_estimators(3).max_leaf_nodes(4).fit(&data).unwrap();
        load_mutated(&boosting, &data, k, &hostile, shorten);
        let kmeans = KMeans::params().n_clusters(3).fit(&data).unwrap();
        load_mutated(&kmeans, &data, k, &hostile, shorten);
    }
}
