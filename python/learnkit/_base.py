"""The machinery every learnkit estimator shares: scikit-learn's validation, the mapping of
scikit-learn's parameters to learnkit's, tables through Arrow, and pickling through learnkit's
versioned model format."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _learnkit

__all__ = ["LearnkitEstimator", "seed_of"]


def seed_of(random_state) -> int:
    """learnkit's seed for scikit-learn's ``random_state``: an int is the seed itself, a
    ``RandomState`` draws one, and ``None`` is seed 0 — learnkit is reproducible by default,
    so two fits with ``random_state=None`` give the same model."""
    if random_state is None:
        return 0
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state = {random_state}: must be a non-negative integer")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    raise ValueError(f"random_state = {random_state!r}: must be None, an int or a RandomState")


def _is_arrow_table(X) -> bool:
    """A table that exports Arrow (Polars, pyarrow) and that scikit-learn would not read as
    names plus numbers: pandas frames keep scikit-learn's own path unless a column holds text
    or categories (dtype kinds other than bool, int, uint, float)."""
    if isinstance(X, np.ndarray) or not hasattr(X, "__arrow_c_stream__"):
        return False
    if type(X).__module__.startswith("pandas"):
        return not all(getattr(dtype, "kind", "O") in "biuf" for dtype in X.dtypes)
    return True


def _encode(y):
    """The sorted classes of ``y`` and each label's index among them, without sorting every
    label: integer labels of a small range by counting, others by hashing the classes and a
    binary search per label."""
    if y.size and (y.dtype.kind == "i" or (y.dtype.kind == "u" and y.dtype.itemsize < 8)):
        low, high = int(y.min()), int(y.max())
        if high - low < 1 << 20:
            shifted = y.astype(np.int64) - low
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            lookup = np.cumsum(present) - 1
            classes = (np.flatnonzero(present) + low).astype(y.dtype)
            return classes, lookup[shifted]
    classes = np.unique(y)
    return classes, np.searchsorted(classes, y)


# The kind a model file names for each learnkit estimator kind.
_FILE_KINDS = {
    "linear": "LinearRegression",
    "logistic": "LogisticRegression",
    "tree_classifier": "DecisionTreeClassifier",
    "tree_regressor": "DecisionTreeRegressor",
    "forest_classifier": "RandomForestClassifier",
    "forest_regressor": "RandomForestRegressor",
    "boosting_classifier": "GradientBoostingClassifier",
    "boosting_regressor": "GradientBoostingRegressor",
    "kmeans": "KMeans",
    "pca": "Pca",
    "scaler": "StandardScaler",
}


class LearnkitEstimator(BaseEstimator):
    """Base of every learnkit estimator: subclasses name their learnkit ``_kind`` and map their
    ``__init__`` parameters to learnkit's in ``_learnkit_params``."""

    _kind: str = ""
    # Whether the Rust model reads NaN as a missing value (gradient boosting).
    _allow_nan = False
    # Whether text and dictionary columns of a table become categorical features.
    _reads_categories = False

    def _learnkit_params(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _categorical_extra(self):
        """Extra learnkit settings for categorical columns (boosting's)."""
        return ()

    def _after_fit(self, X):
        """Copies what the model learned into scikit-learn's attributes."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allow_nan
        return tags

    def _n_jobs(self):
        return getattr(self, "n_jobs", None)

    # -- input ------------------------------------------------------------------------------

    def _records(self, X, *, reset: bool, y=None, y_numeric=False):
        """Checked float64 C-ordered records (and targets), through Arrow for tables that
        export it, else through scikit-learn's ``validate_data``."""
        if _is_arrow_table(X):
            return self._arrow_records(X, reset=reset, y=y, y_numeric=y_numeric)
        # learnkit checks every value itself (NaN and infinities are errors that name the row
        # and column; boosting reads NaN as missing), so scikit-learn's pass is not repeated.
        ensure = False
        if reset:
            if y is None and getattr(self, "_supervised", True):
                # scikit-learn's check: a supervised estimator needs y.
                raise ValueError(
                    f"requires y to be passed, but the target y is None ({type(self).__name__})"
                )
            if getattr(self, "_supervised", True):
                X, y = validate_data(
                    self, X, y, dtype=np.float64, order="C", ensure_all_finite=ensure,
                    y_numeric=y_numeric, ensure_min_samples=1,
                )
                return X, y
            X = validate_data(self, X, dtype=np.float64, order="C", ensure_all_finite=ensure)
            return X, None
        X = validate_data(self, X, dtype=np.float64, order="C", ensure_all_finite=ensure, reset=False)
        return X, None

    def _arrow_records(self, X, *, reset: bool, y, y_numeric):
        known = None if reset else getattr(self, "_vocabularies", None)
        matrix, names, vocabularies = _learnkit.read_arrow(
            X, allow_missing=self._allow_nan, vocabularies=known
        )
        if reset:
            self.feature_names_in_ = np.asarray(names, dtype=object)
            self.n_features_in_ = len(names)
            self._vocabularies = vocabularies
            self._text_columns = [names.index(column) for column, _ in vocabularies]
            if self._text_columns and not self._reads_categories:
                raise ValueError(
                    f"{type(self).__name__} reads numbers only, but columns "
                    f"{[c for c, _ in vocabularies]} hold text"
                )
            if y is not None:
                y = np.asarray(y, dtype=np.float64 if y_numeric else None)
                if y.ndim != 1:
                    y = y.reshape(-1)
                if len(y) != matrix.shape[0]:
                    raise ValueError(f"{matrix.shape[0]} rows but {len(y)} targets")
        else:
            expected = list(getattr(self, "feature_names_in_", []))
            if expected and list(names) != expected:
                raise ValueError(
                    "The feature names should match those that were passed during fit.\n"
                    f"Fitted with: {expected}\nGiven: {list(names)}"
                )
            if matrix.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {matrix.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
        return np.ascontiguousarray(matrix), y

    def _feature_names(self):
        names = getattr(self, "feature_names_in_", None)
        return None if names is None else [str(n) for n in names]

    def _fit_model(self, X, y=None, classes=None, extra=()):
        self._n_rows = X.shape[0]
        params = list(self._learnkit_params()) + list(extra)
        self._model = _learnkit.fit(
            self._kind, params, X, y, classes=classes,
            feature_names=self._feature_names(), n_jobs=self._n_jobs(),
        )
        return self._model

    def _fitted_records(self, X):
        check_is_fitted(self)
        X, _ = self._records(X, reset=False)
        return X

    def __sklearn_is_fitted__(self):
        return getattr(self, "_model", None) is not None

    # -- files ------------------------------------------------------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("_model", None)
        if model is not None:
            state["_learnkit_model"] = bytes(model.to_bytes())
        return state

    def __setstate__(self, state):
        state = dict(state)
        blob = state.pop("_learnkit_model", None)
        if blob is not None:
            if not isinstance(blob, (bytes, bytearray)):
                raise ValueError("corrupt learnkit pickle: the model is not bytes")
            model = _learnkit.Model.from_bytes(bytes(blob))
            expected = _FILE_KINDS.get(self._kind)
            if model.kind != expected:
                raise ValueError(
                    f"this pickle holds a learnkit {model.kind} model, not the {expected} a "
                    f"{type(self).__name__} keeps"
                )
            state["_model"] = model
        super().__setstate__(state)

    def save_model(self, path) -> None:
        """Writes the fitted model in learnkit's model format (what ``learnkit predict`` reads)."""
        check_is_fitted(self)
        self._model.save(str(path))


class ClassifierBase(LearnkitEstimator):
    """Classes as scikit-learn spells them: any labels in, ``classes_`` out."""

    def fit(self, X, y):
        X, y = self._records(X, reset=True, y=y)
        if y.dtype.kind not in "iubU":
            # Integer, boolean and text labels are classes by construction (scikit-learn's
            # check would hash them again); floats and objects may be a continuous target.
            check_classification_targets(y)
        self.classes_, codes = _encode(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {self.classes_[0]!r}"
            )
        self._fit_model(
            X, np.asarray(codes, dtype=np.int64), classes=[str(c) for c in self.classes_],
            extra=self._categorical_extra(),
        )
        self._after_fit(X)
        return self

    def predict(self, X):
        """The most probable class of each row."""
        X = self._fitted_records(X)
        return self.classes_[np.asarray(self._model.predict(X), dtype=np.intp)]

    def predict_proba(self, X):
        """Class probabilities, one column per class of ``classes_``."""
        X = self._fitted_records(X)
        return self._model.predict_proba(X)

    def predict_log_proba(self, X):
        """The log of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class RegressorBase(LearnkitEstimator):
    """Real-valued targets."""

    def fit(self, X, y):
        X, y = self._records(X, reset=True, y=y, y_numeric=True)
        y = np.ascontiguousarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError("Input y contains NaN or infinity.")
        self._fit_model(X, y, extra=self._categorical_extra())
        self._after_fit(X)
        return self

    def predict(self, X):
        """The predicted value of each row."""
        X = self._fitted_records(X)
        return np.asarray(self._model.predict(X), dtype=np.float64)
