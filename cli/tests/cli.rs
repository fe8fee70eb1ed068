//! The `learnkit` binary as a user runs it: train → save → predict/evaluate agree with the
//! in-process scores for every model kind, and hostile files and flags end with one line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn learnkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_learnkit"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The JSON object on the last line of a successful run's stdout.
fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().expect("a last line")).expect("JSON")
}

/// A refused run: exit status 2 and exactly one line on stderr, starting `error: `.
fn refused(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.len() <= 300, "short: {stderr}");
    stderr
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Three features, a string label (three classes) and a real target; `offset` shifts rows so
/// the test file differs from the training file.
fn write_data(path: &Path, rows: usize, offset: usize) {
    let mut text = String::from("a,b,c,label,value\n");
    for i in offset..offset + rows {
        let a = ((i * 7919) % 1000) as f64 / 100.0;
        let b = ((i * 104_729) % 733) as f64 / 73.3;
        let c = ((i * 31) % 17) as f64;
        let label = match (a + b + ((i * 13) % 5) as f64 * 0.8) as usize {
            0..=6 => "cat",
            7..=11 => "dog",
            _ => "owl",
        };
        let value = 2.0 * a - b + 0.1 * c + ((i * 37) % 11) as f64 / 10.0;
        text.push_str(&format!("{a},{b},{c},{label},{value}\n"));
    }
    fs::write(path, text).unwrap();
}

struct Files {
    _dir: tempfile::TempDir,
    root: PathBuf,
    train: PathBuf,
    test: PathBuf,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let (train, test) = (root.join("train.csv"), root.join("test.csv"));
    write_data(&train, 600, 0);
    write_data(&test, 200, 5000);
    Files {
        _dir: dir,
        root,
        train,
        test,
    }
}

/// The predictions column of a predictions file.
fn predictions(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// Column `name` of `path`.
fn column(path: &Path, name: &str) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let k = lines
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == name)
        .unwrap();
    lines
        .map(|l| l.split(',').nth(k).unwrap().to_string())
        .collect()
}

#[test]
fn train_save_predict_and_evaluate_agree_for_every_supervised_kind() {
    let f = files();
    for (kind, target, metric) in [
        ("logistic", "label", "accuracy"),
        // A pipeline: standardise, then the model; the file carries the scaler.
        ("logistic+scale", "label", "accuracy"),
        ("linear+scale", "value", "r2"),
        ("tree", "label", "accuracy"),
        ("forest", "label", "accuracy"),
        ("boosting", "label", "accuracy"),
        ("linear", "value", "r2"),
        ("tree", "value", "r2"),
        ("forest", "value", "r2"),
        ("boosting", "value", "r2"),
    ] {
        let model = f.root.join(format!("{kind}-{target}.json"));
        let other = if target == "label" { "value" } else { "label" };
        // Train reads every column but the target as a feature: the other target column is
        // left out of copies of the files.
        let strip = |src: &Path, name: &str| {
            let out = f.root.join(name);
            let text = fs::read_to_string(src).unwrap();
            let k = text
                .lines()
                .next()
                .unwrap()
                .split(',')
                .position(|h| h == other)
                .unwrap();
            let kept: Vec<String> = text
                .lines()
                .map(|l| {
                    l.split(',')
                        .enumerate()
                        .filter(|(i, _)| *i != k)
                        .map(|(_, c)| c)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            fs::write(&out, kept.join("\n") + "\n").unwrap();
            out
        };
        let train = strip(&f.train, &format!("train-{target}.csv"));
        let test = strip(&f.test, &format!("test-{target}.csv"));
        let (name, scale) = kind.split_once('+').unwrap_or((kind, ""));
        let mut args = vec![
            "train",
            name,
            "--data",
            p(&train),
            "--target",
            target,
            "--test",
            p(&test),
            "--save",
            p(&model),
            "--json",
        ];
        if scale == "scale" {
            args.push("--scale");
        }
        match kind {
            "boosting" => args.extend(["-p", "n_estimators=30"]),
            "forest" => args.extend(["-p", "n_estimators=20", "-p", "max_depth=8"]),
            "tree" => args.extend(["-p", "max_depth=6"]),
            _ => {}
        }
        let trained = json(&learnkit(&args));
        assert_eq!(trained["n_test"], 200);
        let inspected = json(&learnkit(&["inspect", p(&model), "--json"]));
        if scale == "scale" {
            let kind = inspected["kind"].as_str().unwrap();
            assert!(kind.starts_with("Pipeline<"), "{kind}");
        }
        // The file records the hyper-parameters it was trained with.
        let settings = inspected["hyperparameters"].as_array().unwrap();
        if kind == "tree" {
            assert!(
                settings.contains(&serde_json::json!("max_depth=6")),
                "{settings:?}"
            );
        }
        assert_eq!(inspected["format_version"], 4);
        let evaluated = json(&learnkit(&[
            "evaluate",
            "--model",
            p(&model),
            "--data",
            p(&test),
            "--target",
            target,
            "--json",
        ]));
        assert_eq!(
            trained[metric], evaluated[metric],
            "{kind} on {target}: evaluate"
        );
        let out = f.root.join(format!("pred-{kind}-{target}.csv"));
        let predicted = learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&test),
            "--output",
            p(&out),
            "--ignore-extra",
            "--json",
        ]);
        assert_eq!(json(&predicted)["n_predicted"], 200);
        let truth = column(&test, target);
        let got = predictions(&out);
        if metric == "accuracy" {
            let right = truth.iter().zip(&got).filter(|(t, g)| t == g).count();
            assert!(got
                .iter()
                .all(|g| ["cat", "dog", "owl"].contains(&g.as_str())));
            assert_eq!(
                trained[metric].as_f64().unwrap(),
                right as f64 / 200.0,
                "{kind}: predict"
            );
        } else {
            let y: Vec<f64> = truth.iter().map(|v| v.parse().unwrap()).collect();
            let yhat: Vec<f64> = got.iter().map(|v| v.parse().unwrap()).collect();
            let r2 = learnkit::metrics::r2(
                ndarray::ArrayView1::from(&y),
                ndarray::ArrayView1::from(&yhat),
            )
            .unwrap();
            assert_eq!(trained[metric].as_f64().unwrap(), r2, "{kind}: predict");
        }
    }
}

