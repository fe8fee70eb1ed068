//! Data-parallel fits: N in-process ranks on N shards of the rows give the model one process
//! fits on the concatenated rows, bit for bit; a bad shard on one rank is one error, naming
//! it, on every rank.

use learnkit::distributed::{Collective, Serial, Threads};
use learnkit::prelude::*;
use learnkit::tree::{FittedGradientBoosting, GradientBoosting};
use learnkit::{Dataset, Error};
use ndarray::{Array1, Array2};

/// Uneven contiguous shards of `n` rows over `ranks` (the first the smallest).
fn shard_rows(n: usize, ranks: usize, rank: usize) -> Vec<usize> {
    let cut = |k: usize| n * k * k / (ranks * ranks);
    (cut(rank)..cut(rank + 1)).collect()
}

/// Classes from three informative features, one categorical, missing values in another.
fn classes(n: usize, k: usize) -> Dataset<usize> {
    let x = Array2::from_shape_fn((n, 5), |(i, f)| {
        let u = ((i * 2_654_435_761 + f * 40_503) % 10_007) as f64 / 10_007.0;
        match f {
            3 => ((i * 7) % 11) as f64,
            4 if i % 23 == 5 => f64::NAN,
            _ => u * 10.0 - 5.0,
        }
    });
    let y = Array1::from_shape_fn(n, |i| {
        let r = x[[i, 0]]
            + 0.5 * x[[i, 1]]
            + if x[[i, 3]] as usize % 3 == 0 {
                2.0
            } else {
                -1.0
            };
        let noise = ((i * 31) % 7) as f64 / 7.0 - 0.5;
        ((r + noise + 8.0) / 16.0 * k as f64).clamp(0.0, k as f64 - 1.0) as usize
    });
    let names: Vec<String> = (0..k).map(|c| format!("c{c}")).collect();
    let mut data = Dataset::new(x, y).unwrap();
    data.class_names = names;
    data
}

fn values(n: usize) -> Dataset<f64> {
    let x = Array2::from_shape_fn((n, 4), |(i, f)| {
        ((i * 2_654_435_761 + f * 40_503) % 10_007) as f64 / 1000.0
    });
    let y = Array1::from_shape_fn(n, |i| {
        x[[i, 0]].sin() * 3.0 + x[[i, 1]] * 0.7 + ((i * 13) % 17) as f64 * 0.01
    });
    Dataset::new(x, y).unwrap()
}

/// The trees and initial scores agree to the bit; the training loss (a report, summed in
/// floating point over the processes) to rounding.
fn assert_same<T>(a: &FittedGradientBoosting<T>, b: &FittedGradientBoosting<T>, what: &str) {
    assert_eq!(a.trees(), b.trees(), "{what}: trees");
    for (x, y) in a.train_loss().iter().zip(b.train_loss()) {
        assert!(
            (x - y).abs() <= 1e-12 * x.abs().max(1.0),
            "{what}: loss {x} vs {y}"
        );
    }
}

#[test]
fn boosting_on_shards_equals_boosting_on_all_rows() {
    for k in [2, 3] {
        let data = classes(3_000, k);
        let params = GradientBoosting::classifier()
            .n_estimators(12)
            .max_leaf_nodes(15)
            .categorical_features(vec![3])
            .seed(5);
        let serial = params.fit(&data).unwrap();
        assert!(
            serial.trees().iter().all(|t| t.n_nodes() > 10),
            "trees worth comparing"
        );
        assert_same(
            &params.fit_distributed(&data, &Serial).unwrap(),
            &serial,
            "Serial",
        );
        for ranks in 1..=4 {
            let models = Threads::new(ranks).unwrap().run(|rank| {
                let rows = shard_rows(data.n_samples(), ranks, rank.rank());
                params.fit_distributed(&data.select(&rows)?, rank)
            });
            for model in models {
                assert_same(
                    &model.unwrap(),
                    &serial,
                    &format!("{k} classes, {ranks} ranks"),
                );
            }
        }
    }
}

