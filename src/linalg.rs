//! Dense linear algebra on [`faer`] (pure Rust, SIMD matrix kernels): the centred scatter
//! matrix (a symmetric rank-k update over blocks of rows), Cholesky solves with a conditioning
//! check, the symmetric eigen-decomposition, and the pieces of a randomized SVD. Inputs and
//! outputs are ndarray arrays; faer works on views of them without copies where the layout
//! allows.

use faer::linalg::matmul::matmul;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per parallel task of [`centred_scatter`] (fixed, so results do not depend on the
/// thread count).
const GROUP: usize = 16_384;
/// Bytes of one centred block inside a task (fits in L2).
const BLOCK_BYTES: usize = 256 * 1024;

/// A faer view of a row-major ndarray matrix (callers pass `as_standard_layout()` results).
fn as_faer<'a>(a: &'a ndarray::CowArray<'_, f64, ndarray::Ix2>) -> MatRef<'a, f64> {
    let (r, c) = a.dim();
    match a.as_slice() {
        Some(slice) => MatRef::from_row_major_slice(slice, r, c),
        None => MatRef::from_row_major_slice(&[], 0, 0),
    }
}

fn to_ndarray(m: MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)])
}

fn from_ndarray(a: ArrayView2<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
}

/// The scatter matrix `XcᵀXc` of the data centred on `mean`. Fixed groups of rows run in
/// parallel; within a group, cache-sized blocks are centred into a reused buffer and added to
/// the group's lower triangle by faer's symmetric rank-k kernel (half the work of a full
/// product). Group results are added in group order, so the result is identical for any
/// thread count, and no centred copy of the whole matrix is made.
pub fn centred_scatter(x: ArrayView2<'_, f64>, mean: &Array1<f64>) -> Array2<f64> {
    use faer::linalg::matmul::triangular::{matmul as tri_matmul, BlockStructure};
    let (n, d) = x.dim();
    let block = (BLOCK_BYTES / (8 * d.max(1))).clamp(16, GROUP);
    let partial: Vec<Mat<f64>> = (0..n.div_ceil(GROUP))
        .into_par_iter()
        .map(|g| {
            let mut out = Mat::<f64>::zeros(d, d);
            let mut buffer = Array2::<f64>::zeros((0, d));
            let end = ((g + 1) * GROUP).min(n);
            for start in (g * GROUP..end).step_by(block) {
                let rows = x.slice(ndarray::s![start..(start + block).min(end), ..]);
                if buffer.nrows() != rows.nrows() {
                    buffer = Array2::zeros(rows.dim());
                }
                ndarray::Zip::from(&mut buffer)
                    .and(&rows)
                    .and_broadcast(mean)
                    .for_each(|b, &v, &m| *b = v - m);
                let c =
                    MatRef::from_row_major_slice(buffer.as_slice().unwrap_or(&[]), rows.nrows(), d);
                tri_matmul(
                    out.as_mut(),
                    BlockStructure::TriangularLower,
                    Accum::Add,
                    c.transpose(),
                    BlockStructure::Rectangular,
                    c,
                    BlockStructure::Rectangular,
                    1.0,
                    Par::Seq,
                );
            }
            out
        })
        .collect();
    let mut total = Mat::<f64>::zeros(d, d);
    for p in &partial {
        total += p;
    }
    // Mirror the lower triangle.
    Array2::from_shape_fn(
        (d, d),
        |(i, j)| {
            if i >= j {
                total[(i, j)]
            } else {
                total[(j, i)]
            }
        },
    )
}

/// Σ over rows of `add(sum, row)`, over the same fixed groups of rows as [`centred_scatter`],
/// groups in parallel and added in group order (thread-count independent).
fn sum_over_rows(
    x: ArrayView2<'_, f64>,
    add: impl Fn(&mut Array1<f64>, ndarray::ArrayView1<'_, f64>) + Sync,
) -> Array1<f64> {
    let (n, d) = x.dim();
    let partial: Vec<Array1<f64>> = (0..n.div_ceil(GROUP))
        .into_par_iter()
        .map(|g| {
            let rows = x.slice(ndarray::s![g * GROUP..((g + 1) * GROUP).min(n), ..]);
            let mut sum = Array1::<f64>::zeros(d);
            for row in rows.rows() {
                add(&mut sum, row);
            }
            sum
        })
        .collect();
    let mut total = Array1::<f64>::zeros(d);
    for p in &partial {
        total += p;
    }
    total
}

/// Column means (parallel, thread-count independent).
pub fn column_means(x: ArrayView2<'_, f64>) -> Array1<f64> {
    sum_over_rows(x, |sum, row| *sum += &row) / x.nrows().max(1) as f64
}

/// Population variance of each column (divided by n; parallel, thread-count independent).
pub fn column_variances(x: ArrayView2<'_, f64>) -> Array1<f64> {
    let mean = column_means(x);
    sum_over_rows(x, |sum, row| {
        ndarray::Zip::from(sum)
            .and(&row)
            .and(&mean)
            .for_each(|s, &v, &m| *s += (v - m) * (v - m));
    }) / x.nrows().max(1) as f64
}

/// `a · b` with faer's parallel kernels.
pub fn matmul_nd(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (fa, fb) = (as_faer(&a), as_faer(&b));
    let mut out = Mat::<f64>::zeros(fa.nrows(), fb.ncols());
    matmul(out.as_mut(), Accum::Replace, fa, fb, 1.0, Par::rayon(0));
    to_ndarray(out.as_ref())
}

/// An orthonormal basis of the columns of `a` (the thin Q of its QR factorisation).
pub fn orthonormal_columns(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let m = from_ndarray(a);
    let qr = m.qr();
    to_ndarray(qr.compute_thin_Q().as_ref())
}

/// Solves `a x = b` for symmetric positive-definite `a` by Cholesky factorisation. Returns
/// `None` when `a` is not positive definite or so badly conditioned that a pivot falls below
/// `1e-13` of the largest diagonal entry (the caller then takes the minimum-norm solution).
pub fn cholesky_solve(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Option<Array1<f64>> {
    let n = a.nrows();
    if n == 0 || a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let scale = (0..n)
        .map(|i| a[(i, i)].abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    let llt = from_ndarray(a).llt(Side::Lower).ok()?;
    let l = llt.L();
    if (0..n).any(|j| l[(j, j)] * l[(j, j)] <= scale * 1e-13) {
        return None;
    }
    let rhs = Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    let x = llt.solve(&rhs);
    Some(Array1::from_iter((0..n).map(|i| x[(i, 0)])))
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
    let failed = || {
        Error::numerical(
            "symmetric eigen-decomposition",
            "the matrix holds non-finite values (the data's squares overflow) or the solver did \
             not converge; standardise or rescale the features",
        )
    };
    if a.iter().any(|v| !v.is_finite()) {
        return Err(failed());
    }
    let eig = from_ndarray(a)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| failed())?;
    let (s, u) = (eig.S().column_vector(), eig.U());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| s[j].total_cmp(&s[i]));
    let values = Array1::from_iter(order.iter().map(|&i| s[i]));
    let vectors = Array2::from_shape_fn((n, n), |(r, c)| u[(r, order[c])]);
    Ok((values, vectors))
}
