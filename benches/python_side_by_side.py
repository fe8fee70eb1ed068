"""learnkit from Python against scikit-learn, LightGBM and XGBoost: the same NumPy arrays, the
same process, the same run; and learnkit's Python fit against the Rust example's fit on the
same data (the package's overhead). Rewrites the Python table in docs/benchmarks.md.

    make bench-python                 # everything (~10 minutes on 2 cores)
    make bench-python ARGS="boosting" # some rows (boosting, forest, logistic, kmeans, pca)

Data: the scale benchmark's sets (benches/scale.py: make_classification 1M train + 200k test ×
20 features; make_blobs 1M × 10; a 200k × 200 rank-20 matrix), read once from their Parquet
copies into float64 NumPy arrays. Every tool fits those arrays in this process, on 2 threads
where it has threads (scikit-learn's forest n_jobs=2, its other estimators as they come:
HistGradientBoosting uses OpenMP threads, limited to 2). Each fit follows one untimed warm-up
fit on 10,000 rows; fits under a few seconds (all but boosting) are timed three times per tool,
and the example run three times, keeping the fastest. "Rust example" is the `fit_seconds` the
release example binary reports on the same Parquet file with the same settings, run in its own process right
after (boosting: from the CSV copy, where the example fits a float matrix as the package does;
from Parquet it bins while reading and its fit starts from bin codes). Nothing in the table is
edited by hand.
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
sys.path.insert(0, os.path.join(ROOT, "benches"))
import scale  # noqa: E402  (the data and the example runner)

DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- python:begin -->", "<!-- python:end -->"
THREADS = 2


def parquet(name):
    """Columns of a scale set's Parquet copy (written from the CSV the first time)."""
    import pyarrow.csv
    import pyarrow.parquet as pq
    path = os.path.join(scale.DATA, f"{name}.parquet")
    if not os.path.exists(path):
        scale.make_data()
        pq.write_table(pyarrow.csv.read_csv(os.path.join(scale.DATA, f"{name}.csv")), path)
    return pq.read_table(path)


def arrays(name, target="label"):
    table = parquet(name)
    features = [c for c in table.column_names if c != target]
    x = np.column_stack([table.column(c).to_numpy() for c in features]).astype(np.float64)
    y = table.column(target).to_numpy() if target in table.column_names else None
    return np.ascontiguousarray(x), y


# Fits under a few seconds are timed REPEATS times (each tool, and the example in as many
# processes) and the fastest kept: one run of a sub-second fit varies by ±15% on this machine.
REPEATS = 3


def timed(fit, repeats=1):
    best, model = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        best = min(best, time.perf_counter() - start)
    return best, model


def example_fit(example, *args, repeats=1):
    """The release example's own fit time on the same file and settings (fastest of
    `repeats` runs)."""
    best = float("inf")
    for _ in range(repeats):
        _, _, out = scale.run_measured(
            [os.path.join(scale.EXAMPLES, example), *args, "--out", os.path.join(scale.OUT, example), "--json"]
        )
        best = min(best, json.loads(out.strip().splitlines()[-1])["fit_seconds"])
    return best


def accuracy(model, x, y):
    return float(np.mean(model.predict(x) == y))


# ---- tasks -----------------------------------------------------------------------------------

def boosting():
    import lightgbm
    import sklearn.ensemble
    import xgboost
    import learnkit as lk
    x, y = arrays("train")
    xt, yt = arrays("test")
    rows = []
    fits = {
        "learnkit": lambda: lk.HistGradientBoostingClassifier(max_iter=100, early_stopping=False, n_jobs=THREADS),
        "scikit-learn HGB": lambda: sklearn.ensemble.HistGradientBoostingClassifier(max_iter=100, early_stopping=False),
        "LightGBM": lambda: lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, min_child_samples=20,
                                                    n_jobs=THREADS, verbose=-1),
        "XGBoost hist": lambda: xgboost.XGBClassifier(n_estimators=100, max_leaves=31, max_depth=0,
                                                      grow_policy="lossguide", tree_method="hist",
                                                      learning_rate=0.1, n_jobs=THREADS),
    }
    for tool, make in fits.items():
        make().fit(x[:10_000], y[:10_000])
        seconds, model = timed(lambda: make().fit(x, y))
        rows.append((tool, seconds, f"acc {accuracy(model, xt, yt):.4f}"))
    # From CSV, the example fits a float matrix as Python does (from Parquet it bins batch by
    # batch while reading, so its fit would start from codes).
    rust = example_fit("gradient_boosting", "--data", f"{scale.DATA}/train.csv", "--test",
                       f"{scale.DATA}/test.csv", "--target", "label", "--trees", "100")
    return "boosting 100 rounds × 31 leaves, 1M × 20", rows, rust


