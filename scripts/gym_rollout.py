"""Prints Gymnasium's rollout of an action sequence in the same JSON lines as learnkit's
`env_rollout` example, so the two can be diffed:

    python3 scripts/gym_rollout.py --env acrobot --seed 7 --actions actions.txt > gym.jsonl
    target/release/examples/env_rollout --env acrobot --seed 7 --actions actions.txt > lk.jsonl
    diff gym.jsonl lk.jsonl

Needs gymnasium==1.4.0 (`make bench` installs it into .venv).
"""
import argparse
import json

import gymnasium as gym
import numpy as np

IDS = {"cartpole": "CartPole-v1", "mountaincar": "MountainCar-v0", "acrobot": "Acrobot-v1",
       "taxi": "Taxi-v4", "blackjack": "Blackjack-v1", "pendulum": "Pendulum-v1",
       "mountaincar-continuous": "MountainCarContinuous-v0"}
CONTINUOUS = ("pendulum", "mountaincar-continuous")

p = argparse.ArgumentParser()
p.add_argument("--env", required=True, choices=IDS)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--actions", required=True)
p.add_argument("--rainy", action="store_true")
p.add_argument("--fickle-passenger", action="store_true")
p.add_argument("--natural", action="store_true")
a = p.parse_args()
kwargs = {}
if a.env == "taxi":
    kwargs = {"is_rainy": a.rainy, "fickle_passenger": a.fickle_passenger}
if a.env == "blackjack" and a.natural:
    kwargs = {"sab": False, "natural": True}
env = gym.make(IDS[a.env], **kwargs)


def obs_json(o):
    if a.env == "blackjack":
        return (int(o[0]) * 11 + int(o[1])) * 2 + int(o[2])
    if a.env == "taxi":
        return int(o)
    return [float(v) for v in np.asarray(o, dtype=np.float32)]


actions = []
for line in open(a.actions):
    text = line.split("#")[0].strip()
    if text:
        actions.append(np.array([float(text)], dtype=np.float32) if a.env in CONTINUOUS
                       else int(text))
obs, _ = env.reset(seed=a.seed)
print(json.dumps({"step": 0, "observation": obs_json(obs)}, separators=(",", ":"), sort_keys=True))
t = 0
for i, act in enumerate(actions):
    obs, r, term, trunc, _ = env.step(act)
    t += 1
    shown = [float(act[0])] if a.env in CONTINUOUS else act
    print(json.dumps({"step": t, "action": shown, "observation": obs_json(obs), "reward": float(r),
                      "terminated": bool(term), "truncated": bool(trunc)}, separators=(",", ":"), sort_keys=True))
    if (term or trunc) and i + 1 < len(actions):
        t = 0
        obs, _ = env.reset()
        print(json.dumps({"step": 0, "observation": obs_json(obs)}, separators=(",", ":"), sort_keys=True))
