"""DQN side by side: learnkit against Stable-Baselines3 (RL Zoo settings) and CleanRL's dqn.py
algorithm on CartPole-v1, on this machine, in one run; plus learnkit's seed distributions on
fresh seeds, its options (one-step targets, dueling heads, 4 copies), Acrobot-v1 and
MountainCar-v0. Rewrites the DQN table in docs/benchmarks.md and draws the time to solve per
seed as a strip plot (docs/img/dqn_time_to_solve.png).

    make bench-dqn            # (part of `make bench`), ~25 minutes

One rule decides "solved" for every tool: whenever a training episode returns ≥ 475 (and at
least 5 episodes have passed since the last check), the greedy policy is evaluated on 100
episodes; the first evaluation averaging ≥ 475 solves the task and training stops (learnkit
also confirms it on 100 more fresh episodes, inside its clock). "Time to solve" is the training
wall time until then. learnkit's clock *includes* its evaluations; the peers' clocks *exclude*
theirs (their per-step Python inference would otherwise dominate), which favours the peers. A
final greedy evaluation on 100 fresh episodes is reported for each.
* learnkit: `dqn_cartpole --json` with its defaults (at most 100k steps), on seeds 1-20 and on
  10 seeds drawn at random at every run (so not in the repository).
* Stable-Baselines3 2.x with RL Zoo's CartPole-v1 hyper-parameters (at most their 50k steps).
* CleanRL's dqn.py — re-typed below from its published algorithm and defaults, since the
  `cleanrl` package cannot be installed on Python 3.11 (at most its 500k steps).
Torch runs with one thread for the peers, as for learnkit (the small MLPs gain nothing from two).
"""
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import date

import gymnasium as gym
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- dqn:begin -->", "<!-- dqn:end -->"
torch.set_num_threads(1)


def greedy_eval(policy, episodes=100, seed=10_000):
    env = gym.make("CartPole-v1")
    returns = []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            obs, r, term, trunc, _ = env.step(policy(obs))
            total += r
            done = term or trunc
        returns.append(total)
    return float(np.mean(returns))


class SolveCheck:
    """The shared stopping rule; its evaluations do not count towards the peer's clock."""

    def __init__(self, policy, seed):
        self.policy, self.seed = policy, seed
        self.start, self.paused, self.last, self.episodes, self.solved_at = time.perf_counter(), 0.0, -10, 0, None

    def episode_end(self, episode_return):
        self.episodes += 1
        if self.solved_at is not None or episode_return < 475 or self.episodes < self.last + 5:
            return False
        self.last = self.episodes
        t0 = time.perf_counter()
        score = greedy_eval(self.policy, seed=20_000 + 1000 * self.seed + self.episodes)
        self.paused += time.perf_counter() - t0
        if score >= 475:
            self.solved_at = self.elapsed()
            return True
        return False

    def elapsed(self):
        return time.perf_counter() - self.start - self.paused


def run_learnkit(seed, env="cartpole", flags=()):
    exe = os.path.join(ROOT, "target", "release", "examples", "dqn_cartpole")
    out = subprocess.run([exe, "--env", env, "--seed", str(seed), "--json", "--out",
                          os.path.join(ROOT, "target", "bench-dqn"), *flags],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out.strip().splitlines()[-1])
    return {"solve": d["seconds_to_solve"], "total": d["train_seconds"], "eval": d["eval_mean_return"],
            "steps": d["env_steps"], "seed": seed}


def run_sb3(seed):
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    class Solved(BaseCallback):
        def __init__(self, check):
            super().__init__()
            self.check, self.current = check, 0.0

        def _on_step(self):
            self.current += float(self.locals["rewards"][0])
            if self.locals["dones"][0]:
                done, self.current = self.check.episode_end(self.current), 0.0
                return not done
            return True

    env = gym.make("CartPole-v1")
    model = DQN("MlpPolicy", env, learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000,
                gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]), seed=seed, device="cpu", verbose=0)
    policy = lambda o: int(model.predict(o, deterministic=True)[0])  # noqa: E731
    check = SolveCheck(policy, seed)
    model.learn(total_timesteps=50_000, callback=Solved(check))
    total = check.elapsed()
    score = greedy_eval(policy)
    return {"solve": check.solved_at, "total": total, "eval": score, "steps": model.num_timesteps}


