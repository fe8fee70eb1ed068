//! Saving and loading fitted models.
//!
//! A model file is JSON: an envelope `{"format": "learnkit-model", "version": 2, "kind": ...,
//! "model": ...}` around the model's serde form. Loading checks the envelope first, so a file
//! holding another model kind or a newer format version is an [`Error::IncompatibleModel`], and a
//! truncated or corrupt file an [`Error::CorruptModel`] — never a panic.
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
/// (their trees became the tree learner's `Tree`); every other kind still reads version 1 files.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct EnvelopeOut<'a, M> {
    format: &'a str,
    version: u32,
    kind: &'a str,
    model: &'a M,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    format: String,
    version: u32,
    kind: String,
    model: serde_json::Value,
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

    /// Serialises the model, envelope included.
    fn to_bytes(&self) -> Result<Vec<u8>> {
        let envelope = EnvelopeOut {
            format: FORMAT,
            version: FORMAT_VERSION,
            kind: Self::KIND,
            model: self,
        };
        serde_json::to_vec(&envelope).map_err(|e| Error::IncompatibleModel {
            expected: format!("a serialisable {}", Self::KIND),
            found: e.to_string(),
        })
    }

    /// Decodes a model from bytes; `origin` names the source in error messages.
    fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Self> {
        let corrupt = |message: String| Error::CorruptModel {
            path: origin.to_path_buf(),
            message,
        };
        let envelope: EnvelopeIn =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        if envelope.format != FORMAT {
            return Err(corrupt(format!(
                "not a learnkit model file (format tag `{}`)",
                envelope.format
            )));
        }
        if !(Self::OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&envelope.version) {
            return Err(Error::IncompatibleModel {
                expected: format!(
                    "format version {}..={FORMAT_VERSION} for {}",
                    Self::OLDEST_READABLE_VERSION,
                    Self::KIND
                ),
                found: format!("format version {}", envelope.version),
            });
        }
        if envelope.kind != Self::KIND {
            return Err(Error::IncompatibleModel {
                expected: Self::KIND.to_string(),
                found: envelope.kind,
            });
        }
        let model: Self = serde_json::from_value(envelope.model)
            .map_err(|e| corrupt(format!("{} fields: {e}", Self::KIND)))?;
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
        let bytes = self.to_bytes()?;
        write_atomic(path.as_ref(), |w| w.write_all(&bytes))
    }

    /// Reads a model written by [`Persist::save`].
    fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, path)
    }
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".to_string());
    let unique = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{unique}.tmp", std::process::id()))
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
