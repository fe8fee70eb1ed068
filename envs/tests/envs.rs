//! The environments against Gymnasium's rules and a recorded Gymnasium trajectory.

use learnkit_envs::gridworld::{Cell, GridAction};
use learnkit_envs::{AutoReset, CartPole, Env, EnvError, GridWorld, MapSpec, TimeLimit, VecEnv};

#[test]
fn cartpole_matches_a_recorded_gymnasium_trajectory() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cartpole_gymnasium.json"
    ))
    .unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let mut truncated_seen = false;
    for episode in fixture["episodes"].as_array().unwrap() {
        let start = floats(&episode["start"]);
        let mut env = CartPole::v1();
        env.reset(Some(0));
        env.inner_mut()
            .set_state([start[0], start[1], start[2], start[3]]);
        let actions = episode["actions"].as_array().unwrap();
        for (t, a) in actions.iter().enumerate() {
            let step = env.step(a.as_u64().unwrap() as usize).unwrap();
            let want = floats(&episode["states"][t]);
            for (k, w) in want.iter().enumerate() {
                assert!(
                    (step.observation[k] - w).abs() < 1e-6,
                    "step {t}, component {k}: {} vs {w}",
                    step.observation[k]
                );
            }
            assert_eq!(step.reward, episode["rewards"][t].as_f64().unwrap());
            assert_eq!(
                step.terminated,
                episode["terminated"][t].as_bool().unwrap(),
                "step {t}"
            );
            assert_eq!(
                step.truncated,
                episode["truncated"][t].as_bool().unwrap(),
                "step {t}"
            );
            truncated_seen |= step.truncated;
        }
        assert!(matches!(env.step(0), Err(EnvError::EpisodeOver)));
    }
    assert!(
        truncated_seen,
        "the fixture includes an episode cut at 500 steps"
    );
}

#[test]
fn cartpole_is_reproducible_from_its_seed() {
    let mut a = CartPole::v1();
    let mut b = CartPole::v1();
    assert_eq!(a.reset(Some(7)), b.reset(Some(7)));
    assert!(a.reset(Some(7)).iter().all(|v| v.abs() <= 0.05));
    assert_ne!(a.reset(Some(7)), a.reset(Some(8)));
    assert!(matches!(
        a.step(2),
        Err(EnvError::InvalidAction {
            action: 2,
            n_actions: 2
        })
    ));
}

#[test]
fn stepping_before_reset_is_an_error() {
    assert!(matches!(
        CartPole::new().step(0),
        Err(EnvError::EpisodeOver)
    ));
    assert!(matches!(
        GridWorld::new(MapSpec::cliff_walking()).unwrap().step(0),
        Err(EnvError::EpisodeOver)
    ));
}

#[test]
fn time_limit_truncates_and_never_terminates() {
    let mut env = TimeLimit::new(GridWorld::new(MapSpec::cliff_walking()).unwrap(), 3);
    env.reset(Some(0));
    let up = GridAction::Up as usize;
    let steps: Vec<_> = (0..3).map(|_| env.step(up).unwrap()).collect();
    assert!(!steps[1].truncated && steps[2].truncated && !steps[2].terminated);
    assert!(matches!(env.step(up), Err(EnvError::EpisodeOver)));
}

#[test]
fn cliff_walking_follows_gymnasium_rules() {
    let mut env = GridWorld::new(MapSpec::cliff_walking()).unwrap();
    let start = env.reset(Some(0));
    assert_eq!(start, 36); // bottom-left of 4×12
                           // Stepping right from the start falls off the cliff: −100, back to start, not terminal.
    let fall = env.step(GridAction::Right as usize).unwrap();
    assert_eq!(
        (
            fall.observation,
            fall.reward,
            fall.terminated,
            fall.truncated
        ),
        (36, -100.0, false, false)
    );
    // The optimal path: up, 11 × right, down — 13 steps of −1.
    let mut total = 0.0;
    let mut path = vec![GridAction::Up];
    path.extend([GridAction::Right; 11]);
    path.push(GridAction::Down);
    env.reset(None);
    let mut last = None;
    for a in path {
        let s = env.step(a as usize).unwrap();
        total += s.reward;
        last = Some(s);
    }
    let last = last.unwrap();
    assert!(last.terminated && last.observation == 47);
    assert_eq!(total, -13.0);
    assert_eq!(env.max_episode_steps(), None);
}

