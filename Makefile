# learnkit's two commands (see README.md). Both provision libtorch on first use through
# scripts/with-torch.sh: torch==2.13.0 from PyPI into .venv, reused afterwards.

TORCH := scripts/with-torch.sh
# The tests and lints build every feature: libtorch (tch) and an MPI library (mpi).
TOOLS := scripts/with-torch.sh scripts/with-mpi.sh
ARGS ?=

.PHONY: tour test python lint bench bench-python bench-scale bench-10m bench-categorical bench-columnar bench-boosting bench-tabular bench-dqn bench-distributed bench-mlp clean-venv

## Runs every algorithm on built-in data and writes reports/index.html with all PNG reports.
tour:
	$(TORCH) cargo run --release --features tch --example tour -- $(ARGS)

## Runs the whole test suite (unit, integration, doc tests; the tch tests included), then builds
## the Python package and runs its pytest suite (scikit-learn's and Gymnasium's checkers included).
test:
	$(TOOLS) cargo test --workspace --exclude learnkit-python --all-features
	$(TORCH) scripts/python.sh test

## Installs the Python package from this checkout into a fresh virtual environment (.venv-python;
## `source .venv-python/bin/activate`, then `import learnkit`). See docs/python.md.
python:
	scripts/python.sh install

## Formatting, clippy, the lean core (no default features: no plotters, clap, indicatif, tch, arrow or
## linfa-datasets in its tree; clap in no build of the library) and the API docs with warnings denied, as CI runs them.
LEAN_FORBIDDEN := plotters|clap|indicatif|tch|mpi|linfa-datasets|parquet|arrow-array|arrow-ipc

lint:
	cargo fmt --all -- --check
	$(TOOLS) cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy -p learnkit --lib --no-default-features -- -D warnings
	@if cargo tree -p learnkit --no-default-features -e normal --prefix none | grep -Eq '^($(LEAN_FORBIDDEN)) '; then \
		echo "lean core pulls a feature-gated dependency:"; \
		cargo tree -p learnkit --no-default-features -e normal --prefix none | grep -E '^($(LEAN_FORBIDDEN)) '; exit 1; fi
	@if cargo tree -p learnkit --all-features -e normal --prefix none | grep -Eq '^clap '; then \
		echo "the library pulls clap: command-line code belongs in cli/ (learnkit-cli)"; exit 1; fi
	RUSTDOCFLAGS="-D warnings" $(TOOLS) cargo doc --no-deps --workspace --all-features

PEERS := "scikit-learn==1.9.1" threadpoolctl "gymnasium==1.4.0" "stable-baselines3>=2.7" matplotlib

## Side-by-side benchmarks against the Python peers (scikit-learn, Gymnasium, NumPy Q-learning
## loops on Taxi and Blackjack, Stable-Baselines3, CleanRL's DQN); rewrites the tables in
## docs/benchmarks.md and draws docs/img/dqn_time_to_solve.png. ~45 minutes.
# Some machines pin OpenBLAS to an older kernel (OPENBLAS_CORETYPE) for safety; the benchmarks
# let numpy pick its best one, so the peers are measured at their fastest.
NATIVE_BLAS := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE

bench:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) && python3 benches/side_by_side.py $(ARGS) && python3 benches/tabular.py && python3 benches/dqn_peers.py'

## The million-row benchmark against LightGBM and scikit-learn (fit, whole run, peak RSS,
## quality); rewrites the scale table in docs/benchmarks.md. ~15 minutes.
bench-scale:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) "lightgbm==4.7.0" && python3 benches/scale.py $(ARGS)'

## Gradient boosting on a generated Higgs-shaped set (10.5M × 28, Parquet) against LightGBM and
## XGBoost hist, 2 threads, same files, same run: fit, read, whole run, peak RSS, test ROC AUC;
## rewrites the 10M table in docs/benchmarks.md. ~15 minutes.
bench-10m:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) "pyarrow==26.0.1" "lightgbm==4.7.0" "xgboost==3.1.2" && python3 benches/bench10m.py $(ARGS)'

## Gradient boosting with three string columns (20, 200, 2,000 categories) against LightGBM's
## categorical handling, 2 threads, same Parquet files, same run; rewrites the categorical table
## in docs/benchmarks.md. ~3 minutes.
bench-categorical:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) "pyarrow==26.0.1" "lightgbm==4.7.0" && python3 benches/bench_categorical.py $(ARGS)'

## The million-row runs from Parquet copies of the scale data against CSV, and learnkit's CSV
## reader against pyarrow's read_csv; rewrites the columnar table in docs/benchmarks.md. ~5 minutes.
bench-columnar:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) "pyarrow==26.0.1" && python3 benches/columnar.py $(ARGS)'

## Gradient boosting against LightGBM, XGBoost and scikit-learn HGB (80k, 1M and real sets: fit,
## predict, peak RSS, quality; three interleaved runs per tool on 80k and 1M); rewrites the
## boosting table in docs/benchmarks.md. ~14 minutes.
bench-boosting:
	$(TORCH) $(NATIVE_BLAS) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) "lightgbm==4.7.0" "xgboost==3.1.2" && python3 benches/boosting.py $(ARGS)'

## Tabular RL on Taxi-v4 and Blackjack-v1 against a NumPy Q-learning loop on Gymnasium and the
## optimal policies; rewrites the tabular table in docs/benchmarks.md. ~3 minutes.
bench-tabular:
	$(TORCH) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) && python3 benches/tabular.py $(ARGS)'

## learnkit's Python package against scikit-learn, LightGBM and XGBoost on the same NumPy arrays in
## one process, and against the Rust examples' fits; rewrites the Python table in
## docs/benchmarks.md. ~10 minutes.
bench-python:
	$(TORCH) $(NATIVE_BLAS) scripts/python.sh bench $(ARGS)

## Only the DQN comparison (CartPole seeds 1-20 and 10 fresh ones, the options, SB3 and CleanRL,
## Acrobot, MountainCar, the strip plot). ~27 minutes.
bench-dqn:
	$(TORCH) sh -c 'python3 -m pip install --quiet --disable-pip-version-check $(PEERS) && python3 benches/dqn_peers.py $(ARGS)'

## learnkit's MLP against scikit-learn's MLPClassifier on digits and breast cancer (same rows, same
## run); rewrites the MLP table in docs/benchmarks.md. ~2 minutes.
bench-mlp:
	$(TORCH) $(NATIVE_BLAS) sh -c 'cargo build --release --features tch --example mlp && python3 -m pip install --quiet --disable-pip-version-check $(PEERS) && python3 benches/mlp_peers.py $(ARGS)'

## Removes the provisioned virtual environment (the next run re-creates it).
clean-venv:
	rm -rf .venv

## Data-parallel gradient boosting on MPI: 1, 2 and 4 ranks on the million-row scale set (fit,
## peak RSS per rank, bytes sent per tree, same test metrics as one process); rewrites the
## distributed table in docs/benchmarks.md. ~10 minutes.
bench-distributed:
	$(TOOLS) sh -c 'cargo build --release --features mpi --example gradient_boosting && python3 -m pip install --quiet --disable-pip-version-check $(PEERS) && python3 benches/distributed.py $(ARGS)'
