//! How a local secret becomes a remote value, and a remote value a local
//! secret (DESIGN §8; documented in docs/design.md):
//!
//! | local type | remote value |
//! |---|---|
//! | `key_value`, `basic_auth`, `client_credentials`, `api_key`, `bearer_token` | a JSON object of its fields (`{"username": ..., "password": ...}`) |
//! | `data` | its text; binary when it is not UTF-8 (AWS `SecretBinary`; Azure stores it base64 with a binary content type) |
//! | `certificate` | its PEM chain, followed by its private key's PEM when it has one |
//! | `ca_bundle` | its PEM bundle |
//! | `ssh_key_pair` | its OpenSSH private key |
//!
//! Back (import): a binary value is `data`; a JSON object whose values are
//! strings, numbers or booleans is `key_value` (or a type the user picks
//! whose fields it holds); any other text is `data`, or the PEM of a type
//! the user picks.

use coffer_core::secret::{FieldInputs, Intake, SecretBytes, SecretData, SecretType};
use zeroize::Zeroizing;

/// A value ready to send.
pub struct RemotePayload {
    /// The bytes (JSON or text, or raw bytes when `binary`).
    pub value: Zeroizing<Vec<u8>>,
    /// Whether to store it as binary.
    pub binary: bool,
}

impl std::fmt::Debug for RemotePayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemotePayload")
            .field("len", &self.value.len())
            .field("binary", &self.binary)
            .finish_non_exhaustive()
    }
}

/// Why a value cannot be mapped (never containing a value).
pub type MappingError = String;

fn utf8<'a>(field: &str, value: &'a [u8]) -> Result<&'a str, MappingError> {
    std::str::from_utf8(value).map_err(|_| format!("field {field} is not UTF-8 text"))
}

/// The remote value of a local secret.
pub fn to_remote(data: &SecretData) -> Result<RemotePayload, MappingError> {
    let fields = data.fields();
    let text = |names: &[&str]| -> Result<RemotePayload, MappingError> {
        let mut out = Zeroizing::new(Vec::new());
        for f in fields.iter().filter(|f| names.contains(&f.name.as_ref())) {
            let value = utf8(&f.name, &f.value)?;
            if value.is_empty() {
                continue;
            }
            if !out.is_empty() && !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(value.as_bytes());
        }
        Ok(RemotePayload {
            value: out,
            binary: false,
        })
    };
    match data.kind() {
        SecretType::KeyValue
        | SecretType::BasicAuth
        | SecretType::ClientCredentials
        | SecretType::ApiKey
        | SecretType::BearerToken => {
            let size: usize = fields
                .iter()
                .map(|f| f.name.len() + f.value.len() + 8)
                .sum();
            let mut out = Zeroizing::new(Vec::with_capacity(size * 2 + 2));
            out.push(b'{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let value = utf8(&f.name, &f.value)?;
                write_json_string(&mut out, &f.name);
                out.push(b':');
                write_json_string(&mut out, value);
            }
            out.push(b'}');
            Ok(RemotePayload {
                value: out,
                binary: false,
            })
        }
        SecretType::Data => {
            let bytes = fields
                .iter()
                .find(|f| f.name == "data")
                .map(|f| f.value.as_ref())
                .unwrap_or_default();
            Ok(RemotePayload {
                binary: std::str::from_utf8(bytes).is_err(),
                value: Zeroizing::new(bytes.to_vec()),
            })
        }
        SecretType::Certificate => text(&["certificate", "private_key"]),
        SecretType::CaBundle => text(&["certificates"]),
        SecretType::SshKeyPair => text(&["private_key"]),
    }
}

/// Appends `text` as a JSON string, escaping what JSON needs, without
/// copies of the value outside `out`.
fn write_json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The fields of a JSON object whose values are all strings, numbers or
/// booleans; `None` for anything else.
fn json_fields(value: &[u8]) -> Option<FieldInputs> {
    let parsed: serde_json::Value = serde_json::from_slice(value).ok()?;
    let serde_json::Value::Object(map) = parsed else {
        return None;
    };
    let mut inputs = FieldInputs::new();
    for (key, v) in map {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        inputs.push((key, SecretBytes::from(text.into_bytes())));
    }
    Some(inputs)
}

