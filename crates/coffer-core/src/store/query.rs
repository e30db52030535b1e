//! Listing queries over clear columns only: filters, sorting, paging, counts.

use rusqlite::types::Value;

use super::jobs::{JOB_COLUMNS, JOB_FROM, JobRow, UsageRow};
use super::secrets::{SECRET_COLUMNS, SECRET_FROM, SecretRow};
use super::{Reader, sql_error};
use crate::clock::{DAY, Timestamp};
use crate::error::Result;
use crate::secret::{MAX_PAGE, Scope, SecretId, SecretQuery, SecretStatus, SortKey};

/// The effective status as SQL, given `?1` = now.
const STATUS_SQL: &str = "CASE WHEN s.lifecycle = 'deactivated' THEN 'deactivated' \
    WHEN s.expires_at IS NOT NULL AND s.expires_at <= ?1 THEN 'expired' ELSE 'active' END";

/// Secret counts by state.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SecretCounts {
    /// Not in the trash.
    pub total: u32,
    /// Active and not expired.
    pub active: u32,
    /// Deactivated.
    pub deactivated: u32,
    /// Active and past expiry.
    pub expired: u32,
    /// Active and expiring within 30 days (not yet expired).
    pub expiring_30_days: u32,
    /// In the trash.
    pub trash: u32,
}

/// A label in use, with how many live secrets carry it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LabelCount {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// Live secrets with this label.
    pub count: u32,
}

/// At most this many distinct labels are listed (autocompletion needs no more).
const MAX_LABELS: u32 = 2000;

struct Where {
    sql: String,
    params: Vec<Value>,
}

/// How the text filter is evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextMatch {
    /// `instr` on each row visited (the name index carries the listing text,
    /// so a walk in name order reads no table rows): cheap when matches are
    /// dense, since the page is then found early while walking the sort order.
    Scan,
    /// Looked up in the trigram index (`secret_search`): cheap when matches
    /// are few, which are then sorted.
    Indexed,
}

/// When each plan is used. Walking the sort order costs per row visited;
/// the trigram index costs per match (a lookup and a place in the sort),
/// several times a row visited. So: few matches (at most a fiftieth of the
/// vault's size, its highest row id) are always looked up; otherwise the sort
/// order is walked for up to twice as many rows as there are matches (the
/// window), which finds the page early when matches are spread out or come
/// first; when the window falls short, matches up to a tenth of the vault
/// are looked up, and denser ones found by walking the whole sort order.
/// Falling short costs at most a walk of twice the matches, which is less
/// than looking them up.
const SPARSE_DIVISOR: i64 = 50;
const WINDOW_PER_MATCH: i64 = 2;
const INDEXED_DIVISOR: i64 = 10;

