//! The team vault's errors, each with a small stable code. Messages name the
//! server, the operation and the member, never a key, a password or a code.

/// A team-vault failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid input (a connection string, a ticket, a fingerprint, a name).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which input.
        field: String,
        /// Why.
        reason: String,
    },
    /// The server could not be reached in time, or closed the connection.
    #[error("the team vault at {server} cannot be reached ({operation}): {reason}")]
    Unreachable {
        /// host:port/database.
        server: String,
        /// What was being done.
        operation: String,
        /// The driver's reason.
        reason: String,
    },
    /// The server's schema is newer than this Coffer understands.
    #[error(
        "the team vault's schema is version {found}, newer than this Coffer's {supported}: \
         upgrade Coffer before using it"
    )]
    SchemaTooNew {
        /// On the server.
        found: i32,
        /// Understood here.
        supported: i32,
    },
    /// The connecting role lacks the privilege to create the schema or roles.
    #[error(
        "the database role cannot {operation} (PostgreSQL refused: {reason}); ask a database \
         administrator to run the SQL that `--print-sql` prints"
    )]
    NeedsDba {
        /// What needed the privilege.
        operation: String,
        /// PostgreSQL's message.
        reason: String,
    },
    /// PostgreSQL refused an action for this member's role.
    #[error("not allowed: {operation} ({reason})")]
    Forbidden {
        /// What was tried.
        operation: String,
        /// PostgreSQL's or Coffer's reason.
        reason: String,
    },
    /// The invitation code is unknown, used already or expired.
    #[error("the invitation is not valid: it is unknown, already used or expired")]
    InvitationInvalid,
    /// The fingerprint typed in does not match the member's keys.
    #[error("the fingerprint does not match member {member}'s keys: nothing was granted")]
    FingerprintMismatch {
        /// The member's id.
        member: String,
    },
    /// A record on the server fails its signature or its binding.
    #[error("{what} does not verify: it was changed on the server")]
    Tampered {
        /// What failed.
        what: String,
    },
    /// Removing this member would leave the team vault without an administrator.
    #[error("the last administrator cannot be removed: confirm another administrator first")]
    LastAdmin,
    /// The server's revision is lower than one this client saw: it was
    /// restored from an old backup, or it is hostile.
    #[error(
        "the team vault went back in time (revision {server_revision}, this desktop \
         already saw {seen}): it was restored from an old backup or the server is hostile; \
         nothing was read from it"
    )]
    Rollback {
        /// The highest revision this client saw.
        seen: i64,
        /// The server's revision now.
        server_revision: i64,
    },
    /// Something named is not there.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// This local vault has no identity for a team vault (or several, and
    /// none was chosen).
    #[error("{reason}")]
    NoIdentity {
        /// Why.
        reason: String,
    },
    /// Another database failure.
    #[error("the team vault at {server} failed ({operation}): {reason}")]
    Database {
        /// host:port/database.
        server: String,
        /// What was being done.
        operation: String,
        /// PostgreSQL's message.
        reason: String,
    },
    /// The local vault refused (locked, tampered, ...).
    #[error(transparent)]
    Vault(#[from] coffer_core::Error),
    /// An unexpected internal failure.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code a user interface branches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::Unreachable { .. } => "unreachable",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::NeedsDba { .. } => "needs_dba",
            Self::Forbidden { .. } => "forbidden",
            Self::InvitationInvalid => "invitation_invalid",
            Self::FingerprintMismatch { .. } => "fingerprint_mismatch",
            Self::Tampered { .. } => "tampered",
            Self::NotFound { .. } => "not_found",
            Self::LastAdmin => "last_admin",
            Self::Rollback { .. } => "rollback",
            Self::NoIdentity { .. } => "no_identity",
            Self::Database { .. } => "database",
            Self::Vault(e) => e.code().as_str(),
            Self::Internal(_) => "internal",
        }
    }

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn tampered(what: impl Into<String>) -> Self {
        Self::Tampered { what: what.into() }
    }
}

/// A team-vault result.
pub type Result<T> = std::result::Result<T, Error>;
