"""Columnar input: the million-row runs of benches/scale.py from Parquet copies of the same CSV
files, against the CSV runs and against pyarrow's CSV reader, in the same run. Rewrites the
columnar table in docs/benchmarks.md.

    make bench-columnar        # ~5 minutes on 2 cores

The Parquet copies are written by pyarrow (snappy, its defaults) from the CSV files of
benches/scale.py. learnkit runs as a new user would: the release example binary with `--data
FILE --json`; "read" is the `load_seconds` its JSON reports, "fit" `fit_seconds`, "whole run"
the process's wall time, peak RSS from wait4. pyarrow.csv.read_csv runs in its own process with
2 threads (`pa.set_cpu_count(2)`), reading each CSV file into an Arrow table.
"""
import json
import os
import platform
import subprocess
import sys
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402  (the data, and the measured process runner)

DATA = scale.DATA
DOC = scale.DOC
BEGIN, END = "<!-- columnar:begin -->", "<!-- columnar:end -->"


def parquet_copies():
    import pyarrow.csv as pc
    import pyarrow.parquet as pq
    for name in ("train", "test", "blobs", "wide"):
        target = os.path.join(DATA, f"{name}.parquet")
        if not os.path.exists(target):
            pq.write_table(pc.read_csv(os.path.join(DATA, f"{name}.csv")), target)


def pyarrow_read(name):
    """Seconds for pyarrow.csv.read_csv on one file, 2 threads, in a fresh process."""
    code = (
        "import time, pyarrow as pa, pyarrow.csv as pc\n"
        "pa.set_cpu_count(2); pa.set_io_thread_count(2)\n"
        f"t = time.perf_counter(); pc.read_csv({os.path.join(DATA, name)!r}); "
        "print(time.perf_counter() - t)\n"
    )
    _, _, out = scale.run_measured([sys.executable, "-c", code])
    return float(out.strip().splitlines()[-1])


RUNS = [
    ("random forest, 100 trees, 1M×20", "random_forest",
     ["--data", "train", "--test", "test", "--target", "label", "--trees", "100"], ["train", "test"]),
    ("K-means k=8, 1M×10", "kmeans_elbow", ["--data", "blobs", "--k", "8"], ["blobs"]),
    ("PCA 200k×200 → 20", "pca", ["--data", "wide", "--components", "20"], ["wide"]),
]


def args_for(args, ext):
    out, files = [], {"train", "test", "blobs", "wide"}
    for a in args:
        out.append(os.path.join(DATA, f"{a}.{ext}") if a in files else a)
    return out


def main():
    scale.make_data()
    parquet_copies()
    subprocess.run(["cargo", "build", "--release", "--example", "random_forest", "--example",
                    "kmeans_elbow", "--example", "pca"], cwd=scale.ROOT, check=True)
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} cores by "
        "`make bench-columnar` (benches/columnar.py); one run.",
        "",
        "| work | input | read | fit | whole run | whole ÷ (fit + 0.1 s) | peak RSS | pyarrow `read_csv`, 2 threads |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for work, example, args, files in RUNS:
        pa_seconds = sum(pyarrow_read(f"{f}.csv") for f in files)
        for ext in ("csv", "parquet"):
            print(f"columnar: {example} {ext}", file=sys.stderr)
            r = scale.learnkit(example, *args_for(args, ext))
            mb = sum(os.path.getsize(os.path.join(DATA, f"{f}.{ext}")) for f in files) / 1e6
            lines.append(
                f"| {work} | {ext} ({mb:.0f} MB) | {r['load_seconds']:.2f} s | {r['fit_seconds']:.2f} s "
                f"| {r['wall']:.2f} s | {r['wall'] / (r['fit_seconds'] + 0.1):.2f} | {r['rss']:.0f} MB "
                f"| {pa_seconds:.2f} s (CSV) |"
            )
    table = "\n".join(lines)
    print(table)
    doc = open(DOC).read()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        doc = f"{head}{BEGIN}\n{table}\n{END}{tail}"
        open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
