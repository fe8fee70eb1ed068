//! Categorical features in trees, forests and boosting: known answers (the best subset by brute
//! force, the set that separates the classes), the rules for values a category set never saw,
//! the errors, and model files and binned datasets that keep the sets.

use ndarray::{Array1, Array2};

use crate::dataset::Dataset;
use crate::persist::Persist;
use crate::traits::{Classifier, Estimator, Predict, PredictProba};
use crate::tree::{
    BinnedDataset, DecisionTreeClassifier, DecisionTreeRegressor, GradientBoosting, RandomForest,
    Tree,
};

/// Rows whose class is 1 exactly when the category (column 0, `k` categories, `per` rows each)
/// is in `positive`; column 1 is noise.
fn classes(k: usize, per: usize, positive: &[u32]) -> Dataset<usize> {
    let n = k * per;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        if j == 0 {
            (i % k) as f64
        } else {
            ((i * 7919) % 101) as f64
        }
    });
    let y = Array1::from_shape_fn(n, |i| usize::from(positive.contains(&((i % k) as u32))));
    Dataset::new(x, y).unwrap()
}

const POSITIVE: [u32; 6] = [2, 5, 7, 11, 13, 17];

/// The categories a root split sends left, as a sorted list, with the other side's.
fn root_sets(tree: &Tree, k: u32) -> (Vec<u32>, Vec<u32>) {
    let left = tree
        .split_categories(0)
        .expect("a categorical root split")
        .to_vec();
    let right = (0..k).filter(|c| !left.contains(c)).collect();
    (left, right)
}

#[test]
fn boosting_finds_the_set_of_categories_that_separates_the_classes_in_one_split() {
    let data = classes(20, 150, &POSITIVE);
    let stump = GradientBoosting::classifier()
        .n_estimators(1)
        .max_leaf_nodes(2)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let (left, _) = root_sets(&stump.trees()[0], 20);
    // Sorted by G / (H + 10): the positive categories (negative gradients) come first.
    assert_eq!(left, POSITIVE);
    // Without the categorical rule one split cannot separate them.
    let numeric = GradientBoosting::classifier()
        .n_estimators(1)
        .max_leaf_nodes(2)
        .fit(&data)
        .unwrap();
    assert!(numeric.trees()[0].split_categories(0).is_none());
    let model = GradientBoosting::classifier()
        .n_estimators(20)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    assert_eq!(model.predict(&data).unwrap(), data.targets);
}

#[test]
fn few_categories_are_split_one_against_the_rest() {
    let data = classes(3, 200, &[1]);
    let stump = GradientBoosting::classifier()
        .n_estimators(1)
        .max_leaf_nodes(2)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    assert_eq!(stump.trees()[0].split_categories(0), Some(&[1u32][..]));
    let tree = DecisionTreeClassifier::params()
        .max_depth(Some(1))
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    assert_eq!(tree.tree().split_categories(0), Some(&[1u32][..]));
}

#[test]
fn a_cart_tree_and_a_forest_separate_the_classes_with_one_set() {
    let data = classes(20, 30, &POSITIVE);
    let tree = DecisionTreeClassifier::params()
        .max_depth(Some(1))
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let (left, right) = root_sets(tree.tree(), 20);
    assert!(left == POSITIVE || right == POSITIVE, "{left:?}");
    assert_eq!(tree.predict(&data).unwrap(), data.targets);
    assert!(
        tree.export_text().contains("x0 in {"),
        "{}",
        tree.export_text()
    );
    let forest = RandomForest::classifier()
        .n_estimators(10)
        .max_features(crate::tree::MaxFeatures::All)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    assert_eq!(forest.predict(&data).unwrap(), data.targets);
}

