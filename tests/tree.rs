//! The tree engine against known answers, scikit-learn's figures (tests/fixtures/sklearn.json)
//! and linfa-trees, the reference implementation.

mod common;

use common::{fixture, on_threads, sklearn};
use learnkit::data::{read_csv, MakeClassification, MakeRegression};
use learnkit::prelude::*;
use learnkit::tree::{
    Criterion, DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures, RandomForest,
};
use ndarray::{array, Array2};

fn every_fifth(data: &Dataset<usize>) -> (Dataset<usize>, Dataset<usize>) {
    let n = data.n_samples();
    let train: Vec<usize> = (0..n).filter(|i| i % 5 != 0).collect();
    let test: Vec<usize> = (0..n).filter(|i| i % 5 == 0).collect();
    (data.select(&train).unwrap(), data.select(&test).unwrap())
}

fn gen_split() -> (Dataset<usize>, Dataset<usize>) {
    let data = read_csv(fixture("gen.csv"), Some("y"))
        .unwrap()
        .classification()
        .unwrap();
    let train: Vec<usize> = (0..1500).collect();
    let test: Vec<usize> = (1500..2000).collect();
    (data.select(&train).unwrap(), data.select(&test).unwrap())
}

fn iris_split() -> (Dataset<usize>, Dataset<usize>) {
    every_fifth(
        &read_csv(fixture("iris.csv"), Some("species"))
            .unwrap()
            .classification()
            .unwrap(),
    )
}

fn linfa_tree_accuracy(train: &Dataset<usize>, test: &Dataset<usize>) -> f64 {
    let linfa_train = linfa::DatasetBase::new(train.records.clone(), train.targets.clone());
    // Called by path: learnkit's parameter types implement linfa's `Fit` too.
    let model =
        linfa::traits::Fit::fit(&linfa_trees::DecisionTree::params(), &linfa_train).unwrap();
    let predicted: ndarray::Array1<usize> = linfa::traits::Predict::predict(&model, &test.records);
    learnkit::metrics::accuracy(test.targets.view(), predicted.view()).unwrap()
}

#[test]
fn classifier_accuracy_agrees_with_scikit_learn_and_linfa() {
    let fx = &sklearn()["trees"];
    for (name, (train, test)) in [("iris", iris_split()), ("gen", gen_split())] {
        let ours = DecisionTreeClassifier::params()
            .fit(&train)
            .unwrap()
            .score(&test, test.targets())
            .unwrap();
        let linfa = linfa_tree_accuracy(&train, &test);
        let sk = fx[name]["tree_accuracy"].as_f64().unwrap();
        println!("{name}: learnkit {ours:.4}, linfa {linfa:.4}, scikit-learn {sk:.4}");
        assert!(
            (ours - linfa).abs() <= 0.01 + 1e-12,
            "{name}: {ours} vs linfa {linfa}"
        );
        assert!(
            (ours - sk).abs() <= 0.01 + 1e-12,
            "{name}: {ours} vs scikit-learn {sk}"
        );
        let forest = RandomForest::classifier()
            .seed(0)
            .fit(&train)
            .unwrap()
            .score(&test, test.targets())
            .unwrap();
        let sk_forest = fx[name]["forest_accuracy"].as_f64().unwrap();
        println!("{name}: forest learnkit {forest:.4}, scikit-learn {sk_forest:.4}");
        assert!(
            (forest - sk_forest).abs() <= 0.01 + 1e-12,
            "{name}: forest {forest} vs {sk_forest}"
        );
    }
}

#[test]
fn regressor_r2_agrees_with_scikit_learn() {
    let fx = &sklearn()["trees"]["diabetes"];
    let data = read_csv(fixture("diabetes.csv"), Some("progression"))
        .unwrap()
        .regression()
        .unwrap();
    let n = data.n_samples();
    let train = data
        .select(&(0..n).filter(|i| i % 5 != 0).collect::<Vec<_>>())
        .unwrap();
    let test = data
        .select(&(0..n).filter(|i| i % 5 == 0).collect::<Vec<_>>())
        .unwrap();
    let tree = DecisionTreeRegressor::params()
        .max_depth(Some(4))
        .fit(&train)
        .unwrap();
    let r2 = tree.score(&test, test.targets()).unwrap();
    let forest = RandomForest::regressor()
        .seed(0)
        .fit(&train)
        .unwrap()
        .score(&test, test.targets())
        .unwrap();
    println!(
        "diabetes: tree {r2:.4} vs {}, forest {forest:.4} vs {}",
        fx["tree_depth4_r2"], fx["forest_r2"]
    );
    assert!((r2 - fx["tree_depth4_r2"].as_f64().unwrap()).abs() < 0.01);
    assert!((forest - fx["forest_r2"].as_f64().unwrap()).abs() < 0.01);
}