/// Trains a small forest classifier on `f` and returns its model file.
fn forest(f: &Files) -> PathBuf {
    let model = f.root.join("forest.json");
    json(&learnkit(&[
        "train",
        "forest",
        "--data",
        p(&f.train),
        "--target",
        "label",
        "-p",
        "n_estimators=5",
        "--save",
        p(&model),
        "--json",
        "--task",
        "classification",
    ]));
    model
}

#[test]
fn predict_matches_columns_by_name_and_names_missing_and_extra_ones() {
    let f = files();
    let model = forest(&f);
    let (a, b) = (f.root.join("a.csv"), f.root.join("b.csv"));
    let out = |name: &str| f.root.join(name);
    // The file's column order does not matter.
    let text = fs::read_to_string(&f.test).unwrap();
    let swapped: Vec<String> = text
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{},{}", c[4], c[2], c[0], c[1], c[3])
        })
        .collect();
    fs::write(&a, swapped.join("\n") + "\n").unwrap();
    for (data, name) in [(&f.test, "p1.csv"), (&a, "p2.csv")] {
        json(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(data),
            "--output",
            p(&out(name)),
            "--ignore-extra",
            "--proba",
            "--json",
        ]));
    }
    let (p1, p2) = (
        fs::read_to_string(out("p1.csv")).unwrap(),
        fs::read_to_string(out("p2.csv")).unwrap(),
    );
    assert_eq!(p1, p2);
    assert!(
        p1.starts_with("prediction,proba_cat,proba_dog,proba_owl\n"),
        "{p1}"
    );
    // Extra columns are refused, naming them, unless --ignore-extra.
    let e = refused(&learnkit(&[
        "predict",
        "--model",
        p(&model),
        "--data",
        p(&f.test),
        "--output",
        p(&out("x.csv")),
    ]));
    assert!(e.contains("label") && e.contains("--ignore-extra"), "{e}");
    // A missing column is refused, naming it.
    fs::write(&b, "a,c,label\n1,2,cat\n").unwrap();
    let e = refused(&learnkit(&[
        "predict",
        "--model",
        p(&model),
        "--data",
        p(&b),
        "--output",
        p(&out("x.csv")),
        "--ignore-extra",
    ]));
    assert!(e.contains("missing") && e.contains('b'), "{e}");
    assert!(!out("x.csv").exists(), "no output after a refusal");
}

