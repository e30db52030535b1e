//! Validation rules shared by every secret type. Each failure names its field.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// Largest value of one field.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;
/// Largest secret (all fields together).
pub const MAX_SECRET_BYTES: usize = 4 * 1024 * 1024;
/// Longest secret name.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 4096;
/// Most labels on one secret.
pub const MAX_LABELS: usize = 64;

/// Checks a secret, organization or project name: `[A-Za-z0-9._/-]{1,128}`.
pub fn name(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if let Some(bad) = value.chars().find(|c| !is_name_char(*c)) {
        return Err(Error::invalid(
            field,
            format!("{bad:?} is not allowed (use letters, digits, '.', '_', '/', '-')"),
        ));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')
}

/// Checks an HTTP header name: an RFC 9110 token.
pub fn header_name(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > 256 {
        return Err(Error::invalid(field, "must be at most 256 characters"));
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if let Some(bad) = value.chars().find(|c| !token(*c)) {
        return Err(Error::invalid(
            field,
            format!("{bad:?} is not allowed in an HTTP header name"),
        ));
    }
    Ok(())
}

/// Checks an HTTP header value: visible ASCII and spaces, no line breaks.
pub fn header_value(field: &str, value: &str) -> Result<()> {
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(Error::invalid(field, "must not contain line breaks or NUL"));
    }
    Ok(())
}

/// Checks a URL that credentials are sent to: it must parse, and use https
/// unless the host is loopback.
pub fn credential_url(field: &str, value: &str) -> Result<url::Url> {
    let url = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("{value:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid(
                field,
                "must use https (http is allowed only for loopback)",
            ));
        }
        other => {
            return Err(Error::invalid(
                field,
                format!("scheme {other:?} is not http(s)"),
            ));
        }
    }
    if url.host().is_none() {
        return Err(Error::invalid(field, "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not carry credentials in the URL",
        ));
    }
    Ok(url)
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Splits and checks OAuth 2.0 scopes (RFC 6749 §3.3), separated by spaces or commas.
pub fn scopes(field: &str, value: &str) -> Result<Vec<String>> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in value
        .split([' ', ',', '\n', '\t'])
        .filter(|s| !s.is_empty())
    {
        let allowed = |c: char| matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
        if let Some(bad) = scope.chars().find(|c| !allowed(*c)) {
            return Err(Error::invalid(
                field,
                format!("{bad:?} is not allowed in a scope"),
            ));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Ok(scopes)
}

/// Checks a key of a key/value secret.
pub fn key_name(field: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid(field, "keys must not be empty"));
    }
    if key.chars().count() > 256 {
        return Err(Error::invalid(field, "keys must be at most 256 characters"));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || matches!(c, '=' | '#' | '{' | '}' | '$'))
    {
        return Err(Error::invalid(
            field,
            format!("key {key:?}: {bad:?} is not allowed"),
        ));
    }
    Ok(())
}

/// Checks labels: keys like names (at most 63 characters), values at most 256 characters.
pub fn labels(labels: &BTreeMap<String, String>) -> Result<()> {
    if labels.len() > MAX_LABELS {
        return Err(Error::invalid(
            "labels",
            format!("at most {MAX_LABELS} labels"),
        ));
    }
    for (key, value) in labels {
        let field = format!("label {key:?}");
        if key.is_empty() || key.len() > 63 || !key.chars().all(is_name_char) {
            return Err(Error::invalid(
                field,
                "label keys are 1-63 letters, digits, '.', '_', '/', '-'",
            ));
        }
        if value.chars().count() > 256 || value.chars().any(char::is_control) {
            return Err(Error::invalid(
                field,
                "label values are at most 256 characters, no control characters",
            ));
        }
    }
    Ok(())
}

/// Checks a description.
pub fn description(value: &str) -> Result<()> {
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks a single-line public text field (username, client id, ...).
pub fn public_text(field: &str, value: &str, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if value.chars().count() > 1024 {
        return Err(Error::invalid(field, "must be at most 1024 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks the size of one field value.
pub fn value_size(field: &str, len: usize) -> Result<()> {
    if len > MAX_VALUE_BYTES {
        return Err(Error::invalid(
            field,
            format!("is {len} bytes; a value may be at most {MAX_VALUE_BYTES} bytes (1 MiB)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(name("name", "prod/db.password-1_x").is_ok());
        assert!(name("name", "").is_err());
        assert!(name("name", &"a".repeat(128)).is_ok());
        assert!(name("name", &"a".repeat(129)).is_err());
        let err = name("name", "with space").unwrap_err().to_string();
        assert!(err.starts_with("name: ' '"), "{err}");
        assert!(name("name", "é").is_err());
    }

    #[test]
    fn headers() {
        assert!(header_name("header_name", "X-Api-Key").is_ok());
        assert!(header_name("header_name", "X Api").is_err());
        assert!(header_name("header_name", "X:Api").is_err());
        assert!(header_name("header_name", "").is_err());
    }

    #[test]
    fn urls() {
        assert!(credential_url("token_url", "https://idp.example.com/token").is_ok());
        assert!(credential_url("token_url", "http://127.0.0.1:8080/token").is_ok());
        assert!(credential_url("token_url", "http://localhost/token").is_ok());
        assert!(credential_url("token_url", "http://[::1]/token").is_ok());
        assert!(credential_url("token_url", "http://idp.example.com/token").is_err());
        assert!(credential_url("token_url", "ftp://idp.example.com/").is_err());
        assert!(credential_url("token_url", "not a url").is_err());
        assert!(credential_url("token_url", "https://u:p@idp.example.com/").is_err());
    }

    #[test]
    fn scope_lists() {
        assert_eq!(scopes("scopes", "a b,c  a").unwrap(), ["a", "b", "c"]);
        assert!(scopes("scopes", "a\"b").is_err());
        assert!(scopes("scopes", "").unwrap().is_empty());
    }

    #[test]
    fn keys_and_labels() {
        assert!(key_name("data", "DB_HOST").is_ok());
        assert!(key_name("data", "db.host/x").is_ok());
        assert!(key_name("data", "").is_err());
        assert!(key_name("data", "a=b").is_err());
        assert!(key_name("data", "a b").is_err());
        let mut l = BTreeMap::new();
        l.insert("env".to_owned(), "prod".to_owned());
        assert!(labels(&l).is_ok());
        l.insert("bad key".to_owned(), "x".to_owned());
        assert!(labels(&l).is_err());
    }
}
