# learnkit's two commands (see README.md). Both provision libtorch on first use through
# scripts/with-torch.sh: torch==2.13.0 from PyPI into .venv, reused afterwards.

TORCH := scripts/with-torch.sh
ARGS ?=

.PHONY: tour test lint bench clean-venv

## Runs every algorithm on built-in data and writes reports/index.html with all PNG reports.
tour:
	$(TORCH) cargo run --release --features tch --example tour -- $(ARGS)

## Runs the whole test suite (unit, integration, doc tests; the tch tests included).
test:
	$(TORCH) cargo test --workspace --all-features

## Formatting and clippy, as CI runs them.
lint:
	cargo fmt --all -- --check
	$(TORCH) cargo clippy --workspace --all-targets --all-features -- -D warnings

## Side-by-side benchmarks against the Python peers; rewrites docs/benchmarks.md.
bench:
	$(TORCH) sh -c 'python3 -m pip install --quiet --disable-pip-version-check "scikit-learn==1.9.1" threadpoolctl gymnasium && python3 benches/side_by_side.py $(ARGS)'

## Removes the provisioned virtual environment (the next run re-creates it).
clean-venv:
	rm -rf .venv
