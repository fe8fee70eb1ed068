"""Tabular reinforcement learning from Python, trained in Rust.

``QLearning`` learns a table ``Q[state, action]`` on one of learnkit's discrete environments
(``Taxi-v4`` and ``Blackjack-v1``, Gymnasium-identical; ``FrozenLake-v1``, ``FrozenLake8x8-v1``
and ``CliffWalking-v1``, learnkit's gridworlds with Gymnasium's maps and rules). The whole loop
— act ε-greedily, step, update — runs in Rust without the GIL, so a million Taxi steps take
about a second, not the minutes a Python loop over ``gymnasium`` takes::

    from learnkit.rl import QLearning

    agent = QLearning("Taxi-v4", seed=0)
    returns, lengths = agent.learn(episodes=5000)
    print(sum(agent.evaluate(episodes=100)) / 100)   # ≈ 8: Taxi's optimum is 8.46

The learnt greedy policy also drives the Gymnasium environment (``learnkit/Taxi-v4`` or
Gymnasium's own ``Taxi-v4``): ``action = agent.act(observation)``.
"""

from __future__ import annotations

import numpy as np

from . import _learnkit

__all__ = ["QLearning", "DQN"]


class QLearning:
    """A tabular agent: Q-learning (default), ``"sarsa"``, ``"expected-sarsa"`` or
    ``"double-q"``, with step size ``learning_rate``, discount ``gamma`` and ε falling linearly
    from ``epsilon_start`` to ``epsilon_end`` over ``epsilon_episodes`` episodes; ``seed``
    fixes exploration and the environment's stream (same seed, same table)."""

    def __init__(
        self, env: str = "Taxi-v4", *, algorithm: str = "q-learning", learning_rate: float = 0.1,
        gamma: float = 0.99, epsilon_start: float = 1.0, epsilon_end: float = 0.05,
        epsilon_episodes: int = 1000, seed: int = 0,
    ):
        self.env = env.removeprefix("learnkit/")
        self._agent = _learnkit.TabularAgent(
            self.env, algorithm, learning_rate, gamma, epsilon_start, epsilon_end,
            epsilon_episodes, seed,
        )

    def learn(self, episodes: int, max_env_steps: int | None = None):
        """Trains ``episodes`` more episodes; returns each one's return and length (arrays)."""
        returns, lengths = self._agent.learn(episodes, max_env_steps)
        return np.asarray(returns), np.asarray(lengths)

    def evaluate(self, episodes: int = 100, seed: int = 0) -> np.ndarray:
        """Returns of ``episodes`` greedy episodes, the first reset seeded with ``seed``."""
        return np.asarray(self._agent.evaluate(episodes, seed))

    def act(self, state) -> int:
        """The greedy action in ``state`` (an index; Blackjack's ``(sum, dealer, ace)`` too)."""
        if isinstance(state, tuple):
            total, dealer, ace = state
            state = (int(total) * 11 + int(dealer)) * 2 + int(ace)
        return int(self._agent.act(int(state)))

    @property
    def q_table_(self) -> np.ndarray:
        """The learnt ``Q[state, action]``."""
        return self._agent.q_table


class DQN:
    """learnkit's DQN (3-step Double DQN, a hard target update, the best network the solved
    checks saw) on ``CartPole-v1``, ``Acrobot-v1`` or ``MountainCar-v0``, with the settings
    learnkit tunes for each (``learnkit::rl::presets``) for a budget of ``steps`` environment
    steps; ``settings`` override them by learnkit's names (``learning_rate``, ``hidden``,
    ``batch_size``, ``n_step``, ``dueling``, ...). Needs a build with the ``dqn`` feature (where
    ``torch`` is installed: ``make test`` builds one).

    ``learn`` stops once the greedy policy reaches the environment's threshold on 100 fresh
    episodes (475 on CartPole) unless ``stop_when_solved=False``.
    """

    def __init__(self, env: str = "CartPole-v1", *, steps: int = 100_000, seed: int = 0, **settings):
        if not getattr(_learnkit, "HAS_DQN", False):
            raise ImportError(
                "this build of learnkit has no DQN: build the package with the `dqn` feature "
                "where torch is installed (scripts/python.sh test does)"
            )
        self.env = env.removeprefix("learnkit/")
        self._agent = _learnkit.DqnAgent(self.env, steps, seed, list(settings.items()))

    def learn(self, max_env_steps: int = 100_000, stop_when_solved: bool = True):
        """Trains; returns each episode's return and length (arrays)."""
        returns, lengths = self._agent.learn(max_env_steps, stop_when_solved)
        return np.asarray(returns), np.asarray(lengths)

    def evaluate(self, episodes: int = 100, seed: int = 0) -> np.ndarray:
        """Returns of ``episodes`` greedy episodes, the first reset seeded with ``seed``."""
        return np.asarray(self._agent.evaluate(episodes, seed))

    def act(self, observation) -> int:
        """The greedy action for an observation of the environment."""
        return int(self._agent.act([float(v) for v in np.asarray(observation).ravel()]))
