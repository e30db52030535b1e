//! The `jobs`, `job_secrets` and `job_runs` tables.

use rusqlite::{OptionalExtension, Row, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::job::{JobId, JobKind, RunStatus, RunTrigger};
use crate::secret::{Lifecycle, SecretId, SecretType};

pub(super) const JOB_COLUMNS: &str = "j.id, j.uid, j.org_id, o.name, j.project_id, p.name, j.name, j.kind, \
    j.description, j.spec, j.schedule, j.enabled, j.state, j.created_at, j.updated_at, \
    j.next_run_at, \
    (SELECT r.started_at FROM job_runs r WHERE r.job_id = j.id ORDER BY r.id DESC LIMIT 1), \
    (SELECT r.status FROM job_runs r WHERE r.job_id = j.id ORDER BY r.id DESC LIMIT 1), \
    j.mac, o.mac, p.mac, p.org_id";

pub(super) const JOB_FROM: &str = "jobs j JOIN organizations o ON o.id = j.org_id \
    LEFT JOIN projects p ON p.id = j.project_id";

/// A stored job's columns.
#[derive(Debug, Clone)]
pub(crate) struct JobRow {
    pub rowid: i64,
    pub id: JobId,
    pub org_id: i64,
    pub org: String,
    pub project_id: Option<i64>,
    pub project: Option<String>,
    pub name: String,
    pub kind: JobKind,
    pub description: String,
    pub spec: String,
    pub schedule: Option<String>,
    pub enabled: bool,
    pub state: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub next_run_at: Option<Timestamp>,
    pub last_run_at: Option<Timestamp>,
    pub last_status: Option<RunStatus>,
    /// The row's integrity tag.
    pub mac: Option<Vec<u8>>,
    /// The organization row's tag.
    pub org_mac: Option<Vec<u8>>,
    /// The project row's tag and organization, when there is a project.
    pub project_seal: Option<(Option<Vec<u8>>, i64)>,
}

fn bad_column(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn ts(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<i64>>(i)
        .map(|v| v.map(Timestamp::from_unix))
}

impl JobRow {
    pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let uid: Vec<u8> = row.get(1)?;
        let kind: String = row.get(7)?;
        let status: Option<String> = row.get(17)?;
        Ok(Self {
            rowid: row.get(0)?,
            id: JobId(uid.try_into().map_err(|_| bad_column("uid"))?),
            org_id: row.get(2)?,
            org: row.get(3)?,
            project_id: row.get(4)?,
            project: row.get(5)?,
            name: row.get(6)?,
            kind: JobKind::parse(&kind).map_err(|_| bad_column("kind"))?,
            description: row.get(8)?,
            spec: row.get(9)?,
            schedule: row.get(10)?,
            enabled: row.get(11)?,
            state: row.get(12)?,
            created_at: Timestamp::from_unix(row.get(13)?),
            updated_at: Timestamp::from_unix(row.get(14)?),
            next_run_at: ts(row, 15)?,
            last_run_at: ts(row, 16)?,
            last_status: status
                .map(|s| RunStatus::parse(&s))
                .transpose()
                .map_err(|_| bad_column("status"))?,
            mac: row.get(18)?,
            org_mac: row.get(19)?,
            project_seal: match row.get::<_, Option<i64>>(21)? {
                Some(org_id) => Some((row.get(20)?, org_id)),
                None => None,
            },
        })
    }

    /// The columns its integrity tag covers, with `bindings` (in key order).
    pub fn seal<'a>(&'a self, bindings: &'a [super::BindingKey]) -> super::JobSeal<'a> {
        super::JobSeal {
            uid: &self.id.0,
            org_id: self.org_id,
            project_id: self.project_id,
            name: &self.name,
            kind: self.kind.as_str(),
            spec: &self.spec,
            schedule: self.schedule.as_deref(),
            enabled: self.enabled,
            state: &self.state,
            bindings,
        }
    }
}

/// A binding as stored, with what its name finds in the job's organization now.
#[derive(Debug, Clone)]
pub(crate) struct BindingRow {
    pub role: String,
    pub manager: String,
    pub secret_name: String,
    pub field: String,
    pub secret_id: Option<SecretId>,
    pub secret_type: Option<SecretType>,
    pub lifecycle: Option<Lifecycle>,
    pub expires_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
}

/// A binding to store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NewBinding {
    pub role: &'static str,
    pub manager: String,
    pub secret_name: String,
    pub field: String,
}