#[test]
fn hostile_model_files_are_refused_with_one_line_and_no_output() {
    let f = files();
    let model = forest(&f);
    let bytes = fs::read(&model).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let out = f.root.join("out.csv");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec(), "corrupt"),
        // A digit changed inside the model: still valid JSON, caught by the checksum.
        ("altered", {
            let k = text.rfind("0.").unwrap();
            let mut b = bytes.clone();
            b[k + 2] = if b[k + 2] == b'1' { b'2' } else { b'1' };
            b
        }, "checksum"),
        ("future", text.replacen("\"version\":4", "\"version\":99", 1).into_bytes(), "version 99"),
        ("foreign", text.replacen("RandomForestClassifier", "QTable", 1).into_bytes(), "QTable"),
        ("not json", b"\x00\x01binary".to_vec(), "corrupt"),
        ("empty", Vec::new(), "corrupt"),
        ("huge count", br#"{"format":"learnkit-model","version":2,"kind":"RandomForestClassifier","model":{"trees":[],"feature_names":[],"classes":[],"importances":[],"oob_score":null,"oob_curve":[],"n":18446744073709551615}}"#.to_vec(), "corrupt"),
    ];
    for (name, content, says) in cases {
        let path = f.root.join(format!("{}.json", name.replace(' ', "_")));
        fs::write(&path, content).unwrap();
        for args in [
            vec![
                "predict",
                "--model",
                p(&path),
                "--data",
                p(&f.test),
                "--output",
                p(&out),
                "--ignore-extra",
            ],
            vec!["inspect", p(&path)],
            vec![
                "evaluate",
                "--model",
                p(&path),
                "--data",
                p(&f.test),
                "--target",
                "label",
                "--ignore-extra",
            ],
        ] {
            let run = learnkit(&args);
            assert_eq!(run.status.code(), Some(2), "{name}: {args:?}");
            let e = refused(&run);
            assert!(e.contains(says) || name == "huge count", "{name}: {e}");
            assert!(!out.exists(), "{name}: no output");
        }
    }
}

#[test]
fn outputs_never_overwrite_inputs_and_fifos_are_refused() {
    let f = files();
    let model = forest(&f);
    let before = fs::read(&f.test).unwrap();
    let e = refused(&learnkit(&[
        "predict",
        "--model",
        p(&model),
        "--data",
        p(&f.test),
        "--output",
        p(&f.test),
        "--ignore-extra",
    ]));
    assert!(e.contains("--output"), "{e}");
    assert_eq!(fs::read(&f.test).unwrap(), before);
    let model_bytes = fs::read(&model).unwrap();
    refused(&learnkit(&[
        "predict",
        "--model",
        p(&model),
        "--data",
        p(&f.test),
        "--output",
        p(&model),
        "--ignore-extra",
    ]));
    refused(&learnkit(&[
        "train",
        "tree",
        "--data",
        p(&f.train),
        "--target",
        "label",
        "--save",
        p(&f.train),
    ]));
    assert_eq!(fs::read(&model).unwrap(), model_bytes);
    #[cfg(unix)]
    {
        let fifo = f.root.join("fifo");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = refused(&learnkit(&[
                "train",
                "tree",
                "--data",
                p(&fifo),
                "--target",
                "label",
            ]));
            assert!(e.contains("not a regular file"), "{e}");
            let e = refused(&learnkit(&["inspect", p(&fifo)]));
            assert!(e.contains("not a regular file"), "{e}");
        }
        let e = refused(&learnkit(&["inspect", "/dev/zero"]));
        assert!(e.contains("not a regular file"), "{e}");
    }
}

#[test]
fn flags_that_cannot_apply_are_refused() {
    let f = files();
    let train = p(&f.train);
    for (args, says) in [
        (
            vec![
                "train", "forest", "--data", train, "--target", "label", "--scale",
            ],
            "--scale",
        ),
        (vec!["train", "pca", "--data", train, "--scale"], "--scale"),
        (
            vec![
                "cv", "boosting", "--data", train, "--target", "label", "--scale",
            ],
            "--scale",
        ),
        (
            vec![
                "train",
                "tree",
                "--data",
                train,
                "--target",
                "label",
                "-p",
                "max_depth=3",
                "-p",
                "max_depth=4",
            ],
            "twice",
        ),
        (
            vec![
                "train",
                "tree",
                "--data",
                train,
                "--target",
                "label",
                "-p",
                "n_estimators=3",
            ],
            "n_estimators",
        ),
        (
            vec![
                "train",
                "tree",
                "--data",
                train,
                "--target",
                "label",
                "-p",
                "max_depth",
            ],
            "NAME=VALUE",
        ),
        (
            vec![
                "train",
                "tree",
                "--data",
                train,
                "--target",
                "label",
                "--allow-missing",
            ],
            "boosting",
        ),
        (
            vec!["train", "kmeans", "--data", train, "--test", train],
            "--test",
        ),
        (
            vec![
                "train",
                "linear",
                "--data",
                train,
                "--target",
                "value",
                "--task",
                "regression",
            ],
            "--task",
        ),
        (vec!["train", "forest", "--data", train], "--target"),
        (
            vec!["train", "tree", "--data", train, "--target", "nope"],
            "nope",
        ),
        (
            vec![
                "train",
                "tree",
                "--data",
                train,
                "--target",
                "label",
                "-p",
                "max_depth=-1",
            ],
            "max_depth",
        ),
    ] {
        let e = refused(&learnkit(&args));
        assert!(e.contains(says), "{args:?}: {e}");
    }
}

