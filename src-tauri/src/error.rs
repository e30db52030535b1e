//! The one error type that crosses IPC: `{code, message, detail?}`.

use coffer_core::ErrorCode;
use serde::Serialize;

/// An error as the UI receives it; `code` is what it branches on.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct IpcError {
    /// Stable code.
    pub code: ErrorCode,
    /// What went wrong, for people; never contains a secret value.
    pub message: String,
    /// More context, when there is any.
    pub detail: Option<String>,
}

impl IpcError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// Input the UI should not have sent.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// A failure of the shell itself.
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        eprintln!("coffer-desktop: internal error: {message}");
        Self {
            code: ErrorCode::Internal,
            message: "Something went wrong inside Coffer.".into(),
            detail: Some(message),
        }
    }
}

impl From<coffer_core::Error> for IpcError {
    fn from(error: coffer_core::Error) -> Self {
        // A store-password error names its secret in `detail`, so a prompt
        // can mark that field without reading the message.
        let secret = match &error {
            coffer_core::Error::WrongPassword { name }
            | coffer_core::Error::PasswordRequired { name } => Some(name.clone()),
            _ => None,
        };
        match error.code() {
            ErrorCode::Internal => Self::internal(error.to_string()),
            code => Self {
                detail: secret,
                ..Self::new(code, error.to_string())
            },
        }
    }
}

/// What commands return.
pub type IpcResult<T> = Result<T, IpcError>;
