//! The core's error type and the small, stable set of codes consumers branch on.

use std::path::PathBuf;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
///
/// Messages name the thing that failed (a field, a secret, a file) and never
/// contain a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input failed validation; `field` names the offending field.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The field (or option) that is wrong, as the user named it.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A secret, organization, version or other named thing does not exist.
    #[error("{what} {name:?} not found")]
    NotFound {
        /// What kind of thing was looked for ("secret", "version", ...).
        what: &'static str,
        /// Its name or identifier.
        name: String,
    },
    /// A secret with this name already exists in the organization.
    #[error("a secret named {name:?} already exists in organization {org:?}{}", if *.in_trash { " (in the trash: restore it or delete it permanently)" } else { "" })]
    AlreadyExists {
        /// The organization.
        org: String,
        /// The clashing name.
        name: String,
        /// Whether the existing secret is in the trash.
        in_trash: bool,
    },
    /// A job with this name already exists in the organization.
    #[error("a job named {name:?} already exists in organization {org:?}")]
    JobExists {
        /// The organization.
        org: String,
        /// The clashing name.
        name: String,
    },
    /// A connection (secret manager) with this name already exists.
    #[error("a connection named {name:?} already exists (names are unique, ignoring case)")]
    ManagerExists {
        /// The clashing name.
        name: String,
    },
    /// A remote name of a connection is already the target of a live
    /// deployment or import link.
    #[error(
        "{manager}:{remote_name} is already linked to secret {secret:?} (a deployment or an import; decommission it first)"
    )]
    RemoteNameTaken {
        /// The connection.
        manager: String,
        /// The remote name.
        remote_name: String,
        /// The local secret (`org:name`) that holds it.
        secret: String,
    },
    /// Something cannot be deleted or changed while others use it.
    #[error("{what} is used by {}: {hint}", users.join(", "))]
    StillUsed {
        /// What was to be deleted or changed ("connection aws-prod").
        what: String,
        /// Who uses it ("job Default:nightly", "deployment of Default:db to aws-prod:db").
        users: Vec<String>,
        /// What the user can do.
        hint: String,
    },
    /// A run of the job is already under way; runs of one job never overlap.
    #[error("job {name:?} is already running")]
    JobRunning {
        /// The job's name.
        name: String,
    },
    /// A vault already exists where one was to be created.
    #[error("a vault already exists at {}", path.display())]
    VaultExists {
        /// The vault path.
        path: PathBuf,
    },
    /// No vault at the path.
    #[error("no vault at {} (create one with `coffer init`)", path.display())]
    NoVault {
        /// The vault path.
        path: PathBuf,
    },
    /// The recovery passphrase does not open the vault.
    #[error("wrong recovery passphrase")]
    WrongPassphrase,
    /// A master key (from the OS keyring) does not belong to this vault.
    #[error("the master key from {source_name} does not open this vault")]
    WrongKey {
        /// Where the key came from ("the OS keyring").
        source_name: &'static str,
    },
    /// The store password of a password-protected secret is wrong.
    #[error("wrong store password for secret {name:?}")]
    WrongPassword {
        /// The secret's name.
        name: String,
    },
    /// A password-protected secret was used without its store password.
    #[error("secret {name:?} is protected by a store password; give the password")]
    PasswordRequired {
        /// The secret's name.
        name: String,
    },
    /// A key or PKCS#12 file in the input is encrypted and no password was given.
    #[error("{field}: the key is encrypted; give its password")]
    KeyPasswordRequired {
        /// The field holding the encrypted key.
        field: String,
    },
    /// The password of a key or PKCS#12 file in the input is wrong.
    #[error("{field}: wrong password for the key")]
    WrongKeyPassword {
        /// The field holding the encrypted key.
        field: String,
    },
    /// The vault is locked; unlock it first.
    #[error("the vault is locked")]
    Locked,
    /// Another process replaced the master key (a rotation): the keys held
    /// here no longer open the vault.
    #[error("the master key was replaced by another process (a key rotation); unlock again")]
    KeyReplaced,
    /// Another process holds the vault.
    #[error("vault {} is in use by another process{}", path.display(), pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    InUse {
        /// The vault path.
        path: PathBuf,
        /// The holder's process id, when known.
        pid: Option<u32>,
    },
    /// A secret may not be used because of its status or policy.
    #[error("secret {name:?} is {status} and cannot be used")]
    Refused {
        /// The secret's name.
        name: String,
        /// Its status: "deactivated", "expired", "in the trash", or a policy reason.
        status: String,
    },
    /// A template job's file now names secrets beyond those a person
    /// approved: whoever can edit the file could pull any secret into it.
    #[error(
        "job {job:?} is refused: its template now uses {} that were not approved for it; \
         check the template, then approve them with `coffer job approve {job}`",
        secrets.join(", ")
    )]
    ApprovalNeeded {
        /// The job's name.
        job: String,
        /// The secrets not approved (`NAME` or `MANAGER:NAME`).
        secrets: Vec<String>,
    },
    /// A write-only secret cannot be revealed.
    #[error("secret {name:?} is write-only: it can be used but never revealed")]
    WriteOnly {
        /// The secret's name.
        name: String,
    },
    /// Authenticated decryption failed: the data was altered or moved.
    #[error("tampering detected: {what} does not authenticate")]
    Tampered {
        /// What failed to authenticate.
        what: String,
    },
    /// The vault file is damaged.
    #[error("the vault file is corrupt: {reason}")]
    Corrupt {
        /// What is wrong, and where.
        reason: String,
    },
    /// The file is not a Coffer vault.
    #[error("{} is not a Coffer vault: {reason}", path.display())]
    NotAVault {
        /// The path.
        path: PathBuf,
        /// Why it is not one.
        reason: String,
    },
    /// The vault was written by a newer Coffer.
    #[error("vault {} has schema version {found}, newer than this Coffer supports ({supported}); upgrade Coffer", path.display())]
    SchemaTooNew {
        /// The vault path.
        path: PathBuf,
        /// The schema version in the file.
        found: u32,
        /// The newest schema this build knows.
        supported: u32,
    },
    /// The OS keyring could not be used.
    #[error("OS keyring unavailable: {reason}")]
    KeyringUnavailable {
        /// Why, in words.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done ("reading {path}").
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The database reported an unexpected error.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// A file encrypted to a passphrase (an export) did not open with the one given.
    #[error("wrong passphrase for {what}")]
    WrongFilePassphrase {
        /// The file, as the user knows it ("the export file").
        what: String,
    },
    /// A file Coffer was asked to read (an export, a backup) is not one it
    /// can use: truncated, altered, another format or version.
    #[error("{what} cannot be read: {reason}")]
    Unreadable {
        /// The file, as the user knows it.
        what: String,
        /// Why; never holds a value.
        reason: String,
    },
    /// A backup belongs to another vault than the one it would replace.
    #[error("{reason}")]
    OtherVault {
        /// What differs.
        reason: String,
    },
    /// A bug or an impossible state; details are in the message.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The stable error codes that the CLI maps to exit codes and the UI branches on.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// Bad input.
    InvalidInput,
    /// Something named does not exist.
    NotFound,
    /// A name is taken, or a vault already exists.
    AlreadyExists,
    /// Wrong recovery passphrase.
    WrongPassphrase,
    /// Wrong master key.
    WrongKey,
    /// Wrong store password.
    WrongPassword,
    /// A store password is needed.
    PasswordRequired,
    /// The vault is locked.
    Locked,
    /// Another process holds the vault.
    InUse,
    /// Refused by status or policy (deactivated, expired, project).
    Refused,
    /// A run of the job is already under way.
    AlreadyRunning,
    /// Write-only secret.
    WriteOnly,
    /// Authentication of stored data failed.
    Tampered,
    /// The file is damaged, truncated or empty.
    Corrupt,
    /// No vault at the path.
    NoVault,
    /// The path holds something that is not a Coffer vault.
    NotAVault,
    /// Written by a newer Coffer.
    SchemaTooNew,
    /// The OS keyring could not be used.
    KeyringUnavailable,
    /// File-system failure.
    Io,
    /// An external key vault failed (unreachable, throttled, service error).
    Remote,
    /// A team vault's server could not be reached in time.
    Unreachable,
    /// The team vault server refused this role's action (or its login).
    Forbidden,
    /// Creating a team vault needs a database administrator (its SQL is printed).
    NeedsDba,
    /// A team vault invitation is unknown, used already or expired.
    InvitationInvalid,
    /// A typed fingerprint does not match the member's keys.
    FingerprintMismatch,
    /// Another writer changed it first (a shared secret's revision moved):
    /// nothing was written.
    Conflict,
    /// Anything else.
    Internal,
}