#[test]
fn unsupervised_models_inspect_and_completions() {
    let f = files();
    let data = f.root.join("x.csv");
    let text = fs::read_to_string(&f.train).unwrap();
    let only_x: Vec<String> = text
        .lines()
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    fs::write(&data, only_x.join("\n") + "\n").unwrap();
    for (kind, column) in [
        ("kmeans", "cluster"),
        ("kmeans+scale", "cluster"),
        ("pca", "pc1"),
    ] {
        let model = f.root.join(format!("{kind}.json"));
        let out = f.root.join(format!("{kind}.csv"));
        let (name, scale) = kind.split_once('+').unwrap_or((kind, ""));
        let mut args = vec![
            "train",
            name,
            "--data",
            p(&data),
            "--save",
            p(&model),
            "--json",
        ];
        if scale == "scale" {
            args.push("--scale");
        }
        json(&learnkit(&args));
        json(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--output",
            p(&out),
            "--json",
        ]));
        assert_eq!(column_len(&out, column), 600, "{kind}");
        let described = json(&learnkit(&["inspect", p(&model), "--json"]));
        assert_eq!(described["n_features"], 3);
        refused(&learnkit(&[
            "evaluate",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--target",
            "a",
        ]));
        let e = refused(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--output",
            p(&out),
            "--proba",
        ]));
        assert!(e.contains("needs a classifier"), "{e}");
    }
    let model = forest(&f);
    let shown = learnkit(&["inspect", p(&model), "--tree", "2"]);
    assert!(shown.status.success());
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert!(
        stdout.contains("|---") && stdout.contains("kind"),
        "{stdout}"
    );
    let e = refused(&learnkit(&["inspect", p(&model), "--tree", "5"]));
    assert!(e.contains("below 5"), "{e}");
    let completions = learnkit(&["completions", "bash"]);
    assert!(completions.status.success());
    assert!(String::from_utf8_lossy(&completions.stdout).contains("learnkit"));
}

fn column_len(path: &Path, name: &str) -> usize {
    column(path, name).len()
}

/// `learnkit … | head -0`: a reader that has gone away is no reason to panic or fail.
#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    let f = files();
    let model = forest(&f);
    let mut child = Command::new(env!("CARGO_BIN_EXE_learnkit"))
        .args(["inspect", p(&model), "--tree", "0", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader closes the pipe before anything is written
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn cv_and_search_score_candidates_and_save_the_best() {
    let f = files();
    let cv = json(&learnkit(&[
        "cv",
        "tree",
        "--data",
        p(&f.train),
        "--target",
        "label",
        "--task",
        "classification",
        "-p",
        "max_depth=4",
        "--cv",
        "4",
        "--stratified",
        "--json",
    ]));
    assert_eq!(cv["fold_scores"].as_array().unwrap().len(), 4);
    let mean = cv["mean_score"].as_f64().unwrap();
    assert!(mean > 0.5 && mean <= 1.0, "{mean}");
    let best = f.root.join("best.json");
    let found = json(&learnkit(&[
        "search",
        "tree",
        "--data",
        p(&f.train),
        "--target",
        "label",
        "--task",
        "classification",
        "--grid",
        "max_depth=1,3,none;criterion=gini,entropy",
        "--save",
        p(&best),
        "--json",
    ]));
    assert_eq!(found["n_candidates"], 6);
    // The file records the best candidate's settings.
    let settings = json(&learnkit(&["inspect", p(&best), "--json"]))["hyperparameters"].clone();
    for (name, value) in found["best_params"].as_object().unwrap() {
        let entry = format!("{name}={}", value.as_str().unwrap());
        assert!(
            settings
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(entry)),
            "{entry}: {settings}"
        );
    }
    // The saved model is the best candidate refitted on all the rows: it evaluates.
    let evaluated = json(&learnkit(&[
        "evaluate",
        "--model",
        p(&best),
        "--data",
        p(&f.test),
        "--target",
        "label",
        "--ignore-extra",
        "--json",
    ]));
    assert!(evaluated["accuracy"].as_f64().unwrap() > 0.5);
    // Regression on the real target, from a copy without the (text) label column.
    let numeric = f.root.join("numeric.csv");
    let text = fs::read_to_string(&f.train).unwrap();
    let rows: Vec<String> = text
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}", c[0], c[1], c[2], c[4])
        })
        .collect();
    fs::write(&numeric, rows.join("\n") + "\n").unwrap();
    let random = json(&learnkit(&[
        "search",
        "forest",
        "--data",
        p(&numeric),
        "--target",
        "value",
        "--task",
        "regression",
        "--random",
        "3",
        "--dist",
        "max_depth=int(2,6)",
        "-p",
        "n_estimators=5",
        "--json",
    ]));
    assert_eq!(random["n_candidates"], 3);
    assert_eq!(random["scoring"], "r2");
    let halving = json(&learnkit(&[
        "search",
        "tree",
        "--data",
        p(&f.train),
        "--target",
        "label",
        "--task",
        "classification",
        "--grid",
        "max_depth=1,2,3,4,5,6,7,8,none",
        "--halving",
        "--json",
    ]));
    assert!(halving["halving_rounds"].as_array().unwrap().len() >= 2);
    for (args, says) in [
        (
            vec!["search", "tree", "--data", p(&f.train), "--target", "label"],
            "--grid",
        ),
        (
            vec![
                "cv",
                "tree",
                "--data",
                p(&f.train),
                "--target",
                "label",
                "--cv",
                "1",
            ],
            "--cv",
        ),
        (
            vec!["cv", "kmeans", "--data", p(&f.train), "--target", "label"],
            "supervised",
        ),
        (
            vec![
                "search",
                "tree",
                "--data",
                p(&f.train),
                "--target",
                "label",
                "--random",
                "2",
                "--dist",
                "max_depth=int(1,3)",
                "--dist",
                "max_depth=int(2,4)",
            ],
            "twice",
        ),
        (
            vec![
                "search",
                "tree",
                "--data",
                p(&f.train),
                "--target",
                "label",
                "--grid",
                "max_depth=1,2",
                "--save",
                p(&f.train),
            ],
            "--save",
        ),
    ] {
        let e = refused(&learnkit(&args));
        assert!(e.contains(says), "{args:?}: {e}");
    }
}

