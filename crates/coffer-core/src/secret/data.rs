//! Typed secret values: built from named field inputs, split into public
//! fields (clear JSON) and secret fields (the encrypted payload), and back.

use std::borrow::Cow;
use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretSlice, SecretString};
use serde_json::{Map, Value, json};

use super::kind::SecretType;
use super::validate;
use crate::error::{Error, Result};

/// Bytes that must not leak: redacted `Debug`, zeroized on drop, not serializable.
pub type SecretBytes = SecretSlice<u8>;

/// One named input value (`--field name=...`, a form field, a dropped file).
/// Every input is treated as sensitive until the type says otherwise.
pub type FieldInputs = Vec<(String, SecretBytes)>;

/// The default header of a bearer token.
pub const DEFAULT_BEARER_HEADER: &str = "Authorization";

/// Username and password.
#[derive(Debug)]
pub struct BasicAuth {
    /// The user name (public).
    pub username: String,
    /// The password.
    pub password: SecretString,
}

/// A bearer token.
#[derive(Debug)]
pub struct BearerToken {
    /// `Authorization` (sent as `Bearer <token>`) or a custom header carrying the raw token.
    pub header_name: String,
    /// The token.
    pub token: SecretString,
}

/// An API key sent in a header.
#[derive(Debug)]
pub struct ApiKey {
    /// The header that carries the key.
    pub header_name: String,
    /// The key.
    pub value: SecretString,
}

/// OAuth 2.0 client credentials.
#[derive(Debug)]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// The token endpoint.
    pub token_url: Option<String>,
    /// The audience to request, if the provider needs one.
    pub audience: Option<String>,
}

/// A certificate chain with an optional private key.
#[derive(Debug)]
pub struct Certificate {
    /// The PEM chain, leaf first.
    pub certificate: SecretString,
    /// The private key, unencrypted PEM (kept only inside Coffer's encryption).
    pub private_key: Option<SecretString>,
    /// Public summary of the chain.
    pub summary: Value,
}

/// CA certificates to trust.
#[derive(Debug)]
pub struct CaBundle {
    /// The PEM bundle.
    pub certificates: SecretString,
    /// Public summary of each CA.
    pub summary: Value,
}

/// An SSH key pair.
#[derive(Debug)]
pub struct SshKeyPair {
    /// The private key (OpenSSH format, unencrypted inside Coffer's encryption).
    pub private_key: SecretString,
    /// The public key line.
    pub public_key: String,
    /// Public facts about the key (algorithm, fingerprint).
    pub summary: Value,
}

/// Keys and values.
#[derive(Debug)]
pub struct KeyValue {
    /// Entries in the order given; keys are unique.
    pub entries: Vec<(String, SecretString)>,
}

/// Opaque text or bytes.
#[derive(Debug)]
pub struct Blob {
    /// The content.
    pub data: SecretBytes,
    /// Its media type.
    pub content_type: String,
    /// The file it came from, if any.
    pub file_name: Option<String>,
}

/// A secret's value, typed.
#[derive(Debug)]
pub enum SecretData {
    /// See [`BasicAuth`].
    BasicAuth(BasicAuth),
    /// See [`BearerToken`].
    BearerToken(BearerToken),
    /// See [`ApiKey`].
    ApiKey(ApiKey),
    /// See [`ClientCredentials`].
    ClientCredentials(ClientCredentials),
    /// See [`Certificate`].
    Certificate(Certificate),
    /// See [`CaBundle`].
    CaBundle(CaBundle),
    /// See [`SshKeyPair`].
    SshKeyPair(SshKeyPair),
    /// See [`KeyValue`].
    KeyValue(KeyValue),
    /// See [`Blob`].
    Data(Blob),
}

/// One field of a secret, borrowed from it.
pub struct FieldRef<'a> {
    /// The field's name.
    pub name: Cow<'a, str>,
    /// Whether it is a secret field.
    pub secret: bool,
    /// The value.
    pub value: Cow<'a, [u8]>,
}

impl std::fmt::Debug for FieldRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldRef")
            .field("name", &self.name)
            .field("secret", &self.secret)
            .field(
                "value",
                &if self.secret {
                    "<redacted>"
                } else {
                    "<public>"
                },
            )
            .finish()
    }
}

/// Options that apply while turning inputs into a value and are never stored.
#[derive(Debug, Default)]
pub struct Intake {
    /// Password of an encrypted key, PKCS#12 file or OpenSSH key in the input.
    pub key_password: Option<SecretString>,
    /// Store a certificate whose private key does not match its leaf.
    pub allow_key_mismatch: bool,
    /// The time certificates are judged against (default: the system clock).
    pub now: Option<crate::clock::Timestamp>,
}

