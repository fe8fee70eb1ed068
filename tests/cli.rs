//! The example contract: `--json` puts one JSON object on the last line of stdout, and bad
//! input ends with a one-line error and exit status 2 (no panic, no backtrace).

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // Integration tests live in target/<profile>/deps; examples in target/<profile>/examples,
    // built by `cargo test` before the tests run.
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

fn run(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(example(name))
        .args(args)
        .output()
        .expect("example binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_is_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run("linear_regression", &["--out", out, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let last = stdout.lines().last().unwrap();
    let json: serde_json::Value = serde_json::from_str(last).unwrap();
    for key in ["fit_seconds", "r2", "mse", "n_train", "n_test"] {
        assert!(json.get(key).is_some(), "missing {key} in {last}");
    }
    assert!(dir.path().join("linear_residuals.png").exists());
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "a,b,y\n1,2,0\n3,x,1\n").unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let ragged = dir.path().join("ragged.csv");
    std::fs::write(&ragged, "a,y\n1,0\n2\n").unwrap();
    let csv = csv.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--data", csv, "--target", "y"],
            ":3, column b: `x` is not a number",
        ),
        (
            vec!["--data", csv, "--target", "nope"],
            "no target column named `nope`",
        ),
        (
            vec!["--data", "/no/such/file.csv", "--target", "y"],
            "/no/such/file.csv: ",
        ),
        (
            vec!["--data", empty.to_str().unwrap(), "--target", "y"],
            "empty.csv",
        ),
        (
            vec!["--data", ragged.to_str().unwrap(), "--target", "y"],
            ":3: ragged row",
        ),
        (vec!["--data", csv], "--target COLUMN is required"),
    ];
    for (args, expected) in cases {
        for example in ["linear_regression", "logistic_regression"] {
            let mut full = args.clone();
            full.extend(["--out", dir.path().to_str().unwrap()]);
            let (code, _, stderr) = run(example, &full);
            assert_eq!(code, 2, "{example} {args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{example} {args:?}: {stderr}");
            assert!(
                stderr.starts_with("error: ") && stderr.contains(expected),
                "{example} {args:?}: {stderr}"
            );
            assert!(!stderr.contains("panicked"));
        }
    }
}

#[test]
fn flags_are_checked_before_any_work_under_their_own_names() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh");
    for (flag, value) in [("--eval-episodes", "0"), ("--episodes", "0")] {
        let (code, _, stderr) = run(
            "q_learning_gridworld",
            &[flag, value, "--out", fresh.to_str().unwrap()],
        );
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&format!("`{flag}` = 0")), "{stderr}");
        assert!(
            !fresh.exists(),
            "nothing may be created before the flags are checked"
        );
    }
}

#[test]
fn a_failed_run_leaves_no_partial_output_and_keeps_existing_files() {
    // A directory where the learning-curve PNG should go makes the run fail after training
    // has written its episode log into --out.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let kept = out.join("notes.txt");
    std::fs::write(&kept, b"the user's file").unwrap();
    std::fs::create_dir(out.join("qlearning_frozen_lake_4x4_learning.png")).unwrap();
    let args = [
        "--episodes",
        "50",
        "--eval-episodes",
        "10",
        "--out",
        out.to_str().unwrap(),
    ];
    let (code, _, stderr) = run("q_learning_gridworld", &args);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let mut left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["notes.txt", "qlearning_frozen_lake_4x4_learning.png"]
    );
    assert_eq!(std::fs::read(&kept).unwrap(), b"the user's file");

    // Without the obstacle the same run succeeds and writes the log the failed run removed.
    std::fs::remove_dir(out.join("qlearning_frozen_lake_4x4_learning.png")).unwrap();
    let (code, _, stderr) = run("q_learning_gridworld", &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("qlearning_frozen_lake_4x4_episodes.csv").exists());
}