/// `rl train --save` then `rl play` with the same seed repeats the evaluation exactly, and
/// `inspect` describes the agent.
fn train_then_play(root: &Path, algo: &str, env: &str, budget: &[&str]) -> PathBuf {
    let agent = root.join(format!("{algo}_{env}.json"));
    let mut args = vec!["rl", "train", "--algo", algo, "--env", env, "--seed", "7"];
    args.extend_from_slice(budget);
    args.extend(["--eval-episodes", "20", "--save", p(&agent), "--json"]);
    let trained = json(&learnkit(&args));
    let played = json(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&agent),
        "--seed",
        "7",
        "--episodes",
        "20",
        "--json",
    ]));
    for (t, q) in [
        ("eval_mean_return", "mean_return"),
        ("eval_mean_length", "mean_length"),
        ("eval_success_rate", "success_rate"),
    ] {
        assert_eq!(trained[t], played[q], "{algo} on {env}: {t}");
    }
    assert_eq!(trained["env"], played["env"]);
    let inspected = json(&learnkit(&["inspect", p(&agent), "--json"]));
    assert_eq!(inspected["kind"], "Agent");
    assert_eq!(inspected["env"], env);
    assert!(inspected["hyperparameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h.as_str().unwrap().starts_with("gamma=")));
    agent
}

#[test]
fn rl_train_save_and_play_agree_and_hostile_agents_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // CliffWalking's optimal path: 13 steps along the edge.
    let cliff = train_then_play(root, "q-learning", "cliff", &["--episodes", "500"]);
    let played = json(&learnkit(&["rl", "play", "--agent", p(&cliff), "--json"]));
    assert_eq!(played["mean_return"], -13.0);
    for algo in ["sarsa", "expected-sarsa", "double-q"] {
        train_then_play(root, algo, "taxi", &["--episodes", "3000"]);
    }
    train_then_play(root, "q", "blackjack", &["--episodes", "20000"]);

    // A GIF of a greedy episode; never over the agent file.
    let gif = root.join("cliff.gif");
    json(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&cliff),
        "--gif",
        p(&gif),
        "--json",
    ]));
    assert!(fs::read(&gif).unwrap().starts_with(b"GIF8"));
    let e = refused(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&cliff),
        "--gif",
        p(&cliff),
    ]));
    assert!(e.contains("--agent"), "{e}");

    // Flags that cannot apply, unbounded counts, unknown environments, other environments.
    let out = root.join("never.json");
    for (args, says) in [
        (
            vec!["--algo", "q", "--env", "cliff", "--steps", "5"],
            "--steps",
        ),
        (vec!["--algo", "q", "--env", "cartpole"], "continuous"),
        (vec!["--algo", "q", "--env", "no-such-env"], "--env"),
        (
            vec![
                "--algo",
                "q",
                "--env",
                "cliff",
                "--episodes",
                "18446744073709551615",
            ],
            "--episodes",
        ),
        (
            vec!["--algo", "q", "--env", "cliff", "--eval-episodes", "0"],
            "--eval-episodes",
        ),
        (
            vec!["--algo", "q", "--env", "cliff", "-p", "gamma=2"],
            "gamma",
        ),
        (
            vec![
                "--algo",
                "q",
                "--env",
                "cliff",
                "-p",
                "gamma=0.9",
                "-p",
                "gamma=0.8",
            ],
            "twice",
        ),
        (vec!["--algo", "dqn", "--env", "taxi"], "dqn"),
    ] {
        let mut all = vec!["rl", "train"];
        all.extend(args);
        all.extend(["--save", p(&out)]);
        let e = refused(&learnkit(&all));
        assert!(e.contains(says), "{all:?}: {e}");
        assert!(!out.exists());
    }
    let e = refused(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&cliff),
        "--env",
        "taxi",
    ]));
    assert!(e.contains("48 features and 4 actions"), "{e}");
    let e = refused(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&cliff),
        "--episodes",
        "0",
    ]));
    assert!(e.contains("--episodes"), "{e}");
    // An agent is not an estimator, and an estimator file is not an agent.
    let e = refused(&learnkit(&[
        "predict",
        "--model",
        p(&cliff),
        "--data",
        p(&cliff),
        "--output",
        p(&out),
    ]));
    assert!(e.contains("rl play"), "{e}");
    let f = files();
    let e = refused(&learnkit(&["rl", "play", "--agent", p(&forest(&f))]));
    assert!(e.contains("RandomForestClassifier"), "{e}");

    // Damaged and crafted agent files: one line, exit 2.
    let bytes = fs::read(&cliff).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // Crafted with a valid checksum: only validation stands between them and the player.
    let network = |sizes: &str, params: &str| {
        let model = format!(
            r#"{{"env":"cartpole","algorithm":"DQN","hyperparameters":[],"policy":{{"Network":{{"architecture":{{"sizes":{sizes},"activation":"Relu","dueling":false}},"parameters":{params}}}}}}}"#
        );
        let sum = learnkit::persist::checksum(model.as_bytes());
        format!(
            r#"{{"format":"learnkit-model","version":3,"kind":"Agent","checksum":"{sum}","model":{model}}}"#
        )
        .into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec(), "corrupt"),
        (
            "altered",
            {
                let k = text.rfind("-1").unwrap();
                let mut b = bytes.clone();
                b[k + 1] = if b[k + 1] == b'2' { b'3' } else { b'2' };
                b
            },
            "checksum",
        ),
        (
            "future",
            text.replacen("\"version\":4", "\"version\":99", 1)
                .into_bytes(),
            "version 99",
        ),
        (
            "foreign",
            text.replacen("\"Agent\"", "\"KMeans\"", 1).into_bytes(),
            "KMeans",
        ),
        (
            "huge network",
            network("[4,18446744073709551615,2]", "[]"),
            "not a network",
        ),
        ("zero width", network("[4,0,2]", "[]"), "not a network"),
        ("short weights", network("[1,1]", "[0.5]"), "parameters"),
    ];
    for (name, content, says) in cases {
        let path = root.join(format!("{}.json", name.replace(' ', "_")));
        fs::write(&path, content).unwrap();
        let e = refused(&learnkit(&[
            "rl",
            "play",
            "--agent",
            p(&path),
            "--gif",
            p(&gif),
        ]));
        assert!(e.contains(says), "{name}: {e}");
    }
}

