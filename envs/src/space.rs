/// An observation space.
#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    /// States `0..n`.
    Discrete(usize),
    /// Real vectors with per-dimension bounds (possibly infinite).
    Box {
        /// Lower bounds.
        low: Vec<f64>,
        /// Upper bounds.
        high: Vec<f64>,
    },
}

impl Space {
    /// Length of the feature vector for this space: `n` (one-hot) or the box dimension.
    pub fn feature_len(&self) -> usize {
        match self {
            Space::Discrete(n) => *n,
            Space::Box { low, .. } => low.len(),
        }
    }
}