class QNetwork(torch.nn.Module):
    def __init__(self, n_obs, n_actions):
        super().__init__()
        self.network = torch.nn.Sequential(torch.nn.Linear(n_obs, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84),
                                           torch.nn.ReLU(), torch.nn.Linear(84, n_actions))

    def forward(self, x):
        return self.network(x)


def run_cleanrl(seed, total_timesteps=500_000):
    """CleanRL dqn.py: Adam 2.5e-4, buffer 10k, gamma 0.99, hard target update every 500 steps
    (tau 1), batch 128, epsilon 1 -> 0.05 over 50% of training, learning starts 10k, train every
    10 steps, MLP 120-84, MSE loss; bootstraps through truncation."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    env = gym.make("CartPole-v1")
    q = QNetwork(4, 2)
    target = QNetwork(4, 2)
    target.load_state_dict(q.state_dict())
    optimizer = torch.optim.Adam(q.parameters(), lr=2.5e-4)
    size, buf_o, buf_a, buf_r, buf_n, buf_d, ptr, full = 10_000, np.zeros((10_000, 4), np.float32), np.zeros(10_000, np.int64), np.zeros(10_000, np.float32), np.zeros((10_000, 4), np.float32), np.zeros(10_000, np.float32), 0, False
    current = 0.0
    obs, _ = env.reset(seed=seed)

    def policy(o):
        with torch.no_grad():
            return int(torch.argmax(q(torch.tensor(o).unsqueeze(0)), dim=1).item())

    check = SolveCheck(policy, seed)
    for step in range(total_timesteps):
        eps = max(0.05, 1.0 + (0.05 - 1.0) * step / (0.5 * total_timesteps))
        if random.random() < eps:
            action = env.action_space.sample()
        else:
            with torch.no_grad():
                action = int(torch.argmax(q(torch.tensor(obs).unsqueeze(0)), dim=1).item())
        nxt, r, term, trunc, _ = env.step(action)
        current += r
        buf_o[ptr], buf_a[ptr], buf_r[ptr], buf_n[ptr], buf_d[ptr] = obs, action, r, nxt, float(term)
        ptr = (ptr + 1) % size
        full = full or ptr == 0
        obs = nxt
        if term or trunc:
            done, current = check.episode_end(current), 0.0
            obs, _ = env.reset()
            if done:
                break
        if step > 10_000 and step % 10 == 0:
            idx = np.random.randint(0, size if full else ptr, 128)
            with torch.no_grad():
                target_max = target(torch.from_numpy(buf_n[idx])).max(dim=1).values
                td = torch.from_numpy(buf_r[idx]) + 0.99 * target_max * (1 - torch.from_numpy(buf_d[idx]))
            old = q(torch.from_numpy(buf_o[idx])).gather(1, torch.from_numpy(buf_a[idx]).unsqueeze(1)).squeeze()
            loss = torch.nn.functional.mse_loss(td, old)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if step % 500 == 0:
            target.load_state_dict(q.state_dict())
    total = check.elapsed()
    score = greedy_eval(policy)
    return {"solve": check.solved_at, "total": total, "eval": score, "steps": step + 1}


def fmt(v):
    return "not reached" if v is None else f"{v:.1f} s"


def spread(results):
    """Median and worst time to solve, or how many seeds did not solve."""
    solves = sorted(r["solve"] for r in results if r["solve"] is not None)
    if not solves:
        return "no seed solved"
    text = f"median {solves[len(solves) // 2]:.1f} s, worst {solves[-1]:.1f} s"
    missed = len(results) - len(solves)
    return text + (f", {missed} of {len(results)} seeds not solved" if missed else f", all {len(results)} seeds solved")


# The DQN options measured on CartPole seeds 1-20 against the defaults (docs/dqn.md): one-step
# targets without Double DQN (the defaults before the seed study), dueling heads, 4 copies,
# prioritised replay.
OPTIONS = [("--n-step", "1", "--no-double"), ("--dueling",), ("--n-envs", "4"), ("--prioritized",)]


def strip_plot(path, cartpole, others):
    """Time to solve per seed, one row per tool or option; seeds that did not solve are drawn as
    crosses at the right edge."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = max(len(cartpole), len(others))
    fig, axes = plt.subplots(1, 2, figsize=(14, 0.55 * rows + 2.4), gridspec_kw={"width_ratios": [3, 2]})
    jitter = random.Random(0)
    for ax, groups, title in ((axes[0], cartpole, "CartPole-v1 (solved: greedy mean ≥ 475)"),
                              (axes[1], others, "Acrobot-v1 (≥ −100) and\nMountainCar-v0 (≥ −110)")):
        times = [r["solve"] for _, rs in groups for r in rs if r["solve"] is not None] or [1.0]
        right = max(times) * 1.6
        for row, (label, results) in enumerate(groups):
            y = rows - 1 - row
            solved = [r["solve"] for r in results if r["solve"] is not None]
            missed = len(results) - len(solved)
            ax.scatter(solved, [y + jitter.uniform(-0.18, 0.18) for _ in solved], s=22, alpha=0.75,
                       color="tab:blue" if label.startswith("learnkit") else "tab:orange")
            if solved:
                med = sorted(solved)[len(solved) // 2]
                ax.plot([med, med], [y - 0.32, y + 0.32], color="black", linewidth=2)
            if missed:
                ax.scatter([right / 1.15] * missed, [y + 0.1 * k for k in range(missed)], marker="x",
                           color="red", s=40)
        ax.set_yticks([rows - 1 - row for row in range(len(groups))])
        ax.set_yticklabels([label for label, _ in groups], fontsize=9)
        # The same row spacing in both panels.
        ax.set_ylim(-0.6, rows - 0.4)
        ax.set_xscale("log")
        left = min(times) / 1.5
        ax.set_xlim(left=left, right=right)
        ax.set_xticks([t for t in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if left <= t <= right])
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("wall seconds to solve (log scale)")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", which="both", alpha=0.3)
    fig.suptitle("DQN time to solve, one dot per seed (blue: learnkit, orange: peers; bar: median; red cross: not "
                 "solved, i.e. no passing check within the step budget or a final evaluation on 100 fresh "
                 "episodes below the threshold)", fontsize=10, wrap=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    seeds = list(range(1, 21))
    peer_seeds = [1] if "--quick-peers" in sys.argv else [1, 2, 3, 4, 5]
    skip = "--skip-learnkit" in sys.argv
    # Seeds no file in the repository holds, drawn afresh at every run.
    draw = random.SystemRandom()
    fresh = sorted(draw.randrange(1_000, 1_000_000_000) for _ in range(10))
    fresh_acrobot = sorted(draw.randrange(1_000, 1_000_000_000) for _ in range(3))
    fresh_car = sorted(draw.randrange(1_000, 1_000_000_000) for _ in range(2))
    subprocess.run(["cargo", "build", "--release", "--quiet", "--features", "tch", "--example", "dqn_cartpole"],
                   cwd=ROOT, check=True)
    rows, ours, ours_fresh = [], [], []
    for seed in seeds if not skip else []:
        r = run_learnkit(seed)
        ours.append(r)
        print("learnkit", seed, r, flush=True)
        rows.append(f"| learnkit DQN (64-64, 3-step Double DQN) | {seed} | {fmt(r['solve'])} | {r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |")
    for seed in fresh if not skip else []:
        r = run_learnkit(seed)
        ours_fresh.append(r)
        print("learnkit fresh", seed, r, flush=True)
        rows.append(f"| learnkit DQN (64-64, 3-step Double DQN), fresh seed | {seed} | {fmt(r['solve'])} | {r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |")
    options = []
    for flags in OPTIONS if not skip else []:
        results = []
        for seed in seeds:
            r = run_learnkit(seed, "cartpole", flags)
            results.append(r)
            print("learnkit", " ".join(flags), seed, r, flush=True)
        options.append((" ".join(flags), results))
    sb3, cleanrl, acrobot, car = [], [], [], []
    for seed in peer_seeds:
        r = run_sb3(seed)
        sb3.append(r)
        print("sb3", seed, r, flush=True)
        rows.append(f"| Stable-Baselines3 DQN, RL Zoo settings (256-256) | {seed} | {fmt(r['solve'])} | {r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |")
    for seed in peer_seeds:
        r = run_cleanrl(seed)
        cleanrl.append(r)
        print("cleanrl", seed, r, flush=True)
        rows.append(f"| CleanRL dqn.py algorithm (120-84) | {seed} | {fmt(r['solve'])} | {r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |")
    for seed in ([] if skip else [1, 2, 3, 4, 5] + fresh_acrobot):
        r = run_learnkit(seed, "acrobot")
        acrobot.append(r)
        print("learnkit acrobot", seed, r, flush=True)
    for seed in ([] if skip else [1, 2, 3] + fresh_car):
        r = run_learnkit(seed, "mountaincar", ("--steps", "120000"))
        car.append(r)
        print("learnkit mountaincar", seed, r, flush=True)
    other_rows = [f"| learnkit DQN on Acrobot-v1 (RL Zoo settings + 3-step Double DQN, 256-256), solved at ≥ −100 | {r['seed']} | {fmt(r['solve'])} | "
                  f"{r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |" for r in acrobot]
    other_rows += [f"| learnkit DQN on MountainCar-v0 (RL Zoo settings, 256-256, 120k steps), solved at ≥ −110 | {r['seed']} | "
                   f"{fmt(r['solve'])} | {r['total']:.1f} s, {r['steps']} steps | {r['eval']:.1f} |" for r in car]
    fresh_fail = [r["seed"] for r in ours + ours_fresh if r["eval"] < 475]
    median = (f"learnkit on CartPole seeds 1–20: **{spread(ours)}**; on 10 fresh seeds drawn at the run: "
              f"**{spread(ours_fresh)}**"
              + (f" (final evaluation below 475 on seeds {fresh_fail})" if fresh_fail else "; every final evaluation ≥ 475")
              + f"; Stable-Baselines3 on seeds {peer_seeds[0]}–{peer_seeds[-1]}: {spread(sb3)}; "
              f"CleanRL: {spread(cleanrl)}; learnkit on Acrobot-v1 seeds 1–5 and 3 fresh seeds: {spread(acrobot)}, "
              f"lowest final evaluation {min([r['eval'] for r in acrobot] or [float('nan')]):.1f}; "
              f"on MountainCar-v0 seeds 1–3 and 2 fresh seeds: {spread(car)}, lowest final evaluation "
              f"{min([r['eval'] for r in car] or [float('nan')]):.1f}")
    option_rows = [f"| defaults | {spread(ours)} | {min([r['eval'] for r in ours] or [float('nan')]):.1f} |"]
    option_rows += [f"| `{flags}` | {spread(rs)} | {min(r['eval'] for r in rs):.1f} |" for flags, rs in options]
    if not skip:
        strip_plot(os.path.join(ROOT, "docs", "img", "dqn_time_to_solve.png"),
                   [("learnkit, seeds 1–20", ours), ("learnkit, 10 fresh seeds", ours_fresh)]
                   + [(f"learnkit {flags}, seeds 1–20", rs) for flags, rs in options]
                   + [(f"SB3 (RL Zoo), seeds 1–{len(sb3)}", sb3), (f"CleanRL dqn.py, seeds 1–{len(cleanrl)}", cleanrl)],
                   [(f"learnkit Acrobot, {len(acrobot)} seeds", acrobot), (f"learnkit MountainCar, {len(car)} seeds", car)])
    import stable_baselines3
    table = "\n".join([
        BEGIN,
        f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} "
        f"(1 thread), gymnasium {gym.__version__}, stable-baselines3 {stable_baselines3.__version__}; command: "
        "`make bench` (benches/dqn_peers.py). Solved = a greedy evaluation over 100 episodes averages "
        "≥ 475 (checked as described in the script; learnkit's clock includes these evaluations, the "
        f"peers' clocks exclude them). {median}.",
        "",
        "![time to solve per seed](img/dqn_time_to_solve.png)",
        "",
        "The DQN options on the same 20 CartPole seeds (time to solve; lowest final greedy evaluation "
        "on 100 fresh episodes):",
        "",
        "| learnkit flags | time to solve, seeds 1–20 | lowest final evaluation |",
        "|---|---|---|",
        *option_rows,
        "",
        "| tool | seed | time to solve | training run (until solved or the step budget) | final greedy eval, 100 fresh episodes |",
        "|---|---|---|---|---|",
        *rows,
        *other_rows,
        END,
    ])
    doc = open(DOC).read()
    if BEGIN not in doc:
        doc += f"\n## DQN on CartPole-v1\n\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    with open(DOC, "w") as f:
        f.write(head + table + rest.split(END, 1)[1])
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
