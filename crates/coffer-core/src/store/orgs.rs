//! Organizations and projects.

use rusqlite::OptionalExtension;

use super::{Db, Reader, StoreTx, sql_error};
use crate::error::Result;

/// An organization with its number of live secrets.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrgSummary {
    /// Name.
    pub name: String,
    /// Secrets not in the trash.
    pub secrets: u32,
    /// Its projects.
    pub projects: Vec<String>,
}

impl Reader<'_> {
    /// The id of an organization.
    pub fn org_id(&self, name: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM organizations WHERE name = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map_err(|e| sql_error("looking up an organization", e))
    }

    /// Every organization with its live secret count and projects.
    pub fn orgs(&self) -> Result<Vec<OrgSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.id, o.name,
                        (SELECT count(*) FROM secrets s WHERE s.org_id = o.id AND s.deleted_at IS NULL)
                 FROM organizations o ORDER BY o.name",
            )
            .map_err(|e| sql_error("listing organizations", e))?;
        let rows: Vec<(i64, String, u32)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("listing organizations", e))?;
        let mut projects = self
            .conn
            .prepare("SELECT name FROM projects WHERE org_id = ?1 ORDER BY name")
            .map_err(|e| sql_error("listing projects", e))?;
        rows.into_iter()
            .map(|(id, name, secrets)| {
                let list = projects
                    .query_map([id], |r| r.get(0))
                    .and_then(Iterator::collect)
                    .map_err(|e| sql_error("listing projects", e))?;
                Ok(OrgSummary {
                    name,
                    secrets,
                    projects: list,
                })
            })
            .collect()
    }
}

impl StoreTx<'_> {
    /// The id of an organization, creating it when new.
    pub fn ensure_org(&self, name: &str, now: i64) -> Result<(i64, bool)> {
        if let Some(id) = self.read().org_id(name)? {
            return Ok((id, false));
        }
        self.tx
            .execute(
                "INSERT INTO organizations (name, created_at) VALUES (?1, ?2)",
                (name, now),
            )
            .map_err(|e| sql_error("creating an organization", e))?;
        let id = self.tx.last_insert_rowid();
        self.reseal_org(id)?;
        Ok((id, true))
    }

    /// The id of a project of an organization, creating it when new.
    pub fn ensure_project(&self, org_id: i64, name: &str, now: i64) -> Result<i64> {
        let existing: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM projects WHERE org_id = ?1 AND name = ?2",
                (org_id, name),
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sql_error("looking up a project", e))?;
        if let Some(id) = existing {
            return Ok(id);
        }
        self.tx
            .execute(
                "INSERT INTO projects (org_id, name, created_at) VALUES (?1, ?2, ?3)",
                (org_id, name, now),
            )
            .map_err(|e| sql_error("creating a project", e))?;
        let id = self.tx.last_insert_rowid();
        self.reseal_project(id)?;
        Ok(id)
    }
}
