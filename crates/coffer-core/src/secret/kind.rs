//! The nine secret types and the fields each one has.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A secret's type.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretType {
    /// Username and password (HTTP basic auth, Concord `username_password`).
    BasicAuth,
    /// A bearer token sent in `Authorization: Bearer` or a custom header.
    BearerToken,
    /// An API key sent in a named header.
    ApiKey,
    /// OAuth 2.0 client credentials.
    ClientCredentials,
    /// A certificate chain with an optional private key (mTLS client certificates).
    Certificate,
    /// A bundle of CA certificates to trust.
    CaBundle,
    /// An SSH key pair.
    SshKeyPair,
    /// A set of keys and values.
    KeyValue,
    /// Opaque text or bytes.
    Data,
}

/// A field of a secret type.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    /// Its name, as used by `--field`, placeholders (`#FIELD`) and JSON.
    pub name: &'static str,
    /// Whether it is kept only inside the encrypted payload.
    pub secret: bool,
    /// Whether it must be given.
    pub required: bool,
}

const fn public(name: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        secret: false,
        required,
    }
}

const fn secret(name: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        secret: true,
        required,
    }
}

const BASIC_AUTH: &[FieldSpec] = &[public("username", true), secret("password", true)];
const BEARER_TOKEN: &[FieldSpec] = &[public("header_name", false), secret("token", true)];
const API_KEY: &[FieldSpec] = &[public("header_name", true), secret("value", true)];
const CLIENT_CREDENTIALS: &[FieldSpec] = &[
    public("client_id", true),
    secret("client_secret", true),
    public("scopes", false),
    public("token_url", false),
    public("audience", false),
];
const CERTIFICATE: &[FieldSpec] = &[secret("certificate", true), secret("private_key", false)];
const CA_BUNDLE: &[FieldSpec] = &[secret("certificates", true)];
const SSH_KEY_PAIR: &[FieldSpec] = &[secret("private_key", true), public("public_key", false)];
const DATA: &[FieldSpec] = &[
    secret("data", true),
    public("content_type", false),
    public("file_name", false),
];

impl SecretType {
    /// Every type, in the order the UI offers them.
    pub const ALL: [SecretType; 9] = [
        Self::BasicAuth,
        Self::BearerToken,
        Self::ApiKey,
        Self::ClientCredentials,
        Self::Certificate,
        Self::CaBundle,
        Self::SshKeyPair,
        Self::KeyValue,
        Self::Data,
    ];

    /// The snake_case name used in JSON, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BasicAuth => "basic_auth",
            Self::BearerToken => "bearer_token",
            Self::ApiKey => "api_key",
            Self::ClientCredentials => "client_credentials",
            Self::Certificate => "certificate",
            Self::CaBundle => "ca_bundle",
            Self::SshKeyPair => "ssh_key_pair",
            Self::KeyValue => "key_value",
            Self::Data => "data",
        }
    }

    /// Parses a snake_case type name (hyphens are accepted too).
    pub fn parse(text: &str) -> Result<Self> {
        let wanted = text.trim().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
                Error::invalid(
                    "type",
                    format!("{text:?} is not a type ({})", names.join(", ")),
                )
            })
    }

    /// The fixed fields of this type; empty for `key_value`, whose fields are its keys.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::BasicAuth => BASIC_AUTH,
            Self::BearerToken => BEARER_TOKEN,
            Self::ApiKey => API_KEY,
            Self::ClientCredentials => CLIENT_CREDENTIALS,
            Self::Certificate => CERTIFICATE,
            Self::CaBundle => CA_BUNDLE,
            Self::SshKeyPair => SSH_KEY_PAIR,
            Self::KeyValue => &[],
            Self::Data => DATA,
        }
    }

    /// The field that `${secret:NAME}` resolves to, if the type has a fixed one.
    /// (`key_value` has a main value only when it holds exactly one key.)
    pub fn main_field(self) -> Option<&'static str> {
        match self {
            Self::BasicAuth => Some("password"),
            Self::BearerToken => Some("token"),
            Self::ApiKey => Some("value"),
            Self::ClientCredentials => Some("client_secret"),
            Self::Certificate => Some("certificate"),
            Self::CaBundle => Some("certificates"),
            Self::SshKeyPair => Some("private_key"),
            Self::KeyValue => None,
            Self::Data => Some("data"),
        }
    }

    /// Whether the named field is kept only in the encrypted payload.
    /// Every value of a `key_value` secret is.
    pub fn is_secret_field(self, name: &str) -> bool {
        match self {
            Self::KeyValue => true,
            _ => self.fields().iter().any(|f| f.secret && f.name == name),
        }
    }
}

impl std::fmt::Display for SecretType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in SecretType::ALL {
            assert_eq!(SecretType::parse(t.as_str()).unwrap(), t);
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        assert_eq!(
            SecretType::parse("ssh-key-pair").unwrap(),
            SecretType::SshKeyPair
        );
        assert!(SecretType::parse("password").is_err());
    }

    #[test]
    fn main_fields_are_secret_fields() {
        for t in SecretType::ALL {
            if let Some(main) = t.main_field() {
                assert!(t.is_secret_field(main), "{t}");
            }
        }
    }
}
