//! Bitwarden's unencrypted JSON export (`serde_json`): logins and secure
//! notes become secrets, SSH keys `ssh_key_pair`; cards and identities are
//! left out and counted. Folders become label `folder` (or the project),
//! collections label `collections`, custom fields keys of a `key_value`.

use std::collections::{BTreeMap, HashMap};

use coffer_core::SecretString;
use coffer_core::import::{ImportBatch, ImportItem, Unreadable};
use coffer_core::secret::{BasicAuth, Intake, KeyValue, SecretData, SecretType, text_input};
use serde_json::Value;

use crate::names::{Namer, sanitise, with_original};
use crate::{Error, GroupsAs, ReadOptions};

const LOGIN: u64 = 1;
const NOTE: u64 = 2;
const CARD: u64 = 3;
const IDENTITY: u64 = 4;
const SSH_KEY: u64 = 5;

/// Parses JSON, saying where it broke but never quoting the content.
pub(crate) fn parse_json(bytes: &[u8], format: &'static str) -> Result<Value, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => {
                return Error::Truncated {
                    format,
                    reason: format!("the JSON ends at line {}", e.line()),
                };
            }
            serde_json::error::Category::Syntax => "a syntax error",
            serde_json::error::Category::Data => "an unexpected value",
            serde_json::error::Category::Io => "a read error",
        };
        Error::malformed(
            format,
            format!("{what} at line {}, column {}", e.line(), e.column()),
        )
    })
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn names_by_id(root: &Value, key: &str) -> HashMap<String, String> {
    root.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some((
                f.get("id")?.as_str()?.to_owned(),
                text(f, "name").to_owned(),
            ))
        })
        .collect()
}

pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let root = parse_json(bytes, "bitwarden")?;
    if root.get("encrypted").and_then(Value::as_bool) == Some(true) {
        return Err(Error::UnsupportedVersion {
            format: "bitwarden",
            version: "an encrypted (password-protected) export; export as unencrypted JSON".into(),
        });
    }
    let items = root
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::malformed("bitwarden", "there is no \"items\" list"))?;
    let folders = names_by_id(&root, "folders");
    let collections = names_by_id(&root, "collections");
    let mut batch = ImportBatch {
        format: "bitwarden".into(),
        ..ImportBatch::default()
    };
    let mut namer = Namer::default();
    for (index, item) in items.iter().enumerate() {
        let title = text(item, "name").trim().to_owned();
        let source = format!(
            "item {} ({})",
            index + 1,
            if title.is_empty() { "untitled" } else { &title }
        );
        let kind = item.get("type").and_then(Value::as_u64).unwrap_or(0);
        let value = match kind {
            LOGIN => login(item),
            NOTE => note(item),
            SSH_KEY => ssh_key(item),
            CARD | IDENTITY => {
                let what = if kind == CARD { "card" } else { "identity" };
                *batch.skipped.entry(what.into()).or_insert(0) += 1;
                continue;
            }
            _ => Err((
                "unsupported_type",
                "an item type Coffer does not import".into(),
            )),
        };
        let (data, mut description) = match value {
            Ok(Some(v)) => v,
            Ok(None) => {
                push_unreadable(&mut batch, &source, "no_value", "the item has no value");
                continue;
            }
            Err((code, reason)) => {
                push_unreadable(&mut batch, &source, code, &reason);
                continue;
            }
        };
        let Some(named) = namer.name(
            options.org.as_deref(),
            if title.is_empty() { "untitled" } else { &title },
        ) else {
            push_unreadable(
                &mut batch,
                &source,
                "no_name",
                "the name has no letter or digit",
            );
            continue;
        };
        let mut labels = BTreeMap::new();
        let mut project = options.project.clone();
        if let Some(folder) = item
            .get("folderId")
            .and_then(Value::as_str)
            .and_then(|id| folders.get(id))
        {
            match options.groups {
                GroupsAs::Labels => label(&mut labels, &mut description, "folder", folder),
                GroupsAs::Project => project = sanitise(folder),
            }
        }
        let in_collections: Vec<&str> = item
            .get("collectionIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|id| collections.get(id.as_str()?).map(String::as_str))
            .collect();
        if !in_collections.is_empty() {
            label(
                &mut labels,
                &mut description,
                "collections",
                &in_collections.join(","),
            );
        }
        let uris: Vec<&str> = item
            .pointer("/login/uris")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|u| text(u, "uri"))
            .filter(|u| !u.is_empty())
            .collect();
        // The first URI is the label; others go to the description.
        for uri in uris {
            label(&mut labels, &mut description, "url", uri);
        }
        let mut secret = options.secret(named.name, data);
        secret.description = with_original(&description, named.original.as_deref());
        secret.labels = labels;
        secret.project = project;
        let mut out = ImportItem::new(source, secret);
        out.original_name = named.original;
        batch.items.push(out);
    }
    Ok(batch)
}