/// A job that binds a secret, with how.
#[derive(Debug, Clone)]
pub(crate) struct UsageRow {
    pub job: JobRow,
    pub role: String,
    pub field: String,
}

/// A stored run.
#[derive(Debug, Clone)]
pub(crate) struct RunRow {
    pub id: i64,
    pub job_uid: JobId,
    pub job_name: String,
    pub trigger: RunTrigger,
    pub status: RunStatus,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The clear log of a run recorded before logs were sealed (migrated at
    /// the first unlock after the upgrade).
    pub log: String,
    /// Likewise the clear error.
    pub error: Option<String>,
    pub result: String,
    /// The log and error, sealed (`nonce ‖ ciphertext`).
    pub sealed: Option<Vec<u8>>,
    /// The run's number among its job's runs.
    pub number: i64,
    /// How long it ran, when known.
    pub duration_ms: Option<i64>,
}

const RUN_COLUMNS: &str = "r.id, j.uid, j.name, r.trigger, r.status, r.started_at, \
    r.finished_at, r.log, r.error, r.result, r.sealed, r.number, r.duration_ms";

impl RunRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let uid: Vec<u8> = row.get(1)?;
        let trigger: String = row.get(3)?;
        let status: String = row.get(4)?;
        Ok(Self {
            id: row.get(0)?,
            job_uid: JobId(uid.try_into().map_err(|_| bad_column("uid"))?),
            job_name: row.get(2)?,
            trigger: RunTrigger::parse(&trigger).map_err(|_| bad_column("trigger"))?,
            status: RunStatus::parse(&status).map_err(|_| bad_column("status"))?,
            started_at: Timestamp::from_unix(row.get(5)?),
            finished_at: ts(row, 6)?,
            log: row.get(7)?,
            error: row.get(8)?,
            result: row.get(9)?,
            sealed: row.get(10)?,
            number: row.get::<_, Option<i64>>(11)?.unwrap_or(row.get(0)?),
            duration_ms: row.get(12)?,
        })
    }
}

/// A run's log as stored: in clear (recorded before logs were sealed) or sealed.
#[derive(Debug, Clone)]
pub(crate) struct RunLogRow {
    pub run: i64,
    pub job_uid: Vec<u8>,
    pub log: String,
    pub error: Option<String>,
    pub sealed: Option<Vec<u8>>,
}

/// A run marked `running`, with the process that runs it.
#[derive(Debug, Clone)]
pub(crate) struct RunningRow {
    pub id: i64,
    pub job_uid: Vec<u8>,
    pub job_name: String,
    pub org: String,
    pub pid: Option<i64>,
    pub pid_started: Option<i64>,
}

/// A job to insert.
#[derive(Debug)]
pub(crate) struct NewJobRow<'a> {
    pub id: JobId,
    pub org_id: i64,
    pub project_id: Option<i64>,
    pub name: &'a str,
    pub kind: JobKind,
    pub description: &'a str,
    pub spec: &'a str,
    pub schedule: Option<&'a str>,
    pub enabled: bool,
    pub next_run_at: Option<Timestamp>,
    pub now: Timestamp,
}

/// A job's changeable columns.
#[derive(Debug)]
pub(crate) struct JobUpdate<'a> {
    pub project_id: Option<i64>,
    pub description: &'a str,
    pub spec: &'a str,
    pub schedule: Option<&'a str>,
    pub enabled: bool,
    pub next_run_at: Option<Timestamp>,
    pub now: Timestamp,
}

