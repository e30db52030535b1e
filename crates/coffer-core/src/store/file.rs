//! The vault file on disk: checks before SQLite touches it, and the lock
//! file that several processes share (and a migration takes alone).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::schema;
use crate::error::{Error, Result};

/// The lock file beside the vault: shared by every process that has the vault
/// open, exclusive for what must have it alone (creating it, migrating its
/// schema). Writes themselves are serialised by SQLite. Released on drop.
#[derive(Debug)]
pub(crate) struct VaultLock {
    file: File,
    path: PathBuf,
}

impl VaultLock {
    /// The lock file's path: the vault's path with `.lock` appended.
    pub fn path_for(vault: &Path) -> PathBuf {
        let mut name = vault.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    fn open(vault: &Path) -> Result<Self> {
        let path = Self::path_for(vault);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(format!("opening lock file {}", path.display()), e))?;
        Ok(Self {
            file,
            path: vault.to_owned(),
        })
    }

    /// Shares the vault with other processes (the app, the CLI, a sync);
    /// `in_use` while one has it alone (creating or migrating it).
    pub fn shared(vault: &Path) -> Result<Self> {
        let mut lock = Self::open(vault)?;
        match lock.file.try_lock_shared() {
            Ok(()) => Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) => Err(lock.in_use()),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(
                format!("locking {}", Self::path_for(vault).display()),
                e,
            )),
        }
    }

    fn in_use(&mut self) -> Error {
        let mut text = String::new();
        let _ = self.file.read_to_string(&mut text);
        Error::InUse {
            path: self.path.clone(),
            pid: text.trim().parse().ok(),
        }
    }

    /// Has the vault alone, or reports that another process has it open.
    pub fn exclusive(vault: &Path) -> Result<Self> {
        let mut lock = Self::open(vault)?;
        lock.take_exclusive()?;
        Ok(lock)
    }

    /// Turns a shared lock into an exclusive one, if no other process holds it.
    pub fn take_exclusive(&mut self) -> Result<()> {
        match self.file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(self.in_use()),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(
                    format!("locking {}", Self::path_for(&self.path).display()),
                    e,
                ));
            }
        }
        // Name the holder in the "in use" message of another process.
        let _ = self
            .file
            .set_len(0)
            .and_then(|()| write!(self.file, "{}", std::process::id()));
        Ok(())
    }

    /// Back to sharing, after an exclusive step.
    pub fn share(&mut self) -> Result<()> {
        let _ = self.file.set_len(0);
        self.file.lock_shared().map_err(|e| {
            Error::io(
                format!("locking {}", Self::path_for(&self.path).display()),
                e,
            )
        })
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why an SQLite file with another application id is refused.
pub(crate) const NOT_COFFERS: &str = "it is an SQLite database, but not one Coffer made";

/// Looks at the file before SQLite does, so that an empty, truncated or
/// foreign file gets its own clear error and is never modified.
pub(crate) fn precheck(path: &Path) -> Result<()> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoVault {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    if metadata.is_dir() {
        return Err(Error::NotAVault {
            path: path.to_owned(),
            reason: "it is a directory".into(),
        });
    }
    let len = metadata.len();
    if len == 0 {
        return Err(Error::Corrupt {
            reason: format!("{} is empty (0 bytes)", path.display()),
        });
    }
    let mut header = [0u8; 100];
    let mut file =
        File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let read = read_up_to(&mut file, &mut header)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if read < 16 && SQLITE_MAGIC.starts_with(&header[..read]) {
        // Cut off inside SQLite's magic string: a damaged database, not a foreign file.
        return Err(Error::Corrupt {
            reason: format!("{} is truncated: it has only {len} bytes", path.display()),
        });
    }
    if read < 16 || &header[..16] != SQLITE_MAGIC {
        return Err(Error::NotAVault {
            path: path.to_owned(),
            reason: "it is not an SQLite database".into(),
        });
    }
    if read < 100 {
        return Err(Error::Corrupt {
            reason: format!("{} is truncated: it has only {len} bytes", path.display()),
        });
    }
    // Identity and schema come from the header, before SQLite opens the file:
    // a refused file must stay untouched, and SQLite would delete a stray WAL
    // next to a rollback-journal database.
    let app_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if app_id != schema::APPLICATION_ID {
        return Err(Error::NotAVault {
            path: path.to_owned(),
            reason: NOT_COFFERS.into(),
        });
    }
    let version = u32::from_be_bytes([header[60], header[61], header[62], header[63]]);
    if version > schema::LATEST {
        return Err(Error::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            supported: schema::LATEST,
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let page_count = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    // The in-header size is trustworthy only when these two counters agree,
    // and only when no write-ahead log is pending: a checkpoint interrupted by
    // a crash leaves page 1 (with the new size) ahead of the rest of the file,
    // and SQLite completes it from the WAL when the file is opened.
    if change_counter == valid_for && page_count > 0 && !wal_pending(path) {
        let expected = page_count * page_size;
        if len < expected {
            return Err(Error::Corrupt {
                reason: format!(
                    "{} is truncated: it has {len} bytes, its header says {expected}",
                    path.display()
                ),
            });
        }
    }
    Ok(())
}

/// Whether a write-ahead log with frames (by its magic number) sits next to the file.
fn wal_pending(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut header = [0u8; 32];
    File::open(wal)
        .and_then(|mut f| read_up_to(&mut f, &mut header))
        .is_ok_and(|n| n == 32 && matches!(header[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83]))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Creates `path`'s parent directory (owner-only on Unix) when missing.
pub(crate) fn ensure_parent(path: &Path) -> Result<()> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))
}

/// Creates a new, empty file readable only by its owner.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| Error::io(format!("creating {}", path.display()), e))
}
