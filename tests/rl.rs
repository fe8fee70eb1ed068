//! Tabular agents on the gridworlds, with the one training loop and evaluation.

use learnkit::envs::{GridWorld, MapSpec};
use learnkit::persist::Persist;
use learnkit::rl::{
    evaluate, train, Agent, Control, QLearning, QTable, Schedule, TabularAlgorithm, TrainConfig,
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

/// Expected SARSA on CliffWalking behaves as SARSA does: its greedy path keeps away from the
/// edge, and it earns more than Q-learning while exploring.
#[test]
fn expected_sarsa_keeps_off_the_cliff_edge() {
    let run = |algorithm| {
        let mut env = GridWorld::new(MapSpec::cliff_walking()).unwrap();
        let mut agent = QLearning::params()
            .learning_rate(0.5)
            .gamma(1.0)
            .exploration(Schedule::Constant(0.1))
            .algorithm(algorithm)
            .seed(2)
            .build(48, 4)
            .unwrap();
        let report = train(
            &mut env,
            &mut agent,
            &TrainConfig::params().episodes(1000).seed(2),
            |_, _| Ok(Control::Continue),
        )
        .unwrap();
        let eval = evaluate(&mut env, &mut agent, 1, 0, 1000).unwrap();
        let online = report.episodes[800..]
            .iter()
            .map(|e| e.episode_return)
            .sum::<f64>()
            / 200.0;
        (eval.mean_return, online)
    };
    let (expected_greedy, expected_online) = run(TabularAlgorithm::ExpectedSarsa);
    assert!(
        expected_greedy < -13.0 && expected_greedy > -30.0,
        "{expected_greedy}"
    );
    let (_, q_online) = run(TabularAlgorithm::QLearning);
    assert!(
        expected_online > q_online,
        "{expected_online} vs {q_online}"
    );
}

/// Sutton & Barto's maximization-bias example (figure 6.5): from A, "right" ends the episode
/// with 0 and "left" leads to B, whose two actions end it with a reward drawn from N(−0.1, 1).
/// Left is worse, but Q-learning's max over B's noisy estimates makes it look better, so over
/// the first 100 episodes Q-learning goes left far more often than Double Q-learning, which
/// evaluates one table's choice with the other table.
#[test]
fn double_q_learning_removes_the_maximization_bias() {
    use learnkit::envs::{Env, EnvError, Space, Step};
    use rand::{Rng, SeedableRng};
    struct MaxBias {
        at_b: bool,
        rng: rand::rngs::StdRng,
    }
    impl Env for MaxBias {
        type Observation = usize;
        fn observation_space(&self) -> Space {
            Space::Discrete(2)
        }
        fn n_actions(&self) -> usize {
            2
        }
        fn reset(&mut self, seed: Option<u64>) -> usize {
            if let Some(seed) = seed {
                self.rng = rand::rngs::StdRng::seed_from_u64(seed);
            }
            self.at_b = false;
            0
        }
        fn step(&mut self, action: usize) -> Result<Step<usize>, EnvError> {
            if self.at_b {
                // N(−0.1, 1) by Box–Muller.
                let (u, v): (f64, f64) = (self.rng.gen(), self.rng.gen());
                let z = (-2.0 * (1.0 - u).ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos();
                return Ok(Step {
                    observation: 1,
                    reward: -0.1 + z,
                    terminated: true,
                    truncated: false,
                });
            }
            // In A, action 1 goes left (to B), action 0 right (the end).
            let left = action == 1;
            self.at_b = left;
            Ok(Step {
                observation: usize::from(left),
                reward: 0.0,
                terminated: !left,
                truncated: false,
            })
        }
    }
    let left_share = |algorithm| {
        let (runs, episodes) = (200, 100);
        let mut left = 0usize;
        for seed in 0..runs {
            let mut env = MaxBias {
                at_b: false,
                rng: rand::rngs::StdRng::seed_from_u64(0),
            };
            let mut agent = QLearning::params()
                .learning_rate(0.1)
                .gamma(1.0)
                .exploration(Schedule::Constant(0.1))
                .algorithm(algorithm)
                .seed(seed)
                .build(2, 2)
                .unwrap();
            let report = train(
                &mut env,
                &mut agent,
                &TrainConfig::params().episodes(episodes).seed(seed),
                |_, _| Ok(Control::Continue),
            )
            .unwrap();
            // An episode through B takes two steps.
            left += report.episodes.iter().filter(|e| e.length == 2).count();
        }
        left as f64 / (runs as f64 * episodes as f64)
    };
    let q = left_share(TabularAlgorithm::QLearning);
    let double = left_share(TabularAlgorithm::DoubleQLearning);
    // Measured: 0.249 and 0.169 (with two actions in B; the book's ten widen the gap).
    assert!(
        q > double + 0.05,
        "Q-learning left {q:.3}, Double Q-learning {double:.3}"
    );
    assert!(double < 0.2, "{double}");
}

/// An ε schedule counted in steps advances with every update, one counted in episodes only at
/// episode ends; the agent says which it uses.
#[test]
fn epsilon_clocks_count_what_they_say() {
    use learnkit::rl::{Agent, EpsilonClock, Transition};
    let schedule = Schedule::Linear {
        start: 1.0,
        end: 0.0,
        duration: 10,
    };
    let mut per_step = QLearning::params()
        .exploration(schedule)
        .epsilon_clock(learnkit::rl::EpsilonClock::PerStep)
        .build(4, 2)
        .unwrap();
    let mut per_episode = QLearning::params()
        .exploration(schedule)
        .build(4, 2)
        .unwrap();
    assert_eq!(per_step.epsilon_clock(), EpsilonClock::PerStep);
    assert_eq!(per_episode.epsilon_clock(), EpsilonClock::PerEpisode);
    let t = Transition {
        observation: &0,
        action: 1,
        reward: 0.0,
        next_observation: &1,
        next_action: None,
        terminated: false,
        truncated: false,
        env: 0,
    };
    for _ in 0..5 {
        per_step.learn(&t).unwrap();
        per_episode.learn(&t).unwrap();
    }
    assert!((per_step.epsilon() - 0.5).abs() < 1e-12);
    assert_eq!(per_episode.epsilon(), 1.0);
    per_episode.end_episode();
    assert!((per_episode.epsilon() - 0.9).abs() < 1e-12);
}

/// Taxi-v4: value iteration on the transition table gives the optimal policy's 7.93 per
/// episode (the figure), and Q-learning's greedy policy earns it, exactly and over
/// 1,000 fresh episodes.
#[test]
fn q_learning_finds_taxis_optimal_policy() {
    use learnkit::envs::{Taxi, TaxiOptions};
    use learnkit::rl::planning;
    let optimal = planning::taxi_optimal_return(TaxiOptions::default());
    assert!((optimal - 7.93).abs() < 1e-9, "{optimal}");
    let mut env = Taxi::v4();
    let mut agent = QLearning::params()
        .learning_rate(0.5)
        .gamma(0.99)
        .exploration(Schedule::Linear {
            start: 1.0,
            end: 0.01,
            duration: 3750,
        })
        .seed(11)
        .build(500, 6)
        .unwrap();
    let config = TrainConfig::params().episodes(5000).seed(11);
    train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue)).unwrap();
    let table = agent.table().clone();
    let exact = planning::taxi_policy_return(TaxiOptions::default(), |s| table.greedy(s));
    assert!(exact > 7.9, "{exact}");
    let eval = evaluate(&mut env, &mut agent, 1000, 12, 200).unwrap();
    assert!(eval.mean_return > 7.6, "{}", eval.mean_return);
}

