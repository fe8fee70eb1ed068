use learnkit_envs::Space;

use crate::error::Result;

/// One step of experience, as the training loop hands it to [`Agent::learn`].
#[derive(Debug, Clone, PartialEq)]
pub struct Transition<'a, O> {
    /// The observation the action was chosen from.
    pub observation: &'a O,
    /// The action taken.
    pub action: usize,
    /// The reward received.
    pub reward: f64,
    /// The observation after the action.
    pub next_observation: &'a O,
    /// The action the behaviour policy chose for `next_observation` (SARSA learns from it);
    /// `None` when the episode ended.
    pub next_action: Option<usize>,
    /// The episode reached a terminal state: no bootstrapping from `next_observation`.
    pub terminated: bool,
    /// A time limit cut the episode: the value of `next_observation` still counts.
    pub truncated: bool,
    /// Which copy of a vector environment produced it (0 for a single environment): agents
    /// that look at consecutive transitions (n-step returns) keep the copies apart.
    pub env: usize,
}

/// An agent that acts in an environment with observations of type `O` and discrete actions.
///
/// The training loop calls, for every step: [`Agent::act`] (exploring) for the first action,
/// then after each environment step [`Agent::act`] for the next observation (if the episode
/// goes on) and [`Agent::learn`] with the transition, and [`Agent::end_episode`] at the end of
/// each episode.
pub trait Agent<O> {
    /// Chooses an action: with `explore`, the behaviour policy (e.g. ε-greedy); without, the
    /// greedy policy. An observation the agent cannot read (a state past its table, a vector of
    /// another length) is an error.
    fn act(&mut self, observation: &O, explore: bool) -> Result<usize>;

    /// Chooses one action per observation, as [`Agent::act`] would one after the other (same
    /// random draws, same order), for vectorised collection. Agents with a network override it
    /// to evaluate the observations as one batch.
    fn act_batch(&mut self, observations: &[O], explore: bool) -> Result<Vec<usize>> {
        observations.iter().map(|o| self.act(o, explore)).collect()
    }

    /// Learns from one transition; returns the training loss when the agent has one.
    fn learn(&mut self, transition: &Transition<'_, O>) -> Result<Option<f64>>;

    /// Called after each training episode (exploration schedules advance here).
    fn end_episode(&mut self) {}

    /// The current exploration rate, for logs.
    fn epsilon(&self) -> f64;

    /// A copy of what decides the greedy policy (network weights, Q-table), so that a caller
    /// can keep the best policy it has evaluated ([`crate::rl::SolveCheck`] does); `None`
    /// (the default) when the agent does not support it.
    fn snapshot(&self) -> Result<Option<Vec<f64>>> {
        Ok(None)
    }

    /// Restores a [`Agent::snapshot`] of this agent. The default refuses: agents without
    /// snapshots have none to restore.
    fn restore(&mut self, snapshot: &[f64]) -> Result<()> {
        Err(crate::error::Error::shape(
            "policy snapshot",
            "an agent that takes snapshots",
            format!("{} values", snapshot.len()),
        ))
    }

    /// Fails unless the agent can act in an environment with this observation space and
    /// number of actions. [`crate::rl::train`] and [`crate::rl::evaluate`] call it before the
    /// first step, so a mismatch (a Q-table for 16 states on a 64-state map) is an error
    /// naming both sizes, never an out-of-bounds panic mid-episode. The default accepts all.
    fn check_env(&self, observation_space: &Space, n_actions: usize) -> Result<()> {
        let _ = (observation_space, n_actions);
        Ok(())
    }
}
