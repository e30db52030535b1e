//! Shapes that cross IPC and are not core types.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use coffer_core::secret::{MetadataChange, SecretBytes, SecretType, Visibility};
use coffer_core::{ExposeSecret, SecretString, Timestamp};
use serde::{Deserialize, Deserializer, Serialize};
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};
use crate::files::FileTokens;

/// A secret string from the UI (a password, a value): redacted in `Debug`,
/// zeroized when dropped, never serialized back.
pub struct SecretInput(Zeroizing<String>);

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretInput(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for SecretInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(Zeroizing::new(String::deserialize(d)?)))
    }
}

impl specta::Type for SecretInput {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl SecretInput {
    /// As the core's secret string.
    pub fn to_secret(&self) -> SecretString {
        SecretString::from(self.0.as_str())
    }
}

/// Optional secret input to the core's form.
pub fn secret(input: Option<&SecretInput>) -> Option<SecretString> {
    input.map(SecretInput::to_secret)
}

/// A field value from a form, a file read by the page, or a handed-over file.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldValue {
    /// Text typed or pasted.
    Text {
        /// The text.
        text: SecretInput,
    },
    /// Bytes the page read (a file input), base64-encoded.
    Base64 {
        /// The bytes.
        data: SecretInput,
    },
    /// A file dropped on the window or chosen in the native dialog.
    File {
        /// Its token.
        token: String,
    },
}

/// A named field value.
#[derive(Debug, Deserialize, specta::Type)]
pub struct FieldInput {
    /// The field (or key/value key).
    pub name: String,
    /// Its value.
    pub value: FieldValue,
}

/// Largest request the shell decodes (a secret is at most 4 MiB, base64 adds a third).
const MAX_INPUT_BYTES: usize = 6 * 1024 * 1024;

impl FieldValue {
    /// The value's bytes (and the file name, for files).
    pub fn bytes(&self, files: &FileTokens) -> IpcResult<(Zeroizing<Vec<u8>>, Option<String>)> {
        match self {
            Self::Text { text } => Ok((Zeroizing::new(text.0.as_bytes().to_vec()), None)),
            Self::Base64 { data } => {
                if data.0.len() > MAX_INPUT_BYTES {
                    return Err(IpcError::invalid("The file is larger than 4 MiB."));
                }
                let bytes = B64
                    .decode(data.0.as_bytes())
                    .map_err(|_| IpcError::invalid("The file's contents were not valid base64."))?;
                Ok((Zeroizing::new(bytes), None))
            }
            Self::File { token } => {
                let (name, bytes) = files.read(token)?;
                Ok((bytes, Some(name)))
            }
        }
    }
}

/// Turns UI inputs into the core's field inputs; a `data` file also names itself.
pub fn field_inputs(
    kind: SecretType,
    fields: &[FieldInput],
    files: &FileTokens,
) -> IpcResult<coffer_core::secret::FieldInputs> {
    let mut out = Vec::with_capacity(fields.len());
    let mut total = 0usize;
    for field in fields {
        let (bytes, file_name) = field.value.bytes(files)?;
        total += bytes.len();
        if total > MAX_INPUT_BYTES {
            return Err(IpcError::invalid("The secret is larger than 4 MiB."));
        }
        out.push((field.name.clone(), SecretBytes::from(bytes.to_vec())));
        let named = fields.iter().any(|f| f.name == "file_name");
        if let (SecretType::Data, "data", Some(name), false) =
            (kind, field.name.as_str(), file_name, named)
        {
            out.push(("file_name".into(), SecretBytes::from(name.into_bytes())));
        }
    }
    Ok(out)
}

/// How a new secret is protected.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProtectionRequest {
    /// By the vault master key.
    Vault,
    /// By a store password of its own.
    Password {
        /// The password.
        password: SecretInput,
    },
    /// By a generated store password, returned once.
    Generate,
}

/// A registration from the wizard.
#[derive(Debug, Deserialize, specta::Type)]
pub struct RegisterRequest {
    /// Type.
    #[serde(rename = "type")]
    pub kind: SecretType,
    /// Name.
    pub name: String,
    /// Organization (default `Default`).
    pub org: Option<String>,
    /// Project restriction.
    pub project: Option<String>,
    /// Description.
    pub description: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Expiry (certificates fill it from the leaf).
    pub expires_at: Option<Timestamp>,
    /// Accept an expiry in the past.
    pub allow_past_expiry: bool,
    /// Visibility.
    pub visibility: Visibility,
    /// Never revealable.
    pub write_only: bool,
    /// Protection.
    pub protection: ProtectionRequest,
    /// The value's fields.
    pub fields: Vec<FieldInput>,
    /// Password of an encrypted key or PKCS#12 file in the fields (never stored).
    pub key_password: Option<SecretInput>,
    /// Store a certificate whose key does not match its leaf.
    pub allow_key_mismatch: bool,
    /// For an SSH key pair: generate one instead of reading `fields`.
    pub generate_ssh: Option<SshGenerateRequest>,
}

