"""Tabular RL side by side: learnkit's Q-learning on Taxi-v4 and Blackjack-v1 against a plain
NumPy Q-learning loop on Gymnasium's own environments, in the same run, and both against the
optimal policy (dynamic programming on the rules, computed by learnkit). Rewrites the tabular
table in docs/benchmarks.md.

    make bench-tabular          # ~3 minutes on 2 cores

learnkit runs as a user would: `q_learning_gridworld --env taxi|blackjack --seed S --json`, on
five seeds drawn fresh at every run (so not in the repository). The NumPy loop uses the same
settings — Taxi: 5,000 episodes, α 0.5, γ 0.99, ε from 1 to 0.01 over 3,750 episodes;
Blackjack: 2,000,000 hands, α 0.005, γ 1, ε from 1 to 0.05 over 1,000,000 hands — and is
evaluated like learnkit: the greedy policy over 1,000 Taxi episodes or 100,000 hands.
"""
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- tabular:begin -->", "<!-- tabular:end -->"
BINARY = os.path.join(ROOT, "target", "release", "examples", "q_learning_gridworld")
OUT = os.path.join(ROOT, "target", "bench-data", "tabular-reports")


def learnkit(env, seed):
    out = subprocess.run([BINARY, "--env", env, "--seed", str(seed), "--json", "--out", OUT],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def numpy_loop(env_id, episodes, alpha, gamma, eps_end, decay, n_states, encode, eval_episodes, seed):
    import gymnasium as gym
    env = gym.make(env_id)
    rng = np.random.default_rng(seed)
    q = np.zeros((n_states, env.action_space.n))
    start = time.perf_counter()
    obs, _ = env.reset(seed=seed)
    steps = 0
    for ep in range(episodes):
        eps = max(eps_end, 1.0 + (eps_end - 1.0) * ep / decay)
        s = encode(obs)
        while True:
            if rng.random() < eps:
                a = int(rng.integers(env.action_space.n))
            else:
                row = q[s]
                a = int(rng.choice(np.flatnonzero(row == row.max())))
            obs, r, term, trunc, _ = env.step(a)
            s2 = encode(obs)
            target = r if term else r + gamma * q[s2].max()
            q[s, a] += alpha * (target - q[s, a])
            steps += 1
            s = s2
            if term or trunc:
                break
        obs, _ = env.reset()
    seconds = time.perf_counter() - start
    total = 0.0
    obs, _ = env.reset(seed=seed + 1)
    for _ in range(eval_episodes):
        while True:
            obs, r, term, trunc, _ = env.step(int(np.argmax(q[encode(obs)])))
            total += r
            if term or trunc:
                break
        obs, _ = env.reset()
    return {"seconds": seconds, "steps": steps, "mean_return": total / eval_episodes}


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example",
                    "q_learning_gridworld"], cwd=ROOT, check=True)
    seeds = [int.from_bytes(os.urandom(3), "little") for _ in range(5)]
    print("seeds", seeds, file=sys.stderr)
    taxi = [learnkit("taxi", s) for s in seeds]
    blackjack = [learnkit("blackjack", s) for s in seeds]
    print("numpy taxi", file=sys.stderr)
    np_taxi = numpy_loop("Taxi-v4", 5000, 0.5, 0.99, 0.01, 3750, 500, int, 1000, seeds[0])
    print("numpy blackjack", file=sys.stderr)
    encode = lambda o: (int(o[0]) * 11 + int(o[1])) * 2 + int(o[2])  # noqa: E731
    np_bj = numpy_loop("Blackjack-v1", 2_000_000, 0.005, 1.0, 0.05, 1_000_000, 704, encode, 100_000, seeds[0])

    def cell(values, fmt):
        return ", ".join(fmt.format(v) for v in values)

    t_train = [r["train_seconds"] for r in taxi]
    b_train = [r["train_seconds"] for r in blackjack]
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} cores by "
        "`make bench-tabular` (benches/tabular.py); learnkit on five seeds drawn at the run "
        f"({', '.join(map(str, seeds))}), the NumPy loop on the first.",
        "",
        "| work | learnkit train (5 seeds) | NumPy loop on Gymnasium, train | learnkit greedy result | "
        "learnkit policy, exact (policy evaluation on the rules) | NumPy loop greedy result | optimal (dynamic programming) |",
        "|---|---|---|---|---|---|---|",
        f"| Taxi-v4, Q-learning, 5,000 episodes; greedy mean return over 1,000 episodes "
        f"| {cell(t_train, '{:.3f} s')} | {np_taxi['seconds']:.1f} s ({np_taxi['seconds'] / np.median(t_train):,.0f}× learnkit's median) "
        f"| {cell([r['eval_mean_return'] for r in taxi], '{:.3f}')} "
        f"| {cell([r['policy_expected_return'] for r in taxi], '{:.3f}')} "
        f"| {np_taxi['mean_return']:.3f} | {taxi[0]['optimal_expected_return']:.3f} |",
        f"| Blackjack-v1, Q-learning, 2,000,000 hands; greedy mean over 100,000 hands "
        f"| {cell(b_train, '{:.2f} s')} | {np_bj['seconds']:.1f} s ({np_bj['seconds'] / np.median(b_train):,.0f}× learnkit's median) "
        f"| {cell([r['eval_mean_return'] for r in blackjack], '{:.4f}')} "
        f"| {cell([r['policy_expected_return'] for r in blackjack], '{:.4f}')} "
        f"(gap to optimal {cell([r['gap_to_optimal'] for r in blackjack], '{:.4f}')}) "
        f"| {np_bj['mean_return']:.4f} | {blackjack[0]['optimal_expected_return']:.4f} |",
    ]
    table = "\n".join(lines)
    print(table)
    doc = open(DOC).read()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = f"{head}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}"
    else:
        doc += f"\n## Tabular RL: Taxi and Blackjack\n\n{BEGIN}\n{table}\n{END}\n"
    open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
