//! Renaming a secret: its row, and the jobs that name it.

use rusqlite::params;

use super::secrets::search_text;
use super::{SecretRow, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

impl StoreTx<'_> {
    /// Gives a secret a new name (its listing text follows) and re-tags it.
    pub fn rename_secret(&self, row: &SecretRow, name: &str, now: Timestamp) -> Result<()> {
        let search = search_text(name, &row.description);
        self.tx
            .execute(
                "UPDATE secrets SET name = ?2, search = ?3, updated_at = ?4 WHERE id = ?1",
                params![row.rowid, name, search, now.unix()],
            )
            .map_err(|e| sql_error("renaming a secret", e))?;
        if row.deleted_at.is_none() {
            self.unindex_text(row.rowid)?;
            self.index_text(row.rowid, &search)?;
        }
        self.reseal_secret(row.rowid)
    }

    /// Points a job's bindings of `old` (in its own organization) at `new`,
    /// replaces its spec when given (placeholders rewritten), and re-tags it.
    pub fn rename_in_job(
        &self,
        job_rowid: i64,
        old: &str,
        new: &str,
        spec: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        // A binding of `new` with the same role and field may exist already
        // (placeholders may name secrets that do not exist yet): keep one.
        self.tx
            .execute(
                "UPDATE OR REPLACE job_secrets SET secret_name = ?3
                 WHERE job_id = ?1 AND manager = '' AND secret_name = ?2",
                params![job_rowid, old, new],
            )
            .map_err(|e| sql_error("renaming a job's secrets", e))?;
        match spec {
            Some(spec) => self.tx.execute(
                "UPDATE jobs SET spec = ?2, updated_at = ?3 WHERE id = ?1",
                params![job_rowid, spec, now.unix()],
            ),
            None => self.tx.execute(
                "UPDATE jobs SET updated_at = ?2 WHERE id = ?1",
                params![job_rowid, now.unix()],
            ),
        }
        .map_err(|e| sql_error("updating a job", e))?;
        self.reseal_job(job_rowid)
    }
}