#[test]
fn frozen_lake_follows_gymnasium_rules() {
    let spec = MapSpec::frozen_lake_4x4(false);
    assert_eq!((spec.height, spec.width, spec.max_steps), (4, 4, Some(100)));
    assert_eq!(spec.cell(5), Cell::Hole);
    let mut env = GridWorld::new(spec).unwrap();
    env.reset(Some(0));
    // Walls of the grid: moving left from the start stays put.
    assert_eq!(env.step(GridAction::Left as usize).unwrap().observation, 0);
    // Down, down, right, right, down, right reaches the goal with reward 1.
    let mut last = None;
    for a in [1, 1, 2, 2, 1, 2] {
        last = Some(env.step(a).unwrap());
    }
    let last = last.unwrap();
    assert_eq!(
        (last.observation, last.reward, last.terminated),
        (15, 1.0, true)
    );
    // Falling in a hole ends the episode with 0.
    env.reset(None);
    let hole = {
        env.step(2).unwrap();
        env.step(1).unwrap()
    };
    assert_eq!(
        (hole.observation, hole.reward, hole.terminated),
        (5, 0.0, true)
    );
    assert_eq!(MapSpec::frozen_lake_8x8(true).max_steps, Some(200));
}

#[test]
fn slippery_moves_split_one_third_each_way() {
    // From state 6 (row 1, col 2 of the 4×4 lake) pressing "down": down to 10, left to 5 (a
    // hole), right to 7 (a hole) — 1/3 each.
    // The agent cannot walk there without slipping, so use a lake whose start is state 6.
    let mut counts = [0usize; 16];
    let n = 30_000;
    let mut spec = MapSpec::frozen_lake_4x4(true);
    spec.cells[0] = Cell::Floor;
    spec.cells[6] = Cell::Start;
    let mut env = GridWorld::new(spec).unwrap();
    env.reset(Some(3));
    for _ in 0..n {
        env.reset(None);
        counts[env.step(GridAction::Down as usize).unwrap().observation] += 1;
    }
    for s in [5, 7, 10] {
        let p = counts[s] as f64 / n as f64;
        assert!((p - 1.0 / 3.0).abs() < 0.015, "state {s}: {p}");
    }
    assert_eq!(counts[5] + counts[7] + counts[10], n);
}

#[test]
fn malformed_maps_are_errors_naming_the_line() {
    let cases = [
        ("....\n....\n", "no start cell"),
        ("S...\n..S.\n", "line 2: a second start"),
        (
            "S...\n...\n",
            "line 2: ragged row: 3 cells where the first row has 4",
        ),
        ("S..X\n", "line 1: unknown character `X` in column 4"),
        (
            "step_reward = lots\nS.G\n",
            "line 1: `step_reward` needs a number",
        ),
        ("colour = blue\nS.G\n", "line 1: unknown setting `colour`"),
        ("", "no grid rows"),
    ];
    for (text, expected) in cases {
        let err = MapSpec::parse(text, "test.map").unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(expected) && message.contains("test.map"),
            "{text:?}: {message}"
        );
    }
    assert!(matches!(
        MapSpec::from_file("/no/such.map").unwrap_err(),
        EnvError::Io { .. }
    ));
}

#[test]
fn maps_that_cannot_be_solved_or_drawn_are_rejected_at_load() {
    let cases = [
        ("S\n", "line 1: the map has no goal `G`"),
        ("S...\n....\n", "no goal `G`"),
        ("S.#.\n..#G\n", "line 1: no goal `G` can be reached"),
        (
            "...\n.S.\nHHH\nCCC\n..G\n",
            "line 2: no goal `G` can be reached",
        ),
    ];
    for (text, expected) in cases {
        let message = MapSpec::parse(text, "bad.map").unwrap_err().to_string();
        assert!(message.contains(expected), "{text:?}: {message}");
    }
    // A goal reached around a wall is fine.
    assert!(MapSpec::parse("S#G\n...\n", "ok.map").is_ok());
    // Too large to draw or to learn in tabular form: a clear error, not a 14,000-pixel PNG.
    let wide = format!("S{}G\n", ".".repeat(200));
    let message = MapSpec::parse(&wide, "wide.map").unwrap_err().to_string();
    assert!(message.contains("limited to 100×100"), "{message}");
}

