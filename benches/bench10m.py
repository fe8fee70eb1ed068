"""Ten million rows: gradient boosting on a Higgs-shaped set (10.5M × 28: 10M train, the last
500k test, as LightGBM's Higgs experiment) from one Parquet file per split, against LightGBM and
XGBoost `hist` on the same files in the same run, 2 threads each. Rewrites the 10M table in
docs/benchmarks.md.

    make bench-10m        # ~15 minutes on 2 cores; the data (1.2 GB of Parquet) once

Data (seed 10, written once into target/bench-data/10m/): 28 float32 features, the first 21
standard normal ("low-level"), the last 7 products and squares of them ("high-level", as Higgs'
derived masses), label ~ Bernoulli(sigmoid(a nonlinear score)). Every tool: 100 rounds, 255
leaves, learning rate 0.1, 255 bins, 2 threads; learnkit as a new user runs it (the release
example binary with `--data train.parquet --test test.parquet --json`: the training file is
binned batch by batch, never held as floats, and saved as `train.lkbin`), the peers in their own
process reading the same Parquet files with pyarrow. Peak RSS from wait4 for each process. A
second learnkit run trains one round from `train.lkbin` to time loading the binned cache.
"""
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402

DATA = os.path.join(scale.ROOT, "target", "bench-data", "10m")
DOC = scale.DOC
BEGIN, END = "<!-- bench10m:begin -->", "<!-- bench10m:end -->"
N_TRAIN, N_TEST, D = 10_000_000, 500_000, 28


def make_data():
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    os.makedirs(DATA, exist_ok=True)
    if os.path.exists(os.path.join(DATA, "test.parquet")):
        return
    rng = np.random.default_rng(10)
    n = N_TRAIN + N_TEST
    low = rng.standard_normal((n, 21), dtype=np.float32)
    high = np.column_stack([
        low[:, 0] * low[:, 1], low[:, 2] ** 2, low[:, 3] * low[:, 4] - low[:, 5],
        np.abs(low[:, 6]) + low[:, 7], low[:, 8] * low[:, 9] * 0.5, np.sin(low[:, 10]),
        low[:, 11] ** 2 - low[:, 12] ** 2,
    ]).astype(np.float32)
    score = (low[:, :6] @ np.array([0.8, -0.6, 0.5, 0.4, -0.3, 0.2], dtype=np.float32)
             + 0.9 * high[:, 0] - 0.5 * high[:, 1] + 0.7 * high[:, 5] + 0.4 * high[:, 6])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-score))).astype(np.int8)
    x = np.column_stack([low, high])
    names = [f"f{i}" for i in range(D)]
    for part, rows in (("train", slice(0, N_TRAIN)), ("test", slice(N_TRAIN, n))):
        cols = [pa.array(x[rows, j]) for j in range(D)] + [pa.array(y[rows])]
        pq.write_table(pa.Table.from_arrays(cols, names=names + ["label"]),
                       os.path.join(DATA, f"{part}.parquet"))


def peer_main(tool):
    import numpy as np
    import pyarrow.parquet as pq
    from sklearn.metrics import roc_auc_score

    def load(part):
        t = pq.read_table(os.path.join(DATA, f"{part}.parquet"))
        y = t.column("label").to_numpy()
        x = np.column_stack([t.column(f"f{j}").to_numpy() for j in range(D)])
        return x, y

    start = time.perf_counter()
    x, y = load("train")
    xt, yt = load("test")
    result = {"load_seconds": time.perf_counter() - start}
    if tool == "lightgbm":
        import lightgbm as lgb
        params = dict(objective="binary", num_leaves=255, learning_rate=0.1, max_bin=255,
                      num_threads=2, verbose=-1, seed=0)
        t = time.perf_counter()
        model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=100)
        result["fit_seconds"] = time.perf_counter() - t
        p = model.predict(xt)
    else:
        import xgboost as xgb
        params = dict(objective="binary:logistic", tree_method="hist", grow_policy="lossguide",
                      max_leaves=255, max_depth=0, eta=0.1, max_bin=255, nthread=2, seed=0)
        t = time.perf_counter()
        model = xgb.train(params, xgb.DMatrix(x, y, nthread=2), num_boost_round=100)
        result["fit_seconds"] = time.perf_counter() - t
        p = model.predict(xgb.DMatrix(xt, nthread=2))
    result["roc_auc"] = float(roc_auc_score(yt, p))
    print(json.dumps(result))


def peer(tool):
    wall, rss, out = scale.run_measured([sys.executable, os.path.abspath(__file__), "--peer", tool])
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, rss=rss)
    return result


def main():
    make_data()
    subprocess.run(["cargo", "build", "--release", "--example", "gradient_boosting"], cwd=scale.ROOT,
                   check=True)
    print("bench-10m: learnkit", file=sys.stderr)
    lkbin = os.path.join(DATA, "train.lkbin")
    ours = scale.learnkit("gradient_boosting", "--data", os.path.join(DATA, "train.parquet"),
                          "--test", os.path.join(DATA, "test.parquet"), "--target", "label",
                          "--trees", "100", "--max-leaf-nodes", "255", "--learning-rate", "0.1",
                          "--save-binned", lkbin)
    # The binned cache: one round from train.lkbin, to time its load against binning the Parquet.
    cached = scale.learnkit("gradient_boosting", "--data", lkbin,
                            "--test", os.path.join(DATA, "test.parquet"), "--target", "label",
                            "--trees", "1", "--max-leaf-nodes", "255", "--learning-rate", "0.1")
    rows = [("learnkit", ours["fit_seconds"], ours["load_seconds"], ours["wall"], ours["rss"],
             ours.get("roc_auc"))]
    for tool in ("lightgbm", "xgboost"):
        print(f"bench-10m: {tool}", file=sys.stderr)
        r = peer(tool)
        rows.append((tool, r["fit_seconds"], r["load_seconds"], r["wall"], r["rss"], r["roc_auc"]))
    lgbm_fit = rows[1][1]
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} cores by "
        "`make bench-10m` (benches/bench10m.py); one run.",
        "",
        "| tool (2 threads) | fit | read Parquet | whole run | peak RSS | test ROC AUC | fit ÷ LightGBM's |",
        "|---|---|---|---|---|---|---|",
    ]
    for tool, fit, load, wall, rss, auc in rows:
        auc_text = "—" if auc is None else f"{auc:.4f}"
        lines.append(f"| {tool} | {fit:.1f} s | {load:.1f} s | {wall:.1f} s | {rss:.0f} MB | {auc_text} "
                     f"| {fit / lgbm_fit:.2f}× |")
    lines += [
        "",
        f"learnkit bins the Parquet file in {ours['binned_load_seconds']:.1f} s (two passes, no float "
        f"matrix; codes and targets {ours['binned_mb']} MB) and loads the saved `train.lkbin` in "
        f"{cached['binned_load_seconds']:.2f} s "
        f"({cached['binned_load_seconds'] / ours['binned_load_seconds']:.2f}× the binning).",
    ]
    table = "\n".join(lines)
    print(table)
    doc = open(DOC).read()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        open(DOC, "w").write(f"{head}{BEGIN}\n{table}\n{END}{tail}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--peer":
        peer_main(sys.argv[2])
    else:
        main()
