//! Azure SDK errors classified into [`FailureClass`], with messages that
//! carry no values (Key Vault's and Entra ID's error texts name secrets and
//! codes, never values; request bodies are never quoted).

use std::error::Error as StdError;

use azure_core::error::ErrorKind;
use azure_core::http::StatusCode;
use azure_core::http::headers::{HeaderName, RETRY_AFTER};

use super::transport::DnsFailure;
use crate::error::{Error, FailureClass};

/// Longest service message kept in an error.
const MAX_MESSAGE: usize = 400;

const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
const X_MS_RETRY_AFTER_MS: HeaderName = HeaderName::from_static("x-ms-retry-after-ms");

/// A remote error for `operation` on connection `manager`.
pub(crate) fn remote(
    manager: &str,
    operation: &str,
    class: FailureClass,
    message: String,
) -> Error {
    Error::Remote {
        manager: manager.to_owned(),
        operation: operation.to_owned(),
        class,
        message,
        retry_after_ms: None,
    }
}

/// Classifies an SDK error.
pub(crate) fn classify(manager: &str, operation: &str, err: &azure_core::Error) -> Error {
    let (class, message, retry_after_ms) = class_of(err);
    let mut message = message;
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push('…');
    }
    Error::Remote {
        manager: manager.to_owned(),
        operation: operation.to_owned(),
        class,
        message,
        retry_after_ms,
    }
}

fn class_of(err: &azure_core::Error) -> (FailureClass, String, Option<u64>) {
    let mut credential = false;
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    let mut transport: Option<FailureClass> = None;
    while let Some(e) = current {
        if let Some(az) = e.downcast_ref::<azure_core::Error>() {
            match az.kind() {
                ErrorKind::Credential => credential = true,
                ErrorKind::HttpResponse {
                    status,
                    error_code,
                    raw_response,
                } => {
                    let retry_after = raw_response
                        .as_ref()
                        .and_then(|r| retry_after_ms(r.headers()));
                    let class = http_class(*status, credential);
                    let code = error_code.as_deref().unwrap_or("");
                    let who = if credential { "Entra ID" } else { "Key Vault" };
                    let text = raw_response
                        .as_ref()
                        .map_or_else(String::new, |r| service_text(r.body()));
                    let message =
                        format!("{who} answered HTTP {} {code}: {text}", u16::from(*status));
                    return (class, message, retry_after);
                }
                _ => {}
            }
        }
        if transport.is_none() {
            transport = transport_class(e);
        }
        current = e.source();
    }
    let class = transport.unwrap_or(if credential {
        FailureClass::Unauthorized
    } else {
        FailureClass::Service
    });
    (class, chain_text(err), None)
}

/// The service's own error text from an error body: Key Vault's
/// `error.message` or Entra ID's `error_description`. Anything else (a proxy's
/// page, which might echo the request and so a value) is not quoted.
fn service_text(body: &[u8]) -> String {
    let not_service = || {
        format!(
            "an answer of {} bytes that is not a service error",
            body.len()
        )
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return not_service();
    };
    json["error"]["message"]
        .as_str()
        .or_else(|| json["error_description"].as_str())
        .map_or_else(not_service, str::to_owned)
}

fn http_class(status: StatusCode, credential: bool) -> FailureClass {
    match u16::from(status) {
        400 | 401 if credential => FailureClass::Unauthorized,
        401 => FailureClass::Unauthorized,
        403 => FailureClass::Forbidden,
        404 => FailureClass::NotFound,
        408 | 504 => FailureClass::Timeout,
        429 => FailureClass::Throttled,
        400 | 409 | 413 => FailureClass::Rejected,
        _ => FailureClass::Service,
    }
}

fn transport_class(e: &(dyn StdError + 'static)) -> Option<FailureClass> {
    if e.downcast_ref::<DnsFailure>().is_some() {
        return Some(FailureClass::Dns);
    }
    if e.downcast_ref::<rustls::Error>().is_some() {
        return Some(FailureClass::Tls);
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        // I/O errors nest (tokio-rustls wraps rustls' error in one, hyper
        // in another), and their source() skips the wrapped error itself.
        if let Some(inner) = io.get_ref()
            && let Some(class) = transport_class(inner)
        {
            return Some(class);
        }
        use std::io::ErrorKind as Io;
        return match io.kind() {
            Io::TimedOut => Some(FailureClass::Timeout),
            Io::ConnectionRefused
            | Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::NotConnected
            | Io::BrokenPipe
            | Io::UnexpectedEof
            | Io::AddrNotAvailable
            | Io::HostUnreachable
            | Io::NetworkUnreachable => Some(FailureClass::Unreachable),
            _ => None,
        };
    }
    if let Some(req) = e.downcast_ref::<reqwest::Error>() {
        if req.is_timeout() {
            return Some(FailureClass::Timeout);
        }
        // Deeper sources may be more precise (TLS, DNS): only a guess here.
        if req.is_connect() || req.is_request() || req.is_body() {
            return e
                .source()
                .and_then(deeper_transport_class)
                .or(Some(FailureClass::Unreachable));
        }
    }
    None
}

fn deeper_transport_class(e: &(dyn StdError + 'static)) -> Option<FailureClass> {
    let mut current = Some(e);
    while let Some(e) = current {
        if let Some(class) = transport_class(e) {
            return Some(class);
        }
        current = e.source();
    }
    None
}

fn retry_after_ms(headers: &azure_core::http::headers::Headers) -> Option<u64> {
    for name in [&RETRY_AFTER_MS, &X_MS_RETRY_AFTER_MS] {
        if let Some(ms) = headers
            .get_optional_str(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(ms);
        }
    }
    headers
        .get_optional_str(&RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.saturating_mul(1000))
}

fn chain_text(err: &azure_core::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
