//! DQN on libtorch (feature `tch`): learning happens, runs are reproducible, checkpoints resume
//! exactly and refuse a different architecture.
#![cfg(feature = "tch")]

use learnkit::envs::{CartPole, Env, GridWorld, MapSpec, Space, VecEnv};
use learnkit::rl::dqn::{Dqn, DqnConfig, TargetUpdate};
use learnkit::rl::{
    evaluate, train, train_vec, Agent, Control, Schedule, TrainConfig, TrainReport, Transition,
};
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

/// Trains a DQN with `config` for 4,000 steps on the non-slippery FrozenLake and returns its
/// greedy success rate over 10 episodes.
fn lake_success(config: DqnConfig) -> f64 {
    let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(false)).unwrap();
    let mut agent: Dqn<usize> = Dqn::new(config, &env.observation_space(), 4).unwrap();
    run(&mut env, &mut agent, 4000, 0);
    evaluate(&mut env, &mut agent, 10, 0, 100)
        .unwrap()
        .success_rate
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
        small_config(0).n_step(0),
        small_config(0).n_step(65),
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

/// Dueling heads: Q(s, a) = V(s) + A(s, a) − mean A(s, ·), computed here by hand from the flat
/// parameters ([W₁ b₁ W₂ b₂], the last layer with 1 + n_actions outputs: V first).
#[test]
fn dueling_q_values_are_value_plus_centred_advantage() {
    let space = CartPole::v1().observation_space();
    let mut agent: Dqn<[f64; 4]> =
        Dqn::new(small_config(4).hidden(vec![5]).dueling(true), &space, 2).unwrap();
    let p = agent.parameters().unwrap();
    assert_eq!(p.len(), 4 * 5 + 5 + 5 * 3 + 3);
    let x = [0.03f32, -0.2, 0.1, 0.4];
    let hidden: Vec<f32> = (0..5)
        .map(|o| {
            let s = p[20 + o] + (0..4).map(|i| p[o * 4 + i] * x[i]).sum::<f32>();
            s.max(0.0)
        })
        .collect();
    let out: Vec<f32> = (0..3)
        .map(|o| p[25 + 15 + o] + (0..5).map(|i| p[25 + o * 5 + i] * hidden[i]).sum::<f32>())
        .collect();
    let mean = (out[1] + out[2]) / 2.0;
    let expected = [out[0] + out[1] - mean, out[0] + out[2] - mean];
    let q = agent.q_values(&x.map(f64::from)).unwrap();
    for (a, b) in q.iter().zip(expected) {
        assert!((a - b).abs() < 1e-5, "{q:?} vs {expected:?}");
    }
    // The network still learns FrozenLake with dueling heads.
    assert_eq!(lake_success(small_config(0).dueling(true)), 1.0);
}

/// Acting on a batch gives the actions acting one by one gives, with the same random draws.
#[test]
fn batched_acting_matches_one_by_one() {
    let space = CartPole::v1().observation_space();
    let observations: Vec<[f64; 4]> = (0..9)
        .map(|i| {
            let t = i as f64 / 9.0;
            [t - 0.5, 0.3 - t, 0.1 * t, t * t - 0.2]
        })
        .collect();
    for dueling in [false, true] {
        let config = small_config(8)
            .dueling(dueling)
            .exploration(Schedule::Constant(0.4));
        let mut one: Dqn<[f64; 4]> = Dqn::new(config.clone(), &space, 2).unwrap();
        let mut batch: Dqn<[f64; 4]> = Dqn::new(config, &space, 2).unwrap();
        for explore in [true, false] {
            let singles: Vec<usize> = observations
                .iter()
                .map(|o| one.act(o, explore).unwrap())
                .collect();
            assert_eq!(batch.act_batch(&observations, explore).unwrap(), singles);
        }
    }
}

