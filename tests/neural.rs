//! The multilayer perceptrons (feature `tch`) against scikit-learn's on the same rows: digits
//! and breast cancer (first rows to train, the last to test, no shuffle, standardised inside a
//! pipeline), reproducibility, early stopping, and bad input.
#![cfg(feature = "tch")]

use learnkit::model_selection::Pipeline;
use learnkit::neural::{FittedMlp, MlpClassifier, MlpRegressor};
use learnkit::persist::Persist;
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use ndarray::{Array1, Array2};

/// The first `cut` rows and the rest.
fn split(data: &Dataset<usize>, cut: usize) -> (Dataset<usize>, Dataset<usize>) {
    let train: Vec<usize> = (0..cut).collect();
    let test: Vec<usize> = (cut..data.n_samples()).collect();
    (data.select(&train).unwrap(), data.select(&test).unwrap())
}

/// scikit-learn 1.9.1, `make_pipeline(StandardScaler(), MLPClassifier(random_state=0))` on the
/// same split: digits 0.9200 (1,347 rows to train, 450 to test), breast cancer 0.9789 (427 and
/// 142). learnkit must be within one point (the bar of the issue), whatever its seed.
#[test]
fn accuracy_is_within_a_point_of_scikit_learn_on_digits_and_breast_cancer() {
    for (data, cut, sklearn) in [
        (learnkit::data::digits().unwrap(), 1_347, 0.9200),
        (learnkit::data::breast_cancer().unwrap(), 427, 0.9789),
    ] {
        let (train, test) = split(&data, cut);
        for seed in [0, 1] {
            let model = Pipeline::new(MlpClassifier::params().seed(seed))
                .scaler(StandardScaler::params())
                .fit(&train)
                .unwrap();
            let accuracy = model.score_on(&test).unwrap();
            assert!(
                accuracy >= sklearn - 0.01,
                "seed {seed}: {accuracy} against scikit-learn's {sklearn}"
            );
        }
    }
}

#[test]
fn same_seed_same_network_and_early_stopping_keeps_the_best_epoch() {
    let data = learnkit::data::breast_cancer().unwrap();
    let params = MlpClassifier::params()
        .hidden_layer_sizes(vec![32, 16])
        .max_iter(40)
        .seed(7);
    let fit = |p: &MlpClassifier| {
        Pipeline::new(p.clone())
            .scaler(StandardScaler::params())
            .fit(&data)
            .unwrap()
            .predict_proba(&data)
            .unwrap()
    };
    assert_eq!(fit(&params), fit(&params));
    assert_ne!(fit(&params), fit(&params.clone().seed(8)));
    let scaled = StandardScaler::params().fit_transform(&data).unwrap().1;
    let scaled = Dataset::new(scaled, data.targets.clone()).unwrap();
    let model = params
        .clone()
        .max_iter(300)
        .early_stopping(true)
        .fit(&scaled)
        .unwrap();
    let scores = model.validation_scores();
    assert_eq!(scores.len(), model.n_iter());
    assert!(
        model.converged() && model.n_iter() < 300,
        "{}",
        model.n_iter()
    );
    assert!(scores.iter().copied().fold(0.0, f64::max) > 0.9);
    assert_eq!(model.layer_sizes(), &[30, 32, 16, 2]);
}

#[test]
fn the_regressor_fits_a_smooth_function() {
    let x = Array2::from_shape_fn((600, 2), |(i, f)| {
        ((i * 37 + f * 101) % 600) as f64 / 300.0 - 1.0
    });
    let y = Array1::from_shape_fn(600, |i| (2.0 * x[[i, 0]]).sin() + x[[i, 1]] * x[[i, 1]]);
    let data = Dataset::new(x, y).unwrap();
    let model = MlpRegressor::params()
        .hidden_layer_sizes(vec![64, 64])
        .learning_rate(3e-3)
        .max_iter(500)
        .fit(&data)
        .unwrap();
    let r2 = model.score_on(&data).unwrap();
    assert!(r2 > 0.97, "R² {r2}");
    // The loss falls: the last epoch well below the first.
    let curve = model.loss_curve();
    assert!(curve[curve.len() - 1] < 0.1 * curve[0], "{curve:?}");
}

#[test]
fn bad_settings_data_and_model_files_are_errors() {
    let data = learnkit::data::iris().unwrap();
    for (params, needle) in [
        (
            MlpClassifier::params().hidden_layer_sizes(vec![]),
            "hidden_layer_sizes",
        ),
        (
            MlpClassifier::params().hidden_layer_sizes(vec![0]),
            "hidden_layer_sizes",
        ),
        (
            MlpClassifier::params().hidden_layer_sizes(vec![1 << 20, 1 << 20]),
            "parameters",
        ),
        (
            MlpClassifier::params().learning_rate(f64::NAN),
            "learning_rate",
        ),
        (MlpClassifier::params().batch_size(Some(0)), "batch_size"),
        (
            MlpClassifier::params()
                .early_stopping(true)
                .validation_fraction(1.0),
            "validation_fraction",
        ),
    ] {
        let e = params.fit(&data).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    let mut x = data.records.clone();
    x[[3, 1]] = f64::NAN;
    let bad = Dataset::new(x, data.targets.clone());
    if let Ok(bad) = bad {
        assert!(MlpClassifier::params().fit(&bad).is_err());
    }
    let one_class = Dataset::new(data.records.clone(), Array1::zeros(150)).unwrap();
    assert!(MlpClassifier::params()
        .fit(&one_class)
        .unwrap_err()
        .to_string()
        .contains("2 classes"));
    // A model file round-trips; a tampered one is refused.
    let model = MlpClassifier::params()
        .hidden_layer_sizes(vec![8])
        .max_iter(20)
        .fit(&data)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlp.lk");
    model.save(&path).unwrap();
    let back = FittedMlp::<usize>::load(&path).unwrap();
    assert_eq!(back.predict(&data).unwrap(), model.predict(&data).unwrap());
    assert!(
        FittedMlp::<f64>::load(&path).is_err(),
        "a classifier loaded as a regressor"
    );
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();
    assert!(FittedMlp::<usize>::load(&path).is_err());
}