/// Named inputs, checked for size and duplicates.
struct Inputs {
    kind: SecretType,
    values: BTreeMap<String, SecretBytes>,
}

impl Inputs {
    fn new(kind: SecretType, inputs: FieldInputs) -> Result<Self> {
        let mut total = 0usize;
        let mut values = BTreeMap::new();
        for (name, value) in inputs {
            let len = value.expose_secret().len();
            validate::value_size(&name, len)?;
            total += len;
            if kind != SecretType::KeyValue && !kind.fields().iter().any(|f| f.name == name) {
                let known: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
                return Err(Error::invalid(
                    name,
                    format!("is not a field of {kind} (fields: {})", known.join(", ")),
                ));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(Error::invalid(name, "is given more than once"));
            }
        }
        if total > validate::MAX_SECRET_BYTES {
            return Err(Error::invalid(
                "fields",
                format!("total {total} bytes; a secret may be at most 4 MiB"),
            ));
        }
        Ok(Self { kind, values })
    }

    fn take_bytes(&mut self, name: &str) -> Option<SecretBytes> {
        self.values.remove(name)
    }

    fn take_secret(&mut self, name: &str, required: bool) -> Result<Option<SecretString>> {
        match self.values.remove(name) {
            None if required => Err(Error::invalid(
                name,
                format!("is required for {}", self.kind),
            )),
            None => Ok(None),
            Some(bytes) => {
                let text = std::str::from_utf8(bytes.expose_secret())
                    .map_err(|_| Error::invalid(name, "must be UTF-8 text"))?;
                if required && text.is_empty() {
                    return Err(Error::invalid(name, "must not be empty"));
                }
                Ok(Some(SecretString::from(text)))
            }
        }
    }

    fn take_public(&mut self, name: &str, required: bool) -> Result<Option<String>> {
        match self.values.remove(name) {
            None if required => Err(Error::invalid(
                name,
                format!("is required for {}", self.kind),
            )),
            None => Ok(None),
            Some(bytes) => {
                let text = std::str::from_utf8(bytes.expose_secret())
                    .map_err(|_| Error::invalid(name, "must be UTF-8 text"))?
                    .trim()
                    .to_owned();
                validate::public_text(name, &text, required)?;
                Ok((!text.is_empty()).then_some(text))
            }
        }
    }
}

