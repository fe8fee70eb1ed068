//! K-means, the elbow and PCA against scikit-learn's figures (tests/fixtures/sklearn.json) and
//! known answers.

mod common;

use common::{fixture, floats, matrix, sklearn};
use learnkit::cluster::{kneedle_decreasing_convex, Elbow, KMeans, KMeansAlgorithm};
use learnkit::data::{read_csv, MakeBlobs};
use learnkit::decomposition::{Components, Pca};
use learnkit::prelude::*;
use ndarray::{array, Array2};
use rand::Rng;

fn iris_records() -> Array2<f64> {
    read_csv(fixture("iris.csv"), Some("species"))
        .unwrap()
        .features
}

/// Blobs whose centres are at least `gap` apart (the first seed from `seed` that gives that).
fn separated_blobs(centers: usize, gap: f64, seed: u64) -> Dataset<usize> {
    for s in seed.. {
        let blobs = MakeBlobs::params()
            .n_samples(200 * centers)
            .centers(centers)
            .cluster_std(0.5)
            .seed(s);
        let (data, c) = (blobs.generate().unwrap(), blobs.centres().unwrap());
        let min = (0..centers)
            .flat_map(|i| (i + 1..centers).map(move |j| (i, j)))
            .map(|(i, j)| (&c.row(i) - &c.row(j)).mapv(|v| v * v).sum().sqrt())
            .fold(f64::INFINITY, f64::min);
        if min >= gap {
            return data;
        }
    }
    unreachable!()
}

#[test]
fn kmeans_matches_scikit_learn_on_iris() {
    let fx = &sklearn()["iris_kmeans3"];
    let x = iris_records();
    let model = KMeans::params()
        .n_clusters(3)
        .n_init(10)
        .seed(0)
        .fit(&x)
        .unwrap();
    let want = fx["inertia"].as_f64().unwrap();
    assert!(
        (model.inertia() - want).abs() < 1e-6 * want,
        "{} vs {want}",
        model.inertia()
    );
    let centres = matrix(&fx["centers"]);
    for row in model.centres().rows() {
        let nearest = centres
            .rows()
            .into_iter()
            .map(|c| (&c - &row).mapv(f64::abs).fold(0.0, |m: f64, &v| m.max(v)))
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest < 1e-6,
            "centre {row} has no match in scikit-learn's"
        );
    }
}

#[test]
fn inertia_is_the_sum_of_squared_distances() {
    let x = iris_records();
    let model = KMeans::params().n_clusters(4).seed(3).fit(&x).unwrap();
    let labels = model.predict(&x).unwrap();
    assert_eq!(&labels, model.labels());
    let total: f64 = x
        .rows()
        .into_iter()
        .zip(&labels)
        .map(|(r, &l)| (&r - &model.centres().row(l)).mapv(|v| v * v).sum())
        .sum();
    assert!((total - model.inertia()).abs() < 1e-9 * total);
}

#[test]
fn kmeans_is_identical_on_one_or_two_threads() {
    let data = separated_blobs(5, 3.0, 0);
    let fit = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                KMeans::params()
                    .n_clusters(5)
                    .n_init(2)
                    .seed(9)
                    .fit(&data)
                    .unwrap()
            })
    };
    assert_eq!(fit(1), fit(2));
}

#[test]
fn elbow_finds_the_true_number_of_blobs() {
    for k in [3, 5, 8] {
        let data = separated_blobs(k, 3.0, 100);
        let result = Elbow::params().k_max(10).seed(1).select(&data).unwrap();
        assert_eq!(result.chosen_k, Some(k), "{k} blobs: {}", result.reason);
        assert_eq!(result.inertia.len(), 10);
        assert!(
            result.inertia.windows(2).all(|w| w[1] <= w[0] * 1.0001),
            "{:?}",
            result.inertia
        );
        assert!(result.silhouette[k - 1].unwrap() >= 0.5);
    }
}

#[test]
fn a_uniform_cloud_has_no_clear_elbow() {
    let mut rng = learnkit::rng::seeded(4);
    for dim in [2, 3] {
        let x = Array2::from_shape_simple_fn((1500, dim), || rng.gen::<f64>());
        let result = Elbow::params().k_max(10).seed(2).select(&x).unwrap();
        assert_eq!(result.chosen_k, None, "uniform {dim}-D: {}", result.reason);
        assert!(
            result.reason.starts_with("no clear elbow"),
            "{}",
            result.reason
        );
    }
}

#[test]
fn kneedle_finds_the_textbook_knee() {
    // y = 1/x on 1..=10 — kneed's documented example finds the knee at x = 3 (S = 1).
    let x: Vec<f64> = (1..=10).map(f64::from).collect();
    let y: Vec<f64> = x.iter().map(|v| 1.0 / v).collect();
    let (i, _) = kneedle_decreasing_convex(&x, &y, 1.0).unwrap();
    assert_eq!(x[i], 3.0);
    // A straight line has no knee.
    let line: Vec<f64> = x.iter().map(|v| 10.0 - v).collect();
    assert!(kneedle_decreasing_convex(&x, &line, 1.0).is_none());
}

