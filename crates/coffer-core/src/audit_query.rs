//! The vault-wide view of the audit log: a filter, keyset pages (newest
//! first), the actors and actions to filter by, and an export of everything
//! a filter matches as CSV or JSON. Entries hold no values (see
//! [`crate::audit`]), so neither does an export.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::audit::AuditEntry;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::secret::SecretId;
use crate::store::AuditSelect;

/// The largest page.
pub const AUDIT_PAGE_MAX: u32 = 1000;

/// Which entries. Every part is optional; the parts that are set must all match.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Only entries about this secret (also once it is purged).
    pub secret_id: Option<SecretId>,
    /// Case-insensitive substring of the target (`Default:db-password`).
    pub target: Option<String>,
    /// Only this actor (exactly).
    pub actor: Option<String>,
    /// Only this action (exactly, e.g. `secret.reveal`).
    pub action: Option<String>,
    /// At or after this time.
    pub since: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
}

/// Blank text means "no filter": a cleared field in a form.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl AuditFilter {
    /// The store's form of the filter; refuses a time range that ends before it starts.
    pub(crate) fn select(&self) -> Result<AuditSelect<'_>> {
        if let (Some(since), Some(until)) = (self.since, self.until)
            && until <= since
        {
            return Err(Error::invalid(
                "until",
                format!("the range ends ({until}) before it starts ({since})"),
            ));
        }
        Ok(AuditSelect {
            secret_id: self.secret_id.as_ref().map(|id| &id.as_bytes()[..]),
            target_contains: given(&self.target),
            actor: given(&self.actor),
            action: given(&self.action),
            since: self.since.map(Timestamp::unix),
            until: self.until.map(Timestamp::unix),
        })
    }
}

/// One page of matching entries, newest first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// How many entries match in all (counted for the first page only: `null` after).
    pub total: Option<u32>,
    /// Pass as `before` for the next page; `null` at the end.
    pub next_before: Option<u32>,
}

/// What the log's entries can be filtered by.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AuditFacets {
    /// Every actor that appears, sorted.
    pub actors: Vec<String>,
    /// Every action that appears, sorted.
    pub actions: Vec<String>,
}

/// The format of an export.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditExportFormat {
    /// A header line, then `seq,at,actor,action,secret_id,target,detail` (detail as JSON).
    Csv,
    /// A JSON array of entries, as `coffer audit list --json` prints them.
    Json,
}

impl AuditExportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break, and
/// with a leading `'` when a spreadsheet would read it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Writes entries as they come, in one format; [`AuditExport::finish`] closes it.
pub(crate) struct AuditExport<W: Write> {
    out: W,
    format: AuditExportFormat,
    written: u32,
}

fn io_error(error: std::io::Error) -> Error {
    Error::Io {
        context: "writing the audit export".into(),
        source: error,
    }
}

impl<W: Write> AuditExport<W> {
    pub(crate) fn start(mut out: W, format: AuditExportFormat) -> Result<Self> {
        match format {
            AuditExportFormat::Csv => {
                out.write_all(b"seq,at,actor,action,secret_id,target,detail\r\n")
            }
            AuditExportFormat::Json => out.write_all(b"["),
        }
        .map_err(io_error)?;
        Ok(Self {
            out,
            format,
            written: 0,
        })
    }

    pub(crate) fn entry(&mut self, entry: &AuditEntry) -> Result<()> {
        match self.format {
            AuditExportFormat::Csv => {
                let fields = [
                    entry.seq.to_string(),
                    entry.at.to_rfc3339(),
                    entry.actor.clone(),
                    entry.action.clone(),
                    entry.secret_id.map(|id| id.to_string()).unwrap_or_default(),
                    entry.target.clone(),
                    entry.detail.to_string(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                write!(self.out, "{}\r\n", line.join(",")).map_err(io_error)?;
            }
            AuditExportFormat::Json => {
                let text = serde_json::to_string(entry)
                    .map_err(|e| Error::Internal(format!("audit entry as JSON: {e}")))?;
                let sep = if self.written == 0 { "\n" } else { ",\n" };
                write!(self.out, "{sep}{text}").map_err(io_error)?;
            }
        }
        self.written = self.written.saturating_add(1);
        Ok(())
    }

    /// Closes the format, flushes, and says how many entries were written.
    pub(crate) fn finish(mut self) -> Result<u32> {
        if self.format == AuditExportFormat::Json {
            self.out.write_all(b"\n]\n").map_err(io_error)?;
        }
        self.out.flush().map_err(io_error)?;
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
        assert_eq!(csv_field("{\"version\":1}"), "\"{\"\"version\"\":1}\"");
    }
}
