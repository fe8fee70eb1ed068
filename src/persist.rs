//! Saving and loading fitted models.
//!
//! A model file is JSON: an envelope `{"format": "learnkit-model", "version": 4, "kind": ...,
//! "checksum": ..., "hyperparameters": [[name, value], ...], "model": ...}` (version 5 when a
//! tree of the model holds a category set) around the model's serde form, where `checksum` is the FNV-1a 64-bit hash of the model's JSON text followed by
//! the hyper-parameters' text, exactly as stored (so a flipped bit anywhere in either is caught
//! even when the JSON still parses). Loading checks the envelope first, so
//! a file holding another model kind or a newer format version is an
//! [`Error::IncompatibleModel`], and a truncated, altered or crafted file an
//! [`Error::CorruptModel`] — never a panic. Files are read only when they are regular files of
//! at most [`MAX_MODEL_BYTES`], so a FIFO or a device is refused instead of read for ever.
//!
//! Saving is atomic: the bytes go to a temporary file in the same directory, which is flushed to
//! disk and then renamed over the destination. An interrupted save leaves the old file intact.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Tag in every model file.
pub const FORMAT: &str = "learnkit-model";
/// Current version of the model file format. Version 2 changed only gradient-boosting models
/// (their trees became the tree learner's `Tree`); version 3 added the checksum and split
/// gradient boosting's kind into `GradientBoostingClassifier` and `GradientBoostingRegressor`;
/// version 4 added the hyper-parameters the model was trained with (under the checksum, which
/// covers the model's text followed by theirs); version 5 added trees with category sets
/// (categorical splits). A file is written with the oldest version that holds it
/// ([`Persist::written_version`]): only models with a category set are version 5, so a learnkit
/// from before categorical features reads every other file as before and reports those as a
/// newer format. Every kind still reads the versions before its last change.
pub const FORMAT_VERSION: u32 = 5;

/// The version of files whose models need nothing newer (see [`FORMAT_VERSION`]).
pub const BASE_FORMAT_VERSION: u32 = 4;

/// The largest model file [`Persist::load`] reads (1 GiB: a forest of 100,000 deep trees fits
/// well below it).
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'a str,
    version: u32,
    kind: &'a str,
    checksum: String,
    hyperparameters: &'a serde_json::value::RawValue,
    model: &'a serde_json::value::RawValue,
}

#[derive(Deserialize)]
struct EnvelopeIn<'a> {
    format: String,
    version: u32,
    kind: String,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(borrow, default)]
    hyperparameters: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    model: &'a serde_json::value::RawValue,
}

/// The checksum of a file's model (and, from version 4, its hyper-parameters) as stored.
fn content_checksum(model: &str, hyperparameters: Option<&str>) -> String {
    match hyperparameters {
        None => checksum(model.as_bytes()),
        Some(h) => checksum(&[model.as_bytes(), h.as_bytes()].concat()),
    }
}

/// The FNV-1a 64-bit hash of `bytes`, as 16 hex digits: the model file's checksum.
pub fn checksum(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// What a model file says about itself, read without decoding the model: to choose the type to
/// load it as (a command line that takes any model), or to describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The model kind (`"RandomForestClassifier"`, ...).
    pub kind: String,
    /// The format version it was written with.
    pub version: u32,
    /// The hyper-parameters it was trained with, by name, as shown (empty when the writer gave
    /// none, and in files before version 4).
    pub hyperparameters: Vec<(String, String)>,
}

/// Reads the envelope of model file `bytes` (`origin` names it in errors): a file that is not
/// a learnkit model is [`Error::CorruptModel`], one from a newer format [`Error::IncompatibleModel`].
pub fn file_info(bytes: &[u8], origin: &Path) -> Result<FileInfo> {
    let envelope = envelope(bytes, origin)?;
    let hyperparameters = match envelope.hyperparameters {
        None => Vec::new(),
        Some(raw) => serde_json::from_str(raw.get()).map_err(|e| Error::CorruptModel {
            path: origin.to_path_buf(),
            message: format!("hyper-parameters: {e}"),
        })?,
    };
    Ok(FileInfo {
        kind: envelope.kind,
        version: envelope.version,
        hyperparameters,
    })
}

