"""Pickling and model files go through learnkit's versioned, checksummed model format."""

import io
import pickle

import joblib
import numpy as np
import pytest

import learnkit as lk
from learnkit import _learnkit

MODELS = [
    lk.LinearRegression(),
    lk.Ridge(alpha=2.0),
    lk.LogisticRegression(),
    lk.DecisionTreeClassifier(max_depth=4),
    lk.DecisionTreeRegressor(max_depth=4),
    lk.RandomForestClassifier(n_estimators=10),
    lk.RandomForestRegressor(n_estimators=10),
    lk.HistGradientBoostingClassifier(max_iter=20),
    lk.HistGradientBoostingRegressor(max_iter=20),
    lk.KMeans(n_clusters=3),
    lk.PCA(n_components=2),
    lk.StandardScaler(),
]


def output(model, X):
    for method in ("predict_proba", "predict", "transform"):
        if hasattr(model, method):
            return getattr(model, method)(X)
    raise AssertionError(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_pickle_and_joblib_round_trips_predict_the_same(model, blobs):
    X, y = blobs
    model.fit(X, y if not isinstance(model, lk.LinearRegression) else X[:, 0])
    expected = output(model, X)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(output(again, X), expected)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(output(joblib.load(buffer), X), expected)
    # An unfitted estimator pickles too.
    assert pickle.loads(pickle.dumps(type(model)())).get_params() == type(model)().get_params()


def test_a_corrupt_or_foreign_pickle_raises_a_python_error(blobs):
    X, y = blobs
    blob = pickle.dumps(lk.RandomForestClassifier(n_estimators=3).fit(X, y))
    state = lk.RandomForestClassifier().__getstate__()
    model_bytes = _learnkit.Model.from_bytes  # noqa: F841 - the loader pickles name
    # Flip one byte inside the embedded model: the checksum refuses it.
    fitted = lk.RandomForestClassifier(n_estimators=3).fit(X, y)
    state = fitted.__getstate__()
    raw = bytearray(state["_learnkit_model"])
    raw[len(raw) // 2] ^= 0xFF
    state["_learnkit_model"] = bytes(raw)
    with pytest.raises(ValueError):
        lk.RandomForestClassifier().__setstate__(state)
    # Truncated pickles and foreign bytes.
    with pytest.raises(Exception):
        pickle.loads(blob[: len(blob) // 2])
    for junk in (b"", b"not a model", b"\x00" * 64, b'{"kind":"KMeans"}'):
        with pytest.raises(ValueError):
            _learnkit.Model.from_bytes(junk)
    state["_learnkit_model"] = 42
    with pytest.raises(ValueError, match="not bytes"):
        lk.RandomForestClassifier().__setstate__(state)


def test_model_files_are_learnkits_own(tmp_path, blobs):
    X, y = blobs
    model = lk.HistGradientBoostingClassifier(max_iter=10).fit(X, y)
    path = tmp_path / "model.lk"
    model.save_model(path)
    loaded = _learnkit.Model.load(path)
    assert loaded.kind == "GradientBoostingClassifier"
    np.testing.assert_array_equal(loaded.predict_proba(np.ascontiguousarray(X)), model.predict_proba(X))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError):
        _learnkit.Model.load(path)
    with pytest.raises(ValueError):
        _learnkit.Model.load(tmp_path)  # a directory, not a model file


def test_a_raw_model_pickles(blobs):
    X, y = blobs
    model = lk.KMeans(n_clusters=3).fit(X)._model
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(np.ascontiguousarray(X)), model.predict(np.ascontiguousarray(X)))


def test_a_pickle_of_another_model_kind_is_refused(blobs):
    X, y = blobs
    state = lk.KMeans(n_clusters=3).fit(X).__getstate__()
    with pytest.raises(ValueError, match="holds a learnkit KMeans model"):
        lk.RandomForestClassifier().__setstate__(state)
