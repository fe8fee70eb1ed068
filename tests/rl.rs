//! Tabular agents on the gridworlds, with the one training loop and evaluation.

use learnkit::envs::{GridWorld, MapSpec};
use learnkit::persist::Persist;
use learnkit::rl::{
    evaluate, train, Control, QLearning, QTable, Schedule, TabularAlgorithm, TrainConfig,
};
use learnkit::Error;

fn frozen_agent(seed: u64, episodes: usize) -> (QLearning, f64) {
    let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap();
    let mut agent = QLearning::params()
        .learning_rate(0.05)
        .gamma(0.99)
        .exploration(Schedule::Linear {
            start: 1.0,
            end: 0.01,
            duration: episodes * 3 / 4,
        })
        .seed(seed)
        .build(16, 4)
        .unwrap();
    let config = TrainConfig::params().episodes(episodes).seed(seed);
    train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue)).unwrap();
    let eval = evaluate(&mut env, &mut agent, 10_000, seed + 1000, 1000).unwrap();
    (agent, eval.success_rate)
}

#[test]
fn q_learning_solves_slippery_frozen_lake() {
    let (_, success) = frozen_agent(0, 20_000);
    println!("greedy success over 10,000 episodes: {success:.4}");
    // The optimum under the 100-step limit is 0.74.
    assert!(success >= 0.72, "success rate {success}");
}

#[test]
fn same_seed_same_q_table() {
    let (a, _) = frozen_agent(3, 2000);
    let (b, _) = frozen_agent(3, 2000);
    let (c, _) = frozen_agent(4, 2000);
    assert_eq!(a.table(), b.table());
    assert_ne!(a.table(), c.table());
}

#[test]
fn cliff_walking_q_learning_takes_the_optimal_path_and_sarsa_the_safe_one() {
    let run = |algorithm| {
        let mut env = GridWorld::new(MapSpec::cliff_walking()).unwrap();
        let mut agent = QLearning::params()
            .learning_rate(0.5)
            .gamma(1.0)
            .exploration(Schedule::Constant(0.1))
            .algorithm(algorithm)
            .seed(1)
            .build(48, 4)
            .unwrap();
        let report = train(
            &mut env,
            &mut agent,
            &TrainConfig::params().episodes(500).seed(1),
            |_, _| Ok(Control::Continue),
        )
        .unwrap();
        let eval = evaluate(&mut env, &mut agent, 1, 0, 1000).unwrap();
        let online: f64 = report.episodes[400..]
            .iter()
            .map(|e| e.episode_return)
            .sum::<f64>()
            / 100.0;
        (eval.mean_return, online)
    };
    let (q_greedy, q_online) = run(TabularAlgorithm::QLearning);
    let (sarsa_greedy, sarsa_online) = run(TabularAlgorithm::Sarsa);
    assert_eq!(q_greedy, -13.0);
    // SARSA's greedy path keeps away from the edge: longer than 13 steps, still reaching the goal.
    assert!(
        sarsa_greedy < -13.0 && sarsa_greedy > -30.0,
        "{sarsa_greedy}"
    );
    // The textbook picture: while exploring, SARSA's safer path earns more per episode.
    assert!(
        sarsa_online > q_online,
        "SARSA {sarsa_online} vs Q-learning {q_online}"
    );
}

#[test]
fn q_tables_save_and_load() {
    let (agent, _) = frozen_agent(5, 500);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.json");
    agent.table().save(&path).unwrap();
    assert_eq!(&QTable::load(&path).unwrap(), agent.table());
}

#[test]
fn training_loop_logs_and_stops_early() {
    let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(false)).unwrap();
    let mut agent = QLearning::params()
        .learning_rate(0.5)
        .exploration(Schedule::Exponential {
            start: 1.0,
            end: 0.0,
            decay: 0.95,
        })
        .seed(2)
        .build(16, 4)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("log.csv");
    let config = TrainConfig::params()
        .episodes(5000)
        .target_mean_return(Some(1.0))
        .window(20)
        .log_csv(Some(csv.clone()));
    let mut seen = 0;
    let report = train(&mut env, &mut agent, &config, |_, _| {
        seen += 1;
        Ok(Control::Continue)
    })
    .unwrap();
    assert!(
        report.episodes.len() < 5000,
        "stopped early once 20 episodes in a row reached the goal"
    );
    assert_eq!(seen, report.episodes.len());
    assert!(report.seconds_to_target.is_some());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("episode,return,length,epsilon,loss,wall_seconds,env_steps,terminated")
    );
    assert_eq!(text.lines().count(), report.episodes.len() + 1);
    // A callback can stop training.
    let report = train(
        &mut env,
        &mut agent,
        &TrainConfig::params().episodes(100),
        |e, _| {
            Ok(if e.episode == 4 {
                Control::Stop
            } else {
                Control::Continue
            })
        },
    )
    .unwrap();
    assert_eq!(report.episodes.len(), 5);
}

#[test]
fn bad_settings_and_environment_errors_are_returned() {
    assert!(matches!(
        QLearning::params()
            .learning_rate(0.0)
            .build(16, 4)
            .unwrap_err(),
        Error::InvalidParameter {
            name: "learning_rate",
            ..
        }
    ));
    assert!(matches!(
        QLearning::params().gamma(1.5).build(16, 4).unwrap_err(),
        Error::InvalidParameter { name: "gamma", .. }
    ));
    assert!(QLearning::params()
        .exploration(Schedule::Constant(2.0))
        .build(16, 4)
        .is_err());
    assert!(QLearning::params().build(0, 4).is_err());
    // An agent with too few states for the environment: an error, not a panic.
    let mut env = GridWorld::new(MapSpec::frozen_lake_8x8(false)).unwrap();
    let mut small = QLearning::params().seed(0).build(16, 4).unwrap();
    let err = train(
        &mut env,
        &mut small,
        &TrainConfig::params().episodes(50),
        |_, _| Ok(Control::Continue),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
    // An environment error converts into learnkit's error type.
    let mut env = GridWorld::new(MapSpec::cliff_walking()).unwrap();
    let err: Error = learnkit::envs::Env::step(&mut env, 0).unwrap_err().into();
    assert!(matches!(err, Error::Env(_)));
    assert_eq!(
        err.to_string(),
        "step called on a finished episode; call reset first"
    );
}

/// An agent built for one environment and run on another is an error naming both sizes before
/// the first step, not an index panic mid-episode.
#[test]
fn a_q_table_of_the_wrong_size_is_refused() {
    use learnkit::envs::{GridWorld, MapSpec};
    use learnkit::rl::{evaluate, train, Control, QLearning, TrainConfig};
    let mut agent = QLearning::params().build(16, 4).unwrap();
    let mut big = GridWorld::new(MapSpec::frozen_lake_8x8(true)).unwrap();
    let err = train(
        &mut big,
        &mut agent,
        &TrainConfig::params().episodes(5),
        |_, _| Ok(Control::Continue),
    )
    .unwrap_err();
    assert!(err.to_string().contains("16 discrete states"), "{err}");
    assert!(evaluate(&mut big, &mut agent, 5, 0, 100).is_err());
    let mut right = GridWorld::new(MapSpec::frozen_lake_4x4(true)).unwrap();
    assert!(evaluate(&mut right, &mut agent, 5, 0, 100).is_ok());
}
