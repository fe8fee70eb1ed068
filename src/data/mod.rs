//! Getting data in: CSV files, built-in datasets, synthetic generators, and seeded splits.

#[cfg(feature = "datasets")]
pub mod builtin;
pub mod csv;
pub mod generate;
pub mod split;

pub use self::csv::{
    read_csv, read_csv_allowing_missing, read_csv_header, read_csv_ignoring, shown, shown_up_to,
    Table,
};
#[cfg(feature = "datasets")]
pub use builtin::{diabetes, iris, iris_petals, winequality};
pub use generate::{MakeBlobs, MakeClassification, MakeRegression};
pub use split::{k_fold, train_test_split};