#[test]
fn boosting_on_wide_shards_scatters_histograms_and_equals_boosting_on_all_rows() {
    // 70 features of 256 bins: histograms of 430 KB, which the ranks reduce-scatter by feature
    // blocks (each searching its block, the best splits gathered) instead of all-reducing;
    // a categorical feature's many-against-many splits travel as bin sets.
    let narrow = classes(3_000, 3);
    let x = Array2::from_shape_fn((3_000, 70), |(i, f)| match f {
        0..5 => narrow.records[[i, f]],
        _ => ((i * 2_654_435_761 + f * 97_003) % 10_007) as f64 / 1_000.0,
    });
    let mut data = Dataset::new(x, narrow.targets.clone()).unwrap();
    data.class_names = narrow.class_names.clone();
    let params = GradientBoosting::classifier()
        .n_estimators(6)
        .max_leaf_nodes(15)
        .categorical_features(vec![3])
        .seed(2);
    let serial = params.fit(&data).unwrap();
    for ranks in [2, 3] {
        let models = Threads::new(ranks).unwrap().run(|rank| {
            let rows = shard_rows(data.n_samples(), ranks, rank.rank());
            params.fit_distributed(&data.select(&rows)?, rank)
        });
        for model in models {
            assert_same(&model.unwrap(), &serial, &format!("wide, {ranks} ranks"));
        }
    }
}

#[test]
fn regression_on_shards_equals_regression_on_all_rows() {
    let data = values(2_500);
    for quantized in [true, false] {
        let params = GradientBoosting::regressor()
            .n_estimators(10)
            .quantized_gradients(quantized)
            .colsample(0.75)
            .seed(9);
        let serial = params.fit(&data).unwrap();
        let models = Threads::new(3).unwrap().threads_per_rank(2).run(|rank| {
            let rows = shard_rows(data.n_samples(), 3, rank.rank());
            params.fit_distributed(&data.select(&rows)?, rank)
        });
        for model in models {
            let model = model.unwrap();
            if quantized {
                assert_same(&model, &serial, "quantized");
            } else {
                // Exact gradients: histograms of reals, added per shard, agree to rounding.
                let (a, b) = (
                    model.predict(&data).unwrap(),
                    serial.predict(&data).unwrap(),
                );
                let worst = a
                    .iter()
                    .zip(&b)
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f64::max);
                assert!(
                    worst < 1e-9,
                    "exact gradients: predictions differ by {worst}"
                );
            }
        }
    }
}

/// Runs `fit` on three ranks whose shards come from `shard(rank)` and returns their errors.
fn errors_on_three(
    shard: impl Fn(usize) -> Dataset<usize> + Sync,
    params: &GradientBoosting<usize>,
) -> Vec<Error> {
    Threads::new(3)
        .unwrap()
        .run(|rank| {
            params
                .fit_distributed(&shard(rank.rank()), rank)
                .map(|_| ())
        })
        .into_iter()
        .map(|r| r.expect_err("a bad shard must fail every rank"))
        .collect()
}

fn rank_of(e: &Error) -> usize {
    match e {
        Error::Distributed { rank, .. } => *rank,
        other => panic!("not a distributed error: {other}"),
    }
}

