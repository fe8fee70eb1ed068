//! Linear and logistic regression against closed forms and scikit-learn's figures
//! (tests/fixtures/sklearn.json, captured by tests/fixtures/make_fixtures.py).

mod common;

use common::{fixture, floats, gauss_solve, matrix, max_diff, sklearn};
use learnkit::data::{read_csv, MakeRegression};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::metrics;
use learnkit::prelude::*;
use ndarray::{array, concatenate, s, Array1, Array2, Axis};

fn regression_problem() -> Dataset<f64> {
    MakeRegression::params()
        .n_samples(500)
        .n_features(8)
        .n_informative(5)
        .noise(3.0)
        .bias(4.0)
        .seed(1)
        .generate()
        .unwrap()
}

#[test]
fn ols_matches_the_normal_equations() {
    let data = regression_problem();
    let model = LinearRegression::params().fit(&data).unwrap();
    // Normal equations on [1, X]: (AᵀA) θ = Aᵀy.
    let a = concatenate![Axis(1), Array2::ones((data.n_samples(), 1)), data.records];
    let theta = gauss_solve(&a.t().dot(&a), &a.t().dot(&data.targets));
    assert!((model.intercept() - theta[0]).abs() < 1e-8);
    assert!(
        max_diff(
            model.coefficients().as_slice().unwrap(),
            theta.slice(s![1..]).as_slice().unwrap()
        ) < 1e-8
    );
}

#[test]
fn ridge_matches_its_closed_form() {
    let data = regression_problem();
    let alpha = 25.0;
    let model = LinearRegression::params().alpha(alpha).fit(&data).unwrap();
    let xm = data.records.mean_axis(Axis(0)).unwrap();
    let ym = data.targets.mean().unwrap();
    let xc = &data.records - &xm;
    let yc = &data.targets - ym;
    let w = gauss_solve(
        &(xc.t().dot(&xc) + Array2::<f64>::eye(8) * alpha),
        &xc.t().dot(&yc),
    );
    assert!(
        max_diff(
            model.coefficients().as_slice().unwrap(),
            w.as_slice().unwrap()
        ) < 1e-8
    );
    assert!((model.intercept() - (ym - xm.dot(&w))).abs() < 1e-8);
    // The penalty shrinks the coefficients.
    let ols = LinearRegression::params().fit(&data).unwrap();
    assert!(
        model.coefficients().dot(model.coefficients()) < ols.coefficients().dot(ols.coefficients())
    );
}

#[test]
fn collinear_features_get_the_minimum_norm_solution() {
    let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]];
    let y = array![3.0, 6.0, 9.0, 12.0];
    let model = LinearRegression::params()
        .fit(&(x.clone(), y.clone()))
        .unwrap();
    assert!((model.score(&x, y.view()).unwrap() - 1.0).abs() < 1e-10);
    // y = 3x₁ = 0.6x₁ + 1.2x₂ (minimum norm along the direction (1, 2)).
    assert!(max_diff(model.coefficients().as_slice().unwrap(), &[0.6, 1.2]) < 1e-8);
}

#[test]
fn diabetes_matches_scikit_learn() {
    let fx = sklearn();
    let data = read_csv(fixture("diabetes.csv"), Some("progression"))
        .unwrap()
        .regression()
        .unwrap();
    let ols = LinearRegression::params().fit(&data).unwrap();
    let want = floats(&fx["diabetes_ols"]["coef"]);
    assert!(max_diff(ols.coefficients().as_slice().unwrap(), &want) < 1e-6);
    assert!((ols.intercept() - fx["diabetes_ols"]["intercept"].as_f64().unwrap()).abs() < 1e-6);
    let r2 = ols.score(&data, data.targets()).unwrap();
    assert!((r2 - fx["diabetes_ols"]["r2"].as_f64().unwrap()).abs() < 1e-10);
    let ridge = LinearRegression::params().alpha(1.0).fit(&data).unwrap();
    assert!(
        max_diff(
            ridge.coefficients().as_slice().unwrap(),
            &floats(&fx["diabetes_ridge1"]["coef"])
        ) < 1e-6
    );
}

fn iris() -> Dataset<usize> {
    read_csv(fixture("iris.csv"), Some("species"))
        .unwrap()
        .classification()
        .unwrap()
}

fn iris_binary() -> Dataset<usize> {
    let data = iris();
    let rows: Vec<usize> = (0..data.n_samples())
        .filter(|&i| data.targets[i] > 0)
        .collect();
    let mut binary = data.select(&rows).unwrap();
    binary.targets.mapv_inplace(|c| c - 1);
    binary.class_names = vec!["versicolor".into(), "virginica".into()];
    binary
}

