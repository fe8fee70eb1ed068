"""learnkit estimators inside scikit-learn's workflow tools, scored against scikit-learn's own."""

import numpy as np
import pytest
import sklearn.cluster
import sklearn.decomposition
import sklearn.ensemble
import sklearn.linear_model
import sklearn.preprocessing
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

import learnkit as lk


def test_pipeline_scaler_logistic_scores_as_scikit_learn():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    ours = make_pipeline(lk.StandardScaler(), lk.LogisticRegression()).fit(X_train, y_train)
    theirs = make_pipeline(
        sklearn.preprocessing.StandardScaler(), sklearn.linear_model.LogisticRegression()
    ).fit(X_train, y_train)
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.005
    # Same objective, same optimum: the probabilities agree closely.
    np.testing.assert_allclose(
        ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-2
    )


def test_grid_search_random_forest_scores_as_scikit_learn():
    X, y = load_digits(return_X_y=True)
    grid = {"max_features": ["sqrt", 0.5], "min_samples_leaf": [1, 3]}
    ours = GridSearchCV(lk.RandomForestClassifier(random_state=0), grid, cv=5).fit(X, y)
    theirs = GridSearchCV(
        sklearn.ensemble.RandomForestClassifier(random_state=0), grid, cv=5
    ).fit(X, y)
    assert ours.best_score_ >= theirs.best_score_ - 0.005, (ours.best_score_, theirs.best_score_)
    assert set(ours.cv_results_) >= {"mean_test_score", "params", "rank_test_score"}
    assert isinstance(ours.best_estimator_, lk.RandomForestClassifier)


def test_cross_val_score_and_clone():
    X, y = load_diabetes(return_X_y=True)
    model = lk.Ridge(alpha=0.5)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    ours = cross_val_score(model, X, y, cv=5)
    theirs = cross_val_score(sklearn.linear_model.Ridge(alpha=0.5), X, y, cv=5)
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


def test_linear_regression_matches_closed_form():
    X, y = load_diabetes(return_X_y=True)
    ours = lk.LinearRegression().fit(X, y)
    theirs = sklearn.linear_model.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-6)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-10)


def test_boosting_scores_as_scikit_learn():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1, stratify=y)
    ours = lk.HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    theirs = sklearn.ensemble.HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.02
    assert ours.feature_importances_.shape == (X.shape[1],)
    assert ours.n_iter_ == 100


def test_kmeans_and_pca_learn_what_scikit_learn_learns():
    X, _ = load_digits(return_X_y=True)
    pca = lk.PCA(n_components=5).fit(X)
    ref = sklearn.decomposition.PCA(n_components=5).fit(X)
    np.testing.assert_allclose(pca.explained_variance_, ref.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(np.abs(pca.components_), np.abs(ref.components_), atol=1e-8)
    km = lk.KMeans(n_clusters=10, n_init=5, random_state=0).fit(X)
    ref_km = sklearn.cluster.KMeans(n_clusters=10, n_init=5, random_state=0).fit(X)
    # Inertia is the sum of squared distances, as in scikit-learn: within 2% of its optimum.
    assert km.inertia_ <= ref_km.inertia_ * 1.02
    assert km.labels_.shape == (X.shape[0],)
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-9)


def test_string_labels_and_classes():
    X, y = load_breast_cancer(return_X_y=True)
    names = np.where(y == 1, "benign", "malignant")
    model = lk.DecisionTreeClassifier(max_depth=3).fit(X, names)
    assert list(model.classes_) == ["benign", "malignant"]
    assert set(model.predict(X)) <= {"benign", "malignant"}
    assert model.predict_proba(X).shape == (len(X), 2)


@pytest.mark.parametrize(
    "y",
    [
        np.array([3, 1, 3, 7]),
        np.array([-128, 127, 5, -2], dtype=np.int8),
        np.array([255, 0], dtype=np.uint8),
        np.array([2**64 - 1, 0], dtype=np.uint64),
        np.array([2**40, 1, 2**40]),
        np.array(["b", "a", "b"]),
        np.array([0.5, 1.5, 0.5]),
        np.array([True, False, True]),
    ],
    ids=lambda y: str(y.dtype),
)
def test_labels_are_encoded_as_numpy_unique_encodes_them(y):
    from learnkit._base import _encode

    classes, codes = _encode(y)
    expected, inverse = np.unique(y, return_inverse=True)
    np.testing.assert_array_equal(classes, expected)
    np.testing.assert_array_equal(codes, inverse)
    assert classes.dtype == expected.dtype


def test_star_import_names_every_public_class():
    namespace = {}
    exec("from learnkit import *", namespace)
    assert {"PCA", "KMeans", "choose_k", "ElbowChoice", "rl", "__version__"} <= set(namespace)
