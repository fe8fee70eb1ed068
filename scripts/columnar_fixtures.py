"""Writes the columnar fixtures of tests/columnar.rs: one small table as CSV and as the files
the tools users bring write by default — pyarrow's Parquet (snappy), Polars' Parquet (zstd),
pandas' `to_parquet`, and pyarrow's Feather v2 (Arrow IPC, lz4) — plus a copy with nulls and a Feather v1 file.

    python3 -m pip install pyarrow polars pandas
    python3 scripts/columnar_fixtures.py   # rewrites tests/fixtures/columnar/

The table (seed 7, 300 rows): float, integer and boolean features, a string label.
"""
import pathlib

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "columnar"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    n = 300
    a = rng.normal(size=n).round(6)
    b = rng.integers(-50, 50, size=n)
    c = rng.random(n) < 0.3
    score = a + b / 25 + c * 0.8 + rng.normal(scale=0.3, size=n)
    label = np.where(score > 0.5, "high", np.where(score > -0.5, "mid", "low"))
    df = pd.DataFrame({"a": a, "b": b, "c": c, "label": label})

    # The CSV copy: booleans as 0/1, as learnkit reads them from Parquet.
    csv = df.assign(c=df.c.astype(int))
    csv.to_csv(OUT / "table.csv", index=False, float_format="%.17g")

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, OUT / "pyarrow.parquet")  # snappy
    pl.from_pandas(df).write_parquet(OUT / "polars.parquet")  # zstd
    df.to_parquet(OUT / "pandas.parquet")  # pyarrow engine, index as metadata
    feather.write_feather(table, OUT / "pyarrow.feather")  # Arrow IPC, lz4
    # Feather version 1 (not Arrow IPC): refused with what to do instead.
    feather.write_feather(table.slice(0, 20), OUT / "feather_v1.feather", version=1)

    # Nulls in a float and an integer column: missing values for boosting.
    gaps = df.copy()
    gaps["a"] = gaps.a.mask(np.arange(n) % 7 == 0)
    gaps["b"] = pd.Series(gaps.b, dtype="Int64").mask(np.arange(n) % 11 == 3)
    pq.write_table(pa.Table.from_pandas(gaps, preserve_index=False), OUT / "nulls.parquet")
    gaps.assign(c=gaps.c.astype(int)).to_csv(OUT / "nulls.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
