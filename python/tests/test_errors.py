"""Errors, not crashes: learnkit's messages as ValueError, NotFittedError before fit, threads."""

import threading
import time

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import learnkit as lk
from learnkit import _learnkit


def test_bad_values_and_parameters_are_value_errors(blobs):
    X, y = blobs
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        lk.RandomForestClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="n_estimators"):
        lk.RandomForestClassifier(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        lk.HistGradientBoostingClassifier(learning_rate=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="criterion"):
        lk.DecisionTreeClassifier(criterion="nonsense").fit(X, y)
    with pytest.raises(ValueError, match="n_clusters"):
        lk.KMeans(n_clusters=0).fit(X)
    with pytest.raises(ValueError, match="random_state"):
        lk.KMeans(random_state=-3).fit(X)
    with pytest.raises(ValueError, match="features"):
        lk.LogisticRegression().fit(X, y).predict(X[:, :2])
    with pytest.raises(ValueError, match="unknown kind"):
        _learnkit.fit("nonsense", [], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n_jobs"):
        lk.RandomForestClassifier(n_jobs=0).fit(X, y)


def test_methods_before_fit_raise_not_fitted(blobs):
    X, _ = blobs
    for model in (lk.LogisticRegression(), lk.KMeans(), lk.PCA(), lk.HistGradientBoostingRegressor()):
        method = getattr(model, "predict", None) or model.transform
        with pytest.raises(NotFittedError):
            method(X)


def test_same_model_on_every_thread_count(blobs):
    X, y = blobs
    one = lk.RandomForestClassifier(n_estimators=30, n_jobs=1, random_state=5).fit(X, y)
    two = lk.RandomForestClassifier(n_estimators=30, n_jobs=2, random_state=5).fit(X, y)
    every = lk.RandomForestClassifier(n_estimators=30, n_jobs=-1, random_state=5).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    np.testing.assert_array_equal(one.predict_proba(X), every.predict_proba(X))


def test_fits_release_the_gil():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 20))
    y = (X[:, 0] > 0).astype(int)
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    lk.RandomForestClassifier(n_estimators=20, n_jobs=1).fit(X, y)
    end = time.perf_counter()
    stop.set()
    counter.join()
    during = [t for t in ticks if start < t < end]
    # Holding the GIL for the whole fit would leave the counter a tick or two.
    assert len(during) >= max(5, int((end - start) / 0.001 * 0.1)), (len(during), end - start)


def test_hostile_inputs_are_errors_not_crashes(blobs):
    import pyarrow as pa

    X, y = blobs
    with pytest.raises(ValueError, match="too large"):
        lk.RandomForestClassifier(n_estimators=2**70).fit(X, y)
    with pytest.raises(ValueError, match="n_estimators"):
        lk.RandomForestClassifier(n_estimators=10**12).fit(X, y)  # bounded before allocation
    with pytest.raises(ValueError, match="max_features"):
        lk.DecisionTreeClassifier(max_features="../../etc/passwd").fit(X, y)
    with pytest.raises(ValueError, match="categorical_features"):
        lk.HistGradientBoostingClassifier(categorical_features=[99]).fit(X, y)
    # A table with a duplicated column name.
    table = pa.Table.from_arrays([pa.array([1.0, 2.0]), pa.array([3.0, 4.0])], names=["a", "a"])
    with pytest.raises(ValueError, match="a"):
        lk.HistGradientBoostingRegressor().fit(table, [0.0, 1.0])

    class NotAStream:
        def __arrow_c_stream__(self, requested_schema=None):
            return "not a capsule"

    with pytest.raises(TypeError, match="PyCapsule"):
        lk.HistGradientBoostingRegressor().fit(NotAStream(), [0.0])
    # An empty table.
    with pytest.raises(ValueError):
        lk.HistGradientBoostingRegressor().fit(pa.table({"a": pa.array([], pa.float64())}), [])