/// n-step returns, worked by hand: n = 3, γ = 0.5, rewards 1, 2, 3, 4, the fourth step
/// terminal. Stored: (s₀, 1 + 0.5·2 + 0.25·3 = 2.75, s₃, 3 steps), then at the end
/// (s₁, 2 + 1.5 + 1 = 4.5, s₄, 3 steps, terminal), (s₂, 3 + 2 = 5, 2 steps), (s₃, 4, 1 step).
/// A second copy's transitions, interleaved, are kept apart.
#[test]
fn n_step_returns_match_the_hand_computation() {
    let config = small_config(0)
        .n_step(3)
        .gamma(0.5)
        .learning_starts(1_000_000);
    let mut agent: Dqn<usize> = Dqn::new(config, &Space::Discrete(12), 2).unwrap();
    let rewards = [1.0, 2.0, 3.0, 4.0];
    for (t, reward) in rewards.into_iter().enumerate() {
        for env in [0usize, 1] {
            // Copy 1 lives in states 6.. and is cut by a time limit instead.
            let base = 6 * env;
            agent
                .learn(&Transition {
                    observation: &(base + t),
                    action: t % 2,
                    reward: reward * (1 + env) as f64,
                    next_observation: &(base + t + 1),
                    next_action: None,
                    terminated: t == 3 && env == 0,
                    truncated: t == 3 && env == 1,
                    env,
                })
                .unwrap();
        }
    }
    let buffer = agent.buffer();
    assert_eq!(buffer.len(), 8);
    let state = |features: &[f32]| features.iter().position(|&v| v == 1.0).unwrap();
    let stored: Vec<(usize, f32, usize, usize, bool, bool)> = (0..8)
        .map(|i| {
            let t = buffer.get(i).unwrap();
            (
                state(t.observation),
                t.reward,
                state(t.next_observation),
                t.steps,
                t.terminated,
                t.truncated,
            )
        })
        .collect();
    let expected = vec![
        (0, 2.75, 3, 3, false, false),
        (6, 5.5, 9, 3, false, false),
        (1, 4.5, 4, 3, true, false),
        (2, 5.0, 4, 2, true, false),
        (3, 4.0, 4, 1, true, false),
        (7, 9.0, 10, 3, false, true),
        (8, 10.0, 10, 2, false, true),
        (9, 8.0, 10, 1, false, true),
    ];
    assert_eq!(stored, expected);
}

/// A vector environment of one copy is the single-environment loop: same episodes, same
/// network. With several copies, nothing is learnt across an episode boundary (no stored
/// transition starts from a terminal CartPole state), and the run is reproducible.
#[test]
fn vectorised_collection_is_the_single_loop_with_one_copy() {
    let config = TrainConfig::params()
        .episodes(1_000_000)
        .max_env_steps(Some(3000))
        .max_episode_steps(500)
        .seed(21);
    let space = CartPole::v1().observation_space();
    let returns = |report: &TrainReport| -> Vec<f64> {
        report.episodes.iter().map(|e| e.episode_return).collect()
    };
    let mut single: Dqn<[f64; 4]> = Dqn::new(small_config(21), &space, 2).unwrap();
    let a = train(&mut CartPole::v1(), &mut single, &config, |_, _| {
        Ok(Control::Continue)
    })
    .unwrap();
    let mut vectorised: Dqn<[f64; 4]> = Dqn::new(small_config(21), &space, 2).unwrap();
    let mut one = VecEnv::new(1, |_| CartPole::v1());
    let b = train_vec(&mut one, &mut vectorised, &config, |_, _| {
        Ok(Control::Continue)
    })
    .unwrap();
    assert_eq!(returns(&a), returns(&b));
    assert_eq!(
        single.parameters().unwrap(),
        vectorised.parameters().unwrap()
    );

    let four = |seed| {
        // One-step transitions, so that the buffer holds exactly one per environment step.
        let dqn = small_config(seed).n_step(1);
        let mut agent: Dqn<[f64; 4]> = Dqn::new(dqn, &space, 2).unwrap();
        let mut envs = VecEnv::new(4, |_| CartPole::v1());
        let report = train_vec(&mut envs, &mut agent, &config.clone().seed(seed), |_, _| {
            Ok(Control::Continue)
        })
        .unwrap();
        (report, agent)
    };
    let (report, agent) = four(3);
    assert_eq!(report.env_steps, 3000);
    assert_eq!(agent.buffer().len(), 3000);
    let terminal = |s: &[f32]| s[0].abs() > 2.4 || s[2].abs() > 12f32.to_radians();
    let mut terminated = 0;
    for i in 0..agent.buffer().len() {
        let t = agent.buffer().get(i).unwrap();
        assert!(
            !terminal(t.observation),
            "transition {i} starts from a terminal state"
        );
        assert_eq!(t.terminated, terminal(t.next_observation));
        terminated += usize::from(t.terminated);
    }
    let finished = report.episodes.iter().filter(|e| e.terminated).count();
    assert_eq!(terminated, finished);
    assert!(finished > 50, "{finished} episodes ended");
    assert_eq!(returns(&report), returns(&four(3).0));
}

/// The DQN's snapshot restores its network exactly.
#[test]
fn snapshots_restore_the_network() {
    let mut env = CartPole::v1();
    let mut agent: Dqn<[f64; 4]> = Dqn::new(small_config(5), &env.observation_space(), 2).unwrap();
    let before = agent.parameters().unwrap();
    let snapshot = agent.snapshot().unwrap().unwrap();
    run(&mut env, &mut agent, 800, 5);
    assert_ne!(agent.parameters().unwrap(), before);
    agent.restore(&snapshot).unwrap();
    assert_eq!(agent.parameters().unwrap(), before);
    assert!(agent.restore(&snapshot[1..]).is_err());
}

