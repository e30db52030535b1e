//! Everything about a secret except its value: identity, lifecycle, labels,
//! queries. All of it is stored in clear so listing and expiry never decrypt.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::data::{FieldInputs, Intake, SecretData};
use super::kind::SecretType;
use crate::clock::Timestamp;
use crate::error::{Error, Result};

/// The organization every vault starts with.
pub const DEFAULT_ORG: &str = "Default";

/// A secret's stable identifier (a random UUID), bound into its ciphertexts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretId(pub(crate) [u8; 16]);

impl SecretId {
    pub(crate) fn random() -> Result<Self> {
        Ok(Self(crate::crypto::random_array()?))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the hyphenated UUID form.
    pub fn parse(text: &str) -> Result<Self> {
        uuid::Uuid::parse_str(text)
            .map(|u| Self(*u.as_bytes()))
            .map_err(|_| Error::invalid("id", format!("{text:?} is not a secret id")))
    }
}

#[cfg(feature = "specta")]
impl specta::Type for SecretId {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl std::fmt::Display for SecretId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        uuid::Uuid::from_bytes(self.0).hyphenated().fmt(f)
    }
}

impl std::fmt::Debug for SecretId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretId({self})")
    }
}

impl Serialize for SecretId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SecretId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How a caller names a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// By id.
    Id(SecretId),
    /// By name within an organization.
    Name {
        /// The organization.
        org: String,
        /// The secret's name.
        name: String,
    },
}

impl SecretRef {
    /// A secret in the `Default` organization.
    pub fn named(name: impl Into<String>) -> Self {
        Self::Name {
            org: DEFAULT_ORG.to_owned(),
            name: name.into(),
        }
    }

    /// A secret in `org`.
    pub fn in_org(org: impl Into<String>, name: impl Into<String>) -> Self {
        Self::Name {
            org: org.into(),
            name: name.into(),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Id(id) => id.to_string(),
            Self::Name { org, name } if org == DEFAULT_ORG => name.clone(),
            Self::Name { org, name } => format!("{org}:{name}"),
        }
    }
}

impl From<SecretId> for SecretRef {
    fn from(id: SecretId) -> Self {
        Self::Id(id)
    }
}

/// The lifecycle state a user sets.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Usable.
    Active,
    /// Switched off; using it fails (reversible).
    Deactivated,
}

impl Lifecycle {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "active" => Ok(Self::Active),
            "deactivated" => Ok(Self::Deactivated),
            other => Err(Error::Internal(format!(
                "unknown lifecycle {other:?} in store"
            ))),
        }
    }
}

/// The status shown to users: the lifecycle, or `expired` when an active
/// secret's expiry has passed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStatus {
    /// Active and not expired.
    Active,
    /// Deactivated by a user.
    Deactivated,
    /// Active, but past its expiry.
    Expired,
}

impl SecretStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
            Self::Expired => "expired",
        }
    }

    /// Parses a status name.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "active" => Ok(Self::Active),
            "deactivated" => Ok(Self::Deactivated),
            "expired" => Ok(Self::Expired),
            other => Err(Error::invalid(
                "status",
                format!("{other:?} is not a status (active, deactivated, expired)"),
            )),
        }
    }
}

impl std::fmt::Display for SecretStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may see a secret in listings once profiles exist.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone with access to the vault.
    #[default]
    Public,
    /// Only its owner.
    Private,
}

impl Visibility {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            other => Err(Error::invalid(
                "visibility",
                format!("{other:?} is not public/private"),
            )),
        }
    }
}

/// What protects a secret's data keys.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// The vault master key.
    Vault,
    /// A store password of its own (Concord `storePassword`), never stored.
    Password,
}

impl Protection {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Vault => "vault",
            Self::Password => "password",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "vault" => Ok(Self::Vault),
            "password" => Ok(Self::Password),
            other => Err(Error::Internal(format!(
                "unknown protection {other:?} in store"
            ))),
        }
    }
}

/// How a new secret is protected.
#[derive(Debug, Default)]
pub enum NewProtection {
    /// By the vault master key.
    #[default]
    Vault,
    /// By this store password.
    Password(secrecy::SecretString),
    /// By a strong random store password that is returned once.
    GeneratePassword,
}

/// A secret's metadata and public fields, as listed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct SecretMeta {
    /// Stable id.
    pub id: SecretId,
    /// Name, unique in its organization.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: SecretType,
    /// Organization.
    pub org: String,
    /// Project it is restricted to, if any.
    pub project: Option<String>,
    /// Free text.
    pub description: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Effective status.
    pub status: SecretStatus,
    /// Visibility.
    pub visibility: Visibility,
    /// Owner (the OS user who registered it).
    pub owner: String,
    /// Whether it can never be revealed.
    pub write_only: bool,
    /// What protects it.
    pub protection: Protection,
    /// Expiry, if any.
    pub expires_at: Option<Timestamp>,
    /// Public fields of the current version.
    #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, specta_typescript::Unknown>))]
    pub public_fields: serde_json::Value,
    /// Current version number (1-based).
    pub current_version: u32,
    /// Registered.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// When it was moved to the trash.
    pub deleted_at: Option<Timestamp>,
    /// When the trash will purge it.
    pub purge_at: Option<Timestamp>,
    /// When a job or placeholder last used it.
    pub last_used_at: Option<Timestamp>,
    /// How many jobs use it (by role or placeholder) and connections take
    /// their credentials from it.
    pub used_by: u32,
}

impl SecretMeta {
    /// A reference to this secret.
    pub fn reference(&self) -> SecretRef {
        SecretRef::Id(self.id)
    }
}

