//! The `expiry_notices` table and the query that finds what is expiring.

use rusqlite::params;

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::secret::{SecretId, SecretType};

/// An active, live secret with an expiry before a cutoff, and the thresholds
/// already notified for its current version and expiry.
#[derive(Debug, Clone)]
pub(crate) struct ExpiringRow {
    pub id: SecretId,
    pub name: String,
    pub org: String,
    pub kind: SecretType,
    pub version: u32,
    pub expires_at: Timestamp,
    pub notified: Vec<u32>,
}

impl Reader<'_> {
    /// Active secrets outside the trash expiring at or before `until`.
    pub fn expiring(&self, until: Timestamp) -> Result<Vec<ExpiringRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.uid, s.name, o.name, s.kind, s.current_version, s.expires_at,
                    (SELECT group_concat(n.threshold_days) FROM expiry_notices n
                     WHERE n.secret_id = s.id AND n.version = s.current_version
                       AND n.expires_at = s.expires_at)
                 FROM secrets s JOIN organizations o ON o.id = s.org_id
                 WHERE s.expires_at IS NOT NULL AND s.expires_at <= ?1
                   AND s.deleted_at IS NULL AND s.lifecycle = 'active'
                 ORDER BY s.expires_at, s.name",
            )
            .map_err(|e| sql_error("finding expiring secrets", e))?;
        stmt.query_map([until.unix()], |r| {
            let uid: Vec<u8> = r.get(0)?;
            let kind: String = r.get(3)?;
            let notified: Option<String> = r.get(6)?;
            Ok(ExpiringRow {
                id: SecretId(uid.try_into().unwrap_or([0; 16])),
                name: r.get(1)?,
                org: r.get(2)?,
                kind: SecretType::parse(&kind).unwrap_or(SecretType::Data),
                version: r.get(4)?,
                expires_at: Timestamp::from_unix(r.get(5)?),
                notified: notified
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|d| d.parse().ok())
                    .collect(),
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| sql_error("finding expiring secrets", e))
    }
}

impl StoreTx<'_> {
    /// Records that a threshold was notified.
    pub fn record_notice(
        &self,
        rowid: i64,
        version: u32,
        expires_at: Timestamp,
        threshold_days: u32,
        at: Timestamp,
    ) -> Result<()> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO expiry_notices
                    (secret_id, version, expires_at, threshold_days, notified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![rowid, version, expires_at.unix(), threshold_days, at.unix()],
            )
            .map(drop)
            .map_err(|e| sql_error("recording a notification", e))
    }
}
