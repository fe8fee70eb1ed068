"""learnkit's DQN from Python (built with the `dqn` feature where torch is installed)."""

import gymnasium as gym
import numpy as np
import pytest

# Imported first, as a user's program would: torch then runs autograd through its Python
# engine, which refuses work from a thread holding the GIL (learnkit releases it).
torch = pytest.importorskip("torch")

import learnkit  # noqa: E402
from learnkit import _learnkit  # noqa: E402
from learnkit.rl import DQN  # noqa: E402

pytestmark = pytest.mark.skipif(not _learnkit.HAS_DQN, reason="built without the dqn feature")


def test_dqn_trains_acts_and_evaluates_on_cartpole():
    agent = DQN("learnkit/CartPole-v1", steps=6_000, seed=1)
    returns, lengths = agent.learn(max_env_steps=6_000, stop_when_solved=False)
    assert len(returns) == len(lengths) > 10 and lengths.sum() <= 6_000 + 500
    # The greedy policy beats a random one (≈ 22 on CartPole) after a few thousand steps.
    assert agent.evaluate(episodes=20, seed=5).mean() > 40
    env = gym.make("learnkit/CartPole-v1")
    obs, _ = env.reset(seed=0)
    assert agent.act(obs) in (0, 1)


def test_dqn_same_seed_same_returns_and_bad_settings():
    a = DQN("CartPole-v1", steps=2_000, seed=3)
    b = DQN("CartPole-v1", steps=2_000, seed=3)
    np.testing.assert_array_equal(a.learn(2_000, False)[0], b.learn(2_000, False)[0])
    with pytest.raises(ValueError, match="unknown environment"):
        DQN("Taxi-v4")
    with pytest.raises(ValueError, match="learning_rate"):
        DQN("CartPole-v1", learning_rate=-1.0).learn(100)
    with pytest.raises(ValueError, match="observation"):
        a.act([0.0, 1.0])
