"""Tables in: Polars, pandas and pyarrow give the fit NumPy gives; text columns are categories."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import learnkit as lk


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y, {"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]}


@pytest.mark.parametrize(
    "make", [lk.RandomForestClassifier, lk.HistGradientBoostingClassifier, lk.LogisticRegression]
)
def test_polars_pandas_pyarrow_fit_as_numpy(frame, make):
    X, y, columns = frame
    expected = make().fit(X, y).predict_proba(X)
    for table in (pl.DataFrame(columns), pd.DataFrame(columns), pa.table(columns)):
        model = make().fit(table, y)
        np.testing.assert_array_equal(model.predict_proba(table), expected)
        assert list(model.feature_names_in_) == ["a", "b", "c"]


def test_text_columns_are_categorical_features():
    rng = np.random.default_rng(4)
    colour = rng.choice(["red", "green", "blue", "grey"], size=2000)
    noise = rng.normal(size=2000)
    y = np.isin(colour, ["red", "grey"]).astype(int)
    table = pl.DataFrame({"colour": colour, "noise": noise})
    model = lk.HistGradientBoostingClassifier(max_iter=20).fit(table, y)
    assert model.score(table, y) == 1.0
    # The same texts in another order of first appearance are numbered the training way.
    test = pl.DataFrame({"colour": ["grey", "blue", "red", "green"], "noise": [0.0] * 4})
    assert list(model.predict(test)) == [1, 0, 1, 0]
    # pandas categories and pyarrow dictionaries too.
    frame = pd.DataFrame({"colour": pd.Categorical(colour), "noise": noise})
    assert lk.HistGradientBoostingClassifier(max_iter=20).fit(frame, y).score(frame, y) == 1.0
    # A text never seen in training goes the documented way (right), without an error.
    assert model.predict(pl.DataFrame({"colour": ["violet"], "noise": [0.0]})).shape == (1,)


def test_text_column_for_a_numeric_model_is_an_error():
    table = pl.DataFrame({"colour": ["a", "b"] * 10, "x": np.arange(20.0)})
    with pytest.raises(ValueError, match="hold text"):
        lk.LogisticRegression().fit(table, [0, 1] * 10)


def test_other_columns_at_predict_time_are_an_error(frame):
    X, y, columns = frame
    model = lk.RandomForestClassifier(n_estimators=5).fit(pl.DataFrame(columns), y)
    renamed = pl.DataFrame({"a": X[:, 0], "c": X[:, 2], "b": X[:, 1]})
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(renamed)


def test_missing_cells_are_missing_values_for_boosting_only():
    x = [1.0, None, 3.0, 4.0] * 25
    y = [0, 1, 0, 1] * 25
    table = pl.DataFrame({"x": x})
    model = lk.HistGradientBoostingClassifier(min_samples_leaf=1).fit(table, y)
    assert model.score(table, y) == 1.0
    with pytest.raises(ValueError, match="x"):
        lk.RandomForestClassifier().fit(table, y)
