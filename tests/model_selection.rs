//! Model selection against scikit-learn: fold indices of the deterministic splitters, the
//! cross-validated accuracy of logistic regression, search and pipelines (no leakage), and
//! the bad input every one of them rejects before fitting.

use learnkit::data::{read_csv, MakeClassification};
use learnkit::decomposition::{Components, Pca};
use learnkit::linear::LogisticRegression;
use learnkit::model_selection::*;
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use learnkit::tree::{DecisionTreeClassifier, RandomForest};
use serde_json::Value as Json;

fn fixtures() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/model_selection/sklearn_folds.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn usizes(v: &Json) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn assert_folds(ours: Vec<Fold>, theirs: &Json, what: &str) {
    let theirs = theirs.as_array().unwrap();
    assert_eq!(ours.len(), theirs.len(), "{what}");
    for (f, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let mut train = usizes(&b[0]);
        let mut test = usizes(&b[1]);
        train.sort_unstable();
        test.sort_unstable();
        assert_eq!(a.train, train, "{what}: fold {f} train");
        assert_eq!(a.test, test, "{what}: fold {f} test");
    }
}

#[test]
fn deterministic_splitters_give_scikit_learns_folds() {
    let fx = fixtures();
    let labels = usizes(&fx["labels"]);
    let groups = usizes(&fx["groups"]);
    let none = SplitInput::default();
    assert_folds(
        KFold::params().split(23, none).unwrap(),
        &fx["kfold_23_5"],
        "KFold(5)",
    );
    assert_folds(
        KFold::params().n_splits(3).split(10, none).unwrap(),
        &fx["kfold_10_3"],
        "KFold(3)",
    );
    let with_labels = SplitInput {
        labels: Some(&labels),
        groups: None,
    };
    assert_folds(
        StratifiedKFold::params()
            .n_splits(4)
            .split(23, with_labels)
            .unwrap(),
        &fx["stratified_23_4"],
        "StratifiedKFold(4)",
    );
    let with_groups = SplitInput {
        labels: None,
        groups: Some(&groups),
    };
    assert_folds(
        GroupKFold::params()
            .n_splits(3)
            .split(23, with_groups)
            .unwrap(),
        &fx["group_23_3"],
        "GroupKFold(3)",
    );
    assert_folds(
        TimeSeriesSplit::params().split(23, none).unwrap(),
        &fx["timeseries_23_5"],
        "TimeSeriesSplit(5)",
    );
    let ts = TimeSeriesSplit::params()
        .n_splits(3)
        .gap(1)
        .test_size(Some(4))
        .max_train_size(Some(8));
    assert_folds(
        ts.split(23, none).unwrap(),
        &fx["timeseries_23_3_gap1_test4_max8"],
        "TimeSeriesSplit(gap)",
    );
}

#[test]
fn shuffled_splitters_are_seeded_partitions_that_keep_class_shares() {
    let labels: Vec<usize> = (0..90).map(|i| usize::from(i % 3 == 0)).collect(); // 30 / 60
    let input = SplitInput {
        labels: Some(&labels),
        groups: None,
    };
    for splitter in [
        Box::new(KFold::params().shuffle(true).seed(4)) as Box<dyn Splitter>,
        Box::new(StratifiedKFold::params().shuffle(true).seed(4)),
    ] {
        let folds = splitter.split(90, input).unwrap();
        assert_eq!(
            folds,
            splitter.split(90, input).unwrap(),
            "same seed, same folds"
        );
        let mut seen: Vec<usize> = folds.iter().flat_map(|f| f.test.clone()).collect();
        seen.sort_unstable();
        assert_eq!(
            seen,
            (0..90).collect::<Vec<_>>(),
            "{splitter:?} tests every row once"
        );
    }
    for fold in StratifiedKFold::params()
        .shuffle(true)
        .seed(1)
        .split(90, input)
        .unwrap()
    {
        assert_eq!(fold.test.iter().filter(|&&i| labels[i] == 1).count(), 6);
    }
    let shuffle = StratifiedShuffleSplit::params()
        .n_splits(3)
        .test_size(0.2)
        .seed(2);
    for fold in shuffle.split(90, input).unwrap() {
        assert_eq!(fold.test.len(), 18);
        assert_eq!(fold.test.iter().filter(|&&i| labels[i] == 1).count(), 6);
        assert_eq!(fold.train.len() + fold.test.len(), 90);
    }
}

