//! The foundation's contract: one test per error variant (the error is returned, with its
//! message), persistence (atomic saves, corrupt files), CSV loading, splits and generators.

use std::fs;
use std::path::PathBuf;

use learnkit::data::{self, read_csv, MakeBlobs, MakeClassification, MakeRegression};
use learnkit::persist::{write_atomic, Persist};
use learnkit::prelude::*;
use learnkit::report::{self, LineChart, Series};
use learnkit::{metrics, validate};
use ndarray::{array, Array1, Array2};

fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("learnkit-{name}-"))
        .tempdir()
        .unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    path
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Toy {
    weights: Vec<f64>,
    bias: f64,
}

impl Persist for Toy {
    const KIND: &'static str = "Toy";
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Other {
    k: usize,
}

impl Persist for Other {
    const KIND: &'static str = "Other";
}

// ---- one test per error variant -------------------------------------------------------------

#[test]
fn invalid_parameter_names_field_and_value() {
    let data = Dataset::new(array![[1.0], [2.0], [3.0]], array![0usize, 1, 0]).unwrap();
    let err = data::train_test_split(&data, 1.5, 0).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidParameter {
            name: "test_fraction",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "invalid `test_fraction` = 1.5: must lie strictly between 0 and 1"
    );
}

#[test]
fn shape_mismatch_says_expected_and_got() {
    let err = Dataset::new(Array2::<f64>::zeros((3, 2)), array![1.0, 2.0]).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "shape mismatch in targets: expected 3 targets (one per record), got 2 targets"
    );
    let err = validate::check_predict_input(Array2::<f64>::zeros((1, 3)).view(), 2).unwrap_err();
    assert!(err.to_string().contains("expected 2 columns"), "{err}");
}

#[test]
fn empty_data_is_an_error() {
    let err = validate::check_records(Array2::<f64>::zeros((0, 4)).view(), "training records")
        .unwrap_err();
    assert!(matches!(err, Error::EmptyData(_)));
    assert_eq!(
        err.to_string(),
        "empty data: training records has no samples"
    );
}

