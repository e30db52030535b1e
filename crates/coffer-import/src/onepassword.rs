//! 1Password: the `.1pux` export (a zip read with the `zip` crate; only
//! `export.data` is decompressed, at most 64 MiB of it) and the CSV export
//! (Title, Url, Username, Password, OTPAuth, Favorite, Archived, Tags, Notes).
//!
//! Logins with a user name and password become `basic_auth`; with section
//! fields or a one-time-password seed `key_value`; secure notes `data`;
//! passwords, API credentials, servers, databases and the like `key_value`
//! of their fields. Cards, identities and other personal documents are left
//! out and counted; so are file attachments and items in the trash.

use std::collections::BTreeMap;
use std::io::Read;

use coffer_core::SecretString;
use coffer_core::import::{ImportBatch, ImportItem, Unreadable};
use coffer_core::secret::{BasicAuth, Intake, KeyValue, SecretData, SecretType, text_input};
use serde_json::Value;

use crate::bitwarden::parse_json;
use crate::names::{Namer, field_key, sanitise, with_original};
use crate::{Error, GroupsAs, MAX_FILE_BYTES, ReadOptions, table};

/// Categories left out, by their 1Password number.
const PERSONAL: [(&str, &str); 12] = [
    ("002", "credit card"),
    ("004", "identity"),
    ("006", "document"),
    ("101", "bank account"),
    ("103", "driver license"),
    ("104", "outdoor license"),
    ("105", "membership"),
    ("106", "passport"),
    ("107", "reward program"),
    ("108", "social security number"),
    ("113", "medical record"),
    ("100", "software license"),
];

/// What one item carries, whatever the source.
struct Fields {
    title: String,
    username: String,
    password: String,
    extra: Vec<(String, String)>,
    notes: String,
    url: String,
    tags: Vec<String>,
    group: Option<String>,
}

pub(crate) fn read_1pux(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let data = export_data(bytes)?;
    let root = parse_json(&data, "1password")?;
    let mut batch = ImportBatch {
        format: "1password".into(),
        ..ImportBatch::default()
    };
    let mut namer = Namer::default();
    for vault in all(&root, "/accounts").flat_map(|a| all(a, "/vaults")) {
        let vault_name = text(vault, "/attrs/name");
        for item in all(vault, "/items") {
            let title = text(item, "/overview/title");
            let source = format!(
                "{vault_name}/{}",
                if title.is_empty() { "untitled" } else { title }
            );
            if text(item, "/state") == "deleted" || text(item, "/trashed") == "true" {
                *batch.skipped.entry("in the trash".into()).or_insert(0) += 1;
                continue;
            }
            let category = text(item, "/categoryUuid");
            if let Some((_, what)) = PERSONAL.iter().find(|(c, _)| *c == category) {
                *batch.skipped.entry((*what).into()).or_insert(0) += 1;
                continue;
            }
            if item.pointer("/details/documentAttributes").is_some() {
                *batch.skipped.entry("file attachment".into()).or_insert(0) += 1;
            }
            let fields = item_fields(item, title, vault_name);
            push(&mut batch, &mut namer, options, source, fields);
        }
    }
    Ok(batch)
}

/// `export.data`, decompressed with a bound: a zip bomb stops at the limit.
fn export_data(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| match e {
        zip::result::ZipError::Io(_) => Error::Truncated {
            format: "1password",
            reason: "the zip archive ends early".into(),
        },
        _ => Error::malformed("1password", "not a .1pux (zip) archive"),
    })?;
    let file = archive
        .by_name("export.data")
        .map_err(|_| Error::malformed("1password", "the archive has no export.data"))?;
    let mut data = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|_| Error::malformed("1password", "export.data does not decompress"))?;
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            size: data.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(data)
}

