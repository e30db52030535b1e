//! Printing: human text, or JSON for scripts; errors and exit codes.

use std::io::Write;

use coffer_core::{Error, ErrorCode, Timestamp};
use serde::Serialize;

/// Where results go.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Machine output.
    pub json: bool,
}

impl Out {
    /// Prints a value as one JSON document on stdout.
    pub fn json<T: Serialize>(&self, value: &T) -> coffer_core::Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(format!("encoding output: {e}")))?;
        println!("{text}");
        Ok(())
    }

    /// A note for people on stderr (suppressed in JSON mode).
    pub fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }
}

/// The exit code for an error code (see `coffer --help`).
pub fn exit_code(code: ErrorCode) -> i32 {
    match code {
        ErrorCode::InvalidInput | ErrorCode::AlreadyExists => 2,
        ErrorCode::NotFound | ErrorCode::NoVault => 3,
        ErrorCode::WrongPassphrase
        | ErrorCode::WrongKey
        | ErrorCode::WrongPassword
        | ErrorCode::PasswordRequired => 4,
        ErrorCode::Locked
        | ErrorCode::InUse
        | ErrorCode::KeyringUnavailable
        | ErrorCode::AlreadyRunning => 5,
        ErrorCode::Refused | ErrorCode::WriteOnly => 6,
        ErrorCode::Remote => 7,
        _ => 1,
    }
}

/// Why the command line stops with a non-zero exit code.
#[derive(Debug)]
pub enum Failure {
    /// The vault refused or failed.
    Core(Error),
    /// A job, the Test action or `coffer run` failed.
    Jobs(coffer_jobs::Error),
    /// Already reported (a failed run, a program's own exit code): exit with it.
    Exit(i32),
    /// A key-vault call failed: exit 7 (6 when the credentials were
    /// refused), with the hint of its failure class.
    Remote(coffer_remote::Error),
    /// A file to import cannot be read.
    Import(coffer_import::Error),
    /// A deployment rests somewhere other than where the command wanted it
    /// (stalled, failed): exit 7 with why.
    Deployment(String),
    /// The team vault refused or failed.
    Team(coffer_team::Error),
}

impl From<coffer_team::Error> for Failure {
    fn from(error: coffer_team::Error) -> Self {
        match error {
            coffer_team::Error::Vault(e) => Self::Core(e),
            other => Self::Team(other),
        }
    }
}

/// The exit code of a team-vault error: 7 when the server failed, 6 when
/// it (or Coffer) refused, 2 and 3 as for the vault, 1 otherwise.
fn team_exit_code(error: &coffer_team::Error) -> i32 {
    match error.code() {
        "invalid_input" => 2,
        "not_found" | "no_identity" => 3,
        "forbidden"
        | "needs_dba"
        | "invitation_invalid"
        | "fingerprint_mismatch"
        | "last_admin" => 6,
        "unreachable" | "database" => 7,
        _ => 1,
    }
}

impl Failure {
    /// A remote error: a local refusal stays a core error.
    pub fn from_remote(error: coffer_remote::Error) -> Self {
        match error {
            coffer_remote::Error::Core(e) => Self::Core(e),
            other => Self::Remote(other),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Core(error)
    }
}

impl From<coffer_jobs::Error> for Failure {
    fn from(error: coffer_jobs::Error) -> Self {
        match error {
            coffer_jobs::Error::Core(e) => Self::Core(e),
            other => Self::Jobs(other),
        }
    }
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Core(e) => exit_code(e.code()),
            Self::Jobs(e) => exit_code(e.core_code()),
            Self::Exit(code) => *code,
            Self::Remote(e) => exit_code(e.code()),
            Self::Deployment(_) => exit_code(ErrorCode::Remote),
            Self::Import(e) => match e.code() {
                "wrong_password" | "password_required" => 4,
                _ => 2,
            },
            Self::Team(e) => team_exit_code(e),
        }
    }
}

/// Prints an error on stderr (nothing for [`Failure::Exit`]).
pub fn print_error(json: bool, failure: &Failure) {
    let (code, message, hint) = match failure {
        Failure::Core(e) => (e.code().as_str(), e.to_string(), None),
        Failure::Jobs(e) => (e.code(), e.to_string(), None),
        Failure::Remote(e) => (
            e.code().as_str(),
            e.to_string(),
            e.class().map(|c| c.hint()),
        ),
        Failure::Deployment(message) => (ErrorCode::Remote.as_str(), message.clone(), None),
        Failure::Import(e) => (e.code(), e.to_string(), None),
        Failure::Team(e) => (e.code(), e.to_string(), None),
        Failure::Exit(_) => return,
    };
    let mut stderr = std::io::stderr().lock();
    if json {
        let value =
            serde_json::json!({ "error": { "code": code, "message": message, "hint": hint } });
        let _ = writeln!(stderr, "{value}");
    } else {
        let _ = writeln!(stderr, "coffer: {message}");
        if let Some(hint) = hint {
            let _ = writeln!(stderr, "hint: {hint}");
        }
    }
}

/// `2027-01-31 00:00 UTC (in 12 days)`.
pub fn when(at: Timestamp, now: Timestamp) -> String {
    let text = at.to_rfc3339();
    let date = text.get(..16).map(|d| d.replace('T', " ")).unwrap_or(text);
    format!("{date} UTC ({})", relative(at, now))
}

/// `in 12 days`, `3 hours ago`, `just now`.
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let seconds = at.unix() - now.unix();
    let span = seconds.unsigned_abs();
    let (count, unit) = match span {
        0..60 => return "just now".to_owned(),
        60..3600 => (span / 60, "minute"),
        3600..86_400 => (span / 3600, "hour"),
        _ => (span / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    if seconds > 0 {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

/// Prints rows as aligned columns under a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        println!("{}", text.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Prints `label  value` lines with aligned values.
pub fn pairs(rows: &[(&str, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (key, value) in rows {
        println!("{key:<width$}  {value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        let now = Timestamp::from_unix(1_000_000_000);
        assert_eq!(relative(now.plus_days(12), now), "in 12 days");
        assert_eq!(relative(now.plus_days(-3), now), "3 days ago");
        assert_eq!(relative(now.plus_seconds(90), now), "in 1 minute");
        assert_eq!(relative(now.plus_seconds(-7200), now), "2 hours ago");
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(now.plus_days(1), now), "in 1 day");
        assert!(when(now, now).starts_with("2001-09-09 01:46 UTC"));
    }
}