/// Breiman's theorem: for squared error the best subset of categories is a prefix of the
/// categories sorted by mean. The depth-1 tree's split must match the best of all 2^(k−1)
/// subsets found by brute force.
#[test]
fn a_regression_tree_finds_the_best_of_every_subset() {
    let k = 7usize;
    let means = [3.0, -1.0, 4.0, 1.5, -5.0, 9.0, 2.0];
    let n = 700;
    let x = Array2::from_shape_fn((n, 1), |(i, _)| ((i * 3) % k) as f64);
    let y = Array1::from_shape_fn(n, |i| {
        let c = (i * 3) % k;
        means[c] + ((i * 7919) % 13) as f64 / 4.0
    });
    let data = Dataset::new(x.clone(), y.clone()).unwrap();
    let tree = DecisionTreeRegressor::params()
        .max_depth(Some(1))
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let sse = |rows: &[usize]| {
        let m = rows.iter().map(|&i| y[i]).sum::<f64>() / rows.len() as f64;
        rows.iter().map(|&i| (y[i] - m).powi(2)).sum::<f64>()
    };
    let mut best = (f64::INFINITY, 0u32);
    for mask in 1..(1u32 << (k - 1)) {
        let (l, r): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| mask >> (x[(i, 0)] as u32) & 1 == 1);
        let cost = sse(&l) + sse(&r);
        if cost < best.0 - 1e-9 {
            best = (cost, mask);
        }
    }
    let left = tree.tree().split_categories(0).unwrap();
    let mask: u32 = left.iter().map(|&c| 1 << c).sum();
    let full = (1u32 << k) - 1;
    assert!(
        mask == best.1 || mask == full ^ best.1,
        "{left:?} vs mask {:b}",
        best.1
    );
}

#[test]
fn unseen_missing_negative_and_fractional_values_go_right() {
    let data = classes(20, 150, &POSITIVE);
    let model = GradientBoosting::classifier()
        .n_estimators(1)
        .max_leaf_nodes(2)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let tree = &model.trees()[0];
    let right = tree.split(0).unwrap().right;
    for v in [f64::NAN, 25.0, -2.0, 2.5, 1e12] {
        assert_eq!(tree.leaf_index(&[v, 0.0]), right, "value {v}");
    }
    assert_eq!(tree.leaf_index(&[2.0, 0.0]), tree.split(0).unwrap().left);
}

#[test]
fn values_that_are_no_category_and_bad_lists_are_errors() {
    let mut data = classes(5, 10, &[1]);
    let params = GradientBoosting::classifier().categorical_features(vec![0]);
    for bad in [2.5, -1.0, 5e9] {
        data.records[(3, 0)] = bad;
        let e = params.fit(&data).unwrap_err().to_string();
        assert!(e.contains("x0") && e.contains("whole number"), "{e}");
    }
    data.records[(3, 0)] = 1.0;
    for listed in [vec![2], vec![0, 0]] {
        let e = GradientBoosting::classifier()
            .categorical_features(listed.clone())
            .fit(&data)
            .unwrap_err()
            .to_string();
        assert!(e.contains("categorical_features"), "{listed:?}: {e}");
        let e = DecisionTreeClassifier::params()
            .categorical_features(listed)
            .fit(&data)
            .unwrap_err()
            .to_string();
        assert!(e.contains("categorical_features"), "{e}");
    }
}

