//! Arbitrary bytes as a CSV file, read with and without a target column and turned into
//! datasets: an error or a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let dir = std::env::temp_dir().join(format!("learnkit-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.csv");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    for target in [None, Some("y"), Some("a")] {
        if let Ok(table) = learnkit::data::read_csv(&path, target) {
            if target.is_some() {
                let _ = table.classification();
                let _ = table.regression();
            } else {
                let _ = table.into_records();
            }
        }
    }
});