/// Blackjack-v1: the dynamic-programming optimum agrees with the environment (the optimal
/// policy played for 200,000 hands averages its expected return within four standard errors),
/// and Q-learning's policy comes within 0.02 of it after 300,000 hands.
#[test]
fn blackjack_dynamic_programming_matches_the_environment_and_q_learning_nears_it() {
    use learnkit::envs::{Blackjack, Env};
    use learnkit::rl::planning;
    let (best, optimal) = planning::blackjack(true, false);
    let mut env = Blackjack::v1();
    let hands = 200_000;
    let mut total = 0.0;
    let mut obs = env.reset(Some(5));
    for _ in 0..hands {
        loop {
            let step = env.step(best[obs]).unwrap();
            if step.done() {
                total += step.reward;
                break;
            }
            obs = step.observation;
        }
        obs = env.reset(None);
    }
    let mean = total / hands as f64;
    let standard_error = 0.95 / (hands as f64).sqrt();
    assert!(
        (mean - optimal).abs() < 4.0 * standard_error,
        "{mean} vs {optimal}"
    );
    let mut agent = QLearning::params()
        .learning_rate(0.01)
        .gamma(1.0)
        .exploration(Schedule::Linear {
            start: 1.0,
            end: 0.05,
            duration: 150_000,
        })
        .seed(6)
        .build(learnkit::envs::blackjack::N_STATES, 2)
        .unwrap();
    let config = TrainConfig::params().episodes(300_000).seed(6);
    train(&mut env, &mut agent, &config, |_, _| Ok(Control::Continue)).unwrap();
    let table = agent.table().clone();
    let learnt = planning::blackjack_policy_return(&|s| table.greedy(s), true, false);
    assert!(optimal - learnt < 0.02, "{learnt} vs {optimal}");
}