/// 600 categories take three code columns of at most 255 (the most frequent first); a split
/// on any of them keeps the category values, so predictions from values, from codes (the
/// rows a subsampled round leaves out, a forest's out-of-bag rows) and from a binned dataset
/// agree, and the class that hangs on the category is learnt.
#[test]
fn more_categories_than_a_code_holds_take_further_code_columns() {
    let k = 600;
    let n = 12_000;
    let category = |i: usize| (i * 7 + i / 600) % k;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        if j == 0 {
            ((i * 13) % 10) as f64
        } else {
            category(i) as f64
        }
    });
    let hot = |c: usize| c % 3 == 0 || c > 550;
    let y = Array1::from_shape_fn(n, |i| usize::from(hot(category(i))));
    let data = Dataset::new(x, y).unwrap();
    let mapper = crate::tree::learner::dataset::BinMapper::fit(data.records.view(), &[1]).unwrap();
    assert_eq!(mapper.n_original(), 2);
    assert_eq!(mapper.extra, [1, 1]);
    let counts: Vec<usize> = (1..4)
        .map(|c| mapper.categories(c).unwrap().len())
        .collect();
    assert_eq!(counts, [255, 255, 90]);
    let boosting = GradientBoosting::classifier()
        .n_estimators(30)
        .subsample(0.7)
        .min_data_per_group(20)
        .categorical_features(vec![1]);
    let model = boosting.fit(&data).unwrap();
    assert!(model.score_on(&data).unwrap() > 0.99);
    let binned = BinnedDataset::from_classification_with(&data, &[1]).unwrap();
    assert_eq!(boosting.fit_binned(&binned).unwrap().trees(), model.trees());
    let forest = RandomForest::classifier()
        .n_estimators(5)
        .oob_score(true)
        .categorical_features(vec![1]);
    let fitted = forest.fit(&data).unwrap();
    assert!(
        fitted.oob_score().unwrap() > 0.95,
        "{:?}",
        fitted.oob_score()
    );
    assert_eq!(forest.fit_binned(&binned).unwrap().trees(), fitted.trees());
    let tree = DecisionTreeClassifier::params()
        .categorical_features(vec![1])
        .fit(&data)
        .unwrap();
    assert_eq!(tree.score_on(&data).unwrap(), 1.0);
    assert_eq!(tree.feature_importances().len(), 2);
}

