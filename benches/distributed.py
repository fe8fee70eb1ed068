"""Data-parallel gradient boosting on MPI: 1, 2 and 4 ranks on the million-row scale set
(make_classification, 1,000,000 × 20, the bench-scale data), against one process on the same
rows, in the same run. Rewrites the distributed table in docs/benchmarks.md.

    make bench-distributed        # builds the release example with --features mpi (~10 minutes)

Each run is the release `gradient_boosting` example as a user runs it: one process with
`--data train.csv`, or `mpirun -np N … --data 'shards-N/part-*.csv'` (the same rows cut into N
contiguous CSV shards). Every rank runs under `/usr/bin/time -f %M`: rank 0's peak (it also
reads and scores the 200,000-row test set, after training and after dropping its shard, as the
one process does) and the largest of the other ranks' are reported; "fit" is the `fit_seconds` the JSON reports (the
training loop, collectives included), "in collectives" the part of it rank 0 spent inside
collectives (waiting for the others included); "sent per tree" is rank 0's bytes handed to collectives
divided by the trees. Ranks get `RAYON_NUM_THREADS = max(1, cores / ranks)` threads, so the
machine's cores are shared, not oversubscribed by threads (4 ranks on 2 cores are). The test
metrics must equal the one-process ones: the table says so per row.
"""
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benches"))
import scale  # noqa: E402  (the data and the process measurement)

DATA = scale.DATA
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- distributed:begin -->", "<!-- distributed:end -->"
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "gradient_boosting")
TREES = "100"


def shards(n_ranks):
    """The training CSV cut into `n_ranks` contiguous shards (header on each)."""
    folder = os.path.join(DATA, f"shards-{n_ranks}")
    parts = sorted(glob.glob(os.path.join(folder, "part-*.csv")))
    if len(parts) == n_ranks:
        return os.path.join(folder, "part-*.csv")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(DATA, "train.csv")) as f:
        header, rows = f.readline(), f.readlines()
    for r in range(n_ranks):
        lo, hi = len(rows) * r // n_ranks, len(rows) * (r + 1) // n_ranks
        with open(os.path.join(folder, f"part-{r}.csv"), "w") as out:
            out.write(header)
            out.writelines(rows[lo:hi])
    return os.path.join(folder, "part-*.csv")