/// `SolveCheck` stops training at the first greedy check that reaches the threshold; with
/// confirmations it asks for more passing checks on fresh episodes first. On the non-slippery
/// lake a learnt greedy policy passes every check, so both stop at the same episode (the
/// confirmed one after its extra checks); an unreachable threshold never stops.
#[test]
fn solve_checks_stop_once_solved_and_confirm_when_asked() {
    use learnkit::rl::SolveCheck;
    let run = |confirmations: usize, threshold: f64| {
        let mut env = GridWorld::new(MapSpec::frozen_lake_4x4(false)).unwrap();
        let mut agent = QLearning::params()
            .learning_rate(0.5)
            .gamma(0.99)
            .exploration(Schedule::Constant(0.2))
            .seed(3)
            .build(16, 4)
            .unwrap();
        let mut check = SolveCheck::new(
            GridWorld::new(MapSpec::frozen_lake_4x4(false)).unwrap(),
            threshold,
        )
        .episodes(20)
        .max_episode_steps(100)
        .confirmations(confirmations);
        let report = train(
            &mut env,
            &mut agent,
            &TrainConfig::params().episodes(2000).seed(3),
            |log, agent| check.check(log, agent),
        )
        .unwrap();
        (report.episodes.len(), check.solved_at().is_some())
    };
    let (plain, solved) = run(0, 1.0);
    assert!(solved && plain < 2000, "{plain}");
    let (confirmed, solved) = run(3, 1.0);
    assert!(solved && confirmed == plain, "{confirmed} vs {plain}");
    let (never, solved) = run(2, 2.0);
    assert!(!solved && never == 2000);
}

/// `SolveCheck` keeps the best policy it evaluated and puts it back: after a solved check on
/// CliffWalking (best return −13) training goes on (`stop(false)`); whatever happens to the
/// agent afterwards (here its Q-table is wiped, so the greedy policy walks into the wall until
/// the time limit), `restore_best` gives back the policy that earned −13.
#[test]
fn solve_checks_keep_and_restore_the_best_policy() {
    use learnkit::rl::SolveCheck;
    let spec = MapSpec::cliff_walking();
    let mut agent = QLearning::params()
        .learning_rate(0.5)
        .gamma(1.0)
        .exploration(Schedule::Constant(0.1))
        .seed(1)
        .build(48, 4)
        .unwrap();
    let mut check = SolveCheck::new(GridWorld::new(spec.clone()).unwrap(), -13.0)
        .episodes(1)
        .max_episode_steps(100)
        .stop(false);
    let report = train(
        &mut GridWorld::new(spec.clone()).unwrap(),
        &mut agent,
        &TrainConfig::params().episodes(600).seed(1),
        |log, agent| check.check(log, agent),
    )
    .unwrap();
    assert_eq!(report.episodes.len(), 600, "stop(false) trains on");
    let (episode, score) = check.best().expect("a check ran");
    assert_eq!(score, -13.0);
    assert!(check.solved_at().is_some() && episode < 600);
    let mut env = GridWorld::new(spec).unwrap();
    agent.restore(&vec![0.0; 48 * 4]).unwrap();
    assert!(
        evaluate(&mut env, &mut agent, 1, 0, 100)
            .unwrap()
            .mean_return
            < -13.0
    );
    assert!(check.restore_best(&mut agent).unwrap());
    assert_eq!(
        evaluate(&mut env, &mut agent, 1, 0, 100)
            .unwrap()
            .mean_return,
        -13.0
    );
}