/// A DQN trained by the command line plays back from its file without libtorch's forward
/// pass (the saved agent acts in plain Rust) and scores what training scored.
#[cfg(feature = "tch")]
#[test]
fn rl_dqn_agents_play_back_what_training_scored() {
    let dir = tempfile::tempdir().unwrap();
    let agent = train_then_play(dir.path(), "dqn", "cartpole", &["--steps", "3000"]);
    let inspected = json(&learnkit(&["inspect", p(&agent), "--json"]));
    assert_eq!(inspected["layer_sizes"], serde_json::json!([4, 64, 64, 2]));
    let e = refused(&learnkit(&[
        "rl",
        "play",
        "--agent",
        p(&agent),
        "--env",
        "acrobot",
    ]));
    assert!(e.contains("6 features and 3 actions"), "{e}");
}

/// Parquet and Arrow files work wherever CSV does, and give the CSV copy's model and
/// predictions; a `--test` file whose columns differ is refused before any fitting.
#[test]
fn parquet_and_arrow_files_train_predict_and_evaluate_like_their_csv_copy() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/columnar");
    let dir = tempfile::tempdir().unwrap();
    let mut saved = Vec::new();
    for file in [
        "table.csv",
        "pyarrow.parquet",
        "polars.parquet",
        "pyarrow.feather",
    ] {
        let data = fixtures.join(file);
        let model = dir.path().join(format!("{file}.json"));
        let trained = json(&learnkit(&[
            "train",
            "forest",
            "--data",
            p(&data),
            "--target",
            "label",
            "--save",
            p(&model),
            "-p",
            "n_estimators=10",
            "--json",
        ]));
        let out = dir.path().join(format!("{file}.csv"));
        json(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--output",
            p(&out),
            "--ignore-extra",
            "--json",
        ]));
        let evaluated = json(&learnkit(&[
            "evaluate",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--target",
            "label",
            "--json",
        ]));
        saved.push((
            fs::read(&model).unwrap(),
            predictions(&out),
            trained["accuracy"].clone(),
        ));
        assert!(evaluated["accuracy"].as_f64().unwrap() > 0.5, "{file}");
    }
    for (file, s) in ["pyarrow.parquet", "polars.parquet", "pyarrow.feather"]
        .iter()
        .zip(&saved[1..])
    {
        assert_eq!(s.0, saved[0].0, "{file}: the CSV copy's model");
        assert_eq!(s.1, saved[0].1, "{file}: the CSV copy's predictions");
        assert_eq!(s.2, saved[0].2, "{file}: the CSV copy's accuracy");
    }
    // Predictions written as Parquet or Arrow hold what the CSV holds.
    let model = dir.path().join("table.csv.json");
    let data = fixtures.join("pyarrow.parquet");
    for ext in ["parquet", "arrow"] {
        let out = dir.path().join(format!("predictions.{ext}"));
        json(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&data),
            "--output",
            p(&out),
            "--ignore-extra",
            "--proba",
            "--json",
        ]));
        let table = learnkit::data::read_table(&out, Some("prediction"), &[], false).unwrap();
        assert_eq!(table.target.unwrap().values, saved[0].1, "{ext}");
        assert_eq!(
            table.feature_names,
            ["proba_high", "proba_low", "proba_mid"],
            "{ext}"
        );
        let sums = table.features.sum_axis(ndarray::Axis(1));
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-9), "{ext}");
    }
    // A file name with a terminal escape sequence is shown escaped in the human summary.
    let odd = dir.path().join("e\u{1b}[31mx.parquet");
    fs::copy(&data, &odd).unwrap();
    let run = learnkit(&["train", "tree", "--data", p(&odd), "--target", "label"]);
    assert!(run.status.success());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        !stdout.contains('\u{1b}') && stdout.contains("\\u{1b}"),
        "{stdout}"
    );
    // Different columns in --test: refused before fitting.
    let nulls = fixtures.join("nulls.parquet");
    let other = dir.path().join("other.csv");
    fs::write(&other, "a,c,b,label\n1,0,2,low\n").unwrap();
    let e = refused(&learnkit(&[
        "train",
        "forest",
        "--data",
        p(&fixtures.join("pyarrow.parquet")),
        "--target",
        "label",
        "--test",
        p(&other),
    ]));
    assert!(e.contains("a,b,c") && e.contains("a,c,b"), "{e}");
    let e = refused(&learnkit(&[
        "train",
        "forest",
        "--data",
        p(&nulls),
        "--target",
        "label",
    ]));
    assert!(e.contains("column a") && e.contains("row 1"), "{e}");
    json(&learnkit(&[
        "train",
        "boosting",
        "--data",
        p(&nulls),
        "--target",
        "label",
        "--allow-missing",
        "-p",
        "n_estimators=5",
        "--json",
    ]));
}

