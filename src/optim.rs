//! L-BFGS minimisation of a smooth function, with the stopping rules scikit-learn gives SciPy's
//! L-BFGS-B for its `lbfgs` solver: stop when the largest gradient component is at most `tol`,
//! or when the relative decrease of the objective falls below `64·ε`, or after `max_iter`
//! iterations.

use ndarray::Array1;

/// Settings for [`lbfgs`].
#[derive(Debug, Clone, Copy)]
pub struct LbfgsOptions {
    /// Maximum number of iterations.
    pub max_iter: usize,
    /// Gradient tolerance: stop when `max |gᵢ| ≤ tol`.
    pub tol: f64,
    /// Number of correction pairs kept.
    pub memory: usize,
    /// Maximum function evaluations per line search.
    pub max_line_search: usize,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        Self {
            max_iter: 100,
            tol: 1e-4,
            memory: 10,
            max_line_search: 50,
        }
    }
}

/// Where [`lbfgs`] stopped.
#[derive(Debug, Clone)]
pub struct LbfgsResult {
    /// The minimiser found.
    pub x: Array1<f64>,
    /// The objective there.
    pub value: f64,
    /// `max |gᵢ|` there.
    pub grad_max: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Whether a stopping rule other than `max_iter` was met.
    pub converged: bool,
}

fn max_abs(v: &Array1<f64>) -> f64 {
    crate::validate::max_abs(v)
}

/// Minimises `f` from `x0`. `f(x, grad)` returns the objective and writes the gradient.
pub fn lbfgs(
    mut f: impl FnMut(&Array1<f64>, &mut Array1<f64>) -> f64,
    x0: Array1<f64>,
    options: LbfgsOptions,
) -> LbfgsResult {
    let n = x0.len();
    let mut x = x0;
    let mut g = Array1::zeros(n);
    let mut value = f(&x, &mut g);
    let mut s_hist: Vec<Array1<f64>> = Vec::with_capacity(options.memory);
    let mut y_hist: Vec<Array1<f64>> = Vec::with_capacity(options.memory);
    let mut rho_hist: Vec<f64> = Vec::with_capacity(options.memory);
    let ftol = 64.0 * f64::EPSILON;
    let mut x_new = Array1::zeros(n);
    let mut g_new = Array1::zeros(n);

    for iteration in 0..options.max_iter {
        let grad_max = max_abs(&g);
        if grad_max <= options.tol || !value.is_finite() {
            return LbfgsResult {
                x,
                value,
                grad_max,
                iterations: iteration,
                converged: value.is_finite(),
            };
        }
        // Two-loop recursion: direction = −H·g.
        let mut q = g.clone();
        let k = s_hist.len();
        let mut alpha = vec![0.0; k];
        for i in (0..k).rev() {
            alpha[i] = rho_hist[i] * s_hist[i].dot(&q);
            q.scaled_add(-alpha[i], &y_hist[i]);
        }
        let gamma = if k > 0 {
            s_hist[k - 1].dot(&y_hist[k - 1]) / y_hist[k - 1].dot(&y_hist[k - 1])
        } else {
            1.0 / g.dot(&g).sqrt().max(1e-12)
        };
        q *= gamma;
        for i in 0..k {
            let beta = rho_hist[i] * y_hist[i].dot(&q);
            q.scaled_add(alpha[i] - beta, &s_hist[i]);
        }
        let mut direction = q.mapv(|v| -v);
        let mut slope = g.dot(&direction);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            direction = g.mapv(|v| -v / g.dot(&g).sqrt().max(1e-12));
            slope = g.dot(&direction);
        }
        // Backtracking line search with the Armijo condition.
        let mut step = 1.0;
        let mut accepted = false;
        let mut value_new = value;
        for _ in 0..options.max_line_search {
            x_new.assign(&x);
            x_new.scaled_add(step, &direction);
            value_new = f(&x_new, &mut g_new);
            if value_new.is_finite() && value_new <= value + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return LbfgsResult {
                x,
                value,
                grad_max,
                iterations: iteration + 1,
                converged: false,
            };
        }
        let s = &x_new - &x;
        let y = &g_new - &g;
        let sy = s.dot(&y);
        if sy > 1e-10 * y.dot(&y).max(1e-300) {
            if s_hist.len() == options.memory {
                s_hist.remove(0);
                y_hist.remove(0);
                rho_hist.remove(0);
            }
            rho_hist.push(1.0 / sy);
            s_hist.push(s);
            y_hist.push(y);
        }
        let decrease = (value - value_new) / value.abs().max(value_new.abs()).max(1.0);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        value = value_new;
        if decrease <= ftol {
            return LbfgsResult {
                grad_max: max_abs(&g),
                x,
                value,
                iterations: iteration + 1,
                converged: true,
            };
        }
    }
    LbfgsResult {
        grad_max: max_abs(&g),
        converged: max_abs(&g) <= options.tol,
        x,
        value,
        iterations: options.max_iter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let rosen = |x: &Array1<f64>, g: &mut Array1<f64>| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let options = LbfgsOptions {
            max_iter: 500,
            tol: 1e-8,
            ..Default::default()
        };
        let result = lbfgs(rosen, array![-1.2, 1.0], options);
        assert!(result.converged);
        assert!(
            (result.x[0] - 1.0).abs() < 1e-5 && (result.x[1] - 1.0).abs() < 1e-5,
            "{:?}",
            result.x
        );
    }
}