#[test]
fn cross_validated_logistic_accuracy_matches_scikit_learn() {
    let fx = fixtures();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/model_selection/cv_data.csv"
    );
    let data = read_csv(path, Some("y")).unwrap().classification().unwrap();
    let cv = cross_validate(
        &LogisticRegression::params(),
        &data,
        &KFold::params(),
        &[Scorer::Accuracy],
    )
    .unwrap();
    let theirs = fx["logistic_kfold5_mean"].as_f64().unwrap();
    assert!(
        (cv.mean(0) - theirs).abs() <= 5e-4,
        "{} vs scikit-learn {theirs}",
        cv.mean(0)
    );
    for (a, b) in cv.test_scores[0]
        .iter()
        .zip(fx["logistic_kfold5_accuracy"].as_array().unwrap())
    {
        assert!(
            (a - b.as_f64().unwrap()).abs() <= 1.0 / 120.0 + 1e-12,
            "one test row at most per fold"
        );
    }
    // cross_val_predict covers every row once, and its accuracy is the pooled CV accuracy.
    let predicted =
        cross_val_predict(&LogisticRegression::params(), &data, &KFold::params()).unwrap();
    let pooled = learnkit::metrics::accuracy(data.targets.view(), predicted.view()).unwrap();
    assert!(
        (pooled - cv.mean(0)).abs() < 1e-12,
        "equal folds: pooled = mean"
    );
}

#[test]
fn every_scorer_is_greater_is_better() {
    let data = MakeClassification::params()
        .n_samples(300)
        .seed(5)
        .generate()
        .unwrap();
    let good = LogisticRegression::params();
    let scorers = [
        Scorer::Accuracy,
        Scorer::BalancedAccuracy,
        Scorer::F1,
        Scorer::F1Macro,
        Scorer::F1Weighted,
        Scorer::Precision,
        Scorer::Recall,
        Scorer::RocAuc,
        Scorer::RocAucOvr,
        Scorer::NegLogLoss,
    ];
    let good_cv = cross_validate(&good, &data, &StratifiedKFold::params(), &scorers).unwrap();
    // A stump that only sees a noise feature is worse on every scorer.
    let noise = data.select_features(&[19]).unwrap();
    let bad_cv = cross_validate(
        &DecisionTreeClassifier::params().max_depth(Some(1)),
        &noise,
        &StratifiedKFold::params(),
        &scorers,
    )
    .unwrap();
    for (s, name) in scorers.iter().enumerate() {
        assert!(
            good_cv.mean(s) > bad_cv.mean(s),
            "{name}: {} vs {}",
            good_cv.mean(s),
            bad_cv.mean(s)
        );
    }
    assert!(good_cv.mean(9) < 0.0, "log-loss is negated");
    for name in ["accuracy", "neg_mse", "roc_auc_ovr", "log_loss"] {
        assert!(name.parse::<Scorer>().is_ok());
    }
}