/// The sum tree finds the slot where the running sum passes a mass, and prioritised sampling
/// draws slots in proportion to their priorities with importance weights
/// `(N·P(i))^−β / max w`: priorities 1, 2, 3, 4 (total 10) with β = 1 give weights
/// 1, ½, ⅓, ¼ and draw counts 10%, 20%, 30%, 40%.
#[test]
fn prioritized_sampling_follows_the_priorities() {
    use learnkit::rl::replay::{Batch, PriorityTree, ReplayBuffer};
    let mut tree = PriorityTree::new(4);
    let mut buffer = ReplayBuffer::new(4, 1).unwrap();
    for (slot, p) in [1.0, 2.0, 3.0, 4.0].into_iter().enumerate() {
        let at = buffer
            .push(&[slot as f32], 0, 0.0, &[0.0], false, false)
            .unwrap();
        assert_eq!(at, slot);
        tree.set(slot, p);
    }
    assert_eq!(
        (tree.total(), tree.min(), tree.max_priority()),
        (10.0, 1.0, 4.0)
    );
    let found: Vec<usize> = [0.5, 1.5, 2.99, 3.0, 5.99, 6.0, 9.99]
        .iter()
        .map(|&m| tree.find(m))
        .collect();
    assert_eq!(found, [0, 1, 1, 2, 2, 3, 3]);
    let mut rng = learnkit::rng::derived(0, 0);
    let mut batch = Batch::default();
    buffer
        .sample_prioritized_into(10_000, &tree, 1.0, &mut rng, &mut batch)
        .unwrap();
    let mut counts = [0usize; 4];
    for (&i, &w) in batch.indices.iter().zip(&batch.weights) {
        counts[i] += 1;
        assert!(
            (w - 1.0 / (i as f32 + 1.0)).abs() < 1e-6,
            "slot {i}: weight {w}"
        );
        assert_eq!(
            batch.observations[counts.iter().sum::<usize>() - 1],
            i as f32
        );
    }
    assert_eq!(counts, [1000, 2000, 3000, 4000]);
    tree.set(3, 0.5);
    assert_eq!((tree.total(), tree.min()), (6.5, 0.5));
}

/// Prioritised replay learns the lake, and its priorities travel with the checkpoint: a resumed
/// agent continues exactly as the original; damaged priorities are a one-line error.
#[test]
fn prioritized_replay_learns_and_resumes_exactly() {
    use learnkit::rl::dqn::Prioritized;
    let config = |seed| {
        small_config(seed).prioritized(Some(Prioritized {
            beta_steps: 4000,
            ..Prioritized::default()
        }))
    };
    assert_eq!(lake_success(config(0)), 1.0);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("per.ckpt");
    let space = CartPole::v1().observation_space();
    let mut first: Dqn<[f64; 4]> = Dqn::new(config(3), &space, 2).unwrap();
    run(&mut CartPole::v1(), &mut first, 1500, 3);
    first.save_checkpoint(&path, true).unwrap();
    let mut resumed: Dqn<[f64; 4]> = Dqn::new(config(9), &space, 2).unwrap();
    resumed.load_checkpoint(&path).unwrap();
    let a = run(&mut CartPole::v1(), &mut first, 800, 11);
    let b = run(&mut CartPole::v1(), &mut resumed, 800, 11);
    let returns =
        |r: &TrainReport| -> Vec<f64> { r.episodes.iter().map(|e| e.episode_return).collect() };
    assert_eq!(returns(&a), returns(&b));
    assert_eq!(first.parameters().unwrap(), resumed.parameters().unwrap());

    use tch::Tensor;
    let tensors: Vec<(String, Tensor)> = Tensor::load_multi(&path)
        .unwrap()
        .into_iter()
        .map(|(name, t)| {
            let t = if name == "replay.priorities" {
                t.full_like(f64::NAN)
            } else {
                t
            };
            (name, t)
        })
        .collect();
    let bad = dir.path().join("bad.ckpt");
    Tensor::save_multi(&tensors, &bad).unwrap();
    let mut fresh: Dqn<[f64; 4]> = Dqn::new(config(3), &space, 2).unwrap();
    let err = fresh.load_checkpoint(&bad).unwrap_err();
    assert!(matches!(err, Error::CorruptModel { .. }), "{err}");
    assert_eq!(err.to_string().lines().count(), 1);
}