#[test]
fn a_bad_shard_fails_every_rank_with_one_error_naming_it() {
    let data = classes(900, 3);
    let part = |rank: usize| data.select(&shard_rows(900, 3, rank)).unwrap();
    let params = GradientBoosting::classifier().n_estimators(3);
    // Rank 1's shard has a column fewer.
    let errors = errors_on_three(
        |rank| {
            let d = part(rank);
            if rank != 1 {
                return d;
            }
            let x = d.records.slice(ndarray::s![.., ..4]).to_owned();
            let mut narrow = Dataset::new(x, d.targets.clone()).unwrap();
            narrow.class_names = d.class_names.clone();
            narrow
        },
        &params,
    );
    for e in &errors {
        assert_eq!(rank_of(e), 1, "{e}");
        assert!(e.to_string().contains("columns"), "{e}");
    }
    // Rank 2's shard has other class names.
    let errors = errors_on_three(
        |rank| {
            let mut d = part(rank);
            if rank == 2 {
                d.class_names = vec!["a".into(), "b".into(), "c".into()];
            }
            d
        },
        &params,
    );
    assert!(
        errors
            .iter()
            .all(|e| rank_of(e) == 2 && e.to_string().contains("classes")),
        "{errors:?}"
    );
    // Rank 0's shard holds an infinite value.
    let errors = errors_on_three(
        |rank| {
            let mut d = part(rank);
            if rank == 0 {
                d.records[[3, 1]] = f64::INFINITY;
            }
            d
        },
        &params,
    );
    assert!(
        errors
            .iter()
            .all(|e| rank_of(e) == 0 && e.to_string().contains("row 3")),
        "{errors:?}"
    );
    // An empty shard.
    let errors = errors_on_three(
        |rank| {
            if rank == 1 {
                data.select(&[]).unwrap()
            } else {
                part(rank)
            }
        },
        &params,
    );
    assert!(errors.iter().all(|e| rank_of(e) == 1), "{errors:?}");
    // A category that is no whole number, on one rank.
    let params_cat = params.clone().categorical_features(vec![3]);
    let errors = errors_on_three(
        |rank| {
            let mut d = part(rank);
            if rank == 2 {
                d.records[[0, 3]] = 1.5;
            }
            d
        },
        &params_cat,
    );
    assert!(errors.iter().all(|e| rank_of(e) == 2), "{errors:?}");
}

#[test]
fn options_that_need_every_row_in_one_place_are_refused_across_processes() {
    let data = classes(600, 2);
    for params in [
        GradientBoosting::classifier().early_stopping(true),
        GradientBoosting::classifier().subsample(0.5),
    ] {
        // One process: allowed.
        params.fit_distributed(&data, &Serial).unwrap();
        let errors: Vec<_> = Threads::new(2)
            .unwrap()
            .run(|rank| params.fit_distributed(&data, rank).map(|_| ()))
            .into_iter()
            .map(|r| r.unwrap_err().to_string())
            .collect();
        assert!(
            errors
                .iter()
                .all(|e| e.contains("not supported across processes")),
            "{errors:?}"
        );
    }
    let reg = values(400);
    let params = GradientBoosting::regressor().loss(learnkit::tree::RegressionLoss::AbsoluteError);
    let errors = Threads::new(2)
        .unwrap()
        .run(|rank| params.fit_distributed(&reg, rank).map(|_| ()));
    assert!(errors
        .iter()
        .all(|e| e.as_ref().unwrap_err().to_string().contains("medians")));
}

#[test]
fn thread_ranks_that_leave_early_fail_the_others_instead_of_hanging() {
    let out = Threads::new(3).unwrap().run(|rank| {
        if rank.rank() == 1 {
            return Err(Error::EmptyData("left".into()));
        }
        let mut v = [1.0];
        rank.all_sum(&mut v);
        Ok(v[0])
    });
    assert!(matches!(out[1], Err(Error::EmptyData(_))));
    for r in [0, 2] {
        assert!(
            matches!(out[r], Err(Error::Distributed { rank, .. }) if rank == r),
            "{:?}",
            out[r]
        );
    }
    assert!(Threads::new(0).is_err() && Threads::new(100_000).is_err());
}

