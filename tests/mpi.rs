//! `mpirun` runs of the examples (feature `mpi`): three ranks on three shards give the
//! metrics of one process on the concatenated file, a shared file gives them too, and a bad
//! shard on one rank ends every rank non-zero, quickly, with one error line and no report.
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

fn mpirun(ranks: usize, args: &[&str]) -> Output {
    mpirun_example("gradient_boosting", ranks, args)
}

fn mpirun_example(name: &str, ranks: usize, args: &[&str]) -> Output {
    mpirun_timeout(name, ranks, args, 20)
}

fn mpirun_timeout(name: &str, ranks: usize, args: &[&str], timeout: u64) -> Output {
    Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
        ])
        .args(["--mca", "btl_vader_single_copy_mechanism", "none"])
        .args(["-np", &ranks.to_string()])
        .arg(example(name))
        .args(args)
        .env("LEARNKIT_MPI_TIMEOUT", timeout.to_string())
        .output()
        .expect("mpirun (scripts/with-mpi.sh installs Open MPI)")
}

fn alone(args: &[&str]) -> Output {
    alone_example("gradient_boosting", args)
}

fn alone_example(name: &str, args: &[&str]) -> Output {
    Command::new(example(name)).args(args).output().unwrap()
}

/// The JSON metrics (the last line of stdout) of a successful run.
fn metrics(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "status {:?}\nstdout {stdout}\nstderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

/// `rows` CSV rows of three classes from four features, one with empty cells.
fn csv(rows: std::ops::Range<usize>, extra_column: bool) -> String {
    csv_with(rows, extra_column, true)
}

fn csv_with(rows: std::ops::Range<usize>, extra_column: bool, missing: bool) -> String {
    let mut text = String::from(if extra_column {
        "a,b,c,d,e,y\n"
    } else {
        "a,b,c,d,y\n"
    });
    for i in rows {
        let a = ((i * 2_654_435_761) % 1000) as f64 / 100.0;
        let b = ((i * 40_503) % 977) as f64 / 97.7;
        let d = if missing && i % 19 == 4 {
            String::new()
        } else {
            format!("{}", (i * 7) % 13)
        };
        let y = ((a + b + (i % 5) as f64 * 0.3) / 7.0) as usize % 3;
        text.push_str(&format!(
            "{a},{b},{},{d}{},{y}\n",
            i % 4,
            if extra_column { ",1" } else { "" }
        ));
    }
    text
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn reports_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn mpirun_shards_give_the_one_process_model() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let n = 2_400;
    std::fs::write(p("all.csv"), csv(0..n, false)).unwrap();
    std::fs::write(p("test.csv"), csv(n..n + 600, false)).unwrap();
    for (k, rows) in [0..500, 500..1_300, 1_300..n].into_iter().enumerate() {
        let text = csv(rows, false);
        std::fs::write(p(&format!("part-{k}.csv")), text).unwrap();
    }
    let common = [
        "--target",
        "y",
        "--test",
        &p("test.csv"),
        "--trees",
        "15",
        "--allow-missing",
        "--json",
        "--task",
        "classification",
    ];
    let with = |data: &str, out: &str| -> Vec<String> {
        let mut v = vec![
            "--data".to_string(),
            data.to_string(),
            "--out".into(),
            p(out),
        ];
        v.extend(common.iter().map(|s| s.to_string()));
        v
    };
    let one = metrics(&alone(&refs(&with(&p("all.csv"), "one"))));
    let sharded = metrics(&mpirun(3, &refs(&with(&p("part-*.csv"), "three"))));
    let shared = metrics(&mpirun(2, &refs(&with(&p("all.csv"), "two"))));
    for key in ["accuracy", "log_loss", "n_trees_used"] {
        assert!(one.get(key).is_some(), "{key} in {one}");
        assert_eq!(sharded[key], one[key], "{key}: 3 shards vs one process");
        assert_eq!(
            shared[key], one[key],
            "{key}: one shared file vs one process"
        );
    }
    assert_eq!(sharded["ranks"], 3);
    assert_eq!(sharded["n_train"], n);
    assert!(sharded["bytes_sent_rank0"].as_u64().unwrap() > 0);
    assert!(
        reports_in(&dir.path().join("three")) >= 2,
        "rank 0 writes the reports"
    );

    // A shard with another column on rank 1: every rank stops, one line, no reports.
    std::fs::write(p("bad-0.csv"), csv(0..400, false)).unwrap();
    std::fs::write(p("bad-1.csv"), csv(400..800, true)).unwrap();
    std::fs::write(p("bad-2.csv"), csv(800..1_200, false)).unwrap();
    let start = Instant::now();
    let out = mpirun(3, &refs(&with(&p("bad-*.csv"), "bad")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    assert!(
        errors[0].contains("rank 1") && errors[0].contains("columns"),
        "{stderr}"
    );
    assert_eq!(
        reports_in(&dir.path().join("bad")),
        0,
        "no report of a failed run"
    );
}

#[test]
fn mpirun_trees_forests_and_pca_give_the_one_process_models() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let n = 1_800;
    std::fs::write(p("all.csv"), csv_with(0..n, false, false)).unwrap();
    std::fs::write(p("test.csv"), csv_with(n..n + 400, false, false)).unwrap();
    for (k, rows) in [0..400, 400..1_000, 1_000..n].into_iter().enumerate() {
        std::fs::write(p(&format!("part-{k}.csv")), csv_with(rows, false, false)).unwrap();
    }
    let args = |data: &str, out: &str, extra: &[&str]| -> Vec<String> {
        let mut v = vec![
            "--data".to_string(),
            data.to_string(),
            "--out".into(),
            p(out),
            "--json".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let supervised = ["--target", "y", "--task", "classification"];
    for (name, extra) in [
        ("decision_tree", vec!["--max-depth", "8"]),
        ("random_forest", vec!["--trees", "10"]),
    ] {
        let mut flags: Vec<&str> = supervised.to_vec();
        flags.extend(extra);
        let test = p("test.csv");
        flags.extend(["--test", test.as_str()]);
        let one = metrics(&alone_example(
            name,
            &refs(&args(&p("all.csv"), &format!("{name}-1"), &flags)),
        ));
        let three = metrics(&mpirun_example(
            name,
            3,
            &refs(&args(&p("part-*.csv"), &format!("{name}-3"), &flags)),
        ));
        assert!(one.get("accuracy").is_some(), "{name}: {one}");
        assert_eq!(
            three["accuracy"], one["accuracy"],
            "{name}: 3 shards vs one process"
        );
        assert_eq!(three["n_train"], n);
    }
    let flags = ["--target", "y", "--components", "3"];
    let one = metrics(&alone_example(
        "pca",
        &refs(&args(&p("all.csv"), "pca-1", &flags)),
    ));
    let three = metrics(&mpirun_example(
        "pca",
        3,
        &refs(&args(&p("part-*.csv"), "pca-3", &flags)),
    ));
    let ratios = |m: &serde_json::Value| -> Vec<f64> {
        m["explained_variance_ratio"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    for (a, b) in ratios(&three).iter().zip(ratios(&one)) {
        assert!((a - b).abs() <= 1e-9 * b, "PCA ratio {a} vs {b}");
    }
    // The randomized solver across ranks: the one process's randomized fit, same seed.
    let flags = [
        "--target",
        "y",
        "--components",
        "2",
        "--solver",
        "randomized",
    ];
    let one = metrics(&alone_example(
        "pca",
        &refs(&args(&p("all.csv"), "rpca-1", &flags)),
    ));
    let three = metrics(&mpirun_example(
        "pca",
        3,
        &refs(&args(&p("part-*.csv"), "rpca-3", &flags)),
    ));
    assert_eq!(ratios(&three).len(), 2);
    for (a, b) in ratios(&three).iter().zip(ratios(&one)) {
        assert!((a - b).abs() <= 1e-9 * b, "randomized PCA ratio {a} vs {b}");
    }
}

#[test]
fn mpirun_linear_models_and_the_elbow_give_the_one_process_results() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let n = 1_500;
    std::fs::write(p("all.csv"), csv_with(0..n, false, false)).unwrap();
    std::fs::write(p("test.csv"), csv_with(n..n + 300, false, false)).unwrap();
    for (k, rows) in [0..300, 300..900, 900..n].into_iter().enumerate() {
        std::fs::write(p(&format!("part-{k}.csv")), csv_with(rows, false, false)).unwrap();
    }
    let test = p("test.csv");
    let run = |name: &str, flags: &[&str]| {
        let with = |data: &str, out: &str| -> Vec<String> {
            let mut v = vec![
                "--data".to_string(),
                data.to_string(),
                "--out".into(),
                p(out),
                "--json".into(),
            ];
            v.extend(flags.iter().map(|s| s.to_string()));
            v
        };
        let one = metrics(&alone_example(
            name,
            &refs(&with(&p("all.csv"), &format!("{name}-1"))),
        ));
        let three = metrics(&mpirun_example(
            name,
            3,
            &refs(&with(&p("part-*.csv"), &format!("{name}-3"))),
        ));
        (one, three)
    };
    let close = |a: &serde_json::Value, b: &serde_json::Value, tol: f64| {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{a} vs {b}");
    };
    let (one, three) = run("linear_regression", &["--target", "y", "--test", &test]);
    close(&three["r2"], &one["r2"], 1e-9);
    let (one, three) = run(
        "logistic_regression",
        &["--target", "y", "--test", &test, "--max-iter", "500"],
    );
    assert_eq!(three["accuracy"], one["accuracy"]);
    close(&three["log_loss"], &one["log_loss"], 1e-4);
    // The search spreads (candidate, fold) pairs, not rows: every rank reads all of --data.
    let search = |data: &str, out: &str| -> Vec<String> {
        [
            "--data",
            data,
            "--target",
            "y",
            "--model",
            "tree",
            "--grid",
            "max_depth=2,3,5,8;min_samples_leaf=1,5",
            "--cv",
            "3",
            "--out",
            out,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let one = metrics(&alone_example(
        "model_selection",
        &refs(&search(&p("all.csv"), &p("search-1"))),
    ));
    let three = metrics(&mpirun_example(
        "model_selection",
        3,
        &refs(&search(&p("all.csv"), &p("search-3"))),
    ));
    assert_eq!(three["ranks"], 3);
    assert_eq!(three["n_candidates"], 8);
    for key in ["best_score", "best_score_std", "best_params", "cv_macro_f1"] {
        assert_eq!(three[key], one[key], "search: {key}");
    }
    // The results table of three ranks is the one-process table (the time columns aside).
    let table = |dir: &str| -> Vec<String> {
        let text = std::fs::read_to_string(Path::new(&p(dir)).join("cv_results.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        lines
            .map(|l| {
                l.split(',')
                    .zip(&header)
                    .filter(|(_, h)| !h.contains("seconds"))
                    .map(|(v, _)| v)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert_eq!(table("search-3"), table("search-1"));
    let (one, three) = run("kmeans_elbow", &["--target", "y", "--k-max", "6"]);
    assert_eq!(three["chosen_k"], one["chosen_k"]);
    let (a, b) = (
        three["inertia"].as_array().unwrap(),
        one["inertia"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        close(x, y, 1e-9);
    }
}

/// Processes whose command line holds `needle` (read from /proc).
fn processes_with(needle: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
        })
        .collect()
}

#[test]
fn a_rank_that_stalls_ends_the_job_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    for k in 0..3 {
        std::fs::write(
            p(&format!("part-{k}.csv")),
            csv(k * 2_000..(k + 1) * 2_000, false),
        )
        .unwrap();
    }
    let (data, out_dir) = (p("part-*.csv"), p("stalled-run"));
    let child = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
        ])
        .args([
            "--mca",
            "btl_vader_single_copy_mechanism",
            "none",
            "-np",
            "3",
        ])
        .arg(example("gradient_boosting"))
        .args([
            "--data",
            &data,
            "--target",
            "y",
            "--out",
            &out_dir,
            "--allow-missing",
        ])
        .args(["--trees", "100000", "--json"])
        .env("LEARNKIT_MPI_TIMEOUT", "3")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Should the job outlive the test's patience, it is killed rather than left to hang CI.
    let needle = out_dir.clone();
    let mpirun_pid = child.id();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        for pid in processes_with(&needle).into_iter().chain([mpirun_pid]) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    // Stop one rank (as a hung disk or a paused machine would): the others wait for it in a
    // collective until their watchdogs end the job.
    let start = Instant::now();
    let stalled = loop {
        let ranks: Vec<u32> = processes_with(&out_dir)
            .into_iter()
            .filter(|&pid| pid != child.id())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "gradient_boosti")
            })
            .collect();
        if ranks.len() == 3 {
            // Past joining the job and reading the shards: into the boosting rounds.
            std::thread::sleep(Duration::from_millis(1_500));
            break ranks[1];
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the ranks did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let stop = Command::new("kill")
        .args(["-STOP", &stalled.to_string()])
        .status()
        .unwrap();
    assert!(stop.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        stderr.contains("waited") && stderr.contains("LEARNKIT_MPI_TIMEOUT"),
        "{stderr}"
    );
    assert_eq!(
        reports_in(Path::new(&out_dir)),
        0,
        "no report of a failed run"
    );
}

/// Every collective of the MPI backend, on 3 real ranks: this test binary re-run under
/// `mpirun` with only [`collectives_inside_mpirun`] selected.
#[test]
fn the_mpi_collectives_agree_with_their_definitions() {
    let out = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
        ])
        .args(["--mca", "btl_vader_single_copy_mechanism", "none"])
        .args(["-np", "3"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "collectives_inside_mpirun",
            "--exact",
            "--ignored",
            "--test-threads",
            "1",
        ])
        .env("LEARNKIT_MPI_TIMEOUT", "20")
        .output()
        .expect("mpirun (scripts/with-mpi.sh installs Open MPI)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each of the three ranks ran the test once.
    assert_eq!(stdout.matches("1 passed").count(), 3, "{stdout}");
}

/// Run by the test above, once per rank (ignored outside `mpirun`).
#[test]
#[ignore = "runs inside mpirun, started by the_mpi_collectives_agree_with_their_definitions"]
fn collectives_inside_mpirun() {
    use learnkit::distributed::{Collective, Mpi};
    let mpi = Mpi::init().unwrap();
    let (rank, ranks) = (mpi.rank(), mpi.processes());
    assert_eq!(ranks, 3);
    // A barrier and an all-gather where every rank, or only some, send nothing.
    mpi.barrier();
    assert_eq!(mpi.all_gather_bytes(&[]), vec![Vec::<u8>::new(); 3]);
    let some = vec![7u8; rank];
    let parts = mpi.all_gather_bytes(&some);
    assert_eq!(parts, (0..3).map(|r| vec![7u8; r]).collect::<Vec<_>>());
    // Broadcast from the last rank.
    let mut bytes = if rank == 2 {
        b"from two".to_vec()
    } else {
        Vec::new()
    };
    mpi.broadcast_bytes(&mut bytes, 2);
    assert_eq!(bytes, b"from two");
    // Sums: the rank-order sum, the native whole-number all-reduce, the reduce-scatter.
    let mine: Vec<f64> = (0..10).map(|i| (i * 10 + rank) as f64).collect();
    let expected: Vec<f64> = (0..10).map(|i| (3 * i * 10 + 3) as f64).collect();
    let mut summed = mine.clone();
    mpi.all_sum(&mut summed);
    assert_eq!(summed, expected);
    let mut whole = mine.clone();
    mpi.all_sum_whole(&mut whole);
    assert_eq!(whole, expected);
    let cuts = [0, 3, 3, 10];
    let block = mpi.reduce_scatter_whole(&mine, &cuts);
    assert_eq!(block, expected[cuts[rank]..cuts[rank + 1]].to_vec());
    assert_eq!(mpi.reduce_scatter(&mine, &cuts), block);
    let mut big = [i128::MAX / 4 + rank as i128];
    mpi.all_sum_i128(&mut big);
    assert_eq!(big[0], 3 * (i128::MAX / 4) + 3);
    let mut most = [rank as f64, -(rank as f64)];
    mpi.all_max(&mut most);
    assert_eq!(most, [2.0, 0.0]);
    assert!(mpi.bytes_sent() > 0 && mpi.seconds_in_collectives() > 0.0);
    mpi.barrier();
}
