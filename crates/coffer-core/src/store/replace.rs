//! Swapping the vault file for another (a restore): with the vault held
//! alone, the current file moves aside, the new one is renamed into place,
//! and the connection reopens on it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{Store, configure, sql_error};
use crate::error::{Error, Result};

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_dir(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

impl Store {
    /// Where the replaced file waits until a restore has succeeded.
    pub fn before_restore_path(path: &Path) -> PathBuf {
        sibling(path, ".before-restore")
    }

    /// Replaces this vault's file by `staged` (a complete, verified,
    /// fsynced vault file beside it). Needs the vault alone: another process
    /// that has it open makes this fail with [`Error::InUse`] and nothing
    /// changes. The old file is kept as `.before-restore` until the new one
    /// is open, then removed.
    pub fn replace_with(&mut self, staged: &Path) -> Result<()> {
        self._lock.take_exclusive()?;
        let result = self.swap(staged);
        let shared = self._lock.share();
        result.and(shared)
    }

    fn swap(&mut self, staged: &Path) -> Result<()> {
        let path = self.path.clone();
        let aside = Self::before_restore_path(&path);
        // Everything of the current file into the main file, then close it,
        // so no write-ahead log of the old file lingers next to the new one.
        self.checkpoint()?;
        let placeholder = Connection::open_in_memory()
            .map_err(|e| sql_error("preparing the swap of the vault file", e))?;
        let old = std::mem::replace(&mut self.conn, placeholder);
        old.close()
            .map_err(|(_, e)| sql_error("closing the vault before the swap", e))?;
        let reopen = |store: &mut Self| -> Result<()> {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| sql_error(format!("opening {}", path.display()), e))?;
            configure(&conn)?;
            store.conn = conn;
            Ok(())
        };
        let _ = std::fs::remove_file(&aside);
        if let Err(e) = std::fs::rename(&path, &aside) {
            reopen(self)?;
            return Err(Error::io(format!("moving {} aside", path.display()), e));
        }
        for leftover in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(&path, leftover));
        }
        let moved = std::fs::rename(staged, &path);
        sync_dir(&path);
        if let Err(e) = moved {
            // Put the old file back.
            let _ = std::fs::rename(&aside, &path);
            sync_dir(&path);
            reopen(self)?;
            return Err(Error::io(
                format!("moving the restored vault to {}", path.display()),
                e,
            ));
        }
        if let Err(e) = reopen(self) {
            let _ = std::fs::rename(&path, staged);
            let _ = std::fs::rename(&aside, &path);
            sync_dir(&path);
            reopen(self)?;
            return Err(e);
        }
        let _ = std::fs::remove_file(&aside);
        sync_dir(&path);
        Ok(())
    }
}

/// Copies a backup to `staged` (owner-only, fsynced) after the same checks an
/// open makes, so the backup itself is never opened, migrated or changed.
pub(crate) fn stage_copy(backup: &Path, staged: &Path) -> Result<()> {
    super::file::precheck(backup)?;
    let _ = std::fs::remove_file(staged);
    for leftover in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(staged, leftover));
    }
    let mut from = std::fs::File::open(backup)
        .map_err(|e| Error::io(format!("opening {}", backup.display()), e))?;
    let mut to = super::file::create_private(staged)?;
    let copied = std::io::copy(&mut from, &mut to).and_then(|_| to.sync_all());
    if let Err(e) = copied {
        let _ = std::fs::remove_file(staged);
        return Err(Error::io(format!("copying {}", backup.display()), e));
    }
    Ok(())
}

/// Removes a staged file and what SQLite and the lock left beside it.
pub(crate) fn remove_staged(staged: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(sibling(staged, suffix));
    }
}

/// Makes a staged file durable and moves it to `dest` (which must not exist).
pub(crate) fn publish(staged: &Path, dest: &Path) -> Result<()> {
    let file = std::fs::File::open(staged)
        .map_err(|e| Error::io(format!("opening {}", staged.display()), e))?;
    file.sync_all()
        .map_err(|e| Error::io(format!("syncing {}", staged.display()), e))?;
    if std::fs::symlink_metadata(dest).is_ok() {
        return Err(Error::VaultExists {
            path: dest.to_owned(),
        });
    }
    std::fs::rename(staged, dest).map_err(|e| {
        Error::io(
            format!("moving the restored vault to {}", dest.display()),
            e,
        )
    })?;
    let _ = std::fs::remove_file(sibling(staged, ".lock"));
    sync_dir(dest);
    Ok(())
}