impl SecretData {
    /// Builds and validates a value of `kind` from named inputs.
    pub fn from_fields(kind: SecretType, inputs: FieldInputs, intake: &Intake) -> Result<Self> {
        let mut inputs = Inputs::new(kind, inputs)?;
        let data = match kind {
            SecretType::BasicAuth => Self::BasicAuth(BasicAuth {
                username: inputs.take_public("username", true)?.unwrap_or_default(),
                password: inputs.take_secret("password", true)?.unwrap_or_default(),
            }),
            SecretType::BearerToken => {
                let header_name = inputs
                    .take_public("header_name", false)?
                    .unwrap_or_else(|| DEFAULT_BEARER_HEADER.to_owned());
                validate::header_name("header_name", &header_name)?;
                let token = inputs.take_secret("token", true)?.unwrap_or_default();
                validate::header_value("token", token.expose_secret())?;
                Self::BearerToken(BearerToken { header_name, token })
            }
            SecretType::ApiKey => {
                let header_name = inputs.take_public("header_name", true)?.unwrap_or_default();
                validate::header_name("header_name", &header_name)?;
                let value = inputs.take_secret("value", true)?.unwrap_or_default();
                validate::header_value("value", value.expose_secret())?;
                Self::ApiKey(ApiKey { header_name, value })
            }
            SecretType::ClientCredentials => {
                let client_id = inputs.take_public("client_id", true)?.unwrap_or_default();
                let client_secret = inputs
                    .take_secret("client_secret", true)?
                    .unwrap_or_default();
                // Scopes may be given one per line, so no single-line check first.
                let scopes = match inputs.take_bytes("scopes") {
                    Some(bytes) => {
                        let text = std::str::from_utf8(bytes.expose_secret())
                            .map_err(|_| Error::invalid("scopes", "must be UTF-8 text"))?;
                        validate::scopes("scopes", text)?
                    }
                    None => Vec::new(),
                };
                let token_url = inputs.take_public("token_url", false)?;
                if let Some(url) = &token_url {
                    validate::credential_url("token_url", url)?;
                }
                let audience = inputs.take_public("audience", false)?;
                Self::ClientCredentials(ClientCredentials {
                    client_id,
                    client_secret,
                    scopes,
                    token_url,
                    audience,
                })
            }
            SecretType::Certificate => {
                let certificate = inputs
                    .take_bytes("certificate")
                    .ok_or_else(|| Error::invalid("certificate", "is required for certificate"))?;
                let key = inputs.take_bytes("private_key");
                Self::Certificate(super::intake::certificate(
                    &certificate,
                    key.as_ref(),
                    intake,
                )?)
            }
            SecretType::CaBundle => {
                let certificates = inputs
                    .take_bytes("certificates")
                    .ok_or_else(|| Error::invalid("certificates", "is required for ca_bundle"))?;
                Self::CaBundle(super::intake::ca_bundle(&certificates, intake)?)
            }
            SecretType::SshKeyPair => {
                let private_key = inputs
                    .take_bytes("private_key")
                    .ok_or_else(|| Error::invalid("private_key", "is required for ssh_key_pair"))?;
                let public_key = inputs.take_public("public_key", false)?;
                Self::SshKeyPair(super::intake::ssh_key_pair(
                    &private_key,
                    public_key.as_deref(),
                    intake,
                )?)
            }
            SecretType::KeyValue => {
                let mut entries = Vec::new();
                let keys: Vec<String> = inputs.values.keys().cloned().collect();
                if keys.is_empty() {
                    return Err(Error::invalid(
                        "keys",
                        "a key/value secret needs at least one key",
                    ));
                }
                for key in keys {
                    validate::key_name("keys", &key)?;
                    let value = inputs.take_secret(&key, false)?.unwrap_or_default();
                    entries.push((key, value));
                }
                Self::KeyValue(KeyValue { entries })
            }
            SecretType::Data => {
                let data = inputs
                    .take_bytes("data")
                    .ok_or_else(|| Error::invalid("data", "is required for data"))?;
                let content_type = match inputs.take_public("content_type", false)? {
                    Some(ct) => {
                        if !ct.contains('/') || ct.contains(char::is_whitespace) {
                            return Err(Error::invalid(
                                "content_type",
                                format!("{ct:?} is not a media type like text/plain"),
                            ));
                        }
                        ct
                    }
                    None if std::str::from_utf8(data.expose_secret()).is_ok() => {
                        "text/plain".to_owned()
                    }
                    None => "application/octet-stream".to_owned(),
                };
                let file_name = inputs.take_public("file_name", false)?;
                Self::Data(Blob {
                    data,
                    content_type,
                    file_name,
                })
            }
        };
        Ok(data)
    }

    /// The type of this value.
    pub fn kind(&self) -> SecretType {
        match self {
            Self::BasicAuth(_) => SecretType::BasicAuth,
            Self::BearerToken(_) => SecretType::BearerToken,
            Self::ApiKey(_) => SecretType::ApiKey,
            Self::ClientCredentials(_) => SecretType::ClientCredentials,
            Self::Certificate(_) => SecretType::Certificate,
            Self::CaBundle(_) => SecretType::CaBundle,
            Self::SshKeyPair(_) => SecretType::SshKeyPair,
            Self::KeyValue(_) => SecretType::KeyValue,
            Self::Data(_) => SecretType::Data,
        }
    }

    /// The public fields, as stored in clear for listing and search.
    pub fn public_fields(&self) -> Value {
        match self {
            Self::BasicAuth(v) => json!({ "username": v.username }),
            Self::BearerToken(v) => json!({ "header_name": v.header_name }),
            Self::ApiKey(v) => json!({ "header_name": v.header_name }),
            Self::ClientCredentials(v) => json!({
                "client_id": v.client_id,
                "scopes": v.scopes,
                "token_url": v.token_url,
                "audience": v.audience,
            }),
            Self::Certificate(v) => v.summary.clone(),
            Self::CaBundle(v) => v.summary.clone(),
            Self::SshKeyPair(v) => {
                let mut map = match &v.summary {
                    Value::Object(map) => map.clone(),
                    _ => Map::new(),
                };
                map.insert("public_key".into(), Value::String(v.public_key.clone()));
                Value::Object(map)
            }
            Self::KeyValue(v) => {
                json!({ "keys": v.entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>() })
            }
            Self::Data(v) => json!({
                "content_type": v.content_type,
                "file_name": v.file_name,
                "size": v.data.expose_secret().len(),
            }),
        }
    }