fn noise_free(n: usize, seed: u64) -> Dataset<usize> {
    MakeClassification::params()
        .n_samples(n)
        .n_features(6)
        .n_informative(4)
        .n_redundant(0)
        .flip_y(0.0)
        .seed(seed)
        .generate()
        .unwrap()
}

#[test]
fn an_unlimited_tree_fits_noise_free_training_data_perfectly() {
    let data = noise_free(600, 3);
    for criterion in [Criterion::Gini, Criterion::Entropy] {
        let tree = DecisionTreeClassifier::params()
            .criterion(criterion)
            .fit(&data)
            .unwrap();
        assert_eq!(tree.score(&data, data.targets()).unwrap(), 1.0);
    }
    let reg = MakeRegression::params()
        .n_samples(400)
        .n_features(5)
        .noise(1.0)
        .seed(2)
        .generate()
        .unwrap();
    let tree = DecisionTreeRegressor::params().fit(&reg).unwrap();
    assert!((tree.score(&reg, reg.targets()).unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn depth_and_leaf_size_limits_hold_in_the_fitted_tree() {
    let data = noise_free(800, 5);
    for (depth, leaf) in [(Some(3), 1), (Some(6), 20), (None, 35)] {
        let tree = DecisionTreeClassifier::params()
            .max_depth(depth)
            .min_samples_leaf(leaf)
            .fit(&data)
            .unwrap();
        let nodes = tree.tree().nodes();
        for node in &nodes {
            if let Some(d) = depth {
                assert!(node.depth <= d, "node at depth {} > {d}", node.depth);
            }
            assert!(
                node.n_samples >= leaf,
                "node with {} samples < {leaf}",
                node.n_samples
            );
            if let Some(s) = &node.split {
                // Children partition the parent.
                let (l, r) = (&nodes[s.left], &nodes[s.right]);
                assert_eq!(l.n_samples + r.n_samples, node.n_samples);
            }
        }
        assert!(depth.is_none_or(|d| tree.depth() <= d));
    }
    let split = DecisionTreeClassifier::params()
        .min_samples_split(300)
        .fit(&data)
        .unwrap();
    for node in &split.tree().nodes() {
        if node.split.is_some() {
            assert!(node.n_samples >= 300);
        }
    }
}

#[test]
fn importances_sum_to_one_and_find_the_signal() {
    // Only feature 1 matters.
    let x = Array2::from_shape_fn((400, 3), |(i, j)| ((i * (j + 3) * 7919) % 1000) as f64);
    let y = x.column(1).mapv(|v| usize::from(v > 500.0));
    let data = Dataset::new(x, y).unwrap();
    let tree = DecisionTreeClassifier::params().fit(&data).unwrap();
    let imp = tree.feature_importances();
    assert!((imp.sum() - 1.0).abs() < 1e-12);
    assert!(imp[1] > 0.99, "{imp}");
    let forest = RandomForest::classifier()
        .n_estimators(30)
        .seed(1)
        .fit(&data)
        .unwrap();
    let imp = forest.feature_importances();
    assert!((imp.sum() - 1.0).abs() < 1e-12);
    assert!(imp[1] > imp[0] && imp[1] > imp[2], "{imp}");
    assert!(tree.export_text().contains("x1 <= "));
    assert!(tree.export_dot().starts_with("digraph Tree {"));
}

#[test]
fn forest_is_identical_on_one_or_two_threads() {
    let data = noise_free(1000, 7);
    let fit = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                RandomForest::classifier()
                    .n_estimators(24)
                    .oob_score(true)
                    .seed(42)
                    .fit(&data)
                    .unwrap()
            })
    };
    let (one, two) = (fit(1), fit(2));
    assert_eq!(one, two);
    assert_eq!(
        one.predict_proba(&data).unwrap(),
        two.predict_proba(&data).unwrap()
    );
    assert_ne!(
        one,
        RandomForest::classifier()
            .n_estimators(24)
            .oob_score(true)
            .seed(43)
            .fit(&data)
            .unwrap()
    );
    let oob = one.oob_score().unwrap();
    assert!(oob > 0.8 && oob < 1.0, "{oob}");
    assert_eq!(one.oob_curve().last().map(|p| p.1), Some(oob));
}

