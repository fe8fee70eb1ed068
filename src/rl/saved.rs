//! Saved agents: a trained greedy policy, the environment it was trained on and the settings
//! that trained it, in the one model format ([`Persist`]: versioned, checksummed, validated on
//! load). A Q-table or a network's weights; acting needs no tensor library, so a DQN trained
//! with libtorch plays back anywhere.

use learnkit_envs::{Features, Space};
use serde::{Deserialize, Serialize};

use super::agent::{Agent, Transition};
use super::mlp::Architecture;
use super::tabular::{QLearning, QTable};
use crate::error::{Error, Result};
use crate::model_selection::SetParam;
use crate::persist::Persist;

/// Most parameters a saved network may hold (`MAX_MODEL_BYTES` bounds the file anyway; this
/// bounds what a crafted architecture claims before anything is allocated for it).
pub const MAX_SAVED_PARAMS: usize = 100_000_000;

/// Longest environment, algorithm or parameter text a saved agent holds.
const MAX_TEXT: usize = 4096;

/// What a saved agent acts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Policy {
    /// A Q-table: the greedy action of each state.
    Table(QTable),
    /// A Q-network: its architecture and flat parameters (layout of
    /// [`Architecture::layers`]).
    Network {
        /// Layer sizes, activation and heads.
        architecture: Architecture,
        /// The weights and biases, flat.
        parameters: Vec<f32>,
    },
}

/// A trained agent kept in a file: it acts greedily ([`Agent::act`]) and does not learn.
///
/// ```
/// use learnkit::envs::{GridWorld, MapSpec};
/// use learnkit::persist::Persist;
/// use learnkit::rl::{evaluate, train, Control, QLearning, SavedAgent, Schedule, TrainConfig};
///
/// let mut env = GridWorld::new(MapSpec::cliff_walking())?;
/// let params = QLearning::params().learning_rate(0.5).exploration(Schedule::Constant(0.1));
/// let mut agent = params.build(48, 4)?;
/// train(&mut env, &mut agent, &TrainConfig::params().episodes(500), |_, _| Ok(Control::Continue))?;
///
/// let saved = SavedAgent::tabular(&agent, &params, "cliff");
/// let mut back = SavedAgent::from_bytes(&saved.to_bytes()?, "agent.json".as_ref())?;
/// assert_eq!(evaluate(&mut env, &mut back, 1, 0, 1000)?.mean_return, -13.0);
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAgent {
    /// The environment it was trained on, as the command line names it (`taxi`, `cartpole`,
    /// `frozen4`, a map file).
    pub env: String,
    /// The algorithm that trained it (`Q-learning`, `DQN`, ...).
    pub algorithm: String,
    /// The hyper-parameters it was trained with, by name, as shown.
    pub hyperparameters: Vec<(String, String)>,
    /// What it acts with.
    pub policy: Policy,
    #[serde(skip)]
    scratch: Scratch,
}