/// One version of a secret's value.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// Version number.
    pub version: u32,
    /// When it was made.
    pub created_at: Timestamp,
    /// Its public fields.
    #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, specta_typescript::Unknown>))]
    pub public_fields: serde_json::Value,
    /// Expiry recorded with it.
    pub expires_at: Option<Timestamp>,
    /// Why it was made ("created", "updated", "restored from version 2").
    pub note: String,
    /// Whether it is the current one.
    pub current: bool,
}

/// A secret to register.
#[derive(Debug)]
pub struct NewSecret {
    /// Name, `[A-Za-z0-9._/-]{1,128}`, unique in the organization.
    pub name: String,
    /// Organization (default `Default`); created when new.
    pub org: Option<String>,
    /// Project to restrict it to.
    pub project: Option<String>,
    /// Free text.
    pub description: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Expiry; certificates take it from the leaf when not given.
    pub expires_at: Option<Timestamp>,
    /// Accept an expiry in the past (imports).
    pub allow_past_expiry: bool,
    /// Visibility.
    pub visibility: Visibility,
    /// Never revealable.
    pub write_only: bool,
    /// Protection.
    pub protection: NewProtection,
    /// The value.
    pub data: SecretData,
}

impl NewSecret {
    /// A secret with default metadata.
    pub fn new(name: impl Into<String>, data: SecretData) -> Self {
        Self {
            name: name.into(),
            org: None,
            project: None,
            description: String::new(),
            labels: BTreeMap::new(),
            expires_at: None,
            allow_past_expiry: false,
            visibility: Visibility::Public,
            write_only: false,
            protection: NewProtection::Vault,
            data,
        }
    }

    /// Checks the name, then builds the value from named inputs.
    pub fn from_fields(
        name: impl Into<String>,
        kind: SecretType,
        fields: FieldInputs,
        intake: &Intake,
    ) -> Result<Self> {
        let name = name.into();
        super::validate::name("name", &name)?;
        Ok(Self::new(
            name,
            SecretData::from_fields(kind, fields, intake)?,
        ))
    }
}

/// A change of metadata; `None` leaves a field alone.
#[derive(Debug, Default, Clone)]
pub struct MetadataChange {
    /// New description.
    pub description: Option<String>,
    /// Labels to add or change.
    pub set_labels: BTreeMap<String, String>,
    /// Label keys to remove.
    pub remove_labels: Vec<String>,
    /// New expiry (`Some(None)` clears it).
    pub expires_at: Option<Option<Timestamp>>,
    /// Accept an expiry in the past.
    pub allow_past_expiry: bool,
    /// New project (`Some(None)` clears it).
    pub project: Option<Option<String>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// Make it write-only (one way: it cannot be made revealable again).
    pub make_write_only: bool,
}

impl MetadataChange {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.set_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.expires_at.is_none()
            && self.project.is_none()
            && self.visibility.is_none()
            && !self.make_write_only
    }
}

/// A change of value: fields to set and fields to remove; a new version is made
/// when the result differs from the current value.
#[derive(Debug, Default)]
pub struct ValueChange {
    /// Fields to set (for key/value: keys to add or change).
    pub set: FieldInputs,
    /// Fields (or keys) to remove.
    pub remove: Vec<String>,
    /// Options for parsing the new inputs.
    pub intake: Intake,
}

/// What became of a value change.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ValueOutcome {
    /// A new version was made.
    NewVersion {
        /// Its number.
        version: u32,
    },
    /// The value was already equal; nothing was written.
    Unchanged,
}

/// Sort order of listings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// By name.
    #[default]
    Name,
    /// By type.
    Type,
    /// By registration time.
    Created,
    /// By expiry (secrets without one last).
    Expires,
    /// By effective status.
    Status,
    /// By last change.
    Updated,
}

impl SortKey {
    /// Parses a sort key name.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "name" => Ok(Self::Name),
            "type" => Ok(Self::Type),
            "created" => Ok(Self::Created),
            "expires" => Ok(Self::Expires),
            "status" => Ok(Self::Status),
            "updated" => Ok(Self::Updated),
            other => Err(Error::invalid(
                "sort",
                format!(
                    "{other:?} is not a sort key (name, type, created, expires, status, updated)"
                ),
            )),
        }
    }
}

/// Which secrets a listing covers.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Secrets not in the trash.
    #[default]
    Live,
    /// Secrets in the trash.
    Trash,
}

/// A listing request.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretQuery {
    /// Case-insensitive substring of the name or description.
    pub text: Option<String>,
    /// Only these types (empty: all).
    pub types: Vec<SecretType>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<SecretStatus>,
    /// Labels that must match: `(key, Some(value))` or `(key, None)` for presence.
    pub labels: Vec<(String, Option<String>)>,
    /// Only this organization.
    pub org: Option<String>,
    /// Only this project.
    pub project: Option<String>,
    /// Only secrets whose expiry is within this many days (expired ones included).
    pub expiring_within_days: Option<u32>,
    /// Live secrets or the trash.
    pub scope: Scope,
    /// Sort key.
    pub sort: SortKey,
    /// Descending order.
    pub descending: bool,
    /// Page size (at most 1000).
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

impl Default for SecretQuery {
    fn default() -> Self {
        Self {
            text: None,
            types: Vec::new(),
            statuses: Vec::new(),
            labels: Vec::new(),
            org: None,
            project: None,
            expiring_within_days: None,
            scope: Scope::Live,
            sort: SortKey::Name,
            descending: false,
            limit: 100,
            offset: 0,
        }
    }
}

/// Largest page a listing returns.
pub const MAX_PAGE: u32 = 1000;

/// One page of a listing.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct SecretPage {
    /// How many secrets match in all.
    pub total: u32,
    /// This page.
    pub items: Vec<SecretMeta>,
}
