//! Versioned migrations. A vault from a newer Coffer is refused, never guessed at.

use rusqlite::Connection;

use super::sql_error;
use crate::error::Result;

/// `PRAGMA application_id` of Coffer vaults ("COFF").
pub(crate) const APPLICATION_ID: i32 = 0x434F_4646;

/// Each entry migrates from schema `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: secrets, versions, labels, organizations, projects, audit log, meta.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) STRICT;

    CREATE TABLE organizations (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE projects (
        id         INTEGER PRIMARY KEY,
        org_id     INTEGER NOT NULL REFERENCES organizations(id),
        name       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (org_id, name)
    ) STRICT;

    CREATE TABLE secrets (
        id              INTEGER PRIMARY KEY,
        uid             BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),
        org_id          INTEGER NOT NULL REFERENCES organizations(id),
        project_id      INTEGER REFERENCES projects(id),
        name            TEXT NOT NULL,
        kind            TEXT NOT NULL,
        description     TEXT NOT NULL,
        search          TEXT NOT NULL,
        lifecycle       TEXT NOT NULL CHECK (lifecycle IN ('active', 'deactivated')),
        visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
        owner           TEXT NOT NULL,
        write_only      INTEGER NOT NULL CHECK (write_only IN (0, 1)),
        protection      TEXT NOT NULL CHECK (protection IN ('vault', 'password')),
        password_lock   TEXT,
        expires_at      INTEGER,
        public_fields   TEXT NOT NULL,
        labels          TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        deleted_at      INTEGER,
        last_used_at    INTEGER,
        UNIQUE (org_id, name)
    ) STRICT;
    CREATE INDEX secrets_by_name    ON secrets (name COLLATE NOCASE, id);
    CREATE INDEX secrets_by_created ON secrets (created_at, id);
    CREATE INDEX secrets_by_updated ON secrets (updated_at, id);
    CREATE INDEX secrets_by_expiry  ON secrets (expires_at, id) WHERE expires_at IS NOT NULL;
    CREATE INDEX secrets_in_trash   ON secrets (deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE INDEX secrets_by_kind    ON secrets (kind, name COLLATE NOCASE);

    CREATE TABLE secret_labels (
        secret_id INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        key       TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (secret_id, key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX secret_labels_by_pair ON secret_labels (key, value);

    CREATE TABLE secret_versions (
        secret_id     INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        version       INTEGER NOT NULL,
        created_at    INTEGER NOT NULL,
        public_fields TEXT NOT NULL,
        expires_at    INTEGER,
        note          TEXT NOT NULL,
        dek_nonce     BLOB NOT NULL,
        wrapped_dek   BLOB NOT NULL,
        payload_nonce BLOB NOT NULL,
        payload       BLOB NOT NULL,
        PRIMARY KEY (secret_id, version)
    ) STRICT;

    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        secret_id BLOB,
        target    TEXT NOT NULL,
        detail    TEXT NOT NULL,
        mac       BLOB NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_secret ON audit_log (secret_id, seq) WHERE secret_id IS NOT NULL;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: a trigram index over the listing text of live secrets, so that a
    // substring filter looks its matches up instead of scanning every row.
    // Kept by the store's own statements rather than triggers: an FTS5 write
    // inside a trigger flushes the index each time, five times the cost.
    r#"
    CREATE VIRTUAL TABLE secret_search USING fts5(search, tokenize = 'trigram');
    INSERT INTO secret_search (rowid, search)
        SELECT id, search FROM secrets WHERE deleted_at IS NULL;
    "#,
    // 3: expiry notifications already shown, so none repeats after a restart.
    r#"
    CREATE TABLE expiry_notices (
        secret_id      INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        version        INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL,
        threshold_days INTEGER NOT NULL,
        notified_at    INTEGER NOT NULL,
        PRIMARY KEY (secret_id, version, expires_at, threshold_days)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 4: jobs, the secrets they use (by name in their organization, so a
    // secret registered later or restored from the trash is found again),
    // and their runs. At most one run of a job is `running` at a time.
    r#"
    CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY,
        uid         BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),
        org_id      INTEGER NOT NULL REFERENCES organizations(id),
        project_id  INTEGER REFERENCES projects(id),
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL
            CHECK (kind IN ('http_fetch', 'git_fetch', 'template', 'command')),
        description TEXT NOT NULL,
        spec        TEXT NOT NULL,
        schedule    TEXT,
        enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        state       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        next_run_at INTEGER,
        UNIQUE (org_id, name)
    ) STRICT;
    CREATE INDEX jobs_due ON jobs (next_run_at) WHERE next_run_at IS NOT NULL;

    CREATE TABLE job_secrets (
        job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        role        TEXT NOT NULL
            CHECK (role IN ('auth', 'ca_bundle', 'client_certificate', 'ssh_key', 'placeholder')),
        manager     TEXT NOT NULL,
        secret_name TEXT NOT NULL,
        field       TEXT NOT NULL,
        PRIMARY KEY (job_id, role, manager, secret_name, field)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX job_secrets_by_secret ON job_secrets (secret_name, job_id);

    CREATE TABLE job_runs (
        id          INTEGER PRIMARY KEY,
        job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        trigger     TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'missed')),
        status      TEXT NOT NULL
            CHECK (status IN ('running', 'succeeded', 'failed', 'refused', 'interrupted')),
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        log         TEXT NOT NULL,
        error       TEXT,
        result      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX job_runs_by_job ON job_runs (job_id, id);
    CREATE UNIQUE INDEX job_runs_one_running ON job_runs (job_id) WHERE status = 'running';
    "#,
    // 5: the name index carries the listing text and the trash mark, so that
    // a text filter walks it in name order (and counts with it) without
    // reading a table row per secret.
    r#"
    DROP INDEX secrets_by_name;
    CREATE INDEX secrets_by_name ON secrets (name COLLATE NOCASE, id, deleted_at, search);
    "#,
    // 6: integrity tags on every row whose clear columns decide a rule (set
    // at the first unlock after the upgrade, from then on required), and run
    // logs sealed like values (`sealed` replaces the clear `log`/`error`).
    r#"
    ALTER TABLE secrets ADD COLUMN mac BLOB;
    ALTER TABLE jobs ADD COLUMN mac BLOB;
    ALTER TABLE organizations ADD COLUMN mac BLOB;
    ALTER TABLE projects ADD COLUMN mac BLOB;
    ALTER TABLE job_runs ADD COLUMN sealed BLOB;
    "#,
    // 7: several processes share a vault: a run records the process that
    // runs it, so that only runs of processes that are gone are interrupted.
    r#"
    ALTER TABLE job_runs ADD COLUMN pid INTEGER;
    ALTER TABLE job_runs ADD COLUMN pid_started INTEGER;
    "#,
    // 8: the vault-wide audit page filters by actor, action and time range;
    // each filter (and its count) reads an index instead of the whole log.
    r#"
    CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor, seq);
    CREATE INDEX IF NOT EXISTS audit_by_action ON audit_log (action, seq);
    CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at, seq);
    "#,
    // 9: runs are numbered per job (#1 is a job's first run, whatever other
    // jobs ran) and record their duration in milliseconds (timestamps are
    // whole seconds). Existing runs are numbered in order; their duration
    // is what their timestamps tell.
    r#"
    ALTER TABLE job_runs ADD COLUMN number INTEGER;
    ALTER TABLE job_runs ADD COLUMN duration_ms INTEGER;
    UPDATE job_runs SET number =
        (SELECT count(*) FROM job_runs p WHERE p.job_id = job_runs.job_id AND p.id <= job_runs.id);
    UPDATE job_runs SET duration_ms = (finished_at - started_at) * 1000
        WHERE finished_at IS NOT NULL AND status <> 'interrupted';
    "#,
    // 10: connections to external key vaults ("secret managers") and
    // deployments of local secrets into them (IMCO's states), with the
    // remote versions each pushed. A connection names its credential secret
    // by id (a rename keeps it); at most one deployment per connection and
    // remote name is live (not `end`). Both tables carry integrity tags from
    // the start; a deployment's tag covers its versions.
    r#"
    CREATE TABLE managers (
        id                  INTEGER PRIMARY KEY,
        name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
        org_id              INTEGER NOT NULL REFERENCES organizations(id),
        kind                TEXT NOT NULL CHECK (kind IN ('aws', 'azure')),
        settings            TEXT NOT NULL,
        credential_uid      BLOB CHECK (credential_uid IS NULL OR length(credential_uid) = 16),
        cache_ttl_secs      INTEGER NOT NULL,
        stale_if_error_secs INTEGER NOT NULL,
        writes_per_sec      INTEGER NOT NULL,
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL,
        mac                 BLOB
    ) STRICT;
    CREATE INDEX managers_by_credential ON managers (credential_uid)
        WHERE credential_uid IS NOT NULL;

    CREATE TABLE deployments (
        id          INTEGER PRIMARY KEY,
        secret_id   INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        manager_id  INTEGER NOT NULL REFERENCES managers(id) ON DELETE CASCADE,
        remote_name TEXT NOT NULL,
        remote_id   TEXT,
        state       TEXT NOT NULL CHECK (state IN ('start', 'deploying', 'available',
            'updating_versions', 'updating_error', 'decommissioning', 'stalled', 'end')),
        brownfield  INTEGER NOT NULL CHECK (brownfield IN (0, 1)),
        managed     INTEGER NOT NULL CHECK (managed IN (0, 1)),
        last_error  TEXT,
        attempts    INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        mac         BLOB
    ) STRICT;
    CREATE UNIQUE INDEX deployments_live ON deployments (manager_id, remote_name)
        WHERE state <> 'end';
    CREATE INDEX deployments_by_secret ON deployments (secret_id, id);
    CREATE INDEX deployments_pending ON deployments (state)
        WHERE state NOT IN ('available', 'end', 'stalled', 'updating_error');

    CREATE TABLE deployment_versions (
        deployment_id  INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
        version        INTEGER NOT NULL,
        remote_version TEXT NOT NULL,
        pushed_at      INTEGER NOT NULL,
        PRIMARY KEY (deployment_id, version)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 11: this vault's identities in team vaults (PostgreSQL): the private
    // wrapping and signing keys, one blob per team vault, sealed under the
    // master key like a value (associated data binds the team vault id) and
    // tagged like every row that decides a rule.
    r#"
    CREATE TABLE team_identities (
        id         INTEGER PRIMARY KEY,
        team_id    BLOB NOT NULL UNIQUE CHECK (length(team_id) = 16),
        label      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        nonce      BLOB NOT NULL,
        sealed     BLOB NOT NULL,
        mac        BLOB NOT NULL
    ) STRICT;
    "#,
    // 12: the local replica of team vaults: per team vault, each shared
    // secret's verified metadata (sealed under the master key, tagged), and
    // the last server revision seen (tagged: the rollback check's memory).
    r#"
    CREATE TABLE team_replica (
        team_id   BLOB NOT NULL CHECK (length(team_id) = 16),
        secret_id BLOB NOT NULL CHECK (length(secret_id) = 16),
        nonce     BLOB NOT NULL,
        sealed    BLOB NOT NULL,
        mac       BLOB NOT NULL,
        PRIMARY KEY (team_id, secret_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE team_replica_state (
        team_id   BLOB PRIMARY KEY CHECK (length(team_id) = 16),
        revision  INTEGER NOT NULL,
        synced_at INTEGER NOT NULL,
        mac       BLOB NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 13: team-vault audit entries made while the server was unreachable
    // (reveals and uses allowed offline by an organization's setting),
    // sealed under the master key (associated data binds the vault and the
    // entry's id) and tagged, uploaded in order on reconnect.
    r#"
    CREATE TABLE team_queue (
        seq       INTEGER PRIMARY KEY,
        uid       BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),
        team_id   BLOB NOT NULL CHECK (length(team_id) = 16),
        queued_at INTEGER NOT NULL,
        nonce     BLOB NOT NULL,
        sealed    BLOB NOT NULL,
        mac       BLOB NOT NULL
    ) STRICT;
    "#,
];

/// The schema version this build writes.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open database.
pub(crate) fn version(conn: &Connection) -> Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get::<_, u32>(0))
        .map_err(|e| sql_error("reading the schema version", e))
}

/// Brings the schema to [`LATEST`] in one transaction, from the version read
/// inside it (another process may have migrated since it was first read).
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| sql_error("starting a migration", e))?;
    let from = version(&tx)?;
    if from >= LATEST {
        return Ok(());
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(sql)
            .map_err(|e| sql_error(format!("migrating to schema {}", index + 1), e))?;
    }
    tx.pragma_update(None, "user_version", LATEST)
        .map_err(|e| sql_error("recording the schema version", e))?;
    tx.commit()
        .map_err(|e| sql_error("committing a migration", e))
}
