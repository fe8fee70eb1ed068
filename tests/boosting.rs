//! Gradient boosting against known answers: one squared-error round is one regression tree on
//! the residuals; a stump separates a separable problem; the training loss falls every round;
//! one thread or many, the same model; saving and loading keeps every prediction.

use learnkit::data::{MakeClassification, MakeRegression};
use learnkit::prelude::*;
use learnkit::tree::{DecisionTreeRegressor, GradientBoosting};
use ndarray::{Array1, Array2};

#[test]
fn one_squared_error_round_is_a_tree_on_the_residuals() {
    let (data, _) = MakeRegression::params()
        .n_samples(400)
        .n_features(5)
        .noise(5.0)
        .seed(3)
        .generate()
        .unwrap();
    // Exact gradient sums: each split is then CART's best one on the bins.
    let booster = GradientBoosting::regressor()
        .quantized_gradients(false)
        .n_estimators(1)
        .learning_rate(1.0)
        .min_samples_leaf(1)
        .max_depth(Some(3))
        .max_leaf_nodes(64)
        .fit(&data)
        .unwrap();
    let mean = data.targets.mean().unwrap();
    let residuals: Array1<f64> = data.targets.mapv(|y| y - mean);
    let tree = DecisionTreeRegressor::params()
        .max_depth(Some(3))
        .fit(&(data.records.clone(), residuals))
        .unwrap();
    let expected = tree.predict(&data).unwrap() + mean;
    let got = booster.predict(&data).unwrap();
    for (a, b) in got.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn a_stump_separates_a_separable_problem() {
    let x = Array2::from_shape_fn((200, 2), |(i, j)| {
        if j == 0 {
            i as f64 / 200.0
        } else {
            ((i * 37) % 11) as f64
        }
    });
    let y: Array1<usize> = (0..200).map(|i| usize::from(i >= 100)).collect();
    let model = GradientBoosting::classifier()
        .n_estimators(1)
        .max_depth(Some(1))
        .min_samples_leaf(1)
        .fit(&(x.clone(), y.clone()))
        .unwrap();
    assert_eq!(model.predict(&x).unwrap(), y);
    assert_eq!(model.trees()[0].nodes.len(), 3);
    assert_eq!(model.split_counts(), &[1, 0]);
}

#[test]
fn the_training_loss_falls_every_round() {
    let binary = MakeClassification::params()
        .n_samples(500)
        .seed(1)
        .generate()
        .unwrap();
    let multi = MakeClassification::params()
        .n_samples(600)
        .n_classes(3)
        .n_informative(4)
        .seed(2)
        .generate()
        .unwrap();
    let (regression, _) = MakeRegression::params()
        .n_samples(500)
        .noise(10.0)
        .seed(3)
        .generate()
        .unwrap();
    let check = |losses: &[f64], what: &str| {
        assert_eq!(losses.len(), 31, "{what}");
        for w in losses.windows(2) {
            assert!(w[1] <= w[0] + 1e-12, "{what}: {} then {}", w[0], w[1]);
        }
        assert!(
            losses[30] < 0.6 * losses[0],
            "{what}: {} → {}",
            losses[0],
            losses[30]
        );
    };
    let params = GradientBoosting::classifier().n_estimators(30);
    check(params.fit(&binary).unwrap().train_loss(), "binary");
    let model = params.fit(&multi).unwrap();
    check(model.train_loss(), "softmax");
    assert_eq!(model.trees().len(), 90, "one tree per class per round");
    check(
        GradientBoosting::regressor()
            .n_estimators(30)
            .fit(&regression)
            .unwrap()
            .train_loss(),
        "squared",
    );
}

#[test]
fn accurate_reproducible_and_persistent() {
    let data = MakeClassification::params()
        .n_samples(2000)
        .n_informative(6)
        .seed(4)
        .generate()
        .unwrap();
    let (train, test) = learnkit::data::train_test_split(&data, 0.25, 0).unwrap();
    let params = GradientBoosting::classifier()
        .n_estimators(60)
        .subsample(0.8)
        .colsample(0.8)
        .seed(5);
    let model = params.fit(&train).unwrap();
    assert!(
        model.score_on(&test).unwrap() > 0.9,
        "{}",
        model.score_on(&test).unwrap()
    );
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let again = one_thread.install(|| params.fit(&train).unwrap());
    assert_eq!(model, again, "thread count changes nothing");
    let proba = model.predict_proba(&test).unwrap();
    assert!(proba
        .rows()
        .into_iter()
        .all(|r| (r.sum() - 1.0).abs() < 1e-12));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gb.json");
    model.save(&path).unwrap();
    let back = learnkit::tree::FittedGradientBoosting::<usize>::load(&path).unwrap();
    assert_eq!(back.predict_proba(&test).unwrap(), proba);
    let importances = model.feature_importances();
    assert!((importances.sum() - 1.0).abs() < 1e-9);
    // Boxed like every model.
    let boxed: Box<dyn Classifier<Output = usize>> = Box::new(back);
    assert!(boxed.score_on(&test).unwrap() > 0.9);
}

#[test]
fn bad_settings_are_errors_before_fitting() {
    let data = MakeClassification::params()
        .n_samples(100)
        .seed(1)
        .generate()
        .unwrap();
    for (params, name) in [
        (
            GradientBoosting::classifier().n_estimators(0),
            "n_estimators",
        ),
        (
            GradientBoosting::classifier().learning_rate(0.0),
            "learning_rate",
        ),
        (
            GradientBoosting::classifier().max_leaf_nodes(1),
            "max_leaf_nodes",
        ),
        (
            GradientBoosting::classifier().min_samples_leaf(0),
            "min_samples_leaf",
        ),
        (
            GradientBoosting::classifier().l2_regularization(-1.0),
            "l2_regularization",
        ),
        (GradientBoosting::classifier().subsample(0.0), "subsample"),
        (GradientBoosting::classifier().colsample(1.5), "colsample"),
    ] {
        let err = params.check().unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(params.fit(&data).unwrap_err().to_string(), err.to_string());
    }
}

/// Boosting goes through model selection like every estimator: parameters by name, CV scores.
#[test]
fn boosting_is_searched_like_every_estimator() {
    use learnkit::model_selection::{GridSearch, KFold, ParamGrid};
    let data = MakeClassification::params()
        .n_samples(600)
        .seed(8)
        .generate()
        .unwrap();
    let grid = ParamGrid::parse("learning_rate=0.01,0.3;max_leaf_nodes=4,15").unwrap();
    let search = GridSearch::new(GradientBoosting::classifier().n_estimators(20), grid)
        .cv(KFold::params().shuffle(true).seed(0))
        .fit(&data)
        .unwrap();
    assert_eq!(search.candidates.len(), 4);
    assert_eq!(
        search.best_params()[0].1,
        "0.3",
        "20 rounds at 0.01 barely move from the prior"
    );
}

/// Early stopping holds out rows, watches their loss, and keeps the rounds up to the best one;
/// staged predictions replay the rounds.
#[test]
fn early_stopping_keeps_the_best_round() {
    // Noisy labels: training on forever over-fits, so the validation loss turns up.
    let data = MakeClassification::params()
        .n_samples(800)
        .flip_y(0.3)
        .seed(6)
        .generate()
        .unwrap();
    let model = GradientBoosting::classifier()
        .n_estimators(500)
        .learning_rate(0.3)
        .min_samples_leaf(2)
        .early_stopping(true)
        .n_iter_no_change(10)
        .seed(1)
        .fit(&data)
        .unwrap();
    let rounds = model.n_rounds();
    assert!(rounds < 490, "stopped early: {rounds} rounds");
    let v = model.validation_loss();
    assert_eq!(v.len(), rounds + 1);
    assert_eq!(model.train_loss().len(), rounds + 1);
    let best = v.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(
        *v.last().unwrap(),
        best,
        "the kept rounds end at the lowest validation loss"
    );
    // Staged predictions: one per round, the last equal to the model's own scores.
    let staged = model.staged_decision_function(data.records.view()).unwrap();
    assert_eq!(staged.len(), rounds);
    let last = staged.last().unwrap();
    let full = model.decision_function(data.records.view()).unwrap();
    assert!((last - &full).iter().all(|d| d.abs() < 1e-9));
    assert!(GradientBoosting::classifier()
        .validation_fraction(1.0)
        .check()
        .is_err());
    assert!(GradientBoosting::classifier()
        .n_iter_no_change(0)
        .check()
        .is_err());
}
