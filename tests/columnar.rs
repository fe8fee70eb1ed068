//! Parquet and Arrow input: files written by pyarrow, Polars, pandas and Feather (fixtures from
//! `scripts/columnar_fixtures.py`) read into exactly the table their CSV copy gives, so a model
//! is the same whichever format it was trained from; nulls are missing values for boosting and
//! errors elsewhere; damaged files end in one line.
#![cfg(feature = "columnar")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Float64Array, RecordBatch, StringArray};
use learnkit::data::{read_table, read_table_header, Table};
use learnkit::persist::Persist;
use learnkit::prelude::*;
use learnkit::tree::{GradientBoosting, RandomForest};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/columnar")
        .join(name)
}

fn assert_same(a: &Table, b: &Table) {
    assert_eq!(a.feature_names, b.feature_names);
    assert_eq!(a.features.shape(), b.features.shape());
    for (x, y) in a.features.iter().zip(b.features.iter()) {
        assert!(x == y || (x.is_nan() && y.is_nan()), "{x} vs {y}");
    }
    let (ta, tb) = (a.target.as_ref().unwrap(), b.target.as_ref().unwrap());
    assert_eq!(ta.name, tb.name);
    assert_eq!(ta.values, tb.values);
}

#[test]
fn every_writer_gives_the_csv_table_and_the_same_model() {
    let csv = read_table(fixture("table.csv"), Some("label"), &[], false).unwrap();
    assert_eq!(csv.feature_names, ["a", "b", "c"]);
    let forest = RandomForest::classifier().n_estimators(20).seed(3);
    let reference = forest
        .fit(&csv.classification().unwrap())
        .unwrap()
        .to_bytes()
        .unwrap();
    for file in [
        "pyarrow.parquet", // snappy
        "polars.parquet",  // zstd
        "pandas.parquet",  // pandas metadata
        "pyarrow.feather", // Arrow IPC, lz4
    ] {
        let path = fixture(file);
        let table = read_table(&path, Some("label"), &[], false).unwrap();
        assert_same(&csv, &table);
        assert_eq!(read_table_header(&path).unwrap(), ["a", "b", "c", "label"]);
        let model = forest.fit(&table.classification().unwrap()).unwrap();
        assert_eq!(model.to_bytes().unwrap(), reference, "{file}: same model");
    }
    // Leaving columns out reads only the rest.
    let table = read_table(
        fixture("polars.parquet"),
        Some("label"),
        &["b".into()],
        false,
    )
    .unwrap();
    assert_eq!(table.feature_names, ["a", "c"]);
    assert_eq!(table.features.column(1), csv.features.column(2));
}

#[test]
fn nulls_are_missing_values_for_boosting_and_errors_elsewhere() {
    let e = read_table(fixture("nulls.parquet"), Some("label"), &[], false).unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("column a") && message.contains("row 1"),
        "{message}"
    );
    assert!(message.contains("--allow-missing"), "{message}");
    let parquet = read_table(fixture("nulls.parquet"), Some("label"), &[], true).unwrap();
    let csv = read_table(fixture("nulls.csv"), Some("label"), &[], true).unwrap();
    assert_same(&csv, &parquet);
    assert!(parquet.features[(0, 0)].is_nan() && parquet.features[(3, 1)].is_nan());
    let boosting = GradientBoosting::classifier().n_estimators(15);
    let a = boosting.fit(&csv.classification().unwrap()).unwrap();
    let b = boosting.fit(&parquet.classification().unwrap()).unwrap();
    assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
}

#[test]
fn record_batches_from_memory() {
    let x = |v: Vec<f64>| Arc::new(Float64Array::from(v)) as _;
    let y = |v: Vec<&str>| Arc::new(StringArray::from(v)) as _;
    let first =
        RecordBatch::try_from_iter([("x", x(vec![1.0, 2.0])), ("y", y(vec!["a", "b"]))]).unwrap();
    let second = RecordBatch::try_from_iter([("x", x(vec![3.0])), ("y", y(vec!["a"]))]).unwrap();
    let table =
        Table::from_record_batches("memory", &[first.clone(), second], Some("y"), false).unwrap();
    let data = table.classification().unwrap();
    assert_eq!(data.records.column(0).to_vec(), [1.0, 2.0, 3.0]);
    assert_eq!(data.targets.to_vec(), [0, 1, 0]);
    let other = RecordBatch::try_from_iter([("z", x(vec![3.0])), ("y", y(vec!["a"]))]).unwrap();
    assert!(Table::from_record_batches("memory", &[first, other], Some("y"), false).is_err());
    assert!(Table::from_record_batches("memory", &[], Some("y"), false).is_err());
}