impl ErrorCode {
    /// The code as the snake_case string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::WrongPassphrase => "wrong_passphrase",
            Self::WrongKey => "wrong_key",
            Self::WrongPassword => "wrong_password",
            Self::PasswordRequired => "password_required",
            Self::Locked => "locked",
            Self::InUse => "in_use",
            Self::Refused => "refused",
            Self::AlreadyRunning => "already_running",
            Self::WriteOnly => "write_only",
            Self::Tampered => "tampered",
            Self::Corrupt => "corrupt",
            Self::NoVault => "no_vault",
            Self::NotAVault => "not_a_vault",
            Self::SchemaTooNew => "schema_too_new",
            Self::KeyringUnavailable => "keyring_unavailable",
            Self::Io => "io",
            Self::Remote => "remote",
            Self::Unreachable => "unreachable",
            Self::Forbidden => "forbidden",
            Self::NeedsDba => "needs_dba",
            Self::InvitationInvalid => "invitation_invalid",
            Self::FingerprintMismatch => "fingerprint_mismatch",
            Self::Conflict => "conflict",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::AlreadyExists { .. }
            | Self::VaultExists { .. }
            | Self::JobExists { .. }
            | Self::ManagerExists { .. }
            | Self::RemoteNameTaken { .. } => ErrorCode::AlreadyExists,
            Self::JobRunning { .. } => ErrorCode::AlreadyRunning,
            Self::NoVault { .. } => ErrorCode::NoVault,
            Self::NotAVault { .. } => ErrorCode::NotAVault,
            Self::WrongPassphrase | Self::WrongFilePassphrase { .. } => ErrorCode::WrongPassphrase,
            Self::WrongKey { .. } => ErrorCode::WrongKey,
            Self::WrongPassword { .. } | Self::WrongKeyPassword { .. } => ErrorCode::WrongPassword,
            Self::PasswordRequired { .. } | Self::KeyPasswordRequired { .. } => {
                ErrorCode::PasswordRequired
            }
            Self::Locked | Self::KeyReplaced => ErrorCode::Locked,
            Self::InUse { .. } => ErrorCode::InUse,
            Self::Refused { .. }
            | Self::ApprovalNeeded { .. }
            | Self::StillUsed { .. }
            | Self::OtherVault { .. } => ErrorCode::Refused,
            Self::WriteOnly { .. } => ErrorCode::WriteOnly,
            Self::Tampered { .. } => ErrorCode::Tampered,
            Self::Corrupt { .. } | Self::Unreadable { .. } => ErrorCode::Corrupt,
            Self::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Self::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Self::Io { .. } => ErrorCode::Io,
            Self::Database { .. } | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// An [`Error::InvalidInput`] for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A job that does not exist.
    pub fn job_not_found(name: impl Into<String>) -> Self {
        Self::NotFound {
            what: "job",
            name: name.into(),
        }
    }

    /// A secret that does not exist.
    pub fn secret_not_found(name: impl Into<String>) -> Self {
        Self::NotFound {
            what: "secret",
            name: name.into(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