/// The text filter, lowercased and trimmed, if any.
fn text_of(query: &SecretQuery) -> Option<String> {
    query
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// The FTS5 query for `text`: one phrase, which under the trigram tokenizer
/// means "contains this substring". The index holds live secrets only, and
/// trigrams need at least three characters.
fn trigram_phrase(query: &SecretQuery) -> Option<String> {
    let text = text_of(query)?;
    (query.scope == Scope::Live && text.chars().count() >= 3)
        .then(|| format!("\"{}\"", text.replace('"', "\"\"")))
}

/// Whether the text is the only filter, so the index alone can count.
fn only_text(query: &SecretQuery) -> bool {
    query.types.is_empty()
        && query.statuses.is_empty()
        && query.labels.is_empty()
        && query.org.is_none()
        && query.project.is_none()
        && query.expiring_within_days.is_none()
}

fn build_where(query: &SecretQuery, now: Timestamp, text_match: TextMatch) -> Where {
    // "?1 IS NOT NULL" keeps ?1 (now) bound in every statement.
    let mut sql = vec![
        "?1 IS NOT NULL".to_owned(),
        match query.scope {
            Scope::Live => "s.deleted_at IS NULL".to_owned(),
            Scope::Trash => "s.deleted_at IS NOT NULL".to_owned(),
        },
    ];
    // ?1 is always now.
    let mut params: Vec<Value> = vec![Value::Integer(now.unix())];
    let bind = |params: &mut Vec<Value>, v: Value| {
        params.push(v);
        format!("?{}", params.len())
    };
    match (text_match, trigram_phrase(query), text_of(query)) {
        (TextMatch::Indexed, Some(phrase), _) => {
            let p = bind(&mut params, Value::Text(phrase));
            sql.push(format!(
                "s.id IN (SELECT rowid FROM secret_search WHERE secret_search MATCH {p})"
            ));
        }
        (_, _, Some(text)) => {
            let p = bind(&mut params, Value::Text(text));
            sql.push(format!("instr(s.search, {p}) > 0"));
        }
        (_, _, None) => {}
    }
    if !query.types.is_empty() {
        let list: Vec<String> = query
            .types
            .iter()
            .map(|t| bind(&mut params, Value::Text(t.as_str().to_owned())))
            .collect();
        sql.push(format!("s.kind IN ({})", list.join(", ")));
    }
    if !query.statuses.is_empty() {
        let list: Vec<String> = query
            .statuses
            .iter()
            .map(|st| match st {
                SecretStatus::Deactivated => "s.lifecycle = 'deactivated'".to_owned(),
                SecretStatus::Expired => {
                    "(s.lifecycle = 'active' AND s.expires_at IS NOT NULL AND s.expires_at <= ?1)"
                        .to_owned()
                }
                SecretStatus::Active => {
                    "(s.lifecycle = 'active' AND (s.expires_at IS NULL OR s.expires_at > ?1))"
                        .to_owned()
                }
            })
            .collect();
        sql.push(format!("({})", list.join(" OR ")));
    }
    for (key, value) in &query.labels {
        let k = bind(&mut params, Value::Text(key.clone()));
        match value {
            Some(v) => {
                let v = bind(&mut params, Value::Text(v.clone()));
                sql.push(format!(
                    "EXISTS (SELECT 1 FROM secret_labels l WHERE l.secret_id = s.id AND l.key = {k} AND l.value = {v})"
                ));
            }
            None => sql.push(format!(
                "EXISTS (SELECT 1 FROM secret_labels l WHERE l.secret_id = s.id AND l.key = {k})"
            )),
        }
    }
    if let Some(org) = &query.org {
        let p = bind(&mut params, Value::Text(org.clone()));
        sql.push(format!(
            "s.org_id = (SELECT id FROM organizations WHERE name = {p})"
        ));
    }
    if let Some(project) = &query.project {
        let p = bind(&mut params, Value::Text(project.clone()));
        sql.push(format!(
            "s.project_id IN (SELECT id FROM projects WHERE name = {p})"
        ));
    }
    if let Some(days) = query.expiring_within_days {
        let until = now
            .unix()
            .saturating_add(i64::from(days).saturating_mul(DAY));
        let p = bind(&mut params, Value::Integer(until));
        sql.push(format!("s.expires_at IS NOT NULL AND s.expires_at <= {p}"));
    }
    Where {
        sql: sql.join(" AND "),
        params,
    }
}

fn order_by(query: &SecretQuery) -> String {
    let dir = if query.descending { "DESC" } else { "ASC" };
    match query.sort {
        SortKey::Name => format!("s.name COLLATE NOCASE {dir}, s.id {dir}"),
        SortKey::Type => format!("s.kind {dir}, s.name COLLATE NOCASE {dir}, s.id {dir}"),
        SortKey::Created => format!("s.created_at {dir}, s.id {dir}"),
        SortKey::Updated => format!("s.updated_at {dir}, s.id {dir}"),
        // Secrets without an expiry come last in either direction.
        SortKey::Expires => {
            format!(
                "s.expires_at IS NULL, s.expires_at {dir}, s.name COLLATE NOCASE {dir}, s.id {dir}"
            )
        }
        SortKey::Status => format!("{STATUS_SQL} {dir}, s.name COLLATE NOCASE {dir}, s.id {dir}"),
    }
}

impl Reader<'_> {
    /// How many secrets match, and one page of them.
    pub fn list_secrets(
        &self,
        query: &SecretQuery,
        now: Timestamp,
    ) -> Result<(u32, Vec<SecretRow>)> {
        let matches = match trigram_phrase(query) {
            Some(phrase) => self.trigram_matches(&phrase)?,
            None => None,
        };
        let total = match matches {
            Some((n, _)) if only_text(query) => n,
            Some(_) => self.count(query, now, TextMatch::Indexed)?,
            None => self.count(query, now, TextMatch::Scan)?,
        };
        let limit = query.limit.min(MAX_PAGE);
        if limit == 0 || query.offset >= total {
            return Ok((total, Vec::new()));
        }
        let rows = match matches {
            None => self.page(query, now, TextMatch::Scan)?,
            Some((n, size)) if i64::from(n) <= size / SPARSE_DIVISOR => {
                self.page(query, now, TextMatch::Indexed)?
            }
            Some((n, _)) => {
                match self.window_page(query, now, total, i64::from(n) * WINDOW_PER_MATCH)? {
                    Some(rows) => rows,
                    None => self.page(query, now, TextMatch::Indexed)?,
                }
            }
        };
        Ok((total, rows))
    }

    /// How many secrets the trigram index matches for `phrase`, with the
    /// vault's size (its highest row id); `None` past a tenth of that, where
    /// the index is not used (counting a dense match in it costs more than a
    /// walk), so matches are only counted up to there.
    fn trigram_matches(&self, phrase: &str) -> Result<Option<(u32, i64)>> {
        let size: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(id), 0) FROM secrets")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| sql_error("counting secrets", e))?;
        let cap = u32::try_from(size / INDEXED_DIVISOR).unwrap_or(u32::MAX);
        let n: u32 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM secret_search \
                 WHERE secret_search MATCH ?1 LIMIT ?2)",
            )
            .and_then(|mut s| s.query_row((phrase, i64::from(cap) + 1), |r| r.get(0)))
            .map_err(|e| sql_error("counting secrets", e))?;
        Ok((n <= cap).then_some((n, size)))
    }

    /// The labels on live secrets, by key and value, with their counts.
    pub fn label_counts(&self) -> Result<Vec<LabelCount>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.key, l.value, count(*) FROM secret_labels l
                 JOIN secrets s ON s.id = l.secret_id WHERE s.deleted_at IS NULL
                 GROUP BY l.key, l.value ORDER BY l.key, l.value LIMIT ?1",
            )
            .map_err(|e| sql_error("listing labels", e))?;
        stmt.query_map([MAX_LABELS], |r| {
            Ok(LabelCount {
                key: r.get(0)?,
                value: r.get(1)?,
                count: r.get(2)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| sql_error("listing labels", e))
    }

    /// The ids of every secret that matches (paging ignored), in sort order:
    /// what "select all matching" acts on, without shipping rows anywhere.
    pub fn matching_ids(&self, query: &SecretQuery, now: Timestamp) -> Result<Vec<SecretId>> {
        let filter = build_where(query, now, TextMatch::Scan);
        let sql = format!(
            "SELECT s.uid FROM secrets s WHERE {} ORDER BY {}",
            filter.sql,
            order_by(query)
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| sql_error("selecting secrets", e))?;
        stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
            let uid: Vec<u8> = r.get(0)?;
            uid.try_into().map(SecretId).map_err(|_| {
                rusqlite::Error::InvalidColumnType(0, "uid".into(), rusqlite::types::Type::Blob)
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| sql_error("selecting secrets", e))
    }

    /// The jobs that bind any secret `query` matches (its paging ignored),
    /// one row per binding with the secret's id and name, by job name.
    pub fn jobs_using_matching(
        &self,
        query: &SecretQuery,
        now: Timestamp,
    ) -> Result<Vec<(SecretId, String, UsageRow)>> {
        let filter = build_where(query, now, TextMatch::Scan);
        let sql = format!(
            "SELECT {JOB_COLUMNS}, b.role, b.field, s.uid, s.name
             FROM {JOB_FROM} JOIN job_secrets b ON b.job_id = j.id
             JOIN secrets s ON s.org_id = j.org_id AND s.name = b.secret_name
             WHERE b.manager = '' AND {}
             ORDER BY j.name COLLATE NOCASE, j.id, s.name, b.role, b.field",
            filter.sql
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| sql_error("finding the jobs that use the matching secrets", e))?;
        stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
            let uid: Vec<u8> = r.get(24)?;
            let id = uid.try_into().map(SecretId).map_err(|_| {
                rusqlite::Error::InvalidColumnType(24, "uid".into(), rusqlite::types::Type::Blob)
            })?;
            let usage = UsageRow {
                job: JobRow::from_row(r)?,
                role: r.get(22)?,
                field: r.get(23)?,
            };
            Ok((id, r.get(25)?, usage))
        })
        .and_then(Iterator::collect)
        .map_err(|e| sql_error("finding the jobs that use the matching secrets", e))
    }

    fn count(&self, query: &SecretQuery, now: Timestamp, text_match: TextMatch) -> Result<u32> {
        let filter = build_where(query, now, text_match);
        self.conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM secrets s WHERE {}",
                filter.sql
            ))
            .and_then(|mut s| {
                s.query_row(rusqlite::params_from_iter(filter.params.iter()), |r| {
                    r.get(0)
                })
            })
            .map_err(|e| sql_error("counting secrets", e))
    }

    /// One page, filtered and sorted by SQLite with the given plan.
    fn page(
        &self,
        query: &SecretQuery,
        now: Timestamp,
        text_match: TextMatch,
    ) -> Result<Vec<SecretRow>> {
        let filter = build_where(query, now, text_match);
        let mut params = filter.params;
        params.push(Value::Integer(query.limit.min(MAX_PAGE).into()));
        params.push(Value::Integer(query.offset.into()));
        let n = params.len();
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM} WHERE {} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            filter.sql,
            order_by(query),
            n - 1,
            n
        );
        self.rows(&sql, &params, "listing secrets")
    }

    /// The page if it lies within the first `window` rows in sort order (all
    /// filters but the text applied): those rows are walked, the text checked
    /// on each, and only the page's rows are read. `None` when the window
    /// holds fewer matches than the page needs.
    fn window_page(
        &self,
        query: &SecretQuery,
        now: Timestamp,
        total: u32,
        window: i64,
    ) -> Result<Option<Vec<SecretRow>>> {
        let limit = query.limit.min(MAX_PAGE);
        let end = query.offset.saturating_add(limit).min(total);
        let Some(text) = text_of(query).filter(|_| i64::from(end) <= window) else {
            return Ok(None);
        };
        let rest = SecretQuery {
            text: None,
            ..query.clone()
        };
        let filter = build_where(&rest, now, TextMatch::Scan);
        let mut params = filter.params;
        params.push(Value::Text(text));
        let needle = params.len();
        params.push(Value::Integer(window));
        params.push(Value::Integer(end.into()));
        let n = params.len();
        let sql = format!(
            "SELECT id FROM (SELECT s.id AS id, instr(s.search, ?{needle}) AS hit \
             FROM secrets s WHERE {} ORDER BY {} LIMIT ?{}) WHERE hit > 0 LIMIT ?{}",
            filter.sql,
            order_by(query),
            n - 1,
            n
        );
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| sql_error("listing secrets", e))?;
        if ids.len() < end as usize {
            return Ok(None);
        }
        let page = &ids[query.offset as usize..];
        // ?1 is now (the status sort needs it); the ids follow.
        let mut params = vec![Value::Integer(now.unix())];
        params.extend(page.iter().map(|&id| Value::Integer(id)));
        let list: Vec<String> = (2..=params.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM {SECRET_FROM} WHERE ?1 IS NOT NULL AND s.id IN ({}) ORDER BY {}",
            list.join(", "),
            order_by(query)
        );
        self.rows(&sql, &params, "listing secrets").map(Some)
    }

    fn rows(&self, sql: &str, params: &[Value], what: &str) -> Result<Vec<SecretRow>> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_map(
                    rusqlite::params_from_iter(params.iter()),
                    SecretRow::from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| sql_error(what, e))
    }

    /// Kept versions of live secrets, and jobs: what a restore's
    /// confirmation shows beside the secret counts.
    pub fn version_and_job_counts(&self) -> Result<(u32, u32)> {
        self.conn
            .query_row(
                "SELECT
                    (SELECT count(*) FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
                        WHERE s.deleted_at IS NULL),
                    (SELECT count(*) FROM jobs)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| sql_error("counting versions and jobs", e))
    }

    /// Counts by state.
    pub fn secret_counts(&self, now: Timestamp) -> Result<SecretCounts> {
        let soon = now.plus_days(30).unix();
        self.conn
            .query_row(
                "SELECT
                    count(*) FILTER (WHERE deleted_at IS NULL),
                    count(*) FILTER (WHERE deleted_at IS NULL AND lifecycle = 'active'
                        AND (expires_at IS NULL OR expires_at > ?1)),
                    count(*) FILTER (WHERE deleted_at IS NULL AND lifecycle = 'deactivated'),
                    count(*) FILTER (WHERE deleted_at IS NULL AND lifecycle = 'active'
                        AND expires_at <= ?1),
                    count(*) FILTER (WHERE deleted_at IS NULL AND lifecycle = 'active'
                        AND expires_at > ?1 AND expires_at <= ?2),
                    count(*) FILTER (WHERE deleted_at IS NOT NULL)
                 FROM secrets",
                (now.unix(), soon),
                |r| {
                    Ok(SecretCounts {
                        total: r.get(0)?,
                        active: r.get(1)?,
                        deactivated: r.get(2)?,
                        expired: r.get(3)?,
                        expiring_30_days: r.get(4)?,
                        trash: r.get(5)?,
                    })
                },
            )
            .map_err(|e| sql_error("counting secrets", e))
    }
}
