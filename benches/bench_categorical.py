"""Categorical features: gradient boosting on a generated set with three string columns of 20,
200 and 2,000 categories (plus 8 numeric ones) from Parquet, learnkit against LightGBM's own
categorical handling, same files, same run, 2 threads each. Rewrites the categorical table in
docs/benchmarks.md.

    make bench-categorical     # ~3 minutes on 2 cores; the data (1.2M rows) once

Data (seed 11, written once into target/bench-data/categorical/): 1,000,000 training and 200,000
test rows; `region` (20 categories), `store` (200) and `product` (2,000, Zipf-like frequencies)
as strings, `x0..x7` standard normal float32; label ~ Bernoulli(sigmoid(score)) where the score
adds a random effect per region, store and product to a few numeric terms. Both tools: 100
rounds, 255 leaves, learning rate 0.1, 255 bins, at least 20 rows a leaf, LightGBM's categorical
defaults (max_cat_to_onehot 4, cat_smooth 10, cat_l2 10, max_cat_threshold 32,
min_data_per_group 100). learnkit as a user runs it: `learnkit train boosting --data
train.parquet --test test.parquet` (text columns are categorical; the training file is binned
batch by batch); LightGBM reads the same files with pyarrow, the text columns as category codes
(`categorical_feature`; the test file's values numbered by the training file's).
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

DATA = os.path.join(scale.ROOT, "target", "bench-data", "categorical")
DOC = scale.DOC
BEGIN, END = "<!-- benchcat:begin -->", "<!-- benchcat:end -->"
N_TRAIN, N_TEST = 1_000_000, 200_000
TEXT = (("region", 20), ("store", 200), ("product", 2_000))


def make_data():
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    os.makedirs(DATA, exist_ok=True)
    if os.path.exists(os.path.join(DATA, "test.parquet")):
        return
    rng = np.random.default_rng(11)
    n = N_TRAIN + N_TEST
    x = rng.standard_normal((n, 8), dtype=np.float32)
    score = 0.6 * x[:, 0] - 0.4 * x[:, 1] + 0.3 * x[:, 2] * x[:, 3]
    columns, names = [], []
    for name, k in TEXT:
        weights = 1.0 / np.arange(1, k + 1) ** 0.8
        codes = rng.choice(k, size=n, p=weights / weights.sum())
        effect = rng.normal(0.0, 1.0, size=k)
        score = score + effect[codes]
        words = np.array([f"{name}_{c:05d}" for c in rng.permutation(k)])
        columns.append(words[codes])
        names.append(name)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-score))).astype(np.int8)
    for part, rows in (("train", slice(0, N_TRAIN)), ("test", slice(N_TRAIN, n))):
        arrays = [pa.array(x[rows, j]) for j in range(8)]
        arrays += [pa.array(c[rows]) for c in columns] + [pa.array(y[rows])]
        table = pa.Table.from_arrays(arrays, names=[f"x{j}" for j in range(8)] + names + ["label"])
        pq.write_table(table, os.path.join(DATA, f"{part}.parquet"))


def peer_main():
    import lightgbm as lgb
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from sklearn.metrics import accuracy_score, roc_auc_score

    start = time.perf_counter()
    train = pq.read_table(os.path.join(DATA, "train.parquet"))
    test = pq.read_table(os.path.join(DATA, "test.parquet"))

    def matrix(t, vocab):
        cols = [t.column(f"x{j}").to_numpy() for j in range(8)]
        for name, _ in TEXT:
            # Category codes by the training file's values (an unseen one: missing).
            codes = pc.index_in(t.column(name), value_set=vocab[name])
            cols.append(codes.to_numpy(zero_copy_only=False).astype(np.float64))
        return np.column_stack(cols), t.column("label").to_numpy()

    vocab = {name: pc.unique(train.column(name)) for name, _ in TEXT}
    (x, y), (xt, yt) = matrix(train, vocab), matrix(test, vocab)
    result = {"load_seconds": time.perf_counter() - start}
    params = dict(objective="binary", num_leaves=255, learning_rate=0.1, max_bin=255,
                  num_threads=2, verbose=-1, seed=0)
    t = time.perf_counter()
    model = lgb.train(params, lgb.Dataset(x, y, categorical_feature=[8, 9, 10]),
                      num_boost_round=100)
    result["fit_seconds"] = time.perf_counter() - t
    p = model.predict(xt)
    result["roc_auc"] = float(roc_auc_score(yt, p))
    result["accuracy"] = float(accuracy_score(yt, p > 0.5))
    print(json.dumps(result))


def main():
    make_data()
    subprocess.run(["cargo", "build", "--release", "-p", "learnkit-cli"], cwd=scale.ROOT,
                   check=True)
    print("bench-categorical: learnkit", file=sys.stderr)
    binary = os.path.join(scale.ROOT, "target", "release", "learnkit")
    wall, rss, out = scale.run_measured([
        binary, "train", "boosting", "--data", os.path.join(DATA, "train.parquet"),
        "--test", os.path.join(DATA, "test.parquet"), "--target", "label",
        "-p", "n_estimators=100", "-p", "max_leaf_nodes=255", "-p", "learning_rate=0.1",
        "--json"])
    ours = json.loads(out.strip().splitlines()[-1])
    ours.update(wall=wall, rss=rss)
    print("bench-categorical: lightgbm", file=sys.stderr)
    wall, rss, out = scale.run_measured([sys.executable, os.path.abspath(__file__), "--peer"])
    lgbm = json.loads(out.strip().splitlines()[-1])
    lgbm.update(wall=wall, rss=rss)
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} cores by "
        "`make bench-categorical` (benches/bench_categorical.py); one run.",
        "",
        "| tool (2 threads) | fit | whole run | peak RSS | test accuracy | test ROC AUC | fit ÷ LightGBM's |",
        "|---|---|---|---|---|---|---|",
    ]
    for tool, r in (("learnkit", ours), ("LightGBM (categorical_feature)", lgbm)):
        lines.append(f"| {tool} | {r['fit_seconds']:.1f} s | {r['wall']:.1f} s | {r['rss']:.0f} MB "
                     f"| {r['accuracy']:.4f} | {r.get('roc_auc', float('nan')):.4f} "
                     f"| {r['fit_seconds'] / lgbm['fit_seconds']:.2f}× |")
    table = "\n".join(lines)
    print(table)
    doc = open(DOC).read()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        open(DOC, "w").write(f"{head}{BEGIN}\n{table}\n{END}{tail}")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--peer":
        peer_main()
    else:
        main()