fn all<'a>(value: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A section field's value: `{"concealed": "..."}`, `{"string": ...}`, ...
fn field_value(value: &Value) -> Option<String> {
    let inner = value.as_object()?.values().next()?;
    match inner {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn item_fields(item: &Value, title: &str, vault_name: &str) -> Fields {
    let mut username = String::new();
    let mut password = text(item, "/details/password").to_owned();
    for field in all(item, "/details/loginFields") {
        match text(field, "/designation") {
            "username" => username = text(field, "/value").to_owned(),
            "password" => password = text(field, "/value").to_owned(),
            _ => {}
        }
    }
    let mut extra = Vec::new();
    for section in all(item, "/details/sections") {
        for field in all(section, "/fields") {
            let Some(value) = field.get("value").and_then(field_value) else {
                continue;
            };
            let name = [text(field, "/title"), text(field, "/id")]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or("field");
            extra.push((name.to_owned(), value));
        }
    }
    let url = [text(item, "/overview/url")]
        .into_iter()
        .chain(all(item, "/overview/urls").map(|u| text(u, "/url")))
        .find(|u| !u.is_empty())
        .unwrap_or("")
        .to_owned();
    Fields {
        title: title.to_owned(),
        username,
        password,
        extra,
        notes: text(item, "/details/notesPlain").to_owned(),
        url,
        tags: all(item, "/overview/tags")
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        group: (!vault_name.is_empty()).then(|| vault_name.to_owned()),
    }
}

pub(crate) fn read_csv(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let records = table::records(bytes, "1password-csv")?;
    let mut batch = ImportBatch {
        format: "1password-csv".into(),
        ..ImportBatch::default()
    };
    let Some((_, header)) = records.first() else {
        return Ok(batch);
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let title = column("title")
        .ok_or_else(|| Error::malformed("1password-csv", "there is no Title column"))?;
    let (url, user, pass, otp, tags, notes, archived) = (
        column("url"),
        column("username"),
        column("password"),
        column("otpauth"),
        column("tags"),
        column("notes"),
        column("archived"),
    );
    let mut namer = Namer::default();
    for (row, cells) in records.iter().skip(1) {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
        if cell(archived).trim().eq_ignore_ascii_case("true") {
            *batch.skipped.entry("archived".into()).or_insert(0) += 1;
            continue;
        }
        let otp = cell(otp);
        let fields = Fields {
            title: cell(Some(title)).trim().to_owned(),
            username: cell(user),
            password: cell(pass),
            extra: if otp.is_empty() {
                Vec::new()
            } else {
                vec![("otpauth".into(), otp)]
            },
            notes: cell(notes),
            url: cell(url),
            tags: cell(tags)
                .split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            group: None,
        };
        push(
            &mut batch,
            &mut namer,
            options,
            format!("row {row}"),
            fields,
        );
    }
    Ok(batch)
}

/// Turns one item's fields into a secret, or an unreadable entry.
fn push(
    batch: &mut ImportBatch,
    namer: &mut Namer,
    options: &ReadOptions,
    source: String,
    f: Fields,
) {
    let mut unreadable = |code: &'static str, reason: &str| {
        batch.unreadable.push(Unreadable {
            source: source.clone(),
            code,
            reason: reason.to_owned(),
        })
    };
    let data = if f.extra.is_empty() && !f.username.is_empty() && !f.password.is_empty() {
        SecretData::BasicAuth(BasicAuth {
            username: f.username.clone(),
            password: SecretString::from(f.password.clone()),
        })
    } else {
        let mut entries: Vec<(String, SecretString)> = Vec::new();
        let pairs = [
            ("username".to_owned(), f.username.clone()),
            ("password".to_owned(), f.password.clone()),
        ];
        for (k, v) in pairs.into_iter().chain(f.extra.iter().cloned()) {
            let key = field_key(&k);
            if !v.is_empty() && !entries.iter().any(|(x, _)| *x == key) {
                entries.push((key, SecretString::from(v)));
            }
        }
        if !entries.is_empty() {
            SecretData::KeyValue(KeyValue { entries })
        } else if !f.notes.trim().is_empty() {
            match SecretData::from_fields(
                SecretType::Data,
                vec![
                    text_input("data", &f.notes),
                    text_input("content_type", "text/plain"),
                ],
                &Intake::default(),
            ) {
                Ok(d) => d,
                Err(e) => return unreadable("invalid", &e.to_string()),
            }
        } else {
            return unreadable("no_value", "the item has no password, field or notes");
        }
    };
    let is_note = matches!(data, SecretData::Data(_));
    let title = if f.title.is_empty() {
        "untitled"
    } else {
        &f.title
    };
    let Some(named) = namer.name(options.org.as_deref(), title) else {
        return unreadable("no_name", "the title has no letter or digit");
    };
    let mut description = if is_note {
        String::new()
    } else {
        f.notes.clone()
    };
    let mut labels = BTreeMap::new();
    let mut project = options.project.clone();
    let mut label = |key: &str, value: &str, description: &mut String| {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        if value.chars().count() <= 256 && !value.chars().any(char::is_control) {
            labels.insert(key.to_owned(), value.to_owned());
        } else {
            if !description.is_empty() {
                description.push('\n');
            }
            description.push_str(&format!("{key}: {value}"));
        }
    };
    label("url", &f.url, &mut description);
    label("tags", &f.tags.join(","), &mut description);
    if let Some(group) = &f.group {
        match options.groups {
            GroupsAs::Labels => label("vault", group, &mut description),
            GroupsAs::Project => project = sanitise(group),
        }
    }
    let mut secret = options.secret(named.name, data);
    secret.description = with_original(&description, named.original.as_deref());
    secret.labels = labels;
    secret.project = project;
    let mut item = ImportItem::new(source, secret);
    item.original_name = named.original;
    batch.items.push(item);
}