#[test]
fn decision_trees_on_shards_equal_the_tree_on_all_rows() {
    use learnkit::tree::{DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures};
    let data = classes(2_000, 3);
    // NaN is for boosting; CART gets the rows without it.
    let mut x = data.records.clone();
    x.mapv_inplace(|v| if v.is_nan() { 0.0 } else { v });
    let mut data = Dataset::new(x, data.targets.clone()).unwrap();
    data.class_names = vec!["a".into(), "b".into(), "c".into()];
    for params in [
        DecisionTreeClassifier::params().max_depth(Some(8)),
        DecisionTreeClassifier::params()
            .max_features(MaxFeatures::Count(2))
            .seed(4),
    ] {
        let serial = params.fit(&data).unwrap();
        assert!(serial.n_leaves() > 8);
        for ranks in 2..=4 {
            let trees = Threads::new(ranks).unwrap().run(|rank| {
                let rows = shard_rows(data.n_samples(), ranks, rank.rank());
                params.fit_distributed(&data.select(&rows)?, rank)
            });
            for tree in trees {
                assert_eq!(tree.unwrap(), serial, "{ranks} ranks");
            }
        }
    }
    // Whole-number targets: exact sums, the same tree.
    let mut whole = values(1_500);
    whole.targets.mapv_inplace(f64::round);
    let params = DecisionTreeRegressor::params().max_depth(Some(6));
    let serial = params.fit(&whole).unwrap();
    let trees = Threads::new(3).unwrap().run(|rank| {
        let rows = shard_rows(whole.n_samples(), 3, rank.rank());
        params.fit_distributed(&whole.select(&rows)?, rank)
    });
    for tree in trees {
        assert_eq!(tree.unwrap(), serial, "regression tree");
    }
}

#[test]
fn forests_on_shards_equal_the_forest_on_all_rows() {
    use learnkit::tree::RandomForest;
    let data = classes(1_500, 3);
    let mut x = data.records.clone();
    x.mapv_inplace(|v| if v.is_nan() { 0.0 } else { v });
    let mut data = Dataset::new(x, data.targets.clone()).unwrap();
    data.class_names = vec!["a".into(), "b".into(), "c".into()];
    let params = RandomForest::classifier().n_estimators(8).seed(11);
    let serial = params.fit(&data).unwrap();
    assert_eq!(params.fit_distributed(&data, &Serial).unwrap(), serial);
    for ranks in [2, 3] {
        let forests = Threads::new(ranks)
            .unwrap()
            .threads_per_rank(2)
            .run(|rank| {
                let rows = shard_rows(data.n_samples(), ranks, rank.rank());
                params.fit_distributed(&data.select(&rows)?, rank)
            });
        for forest in forests {
            assert_eq!(forest.unwrap(), serial, "{ranks} ranks");
        }
    }
    // The out-of-bag score needs every row's trees in one place.
    let oob = params.clone().oob_score(true);
    let errors = Threads::new(2)
        .unwrap()
        .run(|rank| oob.fit_distributed(&data, rank).map(|_| ()));
    assert!(errors.iter().all(
        |e| e.as_ref().unwrap_err().to_string().contains("out-of-bag")
            || e.as_ref().unwrap_err().to_string().contains("oob_score")
    ));
}

#[test]
fn kmeans_on_shards_matches_kmeans_on_all_rows() {
    use learnkit::cluster::KMeans;
    let blobs = learnkit::data::MakeBlobs::params()
        .n_samples(3_000)
        .centers(6)
        .n_features(3)
        .seed(8)
        .generate()
        .unwrap();
    let x = learnkit::Records::new(blobs.records.clone());
    for (k, algorithm) in [
        (4, learnkit::cluster::KMeansAlgorithm::Auto),
        (7, learnkit::cluster::KMeansAlgorithm::Lloyd),
    ] {
        let params = KMeans::params()
            .n_clusters(k)
            .n_init(2)
            .algorithm(algorithm)
            .seed(3);
        let serial = params.fit(&x).unwrap();
        for ranks in [1, 2, 3] {
            let fits = Threads::new(ranks).unwrap().run(|rank| {
                let rows = shard_rows(3_000, ranks, rank.rank());
                let part = learnkit::Records::new(blobs.records.select(ndarray::Axis(0), &rows));
                params.fit_distributed(&part, rank).map(|m| (rows, m))
            });
            for fit in fits {
                let (rows, model) = fit.unwrap();
                let relative = (model.inertia() - serial.inertia()).abs() / serial.inertia();
                assert!(
                    relative < 1e-9,
                    "k {k}, {ranks} ranks: inertia {} vs {}",
                    model.inertia(),
                    serial.inertia()
                );
                assert_eq!(model.n_iter(), serial.n_iter());
                let worst = (model.centres() - serial.centres())
                    .mapv(f64::abs)
                    .fold(0.0f64, |m, &v| m.max(v));
                assert!(worst < 1e-9, "centres differ by {worst}");
                let labels: Vec<usize> = rows.iter().map(|&i| serial.labels()[i]).collect();
                assert_eq!(model.labels().to_vec(), labels);
            }
        }
    }
}

