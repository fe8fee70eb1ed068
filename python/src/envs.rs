//! learnkit's Gymnasium-identical environments for Python: the dynamics and the random draws
//! run in Rust (`learnkit-envs`); `learnkit/envs.py` wraps them as `gymnasium.Env` classes
//! with Gymnasium's spaces, and Gymnasium's `TimeLimit` applies each registered step limit, as
//! it does for its own environments.

use learnkit_envs::{blackjack, Acrobot, Blackjack, CartPole, Env, MountainCar, Taxi, TaxiOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// The environments, without their time limits.
enum Inner {
    CartPole(CartPole),
    MountainCar(MountainCar),
    Acrobot(Acrobot),
    Taxi(Taxi),
    Blackjack(Blackjack),
}

/// An observation: a vector of floats or a state index (Blackjack's as its three numbers).
enum Observation {
    Vector(Vec<f64>),
    Index(usize),
    Hand(usize, usize, bool),
}

impl<'py> IntoPyObject<'py> for Observation {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Observation::Vector(v) => v.into_bound_py_any(py),
            Observation::Index(i) => i.into_bound_py_any(py),
            Observation::Hand(sum, dealer, ace) => {
                (sum, dealer, usize::from(ace)).into_bound_py_any(py)
            }
        }
    }
}

/// Runs `$body` with `$e` bound to the environment inside `$inner`, converting its
/// observations with `$obs`.
macro_rules! each_env {
    ($inner:expr, $e:ident => $body:expr) => {
        match $inner {
            Inner::CartPole($e) => $body.map(|o| Observation::Vector(o.to_vec())),
            Inner::MountainCar($e) => $body.map(|o| Observation::Vector(o.to_vec())),
            Inner::Acrobot($e) => $body.map(|o| Observation::Vector(o.to_vec())),
            Inner::Taxi($e) => $body.map(Observation::Index),
            Inner::Blackjack($e) => $body.map(|s| {
                let (sum, dealer, ace) = blackjack::decode(s);
                Observation::Hand(sum, dealer, ace)
            }),
        }
    };
}

/// One of learnkit's Gymnasium environments (`CartPole-v1`, `MountainCar-v0`, `Acrobot-v1`,
/// `Taxi-v4`, `Blackjack-v1`), driven from Python.
#[pyclass(module = "learnkit._learnkit", unsendable)]
pub struct RustEnv {
    inner: Inner,
}

#[pymethods]
impl RustEnv {
    /// The environment Gymnasium registers as `name`.
    #[new]
    fn new(name: &str) -> PyResult<Self> {
        let inner = match name {
            "CartPole-v1" => Inner::CartPole(CartPole::new()),
            "MountainCar-v0" => Inner::MountainCar(MountainCar::new()),
            "Acrobot-v1" => Inner::Acrobot(Acrobot::new()),
            "Taxi-v4" => Inner::Taxi(Taxi::new(TaxiOptions::default())),
            "Blackjack-v1" => Inner::Blackjack(Blackjack::v1()),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown environment {other:?}: expected CartPole-v1, MountainCar-v0, \
                     Acrobot-v1, Taxi-v4 or Blackjack-v1"
                )))
            }
        };
        Ok(RustEnv { inner })
    }

    /// Starts an episode: `seed` re-seeds the generator as Gymnasium's `reset(seed=...)` does
    /// (NumPy's `SeedSequence` → `PCG64`); `None` continues its stream.
    #[pyo3(signature = (seed=None))]
    fn reset(&mut self, seed: Option<u64>) -> PyResult<Observation> {
        let ok: Result<_, learnkit_envs::EnvError> =
            each_env!(&mut self.inner, e => Ok::<_, learnkit_envs::EnvError>(e.reset(seed)));
        ok.map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Applies `action`: `(observation, reward, terminated, truncated)`. An action outside the
    /// action space, or a step after the episode ended, is a `ValueError`.
    fn step(&mut self, action: i64) -> PyResult<(Observation, f64, bool, bool)> {
        let action = usize::try_from(action)
            .map_err(|_| PyValueError::new_err(format!("action {action}: must be ≥ 0")))?;
        let mut outcome = (0.0, false, false);
        let observation = each_env!(&mut self.inner, e => e.step(action).map(|s| {
            outcome = (s.reward, s.terminated, s.truncated);
            s.observation
        }))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((observation, outcome.0, outcome.1, outcome.2))
    }

    /// The number of discrete actions.
    #[getter]
    fn n_actions(&self) -> usize {
        match &self.inner {
            Inner::CartPole(e) => e.n_actions(),
            Inner::MountainCar(e) => e.n_actions(),
            Inner::Acrobot(e) => e.n_actions(),
            Inner::Taxi(e) => e.n_actions(),
            Inner::Blackjack(e) => e.n_actions(),
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RustEnv>()
}
