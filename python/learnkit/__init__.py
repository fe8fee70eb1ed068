"""learnkit: classical machine learning and reinforcement learning in Rust, with scikit-learn
and Gymnasium compatible APIs.

Estimators are named and behave as scikit-learn's (``fit``/``predict``/``predict_proba``/
``transform``/``score``, ``get_params``/``set_params``, learned attributes with a trailing
underscore) and pass ``sklearn.utils.estimator_checks``; environments are Gymnasium
environments registered as ``learnkit/<Name>`` when Gymnasium is installed.
"""

try:
    from . import _learnkit
except ImportError as error:  # pragma: no cover - depends on the build
    # A build with the DQN links the libtorch of the `torch` package: importing torch loads it.
    if "libtorch" not in str(error) and "libc10" not in str(error):
        raise
    import torch  # noqa: F401

    from . import _learnkit

from ._estimators import (
    PCA,
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ElbowChoice,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    KMeans,
    LinearRegression,
    LogisticRegression,
    RandomForestClassifier,
    RandomForestRegressor,
    Ridge,
    StandardScaler,
    choose_k,
)
from . import _estimators, rl
from ._learnkit import __version__

__all__ = [*_estimators.__all__, "rl", "__version__"]

from .envs import register_envs as _register_envs

_register_envs()
