"""Side-by-side benchmark: learnkit against the Python tool a user would otherwise pick, on the
same data, in the same run, on this machine. Rewrites the table in docs/benchmarks.md.

    make bench                          # all tasks
    make bench ARGS="ols logistic"      # some tasks

Run through `scripts/with-torch.sh` (the Makefile does): it installs the Python peers into the
project's .venv, generates each dataset once with scikit-learn into target/bench-data/ as CSV,
times the peer (single-threaded, median of 3 fits), then runs
`cargo bench --bench side_by_side -- TASK DIR` which fits learnkit on the very same files, and
writes both sides' time and quality into the table. Nothing in the table is edited by hand.
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
DATA = os.path.join(ROOT, "target", "bench-data")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- side-by-side:begin -->", "<!-- side-by-side:end -->"


def write_csv(path, x, y):
    header = ",".join([f"x{i}" for i in range(x.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.17g")


def median_time(fit, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fit()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2], out


def load(name):
    raw = np.loadtxt(os.path.join(DATA, name), delimiter=",", skiprows=1)
    return raw[:, :-1], raw[:, -1]


# ---- data -----------------------------------------------------------------------------------

def make_regression_data():
    from sklearn.datasets import make_regression
    x, y = make_regression(n_samples=120_000, n_features=20, n_informative=15, noise=10.0, random_state=0)
    write_csv(os.path.join(DATA, "reg_train.csv"), x[:100_000], y[:100_000])
    write_csv(os.path.join(DATA, "reg_test.csv"), x[100_000:], y[100_000:])


def make_classification_data():
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=100_000, n_features=20, n_informative=10, random_state=0)
    write_csv(os.path.join(DATA, "clf_train.csv"), x[:80_000], y[:80_000])
    write_csv(os.path.join(DATA, "clf_test.csv"), x[80_000:], y[80_000:])


def make_blobs_data():
    from sklearn.datasets import make_blobs
    x, y = make_blobs(n_samples=100_000, n_features=10, centers=8, random_state=0)
    write_csv(os.path.join(DATA, "blobs.csv"), x, y)


def make_wide_data():
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=20_000, n_features=100, n_informative=30, n_redundant=30, random_state=0)
    write_csv(os.path.join(DATA, "wide.csv"), x, y)


def make_grid_data():
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=10_000, n_features=20, n_informative=10, random_state=1)
    write_csv(os.path.join(DATA, "grid.csv"), x, y)


# ---- peers ----------------------------------------------------------------------------------

def peer_ols():
    from sklearn.linear_model import LinearRegression
    x, y = load("reg_train.csv")
    xt, yt = load("reg_test.csv")
    seconds, m = median_time(lambda: LinearRegression().fit(x, y))
    return {"seconds": seconds, "r2": m.score(xt, yt)}


def peer_logistic():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    x, y = load("clf_train.csv")
    xt, yt = load("clf_test.csv")
    seconds, m = median_time(lambda: LogisticRegression().fit(x, y))
    return {"seconds": seconds, "accuracy": m.score(xt, yt), "log_loss": log_loss(yt, m.predict_proba(xt)),
            "n_iter": int(m.n_iter_[0])}


def peer_tree():
    from sklearn.tree import DecisionTreeClassifier
    x, y = load("clf_train.csv")
    xt, yt = load("clf_test.csv")
    seconds, m = median_time(lambda: DecisionTreeClassifier(random_state=0).fit(x, y))
    return {"seconds": seconds, "accuracy": m.score(xt, yt)}


GRID = {"max_depth": [4, 8, 16, None], "max_features": ["sqrt", 0.5]}


def peer_grid():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    x, y = load("grid.csv")
    search = GridSearchCV(RandomForestClassifier(n_estimators=50, random_state=0), GRID,
                          cv=StratifiedKFold(5), n_jobs=1)
    seconds, s = median_time(lambda: search.fit(x, y), repeats=1)
    return {"seconds": seconds, "best_score": s.best_score_}


def peer_forest():
    from sklearn.ensemble import RandomForestClassifier
    x, y = load("clf_train.csv")
    xt, yt = load("clf_test.csv")
    seconds, m = median_time(lambda: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0).fit(x, y), repeats=1)
    return {"seconds": seconds, "accuracy": m.score(xt, yt)}


def peer_tree_regression():
    from sklearn.tree import DecisionTreeRegressor
    x, y = load("reg_train.csv")
    xt, yt = load("reg_test.csv")
    seconds, m = median_time(lambda: DecisionTreeRegressor(random_state=0).fit(x, y))
    return {"seconds": seconds, "r2": m.score(xt, yt)}


def peer_forest_regression():
    from sklearn.ensemble import RandomForestRegressor
    x, y = load("reg_train.csv")
    xt, yt = load("reg_test.csv")
    seconds, m = median_time(lambda: RandomForestRegressor(n_estimators=100, n_jobs=1, random_state=0).fit(x, y), repeats=1)
    return {"seconds": seconds, "r2": m.score(xt, yt)}


def peer_kmeans():
    from sklearn.cluster import KMeans
    x, _ = load("blobs.csv")
    seconds, m = median_time(lambda: KMeans(n_clusters=8, n_init=1, random_state=0).fit(x))
    return {"seconds": seconds, "inertia": m.inertia_, "n_iter": int(m.n_iter_)}


def peer_pca():
    from sklearn.decomposition import PCA
    x, _ = load("wide.csv")
    seconds, m = median_time(lambda: PCA(n_components=10, svd_solver="covariance_eigh").fit(x))
    return {"seconds": seconds, "variance_kept": float(m.explained_variance_ratio_.sum())}


def peer_cartpole_steps():
    import gymnasium as gym
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)

    def run():
        env.reset(seed=0)
        episodes = 0
        actions = rng.integers(0, 2, size=1_000_000)
        for a in actions:
            _, _, term, trunc, _ = env.step(int(a))
            if term or trunc:
                episodes += 1
                env.reset()
        return episodes

    seconds, episodes = median_time(run)
    return {"seconds": seconds, "steps_per_second": 1e6 / seconds, "episodes": episodes}


def peer_qlearning():
    # A plain Python/NumPy Q-learning loop on its own FrozenLake 4x4 (slippery, 100-step limit),
    # with the same settings as learnkit's: alpha 0.05, gamma 0.99, epsilon 1 -> 0.01 over 15k
    # episodes, 20k episodes, then 10k greedy evaluation episodes (not timed).
    lake = "SFFFFHFHFFFHHFFG"
    moves = [(0, -1), (1, 0), (0, 1), (-1, 0)]
    rng = np.random.default_rng(0)

    def step(s, a):
        a = (a + (-1, 0, 1)[rng.integers(3)]) % 4
        r, c = divmod(s, 4)
        nr, nc = r + moves[a][0], c + moves[a][1]
        if 0 <= nr < 4 and 0 <= nc < 4:
            s = nr * 4 + nc
        cell = lake[s]
        return s, float(cell == "G"), cell in "HG"

    def train():
        q = np.zeros((16, 4))
        steps = 0
        for ep in range(20_000):
            eps = max(0.01, 1.0 + (0.01 - 1.0) * ep / 15_000)
            s = 0
            for t in range(100):
                if rng.random() < eps:
                    a = int(rng.integers(4))
                else:
                    row = q[s]
                    a = int(rng.choice(np.flatnonzero(row == row.max())))
                s2, r, done = step(s, a)
                target = r if done else r + 0.99 * q[s2].max()
                q[s, a] += 0.05 * (target - q[s, a])
                steps += 1
                s = s2
                if done:
                    break
        return q, steps

    seconds, (q, steps) = median_time(train, repeats=1)
    wins = 0
    for _ in range(10_000):
        s = 0
        for t in range(100):
            s, r, done = step(s, int(np.argmax(q[s])))
            if done:
                wins += r > 0
                break
    return {"seconds": seconds, "steps_per_second": steps / seconds, "success_rate": wins / 10_000}


TASKS = {
    # name: (description, data maker, peer, peer name, quality keys)
    "ols": ("OLS fit, 100k×20 (make_regression)", make_regression_data, peer_ols,
            "scikit-learn LinearRegression", ["r2"]),
    "logistic": ("Logistic regression fit (L2, C=1), 80k×20 (make_classification)", make_classification_data,
                 peer_logistic, "scikit-learn LogisticRegression (lbfgs)", ["accuracy", "log_loss"]),
    "tree": ("Decision tree fit (gini, unlimited depth), 80k×20 (make_classification)", make_classification_data,
             peer_tree, "scikit-learn DecisionTreeClassifier", ["accuracy"]),
    "forest": ("Random forest fit, 100 trees, 80k×20 (make_classification); 1 run each", make_classification_data,
               peer_forest, "scikit-learn RandomForestClassifier, n_jobs=1", ["accuracy"]),
    "tree_regression": ("Decision tree regressor fit, 100k×20 (make_regression)", make_regression_data,
                        peer_tree_regression, "scikit-learn DecisionTreeRegressor", ["r2"]),
    "forest_regression": ("Random forest regressor fit, 100 trees, 100k×20 (make_regression); 1 run each",
                          make_regression_data, peer_forest_regression,
                          "scikit-learn RandomForestRegressor, n_jobs=1", ["r2"]),
    "cartpole_steps": ("CartPole-v1, 1M random-action steps", lambda: None, peer_cartpole_steps,
                       "Gymnasium CartPole-v1 (gym.make)", ["steps_per_second"]),
    "qlearning": ("Tabular Q-learning, FrozenLake 4x4 slippery, 20k episodes", lambda: None, peer_qlearning,
                  "Python/NumPy Q-learning loop", ["steps_per_second", "success_rate"]),
    "grid_search": ("Grid search through `examples/model_selection`: random forest (50 trees), "
                    "max_depth × max_features = 8 points × 5 stratified folds, 10k×20; 1 run each",
                    make_grid_data, peer_grid, "scikit-learn GridSearchCV, n_jobs=1", ["best_score"]),
    "kmeans": ("K-means k=8, n_init=1, 100k×10 blobs", make_blobs_data, peer_kmeans,
               "scikit-learn KMeans (lloyd)", ["inertia"]),
    "pca": ("PCA 20k×100 → 10 components", make_wide_data, peer_pca,
            "scikit-learn PCA (covariance_eigh)", ["variance_kept"]),
}


# The tasks with a design-named linfa crate (linfa-linear, -logistic, -trees, -clustering,
# -reduction), run by the same bench binary on the same files: the table's linfa column.
LINFA = {"ols", "logistic", "tree", "kmeans", "pca"}


def run_grid_example(threads):
    """The grid search runs through the example binary, as a user would: its JSON's
    search_seconds is the whole search (every fit, every score, the refit)."""
    exe = os.path.join(ROOT, "target", "release", "examples", "model_selection")
    cmd = [exe, "--data", os.path.join(DATA, "grid.csv"), "--target", "y", "--model", "forest",
           "--trees", "50", "--cv", "5", "--stratified", "--seed", "0",
           "--grid", "max_depth=4,8,16,none;max_features=sqrt,0.5",
           "--out", os.path.join(ROOT, "target", "bench-grid"), "--json"]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    d = json.loads(out.strip().splitlines()[-1])
    return {"seconds": d["search_seconds"], "best_score": d["best_score"]}


def run_learnkit(task, threads):
    if task == "grid_search":
        return run_grid_example(threads)
    repeats = "1" if task.startswith(("forest", "linfa_tree")) else "3"
    cmd = ["cargo", "bench", "--quiet", "--bench", "side_by_side", "--", task, DATA, repeats]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def speed(ratio):
    return f"{1 / ratio:.1f}× faster" if ratio <= 1 else f"{ratio:.1f}× slower"


def fmt_quality(result, keys):
    def fmt(v):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4f}"
    return ", ".join(f"{k} {fmt(result[k])}" for k in keys if k in result)


def main():
    from threadpoolctl import threadpool_limits
    os.makedirs(DATA, exist_ok=True)
    wanted = [a for a in sys.argv[1:] if a in TASKS] or list(TASKS)
    subprocess.run(["cargo", "bench", "--no-run", "--quiet", "--bench", "side_by_side"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "model_selection"], cwd=ROOT, check=True)
    rows = []
    for name in wanted:
        description, make_data, peer, peer_name, keys = TASKS[name]
        print(f"== {name}: {description}", flush=True)
        make_data()
        with threadpool_limits(limits=1):
            theirs = peer()
        ours = run_learnkit(name, os.cpu_count())
        single = run_learnkit(name, 1)
        ratio = ours["seconds"] / theirs["seconds"]
        linfa_cell = "—"
        if name in LINFA:
            linfa = run_learnkit("linfa_" + name, os.cpu_count())
            linfa_cell = (f"{linfa['seconds']:.4f} s; ours {ours['seconds'] / linfa['seconds']:.2g}× its time; "
                          f"{fmt_quality(linfa, keys)}")
            print(f"   linfa {linfa_cell}", flush=True)
        print(f"   learnkit {ours['seconds']:.4f} s ({single['seconds']:.4f} s on 1 thread; {fmt_quality(ours, keys)}); "
              f"{peer_name} {theirs['seconds']:.4f} s ({fmt_quality(theirs, keys)}); ratio {ratio:.3g}", flush=True)
        rows.append(f"| {description} | {ours['seconds']:.4f} s | {single['seconds']:.4f} s "
                    f"| {theirs['seconds']:.4f} s ({peer_name}, 1 thread) "
                    f"| {ratio:.3g} ({speed(ratio)}) | {fmt_quality(ours, keys)} | {fmt_quality(theirs, keys)} "
                    f"| {linfa_cell} |")
    if len(wanted) < len(TASKS):
        print("partial run: docs/benchmarks.md is only rewritten by a run of every task")
        return
    import sklearn
    table = "\n".join([
        BEGIN,
        f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}; "
        "command: `make bench`. Times are the median of 3 fits; "
        f"ratio = learnkit time on all {os.cpu_count()} cores / peer time (below 1 means learnkit is faster); "
        "learnkit's results are identical on 1 thread, only slower where it parallelises. "
        "The linfa column runs the design-named linfa crate on the same files (one run for its tree): "
        "logistic with α = 1/C and its gradient tolerance scaled to scikit-learn's, K-means with 1 run, "
        "its mean inertia times n and its PCA variance over the total, so the columns compare.",
        "",
        f"| work | learnkit ({os.cpu_count()} threads) | learnkit (1 thread) | peer | ratio | learnkit quality (test) | peer quality (test) | linfa 0.8.1 (same files) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        END,
    ])
    doc = open(DOC).read() if os.path.exists(DOC) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(DOC, "w") as f:
        f.write(head + table + tail)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