def run(n_ranks):
    cores = os.cpu_count() or 1
    env = dict(os.environ, RAYON_NUM_THREADS=str(max(1, cores // n_ranks)),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    common = ["--target", "label", "--test", os.path.join(DATA, "test.csv"), "--trees", TREES,
              "--task", "classification", "--json"]
    with tempfile.TemporaryDirectory() as tmp:
        rss = os.path.join(tmp, "rss")
        timed = ["/usr/bin/time", "-f", "%M", "-o"]
        if n_ranks == 1:
            cmd = timed + [rss + ".0", EXAMPLE, "--data", os.path.join(DATA, "train.csv"),
                           "--out", os.path.join(tmp, "out"), *common]
        else:
            # Each rank writes its own peak (the launcher's rank variable names the file).
            cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(n_ranks), "sh", "-c",
                   " ".join(timed) + f' {rss}.$OMPI_COMM_WORLD_RANK "$@"', "rank",
                   EXAMPLE, "--data", shards(n_ranks), "--out", os.path.join(tmp, "out"), *common]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{n_ranks} ranks failed: {proc.stderr.strip()[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        peaks = {int(p.rsplit(".", 1)[1]): int(open(p).read().split()[-1]) / 1024.0
                 for p in glob.glob(rss + ".*")}
    others = [v for r, v in peaks.items() if r != 0]
    result.update(wall=wall, rss=peaks[0], rss_others=max(others) if others else None,
                  ranks=n_ranks)
    return result


def collective(r):
    seconds = r.get("collective_seconds_rank0")
    return "—" if seconds is None else f"{seconds:.2f}"


BENCH_BUILD = ["cargo", "bench", "--features", "mpi", "--bench", "collectives", "--no-run",
               "--message-format=json"]


def collectives():
    """The histogram collective at 2 and 4 ranks: all-reduce against reduce-scatter by feature
    blocks plus an all-gather of the best splits (benches/collectives.rs)."""
    out = subprocess.run(BENCH_BUILD, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    exe = [json.loads(line).get("executable") for line in out.splitlines() if '"executable"' in line]
    exe = [e for e in exe if e and "collectives" in os.path.basename(e)][0]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    rows = []
    for n in (2, 4):
        proc = subprocess.run(["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(n), exe],
                              capture_output=True, text=True, env=env, check=True)
        rows += [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return rows


def collectives_table(rows):
    lines = [
        "The histogram collective alone (`benches/collectives.rs`, median of repeated calls; one "
        "leaf's histograms: features × 256 bins × 3 whole numbers as f64): the learner's "
        "all-reduce against LightGBM's reduce-scatter by feature blocks followed by an all-gather "
        "of each rank's best split.",
        "",
        "| ranks | features | histogram (KB) | all-reduce (µs) | reduce-scatter + all-gather of best splits (µs) | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['ranks']} | {r['features']} | {r['bytes'] / 1024:.0f} | {r['all_reduce_us']:.0f} | "
            f"{r['reduce_scatter_us']:.0f} | {r['reduce_scatter_us'] / r['all_reduce_us']:.2f}× |")
    return "\n".join(lines)


WIDE_ROWS, WIDE_FEATURES = 200_000, 100


def wide_shards():
    """A wide set (200,000 × 100, make_classification) as one file and two shards, with
    50,000 test rows."""
    folder = os.path.join(DATA, "wide-100")
    whole = os.path.join(folder, "train.csv")
    if not os.path.exists(whole):
        import numpy as np
        from sklearn.datasets import make_classification
        os.makedirs(folder, exist_ok=True)
        x, y = make_classification(n_samples=WIDE_ROWS + 50_000, n_features=WIDE_FEATURES, n_informative=30,
                                   random_state=7)
        header = ",".join([f"f{j}" for j in range(WIDE_FEATURES)] + ["label"])
        table = np.column_stack([x, y])
        fmt = ["%.6g"] * WIDE_FEATURES + ["%d"]
        np.savetxt(os.path.join(folder, "test.csv"), table[WIDE_ROWS:], delimiter=",",
                   header=header, comments="", fmt=fmt)
        table = table[:WIDE_ROWS]
        np.savetxt(whole, table, delimiter=",", header=header, comments="", fmt=fmt)
        for r in range(2):
            lo, hi = WIDE_ROWS * r // 2, WIDE_ROWS * (r + 1) // 2
            np.savetxt(os.path.join(folder, f"part-{r}.csv"), table[lo:hi], delimiter=",",
                       header=header, comments="", fmt=fmt)
    return whole, os.path.join(folder, "part-*.csv")


def wide():
    """Boosting on the wide set: one process, and 2 ranks with each histogram exchange."""
    whole, parts = wide_shards()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    common = ["--target", "label", "--trees", "50", "--task", "classification", "--json",
              "--test", os.path.join(DATA, "wide-100", "test.csv")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("one process", None, [EXAMPLE, "--data", whole])]
        for exchange in ("all-reduce", "reduce-scatter"):
            runs.append((f"2 ranks, {exchange}", exchange,
                         ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2",
                          "-x", "LEARNKIT_HISTOGRAM_EXCHANGE", "-x", "RAYON_NUM_THREADS",
                          EXAMPLE, "--data", parts]))
        for label, exchange, cmd in runs:
            run_env = dict(env, RAYON_NUM_THREADS="1" if exchange else str(os.cpu_count() or 1))
            if exchange:
                run_env["LEARNKIT_HISTOGRAM_EXCHANGE"] = exchange
            proc = subprocess.run(cmd + ["--out", os.path.join(tmp, label), *common],
                                  capture_output=True, text=True, env=run_env)
            if proc.returncode != 0:
                raise RuntimeError(f"{label} failed: {proc.stderr.strip()[-2000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["label"] = label
            rows.append(result)
    return rows


def wide_table(rows):
    base = rows[0]
    lines = [
        f"The exchanges inside a fit: gradient boosting on {WIDE_ROWS:,} × {WIDE_FEATURES} "
        "(make_classification; histograms of 100 × 256 bins, 614 KB — `auto` scatters from "
        "400 KB), 50 trees of 31 leaves, 2 ranks of one thread each; "
        "`LEARNKIT_HISTOGRAM_EXCHANGE` forces each exchange.",
        "",
        "| run | fit (s) | in collectives, rank 0 (s) | sent per tree, rank 0 (KB) | test log-loss | same metrics as one process |",
        "|:---|---:|---:|---:|---:|:---|",
    ]
    for r in rows:
        sent = r.get("bytes_sent_rank0")
        same = all(r.get(k) == base.get(k) for k in ("accuracy", "log_loss"))
        lines.append(
            f"| {r['label']} | {r['fit_seconds']:.2f} | {collective(r)} | "
            f"{'—' if sent is None else f'{sent / 50 / 1024:.0f}'} | "
            f"{r['log_loss']:.6f} | {'yes' if same else 'NO'} |")
    return "\n".join(lines)


def table(rows):
    base = rows[0]
    lines = [
        f"Measured {date.today()} on {os.cpu_count()} cores ({platform.machine()}), Open MPI on one "
        "machine (ranks talk through shared memory); `make bench-distributed`. 1,000,000 × 20 "
        f"training rows, {TREES} trees of 31 leaves, test set 200,000 rows.",
        "",
        "| ranks | fit (s) | in collectives, rank 0 (s) | whole run (s) | peak RSS, rank 0 (MB) | peak RSS, other ranks (MB) | vs one process (rank 0 / others) | sent per tree, rank 0 (KB) | test accuracy | same metrics as one process |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for r in rows:
        sent = r.get("bytes_sent_rank0")
        same = all(r.get(k) == base.get(k) for k in ("accuracy", "log_loss", "n_trees_used"))
        others = r["rss_others"]
        ratio = f"{r['rss'] / base['rss']:.2f}×" + ("" if others is None else f" / {others / base['rss']:.2f}×")
        lines.append(
            f"| {r['ranks']} | {r['fit_seconds']:.2f} | {collective(r)} | {r['wall']:.2f} | {r['rss']:.0f} | "
            f"{'—' if others is None else f'{others:.0f}'} | {ratio} | "
            f"{'—' if sent is None else f'{sent / int(TREES) / 1024:.0f}'} | {r['accuracy']:.4f} | "
            f"{'yes' if same else 'NO'} |")
    return "\n".join(lines)


def main():
    scale.make_data()
    rows = [run(n) for n in (1, 2, 4)]
    for r in rows:
        print(json.dumps(r))
    scatter = collectives()
    for r in scatter:
        print(json.dumps(r))
    wides = wide()
    for r in wides:
        print(json.dumps(r))
    text = open(DOC).read()
    block = (f"{BEGIN}\n{table(rows)}\n\n{collectives_table(scatter)}\n\n{wide_table(wides)}\n"
             f"{END}")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n## Data-parallel gradient boosting (MPI)\n\n" + block + "\n"
    open(DOC, "w").write(text)
    print(table(rows))


if __name__ == "__main__":
    main()