#[test]
fn invalid_hyper_parameters_and_inputs_are_errors() {
    let data = noise_free(100, 1);
    let name = |e: Error| match e {
        Error::InvalidParameter { name, .. } => name,
        other => panic!("expected InvalidParameter, got {other}"),
    };
    assert_eq!(
        name(
            RandomForest::classifier()
                .n_estimators(0)
                .fit(&data)
                .unwrap_err()
        ),
        "n_estimators"
    );
    assert_eq!(
        name(
            RandomForest::classifier()
                .max_features(MaxFeatures::Count(0))
                .fit(&data)
                .unwrap_err()
        ),
        "max_features"
    );
    assert_eq!(
        name(
            RandomForest::classifier()
                .max_features(MaxFeatures::Count(7))
                .fit(&data)
                .unwrap_err()
        ),
        "max_features"
    );
    assert_eq!(
        name(
            RandomForest::classifier()
                .max_features(MaxFeatures::Fraction(1.5))
                .fit(&data)
                .unwrap_err()
        ),
        "max_features"
    );
    assert_eq!(
        name(
            DecisionTreeClassifier::params()
                .max_depth(Some(0))
                .fit(&data)
                .unwrap_err()
        ),
        "max_depth"
    );
    assert_eq!(
        name(
            DecisionTreeClassifier::params()
                .min_samples_leaf(0)
                .fit(&data)
                .unwrap_err()
        ),
        "min_samples_leaf"
    );
    assert_eq!(
        name(
            DecisionTreeClassifier::params()
                .min_samples_split(1)
                .fit(&data)
                .unwrap_err()
        ),
        "min_samples_split"
    );
    assert_eq!(
        name(
            DecisionTreeClassifier::params()
                .criterion(Criterion::SquaredError)
                .fit(&data)
                .unwrap_err()
        ),
        "criterion"
    );
    assert_eq!(
        name(
            RandomForest::classifier()
                .bootstrap(false)
                .oob_score(true)
                .fit(&data)
                .unwrap_err()
        ),
        "oob_score"
    );
    let nan = (array![[1.0, 2.0], [f64::NAN, 0.0]], array![0usize, 1]);
    assert!(matches!(
        DecisionTreeClassifier::params().fit(&nan).unwrap_err(),
        Error::NonFinite {
            row: 1,
            column: 0,
            ..
        }
    ));
    assert!(matches!(
        RandomForest::classifier().fit(&nan).unwrap_err(),
        Error::NonFinite { .. }
    ));
    let reg_nan = (array![[1.0], [2.0]], array![0.5, f64::NAN]);
    assert!(matches!(
        DecisionTreeRegressor::params().fit(&reg_nan).unwrap_err(),
        Error::NonFinite { .. }
    ));
    let tree = DecisionTreeClassifier::params().fit(&data).unwrap();
    assert!(matches!(
        tree.predict(&array![[1.0, 2.0]]).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
}

#[test]
fn trees_and_forests_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = noise_free(300, 4);
    let forest = RandomForest::classifier()
        .n_estimators(5)
        .seed(3)
        .fit(&data)
        .unwrap();
    let path = dir.path().join("forest.json");
    forest.save(&path).unwrap();
    let loaded = learnkit::tree::FittedForest::<usize>::load(&path).unwrap();
    assert_eq!(
        loaded.predict_proba(&data).unwrap(),
        forest.predict_proba(&data).unwrap()
    );
    // A corrupted link is caught at load time instead of looping or panicking at predict time.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("\"left\":1,", "\"left\":0,", 1);
    std::fs::write(&path, text).unwrap();
    assert!(matches!(
        learnkit::tree::FittedForest::<usize>::load(&path).unwrap_err(),
        Error::CorruptModel { .. }
    ));
}

#[test]
fn accuracy_by_depth_equals_refitting_with_each_depth_limit() {
    // CART grows each node the same way whatever the depth limit, so the full tree cut at
    // depth d is the tree fitted with max_depth = d: same accuracy on any data.
    let (train, test) = gen_split();
    let full = DecisionTreeClassifier::params().fit(&train).unwrap();
    let max_depth = full.depth() + 2; // past the leaves the curve stays flat
    for data in [&train, &test] {
        let curve = full.accuracy_by_depth(data, max_depth).unwrap();
        assert_eq!(curve.len(), max_depth);
        for (i, &acc) in curve.iter().enumerate() {
            let refit = DecisionTreeClassifier::params()
                .max_depth(Some(i + 1))
                .fit(&train)
                .unwrap();
            let expected = refit.score(data, data.targets()).unwrap();
            assert!(
                (acc - expected).abs() < 1e-12,
                "depth {}: {acc} vs {expected}",
                i + 1
            );
        }
    }
    // Past the full depth it is the full tree's accuracy.
    let last = *full
        .accuracy_by_depth(&test, max_depth)
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(last, full.score(&test, test.targets()).unwrap());
    // A wrong feature count is an error, not a panic.
    let narrow = test.select_features(&[0, 1]).unwrap();
    assert!(full.accuracy_by_depth(&narrow, 3).is_err());
}

#[test]
fn a_tree_file_with_node_arrays_of_different_lengths_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let data = noise_free(200, 5);
    let tree = DecisionTreeClassifier::params().fit(&data).unwrap();
    assert!(tree.tree().memory_bytes() < 64 * tree.tree().n_nodes());
    let path = dir.path().join("tree.json");
    tree.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in [
        ("\"n_samples\":[", "\"n_samples\":[5,"),
        ("\"value_len\":2", "\"value_len\":3"),
        ("{\"feature\":", "{\"feature\":99"),
    ] {
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        assert!(
            matches!(
                learnkit::tree::FittedDecisionTree::<usize>::load(&path).unwrap_err(),
                Error::CorruptModel { .. }
            ),
            "{from} -> {to}"
        );
    }
}

