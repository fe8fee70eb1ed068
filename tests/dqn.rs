//! DQN on libtorch (feature `tch`): learning happens, runs are reproducible, checkpoints resume
//! exactly and refuse a different architecture.
#![cfg(feature = "tch")]

use learnkit::envs::{CartPole, Env, GridWorld, MapSpec};
use learnkit::rl::dqn::{Dqn, DqnConfig, TargetUpdate};
use learnkit::rl::{evaluate, train, Control, Schedule, TrainConfig, TrainReport};
use learnkit::Error;

fn small_config(seed: u64) -> DqnConfig {
    DqnConfig::params()
        .hidden(vec![32])
        .learning_rate(1e-3)
        .buffer_size(10_000)
        .batch_size(32)
        .learning_starts(200)
        .train_frequency(1)
        .gradient_steps(1)
        .target_update(TargetUpdate::Hard { every: 100 })
        .exploration(Schedule::Linear {
            start: 1.0,
            end: 0.05,
            duration: 2000,
        })
        .seed(seed)
}

fn run<E: Env>(env: &mut E, agent: &mut Dqn<E::Observation>, steps: usize, seed: u64) -> TrainReport
where
    E::Observation: learnkit::envs::Features,
{
    let config = TrainConfig::params()
        .episodes(1_000_000)
        .max_env_steps(Some(steps))
        .max_episode_steps(500)
        .seed(seed);
    train(env, agent, &config, |_, _| Ok(Control::Continue)).unwrap()
}

#[test]
fn dqn_learns_the_non_slippery_frozen_lake() {
    let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(false)).unwrap();
    let mut agent: Dqn<usize> = Dqn::new(small_config(0), &env.observation_space(), 4).unwrap();
    let before = evaluate(&mut env, &mut agent, 10, 0, 100).unwrap();
    run(&mut env, &mut agent, 4000, 0);
    let after = evaluate(&mut env, &mut agent, 10, 0, 100).unwrap();
    assert!(
        after.success_rate == 1.0,
        "greedy success {} (before training {})",
        after.success_rate,
        before.success_rate
    );
    assert!(!agent.history().is_empty());
}

#[test]
fn same_seed_same_learning_curve_on_cpu() {
    let curve = |seed| {
        let mut env = CartPole::v1();
        let mut agent: Dqn<[f64; 4]> =
            Dqn::new(small_config(seed), &env.observation_space(), 2).unwrap();
        let report = run(&mut env, &mut agent, 2500, seed);
        (
            report
                .episodes
                .iter()
                .map(|e| e.episode_return)
                .collect::<Vec<_>>(),
            agent.parameters().unwrap(),
        )
    };
    let (a, pa) = curve(5);
    let (b, pb) = curve(5);
    assert_eq!(a, b);
    assert_eq!(pa, pb);
    let (c, _) = curve(6);
    assert_ne!(a, c);
}

#[test]
fn checkpoints_resume_with_identical_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dqn.ckpt");
    let mut env = CartPole::v1();
    let mut first: Dqn<[f64; 4]> = Dqn::new(small_config(3), &env.observation_space(), 2).unwrap();
    run(&mut env, &mut first, 1500, 3);
    first.save_checkpoint(&path, true).unwrap();

    let mut resumed: Dqn<[f64; 4]> =
        Dqn::new(small_config(99), &env.observation_space(), 2).unwrap();
    resumed.load_checkpoint(&path).unwrap();
    assert_eq!(resumed.parameters().unwrap(), first.parameters().unwrap());
    assert_eq!(resumed.steps(), 1500);
    assert_eq!(resumed.buffer(), first.buffer());

    let a = run(&mut CartPole::v1(), &mut first, 800, 11);
    let b = run(&mut CartPole::v1(), &mut resumed, 800, 11);
    assert_eq!(
        a.episodes
            .iter()
            .map(|e| e.episode_return)
            .collect::<Vec<_>>(),
        b.episodes
            .iter()
            .map(|e| e.episode_return)
            .collect::<Vec<_>>()
    );
    assert_eq!(first.parameters().unwrap(), resumed.parameters().unwrap());
}

#[test]
fn checkpoint_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dqn.ckpt");
    let space = CartPole::v1().observation_space();
    let agent: Dqn<[f64; 4]> = Dqn::new(small_config(1), &space, 2).unwrap();
    agent.save_checkpoint(&path, false).unwrap();
    let mut wider: Dqn<[f64; 4]> =
        Dqn::new(small_config(1).hidden(vec![64, 64]), &space, 2).unwrap();
    let err = wider.load_checkpoint(&path).unwrap_err();
    assert!(matches!(err, Error::IncompatibleModel { .. }), "{err}");
    assert!(
        err.to_string().contains("4-64-64-2") && err.to_string().contains("4-32-2"),
        "{err}"
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let mut same: Dqn<[f64; 4]> = Dqn::new(small_config(1), &space, 2).unwrap();
    assert!(matches!(
        same.load_checkpoint(&path).unwrap_err(),
        Error::CorruptModel { .. }
    ));
    assert!(matches!(
        same.load_checkpoint(dir.path().join("missing"))
            .unwrap_err(),
        Error::Io { .. }
    ));
}