#[test]
fn clustering_rejects_bad_input() {
    let x = iris_records();
    assert!(matches!(
        KMeans::params().n_clusters(0).fit(&x).unwrap_err(),
        Error::InvalidParameter {
            name: "n_clusters",
            ..
        }
    ));
    assert!(matches!(
        KMeans::params().n_clusters(151).fit(&x).unwrap_err(),
        Error::InvalidParameter {
            name: "n_clusters",
            ..
        }
    ));
    let nan = array![[1.0, 2.0], [f64::NAN, 1.0], [0.0, 0.0]];
    assert!(matches!(
        KMeans::params().n_clusters(2).fit(&nan).unwrap_err(),
        Error::NonFinite {
            row: 1,
            column: 0,
            ..
        }
    ));
    assert!(matches!(
        KMeans::params()
            .n_clusters(1)
            .fit(&Array2::<f64>::zeros((0, 2)))
            .unwrap_err(),
        Error::EmptyData(_)
    ));
    let model = KMeans::params().n_clusters(2).fit(&x).unwrap();
    assert!(matches!(
        model.predict(&array![[1.0]]).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(Elbow::params().k_max(2).select(&x).is_err());
}

#[test]
fn pca_matches_scikit_learn_on_iris() {
    let fx = &sklearn()["iris_pca"];
    let pca = Pca::params()
        .n_components(Components::All)
        .fit(&iris_records())
        .unwrap();
    let ev = floats(&fx["explained_variance"]);
    let ratio = floats(&fx["explained_variance_ratio"]);
    for i in 0..4 {
        assert!(
            (pca.explained_variance()[i] - ev[i]).abs() < 1e-9,
            "variance {i}"
        );
        assert!(
            (pca.explained_variance_ratio()[i] - ratio[i]).abs() < 1e-9,
            "ratio {i}"
        );
    }
    let want = matrix(&fx["components"]);
    for (got, want) in pca.components().rows().into_iter().zip(want.rows()) {
        // Same axis; the sign convention (largest loading positive) matches svd_flip too.
        assert!(
            (&got - &want)
                .mapv(f64::abs)
                .fold(0.0, |m: f64, &v| m.max(v))
                < 1e-8,
            "{got} vs {want}"
        );
    }
}

#[test]
fn pca_round_trips_and_is_orthonormal() {
    let x = iris_records();
    let pca = Pca::params().n_components(Components::All).fit(&x).unwrap();
    let back = pca.inverse_transform(&pca.transform(&x).unwrap()).unwrap();
    assert!((&back - &x).mapv(f64::abs).fold(0.0, |m: f64, &v| m.max(v)) < 1e-12);
    assert!((pca.explained_variance_ratio().sum() - 1.0).abs() < 1e-12);
    let gram = pca.components().dot(&pca.components().t());
    assert!(
        (&gram - &Array2::<f64>::eye(4))
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v))
            < 1e-12
    );
    let two = Pca::params()
        .n_components(Components::Count(2))
        .fit(&x)
        .unwrap();
    assert!(two.explained_variance_ratio().sum() < 1.0);
    let white = Pca::params()
        .n_components(Components::Count(2))
        .whiten(true)
        .fit(&x)
        .unwrap();
    let z = white.transform(&x).unwrap();
    let var = z.var_axis(ndarray::Axis(0), 1.0);
    assert!(var.iter().all(|v| (v - 1.0).abs() < 1e-9), "{var}");
    let back = white.inverse_transform(&z).unwrap();
    let plain = two.inverse_transform(&two.transform(&x).unwrap()).unwrap();
    assert!(
        (&back - &plain)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v))
            < 1e-9
    );
}

#[test]
fn pca_keeps_enough_components_for_a_variance_fraction() {
    let x = iris_records();
    let pca = Pca::params()
        .n_components(Components::Variance(0.95))
        .fit(&x)
        .unwrap();
    assert_eq!(pca.n_components(), 2); // 0.9246 + 0.0531 ≥ 0.95
    let pca = Pca::params()
        .n_components(Components::Variance(0.9))
        .fit(&x)
        .unwrap();
    assert_eq!(pca.n_components(), 1);
}

#[test]
fn pca_handles_wide_data_through_the_gram_matrix() {
    let x = Array2::from_shape_fn((5, 12), |(i, j)| {
        ((i * 7 + j * 3) % 11) as f64 + (i * j) as f64 * 0.1
    });
    let pca = Pca::params().n_components(Components::All).fit(&x).unwrap();
    assert_eq!(pca.n_components(), 5);
    let back = pca.inverse_transform(&pca.transform(&x).unwrap()).unwrap();
    assert!((&back - &x).mapv(f64::abs).fold(0.0, |m: f64, &v| m.max(v)) < 1e-9);
}

