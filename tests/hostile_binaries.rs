//! Hostile and careless command lines against every example binary: each must end with exit
//! status 2 and exactly one line on stderr, create nothing outside `--out` (here: nothing at all
//! beside the inputs, since every case fails), and leave an existing model file byte-identical.
//! The binaries are the ones `cargo test` builds (debug: integer overflow panics there, so an
//! unchecked size shows up as a failure here rather than as silent wrap-around).

use std::path::{Path, PathBuf};
use std::process::Command;

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// Every regular file and directory under `dir`, recursively.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(listing(&p));
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let f = |name: &str, text: &[u8]| std::fs::write(dir.path().join(name), text).unwrap();
        let mut good = String::from("a,b,c,y\n");
        for i in 0..60 {
            good.push_str(&format!(
                "{},{},{},{}\n",
                i % 7,
                (i * 3) % 11,
                i as f64 / 10.0,
                i % 3
            ));
        }
        f("good.csv", good.as_bytes());
        let mut reg = String::from("a,b,y\n");
        for i in 0..60 {
            reg.push_str(&format!(
                "{},{},{}\n",
                i % 7,
                (i * 3) % 11,
                i as f64 * 0.37 + 0.1
            ));
        }
        f("reg.csv", reg.as_bytes());
        f("empty.csv", b"");
        f("header_only.csv", b"a,b,y\n");
        f("ragged.csv", b"a,b,y\n1,2,0\n3,4\n");
        f("text_cell.csv", b"a,b,y\n1,2,0\n3,oops,1\n");
        f("nan_cell.csv", b"a,b,y\n1,2,0\nnan,4,1\n1,1,0\n2,2,1\n");
        f("inf_cell.csv", b"a,b,y\n1,2,0\ninf,4,1\n1,1,0\n2,2,1\n");
        f(
            "overflow_cell.csv",
            b"a,b,y\n1,2,0\n1e400,4,1\n1,1,0\n2,2,1\n",
        );
        f("empty_cell.csv", b"a,b,y\n1,2,0\n,4,1\n1,1,0\n2,2,1\n");
        f("dup_target.csv", b"a,y,y\n1,0,0\n2,1,1\n3,0,0\n4,1,1\n");
        f("dup_feature.csv", b"a,a,y\n1,0,0\n2,1,1\n3,0,0\n4,1,1\n");
        f("binary.csv", &[0u8, 159, 146, 150, 255, 254, 10, 0, 1, 2]);
        f("one_row.csv", b"a,b,y\n1,2,0\n");
        f(
            "one_class.csv",
            b"a,b,y\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n9,1,0\n",
        );
        f("other_columns.csv", b"a,z,y\n1,2,0\n3,4,1\n");
        f("unseen_label.csv", b"a,b,c,y\n1,2,3,7\n");
        f("no_goal.txt", b"SFFF\nFHFH\nFFFH\nHFFF\n");
        f("walled_goal.txt", b"SFFF\nFHFH\nFFF#\nHF#G\n");
        f("bad_cell.txt", b"SFZF\nFHFG\n");
        f("two_starts.txt", b"SFSF\nFHFG\n");
        f("no_start.txt", b"FFFF\nFHFG\n");
        f("jagged.txt", b"SFFF\nFH\nFFFG\n");
        f("binary_map.txt", &[0u8, 255, 10, 83, 71, 0]);
        f(
            "huge_map.txt",
            format!("S{}\n{}G\n", "F".repeat(300), "F".repeat(300)).as_bytes(),
        );
        f("bad_setting.txt", b"slippery = maybe\nSFFG\n");
        f("bad_reward.txt", b"goal_reward = 1e999\nSFFG\n");
        // Found by a fresh hostile set run against the binaries: a quoted cell holding a line
        // break, control characters in names and cells, and a nameless column (a pandas index).
        f(
            "newline_cell.csv",
            b"a,b,y\n\"0.1\n0.2\",1,0\n1,2,1\n3,4,0\n",
        );
        f("control_header.csv", b"a\x07\rb,c\n\"1\r\n\x1b[2J\",2\n");
        f("nameless_column.csv", b",a,y\n0,1,0\n1,2,1\n2,3,0\n");
        f("model.ckpt", b"an existing file the user cares about");
        // Action files: a terminal escape sequence, and a bad action after blank and comment
        // lines (the error must name its line in the file, 5, not its rank among actions).
        f("escape_actions.txt", b"0\n\x1b[2J\x1b]0;pwned\x07\n");
        f("late_bad_action.txt", b"# header\n0\n\n1\n7\n");
        // A FIFO: opening it for reading would block until a writer comes.
        let fifo = dir.path().join("fifo.csv");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

