//! The SQLite store. All SQL lives in this module: the domain above it speaks
//! in rows, so a second store (a shared PostgreSQL vault) can sit beside it.

mod audit;
mod deployments;
mod file;
mod jobs;
mod managers;
mod meta;
mod notices;
mod orgs;
mod query;
mod rename;
mod replace;
mod schema;
mod seal;
mod secrets;
mod team_identities;
mod team_queue;
mod team_replica;
mod versions;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub(crate) use audit::{AuditRow, AuditSelect, NewAuditRow};
pub(crate) use deployments::{DeploymentRow, DeploymentUpdate, NewDeploymentRow, VersionPushRow};
pub(crate) use file::{VaultLock, create_private, ensure_parent};
pub(crate) use jobs::{BindingRow, JobRow, JobUpdate, NewBinding, NewJobRow, RunRow, UsageRow};
pub(crate) use managers::{ManagerRow, ManagerUseRow, NewManagerRow};
pub use orgs::OrgSummary;
pub use query::{LabelCount, SecretCounts};
pub(crate) use replace::{publish, remove_staged, stage_copy};
pub(crate) use seal::{
    BindingKey, DeploymentSeal, JobSeal, ManagerSeal, RowKind, Sealer, org_message, project_message,
};
pub(crate) use secrets::{NewSecretRow, SecretRow};
pub(crate) use team_identities::TeamIdentityRow;
pub(crate) use team_queue::QueueRow;
pub(crate) use team_replica::{ReplicaRow, ReplicaStateRow};
pub(crate) use versions::{NewVersionRow, VersionRow};

use crate::error::{Error, Result};

/// Maps an SQLite error to the core's error, naming what was being done.
pub(crate) fn sql_error(context: impl Into<String>, error: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as Code;
    let context = context.into();
    match error.sqlite_error_code() {
        Some(Code::DatabaseCorrupt | Code::NotADatabase) => Error::Corrupt {
            reason: format!("{context}: {error}"),
        },
        Some(Code::DiskFull) => Error::Io {
            context,
            source: std::io::Error::new(std::io::ErrorKind::StorageFull, "the disk is full"),
        },
        _ => Error::Database {
            context,
            source: error,
        },
    }
}

/// An open vault file, shared with other processes.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    _lock: VaultLock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA trusted_schema = OFF;
         PRAGMA cell_size_check = ON;",
    )
    .map_err(|e| sql_error("configuring the database connection", e))?;
    // One plan per statement, whatever the bound values. Without this, SQLite
    // marks statements that join `secrets` for re-preparation whenever a
    // parameter is bound (a value might allow a better plan), so each cached
    // lookup was parsed and planned again on every call: over half the cost
    // of registering secrets. No query here depends on values for its plan.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(|e| sql_error("configuring the query planner", e))?;
    // Room for the hot statements next to the listing's filter variants.
    conn.set_prepared_statement_cache_capacity(64);
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| sql_error("configuring the busy timeout", e))
}

fn set_checkpoint_on_close(conn: &Connection, enabled: bool) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        !enabled,
    )
    .map(drop)
    .map_err(|e| sql_error("configuring checkpoints on close", e))
}

impl Store {
    /// Creates a new vault file atomically: it is built under a temporary name,
    /// filled by `init`, and renamed into place only when complete.
    pub fn create(
        path: &Path,
        sealer: &dyn Sealer,
        init: impl FnOnce(&StoreTx<'_>) -> Result<()>,
    ) -> Result<Self> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => {
                return Err(Error::VaultExists {
                    path: path.to_owned(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("checking {}", path.display()), e)),
        }
        file::ensure_parent(path)?;
        let mut lock = VaultLock::exclusive(path)?;
        if path.exists() {
            return Err(Error::VaultExists {
                path: path.to_owned(),
            });
        }
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(".creating");
        let tmp = PathBuf::from(tmp_name);
        // A leftover from a creation that was interrupted; we hold the lock.
        let _ = std::fs::remove_file(&tmp);
        drop(file::create_private(&tmp)?);
        let result = (|| {
            let mut conn = Connection::open_with_flags(
                &tmp,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| sql_error(format!("creating {}", tmp.display()), e))?;
            conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(|e| sql_error("setting the application id", e))?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| sql_error("enabling write-ahead logging", e))?;
            configure(&conn)?;
            schema::migrate(&mut conn)?;
            {
                let tx = StoreTx::begin(&mut conn, Some(sealer))?;
                init(&tx)?;
                tx.commit()?;
            }
            conn.close()
                .map_err(|(_, e)| sql_error("closing the new vault", e))
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::io(format!("moving the new vault to {}", path.display()), e))?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename durable.
            if let Ok(dir) = std::fs::File::open(parent) {
                let _ = dir.sync_all();
            }
        }
        lock.share()?;
        Self::open_locked(path, lock)
    }

