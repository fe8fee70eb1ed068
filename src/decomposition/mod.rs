//! Dimensionality reduction: principal component analysis.

mod pca;

pub use pca::{Components, FittedPca, Pca, PcaSolver};