/// (example, arguments, a fragment the one stderr line must contain)
type Case = (&'static str, Vec<String>, &'static str);

fn cases(fx: &Fixture) -> Vec<Case> {
    let p = |n: &str| fx.path(n);
    let data = |ex: &'static str, file: &str, expect: &'static str| -> Case {
        (
            ex,
            vec!["--data".into(), p(file), "--target".into(), "y".into()],
            expect,
        )
    };
    let flags = |ex: &'static str, args: &[&str], expect: &'static str| -> Case {
        (ex, args.iter().map(|s| s.to_string()).collect(), expect)
    };
    let with_good = |ex: &'static str, args: &[&str], expect: &'static str| -> Case {
        let mut v = vec![
            "--data".into(),
            p("good.csv"),
            "--target".into(),
            "y".into(),
        ];
        v.extend(args.iter().map(|s| s.to_string()));
        (ex, v, expect)
    };
    let mut all = vec![
        // Files that are not data.
        data("logistic_regression", "missing.csv", "missing.csv"),
        data("logistic_regression", "empty.csv", "empty.csv"),
        data("logistic_regression", "header_only.csv", "header_only.csv"),
        data("decision_tree", "ragged.csv", "ragged"),
        data("random_forest", "text_cell.csv", "not a number"),
        data("logistic_regression", "nan_cell.csv", "nan_cell.csv"),
        data("linear_regression", "inf_cell.csv", "inf_cell.csv"),
        data(
            "linear_regression",
            "overflow_cell.csv",
            "overflow_cell.csv",
        ),
        data("decision_tree", "empty_cell.csv", "empty_cell.csv"),
        data("logistic_regression", "dup_target.csv", "`y`"),
        data("random_forest", "dup_feature.csv", "`a`"),
        data("kmeans_elbow", "binary.csv", "binary.csv"),
        data("pca", "binary.csv", "binary.csv"),
        data("logistic_regression", "one_row.csv", "2 samples"),
        data("logistic_regression", "one_class.csv", "class"),
        data("model_selection", "binary.csv", "binary.csv"),
        data("linear_regression", "newline_cell.csv", "not a number"),
        data(
            "decision_tree",
            "nameless_column.csv",
            "column 1 has no name",
        ),
        flags(
            "kmeans_elbow",
            &["--data", &p("control_header.csv")],
            "control_header.csv",
        ),
        (
            "logistic_regression",
            vec!["--data".into(), p(""), "--target".into(), "y".into()],
            "",
        ),
        flags(
            "logistic_regression",
            &["--data", "/dev/null", "--target", "y"],
            "/dev/null",
        ),
        flags(
            "linear_regression",
            &["--data", "/proc/self/mem", "--target", "y"],
            "/proc/self/mem",
        ),
        // Targets and test files.
        flags("decision_tree", &["--data", &p("good.csv")], "--target"),
        flags(
            "decision_tree",
            &["--data", &p("good.csv"), "--target", "nope"],
            "nope",
        ),
        flags(
            "decision_tree",
            &["--data", &p("good.csv"), "--target", ""],
            "target",
        ),
        with_good(
            "logistic_regression",
            &["--test", &p("other_columns.csv")],
            "columns",
        ),
        with_good(
            "logistic_regression",
            &["--test", &p("unseen_label.csv")],
            "7",
        ),
        with_good(
            "random_forest",
            &["--test", &p("missing.csv")],
            "missing.csv",
        ),
        flags("logistic_regression", &["--test", &p("good.csv")], "--test"),
        // Hyper-parameters.
        with_good("decision_tree", &["--max-depth", "0"], "max_depth"),
        with_good("decision_tree", &["--max-features", "0"], "max_features"),
        with_good("decision_tree", &["--max-features", "2.5"], "max_features"),
        with_good("decision_tree", &["--max-features", "99"], "max_features"),
        with_good("decision_tree", &["--max-features", "bogus"], "bogus"),
        with_good(
            "decision_tree",
            &["--min-samples-leaf", "0"],
            "min_samples_leaf",
        ),
        with_good("decision_tree", &["--max-depth", "-1"], "-1"),
        with_good("random_forest", &["--trees", "0"], "n_estimators"),
        with_good(
            "random_forest",
            &["--trees", "1000000000000"],
            "n_estimators",
        ),
        with_good("random_forest", &["--trees", "1e3"], "1e3"),
        with_good("logistic_regression", &["--c", "0"], "c"),
        with_good("logistic_regression", &["--c", "-1"], "c"),
        with_good("logistic_regression", &["--c", "nan"], "c"),
        with_good("logistic_regression", &["--c", "inf"], "c"),
        with_good("logistic_regression", &["--max-iter", "0"], "max_iter"),
        flags("linear_regression", &["--alpha", "-1"], "alpha"),
        flags("linear_regression", &["--alpha", "nan"], "alpha"),
        flags("kmeans_elbow", &["--k", "0"], "n_clusters"),
        flags("kmeans_elbow", &["--k", "100000"], "n_clusters"),
        flags("kmeans_elbow", &["--k-max", "2"], "k_max"),
        flags("kmeans_elbow", &["--k-max", "100000"], "k_max"),
        flags("pca", &["--components", "0"], "n_components"),
        flags("pca", &["--components", "1000"], "n_components"),
        flags("pca", &["--variance", "0"], "n_components"),
        flags("pca", &["--variance", "1.5"], "n_components"),
        flags(
            "pca",
            &["--components", "2", "--variance", "0.5"],
            "--variance",
        ),
        // Command lines clap rejects: one line too.
        flags("pca", &["--no-such-flag"], "--no-such-flag"),
        flags("linear_regression", &["--seed", "-1"], "-1"),
        flags("linear_regression", &["--seed", "x"], "x"),
        flags("linear_regression", &["--json", "--json"], "--json"),
        flags("decision_tree", &["--task", "clustering"], "clustering"),
        flags("q_learning_gridworld", &["--algo", "dqn"], "dqn"),
        flags("q_learning_gridworld", &["--episodes", "-5"], "-5"),
        flags("model_selection", &["--model", "svm"], "svm"),
        flags("model_selection", &["--halving"], "--grid"),
        flags("tour", &["--seed", "abc"], "abc"),
        flags("tour", &["--bogus"], "--bogus"),
        // Gridworld maps and RL flags.
        flags(
            "q_learning_gridworld",
            &["--map", &p("missing.txt")],
            "missing.txt",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("no_goal.txt")],
            "goal",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("walled_goal.txt")],
            "reach",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("bad_cell.txt")],
            "bad_cell",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("two_starts.txt")],
            "two_starts",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("no_start.txt")],
            "no_start",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("jagged.txt")],
            "jagged",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("binary_map.txt")],
            "binary_map",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("huge_map.txt")],
            "limited",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("bad_setting.txt")],
            "slippery",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", &p("bad_reward.txt")],
            "bad_reward",
        ),
        flags(
            "q_learning_gridworld",
            &["--map", fx.dir.path().to_str().unwrap()],
            "",
        ),
        flags("q_learning_gridworld", &["--episodes", "0"], "--episodes"),
        flags(
            "q_learning_gridworld",
            &["--eval-episodes", "0"],
            "--eval-episodes",
        ),
        // Model selection settings.
        with_good("model_selection", &["--grid", "max_dpth=2"], "max_dpth"),
        with_good(
            "model_selection",
            &["--model", "tree", "--grid", "max_depth=x"],
            "max_depth",
        ),
        with_good(
            "model_selection",
            &["--model", "tree", "--grid", "=1,2"],
            "needs a name",
        ),
        with_good(
            "model_selection",
            &["--model", "tree", "--grid", "max_depth"],
            "grid",
        ),
        with_good(
            "model_selection",
            &["--model", "tree", "--grid", "max_depth=1;max_depth=2"],
            "twice",
        ),
        with_good("model_selection", &["--cv", "1"], "n_splits"),
        with_good("model_selection", &["--cv", "0"], "n_splits"),
        with_good("model_selection", &["--cv", "61"], "n_splits"),
        with_good(
            "model_selection",
            &["--stratified", "--cv", "30"],
            "smallest class",
        ),
        with_good(
            "model_selection",
            &["--scoring", "accuracy_score"],
            "accuracy_score",
        ),
        with_good(
            "model_selection",
            &["--scoring", "r2"],
            "classification task",
        ),
        with_good("model_selection", &["--scoring", "roc_auc"], "two classes"),
        with_good("model_selection", &["--random", "0"], "--random"),
        with_good("model_selection", &["--random", "3"], "distributions"),
        with_good(
            "model_selection",
            &["--random", "3", "--param", "c"],
            "--param",
        ),
        with_good(
            "model_selection",
            &["--random", "3", "--param", "c=loguniform(0,1)"],
            "distribution",
        ),
        with_good(
            "model_selection",
            &["--random", "3", "--param", "c=int(5,1)"],
            "distribution",
        ),
        with_good("model_selection", &["--param", "c=1,2"], "--random"),
        (
            "model_selection",
            vec![
                "--data".into(),
                p("reg.csv"),
                "--target".into(),
                "y".into(),
                "--model".into(),
                "linear".into(),
                "--scoring".into(),
                "accuracy".into(),
            ],
            "regression task",
        ),
        (
            "model_selection",
            vec![
                "--data".into(),
                p("reg.csv"),
                "--target".into(),
                "y".into(),
                "--stratified".into(),
                "--model".into(),
                "linear".into(),
            ],
            "--stratified",
        ),
        // Gradient boosting.
        with_good("gradient_boosting", &["--trees", "0"], "n_estimators"),
        with_good(
            "gradient_boosting",
            &["--learning-rate", "-0.1"],
            "learning_rate",
        ),
        with_good(
            "gradient_boosting",
            &["--max-leaf-nodes", "1"],
            "max_leaf_nodes",
        ),
        with_good(
            "gradient_boosting",
            &["--min-samples-leaf", "0"],
            "min_samples_leaf",
        ),
        data("gradient_boosting", "nan_cell.csv", "nan_cell.csv"),
        data("gradient_boosting", "one_class.csv", "class"),
        // Outputs that cannot be written.
        flags(
            "linear_regression",
            &["--out", "/proc/learnkit-cannot-write-here"],
            "/proc/learnkit-cannot-write-here",
        ),
        flags("pca", &["--out", &p("model.ckpt")], "model.ckpt"),
        // An --out that is a file is refused before any work, naming --out.
        flags(
            "q_learning_gridworld",
            &["--env", "blackjack", "--out", &p("model.ckpt")],
            "--out",
        ),
        // A failed run removes every folder of --out it created, not only the last.
        (
            "decision_tree",
            vec![
                "--data".into(),
                p("ragged.csv"),
                "--target".into(),
                "y".into(),
                "--out".into(),
                p("new/deeper/out"),
            ],
            "ragged",
        ),
        // Inputs that never end.
        data("decision_tree", "fifo.csv", "not a regular file"),
        flags("pca", &["--data", "/dev/zero"], "not a regular file"),
        // Search ranges that cannot be sampled, and a suggestion that is itself a scorer.
        with_good(
            "model_selection",
            &["--random", "3", "--param", "c=uniform(-1e308,1e308)"],
            "distribution",
        ),
        with_good(
            "model_selection",
            &[
                "--model",
                "forest",
                "--random",
                "3",
                "--param",
                "max_depth=int(1,1e300)",
            ],
            "2^53",
        ),
        with_good(
            "model_selection",
            &["--scoring", "roc_auc"],
            "use roc_auc_ovr",
        ),
        // Flags that cannot apply are refused, not ignored.
        flags(
            "kmeans_elbow",
            &["--data", &p("good.csv"), "--test", &p("no/such.csv")],
            "--test",
        ),
        flags(
            "pca",
            &["--data", &p("good.csv"), "--test", &p("good.csv")],
            "--test",
        ),
        with_good("model_selection", &["--model", "tree", "--c", "2"], "--c"),
        with_good(
            "model_selection",
            &["--model", "logistic", "--trees", "5"],
            "--trees",
        ),
        with_good(
            "model_selection",
            &["--model", "linear", "--max-depth", "3"],
            "--max-depth",
        ),
        // Counts that size memory are bounded before anything is allocated.
        with_good(
            "model_selection",
            &[
                "--random",
                "18446744073709551615",
                "--param",
                "c=uniform(0.1,1)",
            ],
            "100000",
        ),
        with_good(
            "model_selection",
            &["--random", "1000000000000", "--param", "c=uniform(0.1,1)"],
            "100000",
        ),
        with_good(
            "model_selection",
            &[
                "--grid",
                "a=1,2,3,4,5,6,7,8,9,10;b=1,2,3,4,5,6,7,8,9,10;c=1,2,3,4,5,6,7,8,9,10;\
                 d=1,2,3,4,5,6,7,8,9,10;e=1,2,3,4,5,6,7,8,9,10;f=1,2,3,4,5,6,7,8,9,10;\
                 g=1,2,3,4,5,6,7,8,9,10;h=1,2,3,4,5,6,7,8,9,10",
            ],
            "more than 100000 candidates",
        ),
        with_good(
            "model_selection",
            &[
                "--random",
                "3",
                "--param",
                "c=uniform(0.1,1)",
                "--param",
                "c=uniform(1,2)",
            ],
            "twice",
        ),
    ];
    // The model file the user cares about, named as an output directory, stays untouched; the
    // checkpoint flags of the DQN example point at it too.
    if cfg!(feature = "tch") {
        all.extend([
            flags(
                "dqn_cartpole",
                &["--resume", &p("model.ckpt")],
                "model.ckpt",
            ),
            flags(
                "dqn_cartpole",
                &["--checkpoint", &p("no/such/dir/x.ckpt")],
                "--checkpoint",
            ),
            flags("dqn_cartpole", &["--steps", "0"], "--steps"),
            flags("dqn_cartpole", &["--env", "pong"], "pong"),
            // Tabular RL on Taxi and Blackjack, and the rollout printer.
            flags(
                "q_learning_gridworld",
                &["--env", "blackjack", "--slippery"],
                "--slippery",
            ),
            flags(
                "q_learning_gridworld",
                &["--env", "taxi", "--algo", "dqn"],
                "dqn",
            ),
            flags(
                "env_rollout",
                &["--env", "taxi", "--actions", &p("no/such/actions.txt")],
                "actions.txt",
            ),
            flags(
                "env_rollout",
                &["--env", "pong", "--actions", &p("no/such/actions.txt")],
                "pong",
            ),
            flags(
                "env_rollout",
                &[
                    "--env",
                    "cartpole",
                    "--natural",
                    "--actions",
                    &p("no/such/actions.txt"),
                ],
                "--natural",
            ),
            flags(
                "env_rollout",
                &[
                    "--env",
                    "blackjack",
                    "--gif",
                    &p("episode.gif"),
                    "--actions",
                    &p("no/such/a.txt"),
                ],
                "--gif",
            ),
            flags("dqn_cartpole", &["--device", "tpu"], "tpu"),
            flags("dqn_cartpole", &["--hidden", "0"], "hidden"),
            flags("dqn_cartpole", &["--hidden", "4000000000"], "hidden"),
            flags("dqn_cartpole", &["--threads", "0"], "--threads"),
            flags("dqn_cartpole", &["--threads", "100000"], "--threads"),
            // Vectorised collection, n-step returns and the solved check's confirmations.
            flags("dqn_cartpole", &["--n-envs", "0"], "--n-envs"),
            flags("dqn_cartpole", &["--n-envs", "1000000000"], "--n-envs"),
            flags("dqn_cartpole", &["--n-step", "0"], "--n-step"),
            flags("dqn_cartpole", &["--n-step", "100000"], "--n-step"),
            flags(
                "dqn_cartpole",
                &["--confirmations", "1000000"],
                "--confirmations",
            ),
            flags("dqn_cartpole", &["--double", "--no-double"], "--no-double"),
            flags(
                "dqn_cartpole",
                &["--eval-episodes", "18446744073709551615"],
                "--eval-episodes",
            ),
            flags(
                "dqn_cartpole",
                &[
                    "--hidden",
                    "16384,16384,16384,16384,16384,16384,16384,16384,16384,16384,16384,16384,\
                     16384,16384,16384,16384",
                ],
                "weights",
            ),
            // Action files: escapes shown escaped, the file's own line numbers, no FIFOs.
            flags(
                "env_rollout",
                &["--env", "cartpole", "--actions", &p("escape_actions.txt")],
                "\\u{1b}[2J",
            ),
            flags(
                "env_rollout",
                &["--env", "cartpole", "--actions", &p("late_bad_action.txt")],
                "late_bad_action.txt:5",
            ),
            flags(
                "env_rollout",
                &["--env", "cartpole", "--actions", &p("fifo.csv")],
                "not a regular file",
            ),
        ]);
    }
    all
}