fn envelope<'a>(bytes: &'a [u8], origin: &Path) -> Result<EnvelopeIn<'a>> {
    let corrupt = |message: String| Error::CorruptModel {
        path: origin.to_path_buf(),
        message,
    };
    let envelope: EnvelopeIn<'a> =
        serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    if envelope.format != FORMAT {
        return Err(corrupt(format!(
            "not a learnkit model file (format tag `{}`)",
            envelope.format
        )));
    }
    if envelope.version > FORMAT_VERSION || envelope.version == 0 {
        return Err(Error::IncompatibleModel {
            expected: format!("format version 1..={FORMAT_VERSION}"),
            found: format!("format version {}", envelope.version),
        });
    }
    // From version 4 on the hyper-parameters are part of what the checksum covers.
    let hyperparameters = match (envelope.hyperparameters, envelope.version >= 4) {
        (Some(h), true) => Some(h.get()),
        (None, true) => return Err(corrupt("no hyper-parameters".into())),
        (_, false) => None,
    };
    // From version 3 on the checksum is required: a file without one was altered.
    match (&envelope.checksum, envelope.version >= 3) {
        (Some(sum), _) if *sum != content_checksum(envelope.model.get(), hyperparameters) => {
            return Err(corrupt("checksum mismatch: the file was altered".into()))
        }
        (None, true) => return Err(corrupt("no checksum".into())),
        _ => {}
    }
    Ok(envelope)
}

/// Refuses anything but a regular file (a FIFO, a device, a directory), before opening it: a
/// FIFO would block the open itself, and `/dev/zero` would never end.
pub fn require_regular_file(path: &Path) -> Result<fs::Metadata> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        Ok(meta)
    } else {
        Err(Error::io(path, std::io::Error::other("not a regular file")))
    }
}

/// Reads a file of at most `limit` bytes that must be a regular file (not a FIFO, a device or
/// a directory, which could block or never end).
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let meta = require_regular_file(path)?;
    if meta.len() > limit {
        return Err(Error::io(
            path,
            std::io::Error::other(format!("larger than the {limit}-byte limit")),
        ));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::io(
            path,
            std::io::Error::other(format!("larger than the {limit}-byte limit")),
        ));
    }
    Ok(bytes)
}

/// A fitted model that can be written to and read from a file.
///
/// ```
/// use learnkit::persist::Persist;
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Threshold { at: f64 }
/// impl Persist for Threshold { const KIND: &'static str = "Threshold"; }
///
/// let dir = std::env::temp_dir().join(format!("learnkit-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("threshold.json");
/// Threshold { at: 0.5 }.save(&path)?;
/// assert_eq!(Threshold::load(&path)?, Threshold { at: 0.5 });
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), learnkit::Error>(())
/// ```
pub trait Persist: Serialize + DeserializeOwned {
    /// The model's name in the file; loading a file of another kind fails.
    const KIND: &'static str;

    /// The oldest format version whose files this kind still reads (a kind whose layout
    /// changed raises it, so an old file is reported as incompatible, not corrupt).
    const OLDEST_READABLE_VERSION: u32 = 1;