/// Without a grid, `model_selection` cross-validates the one model: its `best_score` is
/// scikit-learn's `cross_val_score(LogisticRegression(), X, y, cv=KFold(5)).mean()` on the same
/// file (captured in the fixture).
#[test]
fn model_selection_best_score_is_scikit_learns_cv_mean() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let data = format!("{root}/tests/fixtures/model_selection/cv_data.csv");
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{root}/tests/fixtures/model_selection/sklearn_folds.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(
        "model_selection",
        &["--data", &data, "--target", "y", "--out", out, "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let ours = json["best_score"].as_f64().unwrap();
    let theirs = fixture["logistic_kfold5_mean"].as_f64().unwrap();
    assert!(
        (ours - theirs).abs() <= 5e-4,
        "{ours} vs scikit-learn {theirs}"
    );
    for key in [
        "best_params",
        "cv_results",
        "search_seconds",
        "n_candidates",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert!(std::path::Path::new(json["cv_results"].as_str().unwrap()).exists());
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cv_results.json")).unwrap())
            .unwrap();
    assert_eq!(
        table["candidates"][0]["fold_scores"][0]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

/// Bad search settings end with one line naming what is wrong, before any fitting.
#[test]
fn model_selection_rejects_bad_settings_before_fitting() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["--model", "tree", "--grid", "max_dpth=2,4"], "max_dpth"),
        (&["--model", "tree", "--grid", "max_depth=two"], "max_depth"),
        (
            &["--model", "forest", "--grid", "n_estimators=0,10"],
            "n_estimators",
        ),
        (&["--model", "tree", "--grid", ";"], "grid"),
        (&["--model", "tree", "--cv", "5000"], "n_splits"),
        (
            &["--model", "tree", "--stratified", "--cv", "11"],
            "smallest class",
        ),
        (
            &["--model", "linear", "--scoring", "accuracy"],
            "regression",
        ),
        (&["--model", "tree", "--scoring", "f1"], "two classes"),
    ];
    for (args, expected) in cases {
        let mut full = args.to_vec();
        full.extend(["--out", out]);
        let (code, _, stderr) = run("model_selection", &full);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !std::path::Path::new(out).exists(),
            "{args:?} wrote before failing"
        );
    }
}

/// The DQN example checks its flags and paths before any training (feature `tch`).
#[cfg(feature = "tch")]
#[test]
fn dqn_flags_and_paths_are_checked_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["--steps", "0"], "--steps"),
        (&["--eval-episodes", "0"], "--eval-episodes"),
        (&["--checkpoint", "/no/such/dir/dqn.ckpt"], "--checkpoint"),
        (&["--resume", "/no/such/file.ckpt"], "/no/such/file.ckpt"),
        (&["--hidden", "4000000000"], "hidden"),
        (&["--threads", "100000"], "threads"),
    ];
    for (args, expected) in cases {
        let mut full = args.to_vec();
        full.extend(["--out", out]);
        let (code, _, stderr) = run("dqn_cartpole", &full);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !std::path::Path::new(out).exists(),
            "{args:?} wrote into --out"
        );
    }
}

/// A figure that cannot be drawn is skipped with a note in the JSON; the run succeeds.
#[test]
fn an_impossible_figure_is_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.csv");
    let test = dir.path().join("test.csv");
    let mut rows = String::from("a,b,y\n");
    for i in 0..40 {
        rows.push_str(&format!("{},{},{}\n", i, (i * 7) % 5, i % 2));
    }
    std::fs::write(&train, rows).unwrap();
    std::fs::write(&test, "a,b,y\n1,2,0\n3,4,0\n5,1,0\n").unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(
        "logistic_regression",
        &[
            "--data",
            train.to_str().unwrap(),
            "--target",
            "y",
            "--test",
            test.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let skipped = json["skipped_figures"].as_array().unwrap();
    assert!(
        skipped[0].as_str().unwrap().starts_with("logistic_roc.png"),
        "{json}"
    );
    assert!(!out.join("logistic_roc.png").exists());
    assert!(out.join("logistic_confusion.png").exists());
}

/// The gradient boosting example reports what the issue asks for, for both tasks.
#[test]
fn gradient_boosting_reports_its_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (task, keys) in [
        ("classification", ["accuracy", "log_loss"]),
        ("regression", ["r2", "mse"]),
    ] {
        let (code, stdout, stderr) = run(
            "gradient_boosting",
            &["--task", task, "--trees", "20", "--out", out, "--json"],
        );
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        for key in ["fit_seconds", "n_trees_used"].iter().chain(&keys) {
            assert!(json.get(*key).is_some(), "{task}: missing {key}");
        }
    }
    assert!(dir.path().join("boosting_loss.png").exists());
}

