"""Best CV accuracy of the forest grid search over several seeds, learnkit against scikit-learn
(the accuracy side of the grid-search row of docs/benchmarks.md, which depends on each
forest's random stream). Needs the data of `make bench` (target/bench-data/grid.csv) and the
release example:

    cargo build --release --example model_selection
    scripts/with-torch.sh python3 benches/grid_seeds.py [SEEDS...]
"""
import json
import os
import subprocess
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "target", "bench-data", "grid.csv")
GRID = {"max_depth": [4, 8, 16, None], "max_features": ["sqrt", 0.5]}

raw = np.loadtxt(DATA, delimiter=",", skiprows=1)
x, y = raw[:, :-1], raw[:, -1]
seeds = [int(s) for s in sys.argv[1:]] or [0, 1, 2, 3]
print("| seed | learnkit | scikit-learn | difference |\n|---|---|---|---|")
for seed in seeds:
    exe = os.path.join(ROOT, "target", "release", "examples", "model_selection")
    out = subprocess.run([exe, "--data", DATA, "--target", "y", "--model", "forest", "--trees", "50",
                          "--cv", "5", "--stratified", "--seed", str(seed),
                          "--grid", "max_depth=4,8,16,none;max_features=sqrt,0.5",
                          "--out", os.path.join(ROOT, "target", "bench-grid"), "--json"],
                         check=True, capture_output=True, text=True).stdout
    ours = json.loads(out.strip().splitlines()[-1])["best_score"]
    theirs = GridSearchCV(RandomForestClassifier(n_estimators=50, random_state=seed), GRID,
                          cv=StratifiedKFold(5), n_jobs=1).fit(x, y).best_score_
    print(f"| {seed} | {ours:.4f} | {theirs:.4f} | {ours - theirs:+.4f} |", flush=True)
