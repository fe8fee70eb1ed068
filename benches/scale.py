"""Scale benchmark: learnkit against the strongest tool a user would pick, at a million rows, on
the same CSV files, in the same run. Rewrites the scale table in docs/benchmarks.md.

    make bench-scale                     # everything (~15 minutes on 2 cores)
    make bench-scale ARGS="forest tree"  # some rows

Data (generated once with scikit-learn into target/bench-data/scale/, as in shared ANCHORS):
* make_classification(1_200_000, 20 features, 10 informative, 4 redundant, class_sep 0.8,
  random_state 1), split 1,000,000 train / 200,000 test;
* make_blobs(1_000_000, 10 features, 8 centres, cluster_std 2, random_state 2);
* a 200,000 × 200 rank-20 matrix plus noise (random_state 3).

learnkit runs as a new user would run it: the release example binary with
`--data train.csv --test test.csv --target label --json`. Each side runs in its own process, so
the peak resident memory (from wait4, as `/usr/bin/time -v` reports it) is that tool's alone.
learnkit's "fit" is the `fit_seconds` its JSON reports; "whole run" is the process's wall time
(loading the CSV, fitting, predicting, drawing every report). The peers' times are fits on
arrays already in memory. Nothing in the table is edited by hand.
"""
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "target", "bench-data", "scale")
OUT = os.path.join(ROOT, "target", "bench-data", "scale-reports")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
EXAMPLES = os.path.join(ROOT, "target", "release", "examples")


# ---- data -----------------------------------------------------------------------------------

def write_csv(path, x, y=None, label="label"):
    import numpy as np
    cols = [f"x{i}" for i in range(x.shape[1])]
    table = x if y is None else np.column_stack([x, y])
    if y is not None:
        cols.append(label)
    np.savetxt(path, table, delimiter=",", header=",".join(cols), comments="", fmt="%.9g")


def make_data():
    import numpy as np
    from sklearn.datasets import make_blobs, make_classification
    os.makedirs(DATA, exist_ok=True)
    if not os.path.exists(os.path.join(DATA, "test.csv")):
        x, y = make_classification(n_samples=1_200_000, n_features=20, n_informative=10, n_redundant=4,
                                   class_sep=0.8, random_state=1)
        write_csv(os.path.join(DATA, "train.csv"), x[:1_000_000], y[:1_000_000])
        write_csv(os.path.join(DATA, "test.csv"), x[1_000_000:], y[1_000_000:])
    if not os.path.exists(os.path.join(DATA, "blobs.csv")):
        x, _ = make_blobs(n_samples=1_000_000, n_features=10, centers=8, cluster_std=2.0, random_state=2)
        write_csv(os.path.join(DATA, "blobs.csv"), x)
    if not os.path.exists(os.path.join(DATA, "wide.csv")):
        rng = np.random.default_rng(3)
        x = rng.standard_normal((200_000, 20)) @ rng.standard_normal((20, 200)) + 0.1 * rng.standard_normal((200_000, 200))
        write_csv(os.path.join(DATA, "wide.csv"), x)


# ---- measuring a process --------------------------------------------------------------------

