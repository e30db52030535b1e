//! The `secrets` and `secret_labels` tables.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Row, params};

use super::seal::SecretSeal;
use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::secret::{Lifecycle, Protection, SecretId, SecretType, Visibility};

/// Columns of [`SecretRow`], in order, for `SELECT ... FROM secrets s JOIN ...`.
pub(super) const SECRET_COLUMNS: &str = "s.id, s.uid, s.org_id, o.name, s.project_id, p.name, \
    s.name, s.kind, s.description, s.lifecycle, s.visibility, s.owner, s.write_only, \
    s.protection, s.password_lock, s.expires_at, s.public_fields, s.labels, s.current_version, \
    s.created_at, s.updated_at, s.deleted_at, s.last_used_at, s.mac, o.mac, p.mac, p.org_id";

/// The joins that [`SECRET_COLUMNS`] needs.
pub(super) const SECRET_FROM: &str = "secrets s JOIN organizations o ON o.id = s.org_id \
    LEFT JOIN projects p ON p.id = s.project_id";

/// A stored secret's clear columns.
#[derive(Debug, Clone)]
pub(crate) struct SecretRow {
    pub rowid: i64,
    pub id: SecretId,
    pub org_id: i64,
    pub org: String,
    pub project_id: Option<i64>,
    pub project: Option<String>,
    pub name: String,
    pub kind: SecretType,
    pub description: String,
    pub lifecycle: Lifecycle,
    pub visibility: Visibility,
    pub owner: String,
    pub write_only: bool,
    pub protection: Protection,
    pub password_lock: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub public_fields: String,
    pub labels: String,
    pub current_version: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// The row's integrity tag (absent before the first unlock after an upgrade).
    pub mac: Option<Vec<u8>>,
    /// The organization row's tag.
    pub org_mac: Option<Vec<u8>>,
    /// The project row's tag and organization, when there is a project.
    pub project_seal: Option<(Option<Vec<u8>>, i64)>,
}

fn bad_column(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

impl SecretRow {
    pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let uid: Vec<u8> = row.get(1)?;
        let id = SecretId(uid.try_into().map_err(|_| bad_column("uid"))?);
        let kind: String = row.get(7)?;
        let lifecycle: String = row.get(9)?;
        let visibility: String = row.get(10)?;
        let protection: String = row.get(13)?;
        let ts = |i: usize| {
            row.get::<_, Option<i64>>(i)
                .map(|v| v.map(Timestamp::from_unix))
        };
        Ok(Self {
            rowid: row.get(0)?,
            id,
            org_id: row.get(2)?,
            org: row.get(3)?,
            project_id: row.get(4)?,
            project: row.get(5)?,
            name: row.get(6)?,
            kind: SecretType::parse(&kind).map_err(|_| bad_column("kind"))?,
            description: row.get(8)?,
            lifecycle: Lifecycle::parse(&lifecycle).map_err(|_| bad_column("lifecycle"))?,
            visibility: Visibility::parse(&visibility).map_err(|_| bad_column("visibility"))?,
            owner: row.get(11)?,
            write_only: row.get(12)?,
            protection: Protection::parse(&protection).map_err(|_| bad_column("protection"))?,
            password_lock: row.get(14)?,
            expires_at: ts(15)?,
            public_fields: row.get(16)?,
            labels: row.get(17)?,
            current_version: row.get(18)?,
            created_at: Timestamp::from_unix(row.get(19)?),
            updated_at: Timestamp::from_unix(row.get(20)?),
            deleted_at: ts(21)?,
            last_used_at: ts(22)?,
            mac: row.get(23)?,
            org_mac: row.get(24)?,
            project_seal: match row.get::<_, Option<i64>>(26)? {
                Some(org_id) => Some((row.get(25)?, org_id)),
                None => None,
            },
        })
    }

    /// The columns its integrity tag covers.
    pub fn seal(&self) -> SecretSeal<'_> {
        SecretSeal {
            uid: &self.id.0,
            org_id: self.org_id,
            project_id: self.project_id,
            name: &self.name,
            kind: self.kind.as_str(),
            lifecycle: self.lifecycle.as_str(),
            visibility: self.visibility.as_str(),
            owner: &self.owner,
            write_only: self.write_only,
            protection: self.protection.as_str(),
            password_lock: self.password_lock.as_deref(),
            expires_at: self.expires_at.map(Timestamp::unix),
            public_fields: &self.public_fields,
            current_version: self.current_version,
            deleted_at: self.deleted_at.map(Timestamp::unix),
        }
    }

    /// The labels as a map.
    pub fn labels(&self) -> Result<BTreeMap<String, String>> {
        serde_json::from_str(&self.labels).map_err(|e| Error::Corrupt {
            reason: format!("labels of {:?}: {e}", self.name),
        })
    }

    /// The public fields as JSON.
    pub fn public_fields(&self) -> Result<serde_json::Value> {
        serde_json::from_str(&self.public_fields).map_err(|e| Error::Corrupt {
            reason: format!("public fields of {:?}: {e}", self.name),
        })
    }
}

