//! Atomic file replacement: written to a temporary file in the target's
//! directory, flushed to disk, then renamed over the target. A run that
//! fails or is killed never leaves a partial target.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Prefix of temporary files, so leftovers of killed runs can be recognised.
const TEMP_MARK: &str = ".coffer-tmp-";

/// A temporary file that becomes `target` on [`AtomicFile::commit`] and
/// disappears otherwise.
pub struct AtomicFile {
    file: Option<File>,
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl std::fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicFile")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

impl AtomicFile {
    /// Starts replacing `target`; the file gets `mode` (Unix permissions)
    /// from its creation on. Leftover temporary files of `target` from
    /// killed runs are removed first.
    pub fn create(target: &Path, mode: u32) -> Result<Self> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .ok_or_else(|| Error::invalid("target", format!("{} names no file", target.display())))?
            .to_string_lossy()
            .into_owned();
        if !dir.is_dir() {
            return Err(Error::invalid(
                "target",
                format!("directory {} does not exist", dir.display()),
            ));
        }
        let prefix = format!(".{name}{TEMP_MARK}");
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let temp = dir.join(format!("{prefix}{}", random_suffix()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let file = options
            .open(&temp)
            .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
        Ok(Self {
            file: Some(file),
            temp,
            target: target.to_owned(),
            committed: false,
        })
    }

    /// The open temporary file.
    pub fn file(&mut self) -> Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| Error::invalid("target", "the file was already committed"))
    }

    /// Flushes and renames over the target, then makes the rename durable.
    pub fn commit(mut self) -> Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| Error::invalid("target", "the file was already committed"))?;
        let context = || format!("writing {}", self.target.display());
        file.sync_all().map_err(|e| Error::io(context(), e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.target).map_err(|e| Error::io(context(), e))?;
        self.committed = true;
        if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(dir) = File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `target` atomically with `mode`.
pub fn write(target: &Path, mode: u32, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(target, mode)?;
    file.file()?
        .write_all(bytes)
        .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
    file.commit()
}
