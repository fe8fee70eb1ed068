//! Arbitrary bytes as a CSV file, read with and without a target column, strictly and with
//! empty cells as missing values, and turned into datasets: an error or a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let dir = std::env::temp_dir().join(format!("learnkit-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.csv");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    type Reader = fn(&std::path::Path, Option<&str>) -> learnkit::Result<learnkit::data::Table>;
    let readers: [Reader; 2] = [
        |p, t| learnkit::data::read_csv(p, t),
        |p, t| learnkit::data::read_csv_allowing_missing(p, t),
    ];
    for (target, read) in [None, Some("y"), Some("a")]
        .into_iter()
        .flat_map(|t| readers.map(|r| (t, r)))
    {
        if let Ok(table) = read(&path, target) {
            if target.is_some() {
                let _ = table.classification();
                let _ = table.regression();
            } else {
                let _ = table.into_records();
            }
        }
    }
});
