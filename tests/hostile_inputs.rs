//! Careless and hostile input through the public API: values at the edge of f64, and what each
//! estimator must do with them — compute in an overflow-safe way where the maths allows it,
//! otherwise return `Error::Numerical` naming the values (never NaN results, never a
//! parameter error). The CSV and map cases live beside their loaders' other tests
//! (tests/foundation.rs, envs/tests/envs.rs).

use learnkit::decomposition::{Components, Pca};
use learnkit::linear::LinearRegression;
use learnkit::prelude::*;
use learnkit::preprocessing::StandardScaler;
use ndarray::{Array1, Array2};

/// 200 rows of three features on wildly different scales, the first near f64's limit.
fn huge(scale: f64) -> Array2<f64> {
    Array2::from_shape_fn((200, 3), |(i, j)| {
        let t = ((i * 37 + j * 11) % 200) as f64 / 100.0 - 1.0; // in [-1, 1)
        match j {
            0 => scale * t,
            1 => t * t,
            _ => (i % 7) as f64,
        }
    })
}

#[test]
fn the_scaler_standardises_values_near_the_limit_of_f64() {
    let x = huge(1e300);
    let scaler = StandardScaler::params().fit(&x).unwrap();
    let z = scaler.transform(&x).unwrap();
    assert!(z.iter().all(|v| v.is_finite()));
    for column in z.columns() {
        let mean = column.mean().unwrap();
        let std = column.std(0.0);
        assert!(mean.abs() < 1e-9, "mean {mean}");
        assert!((std - 1.0).abs() < 1e-9, "std {std}");
    }
    // Same standardised values as on the same data at an ordinary scale.
    let ordinary = StandardScaler::params()
        .fit(&huge(1.0))
        .unwrap()
        .transform(&huge(1.0))
        .unwrap();
    let gap = (&z - &ordinary)
        .mapv(f64::abs)
        .fold(0.0f64, |m, &v| m.max(v));
    assert!(gap < 1e-9, "{gap}");
}

#[test]
fn pca_of_overflowing_variances_is_a_numerical_error_and_standardising_fixes_it() {
    let x = huge(1e200);
    let err = Pca::params()
        .n_components(Components::Count(2))
        .fit(&x)
        .unwrap_err();
    match &err {
        Error::Numerical { context, reason } => {
            assert_eq!(context, "PCA");
            assert!(
                reason.contains("`x0`") && reason.contains("standardise"),
                "{reason}"
            );
        }
        other => panic!("expected a numerical error, got {other:?}"),
    }
    let z = StandardScaler::params()
        .fit(&x)
        .unwrap()
        .transform(&x)
        .unwrap();
    let pca = Pca::params().n_components(Components::All).fit(&z).unwrap();
    let ratio = pca.explained_variance_ratio();
    assert!(ratio.iter().all(|r| r.is_finite()));
    assert!((ratio.sum() - 1.0).abs() < 1e-9);
    // Three standardised features with distinct structure: no single component takes all.
    assert!(ratio[0] < 0.9, "{ratio}");
}

#[test]
fn least_squares_that_would_overflow_is_a_numerical_error() {
    // Targets at ±1e308: the centred sums overflow.
    let x = huge(1.0);
    let y = Array1::from_shape_fn(200, |i| if i % 2 == 0 { 1e308 } else { -1e308 });
    let err = LinearRegression::params().fit(&(x.clone(), y)).unwrap_err();
    assert!(matches!(err, Error::Numerical { .. }), "{err:?}");
    assert!(err.to_string().contains("targets up to 1.0e308"), "{err}");
    // A feature whose squares overflow is named.
    let y = Array1::from_shape_fn(200, |i| i as f64);
    let err = LinearRegression::params()
        .fit(&(huge(1e200), y))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Numerical { reason, .. } if reason.contains("`x0`")),
        "{err:?}"
    );
}

/// The largest map a user may load draws a picture of bounded size (not 7,000 pixels a side).
#[test]
fn a_policy_map_of_the_largest_map_stays_small() {
    use learnkit::envs::MapSpec;
    use learnkit::report::figures;
    use learnkit::rl::QLearning;
    let mut text = String::new();
    for r in 0..100 {
        let row: String = (0..100)
            .map(|c| match (r, c) {
                (0, 0) => 'S',
                (99, 99) => 'G',
                _ => 'F',
            })
            .collect();
        text.push_str(&row);
        text.push('\n');
    }
    let spec = MapSpec::parse(&text, "big.txt").unwrap();
    let agent = QLearning::params().build(spec.cells.len(), 4).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.png");
    figures::policy_map(&path, "big", &spec, agent.table()).unwrap();
    let png = std::fs::read(&path).unwrap();
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert!(w <= 2100 && h <= 2100, "{w}×{h}");
}

/// A dataset assembled field by field with fields that disagree is an error at the splitters,
/// not an index panic.
#[test]
fn an_inconsistent_hand_built_dataset_is_an_error() {
    let mut data = learnkit::data::iris().unwrap();
    data.targets = data.targets.slice(ndarray::s![..100]).to_owned();
    assert!(learnkit::data::train_test_split(&data, 0.2, 0).is_err());
    let cv = learnkit::model_selection::cross_validate(
        &learnkit::linear::LogisticRegression::params(),
        &data,
        &learnkit::model_selection::KFold::params(),
        &[learnkit::model_selection::Scorer::Accuracy],
    );
    assert!(cv.is_err());
    let mut names = learnkit::data::iris().unwrap();
    names.feature_names.pop();
    assert!(learnkit::data::train_test_split(&names, 0.2, 0).is_err());
}

/// Row selection on a hand-built dataset whose fields disagree, or past the last row, is an
/// error; so is a subsample of such a dataset.
#[test]
fn selecting_rows_of_a_bad_dataset_is_an_error() {
    let data = learnkit::data::iris().unwrap();
    assert!(data.select(&[0, 150]).is_err());
    assert_eq!(data.select(&[0, 149]).unwrap().n_samples(), 2);
    let mut short = data.clone();
    short.targets = short.targets.slice(ndarray::s![..10]).to_owned();
    assert!(short.select(&[0, 20]).is_err());
    assert!(short.subsample(50, 0).is_err());
}

/// A tabular agent asked about a state past its table, or an observation that does not fit a
/// feature vector, answers with an error instead of indexing out of bounds.
#[test]
fn agents_and_features_refuse_observations_that_do_not_fit() {
    use learnkit::envs::Features;
    use learnkit::rl::{Agent, QLearning};
    let mut agent = QLearning::params().build(16, 4).unwrap();
    assert!(agent.act(&15, false).is_ok());
    let err = agent.act(&16, true).unwrap_err();
    assert!(err.to_string().contains("16"), "{err}");
    let space = learnkit::envs::Space::Discrete(4);
    let mut out = [0.0f32; 4];
    assert!(3usize.write_features(&space, &mut out).is_ok());
    assert_eq!(out, [0.0, 0.0, 0.0, 1.0]);
    assert!(4usize.write_features(&space, &mut out).is_err());
    let mut three = [0.0f32; 3];
    assert!([1.0f64, 2.0, 3.0, 4.0]
        .write_features(&space, &mut three)
        .is_err());
}
