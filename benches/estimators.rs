//! Criterion benchmarks of the estimators and agents on generated data
//! (`cargo bench --bench estimators`): statistics over many runs, to see the effect of a change
//! to learnkit itself. The side-by-side comparison with the Python peers is `make bench`
//! (benches/side_by_side.py and benches/dqn_peers.py).

use criterion::{criterion_group, criterion_main, Criterion};
use learnkit::cluster::KMeans;
use learnkit::data::{MakeBlobs, MakeClassification, MakeRegression};
use learnkit::decomposition::{Components, Pca};
use learnkit::envs::{CartPole, Env, GridWorld, MapSpec};
use learnkit::linear::{LinearRegression, LogisticRegression};
use learnkit::prelude::*;
use learnkit::rl::{train, Control, QLearning, Schedule, TrainConfig};
use learnkit::tree::{DecisionTreeClassifier, RandomForest};

fn classification() -> Dataset<usize> {
    MakeClassification::params()
        .n_samples(80_000)
        .n_features(20)
        .n_informative(10)
        .seed(0)
        .generate()
        .expect("classification data")
}

fn linear(c: &mut Criterion) {
    let reg = MakeRegression::params()
        .n_samples(100_000)
        .n_features(20)
        .noise(1.0)
        .seed(0)
        .generate()
        .expect("regression data");
    c.bench_function("ols_fit_100k_x20", |b| {
        b.iter(|| LinearRegression::params().fit(&reg).expect("fit"))
    });
    let clf = classification();
    let mut group = c.benchmark_group("logistic");
    group.sample_size(10);
    group.bench_function("logistic_fit_80k_x20", |b| {
        b.iter(|| LogisticRegression::params().fit(&clf).expect("fit"))
    });
    group.finish();
}

fn trees(c: &mut Criterion) {
    let clf = classification();
    let mut group = c.benchmark_group("trees");
    group.sample_size(10);
    group.bench_function("tree_fit_80k_x20", |b| {
        b.iter(|| DecisionTreeClassifier::params().fit(&clf).expect("fit"))
    });
    group.bench_function("forest_20_trees_80k_x20", |b| {
        b.iter(|| {
            RandomForest::classifier()
                .n_estimators(20)
                .seed(0)
                .fit(&clf)
                .expect("fit")
        })
    });
    group.finish();
}

fn unsupervised(c: &mut Criterion) {
    let blobs = MakeBlobs::params()
        .n_samples(100_000)
        .n_features(10)
        .centers(8)
        .seed(0)
        .generate()
        .expect("blobs");
    let mut group = c.benchmark_group("unsupervised");
    group.sample_size(10);
    group.bench_function("kmeans_k8_100k_x10", |b| {
        b.iter(|| {
            KMeans::params()
                .n_clusters(8)
                .seed(0)
                .fit(&blobs)
                .expect("fit")
        })
    });
    let wide = MakeClassification::params()
        .n_samples(20_000)
        .n_features(100)
        .n_informative(30)
        .seed(0)
        .generate()
        .expect("wide data");
    group.bench_function("pca_20k_x100_to_10", |b| {
        b.iter(|| {
            Pca::params()
                .n_components(Components::Count(10))
                .fit(&wide)
                .expect("fit")
        })
    });
    group.finish();
}

fn rl(c: &mut Criterion) {
    let mut group = c.benchmark_group("rl");
    group.sample_size(10);
    group.bench_function("cartpole_100k_steps", |b| {
        b.iter(|| {
            let mut env = CartPole::v1();
            env.reset(Some(0));
            for t in 0..100_000 {
                if env.step(t % 2).expect("step").done() {
                    env.reset(None);
                }
            }
        })
    });
    group.bench_function("qlearning_frozen_lake_2000_episodes", |b| {
        b.iter(|| {
            let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap();
            let mut agent = QLearning::params()
                .exploration(Schedule::Constant(0.1))
                .seed(0)
                .build(16, 4)
                .expect("agent");
            train(
                &mut env,
                &mut agent,
                &TrainConfig::params().episodes(2000),
                |_, _| Ok(Control::Continue),
            )
            .expect("train")
        })
    });
    group.finish();
}

criterion_group!(benches, linear, trees, unsupervised, rl);
criterion_main!(benches);
