//! The `audit_log` table. Rows are only ever inserted (triggers refuse
//! updates and deletes); the chain of MACs is computed above this layer.

use rusqlite::{OptionalExtension, params};

use super::{Reader, StoreTx, sql_error};
use crate::clock::Timestamp;
use crate::error::Result;

/// A stored audit entry.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub secret_id: Option<Vec<u8>>,
    pub target: String,
    pub detail: String,
    pub mac: Vec<u8>,
}

/// An audit entry to append.
#[derive(Debug)]
pub(crate) struct NewAuditRow<'a> {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: &'a str,
    pub action: &'a str,
    pub secret_id: Option<&'a [u8]>,
    pub target: &'a str,
    pub detail: &'a str,
    pub mac: &'a [u8],
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, secret_id, target, detail, mac";

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: Timestamp::from_unix(r.get(1)?),
        actor: r.get(2)?,
        action: r.get(3)?,
        secret_id: r.get(4)?,
        target: r.get(5)?,
        detail: r.get(6)?,
        mac: r.get(7)?,
    })
}

impl Reader<'_> {
    /// The newest entry's sequence number and MAC.
    pub fn audit_head(&self) -> Result<Option<(i64, Vec<u8>)>> {
        self.conn
            .prepare_cached("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// Whether the log says that the vault's rows were sealed: its creation
    /// by a Coffer that seals rows, or an entry `action` (the first unlock
    /// after an upgrade).
    pub fn audit_says_rows_sealed(&self, action: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = ?1
                    OR (action = 'vault.create' AND json_extract(detail, '$.sealed_rows') = 1))",
                [action],
                |r| r.get(0),
            )
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// The MAC of entry `seq`, if it exists.
    pub fn audit_mac_at(&self, seq: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT mac FROM audit_log WHERE seq = ?1")
            .and_then(|mut s| s.query_row([seq], |r| r.get(0)).optional())
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// Visits every entry in order.
    pub fn audit_each(&self, mut visit: impl FnMut(AuditRow) -> Result<bool>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
            ))
            .map_err(|e| sql_error("reading the audit log", e))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| sql_error("reading the audit log", e))?;
        while let Some(row) = rows
            .next()
            .map_err(|e| sql_error("reading the audit log", e))?
        {
            let entry = audit_row(row).map_err(|e| sql_error("reading the audit log", e))?;
            if !visit(entry)? {
                break;
            }
        }
        Ok(())
    }

    /// The newest entries, optionally only those about one secret.
    pub fn audit_recent(&self, secret_id: Option<&[u8]>, limit: u32) -> Result<Vec<AuditRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log
                 WHERE ?1 IS NULL OR secret_id = ?1 ORDER BY seq DESC LIMIT ?2"
            ))
            .map_err(|e| sql_error("reading the audit log", e))?;
        stmt.query_map(params![secret_id, limit], audit_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("reading the audit log", e))
    }
}

impl StoreTx<'_> {
    /// Appends an entry.
    pub fn insert_audit(&self, row: &NewAuditRow<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (seq, at, actor, action, secret_id, target, detail, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.seq,
                    row.at.unix(),
                    row.actor,
                    row.action,
                    row.secret_id,
                    row.target,
                    row.detail,
                    row.mac
                ])
            })
            .map(drop)
            .map_err(|e| sql_error("writing the audit log", e))
    }
}

/// The vault-wide audit page's filter, as the store sees it. Every part is
/// optional; together they are ANDed. Each column filtered on has an index
/// (`audit_by_secret`, `audit_by_actor`, `audit_by_action`, `audit_by_time`),
/// so counting and paging stay indexed in a log of 100,000+ entries; only a
/// target substring scans (bounded by the other parts and by `LIMIT`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AuditSelect<'a> {
    pub secret_id: Option<&'a [u8]>,
    /// Case-insensitive (ASCII) substring of the target.
    pub target_contains: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    /// Inclusive, seconds since the epoch.
    pub since: Option<i64>,
    /// Exclusive, seconds since the epoch.
    pub until: Option<i64>,
}

/// `LIKE` pattern text with `\` escaping `%`, `_` and itself.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl AuditSelect<'_> {
    /// The `WHERE` clause (always present, `1` when empty) and its values;
    /// `before` adds `seq < before` for keyset paging.
    fn clause(&self, before: Option<i64>) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut parts: Vec<&str> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(id) = self.secret_id {
            parts.push("secret_id = ?");
            values.push(Value::Blob(id.to_vec()));
        }
        if let Some(actor) = self.actor {
            parts.push("actor = ?");
            values.push(Value::Text(actor.to_owned()));
        }
        if let Some(action) = self.action {
            parts.push("action = ?");
            values.push(Value::Text(action.to_owned()));
        }
        if let Some(since) = self.since {
            parts.push("at >= ?");
            values.push(Value::Integer(since));
        }
        if let Some(until) = self.until {
            parts.push("at < ?");
            values.push(Value::Integer(until));
        }
        if let Some(text) = self.target_contains {
            parts.push("target LIKE ? ESCAPE '\\'");
            values.push(Value::Text(like_escaped(text)));
        }
        if let Some(before) = before {
            parts.push("seq < ?");
            values.push(Value::Integer(before));
        }
        let clause = if parts.is_empty() {
            "1".to_owned()
        } else {
            parts.join(" AND ")
        };
        (clause, values)
    }
}