def run_measured(cmd, env=None):
    """Like `/usr/bin/time -v`: wall seconds, peak resident MB and stdout of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    # Drain the pipes on threads so a chatty child cannot block, then reap it with wait4.
    import threading
    chunks = {"out": [], "err": []}
    readers = [threading.Thread(target=lambda s=s, k=k: chunks[k].append(s.read()))
               for s, k in ((proc.stdout, "out"), (proc.stderr, "err"))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    out, err = "".join(chunks["out"]), "".join(chunks["err"])
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, out


def learnkit(example, *args):
    wall, rss, out = run_measured([os.path.join(EXAMPLES, example), *args, "--out", os.path.join(OUT, example), "--json"])
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, rss=rss)
    return result


def peer(task, threads=1):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    # Some machines pin OpenBLAS to an older kernel through these; let the peers pick their best.
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    wall, rss, out = run_measured([sys.executable, os.path.abspath(__file__), "--peer", task], env=env)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, rss=rss)
    return result


# ---- the peers (run in their own process: `scale.py --peer TASK`) ---------------------------

def load(name, target=True):
    import numpy as np
    start = time.perf_counter()
    raw = np.loadtxt(os.path.join(DATA, name), delimiter=",", skiprows=1)
    seconds = time.perf_counter() - start
    if target:
        return raw[:, :-1], raw[:, -1], seconds
    return raw, None, seconds


def timed(fit):
    start = time.perf_counter()
    out = fit()
    return time.perf_counter() - start, out


def peer_main(task):
    import numpy as np
    from threadpoolctl import threadpool_limits
    result = {}
    if task in ("lgbm_rf", "sk_tree", "sk_forest10", "loadtxt"):
        x, y, load_s = load("train.csv")
        xt, yt, _ = load("test.csv")
        result["load_seconds"] = load_s
        result["load_mb"] = os.path.getsize(os.path.join(DATA, "train.csv")) / 1e6
    if task == "lgbm_rf":
        import lightgbm as lgb
        m = lgb.LGBMClassifier(boosting_type="rf", n_estimators=100, bagging_fraction=0.632, bagging_freq=1,
                               colsample_bynode=0.3, num_leaves=4095, min_child_samples=1, n_jobs=2,
                               random_state=0, verbose=-1)
        result["fit_seconds"], _ = timed(lambda: m.fit(x, y))
        result["accuracy"] = float((m.predict(xt) == yt).mean())
    elif task == "sk_tree":
        from sklearn.tree import DecisionTreeClassifier
        m = DecisionTreeClassifier(random_state=0)
        result["fit_seconds"], _ = timed(lambda: m.fit(x, y))
        result["accuracy"] = m.score(xt, yt)
    elif task == "sk_forest10":
        from sklearn.ensemble import RandomForestClassifier
        m = RandomForestClassifier(n_estimators=10, n_jobs=1, random_state=0)
        result["fit_seconds"], _ = timed(lambda: m.fit(x, y))
        result["accuracy"] = m.score(xt, yt)
    elif task.startswith("sk_kmeans"):
        from sklearn.cluster import KMeans
        x, _, _ = load("blobs.csv", target=False)
        algorithm = task.split("_")[-1]
        with threadpool_limits(1):
            m = KMeans(8, algorithm=algorithm, n_init=1, random_state=0)
            result["fit_seconds"], _ = timed(lambda: m.fit(x))
        result["inertia"] = float(m.inertia_)
    elif task == "sk_pca":
        from sklearn.decomposition import PCA
        x, _, _ = load("wide.csv", target=False)
        with threadpool_limits(1):
            m = PCA(20, svd_solver="covariance_eigh")
            result["fit_seconds"], _ = timed(lambda: m.fit(x))
        result["ratio"] = [float(v) for v in m.explained_variance_ratio_]
    elif task != "loadtxt":
        raise SystemExit(f"unknown peer task {task}")
    print(json.dumps(result))


# ---- the table ------------------------------------------------------------------------------

def fmt_s(v):
    return "—" if v is None else (f"{v:.2f} s" if v < 10 else f"{v:.1f} s")


def fmt_mb(v):
    return "—" if v is None else f"{v:,.0f} MB"


def whole(ours):
    """The whole run's wall time and what it was spent on (from the example's JSON)."""
    load, fit, reports = ours.get("load_seconds", 0.0), ours["fit_seconds"], ours.get("report_seconds", 0.0)
    rest = max(ours["wall"] - load - fit - reports, 0.0)
    return (f"{fmt_s(ours['wall'])}: CSV {fmt_s(load)}, fit {fmt_s(fit)}, reports {fmt_s(reports)}, "
            f"rest {fmt_s(rest)} (without the CSV: {(ours['wall'] - load) / fit:.2f}× fit)")


def rows_forest():
    ours = learnkit("random_forest", "--data", f"{DATA}/train.csv", "--test", f"{DATA}/test.csv",
                    "--target", "label", "--trees", "100")
    lgbm = peer("lgbm_rf", threads=2)
    sk = peer("sk_forest10")
    both_mb = sum(os.path.getsize(os.path.join(DATA, f)) for f in ("train.csv", "test.csv")) / 1e6
    return [
        ("random forest, 100 trees, 1M×20 (learnkit 2 cores)", ours["fit_seconds"], whole(ours), ours["rss"],
         f"acc {ours['accuracy']:.4f}",
         f"LightGBM rf, 2 threads: fit {fmt_s(lgbm['fit_seconds'])}, {fmt_mb(lgbm['rss'])}, acc {lgbm['accuracy']:.4f}; "
         f"scikit-learn RF 10 trees, 1 thread: {fmt_s(sk['fit_seconds'])} ({sk['fit_seconds'] / 10:.1f} s/tree), acc {sk['accuracy']:.4f}",
         ours["fit_seconds"] / lgbm["fit_seconds"], "LightGBM rf"),
        ("CSV read, train + test files (learnkit `load_seconds`)", ours["load_seconds"], None, None,
         f"{ours['load_seconds'] / both_mb * 1000:.1f} ms/MB over {both_mb:.0f} MB",
         f"numpy.loadtxt, train file: {lgbm['load_seconds']:.2f} s for {lgbm['load_mb']:.0f} MB "
         f"({lgbm['load_seconds'] / lgbm['load_mb'] * 1000:.1f} ms/MB)",
         (ours["load_seconds"] / both_mb) / (lgbm["load_seconds"] / lgbm["load_mb"]), "numpy.loadtxt per MB"),
    ]


def rows_tree():
    ours = learnkit("decision_tree", "--data", f"{DATA}/train.csv", "--test", f"{DATA}/test.csv", "--target", "label")
    sk = peer("sk_tree")
    return [("decision tree, unlimited depth, 1M×20", ours["fit_seconds"], whole(ours), ours["rss"],
             f"acc {ours['accuracy']:.4f}, depth {ours['depth']}",
             f"scikit-learn 1 thread: fit {fmt_s(sk['fit_seconds'])}, {fmt_mb(sk['rss'])}, acc {sk['accuracy']:.4f}",
             ours["fit_seconds"] / sk["fit_seconds"], "scikit-learn")]


def rows_kmeans():
    ours = learnkit("kmeans_elbow", "--data", f"{DATA}/blobs.csv", "--k", "8")
    elkan = peer("sk_kmeans_elkan")
    lloyd = peer("sk_kmeans_lloyd")
    return [("K-means k=8, 1M×10", ours["fit_seconds"], whole(ours), ours["rss"],
             f"inertia {ours['inertia']:.6e}",
             f"scikit-learn 1 thread: Elkan {fmt_s(elkan['fit_seconds'])} (inertia {elkan['inertia']:.6e}), "
             f"Lloyd {fmt_s(lloyd['fit_seconds'])}",
             ours["fit_seconds"] / elkan["fit_seconds"], "scikit-learn Elkan")]


def rows_pca():
    ours = learnkit("pca", "--data", f"{DATA}/wide.csv", "--components", "20")
    sk = peer("sk_pca")
    gap = max(abs(a - b) for a, b in zip(ours["explained_variance_ratio"], sk["ratio"]))
    return [("PCA 200k×200 → 20", ours["fit_seconds"], whole(ours), ours["rss"],
             f"ratios equal to {gap:.0e}",
             f"scikit-learn covariance_eigh 1 thread: {fmt_s(sk['fit_seconds'])}, {fmt_mb(sk['rss'])}",
             ours["fit_seconds"] / sk["fit_seconds"], "scikit-learn")]


TASKS = {"forest": rows_forest, "tree": rows_tree, "kmeans": rows_kmeans, "pca": rows_pca}


def main(selected):
    make_data()
    subprocess.run(["cargo", "build", "--release", "--example", "random_forest", "--example", "decision_tree",
                    "--example", "kmeans_elbow", "--example", "pca"], cwd=ROOT, check=True)
    rows = []
    for name in selected:
        print(f"scale: {name}", file=sys.stderr)
        rows.extend(TASKS[name]())
    args = "" if selected == list(TASKS) else ' ARGS="' + " ".join(selected) + '"'
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} cores by "
        f"`make bench-scale{args}` (benches/scale.py); one run.",
        "",
        "| work | learnkit fit | learnkit whole run | learnkit peak RSS | learnkit quality | peer, same files, same run | fit ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for work, fit, wall, rss, quality, peer_text, ratio, against in rows:
        ratio_text = "—" if ratio is None else f"{ratio:.2f}× {against}"
        wall_text = wall if isinstance(wall, str) else fmt_s(wall)
        lines.append(f"| {work} | {fmt_s(fit)} | {wall_text} | {fmt_mb(rss)} | {quality} | {peer_text} | {ratio_text} |")
    table = "\n".join(lines)
    print(table)
    doc = open(DOC).read()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        doc = f"{head}{BEGIN}\n{table}\n{END}{tail}"
    else:
        doc += f"\n## At a million rows\n\n{BEGIN}\n{table}\n{END}\n"
    open(DOC, "w").write(doc)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--peer":
        peer_main(sys.argv[2])
    else:
        main(sys.argv[1:] or list(TASKS))