def forest():
    import sklearn.ensemble
    import learnkit as lk
    x, y = arrays("train")
    xt, yt = arrays("test")
    n = 200_000
    x, y = np.ascontiguousarray(x[:n]), y[:n]
    rows = []
    fits = {
        "learnkit": lambda: lk.RandomForestClassifier(n_estimators=20, n_jobs=THREADS, random_state=42),
        "scikit-learn": lambda: sklearn.ensemble.RandomForestClassifier(n_estimators=20, n_jobs=THREADS,
                                                                        random_state=42),
    }
    for tool, make in fits.items():
        make().fit(x[:10_000], y[:10_000])
        seconds, model = timed(lambda: make().fit(x, y), REPEATS)
        rows.append((tool, seconds, f"acc {accuracy(model, xt, yt):.4f}"))
    # The example on the same 200k rows.
    import pyarrow.parquet as pq
    path = os.path.join(scale.DATA, "train200k.parquet")
    if not os.path.exists(path):
        pq.write_table(parquet("train").slice(0, n), path)
    rust = example_fit("random_forest", "--data", path, "--test", f"{scale.DATA}/test.parquet",
                       "--target", "label", "--trees", "20", repeats=REPEATS)
    return "random forest 20 trees, 200k × 20", rows, rust


def logistic():
    import sklearn.linear_model
    import learnkit as lk
    x, y = arrays("train")
    xt, yt = arrays("test")
    rows = []
    fits = {
        "learnkit": lambda: lk.LogisticRegression(),
        "scikit-learn (lbfgs)": lambda: sklearn.linear_model.LogisticRegression(),
    }
    for tool, make in fits.items():
        make().fit(x[:10_000], y[:10_000])
        seconds, model = timed(lambda: make().fit(x, y), REPEATS)
        rows.append((tool, seconds, f"acc {accuracy(model, xt, yt):.4f}"))
    rust = example_fit("logistic_regression", "--data", f"{scale.DATA}/train.parquet", "--test",
                       f"{scale.DATA}/test.parquet", "--target", "label", repeats=REPEATS)
    return "logistic regression, 1M × 20", rows, rust


def kmeans():
    import sklearn.cluster
    import learnkit as lk
    x, _ = arrays("blobs")
    rows = []
    fits = {
        "learnkit": lambda: lk.KMeans(n_clusters=8, random_state=42),
        "scikit-learn": lambda: sklearn.cluster.KMeans(n_clusters=8, random_state=42),
    }
    for tool, make in fits.items():
        make().fit(x[:10_000])
        seconds, model = timed(lambda: make().fit(x), REPEATS)
        rows.append((tool, seconds, f"inertia {model.inertia_:.4g}"))
    rust = example_fit("kmeans_elbow", "--data", f"{scale.DATA}/blobs.parquet", "--k", "8", repeats=REPEATS)
    return "K-means k = 8, 1M × 10", rows, rust


def pca():
    import sklearn.decomposition
    import learnkit as lk
    x, _ = arrays("wide")
    rows = []
    fits = {
        "learnkit": lambda: lk.PCA(n_components=20),
        "scikit-learn": lambda: sklearn.decomposition.PCA(n_components=20),
    }
    for tool, make in fits.items():
        make().fit(x[:10_000])
        seconds, model = timed(lambda: make().fit(x), REPEATS)
        rows.append((tool, seconds, f"variance kept {model.explained_variance_ratio_.sum():.4f}"))
    rust = example_fit("pca", "--data", f"{scale.DATA}/wide.parquet", "--components", "20", repeats=REPEATS)
    return "PCA → 20, 200k × 200", rows, rust


TASKS = {"boosting": boosting, "forest": forest, "logistic": logistic, "kmeans": kmeans, "pca": pca}


def table(results):
    lines = [
        f"Measured {date.today()} on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {THREADS} threads; `make bench-python`.",
        "",
        "| work | tool | fit (s) | quality | learnkit Python / Rust example fit |",
        "|---|---|---:|---|---:|",
    ]
    for work, rows, rust in results:
        for tool, seconds, quality in rows:
            ratio = f"{seconds / rust:.2f}× (example {rust:.2f} s)" if tool == "learnkit" else ""
            lines.append(f"| {work} | {tool} | {seconds:.2f} | {quality} | {ratio} |")
    return "\n".join(lines)


def main():
    from threadpoolctl import threadpool_limits
    chosen = sys.argv[1:] or list(TASKS)
    subprocess.run(["cargo", "build", "--release", "--example", "gradient_boosting", "--example",
                    "random_forest", "--example", "logistic_regression", "--example", "kmeans_elbow",
                    "--example", "pca"], cwd=ROOT, check=True)
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    results = []
    with threadpool_limits(limits=THREADS):
        for name in chosen:
            work, rows, rust = TASKS[name]()
            results.append((work, rows, rust))
            for tool, seconds, quality in rows:
                print(f"{work:45s} {tool:22s} {seconds:8.2f} s  {quality}", flush=True)
            print(f"{work:45s} {'Rust example':22s} {rust:8.2f} s", flush=True)
    text = table(results)
    print(text)
    if set(chosen) == set(TASKS):
        doc = open(DOC).read()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            start, end = doc.index(BEGIN), doc.index(END) + len(END)
            doc = doc[:start] + block + doc[end:]
        else:
            doc += f"\n## From Python: the package against scikit-learn, LightGBM and XGBoost\n\n{block}\n"
        open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