/// An SSH key pair to generate.
#[derive(Debug, Deserialize, specta::Type)]
pub struct SshGenerateRequest {
    /// `ed25519` (default), `rsa` or `ecdsa`.
    pub algorithm: String,
    /// RSA size: 3072 or 4096.
    pub bits: Option<u32>,
    /// The public key's comment (default `coffer:NAME`).
    pub comment: Option<String>,
}

/// A registered secret, with the generated store password when one was asked for.
#[derive(Debug, Serialize, specta::Type)]
pub struct RegisterResponse {
    /// The secret.
    pub secret: coffer_core::secret::SecretMeta,
    /// Shown once, never stored.
    pub generated_password: Option<String>,
}

/// A revealed value.
#[derive(Debug, Serialize, specta::Type)]
pub struct RevealedValue {
    /// The field.
    pub field: String,
    /// Whether it is a secret field.
    pub secret: bool,
    /// The value as text, when it is UTF-8.
    pub text: Option<String>,
    /// Otherwise the bytes, base64-encoded.
    pub base64: Option<String>,
}

impl RevealedValue {
    /// From the core's revealed field.
    pub fn from_field(field: &coffer_core::RevealedField) -> Self {
        let bytes = field.value.expose_secret();
        let (text, base64) = match std::str::from_utf8(bytes) {
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(B64.encode(bytes))),
        };
        Self {
            field: field.name.clone(),
            secret: field.secret,
            text,
            base64,
        }
    }
}

/// Set or clear an optional value.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
pub enum Change<T> {
    /// Set it.
    Set(T),
    /// Clear it.
    Clear,
}

impl<T> Change<T> {
    fn into_option(self) -> Option<T> {
        match self {
            Self::Set(value) => Some(value),
            Self::Clear => None,
        }
    }
}

/// A metadata edit from the UI.
#[derive(Debug, Default, Deserialize, specta::Type)]
#[serde(default)]
pub struct MetadataPatch {
    /// New description.
    pub description: Option<String>,
    /// Labels to add or change.
    pub set_labels: BTreeMap<String, String>,
    /// Labels to remove.
    pub remove_labels: Vec<String>,
    /// New or cleared expiry.
    pub expires: Option<Change<Timestamp>>,
    /// Accept an expiry in the past.
    pub allow_past_expiry: bool,
    /// New or cleared project.
    pub project: Option<Change<String>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// Make write-only (one way).
    pub make_write_only: bool,
}

impl MetadataPatch {
    /// As the core's change.
    pub fn into_change(self) -> MetadataChange {
        MetadataChange {
            description: self.description,
            set_labels: self.set_labels,
            remove_labels: self.remove_labels,
            expires_at: self.expires.map(Change::into_option),
            allow_past_expiry: self.allow_past_expiry,
            project: self.project.map(Change::into_option),
            visibility: self.visibility,
            make_write_only: self.make_write_only,
        }
    }
}

/// What the app shows before anything else.
#[derive(Debug, Serialize, specta::Type)]
pub struct AppStatus {
    /// The vault file.
    pub vault_path: String,
    /// Whether a vault exists there.
    pub exists: bool,
    /// Why it could not be opened, if it exists but did not open.
    pub open_error: Option<IpcError>,
    /// Whether it is unlocked.
    pub unlocked: bool,
    /// Whether the OS keyring may unlock it now: only at start, never after
    /// a lock (a lock asks for something only the person knows).
    pub keyring_allowed: bool,
    /// Whether a quick-unlock PIN is set (this session only, memory only).
    pub quick_unlock: bool,
    /// Whether the vault keeps its master key in the OS keyring.
    pub uses_keyring: bool,
}

/// Which secrets a bulk action applies to.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// These secrets.
    Ids(Vec<coffer_core::secret::SecretId>),
    /// Every secret the filter matches when the action runs (its paging
    /// ignored), but the ones in `except`: "select all N matching" without
    /// shipping every id through IPC.
    Matching {
        /// The list's filter.
        query: coffer_core::secret::SecretQuery,
        /// Matching secrets the user unticked.
        except: Vec<coffer_core::secret::SecretId>,
    },
}

/// The outcome of an action on several secrets.
#[derive(Debug, Default, Serialize, specta::Type)]
pub struct BulkResult {
    /// How many succeeded.
    pub done: u32,
    /// The ones that failed, with why.
    pub failed: Vec<BulkFailure>,
}

/// One failure of a bulk action.
#[derive(Debug, Serialize, specta::Type)]
pub struct BulkFailure {
    /// The secret.
    pub id: coffer_core::secret::SecretId,
    /// Why.
    pub error: IpcError,
}

/// A secret type and its fields, for the wizard.
#[derive(Debug, Serialize, specta::Type)]
pub struct TypeInfo {
    /// The type.
    #[serde(rename = "type")]
    pub kind: SecretType,
    /// Its fixed fields (none for key/value).
    pub fields: Vec<coffer_core::secret::FieldSpec>,
    /// What `${secret:NAME}` resolves to.
    pub main_field: Option<String>,
}