#[test]
fn non_finite_value_names_row_and_column() {
    let x = array![[1.0, 2.0], [3.0, f64::NAN]];
    let err = validate::check_records(x.view(), "training records").unwrap_err();
    assert!(matches!(
        err,
        Error::NonFinite {
            row: 1,
            column: 1,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "non-finite value NaN in training records at row 1, column 1"
    );
    let y = array![1.0, f64::INFINITY];
    let err = learnkit::dataset::supervised(&(array![[1.0], [2.0]], y)).unwrap_err();
    assert!(err.to_string().contains("inf in targets at row 1"), "{err}");
}

#[test]
fn unknown_label_is_an_error() {
    let err = metrics::confusion_matrix(array![0, 1].view(), array![0, 5].view(), 2).unwrap_err();
    assert!(matches!(err, Error::UnknownLabel { .. }));
    assert_eq!(
        err.to_string(),
        "unknown label `5`; known labels are class indices 0..2"
    );
    let err = Dataset::classification(array![[1.0]], array![3usize], vec!["a", "b"]).unwrap_err();
    assert!(matches!(err, Error::UnknownLabel { .. }));
}

#[test]
fn incompatible_model_kind_is_an_error() {
    let dir = temp_dir("kind");
    let path = dir.path().join("toy.json");
    Toy {
        weights: vec![1.0],
        bias: 0.0,
    }
    .save(&path)
    .unwrap();
    let err = Other::load(&path).unwrap_err();
    assert!(matches!(err, Error::IncompatibleModel { .. }));
    assert_eq!(
        err.to_string(),
        "incompatible model: expected Other, found Toy"
    );
}

#[test]
fn newer_format_version_is_incompatible() {
    let dir = temp_dir("version");
    let path = write(
        &dir,
        "toy.json",
        r#"{"format":"learnkit-model","version":99,"kind":"Toy","model":{"weights":[],"bias":0}}"#,
    );
    let err = Toy::load(&path).unwrap_err();
    assert!(err.to_string().contains("format version 99"), "{err}");
}

/// Version 4 files carry the hyper-parameters under the checksum: they read back, an edit to
/// them is caught, and a version-4 file without them is corrupt; version-3 files still load.
#[test]
fn hyperparameters_travel_under_the_checksum() {
    let dir = temp_dir("hyper");
    let path = dir.path().join("toy.json");
    let model = Toy {
        weights: vec![0.5],
        bias: 1.0,
    };
    let settings = vec![("alpha".to_string(), "0.1".to_string())];
    model.save_with(&path, &settings).unwrap();
    let bytes = fs::read(&path).unwrap();
    let info = learnkit::persist::file_info(&bytes, &path).unwrap();
    assert_eq!((info.version, info.hyperparameters), (4, settings));
    assert_eq!(Toy::load(&path).unwrap(), model);
    let text = String::from_utf8(bytes).unwrap();
    let edited = write(&dir, "edited.json", &text.replace("0.1", "0.9"));
    let err = Toy::load(&edited).unwrap_err();
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    let stripped = write(
        &dir,
        "stripped.json",
        &text.replace(r#""hyperparameters":[["alpha","0.1"]],"#, ""),
    );
    let err = Toy::load(&stripped).unwrap_err();
    assert!(err.to_string().contains("no hyper-parameters"), "{err}");
    // As version 3 wrote it: the checksum over the model alone, no hyper-parameters.
    let model_text = r#"{"weights":[0.5],"bias":1.0}"#;
    let v3 = format!(
        r#"{{"format":"learnkit-model","version":3,"kind":"Toy","checksum":"{}","model":{model_text}}}"#,
        learnkit::persist::checksum(model_text.as_bytes())
    );
    let v3 = write(&dir, "v3.json", &v3);
    assert_eq!(Toy::load(&v3).unwrap(), model);
}

#[test]
fn truncated_model_file_is_corrupt() {
    let dir = temp_dir("truncated");
    let path = dir.path().join("toy.json");
    let model = Toy {
        weights: vec![0.25; 50],
        bias: -1.5,
    };
    model.save(&path).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = Toy::load(&path).unwrap_err();
    assert!(matches!(err, Error::CorruptModel { .. }));
    assert!(err.to_string().starts_with("corrupt model file"), "{err}");
    assert!(err.to_string().contains("toy.json"), "{err}");
}

#[test]
fn io_error_names_the_file() {
    let err = read_csv("/definitely/not/here.csv", None).unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert!(
        err.to_string().starts_with("/definitely/not/here.csv: "),
        "{err}"
    );
}

#[test]
fn parse_error_names_file_line_and_column() {
    let dir = temp_dir("parse");
    let path = write(&dir, "bad.csv", "a,b,label\n1,2,x\n3,oops,y\n");
    let err = read_csv(&path, Some("label")).unwrap_err();
    assert!(matches!(err, Error::Parse { line: 3, .. }));
    assert_eq!(
        err.to_string(),
        format!("{}:3, column b: `oops` is not a number", path.display())
    );
}

#[test]
fn plot_error_is_returned() {
    let dir = temp_dir("plot");
    let err = report::save_grid(dir.path().join("x.png"), (400, 300), 1, &[]).unwrap_err();
    assert!(matches!(err, Error::Plot { .. }));
    assert!(err.to_string().contains("nothing to draw"), "{err}");
}

// ---- persistence ---------------------------------------------------------------------------

#[test]
fn save_then_load_round_trips() {
    let dir = temp_dir("roundtrip");
    let path = dir.path().join("nested/dir/toy.json");
    let model = Toy {
        weights: vec![0.1, -2.5, 1e-300],
        bias: 3.0,
    };
    model.save(&path).unwrap();
    assert_eq!(Toy::load(&path).unwrap(), model);
}

#[test]
fn interrupted_save_leaves_old_file_intact() {
    let dir = temp_dir("atomic");
    let path = dir.path().join("toy.json");
    let old = Toy {
        weights: vec![1.0, 2.0],
        bias: 0.5,
    };
    old.save(&path).unwrap();
    let before = fs::read(&path).unwrap();
    // The writer dies half-way, before the rename.
    let err = write_atomic(&path, |w| {
        use std::io::Write;
        w.write_all(b"{\"format\": \"learnkit-mo")?;
        Err(std::io::Error::other("simulated crash"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("simulated crash"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(Toy::load(&path).unwrap(), old);
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "the temporary file was removed");
}

#[test]
fn garbage_and_foreign_json_are_corrupt() {
    let dir = temp_dir("garbage");
    for (name, text) in [
        ("empty.json", ""),
        ("binary.json", "\u{0}\u{1}\u{2}"),
        (
            "other.json",
            r#"{"format":"something-else","version":1,"kind":"Toy","model":{}}"#,
        ),
        (
            "fields.json",
            r#"{"format":"learnkit-model","version":1,"kind":"Toy","model":{"bias":"x"}}"#,
        ),
    ] {
        let path = write(&dir, name, text);
        let err = Toy::load(&path).unwrap_err();
        assert!(matches!(err, Error::CorruptModel { .. }), "{name}: {err}");
    }
}

// ---- CSV -----------------------------------------------------------------------------------

#[test]
fn csv_classification_with_string_labels() {
    let dir = temp_dir("csv");
    let path = write(&dir, "d.csv", "x1, x2 ,kind\n1,2,cat\n3,4,dog\n5,6,cat\n");
    let data = read_csv(&path, Some("kind"))
        .unwrap()
        .classification()
        .unwrap();
    assert_eq!(data.feature_names, ["x1", "x2"]);
    assert_eq!(data.class_names, ["cat", "dog"]);
    assert_eq!(data.targets, array![0, 1, 0]);
    assert_eq!(data.records, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    assert_eq!(data.target_name, "kind");
}

#[test]
fn csv_numeric_labels_sort_numerically() {
    let dir = temp_dir("csvnum");
    let path = write(&dir, "d.csv", "x,y\n1,10\n2,9\n3,10\n4,2\n");
    let data = read_csv(&path, Some("y"))
        .unwrap()
        .classification()
        .unwrap();
    assert_eq!(data.class_names, ["2", "9", "10"]);
    assert_eq!(data.targets, array![2, 1, 2, 0]);
    let reg = read_csv(&path, Some("y")).unwrap().regression().unwrap();
    assert_eq!(reg.targets, array![10.0, 9.0, 10.0, 2.0]);
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let dir = temp_dir("csverr");
    let cases = [
        ("empty.csv", "", None, "empty file"),
        (
            "header.csv",
            "a,b\n",
            Some("b"),
            "not followed by any data row",
        ),
        (
            "ragged.csv",
            "a,b\n1,2\n3\n",
            None,
            ":3: ragged row: 1 fields where the header has 2",
        ),
        (
            "missing.csv",
            "a,b\n1,2\n",
            Some("label"),
            ":1, column label: no target column named `label`",
        ),
        (
            "nan.csv",
            "a,b\n1,2\nNaN,3\n",
            None,
            ":3, column a: `NaN` is a missing value; only gradient boosting accepts them",
        ),
        ("blank.csv", "a,b\n1,\n", None, ":2, column b: empty cell"),
    ];
    for (name, text, target, expected) in cases {
        let path = write(&dir, name, text);
        let err = read_csv(&path, target).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(message.contains(name), "{name}: {message}");
    }
    let path = write(&dir, "reg.csv", "a,y\n1,abc\n");
    let err = read_csv(&path, Some("y"))
        .unwrap()
        .regression()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(":2, column y: `abc` is not a finite number"),
        "{err}"
    );
}

#[test]
fn csv_test_file_with_unknown_label_is_an_error() {
    let dir = temp_dir("csvlabel");
    let train = write(&dir, "train.csv", "x,c\n1,a\n2,b\n");
    let test = write(&dir, "test.csv", "x,c\n1,a\n2,z\n");
    let classes = read_csv(&train, Some("c"))
        .unwrap()
        .classification()
        .unwrap()
        .class_names;
    let err = read_csv(&test, Some("c"))
        .unwrap()
        .classification_with(&classes)
        .unwrap_err();
    assert!(
        err.to_string().contains(":3, column c: unknown label `z`"),
        "{err}"
    );
}

// ---- datasets, splits, generators ----------------------------------------------------------

#[test]
fn builtin_datasets_have_the_documented_shapes() {
    let iris = data::iris().unwrap();
    assert_eq!(
        (iris.n_samples(), iris.n_features(), iris.n_classes()),
        (150, 4, 3)
    );
    assert_eq!(iris.class_names[2], "virginica");
    let diabetes = data::diabetes().unwrap();
    // linfa-datasets drops scikit-learn's first row (read as a header).
    assert_eq!((diabetes.n_samples(), diabetes.n_features()), (441, 10));
    let wine = data::winequality().unwrap();
    assert_eq!((wine.n_samples(), wine.n_features()), (1599, 11));
}

#[test]
fn split_is_seeded_and_disjoint() {
    let n = 50;
    let data = Dataset::new(
        Array2::from_shape_fn((n, 1), |(i, _)| i as f64),
        Array1::from_iter(0..n),
    )
    .unwrap();
    let (train, test) = data::train_test_split(&data, 0.2, 7).unwrap();
    assert_eq!((train.n_samples(), test.n_samples()), (40, 10));
    let (train2, _) = data::train_test_split(&data, 0.2, 7).unwrap();
    assert_eq!(train, train2);
    let (train3, _) = data::train_test_split(&data, 0.2, 8).unwrap();
    assert_ne!(train, train3);
    let mut all: Vec<usize> = train.targets.iter().chain(&test.targets).copied().collect();
    all.sort();
    assert_eq!(all, (0..n).collect::<Vec<_>>());
}

#[test]
fn k_fold_partitions_every_index_once() {
    let folds = data::k_fold(23, 5, 1).unwrap();
    let sizes: Vec<usize> = folds.iter().map(|(_, t)| t.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 4, 4]);
    let mut seen: Vec<usize> = folds.iter().flat_map(|(_, t)| t.clone()).collect();
    seen.sort();
    assert_eq!(seen, (0..23).collect::<Vec<_>>());
    for (train, test) in &folds {
        assert_eq!(train.len() + test.len(), 23);
        assert!(test.iter().all(|i| !train.contains(i)));
    }
    assert!(data::k_fold(3, 5, 0).is_err());
}

#[test]
fn make_blobs_clusters_around_their_centres() {
    let blobs = MakeBlobs::params()
        .n_samples(600)
        .centers(3)
        .n_features(2)
        .cluster_std(0.5)
        .seed(3);
    let (data, centres) = (blobs.generate().unwrap(), blobs.centres().unwrap());
    assert_eq!(centres.dim(), (3, 2));
    for c in 0..3 {
        let rows: Vec<usize> = (0..600).filter(|&i| data.targets[i] == c).collect();
        assert_eq!(rows.len(), 200);
        let mean = data
            .select(&rows)
            .unwrap()
            .records
            .mean_axis(ndarray::Axis(0))
            .unwrap();
        let dist = (&mean - &centres.row(c)).mapv(|v| v * v).sum().sqrt();
        assert!(dist < 0.15, "blob {c} mean is {dist} from its centre");
    }
}

#[test]
fn make_classification_follows_sklearn_structure() {
    let data = MakeClassification::params()
        .n_samples(1000)
        .n_features(8)
        .n_informative(3)
        .n_redundant(2)
        .n_repeated(1)
        .n_classes(3)
        .n_clusters_per_class(1)
        .flip_y(0.0)
        .shuffle(false)
        .seed(5)
        .generate()
        .unwrap();
    assert_eq!(data.records.dim(), (1000, 8));
    let counts: Vec<usize> = (0..3)
        .map(|c| data.targets.iter().filter(|&&t| t == c).count())
        .collect();
    assert_eq!(counts, [334, 333, 333]);
    // The redundant columns are exact linear combinations of the informative ones: the
    // least-squares residual of column 3 on columns 0..3 vanishes.
    let x = data.records.slice(ndarray::s![.., 0..3]).to_owned();
    let r = data.records.column(3).to_owned();
    let xtx = x.t().dot(&x);
    let xtr = x.t().dot(&r);
    let w = solve3(xtx, xtr);
    let residual = (&r - &x.dot(&w)).mapv(f64::abs).sum();
    assert!(residual < 1e-6, "redundant residual {residual}");
    // The repeated column copies one of the first five.
    let rep = data.records.column(5);
    assert!((0..5).any(|j| data.records.column(j) == rep));
    assert!(MakeClassification::params()
        .n_informative(1)
        .n_classes(3)
        .generate()
        .is_err());
}

fn solve3(a: Array2<f64>, b: Array1<f64>) -> Array1<f64> {
    // Gaussian elimination for a 3×3 system (test helper).
    let mut m = a;
    let mut v = b;
    for i in 0..3 {
        for k in (i + 1)..3 {
            let f = m[(k, i)] / m[(i, i)];
            for j in 0..3 {
                m[(k, j)] -= f * m[(i, j)];
            }
            v[k] -= f * v[i];
        }
    }
    let mut x = Array1::zeros(3);
    for i in (0..3).rev() {
        let s: f64 = ((i + 1)..3).map(|j| m[(i, j)] * x[j]).sum();
        x[i] = (v[i] - s) / m[(i, i)];
    }
    x
}

#[test]
fn make_regression_targets_are_linear_in_features() {
    let problem = MakeRegression::params()
        .n_samples(200)
        .n_features(6)
        .n_informative(3)
        .bias(2.5)
        .noise(0.0)
        .seed(9);
    let (data, coef) = (problem.generate().unwrap(), problem.coefficients().unwrap());
    assert_eq!(coef.iter().filter(|&&c| c != 0.0).count(), 3);
    assert!(coef.iter().all(|&c| (0.0..100.0).contains(&c)));
    let predicted = data.records.dot(&coef) + 2.5;
    let err = (&predicted - &data.targets).mapv(f64::abs).sum();
    assert!(err < 1e-9, "{err}");
}

#[test]
fn same_seed_same_data() {
    let a = MakeClassification::params().seed(11).generate().unwrap();
    let b = MakeClassification::params().seed(11).generate().unwrap();
    let c = MakeClassification::params().seed(12).generate().unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

// ---- interop --------------------------------------------------------------------------------

#[test]
fn linfa_datasets_convert_with_feature_names() {
    let linfa = linfa::DatasetBase::new(array![[1.0, 2.0], [3.0, 4.0]], array![0usize, 1])
        .with_feature_names(vec!["a", "b"]);
    assert_eq!(linfa.feature_names(), ["a", "b"]);
    let ours: Dataset<usize> = Dataset::try_from(linfa).unwrap();
    assert_eq!(ours.feature_names, ["a", "b"]);
    assert_eq!(ours.class_names, ["0", "1"]);
    let back: linfa::Dataset<f64, usize, ndarray::Ix1> = ours.into();
    assert_eq!(back.targets, array![0, 1]);
}

// ---- reports -------------------------------------------------------------------------------

#[test]
fn line_chart_writes_a_png() {
    let dir = temp_dir("png");
    let path = dir.path().join("curve.png");
    let chart = LineChart {
        title: "A curve".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        series: vec![Series::line(
            "x²",
            (0..20).map(|i| (i as f64, (i * i) as f64)).collect(),
            0,
        )],
        y_range: None,
    };
    report::save(&path, (400, 300), &chart).unwrap();
    let bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
}

#[test]
fn duplicate_column_names_are_an_error_naming_them() {
    let dir = temp_dir("dup");
    // The target column twice: the second copy would otherwise become a feature (leakage).
    let path = write(&dir, "dup.csv", "a,label,b,label\n1,0,2,0\n3,1,4,1\n");
    let message = read_csv(&path, Some("label")).unwrap_err().to_string();
    assert!(
        message.contains("`label` appears twice (columns 2 and 4)")
            && message.contains("dup.csv:1"),
        "{message}"
    );
    let path = write(&dir, "dup2.csv", "x,x\n1,2\n");
    assert!(read_csv(&path, None).is_err());
}

#[test]
fn numeric_class_labels_compare_as_numbers() {
    let dir = temp_dir("labels");
    let train = write(
        &dir,
        "train.csv",
        "x,y\n0,1\n1,1.0\n2,2\n3,10\n4,2.00\n5,-0\n",
    );
    let data = read_csv(&train, Some("y"))
        .unwrap()
        .classification()
        .unwrap();
    // 1 and 1.0 are one class; -0 is 0; sorted as numbers (2 before 10).
    assert_eq!(data.class_names, vec!["0", "1", "2", "10"]);
    assert_eq!(data.targets.to_vec(), vec![1, 1, 2, 3, 2, 0]);
    // A test file writing the labels differently maps onto the same classes.
    let test = write(&dir, "test.csv", "x,y\n0,1e0\n1,10.0\n");
    let mapped = read_csv(&test, Some("y"))
        .unwrap()
        .classification_with(&data.class_names)
        .unwrap();
    assert_eq!(mapped.targets.to_vec(), vec![1, 3]);
    // Text labels still compare as text.
    let text = write(&dir, "text.csv", "x,y\n0,a\n1,1\n2,1.0\n");
    let data = read_csv(&text, Some("y"))
        .unwrap()
        .classification()
        .unwrap();
    assert_eq!(data.class_names, vec!["1", "1.0", "a"]);
}

/// Integer labels are compared exactly: 2^53 and 2^53 + 1 are two classes (as f64 they are one
/// number), and `1` / `1.0` / `+1` are still one.
#[test]
fn integer_labels_beyond_two_to_the_53_stay_distinct() {
    let dir = temp_dir("bigints");
    let path = write(
        &dir,
        "big.csv",
        "x,y\n1,9007199254740992\n2,9007199254740993\n3,9007199254740993\n4,1\n5,1.0\n6,+1\n",
    );
    let data = read_csv(&path, Some("y"))
        .unwrap()
        .classification()
        .unwrap();
    assert_eq!(
        data.class_names,
        ["1", "9007199254740992", "9007199254740993"]
    );
    assert_eq!(data.targets, array![1, 2, 2, 0, 0, 0]);
}

/// `roc_auc_ovr` on labels of one class is refused, as `roc_auc` is (not −0.0).
#[test]
fn roc_auc_ovr_refuses_a_single_class() {
    use learnkit::model_selection::{classification_score, Scorer};
    let y = array![1usize, 1, 1];
    let proba = array![[0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.3, 0.4, 0.3]];
    let err = classification_score(Scorer::RocAucOvr, y.view(), y.view(), Some(proba.view()), 3)
        .unwrap_err();
    assert!(err.to_string().contains("two classes"), "{err}");
}