fn push_unreadable(batch: &mut ImportBatch, source: &str, code: &'static str, reason: &str) {
    batch.unreadable.push(Unreadable {
        source: source.to_owned(),
        code,
        reason: reason.to_owned(),
    });
}

/// A label when it fits and is free, else a description line.
fn label(labels: &mut BTreeMap<String, String>, description: &mut String, key: &str, value: &str) {
    let value = value.trim();
    if !labels.contains_key(key)
        && value.chars().count() <= 256
        && !value.chars().any(char::is_control)
    {
        labels.insert(key.to_owned(), value.to_owned());
    } else {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(&format!("{key}: {value}"));
    }
}

type Read = Result<Option<(SecretData, String)>, (&'static str, String)>;

/// Custom fields (hidden and text alike) as key/value entries.
fn fields(item: &Value) -> Vec<(String, String)> {
    item.get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let name = text(f, "name").trim();
            let value = match f.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => return None,
                Some(other) => other.to_string(),
            };
            (!value.is_empty()).then(|| (key_of(name), value))
        })
        .collect()
}

fn key_of(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() || matches!(c, '=' | '#' | '{' | '}' | '$') {
                '_'
            } else {
                c
            }
        })
        .take(256)
        .collect();
    if key.is_empty() { "field".into() } else { key }
}

fn key_value(entries: Vec<(String, String)>) -> SecretData {
    let mut out: Vec<(String, SecretString)> = Vec::new();
    for (k, v) in entries {
        if !out.iter().any(|(x, _)| *x == k) {
            out.push((k, SecretString::from(v)));
        }
    }
    SecretData::KeyValue(KeyValue { entries: out })
}

fn login(item: &Value) -> Read {
    let username = item
        .pointer("/login/username")
        .and_then(Value::as_str)
        .unwrap_or("");
    let password = item
        .pointer("/login/password")
        .and_then(Value::as_str)
        .unwrap_or("");
    let totp = item
        .pointer("/login/totp")
        .and_then(Value::as_str)
        .unwrap_or("");
    let extra = fields(item);
    let notes = text(item, "notes").to_owned();
    if extra.is_empty() && totp.is_empty() && !username.is_empty() && !password.is_empty() {
        let data = SecretData::BasicAuth(BasicAuth {
            username: username.to_owned(),
            password: SecretString::from(password),
        });
        return Ok(Some((data, notes)));
    }
    let mut entries = Vec::new();
    for (k, v) in [
        ("username", username),
        ("password", password),
        ("totp", totp),
    ] {
        if !v.is_empty() {
            entries.push((k.to_owned(), v.to_owned()));
        }
    }
    entries.extend(extra);
    if entries.is_empty() {
        return note(item);
    }
    Ok(Some((key_value(entries), notes)))
}

fn note(item: &Value) -> Read {
    let notes = text(item, "notes");
    let extra = fields(item);
    if !extra.is_empty() {
        return Ok(Some((key_value(extra), notes.to_owned())));
    }
    if notes.trim().is_empty() {
        return Ok(None);
    }
    let data = SecretData::from_fields(
        SecretType::Data,
        vec![
            text_input("data", notes),
            text_input("content_type", "text/plain"),
        ],
        &Intake::default(),
    )
    .map_err(|e| ("invalid", e.to_string()))?;
    Ok(Some((data, String::new())))
}

fn ssh_key(item: &Value) -> Read {
    let private = item
        .pointer("/sshKey/privateKey")
        .and_then(Value::as_str)
        .unwrap_or("");
    if private.is_empty() {
        return Ok(None);
    }
    let data = SecretData::from_fields(
        SecretType::SshKeyPair,
        vec![text_input("private_key", private)],
        &Intake::default(),
    )
    .map_err(|e| ("invalid", e.to_string()))?;
    Ok(Some((data, text(item, "notes").to_owned())))
}