#[test]
fn pca_on_shards_matches_pca_on_all_rows() {
    use learnkit::decomposition::{Components, Pca};
    let x = Array2::from_shape_fn((1_200, 6), |(i, f)| {
        let t = i as f64 * 0.37;
        (t * (f + 1) as f64).sin() * (6 - f) as f64 + ((i * 7 + f) % 13) as f64 * 0.1
    });
    let data = learnkit::Records::new(x.clone());
    for components in [
        Components::Count(3),
        Components::Variance(0.9),
        Components::All,
    ] {
        let params = Pca::params().n_components(components);
        let serial = params.fit(&data).unwrap();
        let fits = Threads::new(3).unwrap().run(|rank| {
            let rows = shard_rows(1_200, 3, rank.rank());
            let part = learnkit::Records::new(x.select(ndarray::Axis(0), &rows));
            params.fit_distributed(&part, rank)
        });
        for fit in fits {
            let model = fit.unwrap();
            assert_eq!(model.n_components(), serial.n_components());
            for (a, b) in model
                .explained_variance_ratio()
                .iter()
                .zip(serial.explained_variance_ratio())
            {
                assert!((a - b).abs() <= 1e-9 * b.abs(), "ratio {a} vs {b}");
            }
            let worst = (model.components() - serial.components())
                .mapv(f64::abs)
                .fold(0.0f64, |m, &v| m.max(v));
            assert!(worst < 1e-9, "components differ by {worst}");
        }
    }
    // Fewer rows than features over all the processes, and the randomized solver: refused.
    let narrow = Threads::new(2).unwrap().run(|rank| {
        let part = learnkit::Records::new(
            x.slice(ndarray::s![rank.rank()..rank.rank() + 1, ..])
                .to_owned(),
        );
        Pca::params().fit_distributed(&part, rank).map(|_| ())
    });
    assert!(narrow.iter().all(|r| r
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("one per feature")));
}

#[test]
fn randomized_pca_on_shards_finds_the_one_process_subspace() {
    use learnkit::decomposition::{Components, Pca, PcaSolver};
    // Many features, rank ~8 plus a little noise: where the randomized solver is meant to run.
    let wide = |n: usize| {
        Array2::from_shape_fn((n, 150), |(i, f)| {
            (0..8)
                .map(|r| {
                    let a = (0.37 * (i * (r + 1)) as f64 + r as f64).sin();
                    let b = (0.11 * (f * (r + 2)) as f64).cos();
                    a * b * 10.0 / (r + 1) as f64
                })
                .sum::<f64>()
                + ((i * 31 + f * 17) % 29) as f64 * 0.01
        })
    };
    for (n, ranks) in [(900, 1), (900, 3), (80, 2)] {
        let x = wide(n);
        let data = learnkit::Records::new(x.clone());
        let params = Pca::params()
            .n_components(Components::Count(5))
            .solver(PcaSolver::Randomized)
            .seed(11);
        let serial = params.fit(&data).unwrap();
        // The exact decomposition, as a check that both found the principal axes.
        let exact = Pca::params()
            .n_components(Components::Count(5))
            .solver(PcaSolver::Exact)
            .fit(&data)
            .unwrap();
        let fits = Threads::new(ranks).unwrap().run(|rank| {
            let rows = shard_rows(n, ranks, rank.rank());
            let part = learnkit::Records::new(x.select(ndarray::Axis(0), &rows));
            params.fit_distributed(&part, rank)
        });
        for fit in fits {
            let model = fit.unwrap();
            assert_eq!(model.n_components(), 5);
            for ((a, b), c) in model
                .explained_variance()
                .iter()
                .zip(serial.explained_variance())
                .zip(exact.explained_variance())
            {
                assert!(
                    (a - b).abs() <= 1e-9 * b,
                    "{n} rows, {ranks} ranks: {a} vs {b}"
                );
                assert!((a - c).abs() <= 1e-6 * c, "{n} rows: {a} vs exact {c}");
            }
            let worst = (model.components() - serial.components())
                .mapv(f64::abs)
                .fold(0.0f64, |m, &v| m.max(v));
            assert!(
                worst < 1e-6,
                "{n} rows, {ranks} ranks: axes differ by {worst}"
            );
        }
    }
    // A variance fraction cannot be reached by the randomized solver: refused on every rank.
    let x = wide(60);
    let refused = Threads::new(2).unwrap().run(|rank| {
        let part =
            learnkit::Records::new(x.select(ndarray::Axis(0), &shard_rows(60, 2, rank.rank())));
        Pca::params()
            .n_components(Components::Variance(0.9))
            .solver(PcaSolver::Randomized)
            .fit_distributed(&part, rank)
            .map(|_| ())
    });
    assert!(refused.iter().all(|r| r
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("fixed number of components")));
}

