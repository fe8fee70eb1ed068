//! Criterion benchmarks of the estimators on generated data (`cargo bench --bench estimators`).
//! The side-by-side comparison with the Python peers is `make bench` (benches/side_by_side.py).

use criterion::{criterion_group, criterion_main, Criterion};
use learnkit::data::{MakeClassification, MakeRegression};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::prelude::*;

fn linear(c: &mut Criterion) {
    let (reg, _) = MakeRegression {
        n_samples: 100_000,
        n_features: 20,
        noise: 1.0,
        seed: 0,
        ..Default::default()
    }
    .generate()
    .expect("regression data");
    c.bench_function("ols_fit_100k_x20", |b| {
        b.iter(|| LinearRegression::params().fit(&reg).expect("fit"))
    });
    let clf = MakeClassification {
        n_samples: 80_000,
        n_features: 20,
        n_informative: 10,
        seed: 0,
        ..Default::default()
    }
    .generate()
    .expect("classification data");
    let mut group = c.benchmark_group("logistic");
    group.sample_size(10);
    group.bench_function("logistic_fit_80k_x20", |b| {
        b.iter(|| LogisticRegression::params().fit(&clf).expect("fit"))
    });
    group.finish();
}

criterion_group!(benches, linear);
criterion_main!(benches);