/// Compares a fit with scikit-learn's: accuracy and log-loss always; the weights when
/// `coef_tol` is given (both sides solved to a tight tolerance — at the default tolerance each
/// optimiser stops at a different point of the flat valley).
fn check_against(
    fx: &serde_json::Value,
    data: &Dataset<usize>,
    params: LogisticRegression,
    coef_tol: Option<f64>,
) {
    let model = params.fit(data).unwrap();
    assert!(model.converged());
    if let Some(coef_tol) = coef_tol {
        let want = matrix(&fx["coef"]);
        let got = model.coefficients();
        assert_eq!(got.dim(), want.dim());
        let diff = (got - &want)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        assert!(
            diff < coef_tol,
            "coefficients differ by {diff}:\n{got}\nvs\n{want}"
        );
        let intercept_diff = max_diff(
            model.intercept().as_slice().unwrap(),
            &floats(&fx["intercept"]),
        );
        assert!(
            intercept_diff < coef_tol,
            "intercepts differ by {intercept_diff}"
        );
    }
    let accuracy = model.score(data, data.targets()).unwrap();
    assert_eq!(accuracy, fx["accuracy"].as_f64().unwrap());
    let loss =
        metrics::log_loss(data.targets(), model.predict_proba(data).unwrap().view()).unwrap();
    assert!(
        (loss - fx["log_loss"].as_f64().unwrap()).abs() < 1e-3,
        "log-loss {loss}"
    );
}

#[test]
fn multinomial_logistic_matches_scikit_learn() {
    let fx = sklearn();
    let tight = LogisticRegression::params().tol(1e-10).max_iter(10_000);
    check_against(&fx["iris_logistic_tight"], &iris(), tight, Some(1e-4));
    check_against(
        &fx["iris_logistic"],
        &iris(),
        LogisticRegression::params(),
        None,
    );
}

#[test]
fn binary_logistic_matches_scikit_learn() {
    let fx = sklearn();
    let tight = LogisticRegression::params().tol(1e-10).max_iter(10_000);
    check_against(
        &fx["iris_binary_logistic_tight"],
        &iris_binary(),
        tight,
        Some(1e-4),
    );
    check_against(
        &fx["iris_binary_logistic"],
        &iris_binary(),
        LogisticRegression::params(),
        None,
    );
}

#[test]
fn logistic_rejects_bad_input() {
    let data = iris();
    for c in [0.0, -1.0, f64::NAN] {
        let err = LogisticRegression::params().c(c).fit(&data).unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { name: "c", .. }),
            "{err}"
        );
    }
    assert!(LogisticRegression::params().max_iter(0).fit(&data).is_err());
    let one_class = Dataset::new(array![[1.0], [2.0]], array![0usize, 0]).unwrap();
    assert!(LogisticRegression::params().fit(&one_class).is_err());
    let model = LogisticRegression::params().fit(&data).unwrap();
    assert!(matches!(
        model.predict(&array![[1.0, 2.0]]).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(matches!(
        model
            .predict(&array![[1.0, 2.0, f64::NAN, 0.0]])
            .unwrap_err(),
        Error::NonFinite { column: 2, .. }
    ));
    let err = LogisticRegression::params()
        .max_iter(2)
        .require_convergence(true)
        .fit(&data)
        .unwrap_err();
    assert!(
        matches!(err, Error::NotConverged { iterations: 2, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("did not converge in 2 iterations"),
        "{err}"
    );
}

#[test]
fn linear_rejects_bad_input() {
    let err = LinearRegression::params()
        .alpha(-1.0)
        .fit(&regression_problem())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { name: "alpha", .. }));
    let nan = (array![[1.0], [f64::NAN]], array![1.0, 2.0]);
    assert!(matches!(
        LinearRegression::params().fit(&nan).unwrap_err(),
        Error::NonFinite { row: 1, .. }
    ));
    let empty = (Array2::<f64>::zeros((0, 3)), Array1::<f64>::zeros(0));
    assert!(matches!(
        LinearRegression::params().fit(&empty).unwrap_err(),
        Error::EmptyData(_)
    ));
    let ragged = (Array2::<f64>::zeros((3, 1)), Array1::<f64>::zeros(2));
    assert!(matches!(
        LinearRegression::params().fit(&ragged).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
}

#[test]
fn fitted_models_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = iris();
    let model = LogisticRegression::params().fit(&data).unwrap();
    let path = dir.path().join("logistic.json");
    model.save(&path).unwrap();
    let loaded = learnkit::linear::FittedLogisticRegression::load(&path).unwrap();
    assert_eq!(
        loaded.predict_proba(&data).unwrap(),
        model.predict_proba(&data).unwrap()
    );
    let reg = LinearRegression::params()
        .fit(&regression_problem())
        .unwrap();
    reg.save(dir.path().join("ols.json")).unwrap();
    let err =
        learnkit::linear::FittedLogisticRegression::load(dir.path().join("ols.json")).unwrap_err();
    assert!(matches!(err, Error::IncompatibleModel { .. }));
}