    /// Opens an existing vault file, shared with other processes. Nothing is
    /// written unless the schema needs migrating, which needs the vault alone.
    pub fn open(path: &Path) -> Result<Self> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoVault {
                    path: path.to_owned(),
                });
            }
            Ok(m) if m.is_dir() => {
                return Err(Error::NotAVault {
                    path: path.to_owned(),
                    reason: "it is a directory".into(),
                });
            }
            _ => {}
        }
        let lock = VaultLock::shared(path)?;
        Self::open_locked(path, lock)
    }

    fn open_locked(path: &Path, mut lock: VaultLock) -> Result<Self> {
        file::precheck(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error(format!("opening {}", path.display()), e))?;
        set_checkpoint_on_close(&conn, false)?;
        let not_a_vault = |reason: &str| Error::NotAVault {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(
                |e| match sql_error(format!("reading {}", path.display()), e) {
                    Error::Database { .. } => {
                        not_a_vault("it cannot be read as an SQLite database")
                    }
                    other => other,
                },
            )?;
        if app_id != schema::APPLICATION_ID {
            return Err(not_a_vault(file::NOT_COFFERS));
        }
        let version = schema::version(&conn)?;
        if version > schema::LATEST {
            return Err(Error::SchemaTooNew {
                path: path.to_owned(),
                found: version,
                supported: schema::LATEST,
            });
        }
        // SQLite's close never checkpoints nor deletes the write-ahead log
        // (dropping the store checkpoints and truncates it instead): a
        // process that wrongly believes itself the last user (another process
        // lost its POSIX locks when some code in it opened and closed the
        // vault's file: GTK's file chooser did) would delete the log that
        // process still commits into, and those commits would be lost. SQLite
        // checkpoints as commits fill the log; purging truncates it.
        configure(&conn)?;
        if version < schema::LATEST {
            // Processes using the old schema must be gone first.
            lock.take_exclusive()?;
            schema::migrate(&mut conn)?;
            lock.share()?;
        }
        Ok(Self {
            conn,
            path: path.to_owned(),
            _lock: lock,
        })
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction (taking the write lock at once). Without a
    /// sealer (locked), rows that carry integrity tags cannot be changed.
    pub fn write<'a>(&'a mut self, sealer: Option<&'a dyn Sealer>) -> Result<StoreTx<'a>> {
        StoreTx::begin(&mut self.conn, sealer)
    }

    /// Copies the whole database to `dest` with SQLite's online backup API.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(Error::invalid(
                "destination",
                format!("{} already exists", dest.display()),
            ));
        }
        drop(file::create_private(dest)?);
        let mut target = Connection::open(dest)
            .map_err(|e| sql_error(format!("creating backup {}", dest.display()), e))?;
        let result = rusqlite::backup::Backup::new(&self.conn, &mut target)
            .and_then(|b| b.run_to_completion(256, std::time::Duration::ZERO, None))
            .map_err(|e| sql_error(format!("backing up to {}", dest.display()), e));
        if result.is_err() {
            drop(target);
            let _ = std::fs::remove_file(dest);
        }
        result
    }

    /// Runs `f` in one read transaction: every query in it sees the same
    /// snapshot, whatever other processes commit meanwhile (a check that
    /// reads a table and then a record about it must not see a write fall
    /// between the two).
    pub fn snapshot<T>(&self, f: impl FnOnce(Reader<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| sql_error("starting a read transaction", e))?;
        let value = f(Reader { conn: &tx })?;
        tx.commit()
            .map_err(|e| sql_error("ending a read transaction", e))?;
        Ok(value)
    }

    /// `PRAGMA data_version`: changes whenever another connection (another
    /// process, or another vault of this one) commits.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| sql_error("reading the data version", e))
    }

    /// `PRAGMA integrity_check`: `Ok(())` or the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| sql_error("checking integrity", e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| sql_error("checking integrity", e))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| sql_error("checking integrity", e))?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Writes the write-ahead log back into the main file and truncates it,
    /// so that purged data does not linger in the log.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .map_err(|e| sql_error("checkpointing the write-ahead log", e))
    }
}

impl Drop for Store {
    /// Closing writes the log back into the main file and empties it (when
    /// no one is reading), but never deletes it: see `open_locked`.
    fn drop(&mut self) {
        let _ = self.checkpoint();
    }
}

/// Read access, shared by the store and its transactions.
pub(crate) trait Db {
    /// The connection to read through.
    fn conn(&self) -> &Connection;

    /// Read queries over this connection.
    fn read(&self) -> Reader<'_> {
        Reader { conn: self.conn() }
    }
}

/// Read queries; their methods live next to the tables they read.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    conn: &'a Connection,
}

impl Db for Store {
    fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// A write transaction; dropped without [`StoreTx::commit`] it rolls back.
pub(crate) struct StoreTx<'a> {
    tx: Transaction<'a>,
    sealer: Option<&'a dyn Sealer>,
}

impl<'a> StoreTx<'a> {
    fn begin(conn: &'a mut Connection, sealer: Option<&'a dyn Sealer>) -> Result<Self> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error("starting a transaction", e))?;
        Ok(Self { tx, sealer })
    }

    /// Makes every change of this transaction durable at once.
    pub fn commit(self) -> Result<()> {
        self.tx.commit().map_err(|e| sql_error("committing", e))
    }
}

impl Db for StoreTx<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

/// The schema version of an open store.
pub(crate) fn schema_version(store: &Store) -> Result<u32> {
    schema::version(&store.conn)
}
