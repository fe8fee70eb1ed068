"""learnkit's estimators with scikit-learn's names, parameters and learned attributes."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, ClassifierMixin, ClusterMixin
from sklearn.base import RegressorMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._base import ClassifierBase, LearnkitEstimator, RegressorBase, seed_of

__all__ = [
    "LinearRegression",
    "Ridge",
    "LogisticRegression",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "KMeans",
    "PCA",
    "StandardScaler",
    "choose_k",
    "ElbowChoice",
]


def _max_features(value):
    """scikit-learn's ``max_features`` in learnkit's words (``None`` and 1.0 are all)."""
    if value is None:
        return "all"
    return value


# -- linear models -----------------------------------------------------------------------------


class _LinearBase(RegressorMixin, RegressorBase):
    _kind = "linear"

    def _after_fit(self, X):
        learned = self._model.learned()
        self.coef_ = learned["coef"]
        self.intercept_ = float(learned["intercept"]) if self.fit_intercept else 0.0


class LinearRegression(_LinearBase):
    """Ordinary least squares (scikit-learn's ``LinearRegression``).

    Learned: ``coef_``, ``intercept_``, ``n_features_in_``, ``feature_names_in_``.
    """

    def __init__(self, *, fit_intercept=True):
        self.fit_intercept = fit_intercept

    def _learnkit_params(self):
        return [("alpha", 0.0), ("fit_intercept", self.fit_intercept)]


class Ridge(_LinearBase):
    """Least squares with an L2 penalty ``alpha·‖w‖²`` (scikit-learn's ``Ridge``, solved
    exactly; the intercept is not penalised)."""

    def __init__(self, alpha=1.0, *, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def _learnkit_params(self):
        return [("alpha", float(self.alpha)), ("fit_intercept", self.fit_intercept)]


class LogisticRegression(ClassifierMixin, ClassifierBase):
    """L2-regularised logistic regression fitted by L-BFGS (scikit-learn's
    ``LogisticRegression`` with its defaults: ``C=1``, ``tol=1e-4``, ``max_iter=100``;
    multinomial for more than two classes).

    Learned: ``classes_``, ``coef_`` (one row for two classes), ``intercept_``, ``n_iter_``.
    """

    _kind = "logistic"

    def __init__(self, C=1.0, *, tol=1e-4, max_iter=100, fit_intercept=True):
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept

    def _learnkit_params(self):
        return [
            ("c", float(self.C)),
            ("tol", float(self.tol)),
            ("max_iter", self.max_iter),
            ("fit_intercept", self.fit_intercept),
        ]

    def _after_fit(self, X):
        learned = self._model.learned()
        self.coef_ = learned["coef"]
        self.intercept_ = learned["intercept"]
        self.n_iter_ = np.asarray([learned["n_iter"]], dtype=np.int32)

    def decision_function(self, X):
        """Signed distance to the boundary (two classes: one value per row)."""
        X = self._fitted_records(X)
        scores = self._model.decision_function(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores


# -- trees and forests -------------------------------------------------------------------------


class _TreeParams:
    """The tree parameters trees and forests share, in learnkit's words."""

    def _tree_params(self):
        return [
            ("criterion", self.criterion),
            ("max_depth", self.max_depth),
            ("min_samples_split", self.min_samples_split),
            ("min_samples_leaf", self.min_samples_leaf),
            ("min_impurity_decrease", float(self.min_impurity_decrease)),
            ("max_features", _max_features(self.max_features)),
            ("seed", seed_of(self.random_state)),
        ]

    def _after_fit(self, X):
        self.feature_importances_ = np.asarray(self._model.feature_importances)
        learned = self._model.learned()
        if "oob_score" in learned and learned["oob_score"] is not None:
            self.oob_score_ = float(learned["oob_score"])


class DecisionTreeClassifier(_TreeParams, ClassifierMixin, ClassifierBase):
    """A CART classification tree (scikit-learn's ``DecisionTreeClassifier``)."""

    _kind = "tree_classifier"

    def __init__(
        self, *, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1,
        min_impurity_decrease=0.0, max_features=None, random_state=None,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.random_state = random_state

    def _learnkit_params(self):
        return self._tree_params()


class DecisionTreeRegressor(_TreeParams, RegressorMixin, RegressorBase):
    """A CART regression tree (scikit-learn's ``DecisionTreeRegressor``)."""

    _kind = "tree_regressor"

    def __init__(
        self, *, criterion="squared_error", max_depth=None, min_samples_split=2,
        min_samples_leaf=1, min_impurity_decrease=0.0, max_features=None, random_state=None,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.random_state = random_state

    def _learnkit_params(self):
        return self._tree_params()


class _ForestParams(_TreeParams):
    def _learnkit_params(self):
        return self._tree_params() + [
            ("n_estimators", self.n_estimators),
            ("bootstrap", self.bootstrap),
            ("oob_score", self.oob_score),
        ]


class RandomForestClassifier(_ForestParams, ClassifierMixin, ClassifierBase):
    """A random forest of CART trees (scikit-learn's ``RandomForestClassifier``: 100 trees,
    ``max_features="sqrt"``, bootstrap samples). ``n_jobs=None`` uses every core; the forest
    is the same whatever the thread count."""

    _kind = "forest_classifier"

    def __init__(
        self, n_estimators=100, *, criterion="gini", max_depth=None, min_samples_split=2,
        min_samples_leaf=1, min_impurity_decrease=0.0, max_features="sqrt", bootstrap=True,
        oob_score=False, n_jobs=None, random_state=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state


class RandomForestRegressor(_ForestParams, RegressorMixin, RegressorBase):
    """A random forest of regression trees (scikit-learn's ``RandomForestRegressor``: 100
    trees, every feature per split, bootstrap samples)."""

    _kind = "forest_regressor"

    def __init__(
        self, n_estimators=100, *, criterion="squared_error", max_depth=None,
        min_samples_split=2, min_samples_leaf=1, min_impurity_decrease=0.0, max_features=1.0,
        bootstrap=True, oob_score=False, n_jobs=None, random_state=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state


# -- gradient boosting -------------------------------------------------------------------------


class _BoostingParams:
    _allow_nan = True
    _reads_categories = True

    def _learnkit_params(self):
        early = self.early_stopping
        if early == "auto":
            early = self._n_rows > 10_000
        return [
            ("n_estimators", self.max_iter),
            ("learning_rate", float(self.learning_rate)),
            ("max_leaf_nodes", self.max_leaf_nodes),
            ("max_depth", self.max_depth),
            ("min_samples_leaf", self.min_samples_leaf),
            ("l2_regularization", float(self.l2_regularization)),
            ("early_stopping", bool(early)),
            ("validation_fraction", float(self.validation_fraction)),
            ("n_iter_no_change", self.n_iter_no_change),
            ("tol", float(self.tol)),
            ("seed", seed_of(self.random_state)),
        ]

    def _categorical_extra(self):
        """Categorical columns: the table's text columns, then what ``categorical_features``
        names (indices, a boolean mask, or column names)."""
        columns = set(getattr(self, "_text_columns", []) or [])
        given = self.categorical_features
        if isinstance(given, str):
            if given != "from_dtype":
                raise ValueError(
                    f"categorical_features = {given!r}: must be 'from_dtype', None, indices, "
                    "a boolean mask or column names"
                )
        elif given is not None:
            given = np.asarray(given)
            if given.dtype == bool:
                if len(given) != self.n_features_in_:
                    raise ValueError(
                        f"categorical_features has {len(given)} flags for "
                        f"{self.n_features_in_} features"
                    )
                columns.update(np.flatnonzero(given).tolist())
            elif given.dtype.kind in "iu":
                for i in given.tolist():
                    if not 0 <= i < self.n_features_in_:
                        raise ValueError(
                            f"categorical_features: index {i} outside the "
                            f"{self.n_features_in_} features"
                        )
                columns.update(given.tolist())
            else:
                names = list(getattr(self, "feature_names_in_", []))
                for name in given.tolist():
                    if name not in names:
                        raise ValueError(f"categorical_features: no feature named {name!r}")
                    columns.add(names.index(name))
        return [("categorical_features", sorted(columns))] if columns else []

    def _after_fit(self, X):
        self.feature_importances_ = np.asarray(self._model.feature_importances)
        learned = self._model.learned()
        self.n_iter_ = int(learned["n_iter"])
        self.train_score_ = -np.asarray(learned["train_loss"])
        self.validation_score_ = -np.asarray(learned["validation_loss"])


class HistGradientBoostingClassifier(_BoostingParams, ClassifierMixin, ClassifierBase):
    """Histogram gradient boosting for classes (scikit-learn's
    ``HistGradientBoostingClassifier``: 255 bins and a missing bin, 31 leaves, 100 rounds;
    NaN is a missing value). Text columns of a Polars, pyarrow or pandas table, and the
    columns ``categorical_features`` names, are categorical features split as LightGBM does."""

    _kind = "boosting_classifier"

    def __init__(
        self, *, learning_rate=0.1, max_iter=100, max_leaf_nodes=31, max_depth=None,
        min_samples_leaf=20, l2_regularization=0.0, categorical_features="from_dtype",
        early_stopping="auto", validation_fraction=0.1, n_iter_no_change=10, tol=1e-7,
        n_jobs=None, random_state=None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.categorical_features = categorical_features
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state

    def decision_function(self, X):
        """The raw margins (two classes: one value per row)."""
        X = self._fitted_records(X)
        scores = self._model.decision_function(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores


class HistGradientBoostingRegressor(_BoostingParams, RegressorMixin, RegressorBase):
    """Histogram gradient boosting for values (scikit-learn's
    ``HistGradientBoostingRegressor``; ``loss`` is ``squared_error``, ``absolute_error`` or
    ``huber``)."""

    _kind = "boosting_regressor"

    def __init__(
        self, *, loss="squared_error", learning_rate=0.1, max_iter=100, max_leaf_nodes=31,
        max_depth=None, min_samples_leaf=20, l2_regularization=0.0,
        categorical_features="from_dtype", early_stopping="auto", validation_fraction=0.1,
        n_iter_no_change=10, tol=1e-7, n_jobs=None, random_state=None,
    ):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.categorical_features = categorical_features
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _learnkit_params(self):
        return super()._learnkit_params() + [("loss", self.loss)]


# -- unsupervised ------------------------------------------------------------------------------


class _Unsupervised(LearnkitEstimator):
    _supervised = False

    def fit(self, X, y=None):
        X, _ = self._records(X, reset=True)
        self._fit_model(X)
        self._after_fit(X)
        return self


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, _Unsupervised):
    """K-means with greedy k-means++ seeding (scikit-learn's ``KMeans``). ``inertia_`` is the
    sum of squared distances, as in scikit-learn; ``n_init="auto"`` is one run. ``algorithm``
    only changes the speed, never the clusters: ``"auto"`` (default) lets learnkit choose,
    ``"lloyd"`` is the plain loop, ``"elkan"`` or ``"hamerly"`` skip distances with bounds
    (Hamerly's). For the number of clusters, see :func:`learnkit.choose_k`."""

    _kind = "kmeans"

    def __init__(
        self, n_clusters=8, *, n_init="auto", max_iter=300, tol=1e-4, random_state=None,
        algorithm="auto",
    ):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def _learnkit_params(self):
        return [
            ("n_clusters", self.n_clusters),
            ("n_init", 1 if self.n_init == "auto" else self.n_init),
            ("max_iter", self.max_iter),
            ("tol", float(self.tol)),
            ("seed", seed_of(self.random_state)),
            ("algorithm", "hamerly" if self.algorithm == "elkan" else self.algorithm),
        ]

    def _after_fit(self, X):
        learned = self._model.learned()
        self.cluster_centers_ = learned["cluster_centers"]
        self.labels_ = np.asarray(learned["labels"], dtype=np.int32)
        self.inertia_ = float(learned["inertia"])
        self.n_iter_ = int(learned["n_iter"])
        self._n_features_out = self.cluster_centers_.shape[0]

    def predict(self, X):
        """The nearest centre of each row."""
        X = self._fitted_records(X)
        return np.asarray(self._model.predict(X), dtype=np.int32)

    def fit_predict(self, X, y=None):
        return self.fit(X).labels_

    def transform(self, X):
        """Distances from each row to each centre."""
        X = self._fitted_records(X)
        if not np.isfinite(X).all():
            raise ValueError("non-finite value (NaN or inf) in records")
        centres = self.cluster_centers_
        squared = (
            np.einsum("ij,ij->i", X, X)[:, None] - 2.0 * (X @ centres.T)
            + np.einsum("ij,ij->i", centres, centres)[None, :]
        )
        return np.sqrt(np.maximum(squared, 0.0))

    def score(self, X, y=None):
        """Minus the sum of squared distances of ``X`` to their nearest centres."""
        return -float(np.sum(np.min(self.transform(X), axis=1) ** 2))


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _Unsupervised):
    """Principal component analysis (scikit-learn's ``PCA``): ``n_components`` a count, a
    fraction of variance to keep, or ``None`` for all; ``svd_solver`` ``auto``, ``full``
    (exact) or ``randomized``."""

    _kind = "pca"

    def __init__(self, n_components=None, *, whiten=False, svd_solver="auto", random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state

    def _learnkit_params(self):
        solver = {"full": "exact", "covariance_eigh": "exact"}.get(self.svd_solver, self.svd_solver)
        n = self.n_components
        if isinstance(n, float) and n.is_integer() and n >= 1:
            n = int(n)
        return [
            ("n_components", n),
            ("whiten", self.whiten),
            ("solver", solver),
            ("seed", seed_of(self.random_state)),
        ]

    def _after_fit(self, X):
        learned = self._model.learned()
        self.components_ = learned["components"]
        self.explained_variance_ = learned["explained_variance"]
        self.explained_variance_ratio_ = learned["explained_variance_ratio"]
        self.mean_ = learned["mean"]
        self.n_components_ = self.components_.shape[0]
        self.n_samples_ = X.shape[0]
        self._n_features_out = self.n_components_

    def transform(self, X):
        """Coordinates of each row on the components."""
        X = self._fitted_records(X)
        return self._model.transform(X)

    def inverse_transform(self, X):
        """Rows rebuilt from their coordinates."""
        check_is_fitted(self)
        Z = np.ascontiguousarray(X, dtype=np.float64)
        return self._model.inverse_transform(Z)


class StandardScaler(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _Unsupervised):
    """Standardisation to zero mean and unit variance (scikit-learn's ``StandardScaler``;
    constant features are only centred)."""

    _kind = "scaler"

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def _learnkit_params(self):
        return [("with_mean", self.with_mean), ("with_std", self.with_std)]

    def _after_fit(self, X):
        learned = self._model.learned()
        self.mean_ = learned["mean"] if self.with_mean else None
        self.scale_ = learned["scale"] if self.with_std else None
        self.var_ = self.scale_**2 if self.with_std else None
        self.n_samples_seen_ = X.shape[0]
        self._n_features_out = X.shape[1]

    def get_feature_names_out(self, input_features=None):
        from sklearn.utils.validation import _check_feature_names_in

        return _check_feature_names_in(self, input_features)

    def transform(self, X):
        """Standardised rows."""
        X = self._fitted_records(X)
        return self._model.transform(X)

    def inverse_transform(self, X):
        """Rows in their original units."""
        check_is_fitted(self)
        return self._model.inverse_transform(np.ascontiguousarray(X, dtype=np.float64))


class ElbowChoice:
    """What :func:`choose_k` found: ``k`` (``None`` when the curve has no clear elbow),
    ``kmeans`` (a fitted :class:`KMeans` for ``k``, or for the silhouette's best k without an
    elbow), the curve (``ks``, ``inertia``, ``silhouette``), ``knee`` and ``reason``."""

    def __init__(self, found, kmeans):
        self.k = found["chosen_k"]
        self.ks = list(found["ks"])
        self.inertia = list(found["inertia"])
        self.silhouette = list(found["silhouette"])
        self.knee = found["knee"]
        self.best_silhouette_k = found["best_silhouette_k"]
        self.reason = found["reason"]
        self.kmeans = kmeans

    def __repr__(self):
        return f"ElbowChoice(k={self.k}, reason={self.reason!r})"


def choose_k(X, *, k_max=10, n_init=3, random_state=None, n_jobs=None):
    """The number of clusters by the elbow method: K-means for k = 1..k_max, the knee of the
    log-inertia curve (Kneedle), kept only when the silhouette confirms it.

    >>> import numpy as np, learnkit as lk
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(600, centers=4, cluster_std=0.6, random_state=0)
    >>> lk.choose_k(X).k
    4
    """
    from ._learnkit import elbow

    probe = KMeans(random_state=random_state)
    X, _ = probe._records(X, reset=True)
    found = elbow(
        [("k_max", k_max), ("n_init", n_init), ("seed", seed_of(random_state))], X, n_jobs=n_jobs
    )
    model = found["model"]
    kmeans = KMeans(n_clusters=int(model.learned()["cluster_centers"].shape[0]), n_init=n_init,
                    random_state=random_state)
    kmeans.n_features_in_ = probe.n_features_in_
    kmeans._model = model
    kmeans._after_fit(X)
    return ElbowChoice(found, kmeans)