#[test]
fn pca_rejects_bad_input() {
    let x = iris_records();
    let err = Pca::params()
        .n_components(Components::Count(5))
        .fit(&x)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "n_components",
                ..
            }
        ),
        "{err}"
    );
    assert!(Pca::params()
        .n_components(Components::Count(0))
        .fit(&x)
        .is_err());
    assert!(Pca::params()
        .n_components(Components::Variance(1.5))
        .fit(&x)
        .is_err());
    assert!(matches!(
        Pca::params()
            .n_components(Components::All)
            .fit(&array![[1.0, 2.0]])
            .unwrap_err(),
        Error::EmptyData(_)
    ));
    assert!(matches!(
        Pca::params()
            .n_components(Components::All)
            .fit(&array![[1.0, f64::INFINITY], [0.0, 0.0]])
            .unwrap_err(),
        Error::NonFinite { .. }
    ));
    let pca = Pca::params()
        .n_components(Components::Count(2))
        .fit(&x)
        .unwrap();
    assert!(pca.transform(&array![[1.0, 2.0, 3.0]]).is_err());
}

#[test]
fn hamerly_gives_lloyds_clustering_from_the_same_start() {
    // Overlapping blobs (many points near boundaries, many iterations) and more rows than one
    // block, so the bounds and the block sums are both exercised; k = 1 uses Lloyd.
    let data = MakeBlobs::params()
        .n_samples(6_000)
        .n_features(5)
        .centers(6)
        .cluster_std(2.5)
        .seed(4)
        .generate()
        .unwrap();
    for k in [1, 2, 6, 9] {
        let fit = |algorithm| {
            KMeans::params()
                .n_clusters(k)
                .algorithm(algorithm)
                .tol(0.0)
                .seed(2)
                .fit(&data)
                .unwrap()
        };
        let (lloyd, hamerly) = (fit(KMeansAlgorithm::Lloyd), fit(KMeansAlgorithm::Hamerly));
        assert_eq!(lloyd.labels(), hamerly.labels(), "k = {k}");
        assert_eq!(lloyd.n_iter(), hamerly.n_iter(), "k = {k}");
        let (a, b) = (lloyd.inertia(), hamerly.inertia());
        assert!((a - b).abs() <= 1e-9 * a, "k = {k}: {a} vs {b}");
        let gap = (lloyd.centres() - hamerly.centres())
            .mapv(f64::abs)
            .fold(0.0f64, |m, &v| m.max(v));
        assert!(gap < 1e-9, "k = {k}: centres differ by {gap}");
        assert_eq!(fit(KMeansAlgorithm::Auto), hamerly);
    }
}

#[test]
fn randomized_pca_agrees_with_the_exact_solver_on_low_rank_data() {
    use learnkit::decomposition::PcaSolver;
    // 600 × 700 (wide: Auto picks the randomized solver), rank 8 plus small noise.
    let mut rng = learnkit::rng::seeded(5);
    let a = Array2::from_shape_simple_fn((600, 8), || rng.gen::<f64>() - 0.5);
    let b = Array2::from_shape_simple_fn((8, 700), || rng.gen::<f64>() - 0.5);
    let x =
        a.dot(&b) + Array2::from_shape_simple_fn((600, 700), || 1e-3 * (rng.gen::<f64>() - 0.5));
    let exact = Pca::params()
        .n_components(Components::Count(5))
        .solver(PcaSolver::Exact)
        .fit(&x)
        .unwrap();
    let auto = Pca::params()
        .n_components(Components::Count(5))
        .fit(&x)
        .unwrap();
    let randomized = Pca::params()
        .n_components(Components::Count(5))
        .solver(PcaSolver::Randomized)
        .fit(&x)
        .unwrap();
    assert_eq!(
        auto, randomized,
        "Auto picks the randomized solver for wide data"
    );
    for (e, r) in exact
        .explained_variance_ratio()
        .iter()
        .zip(randomized.explained_variance_ratio())
    {
        assert!((e - r).abs() < 1e-8, "{e} vs {r}");
    }
    // Same axes, signs included (svd_flip on both).
    let gap = (exact.components() - randomized.components())
        .mapv(f64::abs)
        .fold(0.0f64, |m, &v| m.max(v));
    assert!(gap < 1e-6, "components differ by {gap}");
    // The randomized solver needs a component count.
    assert!(Pca::params()
        .n_components(Components::Variance(0.9))
        .solver(PcaSolver::Randomized)
        .fit(&x)
        .is_err());
}

#[test]
fn hamerly_kmeans_and_blocked_pca_are_identical_on_one_or_two_threads() {
    // More rows than one block of K-means (2,048) and one group of the PCA scatter (16,384).
    let data = MakeBlobs::params()
        .n_samples(40_000)
        .n_features(6)
        .centers(5)
        .cluster_std(2.0)
        .seed(8)
        .generate()
        .unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    KMeans::params().n_clusters(5).seed(1).fit(&data).unwrap(),
                    Pca::params()
                        .n_components(Components::Count(3))
                        .fit(&data)
                        .unwrap(),
                )
            })
    };
    assert_eq!(run(1), run(2));
}
