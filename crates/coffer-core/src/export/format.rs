//! The JSON inside a Coffer export (format `coffer-export`, version 1, or
//! version 2 when it carries jobs), documented in docs/design.md so that
//! another tool can read it.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::clock::Timestamp;
use crate::secret::{
    FieldInputs, Lifecycle, Protection, SecretBytes, SecretData, SecretType, Visibility,
};

/// The `format` member of every export.
pub const FORMAT: &str = "coffer-export";
/// The newest format version this Coffer writes and reads: 2, which adds
/// `jobs`. An export without jobs is written as version 1, which every
/// Coffer that reads exports reads.
pub const VERSION: u32 = 2;
/// The version of an export without jobs.
pub const VERSION_WITHOUT_JOBS: u32 = 1;

/// The whole document.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document {
    pub format: String,
    pub version: u32,
    pub exported_at: Timestamp,
    /// The exporting vault's id.
    pub vault_id: String,
    /// What was asked for: `all`, `organization:NAME` or `selected`.
    pub scope: String,
    /// Whether every kept version is included (else the current one only).
    pub all_versions: bool,
    pub secrets: Vec<Secret>,
    /// Version 2: the jobs of the exported organizations, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<super::jobs::Job>>,
}

/// One secret: metadata, and its versions oldest first.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Secret {
    pub name: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(rename = "type")]
    pub kind: SecretType,
    pub status: Lifecycle,
    pub visibility: Visibility,
    pub write_only: bool,
    pub protection: Protection,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Why the values are absent: `write_only` or `store_password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_withheld: Option<Withheld>,
    pub versions: Vec<Version>,
}

/// Why an exported secret carries no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Withheld {
    /// Write-only: promised never to be displayed again.
    WriteOnly,
    /// Protected by a store password that was not given.
    StorePassword,
}

/// One version; `fields` is empty when the value is withheld.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Version {
    pub version: u32,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// A named field of a value: UTF-8 text as `text`, anything else as `base64`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub name: String,
    pub secret: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl Drop for Field {
    fn drop(&mut self) {
        self.text.zeroize();
        self.base64.zeroize();
    }
}

impl Field {
    /// The fields of a value, in the type's order.
    pub fn all_of(data: &SecretData) -> Vec<Self> {
        data.fields()
            .into_iter()
            .map(|f| {
                let (text, base64) = match std::str::from_utf8(&f.value) {
                    Ok(text) => (Some(text.to_owned()), None),
                    Err(_) => (
                        None,
                        Some(base64::engine::general_purpose::STANDARD.encode(&f.value)),
                    ),
                };
                Self {
                    name: f.name.into_owned(),
                    secret: f.secret,
                    text,
                    base64,
                }
            })
            .collect()
    }

    /// The bytes of this field, or why they cannot be read.
    fn bytes(&self) -> Result<SecretBytes, String> {
        match (&self.text, &self.base64) {
            (Some(text), None) => Ok(SecretBytes::from(text.as_bytes().to_vec())),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map(SecretBytes::from)
                .map_err(|_| format!("field {:?} is not valid base64", self.name)),
            _ => Err(format!(
                "field {:?} must have exactly one of text and base64",
                self.name
            )),
        }
    }
}

/// Rebuilds (and validates, as any input is) a value from exported fields.
pub(crate) fn data_of(kind: SecretType, fields: &[Field]) -> Result<SecretData, String> {
    let mut inputs: FieldInputs = Vec::with_capacity(fields.len());
    for field in fields {
        inputs.push((field.name.clone(), field.bytes()?));
    }
    SecretData::from_fields(kind, inputs, &crate::secret::Intake::default()).map_err(|e| {
        // Validation messages name the field, never its value.
        e.to_string()
    })
}

/// A stand-in value for a secret exported without one (write-only or
/// store-password): its public fields, empty secret fields. Never stored:
/// an import asks for the real value.
pub(crate) fn placeholder(kind: SecretType, fields: &[Field]) -> SecretData {
    use crate::secret::{
        ApiKey, BasicAuth, BearerToken, Blob, CaBundle, Certificate, ClientCredentials, KeyValue,
        SshKeyPair,
    };
    use secrecy::SecretString;
    let public = |name: &str| {
        fields
            .iter()
            .find(|f| !f.secret && f.name == name)
            .and_then(|f| f.text.clone())
    };
    let empty = || SecretString::from(String::new());
    match kind {
        SecretType::BasicAuth => SecretData::BasicAuth(BasicAuth {
            username: public("username").unwrap_or_default(),
            password: empty(),
        }),
        SecretType::BearerToken => SecretData::BearerToken(BearerToken {
            header_name: public("header_name")
                .unwrap_or_else(|| crate::secret::DEFAULT_BEARER_HEADER.to_owned()),
            token: empty(),
        }),
        SecretType::ApiKey => SecretData::ApiKey(ApiKey {
            header_name: public("header_name").unwrap_or_default(),
            value: empty(),
        }),
        SecretType::ClientCredentials => SecretData::ClientCredentials(ClientCredentials {
            client_id: public("client_id").unwrap_or_default(),
            client_secret: empty(),
            scopes: public("scopes")
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            token_url: public("token_url"),
            audience: public("audience"),
        }),
        SecretType::Certificate => SecretData::Certificate(Certificate {
            certificate: empty(),
            private_key: None,
            summary: serde_json::Value::Null,
        }),
        SecretType::CaBundle => SecretData::CaBundle(CaBundle {
            certificates: empty(),
            summary: serde_json::Value::Null,
        }),
        SecretType::SshKeyPair => SecretData::SshKeyPair(SshKeyPair {
            private_key: empty(),
            public_key: public("public_key").unwrap_or_default(),
            summary: serde_json::Value::Null,
        }),
        SecretType::KeyValue => SecretData::KeyValue(KeyValue {
            entries: Vec::new(),
        }),
        SecretType::Data => SecretData::Data(Blob {
            data: SecretBytes::from(Vec::new()),
            content_type: public("content_type")
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            file_name: public("file_name"),
        }),
    }
}