    /// Every field, public and secret, in the type's order.
    pub fn fields(&self) -> Vec<FieldRef<'_>> {
        fn public<'a>(name: &'static str, value: &'a str) -> FieldRef<'a> {
            FieldRef {
                name: name.into(),
                secret: false,
                value: Cow::Borrowed(value.as_bytes()),
            }
        }
        fn secret<'a>(name: &'a str, value: &'a [u8]) -> FieldRef<'a> {
            FieldRef {
                name: name.into(),
                secret: true,
                value: Cow::Borrowed(value),
            }
        }
        fn text(value: &SecretString) -> &[u8] {
            value.expose_secret().as_bytes()
        }
        let mut fields = Vec::new();
        match self {
            Self::BasicAuth(v) => {
                fields.push(public("username", &v.username));
                fields.push(secret("password", text(&v.password)));
            }
            Self::BearerToken(v) => {
                fields.push(public("header_name", &v.header_name));
                fields.push(secret("token", text(&v.token)));
            }
            Self::ApiKey(v) => {
                fields.push(public("header_name", &v.header_name));
                fields.push(secret("value", text(&v.value)));
            }
            Self::ClientCredentials(v) => {
                fields.push(public("client_id", &v.client_id));
                fields.push(secret("client_secret", text(&v.client_secret)));
                if !v.scopes.is_empty() {
                    fields.push(FieldRef {
                        name: "scopes".into(),
                        secret: false,
                        value: Cow::Owned(v.scopes.join(" ").into_bytes()),
                    });
                }
                if let Some(url) = &v.token_url {
                    fields.push(public("token_url", url));
                }
                if let Some(audience) = &v.audience {
                    fields.push(public("audience", audience));
                }
            }
            Self::Certificate(v) => {
                fields.push(secret("certificate", text(&v.certificate)));
                if let Some(key) = &v.private_key {
                    fields.push(secret("private_key", text(key)));
                }
            }
            Self::CaBundle(v) => fields.push(secret("certificates", text(&v.certificates))),
            Self::SshKeyPair(v) => {
                fields.push(secret("private_key", text(&v.private_key)));
                if !v.public_key.is_empty() {
                    fields.push(public("public_key", &v.public_key));
                }
            }
            Self::KeyValue(v) => {
                for (key, value) in &v.entries {
                    fields.push(secret(key, text(value)));
                }
            }
            Self::Data(v) => {
                fields.push(secret("data", v.data.expose_secret()));
                fields.push(public("content_type", &v.content_type));
                if let Some(name) = &v.file_name {
                    fields.push(public("file_name", name));
                }
            }
        }
        fields
    }

    /// One field by name.
    pub fn field(&self, name: &str) -> Option<FieldRef<'_>> {
        self.fields().into_iter().find(|f| f.name == name)
    }

    /// The value `${secret:NAME}` resolves to: the type's main field, or the
    /// only value of a key/value secret with exactly one key.
    pub fn main_value(&self) -> Option<FieldRef<'_>> {
        match (self.kind().main_field(), self) {
            (Some(main), _) => self.field(main),
            (None, Self::KeyValue(kv)) if kv.entries.len() == 1 => self.fields().into_iter().next(),
            (None, _) => None,
        }
    }

    /// The secret fields as payload entries.
    pub(crate) fn payload_entries(&self) -> Vec<(String, Vec<u8>)> {
        self.fields()
            .into_iter()
            .filter(|f| f.secret)
            .map(|f| (f.name.into_owned(), f.value.into_owned()))
            .collect()
    }

    /// This value with `change` merged in (the given fields set, the named
    /// ones removed, the rest kept: a new password keeps the username), or
    /// `None` when the result equals this value. `name` is the secret's, for
    /// messages.
    pub fn changed(&self, name: &str, change: super::ValueChange) -> Result<Option<Self>> {
        let setting: Vec<&str> = change.set.iter().map(|(n, _)| n.as_str()).collect();
        // The merge below would let the last of two equal names win silently;
        // registration refuses duplicates, and so does an update.
        if let Some(field) = setting
            .iter()
            .enumerate()
            .find_map(|(i, field)| setting[..i].contains(field).then_some(*field))
        {
            return Err(Error::invalid(field, "is given more than once"));
        }
        let kind = self.kind();
        let mut inputs = self.to_inputs();
        // New data re-detects its media type unless one is given.
        if kind == SecretType::Data
            && setting.contains(&"data")
            && !setting.contains(&"content_type")
        {
            inputs.retain(|(n, _)| n != "content_type");
        }
        for field in &change.remove {
            let before = inputs.len();
            inputs.retain(|(n, _)| n != field);
            if inputs.len() == before {
                return Err(Error::invalid(
                    field.clone(),
                    format!("is not set on {name}"),
                ));
            }
        }
        for (field, value) in change.set {
            inputs.retain(|(n, _)| *n != field);
            inputs.push((field, value));
        }
        let data = Self::from_fields(kind, inputs, &change.intake)?;
        Ok((!crate::vault::update::same_value(self, &data)).then_some(data))
    }

    /// All fields as inputs, to merge a change into.
    pub(crate) fn to_inputs(&self) -> FieldInputs {
        self.fields()
            .into_iter()
            .map(|f| (f.name.into_owned(), SecretBytes::from(f.value.into_owned())))
            .collect()
    }

    /// A copy of this value (values are not `Clone`, so that copies are deliberate).
    pub(crate) fn duplicate(&self) -> Result<Self> {
        let entries = self
            .payload_entries()
            .into_iter()
            .map(|(n, v)| (n, SecretBytes::from(v)))
            .collect();
        Self::from_stored(self.kind(), &self.public_fields(), entries)
    }

    /// Rebuilds a value from its stored public fields and decrypted payload
    /// entries. Certificates and keys were checked at intake and are taken as
    /// stored, with their stored summary.
    pub(crate) fn from_stored(
        kind: SecretType,
        public: &Value,
        entries: Vec<(String, SecretBytes)>,
    ) -> Result<Self> {
        let text = |key: &str| public.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut entries = entries;
        let mut take = |name: &str| -> Result<Option<SecretString>> {
            match entries.iter().position(|(n, _)| n == name) {
                None => Ok(None),
                Some(i) => {
                    let (_, bytes) = entries.remove(i);
                    let text = std::str::from_utf8(bytes.expose_secret())
                        .map_err(|_| Error::Internal(format!("stored {name} is not UTF-8")))?;
                    Ok(Some(SecretString::from(text)))
                }
            }
        };
        let missing = |name: &str| Error::Internal(format!("stored {kind} value lacks {name}"));
        match kind {
            SecretType::Certificate => {
                return Ok(Self::Certificate(Certificate {
                    certificate: take("certificate")?.ok_or_else(|| missing("certificate"))?,
                    private_key: take("private_key")?,
                    summary: public.clone(),
                }));
            }
            SecretType::CaBundle => {
                return Ok(Self::CaBundle(CaBundle {
                    certificates: take("certificates")?.ok_or_else(|| missing("certificates"))?,
                    summary: public.clone(),
                }));
            }
            SecretType::SshKeyPair => {
                let mut summary = public.clone();
                if let Value::Object(map) = &mut summary {
                    map.remove("public_key");
                }
                return Ok(Self::SshKeyPair(SshKeyPair {
                    private_key: take("private_key")?.ok_or_else(|| missing("private_key"))?,
                    public_key: text("public_key").unwrap_or_default(),
                    summary,
                }));
            }
            _ => {}
        }
        let mut inputs: FieldInputs = Vec::new();
        match kind {
            SecretType::BasicAuth => inputs.extend(text("username").map(|u| input("username", u))),
            SecretType::BearerToken | SecretType::ApiKey => {
                inputs.extend(text("header_name").map(|h| input("header_name", h)));
            }
            SecretType::ClientCredentials => {
                inputs.extend(text("client_id").map(|v| input("client_id", v)));
                if let Some(scopes) = public.get("scopes").and_then(Value::as_array) {
                    let joined: Vec<&str> = scopes.iter().filter_map(Value::as_str).collect();
                    if !joined.is_empty() {
                        inputs.push(input("scopes", joined.join(" ")));
                    }
                }
                inputs.extend(text("token_url").map(|v| input("token_url", v)));
                inputs.extend(text("audience").map(|v| input("audience", v)));
            }
            SecretType::Data => {
                inputs.extend(text("content_type").map(|v| input("content_type", v)));
                inputs.extend(text("file_name").map(|v| input("file_name", v)));
            }
            _ => {}
        }
        inputs.extend(entries);
        Self::from_fields(kind, inputs, &Intake::default())
    }
}

fn input(name: &str, value: String) -> (String, SecretBytes) {
    (name.to_owned(), SecretBytes::from(value.into_bytes()))
}

/// Builds an input from text; convenient for callers that hold strings.
pub fn text_input(name: &str, value: &str) -> (String, SecretBytes) {
    input(name, value.to_owned())
}
