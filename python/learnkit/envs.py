"""learnkit's environments as Gymnasium environments.

``import learnkit`` registers ``learnkit/CartPole-v1``, ``learnkit/MountainCar-v0``,
``learnkit/Acrobot-v1``, ``learnkit/Taxi-v4`` and ``learnkit/Blackjack-v1`` with Gymnasium (when
it is installed), with the step limits and reward thresholds Gymnasium registers for its own::

    import gymnasium as gym
    import learnkit  # noqa: F401  (registers the environments)

    env = gym.make("learnkit/CartPole-v1")
    obs, info = env.reset(seed=42)   # the observation Gymnasium's CartPole-v1 gives for seed 42

(``gym.make("learnkit:learnkit/CartPole-v1")`` imports learnkit itself; Gymnasium 1.x no longer
loads environments from package entry points.) The dynamics and the random draws run in Rust and
follow Gymnasium's bit for bit: the same seed and actions give the same episode. The spaces are
Gymnasium's own. For many copies at once, ``gym.make_vec("learnkit/CartPole-v1", num_envs=8)``.
"""

from __future__ import annotations

import numpy as np

from . import _learnkit

try:
    import gymnasium as gym
    from gymnasium import spaces
except ImportError:  # pragma: no cover - Gymnasium is optional
    gym = None

__all__ = ["ENVIRONMENTS", "LearnkitEnv", "register_envs"]

# id (without the namespace) -> (max_episode_steps, reward_threshold)
ENVIRONMENTS = {
    "CartPole-v1": (500, 475.0),
    "MountainCar-v0": (200, -110.0),
    "Acrobot-v1": (500, -100.0),
    "Taxi-v4": (200, 8.0),
    "Blackjack-v1": (None, None),
}


def _spaces(name):
    """Gymnasium's observation and action spaces of ``name``."""
    f32 = np.float32
    if name == "CartPole-v1":
        # x, ẋ, θ, θ̇: bounds at twice the termination thresholds (2.4 m, 12°).
        high = np.array([2.4 * 2, np.finfo(f32).max, 12 * 2 * np.pi / 360 * 2, np.finfo(f32).max], dtype=f32)
        return spaces.Box(-high, high, dtype=f32), spaces.Discrete(2)
    if name == "MountainCar-v0":
        low = np.array([-1.2, -0.07], dtype=f32)
        high = np.array([0.6, 0.07], dtype=f32)
        return spaces.Box(low, high, dtype=f32), spaces.Discrete(3)
    if name == "Acrobot-v1":
        high = np.array([1.0, 1.0, 1.0, 1.0, 4 * np.pi, 9 * np.pi], dtype=f32)
        return spaces.Box(-high, high, dtype=f32), spaces.Discrete(3)
    if name == "Taxi-v4":
        return spaces.Discrete(500), spaces.Discrete(6)
    if name == "Blackjack-v1":
        return spaces.Tuple((spaces.Discrete(32), spaces.Discrete(11), spaces.Discrete(2))), spaces.Discrete(2)
    raise ValueError(f"unknown environment {name!r}: expected one of {sorted(ENVIRONMENTS)}")


if gym is not None:

    class LearnkitEnv(gym.Env):
        """A learnkit environment behind Gymnasium's ``Env`` interface."""

        metadata = {"render_modes": []}

        def __init__(self, name: str = "CartPole-v1", render_mode=None):
            if render_mode is not None:
                raise ValueError(f"render_mode = {render_mode!r}: learnkit environments do not render")
            self.name = name
            self.observation_space, self.action_space = _spaces(name)
            self._env = _learnkit.RustEnv(name)
            self._seeded = False

        def _observation(self, raw):
            if isinstance(self.observation_space, spaces.Box):
                return np.asarray(raw, dtype=np.float32)
            if isinstance(raw, tuple):
                return tuple(int(v) for v in raw)
            return int(raw)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            if seed is None and not self._seeded:
                # Gymnasium seeds an unseeded environment from fresh entropy; so do we.
                seed = int(self.np_random.integers(2**63 - 1))
            if seed is not None:
                self._seeded = True
            return self._observation(self._env.reset(seed)), {}

        def step(self, action):
            if isinstance(action, np.ndarray):
                if action.shape != ():
                    raise ValueError(f"action {action!r}: must be one integer")
                action = action.item()
            if not self.action_space.contains(action):
                raise ValueError(f"action {action!r}: must lie in {self.action_space}")
            obs, reward, terminated, truncated = self._env.step(int(action))
            return self._observation(obs), float(reward), bool(terminated), bool(truncated), {}

else:  # pragma: no cover

    class LearnkitEnv:  # type: ignore[no-redef]
        """Needs Gymnasium: ``pip install gymnasium``."""

        def __init__(self, *args, **kwargs):
            raise ImportError("learnkit environments need gymnasium: pip install gymnasium")


def register_envs():
    """Registers every learnkit environment with Gymnasium as ``learnkit/<id>`` (idempotent)."""
    if gym is None:
        return
    for name, (steps, threshold) in ENVIRONMENTS.items():
        env_id = f"learnkit/{name}"
        if env_id in gym.registry:
            continue
        gym.register(
            id=env_id,
            entry_point="learnkit.envs:LearnkitEnv",
            kwargs={"name": name},
            max_episode_steps=steps,
            reward_threshold=threshold,
        )