impl Reader<'_> {
    /// Up to `limit` matching entries, newest first, older than `before`.
    pub(crate) fn audit_select(
        &self,
        select: &AuditSelect<'_>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRow>> {
        let (clause, mut values) = select.clause(before);
        values.push(rusqlite::types::Value::Integer(i64::from(limit)));
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {clause} ORDER BY seq DESC LIMIT ?"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| sql_error("reading the audit log", e))?;
        stmt.query_map(rusqlite::params_from_iter(values), audit_row)
            .and_then(Iterator::collect)
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// How many entries match.
    pub(crate) fn audit_select_count(&self, select: &AuditSelect<'_>) -> Result<u64> {
        let (clause, values) = select.clause(None);
        let sql = format!("SELECT count(*) FROM audit_log WHERE {clause}");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row(rusqlite::params_from_iter(values), |r| r.get::<_, i64>(0))
            })
            .map(|n| u64::try_from(n).unwrap_or_default())
            .map_err(|e| sql_error("reading the audit log", e))
    }

    /// Visits every matching entry, newest first, until `visit` says stop.
    pub(crate) fn audit_select_each(
        &self,
        select: &AuditSelect<'_>,
        mut visit: impl FnMut(AuditRow) -> Result<bool>,
    ) -> Result<()> {
        let (clause, values) = select.clause(None);
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {clause} ORDER BY seq DESC");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| sql_error("reading the audit log", e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values))
            .map_err(|e| sql_error("reading the audit log", e))?;
        while let Some(row) = rows
            .next()
            .map_err(|e| sql_error("reading the audit log", e))?
        {
            let entry = audit_row(row).map_err(|e| sql_error("reading the audit log", e))?;
            if !visit(entry)? {
                break;
            }
        }
        Ok(())
    }

    /// The distinct actors and actions in the log, sorted (read from their indexes).
    pub(crate) fn audit_facets(&self) -> Result<(Vec<String>, Vec<String>)> {
        let distinct = |column: &str| -> Result<Vec<String>> {
            let sql = format!("SELECT DISTINCT {column} FROM audit_log ORDER BY {column}");
            let mut stmt = self
                .conn
                .prepare(&sql)
                .map_err(|e| sql_error("reading the audit log", e))?;
            stmt.query_map([], |r| r.get(0))
                .and_then(Iterator::collect)
                .map_err(|e| sql_error("reading the audit log", e))
        };
        Ok((distinct("actor")?, distinct("action")?))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::{AuditSelect, Reader};

    /// SQLite's plans for the page and the count of `select`.
    fn plans(conn: &Connection, select: &AuditSelect<'_>) -> Vec<String> {
        let (clause, values) = select.clause(None);
        [
            format!("SELECT seq FROM audit_log WHERE {clause} ORDER BY seq DESC LIMIT 200"),
            format!("SELECT count(*) FROM audit_log WHERE {clause}"),
        ]
        .iter()
        .map(|sql| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let details: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(values.clone()), |r| r.get(3))
                .and_then(Iterator::collect)
                .unwrap();
            details.join("; ")
        })
        .collect()
    }

    #[test]
    fn each_filter_reads_an_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let id = [7u8; 16];
        let cases = [
            (
                AuditSelect {
                    secret_id: Some(&id),
                    ..Default::default()
                },
                "audit_by_secret",
            ),
            (
                AuditSelect {
                    actor: Some("alice"),
                    ..Default::default()
                },
                "audit_by_actor",
            ),
            (
                AuditSelect {
                    action: Some("secret.reveal"),
                    ..Default::default()
                },
                "audit_by_action",
            ),
            (
                AuditSelect {
                    since: Some(10),
                    until: Some(20),
                    ..Default::default()
                },
                "audit_by_time",
            ),
        ];
        for (select, index) in cases {
            let [page, count] = <[String; 2]>::try_from(plans(&conn, &select)).unwrap();
            // The count must not read the whole table; the page either uses
            // the index or walks the primary key newest first (and stops at LIMIT).
            assert!(
                count.contains(index),
                "count of {select:?} does not use {index}: {count}"
            );
            assert!(
                page.contains(index) || !page.contains("TEMP B-TREE"),
                "page of {select:?} sorts the whole table: {page}"
            );
        }
        // The facets read the actor and action indexes, not the table.
        let reader = Reader { conn: &conn };
        assert_eq!(reader.audit_facets().unwrap(), (vec![], vec![]));
    }
}