#[test]
fn damaged_and_foreign_files_end_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("pyarrow.parquet")).unwrap();
    let truncated = dir.path().join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let csv_named_parquet = dir.path().join("table.parquet");
    std::fs::copy(fixture("table.csv"), &csv_named_parquet).unwrap();
    let feather = std::fs::read(fixture("pyarrow.feather")).unwrap();
    let cut_feather = dir.path().join("cut.feather");
    std::fs::write(&cut_feather, &feather[..feather.len() - 40]).unwrap();
    let flipped = dir.path().join("flipped.parquet");
    let mut b = bytes.clone();
    let middle = b.len() / 2;
    for byte in &mut b[middle..middle + 64] {
        *byte ^= 0x5a;
    }
    std::fs::write(&flipped, &b).unwrap();
    let empty = dir.path().join("empty.arrow");
    std::fs::write(&empty, b"").unwrap();
    for path in [
        &truncated,
        &csv_named_parquet,
        &cut_feather,
        &flipped,
        &empty,
    ] {
        let e = read_table(path, Some("label"), &[], false)
            .unwrap_err()
            .to_string();
        assert_eq!(e.lines().count(), 1, "{}: {e}", path.display());
        assert!(e.len() <= 300, "{e}");
        assert!(
            e.contains(path.file_name().unwrap().to_str().unwrap()),
            "{e}"
        );
    }
    let e = read_table(fixture("feather_v1.feather"), Some("label"), &[], false).unwrap_err();
    assert!(e.to_string().contains("Feather version 1"), "{e}");
    // A device behind a Parquet name is refused before it is read.
    let zero = dir.path().join("zero.parquet");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let e = read_table(&zero, None, &[], false).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
    let e = read_table(fixture("pyarrow.parquet"), Some("nope"), &[], false).unwrap_err();
    assert!(
        e.to_string().contains("no target column named `nope`"),
        "{e}"
    );
}

/// Column names reach printed trees with their control characters escaped: a newline or a
/// terminal escape sequence in a Parquet column name cannot break a rule's line or reach a
/// terminal raw.
#[test]
fn hostile_column_names_print_escaped() {
    let x = Arc::new(Float64Array::from(
        (0..40).map(f64::from).collect::<Vec<_>>(),
    )) as _;
    let labels: Vec<&str> = (0..40)
        .map(|i| if i < 20 { "a\u{1b}[2J" } else { "b" })
        .collect();
    let y = Arc::new(StringArray::from(labels)) as _;
    let batch = RecordBatch::try_from_iter([("x\n\u{1b}[31m", x), ("y", y)]).unwrap();
    let table = Table::from_record_batches("memory", &[batch], Some("y"), false).unwrap();
    let tree = learnkit::tree::DecisionTree::<usize>::params()
        .fit(&table.classification().unwrap())
        .unwrap();
    for text in [tree.export_text(), tree.export_dot()] {
        assert!(!text.contains('\u{1b}'), "{text}");
    }
    assert!(
        tree.export_text().contains("x\\n\\u{1b}[31m <= 19.5"),
        "{}",
        tree.export_text()
    );
    assert_eq!(
        tree.export_text().lines().count(),
        4,
        "{}",
        tree.export_text()
    );
}

/// A wide file, several row groups, read by several decoding threads: exactly the table the
/// batches make in memory, and the first bad cell in row order named whichever thread met it.
#[test]
fn wide_files_decode_on_several_threads_into_the_same_table() {
    let (n, d) = (20_000usize, 13usize);
    let mut columns: Vec<(String, arrow_array::ArrayRef)> = (0..d)
        .map(|j| {
            let v: Vec<Option<f64>> = (0..n)
                .map(|i| (i % 97 != d - 1 - j).then(|| (i * (j + 3)) as f64 / 7.0))
                .collect();
            (format!("f{j}"), Arc::new(Float64Array::from(v)) as _)
        })
        .collect();
    let labels: Vec<&str> = (0..n).map(|i| ["a", "b", "c"][i % 3]).collect();
    columns.push(("y".into(), Arc::new(StringArray::from(labels)) as _));
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.parquet");
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(3_000))
        .build();
    let file = std::fs::File::create(&path).unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let memory = Table::from_record_batches("memory", &[batch], Some("y"), true).unwrap();
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let file = pool
            .install(|| read_table(&path, Some("y"), &[], true))
            .unwrap();
        assert_same(&memory, &file);
        // Without missing values allowed: the first null in row order is in the last column
        // (row 1, read by the last thread), not f0's (row 13, read by the first).
        let e = pool
            .install(|| read_table(&path, Some("y"), &[], false))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column f12") && e.contains("row 1:"),
            "{threads}: {e}"
        );
    }
}

