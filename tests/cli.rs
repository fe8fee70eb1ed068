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
fn a_failed_run_leaves_no_partial_output_and_keeps_existing_files() {
    // `--eval-episodes 0` fails after training has written its episode log into --out.
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh");
    let args = ["--episodes", "50", "--eval-episodes", "0", "--out"];
    let mut full: Vec<&str> = args.to_vec();
    full.push(fresh.to_str().unwrap());
    let (code, _, stderr) = run("q_learning_gridworld", &full);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!fresh.exists(), "a failed run left {fresh:?} behind");

    // An existing directory keeps exactly what it held, byte for byte.
    let existing = dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    let kept = existing.join("qlearning_frozen_lake_4x4_policy.png");
    std::fs::write(&kept, b"the user's file").unwrap();
    let mut full: Vec<&str> = args.to_vec();
    full.push(existing.to_str().unwrap());
    let (code, _, _) = run("q_learning_gridworld", &full);
    assert_eq!(code, 2);
    let left: Vec<_> = std::fs::read_dir(&existing).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(std::fs::read(&kept).unwrap(), b"the user's file");

    // The same run with evaluation succeeds and writes its reports (so the failing run above
    // really got as far as writing).
    let ok = dir.path().join("ok");
    let (code, _, stderr) = run(
        "q_learning_gridworld",
        &[
            "--episodes",
            "50",
            "--eval-episodes",
            "10",
            "--out",
            ok.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(ok.join("qlearning_frozen_lake_4x4_episodes.csv").exists());
}
