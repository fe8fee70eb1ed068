//! Clustering: K-means and the automatic choice of k.
//!
//! * [`KMeans`] — Lloyd's iterations (accelerated by Hamerly's bounds, same result) with greedy
//!   k-means++ seeding, parallel and deterministic.
//! * [`Elbow`] — fits k = 1..=k_max and picks k at the elbow of the inertia curve (Kneedle),
//!   confirmed by the silhouette; says so when there is no clear elbow.

mod elbow;
mod kmeans;

pub use elbow::{kneedle_decreasing_convex, Elbow, ElbowResult};
pub use kmeans::{FittedKMeans, KMeans, KMeansAlgorithm};