#[test]
fn a_file_binned_batch_by_batch_gives_the_model_of_its_table() {
    use learnkit::data::{write_table, Column};
    use learnkit::tree::{BinnedDataset, BinnedTask};
    // More rows than the 200,000 the thresholds are sampled from, so the streamed sample must
    // pick the rows the in-memory one picks.
    let n = 210_000;
    let data = learnkit::data::MakeClassification::params()
        .n_samples(n)
        .n_features(4)
        .seed(11)
        .generate()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("learnkit-binned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut columns: Vec<(String, Column)> = (0..4)
        .map(|f| {
            let values = (0..n)
                .map(|i| match (f, i % 97) {
                    (1, 0) => f64::NAN,
                    _ => data.records[(i, f)],
                })
                .collect();
            (format!("x{f}"), Column::Float(values))
        })
        .collect();
    let labels = data.targets.iter().map(|&c| ["no", "yes"][c].to_string());
    columns.push(("label".into(), Column::Text(labels.collect())));
    let params = GradientBoosting::classifier()
        .n_estimators(3)
        .max_leaf_nodes(15);
    for ext in ["parquet", "arrow", "csv"] {
        let path = dir.join(format!("big.{ext}"));
        write_table(&path, &columns).unwrap();
        let binned = BinnedDataset::read(&path, "label", None, true, &[]).unwrap();
        assert_eq!(binned.task(), BinnedTask::Classification);
        assert_eq!(binned.class_names(), ["no", "yes"]);
        assert_eq!(binned.n_samples(), n);
        assert_eq!(binned.feature_names(), ["x0", "x1", "x2", "x3"]);
        let table = read_table(&path, Some("label"), &[], true)
            .unwrap()
            .into_classification()
            .unwrap();
        assert_eq!(
            params.fit_binned(&binned).unwrap().trees(),
            params.fit(&table).unwrap().trees(),
            "{ext}"
        );
        // Without --allow-missing the NaN cell is refused, by column and row.
        let e = BinnedDataset::read(&path, "label", None, false, &[])
            .unwrap_err()
            .to_string();
        let (row, line) = (e.contains("row 1:"), e.contains(".csv:2,"));
        assert!(e.contains("x1") && (row || line), "{ext}: {e}");
    }
    // A real-valued target is guessed as regression; told to be regression, a label is an
    // error naming its row.
    let values: Vec<f64> = (0..1000).map(|i| i as f64 / 7.0).collect();
    let small = vec![
        ("x".to_string(), Column::Float(values.clone())),
        ("y".to_string(), Column::Float(values)),
    ];
    let path = dir.join("values.parquet");
    write_table(&path, &small).unwrap();
    let binned = BinnedDataset::read(&path, "y", None, false, &[]).unwrap();
    assert_eq!(binned.task(), BinnedTask::Regression);
    assert_eq!(binned.targets()[7], 1.0);
    let path = dir.join("labels.parquet");
    write_table(
        &path,
        &columns[..1]
            .iter()
            .cloned()
            .chain([("label".into(), Column::Text(vec!["a".into(); n]))])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let e = BinnedDataset::read(&path, "label", Some(BinnedTask::Regression), false, &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 1") && e.contains("not a finite number"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Text columns of a Parquet or Arrow file are categorical features numbered in the order
/// their values first appear; columns named as categorical join them. The two-pass binned read
/// and the table give the same model, a test file is read with the training numbering (an
/// unseen text is a category no split sends left), and Parquet and CSV copies of numeric
/// categories give the same model.
#[test]
fn text_and_named_columns_are_categorical_features_read_alike_everywhere() {
    use learnkit::data::{write_table, Column};
    use learnkit::tree::BinnedDataset;
    let n = 3_000;
    let dir = std::env::temp_dir().join(format!("learnkit-cat-cols-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let city = |i: usize| format!("city{}", (i * i + 3) % 40);
    let code = |i: usize| ((i * 7) % 11) as f64;
    let label = |i: usize| {
        let hot = [3usize, 7, 12, 19, 28].contains(&((i * i + 3) % 40));
        if hot ^ (code(i) >= 8.0) { "yes" } else { "no" }.to_string()
    };
    let columns = |rows: std::ops::Range<usize>, text: bool| {
        let mut c = vec![(
            "x".to_string(),
            Column::Float(rows.clone().map(|i| ((i * 31) % 17) as f64).collect()),
        )];
        if text {
            c.push((
                "city".into(),
                Column::Text(rows.clone().map(city).collect()),
            ));
        }
        c.push((
            "code".into(),
            Column::Float(rows.clone().map(code).collect()),
        ));
        c.push(("label".into(), Column::Text(rows.map(label).collect())));
        c
    };
    let named = vec!["code".to_string()];
    let params = GradientBoosting::classifier()
        .n_estimators(10)
        .min_samples_leaf(5)
        .min_data_per_group(10);
    for ext in ["parquet", "arrow"] {
        let path = dir.join(format!("cities.{ext}"));
        write_table(&path, &columns(0..n, true)).unwrap();
        let binned = BinnedDataset::read(&path, "label", None, false, &named).unwrap();
        assert_eq!(binned.categorical_features(), [1, 2]);
        let vocabulary = &binned.vocabularies()[0];
        assert_eq!(vocabulary.column, "city");
        assert_eq!(vocabulary.words[..3], [city(0), city(1), city(2)]);
        let table = read_table(&path, Some("label"), &[], false).unwrap();
        assert_eq!(table.vocabularies, binned.vocabularies());
        let cats = table.categorical_features(&named).unwrap();
        assert_eq!(cats, [1, 2]);
        let data = table.into_classification().unwrap();
        let model = params
            .clone()
            .categorical_features(cats.clone())
            .fit(&data)
            .unwrap();
        assert_eq!(
            params.fit_binned(&binned).unwrap().trees(),
            model.trees(),
            "{ext}"
        );
        assert!(model.score_on(&data).unwrap() > 0.99);
        // A test file: its texts numbered as the training file's, a new one unseen.
        let test_path = dir.join(format!("test.{ext}"));
        let mut test_columns = columns(n..n + 50, true);
        if let Column::Text(cities) = &mut test_columns[1].1 {
            cities[0] = "Atlantis".into();
        }
        write_table(&test_path, &test_columns).unwrap();
        let test = learnkit::data::read_table_numbered(
            &test_path,
            Some("label"),
            &[],
            false,
            binned.vocabularies(),
        )
        .unwrap();
        let words = &vocabulary.words;
        assert_eq!(test.features[(0, 1)], words.len() as f64);
        let at = |i: usize| words.iter().position(|w| *w == city(i)).unwrap() as f64;
        assert_eq!(test.features[(1, 1)], at(n + 1));
        assert_eq!(test.vocabularies, binned.vocabularies());
    }
    // Numeric categories: Parquet and CSV copies give the same model.
    let mut trees = Vec::new();
    for ext in ["parquet", "csv"] {
        let path = dir.join(format!("codes.{ext}"));
        write_table(&path, &columns(0..n, false)).unwrap();
        let binned = BinnedDataset::read(&path, "label", None, false, &named).unwrap();
        assert_eq!(binned.categorical_features(), [1]);
        trees.push(params.fit_binned(&binned).unwrap().trees().to_vec());
    }
    assert_eq!(trees[0], trees[1]);
    // A named column that is not a feature, or that holds a fraction, is an error.
    let path = dir.join("codes.parquet");
    let e = BinnedDataset::read(&path, "label", None, false, &["nope".into()]).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let mut bad = columns(0..n, false);
    if let Column::Float(codes) = &mut bad[1].1 {
        codes[2_000] = 2.5;
    }
    write_table(&path, &bad).unwrap();
    let e = BinnedDataset::read(&path, "label", None, false, &named).unwrap_err();
    assert!(
        e.to_string().contains("code") && e.to_string().contains("2.5"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