impl Reader<'_> {
    /// A job by organization and name.
    pub fn job_by_name(&self, org: &str, name: &str) -> Result<Option<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE o.name = ?1 AND j.name = ?2"
            ))
            .and_then(|mut s| s.query_row((org, name), JobRow::from_row).optional())
            .map_err(|e| sql_error("looking up a job", e))
    }

    /// A job by id.
    pub fn job_by_id(&self, id: &JobId) -> Result<Option<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE j.uid = ?1"
            ))
            .and_then(|mut s| s.query_row([&id.0[..]], JobRow::from_row).optional())
            .map_err(|e| sql_error("looking up a job", e))
    }

    /// A job by row id.
    pub fn job_by_rowid(&self, rowid: i64) -> Result<Option<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE j.id = ?1"
            ))
            .and_then(|mut s| s.query_row([rowid], JobRow::from_row).optional())
            .map_err(|e| sql_error("looking up a job", e))
    }

    /// Jobs, optionally of one organization, by organization and name.
    pub fn list_jobs(&self, org: Option<&str>) -> Result<Vec<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE ?1 IS NULL OR o.name = ?1
                 ORDER BY o.name, j.name COLLATE NOCASE"
            ))
            .and_then(|mut s| s.query_map([org], JobRow::from_row)?.collect())
            .map_err(|e| sql_error("listing jobs", e))
    }

    /// Enabled jobs whose next run is due at `now`.
    pub fn due_jobs(&self, now: Timestamp) -> Result<Vec<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM {JOB_FROM}
                 WHERE j.next_run_at IS NOT NULL AND j.next_run_at <= ?1 AND j.enabled = 1
                   AND NOT EXISTS (SELECT 1 FROM job_runs r
                                   WHERE r.job_id = j.id AND r.status = 'running')
                 ORDER BY j.next_run_at, j.id"
            ))
            .and_then(|mut s| s.query_map([now.unix()], JobRow::from_row)?.collect())
            .map_err(|e| sql_error("finding due jobs", e))
    }

    /// A job's bindings with what their names find now.
    pub fn job_bindings(&self, job: &JobRow) -> Result<Vec<BindingRow>> {
        self.conn
            .prepare_cached(
                "SELECT b.role, b.manager, b.secret_name, b.field, s.uid, s.kind, s.lifecycle,
                        s.expires_at, s.deleted_at
                 FROM job_secrets b
                 LEFT JOIN secrets s ON b.manager = '' AND s.org_id = ?2 AND s.name = b.secret_name
                 WHERE b.job_id = ?1
                 ORDER BY b.role = 'placeholder', b.role, b.secret_name, b.field",
            )
            .and_then(|mut s| {
                s.query_map((job.rowid, job.org_id), |r| {
                    let uid: Option<Vec<u8>> = r.get(4)?;
                    let kind: Option<String> = r.get(5)?;
                    let lifecycle: Option<String> = r.get(6)?;
                    Ok(BindingRow {
                        role: r.get(0)?,
                        manager: r.get(1)?,
                        secret_name: r.get(2)?,
                        field: r.get(3)?,
                        secret_id: uid.and_then(|u| u.try_into().ok()).map(SecretId),
                        secret_type: kind.and_then(|k| SecretType::parse(&k).ok()),
                        lifecycle: lifecycle.and_then(|l| Lifecycle::parse(&l).ok()),
                        expires_at: ts(r, 7)?,
                        deleted_at: ts(r, 8)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading a job's secrets", e))
    }

    /// Jobs of organization `org_id` that bind a secret named `name`.
    pub fn jobs_using(&self, org_id: i64, name: &str) -> Result<Vec<UsageRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS}, b.role, b.field
                 FROM {JOB_FROM} JOIN job_secrets b ON b.job_id = j.id
                 WHERE b.secret_name = ?2 AND b.manager = '' AND j.org_id = ?1
                 ORDER BY j.name COLLATE NOCASE, b.role, b.field"
            ))
            .and_then(|mut s| {
                s.query_map(params![org_id, name], |r| {
                    Ok(UsageRow {
                        job: JobRow::from_row(r)?,
                        role: r.get(22)?,
                        field: r.get(23)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("finding the jobs that use a secret", e))
    }

    /// How many jobs of organization `org_id` bind a secret named `name`.
    pub fn usage_count(&self, org_id: i64, name: &str) -> Result<u32> {
        self.conn
            .prepare_cached(
                "SELECT count(DISTINCT b.job_id) FROM job_secrets b JOIN jobs j ON j.id = b.job_id
                 WHERE b.secret_name = ?2 AND b.manager = '' AND j.org_id = ?1",
            )
            .and_then(|mut s| s.query_row(params![org_id, name], |r| r.get(0)))
            .map_err(|e| sql_error("counting the jobs that use a secret", e))
    }

    /// A job's newest runs, newest first.
    pub fn job_runs(&self, job_rowid: i64, limit: u32) -> Result<Vec<RunRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM job_runs r JOIN jobs j ON j.id = r.job_id
                 WHERE r.job_id = ?1 ORDER BY r.id DESC LIMIT ?2"
            ))
            .and_then(|mut s| {
                s.query_map(params![job_rowid, limit], RunRow::from_row)?
                    .collect()
            })
            .map_err(|e| sql_error("listing runs", e))
    }

    /// One run.
    pub fn run_by_id(&self, id: i64) -> Result<Option<RunRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.id = ?1"
            ))
            .and_then(|mut s| s.query_row([id], RunRow::from_row).optional())
            .map_err(|e| sql_error("reading a run", e))
    }

    /// The job row id of a run.
    pub fn run_job(&self, id: i64) -> Result<Option<(i64, RunStatus)>> {
        self.conn
            .prepare_cached("SELECT job_id, status FROM job_runs WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                    .optional()
            })
            .map_err(|e| sql_error("reading a run", e))?
            .map(|(job, status)| Ok((job, RunStatus::parse(&status)?)))
            .transpose()
    }

    /// Runs still marked `running`, with the process that runs them.
    pub fn running_runs(&self) -> Result<Vec<RunningRow>> {
        self.conn
            .prepare_cached(
                "SELECT r.id, j.uid, j.name, o.name, r.pid, r.pid_started
                 FROM job_runs r JOIN jobs j ON j.id = r.job_id
                 JOIN organizations o ON o.id = j.org_id WHERE r.status = 'running'",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(RunningRow {
                        id: r.get(0)?,
                        job_uid: r.get(1)?,
                        job_name: r.get(2)?,
                        org: r.get(3)?,
                        pid: r.get(4)?,
                        pid_started: r.get(5)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("finding running jobs", e))
    }
}

