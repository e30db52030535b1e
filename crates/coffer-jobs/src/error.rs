//! Errors of jobs, with stable codes. Messages name placeholders, files,
//! hosts and programs, never a secret value.

use coffer_core::ErrorCode;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong preparing or running a job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The vault refused or failed.
    #[error(transparent)]
    Core(#[from] coffer_core::Error),
    /// A placeholder is malformed, or what it names cannot be used.
    #[error("{location}, {}: {}{message}", Position { line: *line, column: *column }, placeholder.as_deref().map(|p| format!("{p}: ")).unwrap_or_default())]
    Placeholder {
        /// The text it is in ("template /etc/app.conf", "argument 2").
        location: String,
        /// The placeholder as written, when it parsed.
        placeholder: Option<String>,
        /// Its line (1-based).
        line: u32,
        /// Its column (1-based, in characters).
        column: u32,
        /// What is wrong.
        message: String,
        /// The code of the underlying refusal.
        code: ErrorCode,
    },
    /// TLS could not be set up or the handshake failed.
    #[error("TLS with {host}: {message}")]
    Tls {
        /// The server.
        host: String,
        /// What failed.
        message: String,
    },
    /// A network request failed (connection, protocol, unexpected status).
    #[error("{message}")]
    Network {
        /// What failed, naming the host.
        message: String,
    },
    /// A program (git, ssh, the job's command) failed or could not start.
    #[error("{message}")]
    Process {
        /// What failed.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A key vault could not be read (no values in the message).
    #[error(transparent)]
    Remote(#[from] coffer_remote::Error),
    /// A shared secret (team vault) could not be used.
    #[error(transparent)]
    Team(#[from] coffer_team::Error),
    /// Input does not fit (a job definition, an option).
    #[error("{field}: {message}")]
    Invalid {
        /// The option or field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

struct Position {
    line: u32,
    column: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The nearest core code of a team-vault error.
fn team_code(error: &coffer_team::Error) -> ErrorCode {
    match error {
        coffer_team::Error::Vault(e) => e.code(),
        other => match other.code() {
            "invalid_input" => ErrorCode::InvalidInput,
            "not_found" | "no_identity" => ErrorCode::NotFound,
            "forbidden" => ErrorCode::Refused,
            "tampered" | "rollback" => ErrorCode::Tampered,
            "unreachable" | "database" => ErrorCode::Remote,
            _ => ErrorCode::Internal,
        },
    }
}

impl Error {
    /// The nearest core code: what the CLI turns into an exit code and the
    /// desktop app branches on. Network, TLS and process failures are
    /// `internal` there; [`Error::code`] tells them apart.
    pub fn core_code(&self) -> ErrorCode {
        match self {
            Self::Core(e) => e.code(),
            Self::Remote(e) => e.code(),
            Self::Team(e) => team_code(e),
            Self::Placeholder { code, .. } => *code,
            Self::Invalid { .. } => ErrorCode::InvalidInput,
            Self::Io { .. } => ErrorCode::Io,
            Self::Tls { .. } | Self::Network { .. } | Self::Process { .. } => ErrorCode::Internal,
        }
    }

    /// A stable code: the core's codes plus `tls`, `network` and `process`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Tls { .. } => "tls",
            Self::Network { .. } => "network",
            Self::Process { .. } => "process",
            Self::Team(e) => e.code(),
            other => other.core_code().as_str(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn process(message: impl Into<String>) -> Self {
        Self::Process {
            message: message.into(),
        }
    }

    pub(crate) fn network(message: impl Into<String>) -> Self {
        Self::Network {
            message: message.into(),
        }
    }

    /// Whether a run that fails with this error was refused by policy
    /// (deactivated, expired under "block", write-only, another project's).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self.core_code(),
            ErrorCode::Refused | ErrorCode::WriteOnly | ErrorCode::PasswordRequired
        )
    }
}