#[test]
fn bad_hyper_parameters_are_errors() {
    let space = CartPole::v1().observation_space();
    let bad = [
        small_config(0).hidden(vec![]),
        small_config(0).learning_rate(0.0),
        small_config(0).gamma(1.5),
        small_config(0).batch_size(0),
        small_config(0).target_update(TargetUpdate::Soft { tau: 0.0 }),
        small_config(0).max_grad_norm(Some(-1.0)),
        // Hostile sizes are refused before anything is allocated.
        small_config(0).hidden(vec![1 << 30]),
        small_config(0).hidden(vec![8; 100]),
        small_config(0).threads(1 << 20),
        small_config(0).buffer_size(usize::MAX / 2),
        small_config(0).buffer_size(1 << 40),
    ];
    for config in bad {
        assert!(matches!(
            Dqn::<[f64; 4]>::new(config, &space, 2),
            Err(Error::InvalidParameter { .. })
        ));
    }
}

/// Structure-aware corruption of a real checkpoint: each crafted size, count, index or value is
/// a typed one-line error, never a panic, an overflow or a huge allocation.
#[test]
fn crafted_checkpoints_are_one_line_errors() {
    use tch::Tensor;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dqn.ckpt");
    let mut env = CartPole::v1();
    let mut agent: Dqn<[f64; 4]> = Dqn::new(small_config(2), &env.observation_space(), 2).unwrap();
    run(&mut env, &mut agent, 300, 2);
    agent.save_checkpoint(&path, true).unwrap();
    let original = Tensor::load_multi(&path).unwrap();
    let n = agent.buffer().len() as i64;
    let crafted: Vec<(&str, Tensor)> = vec![
        ("replay.meta", Tensor::from_slice(&[i64::MAX, n])),
        ("replay.meta", Tensor::from_slice(&[-1i64, n])),
        ("replay.meta", Tensor::from_slice(&[10_000i64, -5])),
        ("replay.meta", Tensor::from_slice(&[1i64 << 40, 1 << 40])),
        ("replay.meta", Tensor::from_slice(&[10_000i64, n + 1])),
        (
            "replay.actions",
            Tensor::from_slice(&vec![7i64; n as usize]),
        ),
        (
            "replay.actions",
            Tensor::from_slice(&vec![-1i64; n as usize]),
        ),
        (
            "replay.rewards",
            Tensor::from_slice(&vec![f32::NAN; n as usize]),
        ),
        ("meta", Tensor::from_slice(&[1i64, -3, 0, 0, 4, 32, 2])),
        ("meta", Tensor::from_slice(&[1i64, 0, 0, 0, 4, -32, 2])),
        ("meta", Tensor::from_slice(&[99i64, 0, 0, 0, 4, 32, 2])),
        ("online", Tensor::from_slice(&[1.0f32, 2.0])),
    ];
    for (name, replacement) in crafted {
        let tensors: Vec<(String, Tensor)> = original
            .iter()
            .map(|(n, t)| {
                let t = if n == name {
                    replacement.shallow_clone()
                } else {
                    t.shallow_clone()
                };
                (n.clone(), t)
            })
            .collect();
        let bad = dir.path().join("bad.ckpt");
        Tensor::save_multi(&tensors, &bad).unwrap();
        let mut fresh: Dqn<[f64; 4]> =
            Dqn::new(small_config(2), &env.observation_space(), 2).unwrap();
        let err = fresh.load_checkpoint(&bad).unwrap_err();
        let message = err.to_string();
        assert_eq!(message.lines().count(), 1, "{name}: {message}");
        assert!(
            matches!(
                err,
                Error::CorruptModel { .. } | Error::IncompatibleModel { .. }
            ),
            "{name}: {message}"
        );
    }
    // Truncated at several points.
    let bytes = std::fs::read(&path).unwrap();
    for cut in [1, bytes.len() / 3, bytes.len() - 1] {
        let bad = dir.path().join("cut.ckpt");
        std::fs::write(&bad, &bytes[..cut]).unwrap();
        let mut fresh: Dqn<[f64; 4]> =
            Dqn::new(small_config(2), &env.observation_space(), 2).unwrap();
        let err = fresh.load_checkpoint(&bad).unwrap_err();
        assert_eq!(err.to_string().lines().count(), 1, "cut at {cut}: {err}");
    }
}