    /// The kind written in the file: [`Persist::KIND`], or for a type that wraps another
    /// model the wrapper's kind naming the model's (`Pipeline<LogisticRegression>`), so that a
    /// reader knows which model a file holds before decoding it.
    fn file_kind() -> std::borrow::Cow<'static, str> {
        Self::KIND.into()
    }

    /// Whether a file of `kind` written with format `version` holds this type (by default: the
    /// same kind; a kind that was renamed also accepts its old name in old versions).
    fn reads_kind(kind: &str, _version: u32) -> bool {
        kind == Self::file_kind()
    }

    /// The format version its file is written with: the oldest that holds this model
    /// ([`BASE_FORMAT_VERSION`] unless the model needs a later one).
    fn written_version(&self) -> u32 {
        BASE_FORMAT_VERSION
    }

    /// Serialises the model, envelope included.
    fn to_bytes(&self) -> Result<Vec<u8>> {
        self.to_bytes_with(&[])
    }

    /// Serialises the model with the hyper-parameters it was trained with (name, value as
    /// shown: what `learnkit inspect` lists), envelope included.
    fn to_bytes_with(&self, hyperparameters: &[(String, String)]) -> Result<Vec<u8>> {
        let unserialisable = |e: serde_json::Error| Error::IncompatibleModel {
            expected: format!("a serialisable {}", Self::file_kind()),
            found: e.to_string(),
        };
        let model = serde_json::value::to_raw_value(self).map_err(unserialisable)?;
        let params = serde_json::value::to_raw_value(hyperparameters).map_err(unserialisable)?;
        let kind = Self::file_kind();
        let envelope = EnvelopeOut {
            format: FORMAT,
            version: self.written_version(),
            kind: &kind,
            checksum: content_checksum(model.get(), Some(params.get())),
            hyperparameters: &params,
            model: &model,
        };
        serde_json::to_vec(&envelope).map_err(unserialisable)
    }

    /// Decodes a model from bytes; `origin` names the source in error messages.
    fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Self> {
        let corrupt = |message: String| Error::CorruptModel {
            path: origin.to_path_buf(),
            message,
        };
        let envelope = envelope(bytes, origin)?;
        if envelope.version < Self::OLDEST_READABLE_VERSION {
            return Err(Error::IncompatibleModel {
                expected: format!(
                    "format version {}..={FORMAT_VERSION} for {}",
                    Self::OLDEST_READABLE_VERSION,
                    Self::file_kind()
                ),
                found: format!("format version {}", envelope.version),
            });
        }
        if !Self::reads_kind(&envelope.kind, envelope.version) {
            return Err(Error::IncompatibleModel {
                expected: Self::file_kind().into_owned(),
                found: envelope.kind,
            });
        }
        let model: Self = serde_json::from_str(envelope.model.get())
            .map_err(|e| corrupt(format!("{} fields: {e}", Self::file_kind())))?;
        model
            .validate_loaded()
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(model)
    }

    /// Checks invariants serde cannot express (array shapes that must agree). Called by
    /// [`Persist::load`]; the default accepts everything.
    fn validate_loaded(&self) -> Result<()> {
        Ok(())
    }

    /// Writes the model to `path` atomically.
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_with(path, &[])
    }

    /// Writes the model to `path` atomically, with the hyper-parameters it was trained with
    /// ([`FileInfo::hyperparameters`] reads them back).
    fn save_with(
        &self,
        path: impl AsRef<Path>,
        hyperparameters: &[(String, String)],
    ) -> Result<()> {
        let bytes = self.to_bytes_with(hyperparameters)?;
        write_atomic(path.as_ref(), |w| w.write_all(&bytes))
    }

    /// Reads a model written by [`Persist::save`] (a regular file of at most
    /// [`MAX_MODEL_BYTES`]).
    fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = read_regular_file(path, MAX_MODEL_BYTES)?;
        Self::from_bytes(&bytes, path)
    }
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary path next to `path`, unique to this process and call, ending in `path`'s own
/// extension (so an encoder that goes by the extension, as the PNG writer does, still works).
pub(crate) fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".to_string());
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let unique = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{unique}.tmp{ext}", std::process::id()))
}

/// Writes a file atomically: `write` fills a temporary file next to `path`, which is synced and
/// then renamed onto `path`. If `write` fails, the temporary file is removed and `path` is left
/// exactly as it was.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = temp_path_for(path);
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut writer = BufWriter::new(file);
        write(&mut writer)?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
