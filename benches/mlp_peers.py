"""learnkit's MLP against scikit-learn's MLPClassifier on digits and breast cancer and its
MLPRegressor on diabetes, same rows, same run (the MLP half of #26's `make bench-policy`).
Rewrites the MLP table in docs/benchmarks.md.

    make bench-mlp

Both standardise inside a pipeline and use the defaults (100 ReLU units, Adam 1e-3, batches of
200, at most 200 epochs — 2,000 for diabetes —, tol 1e-4 over 10 epochs); the first rows
train, the last test, no shuffle. learnkit runs as a user runs it (the release `mlp` example, `fit_seconds` from its JSON);
scikit-learn's fit is timed around `fit`. Each figure is the median of five runs (seeds 0–4),
test scores (accuracy, R²) as the mean.
"""
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from datetime import date

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- mlp:begin -->", "<!-- mlp:end -->"
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "mlp")
# (name, loader, training rows, task, epochs): diabetes needs 2,000 epochs to converge (both
# libraries reach R² ≈ -1 in the default 200).
SETS = [("digits", load_digits, 1347, "classification", 200),
        ("breast cancer", load_breast_cancer, 427, "classification", 200),
        ("diabetes (regression, R²)", load_diabetes, 331, "regression", 2000)]
SEEDS = range(5)


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, load, cut, task, epochs in SETS:
            d = load()
            x, y = d.data, d.target
            files = {}
            for part, sl in (("train", slice(0, cut)), ("test", slice(cut, None))):
                path = os.path.join(tmp, f"{part}.csv")
                header = ",".join([f"f{i}" for i in range(x.shape[1])] + ["y"])
                np.savetxt(path, np.column_stack([x[sl], y[sl]]), delimiter=",", header=header,
                           comments="", fmt="%.10g")
                files[part] = path
            ours, theirs = [], []
            for seed in SEEDS:
                proc = subprocess.run([EXAMPLE, "--data", files["train"], "--test", files["test"],
                                       "--target", "y", "--task", task, "--seed", str(seed),
                                       "--max-iter", str(epochs), "--json", "--out",
                                       os.path.join(tmp, "out")],
                                      capture_output=True, text=True, check=True)
                m = json.loads(proc.stdout.strip().splitlines()[-1])
                score = m["accuracy"] if task == "classification" else m["r2"]
                ours.append((m["fit_seconds"], score, m["n_iter"]))
                peer = MLPClassifier if task == "classification" else MLPRegressor
                model = make_pipeline(StandardScaler(), peer(random_state=seed, max_iter=epochs))
                start = time.perf_counter()
                model.fit(x[:cut], y[:cut])
                seconds = time.perf_counter() - start
                theirs.append((seconds, model.score(x[cut:], y[cut:]), model[-1].n_iter_))
            row = {"data": name, "train": cut, "test": len(y) - cut}
            for who, runs in (("learnkit", ours), ("sklearn", theirs)):
                row[who] = {"fit": statistics.median(r[0] for r in runs),
                            "accuracy": statistics.mean(r[1] for r in runs),
                            "epochs": statistics.median(r[2] for r in runs)}
            rows.append(row)
            print(json.dumps(row))
    lines = [
        f"Measured {date.today()} on {os.cpu_count()} cores ({platform.machine()}); "
        "`make bench-mlp`. Default MLPs (100 ReLU units, Adam), standardised in a pipeline, first "
        "rows train / last rows test; median fit of seeds 0–4, mean test score (accuracy; R² for "
        "diabetes, at most 2,000 epochs).",
        "",
        "| data (train / test rows) | learnkit fit (s) | scikit-learn fit (s) | ratio | learnkit test score | scikit-learn test score | epochs (learnkit / scikit-learn) |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, b = r["learnkit"], r["sklearn"]
        lines.append(
            f"| {r['data']} ({r['train']} / {r['test']}) | {a['fit']:.3f} | {b['fit']:.3f} | "
            f"{a['fit'] / b['fit']:.2f}× | {a['accuracy']:.4f} | {b['accuracy']:.4f} | "
            f"{a['epochs']:.0f} / {b['epochs']:.0f} |")
    table = "\n".join(lines)
    text = open(DOC).read()
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n## Multilayer perceptron (MLP)\n\n" + block + "\n"
    open(DOC, "w").write(text)
    print(table)


if __name__ == "__main__":
    main()