#[test]
fn every_hostile_command_line_is_one_clean_error() {
    let fx = Fixture::new();
    let before = listing(fx.dir.path());
    let model = std::fs::read(fx.dir.path().join("model.ckpt")).unwrap();
    let all = cases(&fx);
    assert!(all.len() >= 80, "{} cases", all.len());
    let mut failures = Vec::new();
    for (ex, args, expected) in &all {
        // Each run gets a fresh --out inside the fixture (unless the case names its own, or
        // the example writes only to explicit paths: env_rollout prints, or writes --gif).
        let out = fx.dir.path().join("out");
        let mut full = args.clone();
        if !args.iter().any(|a| a == "--out") && *ex != "env_rollout" {
            full.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        }
        let run = Command::new(example(ex))
            .args(&full)
            .output()
            .expect("example binary");
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        let code = run.status.code();
        let lines = stderr.lines().count();
        // One line of printable text: no terminal escapes from files or paths, and short.
        let printable = stderr
            .trim_end_matches('\n')
            .chars()
            .all(|c| !c.is_control());
        let ok = code == Some(2)
            && lines == 1
            && printable
            && stderr.chars().count() <= 300
            && stderr.starts_with("error: ")
            && stderr.contains(expected)
            && !stderr.contains("panicked");
        if !ok {
            failures.push(format!(
                "{ex} {args:?}: status {code:?}, {lines} lines: {stderr}"
            ));
        }
        if listing(fx.dir.path()) != before {
            failures.push(format!(
                "{ex} {args:?} left files behind: {:?}",
                listing(fx.dir.path())
            ));
            let _ = std::fs::remove_dir_all(&out);
        }
        assert_eq!(
            std::fs::read(fx.dir.path().join("model.ckpt")).unwrap(),
            model,
            "{ex} {args:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// A symbolic link planted in `--out` under a report's name is replaced by the report, never
/// followed: the file it points to, outside `--out`, is untouched.
#[test]
fn reports_replace_links_planted_in_out_instead_of_following_them() {
    let fx = Fixture::new();
    let out = fx.dir.path().join("reports");
    std::fs::create_dir_all(&out).unwrap();
    let victim = fx.dir.path().join("model.ckpt");
    let before = std::fs::read(&victim).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, out.join("logistic_confusion.png")).unwrap();
    let run = Command::new(example("logistic_regression"))
        .args(["--data", &fx.path("good.csv"), "--target", "y", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read(&victim).unwrap(), before);
    let report = out.join("logistic_confusion.png");
    assert!(std::fs::symlink_metadata(&report).unwrap().is_file());
    assert!(std::fs::read(&report).unwrap().starts_with(b"\x89PNG"));
}
