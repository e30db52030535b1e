//! Remote failures, classified so that the user gets a hint per class.

use coffer_core::ErrorCode;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure a remote call met; each has its own hint.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The host name did not resolve.
    Dns,
    /// Nothing answered, or the connection was cut.
    Unreachable,
    /// The TLS handshake failed (certificate, trust, protocol).
    Tls,
    /// The credentials were refused (401, `UnrecognizedClientException`,
    /// an Entra ID token error).
    Unauthorized,
    /// Authenticated, but not allowed (403, `AccessDeniedException`).
    Forbidden,
    /// Throttled (429, `ThrottlingException`) and the retries are spent.
    Throttled,
    /// No such remote secret (or version).
    NotFound,
    /// The value or the name is not accepted (size, characters).
    Rejected,
    /// The remote secret exists and is not managed by Coffer.
    Conflict,
    /// The server timed out.
    Timeout,
    /// Anything else the service said.
    Service,
}

impl FailureClass {
    /// The class as the snake_case string used in JSON and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Unreachable => "unreachable",
            Self::Tls => "tls",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Throttled => "throttled",
            Self::NotFound => "not_found",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
            Self::Timeout => "timeout",
            Self::Service => "service",
        }
    }

    /// What the user can do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Dns => "check the region or vault URI: the host name does not resolve",
            Self::Unreachable => "check the network, proxy and endpoint: nothing answered",
            Self::Tls => {
                "the server's certificate is not trusted or TLS failed: check the endpoint and your CA certificates"
            }
            Self::Unauthorized => {
                "the credentials were refused: check the credential secret (and that it is current)"
            }
            Self::Forbidden => {
                "the credentials are valid but not allowed: check the IAM policy or the vault's access policy"
            }
            Self::Throttled => {
                "the service is throttling requests: try again later or lower the connection's write rate"
            }
            Self::NotFound => "no such secret in the key vault",
            Self::Rejected => "the service refused the name or value",
            Self::Conflict => {
                "a secret of that name exists and is not managed by Coffer: adopt it explicitly to overwrite it"
            }
            Self::Timeout => "the service did not answer in time: try again",
            Self::Service => "the service reported an error",
        }
    }
}

/// Errors of remote operations. Messages never contain a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A call to the key vault failed.
    #[error("{manager}: {operation} failed: {message}")]
    Remote {
        /// The connection's name.
        manager: String,
        /// What was being done ("listing secrets", "reading db/password").
        operation: String,
        /// The class, for the hint and the code.
        class: FailureClass,
        /// What the service or the transport said (no values).
        message: String,
        /// The server's `Retry-After`, if it sent one, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// A local rule or lookup failed (locked vault, unknown connection,
    /// unusable credential secret, ...).
    #[error(transparent)]
    Core(#[from] coffer_core::Error),
}

impl Error {
    /// The stable code the CLI and the UI branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Remote { class, .. } => match class {
                FailureClass::NotFound => ErrorCode::NotFound,
                FailureClass::Rejected => ErrorCode::InvalidInput,
                FailureClass::Conflict => ErrorCode::AlreadyExists,
                FailureClass::Unauthorized | FailureClass::Forbidden => ErrorCode::Refused,
                _ => ErrorCode::Remote,
            },
            Self::Core(e) => e.code(),
        }
    }

    /// The failure class of a remote error.
    pub fn class(&self) -> Option<FailureClass> {
        match self {
            Self::Remote { class, .. } => Some(*class),
            Self::Core(_) => None,
        }
    }
}
