//! Small dense linear algebra in pure Rust (no BLAS): Cholesky solves and the symmetric
//! eigen-decomposition (Householder tridiagonalisation + implicit QL, as JAMA / EISPACK
//! `tred2`/`tql2`). Enough for normal equations and covariance-matrix PCA, whose matrices are
//! features × features.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};

/// Rows per block of [`centred_scatter`].
const BLOCK: usize = 2048;

/// The scatter matrix `XcᵀXc` of the data centred on `mean`, accumulated over fixed blocks of
/// rows in parallel and added in block order (identical for any thread count); no centred copy
/// of the whole matrix is made.
pub fn centred_scatter(x: ArrayView2<'_, f64>, mean: &Array1<f64>) -> Array2<f64> {
    use rayon::prelude::*;
    let d = x.ncols();
    let blocks: Vec<Array2<f64>> = (0..x.nrows().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let rows = x.slice(ndarray::s![b * BLOCK..((b + 1) * BLOCK).min(x.nrows()), ..]);
            let centred = &rows - mean;
            centred.t().dot(&centred)
        })
        .collect();
    blocks
        .into_iter()
        .fold(Array2::zeros((d, d)), |acc, b| acc + b)
}

/// Solves `a x = b` for symmetric positive-definite `a` by Cholesky factorisation. Returns
/// `None` when `a` is not (numerically) positive definite.
pub fn cholesky_solve(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Option<Array1<f64>> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    let scale = (0..n)
        .map(|i| a[(i, i)].abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    for j in 0..n {
        let mut diag = a[(j, j)];
        for k in 0..j {
            diag -= l[(j, k)] * l[(j, k)];
        }
        if diag <= scale * 1e-13 || !diag.is_finite() {
            return None;
        }
        let ljj = diag.sqrt();
        l[(j, j)] = ljj;
        for i in (j + 1)..n {
            let mut s = a[(i, j)];
            for k in 0..j {
                s -= l[(i, k)] * l[(j, k)];
            }
            l[(i, j)] = s / ljj;
        }
    }
    let mut y = Array1::<f64>::zeros(n);
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[(i, k)] * y[k]).sum();
        y[i] = (b[i] - s) / l[(i, i)];
    }
    let mut x = Array1::<f64>::zeros(n);
    for i in (0..n).rev() {
        let s: f64 = ((i + 1)..n).map(|k| l[(k, i)] * x[k]).sum();
        x[i] = (y[i] - s) / l[(i, i)];
    }
    Some(x)
}

/// Minimum-norm least-squares solution of `a x = b` for symmetric positive semi-definite `a`,
/// through its eigen-decomposition (eigenvalues below `1e-12 · max` are treated as zero).
pub fn pinv_solve(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    let (values, vectors) = symmetric_eigen(a)?;
    let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let projected = vectors.t().dot(&b);
    let scaled = Array1::from_iter(values.iter().zip(&projected).map(|(&l, &p)| {
        if l.abs() > 1e-12 * max {
            p / l
        } else {
            0.0
        }
    }));
    Ok(vectors.dot(&scaled))
}

/// Eigen-decomposition of a symmetric matrix: eigenvalues in descending order and the matching
/// orthonormal eigenvectors as columns.
pub fn symmetric_eigen(a: ArrayView2<'_, f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = a.nrows();
    if n != a.ncols() {
        return Err(Error::shape(
            "symmetric matrix",
            format!("{n}×{n}"),
            format!("{n}×{}", a.ncols()),
        ));
    }
    if n == 0 {
        return Ok((Array1::zeros(0), Array2::zeros((0, 0))));
    }
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| a.row(i).to_vec()).collect();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    tred2(&mut v, &mut d, &mut e);
    tql2(&mut v, &mut d, &mut e)?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| d[j].total_cmp(&d[i]));
    let values = Array1::from_iter(order.iter().map(|&i| d[i]));
    let vectors = Array2::from_shape_fn((n, n), |(r, c)| v[r][order[c]]);
    Ok((values, vectors))
}