#[test]
fn subsample_keeps_order_and_is_seeded() {
    let (train, _) = gen_split();
    let a = train.subsample(100, 1).unwrap();
    assert_eq!(a.n_samples(), 100);
    assert_eq!(a.records, train.subsample(100, 1).unwrap().records);
    assert_ne!(a.records, train.subsample(100, 2).unwrap().records);
    assert_eq!(
        train.subsample(10_000, 1).unwrap().n_samples(),
        train.n_samples()
    );
}

#[test]
fn a_large_tree_with_parallel_histograms_is_identical_on_one_or_two_threads() {
    // 30,000 × 20: the root and the first levels build their histograms in parallel, and
    // the thresholds come from the binning sample only above 200,000 rows (not here).
    let data = MakeClassification::params()
        .n_samples(30_000)
        .n_features(20)
        .n_informative(8)
        .seed(3)
        .generate()
        .unwrap();
    let fit = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| DecisionTreeClassifier::params().fit(&data).unwrap())
    };
    let (one, two) = (fit(1), fit(2));
    assert_eq!(one, two);
    assert!(one.n_leaves() > 100);
}

/// 24,000 rows: parallel histograms, parallel partition blocks, forests grown in parallel.
/// Trees and forests, classification and regression, are byte-identical on 1, 2 and 3 threads.
#[test]
fn large_trees_and_forests_are_byte_identical_on_one_two_and_three_threads() {
    let clf = MakeClassification::params()
        .n_samples(24_000)
        .n_features(12)
        .n_informative(6)
        .seed(5)
        .generate()
        .unwrap();
    let reg = MakeRegression::params()
        .n_samples(24_000)
        .n_features(12)
        .noise(3.0)
        .seed(6)
        .generate()
        .unwrap();
    let fits = |threads: usize| -> Vec<Vec<u8>> {
        on_threads(threads, || {
            vec![
                DecisionTreeClassifier::params()
                    .fit(&clf)
                    .unwrap()
                    .to_bytes()
                    .unwrap(),
                DecisionTreeRegressor::params()
                    .max_depth(Some(12))
                    .fit(&reg)
                    .unwrap()
                    .to_bytes()
                    .unwrap(),
                RandomForest::classifier()
                    .n_estimators(4)
                    .oob_score(true)
                    .seed(7)
                    .fit(&clf)
                    .unwrap()
                    .to_bytes()
                    .unwrap(),
                RandomForest::regressor()
                    .n_estimators(3)
                    .max_depth(Some(10))
                    .seed(8)
                    .fit(&reg)
                    .unwrap()
                    .to_bytes()
                    .unwrap(),
            ]
        })
    };
    let one = fits(1);
    assert_eq!(one, fits(2));
    assert_eq!(one, fits(3));
}
