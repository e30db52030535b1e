//! The vault-wide audit log: filtered pages, facets, export. Reading the log
//! needs no key (like `coffer audit list`); verifying it does.

use std::io::Write;

use super::Vault;
use crate::audit::AuditEntry;
use crate::audit_query::{
    AUDIT_PAGE_MAX, AuditExport, AuditExportFormat, AuditFacets, AuditFilter, AuditPage,
};
use crate::error::{Error, Result};
use crate::store::Db;

impl Vault {
    /// Up to `limit` entries matching `filter`, newest first, older than
    /// entry `before` (keyset paging: pass the last page's `next_before`).
    /// The first page (no `before`) also counts all matches.
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        before: Option<u32>,
        limit: u32,
    ) -> Result<AuditPage> {
        if limit == 0 || limit > AUDIT_PAGE_MAX {
            return Err(Error::invalid(
                "limit",
                format!("a page holds 1 to {AUDIT_PAGE_MAX} entries, not {limit}"),
            ));
        }
        let select = filter.select()?;
        let read = self.store.read();
        let rows = read.audit_select(&select, before.map(i64::from), limit)?;
        let total = match before {
            None => Some(u32::try_from(read.audit_select_count(&select)?).unwrap_or(u32::MAX)),
            Some(_) => None,
        };
        let full = rows.len() == limit as usize;
        let entries: Vec<AuditEntry> = rows.into_iter().map(AuditEntry::from_row).collect();
        let next_before = if full {
            entries.last().map(|e| e.seq).filter(|&seq| seq > 1)
        } else {
            None
        };
        Ok(AuditPage {
            entries,
            total,
            next_before,
        })
    }

    /// The actors and actions that appear in the log.
    pub fn audit_facets(&self) -> Result<AuditFacets> {
        let (actors, actions) = self.store.read().audit_facets()?;
        Ok(AuditFacets { actors, actions })
    }

    /// Writes every entry matching `filter` (newest first) to `out`; returns
    /// how many. Entries carry no secret values, so neither does the export.
    pub fn audit_export(
        &self,
        filter: &AuditFilter,
        format: AuditExportFormat,
        out: impl Write,
    ) -> Result<u32> {
        let select = filter.select()?;
        let mut export = AuditExport::start(out, format)?;
        self.store.read().audit_select_each(&select, |row| {
            export.entry(&AuditEntry::from_row(row))?;
            Ok(true)
        })?;
        export.finish()
    }
}
