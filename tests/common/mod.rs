//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ndarray::{Array1, Array2};

/// The scikit-learn figures captured by `tests/fixtures/make_fixtures.py`.
pub fn sklearn() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn.json"
    ))
    .expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// A fixture CSV's path.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A JSON array of numbers as a vector.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// A JSON array of arrays as a matrix.
pub fn matrix(v: &serde_json::Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().expect("array").iter().map(floats).collect();
    let (r, c) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((r, c), rows.into_iter().flatten().collect()).expect("rectangular")
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (independent of the library).
pub fn gauss_solve(a: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let n = b.len();
    let mut m = a.clone();
    let mut v = b.clone();
    for i in 0..n {
        let p = (i..n)
            .max_by(|&r, &s| m[(r, i)].abs().total_cmp(&m[(s, i)].abs()))
            .unwrap();
        for j in 0..n {
            m.swap((i, j), (p, j));
        }
        v.swap(i, p);
        for k in (i + 1)..n {
            let f = m[(k, i)] / m[(i, i)];
            for j in i..n {
                m[(k, j)] -= f * m[(i, j)];
            }
            v[k] -= f * v[i];
        }
    }
    let mut x = Array1::zeros(n);
    for i in (0..n).rev() {
        let s: f64 = ((i + 1)..n).map(|j| m[(i, j)] * x[j]).sum();
        x[i] = (v[i] - s) / m[(i, i)];
    }
    x
}

/// Largest absolute difference.
pub fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Runs `f` in a fresh pool of `threads` threads (for the thread-count invariance tests).
pub fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}