#[test]
fn map_names_are_safe_to_use_in_file_names() {
    for (text, source, expected) in [
        ("name = /../../../X\nS.G\n", "m.map", "__________X"),
        ("name = ..\nS.G\n", "m.map", "map"),
        ("S.G\n", "/some/dir/my maze.txt", "my_maze"),
        ("name = café-1\nS.G\n", "m.map", "caf_-1"),
    ] {
        let spec = MapSpec::parse(text, source).unwrap();
        assert_eq!(spec.name, expected, "{text:?}");
        assert!(!spec.name.contains('/') && !spec.name.contains('.'));
    }
    assert_eq!(learnkit_envs::safe_name(&"x".repeat(300)).len(), 64);
}

#[test]
fn user_maps_with_walls_and_settings_load() {
    let spec = MapSpec::parse(
        "// a tiny maze\nstep_reward = -0.5\nmax_steps = 10\nS#G\n...\n",
        "maze",
    )
    .unwrap();
    assert_eq!(
        (spec.height, spec.width, spec.step_reward, spec.max_steps),
        (2, 3, -0.5, Some(10))
    );
    let mut env = GridWorld::new(spec).unwrap();
    env.reset(Some(0));
    assert_eq!(env.step(GridAction::Right as usize).unwrap().observation, 0); // the wall
    for path in [
        GridAction::Down,
        GridAction::Right,
        GridAction::Right,
        GridAction::Up,
    ] {
        let s = env.step(path as usize).unwrap();
        if s.terminated {
            assert_eq!(s.observation, 2);
        }
    }
}

#[test]
fn vec_env_auto_resets_finished_copies_in_the_same_step() {
    let mut envs = VecEnv::with_autoreset(3, |_| CartPole::v1(), AutoReset::SameStep);
    let first = envs.reset(10);
    assert_eq!(first.len(), 3);
    assert!(matches!(
        envs.step(&[0, 1]),
        Err(EnvError::BatchSize {
            expected: 3,
            got: 2
        })
    ));
    let mut finished = 0;
    for _ in 0..200 {
        for s in envs.step(&[0, 0, 0]).unwrap() {
            if s.step.done() {
                finished += 1;
                assert!(s.reset_observation.is_some());
            }
        }
    }
    assert!(finished >= 3, "pushing left always ends episodes quickly");
}

/// A map assembled field by field is checked when the environment is made: zero or oversized
/// sides, a cell count that is not width × height, no or two starts, non-finite rewards and an
/// unreachable goal are errors, not panics on the first step.
#[test]
fn a_hand_built_map_is_checked() {
    let good = MapSpec::frozen_lake_4x4(false);
    assert!(GridWorld::new(good.clone()).is_ok());
    let mut cases: Vec<(MapSpec, &str)> = Vec::new();
    let mut m = good.clone();
    m.width = 0;
    cases.push((m, "each side"));
    let mut m = good.clone();
    m.cells.pop();
    cases.push((m, "cells for"));
    let mut m = good.clone();
    m.cells[5] = Cell::Start;
    cases.push((m, "start cells"));
    let mut m = good.clone();
    m.cells.retain(|&c| c != Cell::Start);
    m.cells.push(Cell::Floor);
    cases.push((m, "start cells"));
    let mut m = good.clone();
    m.goal_reward = f64::NAN;
    cases.push((m, "finite"));
    let mut m = good.clone();
    for c in m.cells.iter_mut() {
        if *c == Cell::Goal {
            *c = Cell::Hole;
        }
    }
    cases.push((m, "goal"));
    let mut m = good;
    m.height = 1000;
    cases.push((m, "each side"));
    for (spec, expected) in cases {
        let err = GridWorld::new(spec).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
}
