"""Tabular agents trained from Python, and the elbow method."""

import gymnasium as gym
import numpy as np
import pytest
from sklearn.datasets import make_blobs

import learnkit as lk
from learnkit.rl import QLearning


def test_q_learning_solves_taxi_and_drives_the_gymnasium_env():
    agent = QLearning("Taxi-v4", seed=0, epsilon_episodes=2000)
    returns, lengths = agent.learn(episodes=4000)
    assert returns.shape == lengths.shape == (4000,)
    # Taxi's optimal mean return is 8.46 (Gymnasium's threshold is 8).
    assert agent.evaluate(episodes=200).mean() > 7.5
    env = gym.make("learnkit/Taxi-v4")
    obs, _ = env.reset(seed=3)
    total = 0.0
    while True:
        obs, reward, terminated, truncated, _ = env.step(agent.act(obs))
        total += reward
        if terminated or truncated:
            break
    assert terminated and total > 0
    assert agent.q_table_.shape == (500, 6)


def test_same_seed_same_table():
    a, b = QLearning("FrozenLake-v1", seed=4), QLearning("FrozenLake-v1", seed=4)
    a.learn(300)
    b.learn(300)
    np.testing.assert_array_equal(a.q_table_, b.q_table_)


def test_blackjack_states_as_gymnasium_spells_them():
    agent = QLearning("learnkit/Blackjack-v1", algorithm="expected-sarsa", seed=1)
    agent.learn(2000)
    assert agent.act((20, 10, 0)) == 0  # stick on 20


def test_bad_agent_settings_are_errors():
    with pytest.raises(ValueError, match="unknown environment"):
        QLearning("CartPole-v1")
    with pytest.raises(ValueError, match="learning_rate"):
        QLearning("Taxi-v4", learning_rate=0.0)
    with pytest.raises(ValueError, match="algorithm"):
        QLearning("Taxi-v4", algorithm="nonsense")
    with pytest.raises(ValueError, match="episodes"):
        QLearning("Taxi-v4").learn(0)
    with pytest.raises(ValueError, match="state"):
        QLearning("Taxi-v4").act(10_000)


def test_choose_k_finds_the_blobs():
    X, _ = make_blobs(800, centers=4, cluster_std=0.6, random_state=0)
    choice = lk.choose_k(X, random_state=0)
    assert choice.k == 4, choice.reason
    assert choice.kmeans.cluster_centers_.shape == (4, 2)
    assert choice.kmeans.predict(X).shape == (800,)
    assert len(choice.inertia) == 10