/// Buffers for acting (features of one observation, the network's activations).
#[derive(Debug, Clone, Default)]
struct Scratch {
    space: Option<Space>,
    features: Vec<f32>,
    buffers: (Vec<f32>, Vec<f32>),
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl SavedAgent {
    /// A saved agent from any policy.
    pub fn new(
        env: impl Into<String>,
        algorithm: impl Into<String>,
        hyperparameters: Vec<(String, String)>,
        policy: Policy,
    ) -> Self {
        Self {
            env: env.into(),
            algorithm: algorithm.into(),
            hyperparameters,
            policy,
            scratch: Scratch::default(),
        }
    }

    /// The greedy policy of a tabular agent trained with `params` on `env`.
    pub fn tabular(
        agent: &QLearning,
        params: &super::QLearningParams,
        env: impl Into<String>,
    ) -> Self {
        let table = agent.table().clone();
        let algorithm = table.algorithm.label();
        Self::new(env, algorithm, params.settings(), Policy::Table(table))
    }

    /// The greedy policy of a DQN trained with `config` on `env`: its online network.
    #[cfg(feature = "tch")]
    pub fn dqn<O: Features>(
        agent: &super::dqn::Dqn<O>,
        config: &super::dqn::DqnConfig,
        env: impl Into<String>,
    ) -> Result<Self> {
        let policy = Policy::Network {
            architecture: agent.architecture().clone(),
            parameters: agent.parameters()?,
        };
        Ok(Self::new(env, "DQN", config.settings(), policy))
    }

    /// The number of actions it chooses among.
    pub fn n_actions(&self) -> usize {
        match &self.policy {
            Policy::Table(table) => table.q.ncols(),
            Policy::Network { architecture, .. } => architecture.sizes.last().copied().unwrap_or(0),
        }
    }

    /// The length of the observations' features it reads (states for a table).
    pub fn input_len(&self) -> usize {
        match &self.policy {
            Policy::Table(table) => table.q.nrows(),
            Policy::Network { architecture, .. } => architecture.sizes[0],
        }
    }

    /// The number of values it learnt (table entries or network parameters).
    pub fn n_values(&self) -> usize {
        match &self.policy {
            Policy::Table(table) => table.q.len(),
            Policy::Network { parameters, .. } => parameters.len(),
        }
    }
}

impl<O: Features> Agent<O> for SavedAgent {
    /// The greedy action (with or without `explore`: a saved agent does not explore).
    fn act(&mut self, observation: &O, _explore: bool) -> Result<usize> {
        let n = self.input_len();
        let scratch = &mut self.scratch;
        // The space the features are written for, built once.
        let space = scratch.space.get_or_insert_with(|| match &self.policy {
            Policy::Table(_) => Space::Discrete(n),
            Policy::Network { .. } => Space::Box {
                low: vec![f64::NEG_INFINITY; n],
                high: vec![f64::INFINITY; n],
            },
        });
        scratch.features.clear();
        scratch.features.resize(n, 0.0);
        observation.write_features(space, &mut scratch.features)?;
        match &self.policy {
            Policy::Table(table) => {
                // One-hot features: the state is where the 1 is.
                let state = scratch.features.iter().position(|&v| v == 1.0);
                let state = state.ok_or_else(|| {
                    Error::shape("observation", "a state of the table", "no state")
                })?;
                Ok(table.greedy(state))
            }
            Policy::Network {
                architecture,
                parameters,
            } => {
                let q = architecture.q_values_batch(
                    parameters,
                    &scratch.features,
                    1,
                    &mut scratch.buffers,
                );
                if q.is_empty() {
                    return Err(Error::invalid_model("agent: the network gave no Q-values"));
                }
                // The first of ties, as the DQN's own greedy choice.
                Ok(super::mlp::argmax(q))
            }
        }
    }

    /// Refused: a saved agent acts; training makes a new one.
    fn learn(&mut self, _transition: &Transition<'_, O>) -> Result<Option<f64>> {
        Err(Error::invalid(
            "agent",
            "a saved agent",
            "acts but does not learn; train a new agent instead",
        ))
    }

    fn epsilon(&self) -> f64 {
        0.0
    }

    fn check_env(&self, observation_space: &Space, n_actions: usize) -> Result<()> {
        let (expected_space, found_space) = match (&self.policy, observation_space) {
            (Policy::Table(_), Space::Discrete(n)) => (self.input_len(), *n),
            (Policy::Table(_), Space::Box { .. }) => {
                return Err(Error::shape(
                    "environment",
                    format!("{} discrete states (a Q-table)", self.input_len()),
                    "continuous observations",
                ))
            }
            (Policy::Network { .. }, space) => (self.input_len(), space.feature_len()),
        };
        if expected_space != found_space || self.n_actions() != n_actions {
            return Err(Error::shape(
                "environment",
                format!(
                    "observations of {expected_space} features and {} actions (the agent's \
                     environment `{}`)",
                    self.n_actions(),
                    crate::data::shown(&self.env)
                ),
                format!("{found_space} features and {n_actions} actions"),
            ));
        }
        Ok(())
    }
}

impl Persist for SavedAgent {
    const KIND: &'static str = "Agent";
    /// Saved agents first appeared in format version 3.
    const OLDEST_READABLE_VERSION: u32 = 3;

    fn validate_loaded(&self) -> Result<()> {
        let long = [&self.env, &self.algorithm]
            .into_iter()
            .chain(self.hyperparameters.iter().flat_map(|(n, v)| [n, v]))
            .any(|text| text.len() > MAX_TEXT);
        if long || self.hyperparameters.len() > 1000 {
            return Err(Error::invalid_model(format!(
                "agent: a text over {MAX_TEXT} bytes or over 1000 hyper-parameters"
            )));
        }
        match &self.policy {
            Policy::Table(table) => table.validate_loaded(),
            Policy::Network {
                architecture,
                parameters,
            } => {
                let expected =
                    architecture
                        .checked_n_params(MAX_SAVED_PARAMS)
                        .ok_or_else(|| {
                            Error::invalid_model(format!(
                                "agent: layer sizes {:?} are not a network of at most \
                         {MAX_SAVED_PARAMS} parameters",
                                &architecture.sizes[..architecture.sizes.len().min(8)]
                            ))
                        })?;
                if parameters.len() != expected {
                    return Err(Error::invalid_model(format!(
                        "agent: {} parameters for a network that has {expected}",
                        parameters.len()
                    )));
                }
                if parameters.iter().any(|v| !v.is_finite()) {
                    return Err(Error::invalid_model("agent: a non-finite network weight"));
                }
                Ok(())
            }
        }
    }
}
