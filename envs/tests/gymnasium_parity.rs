//! learnkit's environments against episodes recorded from Gymnasium 1.4 and draws recorded from
//! NumPy (`tests/fixtures/record_gymnasium.py`): the same seed gives the same first
//! observation, and the same actions the same observations (to 1e-6; single-precision values
//! here come out identical), rewards and end flags — for a second, unseeded episode too.

use learnkit_envs::np_random::{Pcg64, SeedSequence};
use learnkit_envs::{Acrobot, Blackjack, CartPole, Env, MountainCar, NpRandom, Taxi, TaxiOptions};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gymnasium_episodes.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn numpy_seed_sequence_pcg64_and_generator_draws_match() {
    let data = fixture();
    for record in data["np_random"].as_array().unwrap() {
        let seed = record["seed"].as_u64().unwrap();
        let seq = SeedSequence::new(seed);
        let state: Vec<u64> = record["state"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(seq.generate_state_u64(4), state, "seed {seed}");
        let mut bits = Pcg64::from_seed_sequence(&seq);
        for raw in record["raw"].as_array().unwrap() {
            let expected: u64 = raw.as_str().unwrap().parse().unwrap();
            assert_eq!(bits.next_u64(), expected, "seed {seed}");
        }
        let mut g = NpRandom::new(seed);
        for (i, draw) in record["draws"].as_array().unwrap().iter().enumerate() {
            let kind = draw[0].as_str().unwrap();
            match kind {
                "random" => assert_eq!(g.random(), draw[2].as_f64().unwrap(), "seed {seed} #{i}"),
                "uniform" => {
                    let (a, b) = (draw[1][0].as_f64().unwrap(), draw[1][1].as_f64().unwrap());
                    assert_eq!(
                        g.uniform(a, b),
                        draw[2].as_f64().unwrap(),
                        "seed {seed} #{i}"
                    );
                }
                _ => {
                    let n = draw[1].as_u64().unwrap();
                    let got = g.integers(n);
                    let expected = draw[2].as_u64().unwrap();
                    // `choice` of the 13 Blackjack cards records the card, not its index.
                    let got = if kind == "choice13" {
                        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10][got as usize]
                    } else {
                        got
                    };
                    assert_eq!(got, expected, "seed {seed} draw #{i} ({kind} of {n})");
                }
            }
        }
    }
}

/// Replays every recorded episode of `name` on `env`; returns the number of steps compared.
fn replay<E: Env>(
    name: &str,
    make: impl Fn(&Value) -> E,
    obs: impl Fn(&E::Observation) -> Vec<f64>,
) -> usize {
    let data = fixture();
    let mut compared = 0;
    for record in data["episodes"].as_array().unwrap() {
        if record["env"] != name {
            continue;
        }
        let seed = record["seed"].as_u64().unwrap();
        let mut env = make(&record["options"]);
        for (k, episode) in record["episodes"].as_array().unwrap().iter().enumerate() {
            let first = env.reset(if k == 0 { Some(seed) } else { None });
            let context = format!("{name} {} seed {seed} episode {k}", record["options"]);
            close(
                &obs(&first),
                &episode["reset"],
                &format!("{context}, reset"),
            );
            for (t, step) in episode["steps"].as_array().unwrap().iter().enumerate() {
                let action = step[0].as_u64().unwrap() as usize;
                let s = env.step(action).unwrap();
                let at = format!("{context}, step {}", t + 1);
                close(&obs(&s.observation), &step[1], &at);
                assert_eq!(s.reward, step[2].as_f64().unwrap(), "{at}: reward");
                assert_eq!(s.terminated, step[3].as_bool().unwrap(), "{at}: terminated");
                assert_eq!(s.truncated, step[4].as_bool().unwrap(), "{at}: truncated");
                compared += 1;
            }
        }
    }
    compared
}

fn close(ours: &[f64], expected: &Value, at: &str) {
    let expected: Vec<f64> = match expected {
        Value::Array(v) => v.iter().map(|x| x.as_f64().unwrap()).collect(),
        v => vec![v.as_f64().unwrap()],
    };
    assert_eq!(ours.len(), expected.len(), "{at}");
    for (a, b) in ours.iter().zip(&expected) {
        assert!((a - b).abs() <= 1e-6, "{at}: {ours:?} vs {expected:?}");
    }
}

#[test]
fn cartpole_mountain_car_and_acrobot_episodes_match_gymnasium() {
    let n = replay("CartPole-v1", |_| CartPole::v1(), |o| o.to_vec());
    assert!(n > 100, "{n}");
    let n = replay("MountainCar-v0", |_| MountainCar::v0(), |o| o.to_vec());
    assert!(n >= 800, "{n}");
    let n = replay("Acrobot-v1", |_| Acrobot::v1(), |o| o.to_vec());
    assert!(n >= 2000, "{n}");
}

#[test]
fn taxi_and_blackjack_episodes_match_gymnasium() {
    let taxi = |options: &Value| {
        Taxi::v4_with(TaxiOptions {
            is_rainy: options["is_rainy"].as_bool().unwrap_or(false),
            fickle_passenger: options["fickle_passenger"].as_bool().unwrap_or(false),
            ..TaxiOptions::default()
        })
    };
    let n = replay("Taxi-v4", taxi, |&s| vec![s as f64]);
    assert!(n > 1000, "{n}");
    let blackjack = |options: &Value| {
        Blackjack::new(
            options["sab"].as_bool().unwrap_or(true),
            options["natural"].as_bool().unwrap_or(false),
        )
    };
    let n = replay("Blackjack-v1", blackjack, |&s| vec![s as f64]);
    assert!(n >= 20, "{n}");
}