#[test]
fn models_with_category_sets_survive_a_file_and_binned_data_gives_the_same_model() {
    let data = classes(20, 150, &POSITIVE);
    let dir = std::env::temp_dir().join(format!("learnkit-cat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let params = GradientBoosting::classifier()
        .n_estimators(5)
        .categorical_features(vec![0]);
    let model = params.fit(&data).unwrap();
    let path = dir.join("boost.json");
    model.save(&path).unwrap();
    let loaded = crate::tree::FittedGradientBoosting::<usize>::load(&path).unwrap();
    assert_eq!(loaded.trees(), model.trees());
    // Category sets need format version 5; a model without one stays version 4, and a version
    // 4 file with category sets (as learnkit wrote them before the version existed) still loads.
    let version = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let envelope: serde_json::Value = serde_json::from_str(&text).unwrap();
        envelope["version"].as_u64().unwrap()
    };
    assert_eq!(version(&path), 5);
    let text = std::fs::read_to_string(&path).unwrap();
    let old = dir.join("boost-v4.json");
    std::fs::write(&old, text.replacen("\"version\":5", "\"version\":4", 1)).unwrap();
    assert_eq!(version(&old), 4);
    let from_old = crate::tree::FittedGradientBoosting::<usize>::load(&old).unwrap();
    assert_eq!(from_old.trees(), model.trees());
    let numeric = GradientBoosting::classifier()
        .n_estimators(2)
        .fit(&data)
        .unwrap();
    let numeric_path = dir.join("numeric.json");
    numeric.save(&numeric_path).unwrap();
    assert_eq!(version(&numeric_path), 4);
    let tree = DecisionTreeClassifier::params()
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let tree_path = dir.join("tree.json");
    tree.save(&tree_path).unwrap();
    assert_eq!(version(&tree_path), 5);
    let binned = BinnedDataset::from_classification_with(&data, &[0]).unwrap();
    assert_eq!(params.fit_binned(&binned).unwrap().trees(), model.trees());
    // The binned dataset keeps its categories through its file.
    let lkbin = dir.join("data.lkbin");
    binned.save(&lkbin).unwrap();
    let back = BinnedDataset::load(&lkbin).unwrap();
    assert_eq!(params.fit_binned(&back).unwrap().trees(), model.trees());
    // A different categorical list than the binned dataset's is refused.
    let e = GradientBoosting::classifier()
        .categorical_features(vec![1])
        .fit_binned(&back)
        .unwrap_err();
    assert!(e.to_string().contains("categorical_features"), "{e}");
    let forest = RandomForest::classifier()
        .n_estimators(3)
        .categorical_features(vec![0]);
    assert_eq!(
        forest.fit_binned(&back).unwrap().trees(),
        forest.fit(&data).unwrap().trees()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn crafted_category_sets_are_refused_on_load() {
    let data = classes(20, 150, &POSITIVE);
    let model = GradientBoosting::classifier()
        .n_estimators(1)
        .max_leaf_nodes(2)
        .categorical_features(vec![0])
        .fit(&data)
        .unwrap();
    let json = serde_json::to_string(&model.trees()[0]).unwrap();
    assert!(json.contains("category_bounds"));
    for (from, to) in [
        ("\"category_bounds\":[0,6]", "\"category_bounds\":[0,60]"),
        ("\"category_bounds\":[0,6]", "\"category_bounds\":[1,6]"),
        ("\"categories\":[2,5,", "\"categories\":[5,2,"),
        ("\"threshold\":0.0", "\"threshold\":3.0"),
    ] {
        assert!(json.contains(from), "{from} in {json}");
        let tree: Tree = serde_json::from_str(&json.replace(from, to)).unwrap();
        assert!(tree.validate(2, 1).is_err(), "{to}");
    }
    let tree: Tree = serde_json::from_str(&json).unwrap();
    assert!(tree.validate(2, 1).is_ok());
}

/// A feature of 600 categories takes three code columns; boosting fills their histograms from
/// merged bins, weighs all its categories together and partitions its splits by them. The training scores, kept from the
/// partition, must equal the model's predictions walked on the raw values, row by row: a row
/// sent to the wrong side by the partition would show as a different loss.
#[test]
fn partitions_by_merged_bins_put_every_row_where_the_model_sends_it() {
    let (k, n) = (600, 9_000);
    let category = |i: usize| (i * 7919 + i / 13) % k;
    let x = Array2::from_shape_fn((n, 3), |(i, j)| match j {
        0 => ((i * 13) % 10) as f64,
        1 => category(i) as f64,
        _ if i % 23 == 0 => f64::NAN,
        _ => (category(i) % 7) as f64,
    });
    let y = Array1::from_shape_fn(n, |i| {
        let c = category(i);
        usize::from(c % 5 < 2 || (c > 500 && i % 10 < 7) || (i * 13) % 10 == 3)
    });
    let data = Dataset::new(x, y.clone()).unwrap();
    let model = GradientBoosting::classifier()
        .n_estimators(20)
        .max_leaf_nodes(63)
        .min_data_per_group(5)
        .cat_smooth(1.0)
        .categorical_features(vec![1])
        .fit(&data)
        .unwrap();
    let codes =
        crate::tree::learner::dataset::RowCodes::from_matrix(data.records.view(), &[1]).unwrap();
    assert_eq!(codes.wide.len(), 1);
    // Some splits are on the further columns of the wide feature.
    let sets: Vec<Vec<u32>> = model
        .trees()
        .iter()
        .flat_map(|t| {
            (0..t.n_nodes())
                .filter_map(|node| t.split_categories(node).map(<[u32]>::to_vec))
                .collect::<Vec<_>>()
        })
        .collect();
    // A split chooses among all its categories at once: some sets hold categories of the
    // first code column and of a further one.
    let first = codes.mapper.categories(1).unwrap();
    assert!(sets
        .iter()
        .any(|s| s.iter().any(|c| first.contains(c)) && s.iter().any(|c| !first.contains(c))));
    let proba = model.predict_proba(&data.records).unwrap();
    let loss = crate::metrics::log_loss(y.view(), proba.view()).unwrap();
    let kept = *model.train_loss().last().unwrap();
    assert!((loss - kept).abs() < 1e-9, "{loss} against {kept}");
}