#[test]
fn linear_and_logistic_regression_on_shards_match_the_fits_on_all_rows() {
    use learnkit::linear::{LinearRegression, LogisticRegression};
    let reg = values(1_500);
    for params in [
        LinearRegression::params(),
        LinearRegression::params().alpha(2.0),
    ] {
        let serial = params.fit(&reg).unwrap();
        let fits = Threads::new(3).unwrap().run(|rank| {
            let rows = shard_rows(reg.n_samples(), 3, rank.rank());
            params.fit_distributed(&reg.select(&rows)?, rank)
        });
        for fit in fits {
            let model = fit.unwrap();
            let worst = (model.coefficients() - serial.coefficients())
                .mapv(f64::abs)
                .fold(0.0f64, |m, &v| m.max(v));
            assert!(worst < 1e-10, "coefficients differ by {worst}");
            assert!((model.intercept() - serial.intercept()).abs() < 1e-10);
        }
    }
    let mut data = classes(1_200, 3);
    data.records
        .mapv_inplace(|v| if v.is_nan() { 0.0 } else { v });
    // L-BFGS stops on the gradient or on a stalled objective, so two runs whose sums round
    // differently stop at points a solver tolerance apart: the objective agrees closely, the
    // probabilities to the tolerance.
    let params = LogisticRegression::params()
        .c(0.5)
        .max_iter(2_000)
        .tol(1e-10);
    let serial = params.fit(&data).unwrap();
    let fits = Threads::new(2).unwrap().run(|rank| {
        let rows = shard_rows(data.n_samples(), 2, rank.rank());
        params.fit_distributed(&data.select(&rows)?, rank)
    });
    for fit in fits {
        let model = fit.unwrap();
        let gap = (model.objective() - serial.objective()).abs() / serial.objective();
        assert!(
            gap < 1e-9,
            "objectives {} vs {}",
            model.objective(),
            serial.objective()
        );
        let (a, b) = (
            model.predict_proba(&data).unwrap(),
            serial.predict_proba(&data).unwrap(),
        );
        let worst = (&a - &b).mapv(f64::abs).fold(0.0f64, |m, &v| m.max(v));
        assert!(worst < 1e-5, "probabilities differ by {worst}");
        assert!(model.converged() && serial.converged());
    }
}

