//! Private scratch directories (mode 0700) for a run's temporary files: SSH
//! keys, client keys, known hosts, askpass scripts.
//!
//! They live under one per-user 0700 directory, [`root`]:
//! `$XDG_RUNTIME_DIR/coffer` where that is usable (a tmpfs that the session
//! manager empties at logout), else `coffer-UID` in the temporary directory,
//! checked to be ours and not a symlink. A run's directory is named
//! `coffer-run-PID-START-RANDOM`, where START is the process's start time
//! (from `/proc/PID/stat`), so [`remove_stale_scratch`] can tell a
//! directory left by a killed process from one a running process is using,
//! even after the PID was reused. A directory is removed when its
//! [`Scratch`] is dropped, by [`remove_own_scratch`] when a signal ends the
//! process, and by [`remove_stale_scratch`] at the next start otherwise.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Prefix of a run's directory.
const PREFIX: &str = "coffer-run-";

/// A directory only this user can enter, removed on drop.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

/// The start time of process `pid` (clock ticks since boot, from
/// `/proc/PID/stat`), or 0 where there is no `/proc`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count
    // fields after its closing parenthesis; start time is field 22.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

fn own_start_time() -> u64 {
    start_time(std::process::id()).unwrap_or(0)
}

/// Whether the process that made a directory named `name` is gone.
fn owner_gone(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(PREFIX) else {
        return false;
    };
    let mut parts = rest.split('-');
    let (Some(pid), Some(start)) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|s| s.parse::<u64>().ok()),
    ) else {
        return false;
    };
    if Path::new("/proc/self/stat").exists() {
        // A reused PID has another start time.
        return start_time(pid) != Some(start);
    }
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        rustix::process::test_kill_process(pid) == Err(rustix::io::Errno::SRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

fn private_dir_builder() -> std::fs::DirBuilder {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
}

/// Creates `path` (mode 0700) if needed, and checks it is a directory of
/// this user, not a symlink, that no one else may enter.
fn private_dir(path: &Path) -> Result<()> {
    match private_dir_builder().create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(format!("creating {}", path.display()), e)),
    }
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Error::io(format!("checking {}", path.display()), e))?;
    if !meta.is_dir() {
        return Err(Error::process(format!(
            "{} is not a directory (a symlink?): refusing to keep keys there",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(Error::process(format!(
                "{} belongs to another user: refusing to keep keys there",
                path.display()
            )));
        }
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io(format!("restricting {}", path.display()), e))?;
        }
    }
    Ok(())
}

/// The per-user directory that holds scratch directories (created 0700).
pub fn root() -> Result<PathBuf> {
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from)
        && runtime.is_absolute()
        && private_dir_owned(&runtime)
    {
        let dir = runtime.join("coffer");
        if private_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    #[cfg(unix)]
    let name = format!("coffer-{}", rustix::process::geteuid().as_raw());
    #[cfg(not(unix))]
    let name = "coffer".to_owned();
    let dir = std::env::temp_dir().join(name);
    private_dir(&dir)?;
    Ok(dir)
}

/// Whether `dir` exists, is ours and not a symlink (a usable runtime dir).
fn private_dir_owned(dir: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.is_dir() && meta.uid() == rustix::process::geteuid().as_raw()
    }
    #[cfg(not(unix))]
    meta.is_dir()
}

/// Removes the scratch directories in `dir` whose process is gone (killed
/// runs); those of running processes stay. Returns how many were removed.
pub fn remove_stale_in(dir: &Path) -> usize {
    remove_where(dir, owner_gone)
}

/// Removes the scratch directories under [`root`] left by processes that
/// are gone. Call it at every start (the CLI does; so should the app).
pub fn remove_stale_scratch() -> usize {
    root().map(|dir| remove_stale_in(&dir)).unwrap_or(0)
}

/// Removes this process's own scratch directories in `dir` (when a signal
/// ends it before the runs could clean up).
pub fn remove_own_in(dir: &Path) -> usize {
    let mine = format!("{PREFIX}{}-{}-", std::process::id(), own_start_time());
    remove_where(dir, |name| name.starts_with(&mine))
}

/// Removes this process's own scratch directories under [`root`].
pub fn remove_own_scratch() -> usize {
    root().map(|dir| remove_own_in(&dir)).unwrap_or(0)
}

fn remove_where(dir: &Path, remove: impl Fn(&str) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(&remove))
        .filter(|e| std::fs::remove_dir_all(e.path()).is_ok())
        .count()
}

impl Scratch {
    /// Creates `coffer-run-PID-START-RANDOM` (mode 0700) under `base`.
    pub fn new(base: &Path) -> Result<Self> {
        let (pid, start) = (std::process::id(), own_start_time());
        for attempt in 0..16u32 {
            let suffix = {
                use std::hash::{BuildHasher, Hasher};
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u32(attempt);
                h.write_u32(pid);
                h.finish()
            };
            let path = base.join(format!("{PREFIX}{pid}-{start}-{suffix:016x}"));
            match private_dir_builder().create(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(Error::io(
                        format!("creating a private directory in {}", base.display()),
                        e,
                    ));
                }
            }
        }
        Err(Error::process(format!(
            "cannot create a private directory in {}",
            base.display()
        )))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a file readable only by this user (`mode` 0600 or 0700).
    pub fn write(&self, name: &str, bytes: &[u8], mode: u32) -> Result<PathBuf> {
        let path = self.path.join(name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options
            .open(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_live_owners_from_gone_ones() {
        let me = format!(
            "{PREFIX}{}-{}-0123456789abcdef",
            std::process::id(),
            own_start_time()
        );
        assert!(!owner_gone(&me));
        // Same PID, another start time: the PID was reused.
        let reused = format!("{PREFIX}{}-{}-0", std::process::id(), own_start_time() + 1);
        assert!(owner_gone(&reused));
        assert!(owner_gone(&format!("{PREFIX}{}-1-0", u32::MAX - 1)));
        // Names not ours are never touched.
        assert!(!owner_gone("coffer-run-abcdef"));
        assert!(!owner_gone("something-else"));
    }
}