#[test]
fn grid_search_finds_the_depth_and_checks_every_candidate_first() {
    let data = MakeClassification::params()
        .n_samples(400)
        .n_informative(4)
        .seed(1)
        .generate()
        .unwrap();
    let grid = ParamGrid::parse("max_depth=1,4,none;max_features=sqrt,1.0").unwrap();
    let forest = RandomForest::classifier().n_estimators(20).seed(3);
    let search = GridSearch::new(forest.clone(), grid)
        .cv(KFold::params().shuffle(true).seed(0))
        .fit(&data)
        .unwrap();
    assert_eq!(search.candidates.len(), 6);
    assert_ne!(
        search.best_params()[0].1,
        "1",
        "a stump forest is never best"
    );
    assert!(search.best_model.is_some());
    let ranks: Vec<usize> = search.candidates.iter().map(|c| c.rank).collect();
    assert!(ranks.contains(&1) && ranks.iter().all(|&r| (1..=6).contains(&r)));
    // Thread count does not change a result.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let again = one_thread.install(|| {
        GridSearch::new(
            forest.clone(),
            ParamGrid::parse("max_depth=1,4,none;max_features=sqrt,1.0").unwrap(),
        )
        .cv(KFold::params().shuffle(true).seed(0))
        .fit(&data)
        .unwrap()
    });
    let scores = |s: &SearchResult<_>| {
        s.candidates
            .iter()
            .map(|c| c.mean_scores.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(scores(&search), scores(&again));

    // Bad input fails before any fitting, naming the parameter or the grid.
    let err = |grid: &str| {
        let grid = ParamGrid::parse(grid)?;
        GridSearch::new(forest.clone(), grid).fit(&data).map(|_| ())
    };
    assert!(err("max_dpth=2")
        .unwrap_err()
        .to_string()
        .contains("max_dpth"));
    assert!(err("max_depth=two")
        .unwrap_err()
        .to_string()
        .contains("max_depth"));
    assert!(err("n_estimators=0")
        .unwrap_err()
        .to_string()
        .contains("n_estimators"));
    assert!(err("").is_err());
    assert!(err("max_depth=").is_err());
    let regression_scorer =
        GridSearch::new(forest.clone(), ParamGrid::parse("max_depth=2").unwrap())
            .scoring(&[Scorer::R2])
            .fit(&data);
    assert!(regression_scorer.unwrap_err().to_string().contains("r2"));
    let too_many_folds = GridSearch::new(forest, ParamGrid::parse("max_depth=2").unwrap())
        .cv(StratifiedKFold::params().n_splits(500))
        .fit(&data);
    assert!(too_many_folds.unwrap_err().to_string().contains("n_splits"));
}

#[test]
fn random_search_is_seeded() {
    let iris = learnkit::data::iris().unwrap();
    let search = |seed| {
        RandomSearch::new(LogisticRegression::params())
            .param("c", Distribution::parse("loguniform(0.01,100)").unwrap())
            .n_iter(5)
            .seed(seed)
            .fit(&iris)
            .unwrap()
    };
    let (a, b) = (search(1), search(1));
    let same = |r: &SearchResult<_>| {
        r.candidates
            .iter()
            .map(|c| (c.params.clone(), c.fold_scores.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        same(&a),
        same(&b),
        "same seed, same candidates and scores (times aside)"
    );
    assert_ne!(a.candidates[0].params, search(2).candidates[0].params);
    assert!(a.best_score > 0.9);
    assert!(Distribution::parse("loguniform(0,1)").is_err());
    assert!(Distribution::parse("int(5,2)").is_err());
}

/// Data where leaking the test rows into the scaler changes the score: one feature whose
/// scale differs wildly between rows, a logistic model with a strong penalty (so the scale
/// matters), and a PCA that keeps one component.
#[test]
fn a_pipeline_fits_its_transformers_inside_each_fold() {
    let data = MakeClassification::params()
        .n_samples(200)
        .n_features(5)
        .seed(9)
        .generate()
        .unwrap();
    let mut data = data;
    for (i, mut row) in data.records.rows_mut().into_iter().enumerate() {
        if i % 5 == 0 {
            row[0] *= 1000.0; // the rows of one fold's worth of data sit far out
        }
    }
    let pipeline = Pipeline::new(LogisticRegression::params().c(0.01))
        .scaler(StandardScaler::params())
        .pca(Pca::params().n_components(Components::Count(2)));
    let splitter = KFold::params();
    let cv = cross_validate(&pipeline, &data, &splitter, &[Scorer::Accuracy]).unwrap();
    // By hand: the transformers fitted on the training folds only.
    let folds = splitter
        .split(data.n_samples(), SplitInput::default())
        .unwrap();
    let mut by_hand = Vec::new();
    let mut leaky = Vec::new();
    for fold in &folds {
        let (train, test) = (
            data.select(&fold.train).unwrap(),
            data.select(&fold.test).unwrap(),
        );
        let scaler = StandardScaler::params().fit(&train).unwrap();
        let pca = Pca::params()
            .n_components(Components::Count(2))
            .fit(&scaler.transform(&train).unwrap())
            .unwrap();
        let fit_x = pca.transform(&scaler.transform(&train).unwrap()).unwrap();
        let model = LogisticRegression::params()
            .c(0.01)
            .fit(&(fit_x, train.targets.clone()))
            .unwrap();
        let test_x = pca.transform(&scaler.transform(&test).unwrap()).unwrap();
        by_hand.push(model.score(&test_x, test.targets()).unwrap());
        // The leak: scaler and PCA fitted on all rows, test rows included.
        let scaler = StandardScaler::params().fit(&data).unwrap();
        let pca = Pca::params()
            .n_components(Components::Count(2))
            .fit(&scaler.transform(&data).unwrap())
            .unwrap();
        let fit_x = pca.transform(&scaler.transform(&train).unwrap()).unwrap();
        let model = LogisticRegression::params()
            .c(0.01)
            .fit(&(fit_x, train.targets.clone()))
            .unwrap();
        let test_x = pca.transform(&scaler.transform(&test).unwrap()).unwrap();
        leaky.push(model.score(&test_x, test.targets()).unwrap());
    }
    assert_eq!(cv.test_scores[0], by_hand);
    assert_ne!(by_hand, leaky, "the data must be one where leakage shows");

    // Parameters by name reach the steps, and the fitted pipeline saves as one file.
    let tuned = pipeline
        .clone()
        .set_param("pca__n_components", &Value::Int(3))
        .unwrap();
    let model = tuned.fit(&data).unwrap();
    assert_eq!(model.steps().len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pipeline.json");
    model.save(&file).unwrap();
    let back = FittedPipeline::<learnkit::linear::FittedLogisticRegression>::load(&file).unwrap();
    assert_eq!(back.predict(&data).unwrap(), model.predict(&data).unwrap());
    assert_eq!(back.feature_names(), &data.feature_names[..]);
    // The file names the model inside, so a reader knows what it holds before decoding it...
    let text = std::fs::read_to_string(&file).unwrap();
    let info = learnkit::persist::file_info(text.as_bytes(), &file).unwrap();
    assert_eq!(info.kind, "Pipeline<LogisticRegression>");
    let wrong = FittedPipeline::<learnkit::linear::FittedLinearRegression>::load(&file);
    assert!(
        matches!(wrong, Err(Error::IncompatibleModel { .. })),
        "{wrong:?}"
    );
    // ...and files written when the kind was plain `Pipeline` (without feature names) load.
    let model_json = &text[text.find("\"model\":").unwrap() + 8..text.len() - 1];
    // The pipeline's own names come last (its steps carry names too).
    let names = format!(
        ",\"feature_names\":{}",
        serde_json::to_string(&data.feature_names).unwrap()
    );
    let at = model_json.rfind(&names).unwrap();
    let old_model = format!("{}{}", &model_json[..at], &model_json[at + names.len()..]);
    assert_ne!(old_model, model_json, "the names were in the file");
    let old = format!(
        r#"{{"format":"learnkit-model","version":3,"kind":"Pipeline","checksum":"{}","model":{old_model}}}"#,
        learnkit::persist::checksum(old_model.as_bytes())
    );
    let old = FittedPipeline::<learnkit::linear::FittedLogisticRegression>::from_bytes(
        old.as_bytes(),
        &file,
    )
    .unwrap();
    assert_eq!(old.predict(&data).unwrap(), model.predict(&data).unwrap());
    assert!(pipeline
        .clone()
        .set_param("pca__n_compnents", &Value::Int(3))
        .is_err());
    assert!(pipeline
        .set_param("scalar__with_mean", &Value::Bool(false))
        .unwrap_err()
        .to_string()
        .contains("scalar"));
}

/// Successive halving picks one of the full grid's best candidates at a fraction of the fits.
#[test]
fn successive_halving_keeps_up_with_the_full_grid() {
    let data = MakeClassification::params()
        .n_samples(1800)
        .n_informative(5)
        .seed(7)
        .generate()
        .unwrap();
    let grid = "max_depth=1,2,3,5,8,none;min_samples_leaf=1,10,40";
    let base = DecisionTreeClassifier::params().seed(0);
    let full = GridSearch::new(base.clone(), ParamGrid::parse(grid).unwrap())
        .fit(&data)
        .unwrap();
    let (halving, rounds) = SuccessiveHalving::new(base, ParamGrid::parse(grid).unwrap())
        .fit(&data)
        .unwrap();
    let sizes: Vec<(usize, usize)> = rounds
        .iter()
        .map(|r| (r.n_candidates, r.n_resources))
        .collect();
    assert_eq!(sizes, [(18, 200), (6, 600), (2, 1800)]);
    let pick = full
        .candidates
        .iter()
        .find(|c| c.params == halving.best_params())
        .unwrap();
    // A top-quarter candidate of the full grid, within a point of its best mean score, from
    // 18×200 + 6×600 + 2×1800 rows of fitting instead of 18×1800.
    assert!(
        pick.rank <= 18 / 4,
        "halving's pick ranks {} in the full grid",
        pick.rank
    );
    assert!(
        full.best_score - pick.mean_scores[0] <= 0.01,
        "{} vs {}",
        pick.mean_scores[0],
        full.best_score
    );
    assert!(halving.best_model.is_some());
    assert!(SuccessiveHalving::new(
        DecisionTreeClassifier::params(),
        ParamGrid::parse(grid).unwrap()
    )
    .factor(1)
    .fit(&data)
    .is_err());
}

/// Any transformer estimator can be a step: fitted inside each fold like the built-in ones,
/// its parameters reachable by name; a pipeline holding one refuses to save, naming why.
#[test]
fn custom_steps_fit_like_built_in_ones() {
    let iris = learnkit::data::iris().unwrap();
    let built_in = Pipeline::new(LogisticRegression::params()).scaler(StandardScaler::params());
    let custom = Pipeline::new(LogisticRegression::params())
        .step("mine", Step::custom(StandardScaler::params()));
    let (a, b) = (built_in.fit(&iris).unwrap(), custom.fit(&iris).unwrap());
    assert_eq!(
        a.predict_proba(&iris).unwrap(),
        b.predict_proba(&iris).unwrap()
    );
    let cv = |p: &Pipeline<LogisticRegression>| {
        cross_validate(p, &iris, &StratifiedKFold::params(), &[Scorer::Accuracy])
            .unwrap()
            .test_scores
    };
    assert_eq!(cv(&built_in), cv(&custom));
    let centred_only = custom
        .clone()
        .set_param("mine__with_std", &Value::Bool(false))
        .unwrap();
    assert_ne!(
        centred_only
            .fit(&iris)
            .unwrap()
            .predict_proba(&iris)
            .unwrap(),
        b.predict_proba(&iris).unwrap()
    );
    assert!(custom
        .clone()
        .set_param("mine__with_stdd", &Value::Bool(false))
        .is_err());
    let dir = tempfile::tempdir().unwrap();
    let err = b.save(dir.path().join("p.json")).unwrap_err();
    assert!(err.to_string().contains("Custom"), "{err}");
    assert!(
        !dir.path().join("p.json").exists(),
        "a failed save writes nothing"
    );
    assert!(a.save(dir.path().join("q.json")).is_ok());
}
