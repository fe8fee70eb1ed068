"""learnkit's environments through Gymnasium: its checker, and Gymnasium's own episodes."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import learnkit  # noqa: F401 - registers the environments
from learnkit.envs import ENVIRONMENTS

NAMES = sorted(ENVIRONMENTS)


@pytest.mark.parametrize("name", NAMES)
def test_check_env_passes(name):
    env = gym.make(f"learnkit/{name}")
    check_env(env.unwrapped)
    assert env.spec.max_episode_steps == gym.spec(name).max_episode_steps


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_episode_as_gymnasium(name):
    ours, theirs = gym.make(f"learnkit/{name}"), gym.make(name)
    for seed in (0, 7, 123):
        a, _ = ours.reset(seed=seed)
        b, _ = theirs.reset(seed=seed)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        actions = np.random.default_rng(seed)
        while True:
            action = int(actions.integers(ours.action_space.n))
            mine, reference = ours.step(action), theirs.step(action)
            np.testing.assert_array_equal(np.asarray(mine[0]), np.asarray(reference[0]))
            assert mine[1:4] == reference[1:4]
            if mine[2] or mine[3]:
                break
        # An unseeded reset continues the stream, as Gymnasium's does.
        a, _ = ours.reset()
        b, _ = theirs.reset()
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_vector_environment():
    envs = gym.make_vec("learnkit/CartPole-v1", num_envs=4, vectorization_mode="sync")
    assert isinstance(envs, gym.vector.VectorEnv)
    obs, _ = envs.reset(seed=1)
    assert obs.shape == (4, 4) and obs.dtype == np.float32
    for _ in range(600):
        obs, reward, terminated, truncated, _ = envs.step(envs.action_space.sample())
    assert reward.shape == (4,)


def test_bad_actions_are_errors():
    env = gym.make("learnkit/CartPole-v1").unwrapped
    env.reset(seed=0)
    for action in (2, -1, np.array([0, 1])):
        with pytest.raises(ValueError):
            env.step(action)