/// Householder reduction to tridiagonal form (JAMA `tred2`).
#[allow(clippy::needless_range_loop)]
fn tred2(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    d.copy_from_slice(&v[n - 1]);
    for i in (1..n).rev() {
        let mut scale = 0.0;
        let mut h = 0.0;
        for k in 0..i {
            scale += d[k].abs();
        }
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
                v[j][i] = 0.0;
            }
        } else {
            for k in 0..i {
                d[k] /= scale;
                h += d[k] * d[k];
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            for j in 0..i {
                e[j] = 0.0;
            }
            for j in 0..i {
                f = d[j];
                v[j][i] = f;
                g = e[j] + v[j][j] * f;
                for k in (j + 1)..i {
                    g += v[k][j] * d[k];
                    e[k] += v[k][j] * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    v[k][j] -= f * e[k] + g * d[k];
                }
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
            }
        }
        d[i] = h;
    }
    for i in 0..n - 1 {
        v[n - 1][i] = v[i][i];
        v[i][i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[k][i + 1] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v[k][i + 1] * v[k][j];
                }
                for k in 0..=i {
                    v[k][j] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[k][i + 1] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[n - 1][j];
        v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
}

/// Implicit QL iterations on the tridiagonal form (JAMA `tql2`).
#[allow(clippy::needless_range_loop)]
fn tql2(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) -> Result<()> {
    let n = d.len();
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n {
            if e[m].abs() <= eps * tst1 {
                break;
            }
            m += 1;
        }
        if m == n {
            m = n - 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                if iterations > 60 {
                    return Err(Error::invalid(
                        "matrix",
                        "symmetric eigen-decomposition",
                        "QL iterations did not converge (non-finite or badly scaled input)",
                    ));
                }
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for i in (l + 2)..n {
                    d[i] -= h;
                }
                f += h;
                p = d[m];
                let mut c = 1.0;
                let mut c2 = c;
                let mut c3 = c;
                let el1 = e[l + 1];
                let mut s = 0.0;
                let mut s2 = 0.0;
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for row in v.iter_mut() {
                        let h = row[i + 1];
                        row[i + 1] = s * row[i] + c * h;
                        row[i] = c * row[i] - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eigen_reconstructs_a_symmetric_matrix() {
        let a = array![[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]];
        let (values, vectors) = symmetric_eigen(a.view()).unwrap();
        assert!(values[0] >= values[1] && values[1] >= values[2]);
        let rebuilt = vectors.dot(&Array2::from_diag(&values)).dot(&vectors.t());
        assert!((&rebuilt - &a).iter().all(|v| v.abs() < 1e-12));
        let identity = vectors.t().dot(&vectors);
        assert!((&identity - &Array2::<f64>::eye(3))
            .iter()
            .all(|v| v.abs() < 1e-12));
        // Trace equals the sum of eigenvalues.
        assert!((values.sum() - 12.0).abs() < 1e-12);
    }

    #[test]
    fn eigen_of_diagonal_and_one_by_one() {
        let (values, _) = symmetric_eigen(array![[2.0, 0.0], [0.0, 7.0]].view()).unwrap();
        assert_eq!(values.to_vec(), vec![7.0, 2.0]);
        let (values, vectors) = symmetric_eigen(array![[3.0]].view()).unwrap();
        assert_eq!((values[0], vectors[(0, 0)]), (3.0, 1.0));
    }

    #[test]
    fn cholesky_and_pinv_agree_on_spd_systems() {
        let a = array![[4.0, 1.0], [1.0, 3.0]];
        let b = array![1.0, 2.0];
        let x = cholesky_solve(a.view(), b.view()).unwrap();
        assert!((&a.dot(&x) - &b).iter().all(|v| v.abs() < 1e-12));
        let y = pinv_solve(a.view(), b.view()).unwrap();
        assert!((&x - &y).iter().all(|v| v.abs() < 1e-12));
        // Singular: Cholesky refuses, the pseudo-inverse gives the minimum-norm solution.
        let s = array![[1.0, 1.0], [1.0, 1.0]];
        assert!(cholesky_solve(s.view(), b.view()).is_none());
        let z = pinv_solve(s.view(), array![2.0, 2.0].view()).unwrap();
        assert!((z[0] - 1.0).abs() < 1e-12 && (z[1] - 1.0).abs() < 1e-12);
    }
}