/// Three CartPoles in a vector with Gymnasium's default `NEXT_STEP` autoreset: seeded as
/// Gymnasium's vector reset (copy i with seed + i), and after an episode ends the copy's next
/// step ignores its action and returns the reset observation with reward 0 — step for step as
/// Gymnasium's `SyncVectorEnv`.
#[test]
fn a_vector_of_cartpoles_autoresets_as_gymnasium_does() {
    use learnkit_envs::{AutoReset, VecEnv};
    let data = fixture();
    let record = &data["vector_cartpole"];
    let n = record["n"].as_u64().unwrap() as usize;
    let mut envs = VecEnv::new(n, |_| CartPole::v1());
    assert_eq!(envs.autoreset(), AutoReset::NextStep);
    let first = envs.reset(record["seed"].as_u64().unwrap());
    for (i, obs) in first.iter().enumerate() {
        close(obs, &record["reset"][i], &format!("reset of copy {i}"));
    }
    let mut resets = 0;
    for (t, step) in record["steps"].as_array().unwrap().iter().enumerate() {
        let actions: Vec<usize> = step[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_u64().unwrap() as usize)
            .collect();
        let out = envs.step(&actions).unwrap();
        for (i, s) in out.iter().enumerate() {
            let at = format!("step {} copy {i}", t + 1);
            close(&s.step.observation, &step[1][i], &at);
            assert_eq!(s.step.reward, step[2][i].as_f64().unwrap(), "{at}");
            assert_eq!(s.step.terminated, step[3][i].as_bool().unwrap(), "{at}");
            assert_eq!(s.step.truncated, step[4][i].as_bool().unwrap(), "{at}");
            resets += usize::from(s.reset);
        }
    }
    assert!(resets >= 5, "{resets} resets");
}

fn continuous_fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/continuous_episodes.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Replays the recorded episodes of a continuous-action environment (float32 actions, some
/// outside the bounds); returns the steps compared and the episodes that terminated.
fn replay_continuous<E: learnkit_envs::ContinuousEnv>(
    name: &str,
    make: impl Fn() -> E,
    obs: impl Fn(&E::Observation) -> Vec<f64>,
) -> (usize, usize) {
    let data = continuous_fixture();
    let (mut compared, mut terminated) = (0, 0);
    for record in data["episodes"].as_array().unwrap() {
        if record["env"] != name {
            continue;
        }
        let seed = record["seed"].as_u64().unwrap();
        let mut env = make();
        for (k, episode) in record["episodes"].as_array().unwrap().iter().enumerate() {
            let first = env.reset(if k == 0 { Some(seed) } else { None });
            let context = format!("{name} seed {seed} episode {k}");
            close(
                &obs(&first),
                &episode["reset"],
                &format!("{context}, reset"),
            );
            for (t, step) in episode["steps"].as_array().unwrap().iter().enumerate() {
                let action = step[0].as_f64().unwrap();
                let s = env.step(&[action]).unwrap();
                let at = format!("{context}, step {} (action {action})", t + 1);
                close(&obs(&s.observation), &step[1], &at);
                let reward = step[2].as_f64().unwrap();
                assert!(
                    (s.reward - reward).abs() <= 1e-9 * reward.abs().max(1.0),
                    "{at}: reward {} vs {reward}",
                    s.reward
                );
                assert_eq!(s.terminated, step[3].as_bool().unwrap(), "{at}: terminated");
                assert_eq!(s.truncated, step[4].as_bool().unwrap(), "{at}: truncated");
                terminated += usize::from(s.terminated);
                compared += 1;
            }
        }
    }
    (compared, terminated)
}

#[test]
fn pendulum_and_continuous_mountain_car_episodes_match_gymnasium() {
    use learnkit_envs::{MountainCarContinuous, Pendulum};
    let (n, _) = replay_continuous("Pendulum-v1", Pendulum::v1, |o| o.to_vec());
    assert_eq!(n, 1200, "three seeds, two 200-step episodes each");
    let (n, ended) =
        replay_continuous("MountainCarContinuous-v0", MountainCarContinuous::v0, |o| {
            o.to_vec()
        });
    assert!(n > 1000, "{n}");
    assert!(ended >= 4, "the goal is reached: {ended}");
}

/// Two Pendulums in a vector with Gymnasium's NEXT_STEP autoreset, step for step as
/// Gymnasium's `SyncVectorEnv` (200-step episodes: two resets per copy in 450 steps).
#[test]
fn a_vector_of_pendulums_autoresets_as_gymnasium_does() {
    use learnkit_envs::{Pendulum, VecEnv};
    let data = continuous_fixture();
    let record = &data["vector_pendulum"];
    let n = record["n"].as_u64().unwrap() as usize;
    let mut envs = VecEnv::new(n, |_| Pendulum::v1());
    let first = envs.reset_continuous(record["seed"].as_u64().unwrap());
    for (i, obs) in first.iter().enumerate() {
        close(obs, &record["reset"][i], &format!("reset of copy {i}"));
    }
    let mut resets = 0;
    for (t, step) in record["steps"].as_array().unwrap().iter().enumerate() {
        let actions: Vec<Vec<f64>> = step[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| vec![a.as_f64().unwrap()])
            .collect();
        let out = envs.step_continuous(&actions).unwrap();
        for (i, s) in out.iter().enumerate() {
            let at = format!("step {} copy {i}", t + 1);
            close(&s.step.observation, &step[1][i], &at);
            let reward = step[2][i].as_f64().unwrap();
            assert!(
                (s.step.reward - reward).abs() <= 1e-9 * reward.abs().max(1.0),
                "{at}"
            );
            assert_eq!(s.step.truncated, step[4][i].as_bool().unwrap(), "{at}");
            resets += usize::from(s.reset);
        }
    }
    assert_eq!(resets, 4, "two resets per copy");
}