/// A secret to insert.
#[derive(Debug)]
pub(crate) struct NewSecretRow<'a> {
    pub id: SecretId,
    pub org_id: i64,
    pub project_id: Option<i64>,
    pub name: &'a str,
    pub kind: SecretType,
    pub description: &'a str,
    pub visibility: Visibility,
    pub owner: &'a str,
    pub write_only: bool,
    pub protection: Protection,
    pub password_lock: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub public_fields: String,
    pub labels: &'a BTreeMap<String, String>,
    pub now: Timestamp,
}

/// The lowercased text that the listing filter searches.
pub(crate) fn search_text(name: &str, description: &str) -> String {
    format!("{}\n{}", name.to_lowercase(), description.to_lowercase())
}

fn labels_json(labels: &BTreeMap<String, String>) -> Result<String> {
    serde_json::to_string(labels).map_err(|e| Error::Internal(format!("encoding labels: {e}")))
}

impl Reader<'_> {
    /// A secret by organization and name (live or in the trash).
    pub fn secret_by_name(&self, org: &str, name: &str) -> Result<Option<SecretRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM} WHERE o.name = ?1 AND s.name = ?2"
            ))
            .and_then(|mut s| s.query_row((org, name), SecretRow::from_row).optional())
            .map_err(|e| sql_error("looking up a secret", e))
    }

    /// A secret by id.
    pub fn secret_by_id(&self, id: &SecretId) -> Result<Option<SecretRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM} WHERE s.uid = ?1"
            ))
            .and_then(|mut s| s.query_row([&id.0[..]], SecretRow::from_row).optional())
            .map_err(|e| sql_error("looking up a secret", e))
    }

    /// A secret by row id.
    pub fn secret_by_rowid(&self, rowid: i64) -> Result<Option<SecretRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM} WHERE s.id = ?1"
            ))
            .and_then(|mut s| s.query_row([rowid], SecretRow::from_row).optional())
            .map_err(|e| sql_error("looking up a secret", e))
    }

    /// Secrets in the trash since before `cutoff`.
    pub fn trash_before(&self, cutoff: Timestamp) -> Result<Vec<SecretRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM}
                 WHERE s.deleted_at IS NOT NULL AND s.deleted_at <= ?1"
            ))
            .map_err(|e| sql_error("reading the trash", e))?;
        stmt.query_map([cutoff.unix()], SecretRow::from_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("reading the trash", e))
    }

    /// Every secret, live or in the trash.
    pub fn all_secrets(&self) -> Result<Vec<SecretRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {SECRET_COLUMNS} FROM {SECRET_FROM}"))
            .map_err(|e| sql_error("reading secrets", e))?;
        stmt.query_map([], SecretRow::from_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("reading secrets", e))
    }

    /// Every secret in the trash.
    pub fn trash_all(&self) -> Result<Vec<SecretRow>> {
        self.trash_before(Timestamp::from_unix(i64::MAX))
    }
}