impl StoreTx<'_> {
    /// Inserts a job; returns its row id.
    pub fn insert_job(&self, row: &NewJobRow<'_>) -> Result<i64> {
        self.tx
            .execute(
                "INSERT INTO jobs (uid, org_id, project_id, name, kind, description, spec,
                    schedule, enabled, state, created_at, updated_at, next_run_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '{}', ?10, ?10, ?11)",
                params![
                    &row.id.0[..],
                    row.org_id,
                    row.project_id,
                    row.name,
                    row.kind.as_str(),
                    row.description,
                    row.spec,
                    row.schedule,
                    row.enabled,
                    row.now.unix(),
                    row.next_run_at.map(Timestamp::unix),
                ],
            )
            .map_err(|e| sql_error("storing a job", e))?;
        let rowid = self.tx.last_insert_rowid();
        self.reseal_job(rowid)?;
        Ok(rowid)
    }

    /// Replaces a job's changeable columns.
    pub fn update_job(&self, rowid: i64, update: &JobUpdate<'_>) -> Result<()> {
        self.tx
            .execute(
                "UPDATE jobs SET project_id = ?2, description = ?3, spec = ?4, schedule = ?5,
                    enabled = ?6, next_run_at = ?7, updated_at = ?8 WHERE id = ?1",
                params![
                    rowid,
                    update.project_id,
                    update.description,
                    update.spec,
                    update.schedule,
                    update.enabled,
                    update.next_run_at.map(Timestamp::unix),
                    update.now.unix(),
                ],
            )
            .map_err(|e| sql_error("updating a job", e))?;
        self.reseal_job(rowid)
    }

    /// Replaces the bindings of one source: explicit roles (`placeholder`
    /// false) or placeholder references (`placeholder` true).
    pub fn set_job_bindings(
        &self,
        rowid: i64,
        placeholder: bool,
        bindings: &[NewBinding],
    ) -> Result<()> {
        let clear = if placeholder {
            "DELETE FROM job_secrets WHERE job_id = ?1 AND role = 'placeholder'"
        } else {
            "DELETE FROM job_secrets WHERE job_id = ?1 AND role <> 'placeholder'"
        };
        self.tx
            .execute(clear, [rowid])
            .map_err(|e| sql_error("replacing a job's secrets", e))?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO job_secrets (job_id, role, manager, secret_name, field)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(|e| sql_error("storing a job's secrets", e))?;
        for b in bindings {
            stmt.execute(params![rowid, b.role, b.manager, b.secret_name, b.field])
                .map_err(|e| sql_error("storing a job's secrets", e))?;
        }
        self.reseal_job(rowid)
    }

    /// Deletes a job with its bindings and runs.
    pub fn delete_job(&self, rowid: i64) -> Result<()> {
        self.tx
            .execute("DELETE FROM jobs WHERE id = ?1", [rowid])
            .map(drop)
            .map_err(|e| sql_error("deleting a job", e))
    }

    /// Records a started run; refused when the job already has one running.
    pub fn insert_run(
        &self,
        job_rowid: i64,
        job_name: &str,
        trigger: RunTrigger,
        now: Timestamp,
        (pid, pid_started): (u32, Option<i64>),
    ) -> Result<i64> {
        let result = self.tx.execute(
            "INSERT INTO job_runs (job_id, trigger, status, started_at, log, result, pid,
                pid_started, number)
             VALUES (?1, ?2, 'running', ?3, '', '{}', ?4, ?5,
                (SELECT COALESCE(MAX(number), 0) + 1 FROM job_runs WHERE job_id = ?1))",
            params![job_rowid, trigger.as_str(), now.unix(), pid, pid_started],
        );
        match result {
            Ok(_) => Ok(self.tx.last_insert_rowid()),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                Err(Error::JobRunning {
                    name: job_name.to_owned(),
                })
            }
            Err(e) => Err(sql_error("recording a run", e)),
        }
    }

    /// Records how a run ended, with its log and error sealed.
    pub fn finish_run(
        &self,
        id: i64,
        status: RunStatus,
        now: Timestamp,
        sealed: &[u8],
        result: &str,
        duration_ms: Option<i64>,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE job_runs SET status = ?2, finished_at = ?3, log = '', error = NULL,
                    result = ?4, sealed = ?5, duration_ms = ?6 WHERE id = ?1",
                params![id, status.as_str(), now.unix(), result, sealed, duration_ms],
            )
            .map(drop)
            .map_err(|e| sql_error("recording the end of a run", e))
    }

    /// Finished runs whose log is still in clear (recorded before logs were
    /// sealed).
    pub fn clear_run_logs(&self) -> Result<Vec<RunLogRow>> {
        self.run_logs("r.sealed IS NULL AND r.status <> 'running'")
    }

    fn run_logs(&self, condition: &str) -> Result<Vec<RunLogRow>> {
        self.tx
            .prepare(&format!(
                "SELECT r.id, j.uid, r.log, r.error, r.sealed
                 FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE {condition}"
            ))
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(RunLogRow {
                        run: r.get(0)?,
                        job_uid: r.get(1)?,
                        log: r.get(2)?,
                        error: r.get(3)?,
                        sealed: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| sql_error("reading run logs", e))
    }

    /// Replaces a run's clear log and error by their sealed form.
    pub fn seal_run_log(&self, id: i64, sealed: &[u8]) -> Result<()> {
        self.tx
            .execute(
                "UPDATE job_runs SET log = '', error = NULL, sealed = ?2 WHERE id = ?1",
                params![id, sealed],
            )
            .map(drop)
            .map_err(|e| sql_error("sealing a run log", e))
    }

    /// Every sealed run log, for key rotation.
    pub fn sealed_run_logs(&self) -> Result<Vec<RunLogRow>> {
        self.run_logs("r.sealed IS NOT NULL")
    }

    /// Deletes all but the newest `keep` runs of a job.
    pub fn prune_runs(&self, job_rowid: i64, keep: u32) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM job_runs WHERE job_id = ?1 AND status <> 'running' AND id NOT IN
                    (SELECT id FROM job_runs WHERE job_id = ?1 ORDER BY id DESC LIMIT ?2)",
                params![job_rowid, keep],
            )
            .map(drop)
            .map_err(|e| sql_error("pruning old runs", e))
    }

    /// Sets the runner's state and the next scheduled run.
    pub fn set_job_progress(
        &self,
        rowid: i64,
        state: Option<&str>,
        next_run_at: Option<Timestamp>,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE jobs SET state = coalesce(?2, state), next_run_at = ?3 WHERE id = ?1",
                params![rowid, state, next_run_at.map(Timestamp::unix)],
            )
            .map_err(|e| sql_error("recording a job's progress", e))?;
        // The next run's time is not sealed (it follows from the schedule);
        // the runner's state (pinned host keys) is.
        if state.is_some() {
            self.reseal_job(rowid)?;
        }
        Ok(())
    }
}