#[test]
fn tree_models_train_on_binned_rows_and_their_lkbin_cache_as_on_the_table() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/columnar");
    let dir = tempfile::tempdir().unwrap();
    let (csv, parquet) = (fixtures.join("table.csv"), fixtures.join("pyarrow.parquet"));
    for (model, param) in [
        ("tree", "max_depth=5"),
        ("forest", "n_estimators=10"),
        ("boosting", "n_estimators=20"),
    ] {
        let train = |data: &Path, name: &str, extra: &[&str]| {
            let save = dir.path().join(format!("{model}-{name}.json"));
            let mut args = vec!["train", model, "--data", p(data), "--test", p(&csv)];
            args.extend([
                "--target",
                "label",
                "-p",
                param,
                "--save",
                p(&save),
                "--json",
            ]);
            args.extend(extra);
            let summary = json(&learnkit(&args));
            (fs::read(&save).unwrap(), summary)
        };
        // The CSV table, the Parquet copy binned batch by batch (and saved), the cache.
        let (table, _) = train(&csv, "table", &[]);
        let lkbin = dir.path().join(format!("{model}.lkbin"));
        let (binned, summary) = train(&parquet, "binned", &["--save-binned", p(&lkbin)]);
        assert!(summary.get("binned_mb").is_some(), "{summary}");
        let (cached, _) = train(&lkbin, "cached", &[]);
        assert_eq!(
            binned, table,
            "{model}: the binned Parquet gives the table's model"
        );
        assert_eq!(cached, table, "{model}: the cache gives the table's model");
    }
    // `inspect` describes a cache (checked as training checks it).
    let lkbin = dir.path().join("boosting.lkbin");
    let described = json(&learnkit(&["inspect", p(&lkbin), "--json"]));
    assert_eq!(described["kind"], "BinnedDataset", "{described}");
    assert_eq!(described["n_features"], 3, "{described}");
    assert_eq!(described["task"], "classification", "{described}");
    assert!(refused(&learnkit(&["inspect", p(&lkbin), "--tree", "0"])).contains("binned"));
    // A cache without --test, --save-binned without --test.
    let no_test = [
        "train",
        "boosting",
        "--data",
        p(&lkbin),
        "--target",
        "label",
    ];
    assert!(refused(&learnkit(&no_test)).contains("--test"));
    let keep = dir.path().join("keep.lkbin");
    let args = [
        "train",
        "boosting",
        "--data",
        p(&csv),
        "--target",
        "label",
        "--save-binned",
    ];
    let out = learnkit(&[&args[..], &[p(&keep)]].concat());
    assert!(refused(&out).contains("--test"));
    assert!(!keep.exists());
}