impl StoreTx<'_> {
    /// Inserts a secret (without versions) and its labels; returns its row id.
    pub fn insert_secret(&self, row: &NewSecretRow<'_>) -> Result<i64> {
        let labels = labels_json(row.labels)?;
        let search = search_text(row.name, row.description);
        self.tx
            .prepare_cached(
                "INSERT INTO secrets (uid, org_id, project_id, name, kind, description, search,
                    lifecycle, visibility, owner, write_only, protection, password_lock, expires_at,
                    public_fields, labels, current_version, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                    ?15, 1, ?16, ?16)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    &row.id.0[..],
                    row.org_id,
                    row.project_id,
                    row.name,
                    row.kind.as_str(),
                    row.description,
                    search,
                    row.visibility.as_str(),
                    row.owner,
                    row.write_only,
                    row.protection.as_str(),
                    row.password_lock,
                    row.expires_at.map(Timestamp::unix),
                    row.public_fields,
                    labels,
                    row.now.unix(),
                ])
            })
            .map_err(|e| sql_error("storing a secret", e))?;
        let rowid = self.tx.last_insert_rowid();
        self.seal_new_secret(
            rowid,
            &SecretSeal {
                uid: &row.id.0,
                org_id: row.org_id,
                project_id: row.project_id,
                name: row.name,
                kind: row.kind.as_str(),
                lifecycle: Lifecycle::Active.as_str(),
                visibility: row.visibility.as_str(),
                owner: row.owner,
                write_only: row.write_only,
                protection: row.protection.as_str(),
                password_lock: row.password_lock.as_deref(),
                expires_at: row.expires_at.map(Timestamp::unix),
                public_fields: &row.public_fields,
                current_version: 1,
                deleted_at: None,
            },
        )?;
        self.write_labels(rowid, row.labels)?;
        self.index_text(rowid, &search)?;
        Ok(rowid)
    }

    /// Adds a live secret's listing text to the trigram index.
    pub(super) fn index_text(&self, rowid: i64, search: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO secret_search (rowid, search) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![rowid, search]))
            .map(drop)
            .map_err(|e| sql_error("indexing a secret's text", e))
    }

    /// Removes a secret from the trigram index (nothing when it is not there).
    pub(super) fn unindex_text(&self, rowid: i64) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM secret_search WHERE rowid = ?1")
            .and_then(|mut s| s.execute([rowid]))
            .map(drop)
            .map_err(|e| sql_error("unindexing a secret's text", e))
    }

    fn write_labels(&self, rowid: i64, labels: &BTreeMap<String, String>) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO secret_labels (secret_id, key, value) VALUES (?1, ?2, ?3)")
            .map_err(|e| sql_error("storing labels", e))?;
        for (key, value) in labels {
            stmt.execute((rowid, key, value))
                .map_err(|e| sql_error("storing labels", e))?;
        }
        Ok(())
    }

    /// Replaces description, labels, expiry, project, visibility and write-only.
    #[allow(clippy::too_many_arguments)]
    pub fn update_secret_metadata(
        &self,
        row: &SecretRow,
        description: &str,
        labels: &BTreeMap<String, String>,
        expires_at: Option<Timestamp>,
        project_id: Option<i64>,
        visibility: Visibility,
        write_only: bool,
        now: Timestamp,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET description = ?2, search = ?3, labels = ?4, expires_at = ?5,
                    project_id = ?6, visibility = ?7, write_only = ?8, updated_at = ?9
                 WHERE id = ?1",
                params![
                    row.rowid,
                    description,
                    search_text(&row.name, description),
                    labels_json(labels)?,
                    expires_at.map(Timestamp::unix),
                    project_id,
                    visibility.as_str(),
                    write_only,
                    now.unix()
                ],
            )
            .map_err(|e| sql_error("updating a secret", e))?;
        self.tx
            .execute(
                "DELETE FROM secret_labels WHERE secret_id = ?1",
                [row.rowid],
            )
            .map_err(|e| sql_error("updating labels", e))?;
        if row.deleted_at.is_none() {
            self.unindex_text(row.rowid)?;
            self.index_text(row.rowid, &search_text(&row.name, description))?;
        }
        self.write_labels(row.rowid, labels)?;
        self.reseal_secret(row.rowid)
    }

    /// Points a secret at a new current version.
    pub fn set_current_version(
        &self,
        rowid: i64,
        version: u32,
        public_fields: &str,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE secrets SET current_version = ?2, public_fields = ?3, expires_at = ?4,
                    updated_at = ?5 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rowid,
                    version,
                    public_fields,
                    expires_at.map(Timestamp::unix),
                    now.unix()
                ])
            })
            .map_err(|e| sql_error("recording a new version", e))?;
        self.reseal_secret(rowid)
    }

    /// Activates or deactivates.
    pub fn set_lifecycle(&self, rowid: i64, lifecycle: Lifecycle, now: Timestamp) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET lifecycle = ?2, updated_at = ?3 WHERE id = ?1",
                params![rowid, lifecycle.as_str(), now.unix()],
            )
            .map_err(|e| sql_error("changing a secret's status", e))?;
        self.reseal_secret(rowid)
    }

    /// Moves to the trash (`Some`) or back (`None`).
    pub fn set_deleted(
        &self,
        rowid: i64,
        deleted_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET deleted_at = ?2, updated_at = ?3 WHERE id = ?1",
                params![rowid, deleted_at.map(Timestamp::unix), now.unix()],
            )
            .map_err(|e| sql_error("moving a secret to or from the trash", e))?;
        // The trigram index holds live secrets only.
        self.unindex_text(rowid)?;
        if deleted_at.is_none() {
            let search: String = self
                .tx
                .query_row("SELECT search FROM secrets WHERE id = ?1", [rowid], |r| {
                    r.get(0)
                })
                .map_err(|e| sql_error("reading a secret's text", e))?;
            self.index_text(rowid, &search)?;
        }
        self.reseal_secret(rowid)
    }

    /// Moves to another organization.
    pub fn set_org(
        &self,
        rowid: i64,
        org_id: i64,
        project_id: Option<i64>,
        now: Timestamp,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET org_id = ?2, project_id = ?3, updated_at = ?4 WHERE id = ?1",
                params![rowid, org_id, project_id, now.unix()],
            )
            .map_err(|e| sql_error("moving a secret", e))?;
        self.reseal_secret(rowid)
    }

    /// Replaces the store-password lock.
    pub fn set_password_lock(&self, rowid: i64, lock: &str, now: Timestamp) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET password_lock = ?2, updated_at = ?3 WHERE id = ?1",
                params![rowid, lock, now.unix()],
            )
            .map_err(|e| sql_error("changing a store password", e))?;
        self.reseal_secret(rowid)
    }

    /// Records a use.
    pub fn set_last_used(&self, rowid: i64, at: Timestamp) -> Result<()> {
        self.tx
            .execute(
                "UPDATE secrets SET last_used_at = ?2 WHERE id = ?1",
                (rowid, at.unix()),
            )
            .map(drop)
            .map_err(|e| sql_error("recording a use", e))
    }

    /// Deletes a secret with its versions and labels: its data keys are gone for good.
    pub fn delete_secret(&self, rowid: i64) -> Result<()> {
        self.unindex_text(rowid)?;
        self.tx
            .execute("DELETE FROM secrets WHERE id = ?1", [rowid])
            .map(drop)
            .map_err(|e| sql_error("purging a secret", e))
    }
}
