//! Several processes on one vault: the desktop app, the CLI, later a sync
//! engine. SQLite serialises their writes; this module makes each process
//! follow what the others did: a master key replaced by another process's
//! rotation is noticed before it is used (reads check when the file changed,
//! every write checks inside its transaction), settings are re-read, and a
//! run is marked interrupted only when the process running it is gone.

use std::collections::BTreeSet;
use std::sync::Mutex;

use subtle::ConstantTimeEq;

use super::Vault;
use super::keys::META_KEY_CHECK;
use super::settings;
use crate::error::{Error, Result};
use crate::store::{Db, Reader};

/// Runs under way in this process, by any of its vaults: (vault id, run id).
static LIVE_RUNS: Mutex<BTreeSet<([u8; 16], i64)>> = Mutex::new(BTreeSet::new());

fn live_runs() -> std::sync::MutexGuard<'static, BTreeSet<([u8; 16], i64)>> {
    // A panic while holding it leaves a set that is still consistent.
    LIVE_RUNS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// This process: its id and, where the OS tells, when it started (so that a
/// reused pid is not mistaken for it).
pub(super) fn this_process() -> (u32, Option<i64>) {
    let pid = std::process::id();
    (pid, started(pid))
}

/// When process `pid` started, in clock ticks since boot (Linux).
fn started(pid: u32) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the process that recorded (`pid`, `start`) is still running.
/// Without /proc nothing can be known, and the run counts as gone.
fn still_running(pid: Option<i64>, start: Option<i64>) -> bool {
    let Some(pid) = pid.and_then(|p| u32::try_from(p).ok()) else {
        return false;
    };
    match (started(pid), start) {
        (Some(now), Some(then)) => now == then,
        _ => false,
    }
}

impl Vault {
    /// Whether the keys held still open the vault: another process may have
    /// rotated the master key. Checked when the file changed since the last
    /// check (`PRAGMA data_version`), so an idle vault pays one pragma.
    pub(super) fn keys_current(&self, read: Reader<'_>, check: &[u8; 32]) -> Result<()> {
        let version = self.store.data_version()?;
        if version == self.seen_version.get() {
            return Ok(());
        }
        let stored = read.meta(META_KEY_CHECK)?.unwrap_or_default();
        if !bool::from(check.ct_eq(&stored[..])) {
            return Err(Error::KeyReplaced);
        }
        self.seen_version.set(version);
        Ok(())
    }

    /// Follows what other processes changed: re-reads the settings and drops
    /// keys that another process's rotation made stale. Returns whether
    /// anything changed since the last call (the desktop app polls it to
    /// refresh what it shows).
    pub fn refresh(&mut self) -> Result<bool> {
        let version = self.store.data_version()?;
        if version == self.polled_version {
            return Ok(false);
        }
        self.polled_version = version;
        let read = self.store.read();
        self.settings = settings::load(read)?;
        self.keyring_enabled = read.meta(super::keys::META_KEYRING)?.as_deref() == Some(b"enabled");
        if let Err(Error::KeyReplaced) = self.keys() {
            self.keys = None;
        }
        Ok(true)
    }

    /// Records a run as under way in this process.
    pub(super) fn run_started(&mut self, run: i64, job_rowid: i64) {
        self.active_runs.insert(run, job_rowid);
        self.run_clocks.insert(run, std::time::Instant::now());
        live_runs().insert((self.vault_id, run));
    }

    /// Records a run as ended.
    pub(super) fn run_ended(&mut self, run: i64) {
        self.active_runs.remove(&run);
        self.run_clocks.remove(&run);
        live_runs().remove(&(self.vault_id, run));
    }

    /// Whether a run left `running` is stale: not under way in this process,
    /// and its process gone.
    pub(super) fn run_is_stale(&self, run: i64, pid: Option<i64>, start: Option<i64>) -> bool {
        if live_runs().contains(&(self.vault_id, run)) {
            return false;
        }
        let (me, _) = this_process();
        // This process's own runs not under way were left by a vault it closed.
        pid == Some(i64::from(me)) || !still_running(pid, start)
    }

    /// Forgets this vault's runs (on close: they can no longer finish).
    pub(super) fn forget_runs(&mut self) {
        let mut live = live_runs();
        for run in self.active_runs.keys() {
            live.remove(&(self.vault_id, *run));
        }
    }
}