/// The local value of a remote one. `pick` is the type the user chose, if
/// any; without one a JSON object is `key_value` and anything else `data`.
/// Errors name the type and field that do not fit, never a value.
pub fn from_remote(
    value: &[u8],
    binary: bool,
    pick: Option<SecretType>,
) -> Result<SecretData, MappingError> {
    let fail = |kind: SecretType, e: coffer_core::Error| format!("as {}: {e}", kind.as_str());
    let data = |bytes: &[u8]| {
        SecretData::from_fields(
            SecretType::Data,
            vec![("data".to_owned(), SecretBytes::from(bytes.to_vec()))],
            &Intake::default(),
        )
        .map_err(|e| fail(SecretType::Data, e))
    };
    if binary {
        return match pick {
            None | Some(SecretType::Data) => data(value),
            Some(kind) => Err(format!(
                "the remote value is binary; it can only be imported as data, not {}",
                kind.as_str()
            )),
        };
    }
    match pick {
        Some(SecretType::Data) => data(value),
        Some(kind @ (SecretType::Certificate | SecretType::CaBundle | SecretType::SshKeyPair)) => {
            let field = kind.main_field().unwrap_or("data");
            SecretData::from_fields(
                kind,
                vec![(field.to_owned(), SecretBytes::from(value.to_vec()))],
                &Intake::default(),
            )
            .map_err(|e| fail(kind, e))
        }
        Some(kind) => {
            let inputs = json_fields(value).ok_or_else(|| {
                format!(
                    "the remote value is not a JSON object of texts, so it cannot be imported as {}",
                    kind.as_str()
                )
            })?;
            SecretData::from_fields(kind, inputs, &Intake::default()).map_err(|e| fail(kind, e))
        }
        None => match json_fields(value) {
            Some(inputs) if !inputs.is_empty() => {
                SecretData::from_fields(SecretType::KeyValue, inputs, &Intake::default())
                    .map_err(|e| fail(SecretType::KeyValue, e))
            }
            _ => data(value),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use coffer_core::secret::text_input;

    fn local(kind: SecretType, pairs: &[(&str, &str)]) -> SecretData {
        let inputs = pairs.iter().map(|(k, v)| text_input(k, v)).collect();
        SecretData::from_fields(kind, inputs, &Intake::default()).unwrap()
    }

    fn json(payload: &RemotePayload) -> serde_json::Value {
        serde_json::from_slice(&payload.value).unwrap()
    }

    #[test]
    fn field_types_become_json_objects_and_come_back() {
        let basic = local(
            SecretType::BasicAuth,
            &[("username", "svc"), ("password", "p\"w\\\n\u{1}é")],
        );
        let out = to_remote(&basic).unwrap();
        assert!(!out.binary);
        assert_eq!(
            json(&out),
            serde_json::json!({"username": "svc", "password": "p\"w\\\n\u{1}é"})
        );
        let back = from_remote(&out.value, false, Some(SecretType::BasicAuth)).unwrap();
        assert_eq!(back.kind(), SecretType::BasicAuth);
        let kv = from_remote(&out.value, false, None).unwrap();
        assert_eq!(kv.kind(), SecretType::KeyValue);
        assert_eq!(
            kv.public_fields()["keys"],
            serde_json::json!(["password", "username"])
        );

        let kv = local(SecretType::KeyValue, &[("host", "db"), ("port", "5432")]);
        assert_eq!(
            json(&to_remote(&kv).unwrap()),
            serde_json::json!({"host": "db", "port": "5432"})
        );
        let numbers = from_remote(br#"{"port": 5432, "tls": true}"#, false, None).unwrap();
        assert_eq!(numbers.kind(), SecretType::KeyValue);
    }

    #[test]
    fn data_is_text_or_binary_and_other_text_imports_as_data() {
        let text = local(SecretType::Data, &[("data", "hello")]);
        let out = to_remote(&text).unwrap();
        assert_eq!((&out.value[..], out.binary), (&b"hello"[..], false));
        let bytes = SecretData::from_fields(
            SecretType::Data,
            vec![("data".into(), SecretBytes::from(vec![0xff, 0x00, 0xfe]))],
            &Intake::default(),
        )
        .unwrap();
        let out = to_remote(&bytes).unwrap();
        assert!(out.binary);
        assert_eq!(&out.value[..], [0xff, 0x00, 0xfe]);
        assert_eq!(
            from_remote(&out.value, true, None).unwrap().kind(),
            SecretType::Data
        );
        for plain in [&b"just a string"[..], b"[1,2]", b"{\"nested\":{}}", b"{}"] {
            assert_eq!(
                from_remote(plain, false, None).unwrap().kind(),
                SecretType::Data
            );
        }
    }

    #[test]
    fn a_picked_type_that_does_not_fit_says_why_without_the_value() {
        let e = from_remote(b"top-secret-text", false, Some(SecretType::BasicAuth)).unwrap_err();
        assert!(e.contains("not a JSON object"), "{e}");
        assert!(!e.contains("top-secret"), "{e}");
        let e = from_remote(
            br#"{"user": "x", "secret-pw": "hunter2"}"#,
            false,
            Some(SecretType::BasicAuth),
        )
        .unwrap_err();
        assert!(e.starts_with("as basic_auth"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = from_remote(&[0xff], true, Some(SecretType::KeyValue)).unwrap_err();
        assert!(e.contains("binary"), "{e}");
    }
}