/// Missing cells: refused with a hint by default, learned from with `--allow-missing` (which
/// still refuses infinities); `--loss` picks a regression loss and is refused for classes.
#[test]
fn gradient_boosting_takes_missing_values_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let out = out.to_str().unwrap();
    let mut text = String::from("a,b,y\n");
    for i in 0..200 {
        let a = if i % 5 == 0 {
            String::new()
        } else {
            format!("{}", i % 17)
        };
        text += &format!("{a},{},{}\n", (i * 7) % 11, i % 2);
    }
    let path = dir.path().join("gaps.csv");
    std::fs::write(&path, &text).unwrap();
    let data = path.to_str().unwrap();
    let base = [
        "--data", data, "--target", "y", "--trees", "10", "--out", out,
    ];
    let (code, _, stderr) = run("gradient_boosting", &base);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("empty cell") && stderr.contains("--allow-missing"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(
        "gradient_boosting",
        &[&base[..], &["--allow-missing", "--json"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.lines().last().unwrap().contains("\"accuracy\""),
        "{stdout}"
    );
    // Other examples keep refusing the file, even with the flag's idea in mind.
    let (code, _, stderr) = run("decision_tree", &base[..4]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::write(&path, text.replacen("\n1,", "\ninf,", 1)).unwrap();
    let (code, _, stderr) = run(
        "gradient_boosting",
        &[&base[..], &["--allow-missing"]].concat(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a finite number"), "{stderr}");
    let (code, _, stderr) = run("gradient_boosting", &["--loss", "huber", "--out", out]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--loss"), "{stderr}");
    let (code, stdout, stderr) = run(
        "gradient_boosting",
        &[
            "--task",
            "regression",
            "--loss",
            "absolute-error",
            "--trees",
            "20",
            "--out",
            out,
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"r2\""), "{stdout}");
}

/// `env_rollout` prints one line per step (the reset first), resets without a seed between
/// episodes, and refuses bad action files and options with one line and status 2.
#[test]
fn env_rollout_prints_one_line_per_step() {
    let dir = tempfile::tempdir().unwrap();
    let actions = dir.path().join("actions.txt");
    std::fs::write(&actions, "# stick, then hit\n0\n1\n\n1\n").unwrap();
    let path = actions.to_str().unwrap();
    let (code, stdout, stderr) = run(
        "env_rollout",
        &["--env", "blackjack", "--seed", "3", "--actions", path],
    );
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // Blackjack ends at every stick: reset, stick, reset, hit, (reset,) hit...
    assert!(
        lines[0].starts_with(r#"{"observation":"#) && lines[0].ends_with(r#""step":0}"#),
        "{stdout}"
    );
    assert!(
        lines[1].contains(r#""action":0"#) && lines[1].contains(r#""terminated":true"#),
        "{stdout}"
    );
    assert!(lines[2].ends_with(r#""step":0}"#), "{stdout}");
    let (code, stdout, _) = run(
        "env_rollout",
        &["--env", "acrobot", "--seed", "3", "--actions", path],
    );
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 4);
    assert!(
        stdout.lines().nth(3).unwrap().contains(r#""step":3"#),
        "{stdout}"
    );
    for (text, extra, expected) in [
        ("0\n7\n", vec![], ":2: action 7 is outside the 2 actions"),
        ("0\nleft\n", vec![], ":2: `left` is not an action"),
        ("0\n", vec!["--rainy"], "--rainy"),
    ] {
        std::fs::write(&actions, text).unwrap();
        let args = [&["--env", "cartpole", "--actions", path][..], &extra[..]].concat();
        let (code, _, stderr) = run("env_rollout", &args);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// Continuous actions: one number per line (clipped by the environment as Gymnasium does,
/// printed in single precision); a NaN or an infinity is refused with the line named.
#[test]
fn env_rollout_takes_continuous_actions() {
    let dir = tempfile::tempdir().unwrap();
    let actions = dir.path().join("actions.txt");
    std::fs::write(&actions, "0.5\n-7\n0.1\n").unwrap();
    let path = actions.to_str().unwrap();
    for env in ["pendulum", "mountaincar-continuous"] {
        let (code, stdout, stderr) = run(
            "env_rollout",
            &["--env", env, "--seed", "3", "--actions", path],
        );
        assert_eq!(code, 0, "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 4, "{stdout}");
        assert!(lines[1].contains(r#""action":[0.5]"#), "{stdout}");
        assert!(
            lines[3].contains(r#""action":[0.10000000149011612]"#),
            "{stdout}"
        );
    }
    // MountainCarContinuous charges the action as given: 0.1 × 7² for the clipped −7.
    let (_, stdout, _) = run(
        "env_rollout",
        &["--env", "mountaincar-continuous", "--actions", path],
    );
    assert!(
        stdout.lines().nth(2).unwrap().contains(r#""reward":-4.9"#),
        "{stdout}"
    );
    for bad in ["0.5\nnan\n", "0.5\ninf\n", "0.5\n1,2\n"] {
        std::fs::write(&actions, bad).unwrap();
        let (code, _, stderr) = run("env_rollout", &["--env", "pendulum", "--actions", path]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(":2: `") && stderr.contains("a finite number"),
            "{stderr}"
        );
    }
}

/// The MLP example: digits by default (a short run), regression on built-in data, its reports,
/// and a bad layer list refused with one line.
#[cfg(feature = "tch")]
#[test]
fn mlp_example_trains_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(
        "mlp",
        &["--hidden", "32", "--max-iter", "30", "--json", "--out", out],
    );
    assert_eq!(code, 0, "{stderr}");
    let metrics: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(metrics["accuracy"].as_f64().unwrap() > 0.85, "{metrics}");
    assert_eq!(metrics["layer_sizes"], serde_json::json!([64, 32, 10]));
    for png in ["mlp_loss.png", "mlp_confusion.png"] {
        assert!(dir.path().join(png).exists(), "{png}");
    }
    let (code, stdout, stderr) = run(
        "mlp",
        &[
            "--task",
            "regression",
            "--max-iter",
            "20",
            "--json",
            "--out",
            out,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"r2\""), "{stdout}");
    let (code, _, stderr) = run("mlp", &["--hidden", "0", "--out", out]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("hidden_layer_sizes"), "{stderr}");
}

/// The DQN example trains on Acrobot and MountainCar with their own settings (a short smoke run
/// here; the thresholds are measured in `make bench`), reporting the JSON fields and writing the
/// episode animation.
#[cfg(feature = "tch")]
#[test]
fn dqn_runs_on_acrobot_and_mountain_car() {
    let dir = tempfile::tempdir().unwrap();
    for env in ["acrobot", "mountaincar"] {
        let out = dir.path().join(env);
        let out = out.to_str().unwrap();
        let args = [
            "--env",
            env,
            "--steps",
            "1500",
            "--eval-episodes",
            "2",
            "--out",
            out,
            "--json",
        ];
        let (code, stdout, stderr) = run("dqn_cartpole", &args);
        assert_eq!(code, 0, "{env}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        for key in [
            "solved",
            "seconds_to_solve",
            "env_steps",
            "eval_mean_return",
        ] {
            assert!(json.get(key).is_some(), "{env}: no {key}");
        }
        assert!(
            std::path::Path::new(out)
                .join(format!("dqn_{env}_episode.gif"))
                .exists(),
            "{env}"
        );
    }
}

/// `--halving` runs successive halving (it used to parse and then search the whole grid):
/// the rounds are reported, the first with every candidate on a sample of the rows, the last
/// with every row.
#[test]
fn model_selection_halving_runs_rounds_of_growing_samples() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let data = format!("{root}/tests/fixtures/model_selection/cv_data.csv");
    let out = dir.path().to_str().unwrap();
    let grid = "max_depth=1,2,3,4,5,6,7,8,none";
    let args = [
        "--data", &data, "--target", "y", "--model", "tree", "--grid", grid,
    ];
    let (code, stdout, stderr) = run(
        "model_selection",
        &[&args[..], &["--halving", "--out", out, "--json"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let rounds = json["halving_rounds"].as_array().expect("halving rounds");
    assert!(rounds.len() >= 2, "{rounds:?}");
    assert_eq!(rounds[0][1], 9, "every candidate in the first round");
    let rows = |r: &serde_json::Value| r[0].as_u64().unwrap();
    assert!(rows(&rounds[0]) < rows(rounds.last().unwrap()));
    // Without --halving there are no rounds.
    let (code, stdout, stderr) = run(
        "model_selection",
        &[&args[..], &["--out", out, "--json"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(json.get("halving_rounds").is_none());
}

/// The classifiers' examples report ROC AUC for two classes (and not for more), and read
/// Parquet as they read CSV.
#[test]
fn classifier_examples_report_roc_auc_and_read_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("binary.csv");
    let mut rows = String::from("a,b,y\n");
    for i in 0..300 {
        let a = ((i * 37) % 100) as f64 / 10.0;
        let b = ((i * 11) % 17) as f64;
        let y = usize::from(a + b / 4.0 + ((i * 7) % 5) as f64 > 9.0);
        rows.push_str(&format!("{a},{b},{y}\n"));
    }
    std::fs::write(&data, rows).unwrap();
    let parquet = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/columnar/pyarrow.parquet");
    let out = dir.path().join("out");
    for example in ["gradient_boosting", "random_forest", "logistic_regression"] {
        for (file, target, binary) in [(&data, "y", true), (&parquet, "label", false)] {
            let (code, stdout, stderr) = run(
                example,
                &[
                    "--data",
                    file.to_str().unwrap(),
                    "--target",
                    target,
                    "--out",
                    out.to_str().unwrap(),
                    "--json",
                ],
            );
            assert_eq!(code, 0, "{example}: {stderr}");
            let json: serde_json::Value =
                serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
            assert!(
                json["accuracy"].as_f64().unwrap() > 0.5,
                "{example}: {json}"
            );
            match binary {
                true => {
                    let auc = json["roc_auc"].as_f64().unwrap();
                    assert!(auc > 0.5 && auc <= 1.0, "{example}: {auc}");
                }
                false => assert!(json.get("roc_auc").is_none(), "{example}: {json}"),
            }
        }
    }
}

#[test]
fn gradient_boosting_trains_binned_from_parquet_and_from_its_lkbin_cache() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/columnar");
    let (parquet, csv) = (fixtures.join("pyarrow.parquet"), fixtures.join("table.csv"));
    let (parquet, csv) = (parquet.to_str().unwrap(), csv.to_str().unwrap());
    let lkbin = dir.path().join("train.lkbin");
    let lkbin = lkbin.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let fit = |data: &str, test: &str, extra: &[&str]| {
        let mut args = vec!["--data", data, "--test", test, "--target", "label"];
        args.extend(["--trees", "20", "--out", out, "--json"]);
        args.extend(extra);
        run("gradient_boosting", &args)
    };
    let json = |stdout: &str| -> serde_json::Value {
        serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
    };
    // Parquet with --test: binned batch by batch, and saved.
    let (code, stdout, stderr) = fit(parquet, parquet, &["--save-binned", lkbin]);
    assert_eq!(code, 0, "{stderr}");
    let binned = json(&stdout);
    assert!(binned.get("binned_mb").is_some(), "{binned}");
    // From the cache: the same model, so the same scores.
    let (code, stdout, stderr) = fit(lkbin, parquet, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cached = json(&stdout);
    // The CSV copy, read as a table: the same model again.
    let (code, stdout, stderr) = fit(csv, csv, &[]);
    assert_eq!(code, 0, "{stderr}");
    let table = json(&stdout);
    for key in ["accuracy", "log_loss"] {
        assert_eq!(binned[key], cached[key], "{key}");
        assert_eq!(binned[key], table[key], "{key}");
    }
    // Refused in one line, exit 2: a cache without --test, a cache under another target, a
    // damaged cache, a test file with other columns (before any fitting).
    let one_line = |(code, stdout, stderr): (i32, String, String), what: &str| {
        assert_eq!(code, 2, "{what}: {stdout}{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{what}: {stderr}");
        assert!(stderr.contains(what), "{stderr}");
    };
    one_line(
        run("gradient_boosting", &["--data", lkbin, "--target", "label"]),
        "--test",
    );
    let mut args = vec![
        "--data", lkbin, "--test", parquet, "--target", "a", "--out", out,
    ];
    args.push("--json");
    one_line(run("gradient_boosting", &args), "binned with target");
    let bytes = std::fs::read(lkbin).unwrap();
    let cut = dir.path().join("cut.lkbin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    one_line(
        fit(cut.to_str().unwrap(), parquet, &[]),
        "not a valid binned dataset",
    );
    let narrow = dir.path().join("narrow.csv");
    std::fs::write(&narrow, "a,b,label\n1,2,low\n").unwrap();
    one_line(fit(parquet, narrow.to_str().unwrap(), &[]), "columns of");
}

/// A Parquet file with a text column: the examples refuse it with one line (they would read
/// category numbers as ordered values) and point to `learnkit train`, which takes them.
#[test]
fn examples_refuse_text_columns_in_one_line() {
    use learnkit::data::{write_table, Column};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cities.parquet");
    let n = 60;
    write_table(
        &path,
        &[
            (
                "x".into(),
                Column::Float((0..n).map(|i| i as f64).collect()),
            ),
            (
                "city".into(),
                Column::Text((0..n).map(|i| format!("c{}", i % 3)).collect()),
            ),
            (
                "y".into(),
                Column::Text((0..n).map(|i| ["a", "b"][i % 2].to_string()).collect()),
            ),
        ],
    )
    .unwrap();
    let path = path.to_str().unwrap();
    for example_name in ["decision_tree", "logistic_regression"] {
        let (code, _, stderr) = run(example_name, &["--data", path, "--target", "y"]);
        assert_eq!(code, 2, "{example_name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("city") && stderr.contains("learnkit train"),
            "{stderr}"
        );
    }
}
