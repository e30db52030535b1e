//! Why a file cannot be read at all, with a stable code. Messages name the
//! place (a line, a row, a header field) and never hold a value.

/// A file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is over the size limit (checked before reading it).
    #[error("the file is {size} bytes; Coffer imports files of at most {limit} bytes")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A CSV row has more columns than the limit.
    #[error("row {row} has {columns} columns; at most {limit} are imported")]
    TooManyColumns {
        /// The row (1-based record number).
        row: u64,
        /// Its column count.
        columns: usize,
        /// The limit.
        limit: usize,
    },
    /// A CSV has more rows than the limit.
    #[error("the file has more than {limit} rows")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// The content is not what the format says.
    #[error("not a valid {format} file: {reason}")]
    Malformed {
        /// The format.
        format: &'static str,
        /// Where and what (never a value).
        reason: String,
    },
    /// The file ends before its structure does.
    #[error("the {format} file is truncated: {reason}")]
    Truncated {
        /// The format.
        format: &'static str,
        /// What is missing.
        reason: String,
    },
    /// The password or key file does not open the file.
    #[error("wrong password or key file")]
    WrongPassword,
    /// The file is encrypted and no password or key file was given.
    #[error("the file is encrypted: give its password or key file")]
    PasswordRequired,
    /// The key derivation the file asks for would take too long or too much memory.
    #[error("the file's key derivation is too costly to run: {reason}")]
    KdfTooCostly {
        /// Which parameter, its value and the limit.
        reason: String,
    },
    /// A version of the format Coffer does not read.
    #[error("{format} version {version} is not supported")]
    UnsupportedVersion {
        /// The format.
        format: &'static str,
        /// The version found.
        version: String,
    },
    /// A format this build does not read yet.
    #[error("importing {format} is not supported")]
    Unsupported {
        /// The format.
        format: &'static str,
    },
    /// An option is wrong (a CSV mapping, a name).
    #[error("{field}: {message}")]
    InvalidOption {
        /// The option.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The stable code consumers branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::TooManyColumns { .. } => "too_many_columns",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::Malformed { .. } => "malformed",
            Self::Truncated { .. } => "truncated",
            Self::WrongPassword => "wrong_password",
            Self::PasswordRequired => "password_required",
            Self::KdfTooCostly { .. } => "kdf_too_costly",
            Self::UnsupportedVersion { .. } => "unsupported_version",
            Self::Unsupported { .. } => "unsupported_format",
            Self::InvalidOption { .. } => "invalid_input",
        }
    }

    pub(crate) fn malformed(format: &'static str, reason: impl Into<String>) -> Self {
        Self::Malformed {
            format,
            reason: reason.into(),
        }
    }

    pub(crate) fn option(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidOption {
            field: field.into(),
            message: message.into(),
        }
    }
}