#[test]
fn searches_spread_over_ranks_give_the_one_process_table() {
    use learnkit::model_selection::{GridSearch, ParamGrid, SuccessiveHalving};
    use learnkit::tree::DecisionTreeClassifier;
    let mut data = classes(900, 3);
    data.records
        .mapv_inplace(|v| if v.is_nan() { 0.0 } else { v });
    let grid = "max_depth=1,2,4,none;min_samples_leaf=1,20";
    let base = DecisionTreeClassifier::params().seed(0);
    let search = GridSearch::new(base.clone(), ParamGrid::parse(grid).unwrap());
    let serial = search.fit(&data).unwrap();
    let table = |r: &learnkit::model_selection::SearchResult<_>| {
        r.candidates
            .iter()
            .map(|c| (c.params.clone(), c.fold_scores.clone(), c.rank))
            .collect::<Vec<_>>()
    };
    for ranks in [2, 3] {
        let results = Threads::new(ranks)
            .unwrap()
            .run(|rank| search.fit_distributed(&data, rank));
        for result in results {
            let result = result.unwrap();
            assert_eq!(table(&result), table(&serial), "{ranks} ranks");
            assert_eq!(result.best_index, serial.best_index);
            assert_eq!(result.best_model, serial.best_model);
        }
    }
    let halving = SuccessiveHalving::new(base, ParamGrid::parse(grid).unwrap());
    let (serial, rounds) = halving.fit(&data).unwrap();
    for result in Threads::new(3)
        .unwrap()
        .run(|rank| halving.fit_distributed(&data, rank))
    {
        let (result, r) = result.unwrap();
        assert_eq!(table(&result), table(&serial));
        assert_eq!(r.len(), rounds.len());
    }
}

#[test]
fn the_elbow_on_shards_chooses_as_one_process() {
    use learnkit::cluster::Elbow;
    let blobs = learnkit::data::MakeBlobs::params()
        .n_samples(1_200)
        .centers(4)
        .seed(2)
        .generate()
        .unwrap();
    let x = learnkit::Records::new(blobs.records.clone());
    let elbow = Elbow::params().k_max(6).seed(1);
    let serial = elbow.select(&x).unwrap();
    let results = Threads::new(3).unwrap().run(|rank| {
        let rows = shard_rows(1_200, 3, rank.rank());
        let part = learnkit::Records::new(blobs.records.select(ndarray::Axis(0), &rows));
        elbow.select_distributed(&part, rank)
    });
    for result in results {
        let result = result.unwrap();
        assert_eq!(result.chosen_k, serial.chosen_k);
        assert_eq!(result.best_silhouette_k, serial.best_silhouette_k);
        for (a, b) in result.inertia.iter().zip(&serial.inertia) {
            assert!((a - b).abs() <= 1e-9 * b, "inertia {a} vs {b}");
        }
        for (a, b) in result.silhouette.iter().zip(&serial.silhouette) {
            match (a, b) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "silhouette {a} vs {b}"),
                (a, b) => assert_eq!(a, b),
            }
        }
    }
}

#[test]
fn broadcast_barrier_and_reduce_scatter_on_thread_ranks() {
    let out = Threads::new(3).unwrap().run(|rank| {
        let r = rank.rank();
        let mut bytes = if r == 2 {
            b"from two".to_vec()
        } else {
            vec![r as u8; 5]
        };
        rank.broadcast_bytes(&mut bytes, 2);
        rank.barrier();
        let values: Vec<f64> = (0..7).map(|i| (i * (r + 1)) as f64).collect();
        let block = rank.reduce_scatter(&values, &[0, 2, 5, 7]);
        Ok((bytes, block))
    });
    let sums: Vec<f64> = (0..7).map(|i| (i * 6) as f64).collect();
    let cuts = [0, 2, 5, 7];
    for (r, result) in out.into_iter().enumerate() {
        let (bytes, block) = result.unwrap();
        assert_eq!(bytes, b"from two");
        assert_eq!(block, sums[cuts[r]..cuts[r + 1]]);
    }
    let mut alone = b"x".to_vec();
    Serial.broadcast_bytes(&mut alone, 0);
    assert_eq!(alone, b"x");
    assert_eq!(Serial.reduce_scatter(&[1.0, 2.0], &[0, 2]), [1.0, 2.0]);
}