/// A Parquet file with a text column: boosting and forests learn it as categories (the class
/// hangs on the city), the model file keeps the numbering, `predict` reads a file whose cities
/// come in another order (and one never seen) with it; `--categorical` names a numeric column;
/// a linear model on text, --categorical on a model that cannot
/// take it, and a column --categorical names that the file does not have, are refused.
#[test]
fn text_columns_train_as_categories_and_predict_with_their_numbering() {
    use learnkit::data::{write_table, Column};
    let dir = tempfile::tempdir().unwrap();
    let hot = ["Lyon", "Oslo", "Kyiv", "Lima", "Pune", "Bonn"];
    let cold = [
        "Nice", "Rome", "Riga", "Cork", "Graz", "Faro", "Baku", "Doha",
    ];
    let city = |i: usize| {
        let k = (i * 7 + i / 3) % 14;
        if k < 6 { hot[k] } else { cold[k - 6] }.to_string()
    };
    let write = |path: &Path, rows: std::ops::Range<usize>, first: Option<&str>| {
        let mut cities: Vec<String> = rows.clone().map(city).collect();
        if let Some(first) = first {
            cities[0] = first.to_string();
        }
        let label = cities
            .iter()
            .map(|c| {
                if hot.contains(&c.as_str()) {
                    "hot"
                } else {
                    "cold"
                }
                .to_string()
            })
            .collect();
        let columns = vec![
            (
                "x".to_string(),
                Column::Float(rows.clone().map(|i| ((i * 31) % 17) as f64).collect()),
            ),
            ("city".to_string(), Column::Text(cities)),
            (
                "code".to_string(),
                Column::Float(rows.map(|i| (i % 5) as f64).collect()),
            ),
            ("label".to_string(), Column::Text(label)),
        ];
        write_table(path, &columns).unwrap();
    };
    let (train, test) = (
        dir.path().join("train.parquet"),
        dir.path().join("test.parquet"),
    );
    write(&train, 0..2_000, None);
    write(&test, 5_000..5_300, Some("Atlantis"));
    for model_name in ["boosting", "forest"] {
        let model = dir.path().join(format!("{model_name}.json"));
        let trained = json(&learnkit(&[
            "train",
            model_name,
            "--data",
            p(&train),
            "--target",
            "label",
            "--categorical",
            "code",
            "-p",
            "n_estimators=5",
            "--save",
            p(&model),
            "--json",
        ]));
        assert_eq!(trained["accuracy"], 1.0, "{model_name}: {trained}");
        let saved = fs::read_to_string(&model).unwrap();
        assert!(saved.contains("categorical_features") && saved.contains("Lyon"));
        // inspect names the text columns by their number of texts, not every text.
        let inspected = json(&learnkit(&["inspect", p(&model), "--json"]));
        assert_eq!(
            inspected["text_columns"][0], "city (14 texts)",
            "{inspected}"
        );
        assert!(!inspected.to_string().contains("Lyon"), "{inspected}");
        let out = dir.path().join(format!("{model_name}.csv"));
        json(&learnkit(&[
            "predict",
            "--model",
            p(&model),
            "--data",
            p(&test),
            "--output",
            p(&out),
            "--ignore-extra",
            "--json",
        ]));
        let predicted = predictions(&out);
        // Atlantis was never seen: it goes the way of the categories no split sent left.
        let truth: Vec<String> = (5_001..5_300)
            .map(|i| {
                if hot.contains(&city(i).as_str()) {
                    "hot"
                } else {
                    "cold"
                }
                .to_string()
            })
            .collect();
        assert_eq!(predicted[1..], truth[..], "{model_name}");
    }
    let e = refused(&learnkit(&[
        "train",
        "logistic",
        "--data",
        p(&train),
        "--target",
        "label",
    ]));
    assert!(e.contains("city") && e.contains("categorical"), "{e}");
    let e = refused(&learnkit(&[
        "train",
        "logistic",
        "--data",
        p(&train),
        "--target",
        "label",
        "--categorical",
        "code",
    ]));
    assert!(e.contains("--categorical"), "{e}");
    let e = refused(&learnkit(&[
        "train",
        "tree",
        "--data",
        p(&train),
        "--target",
        "label",
        "--categorical",
        "nope",
    ]));
    assert!(e.contains("nope"), "{e}");
}
