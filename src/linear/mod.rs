//! Linear models: least-squares / ridge regression and logistic regression.
//!
//! * [`LinearRegression`] — ordinary least squares with an intercept, or ridge with
//!   [`LinearRegression::alpha`]; solved in closed form from the centred normal equations.
//! * [`LogisticRegression`] — binary (sigmoid) and multinomial (softmax) classification with
//!   scikit-learn's L2 penalty and meaning of `C`, fitted by L-BFGS over a vectorised loss.

mod logistic;
mod regression;

pub use logistic::{FittedLogisticRegression, LogisticRegression};
pub use regression::{FittedLinearRegression, LinearRegression};
