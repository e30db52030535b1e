//! KeePass KDBX 3.1 and 4, read with the `keepass` crate after the header's
//! KDF parameters passed their bounds (`kdbx_header.rs`).
//!
//! An entry with a user name and password and no other field becomes
//! `basic_auth`; with custom string fields, `key_value` (username, password
//! and the fields); with notes only, `data`. The URL becomes label `url`,
//! notes the description, tags label `tags`, the group path label `group` or
//! the project. Certificate attachments (`.pem`, `.crt`, `.cer`, `.p12`,
//! `.pfx`, with a `.key`) go through certificate intake; other attachments
//! become `data` secrets named `TITLE/FILE`. History is not imported.

use std::collections::BTreeMap;

use coffer_core::import::{ImportBatch, ImportItem, Unreadable};
use coffer_core::secret::validate::MAX_VALUE_BYTES;
use coffer_core::secret::{
    BasicAuth, Intake, KeyValue, SecretBytes, SecretData, SecretType, text_input,
};
use coffer_core::{ExposeSecret, SecretString, Timestamp};
use keepass::db::{EntryRef, GroupRef};
use keepass::error::{DatabaseKeyError, DatabaseOpenError};
use keepass::{Database, DatabaseKey};

use crate::kdbx_header;
use crate::names::{Namer, field_key, sanitise, with_original};
use crate::{Error, GroupsAs, ReadOptions};

const STANDARD: [&str; 5] = ["Title", "UserName", "Password", "URL", "Notes"];
const CERT_EXTENSIONS: [&str; 5] = [".pem", ".crt", ".cer", ".p12", ".pfx"];

pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let header = kdbx_header::read(bytes)?;
    kdbx_header::check(header.kdf)?;
    let mut key = DatabaseKey::new();
    if let Some(password) = &options.password {
        key = key.with_password(password.expose_secret());
    }
    if let Some(file) = &options.key_file {
        key = key
            .with_keyfile(&mut file.as_slice())
            .map_err(|_| Error::option("key_file", "cannot be read as a KeePass key file"))?;
    }
    if options.password.is_none() && options.key_file.is_none() {
        return Err(Error::PasswordRequired);
    }
    let db = Database::parse(bytes, key).map_err(|e| open_error(e, header.major))?;
    let mut reader = Reader {
        options,
        namer: Namer::default(),
        batch: ImportBatch {
            format: "kdbx".into(),
            ..ImportBatch::default()
        },
    };
    reader.group(db.root(), &mut Vec::new(), true);
    Ok(reader.batch)
}

/// What went wrong, without the library's wording (which could quote content).
/// KDBX 3.1 has no header MAC: a wrong key shows as content that does not
/// decrypt (bad padding) before the check of its first bytes.
fn open_error(e: DatabaseOpenError, major: u16) -> Error {
    match e {
        DatabaseOpenError::Cryptography(_) if major == 3 => Error::WrongPassword,
        DatabaseOpenError::Key(DatabaseKeyError::IncorrectKey) => Error::WrongPassword,
        DatabaseOpenError::Key(_) => Error::option("key_file", "is not a usable KeePass key file"),
        DatabaseOpenError::UnexpectedEof | DatabaseOpenError::Io(_) => Error::Truncated {
            format: "kdbx",
            reason: "the file ends before its content".into(),
        },
        DatabaseOpenError::UnsupportedVersion => Error::UnsupportedVersion {
            format: "kdbx",
            version: "this version".into(),
        },
        DatabaseOpenError::Cryptography(_) => {
            Error::malformed("kdbx", "the content does not decrypt")
        }
        _ => Error::malformed("kdbx", "the content cannot be parsed"),
    }
}

struct Reader<'o> {
    options: &'o ReadOptions,
    namer: Namer,
    batch: ImportBatch,
}

impl Reader<'_> {
    fn group(&mut self, group: GroupRef<'_>, path: &mut Vec<String>, root: bool) {
        if !root {
            path.push(group.name.clone());
        }
        for entry in group.entries() {
            self.entry(&entry, path);
        }
        for child in group.groups() {
            self.group(child, path, false);
        }
        if !root {
            path.pop();
        }
    }

    fn entry(&mut self, entry: &EntryRef<'_>, path: &[String]) {
        let title = entry.get_title().unwrap_or("").trim().to_owned();
        let mut source = path.join("/");
        if !source.is_empty() {
            source.push('/');
        }
        source.push_str(if title.is_empty() {
            "(untitled)"
        } else {
            &title
        });
        let org = self.options.org.clone();
        let Some(named) = self.namer.name(
            org.as_deref(),
            if title.is_empty() { "untitled" } else { &title },
        ) else {
            self.unreadable(&source, "no_name", "the title has no letter or digit");
            return;
        };
        let mut labels = BTreeMap::new();
        let mut project = self.options.project.clone();
        let mut description = entry.get("Notes").unwrap_or("").to_owned();
        if let Some(url) = entry.get_url().filter(|u| !u.trim().is_empty()) {
            put_label(&mut labels, &mut description, "url", url);
        }
        if !entry.tags.is_empty() {
            put_label(&mut labels, &mut description, "tags", &entry.tags.join(","));
        }
        if !path.is_empty() {
            match self.options.groups {
                GroupsAs::Labels => {
                    put_label(&mut labels, &mut description, "group", &path.join("/"))
                }
                GroupsAs::Project => project = path.last().and_then(|p| sanitise(p)),
            }
        }
        let expires_at = (entry.times.expires == Some(true))
            .then(|| Timestamp::from_unix(entry.times.expiry.and_utc().timestamp()));
        let meta = Meta {
            labels,
            project,
            expires_at,
        };
        let has_value = self.value(
            entry,
            &named.name,
            &source,
            &description,
            &named.original,
            &meta,
        );
        self.attachments(entry, &named.name, &title, &source, &meta);
        if !has_value && entry.attachments().next().is_none() {
            self.unreadable(
                &source,
                "no_value",
                "the entry has no password, field, notes or attachment",
            );
        }
    }

    /// The entry's own value; false when it has none.
    fn value(
        &mut self,
        entry: &EntryRef<'_>,
        name: &str,
        source: &str,
        description: &str,
        original: &Option<String>,
        meta: &Meta,
    ) -> bool {
        let username = entry.get_username().unwrap_or("");
        let password = entry.get_password().unwrap_or("");
        let custom: Vec<(&String, &str)> = entry
            .fields
            .iter()
            .filter(|(k, _)| !STANDARD.contains(&k.as_str()))
            .map(|(k, v)| (k, v.get().as_str()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let data = if custom.is_empty() && !username.is_empty() && !password.is_empty() {
            SecretData::BasicAuth(BasicAuth {
                username: username.to_owned(),
                password: SecretString::from(password),
            })
        } else if !custom.is_empty() || !password.is_empty() {
            let mut entries: Vec<(String, SecretString)> = Vec::new();
            let mut push = |key: String, value: &str| {
                if !value.is_empty() && !entries.iter().any(|(k, _)| *k == key) {
                    entries.push((key, SecretString::from(value)));
                }
            };
            push("username".into(), username);
            push("password".into(), password);
            let mut custom = custom;
            custom.sort();
            for (key, value) in custom {
                push(field_key(key), value);
            }
            SecretData::KeyValue(KeyValue { entries })
        } else if !description.trim().is_empty() {
            match SecretData::from_fields(
                SecretType::Data,
                vec![
                    text_input("data", description),
                    text_input("content_type", "text/plain"),
                ],
                &Intake::default(),
            ) {
                Ok(data) => data,
                Err(e) => {
                    self.unreadable(source, "invalid", &e.to_string());
                    return true;
                }
            }
        } else {
            return false;
        };
        if let Err(e) = check_value(&data) {
            self.unreadable(source, "invalid", &e);
            return true;
        }
        let mut secret = self.options.secret(name.to_owned(), data);
        secret.description = with_original(description, original.as_deref());
        meta.apply(&mut secret);
        let mut item = ImportItem::new(source, secret);
        item.original_name = original.clone();
        self.batch.items.push(item);
        true
    }

    fn attachments(
        &mut self,
        entry: &EntryRef<'_>,
        name: &str,
        title: &str,
        source: &str,
        meta: &Meta,
    ) {
        let mut files: Vec<(String, Vec<u8>)> = entry
            .attachments_named()
            .map(|(file, a)| (file.to_owned(), a.data.get().clone()))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let lower = |f: &str| f.to_ascii_lowercase();
        let cert = files
            .iter()
            .position(|(f, _)| CERT_EXTENSIONS.iter().any(|e| lower(f).ends_with(e)));
        if let Some(cert) = cert {
            let key = files.iter().position(|(f, _)| lower(f).ends_with(".key"));
            let mut inputs = vec![(
                "certificate".to_owned(),
                SecretBytes::from(files[cert].1.clone()),
            )];
            if let Some(k) = key {
                inputs.push((
                    "private_key".to_owned(),
                    SecretBytes::from(files[k].1.clone()),
                ));
            }
            let intake = Intake {
                key_password: entry
                    .get_password()
                    .filter(|p| !p.is_empty())
                    .map(SecretString::from),
                ..Intake::default()
            };
            if let Ok(data) = SecretData::from_fields(SecretType::Certificate, inputs, &intake) {
                let file = files[cert].0.clone();
                self.push_attachment(name, title, source, &file, data, meta);
                let mut used = vec![cert];
                used.extend(key);
                used.sort_unstable();
                for i in used.into_iter().rev() {
                    files.remove(i);
                }
            }
        }
        for (file, bytes) in files {
            let at = format!("{source} [{file}]");
            if bytes.len() > MAX_VALUE_BYTES {
                self.unreadable(&at, "too_large", "the attachment is over 1 MiB");
                continue;
            }
            let inputs = vec![
                ("data".to_owned(), SecretBytes::from(bytes)),
                (
                    "file_name".to_owned(),
                    SecretBytes::from(file.clone().into_bytes()),
                ),
            ];
            match SecretData::from_fields(SecretType::Data, inputs, &Intake::default()) {
                Ok(data) => self.push_attachment(name, title, source, &file, data, meta),
                Err(e) => self.unreadable(&at, "invalid", &e.to_string()),
            }
        }
    }

    fn push_attachment(
        &mut self,
        name: &str,
        title: &str,
        source: &str,
        file: &str,
        data: SecretData,
        meta: &Meta,
    ) {
        let at = format!("{source} [{file}]");
        let wanted = format!("{name}/{file}");
        let Some(named) = self.namer.name(self.options.org.as_deref(), &wanted) else {
            self.unreadable(&at, "no_name", "the file name has no letter or digit");
            return;
        };
        let mut secret = self.options.secret(named.name, data);
        secret.description =
            with_original(&format!("Attachment {file} of KeePass entry {title}"), None);
        meta.apply(&mut secret);
        let mut item = ImportItem::new(at, secret);
        item.original_name = named.original;
        self.batch.items.push(item);
    }

    fn unreadable(&mut self, source: &str, code: &'static str, reason: &str) {
        self.batch.unreadable.push(Unreadable {
            source: source.to_owned(),
            code,
            reason: reason.to_owned(),
        });
    }
}

/// Metadata every secret of one entry shares.
struct Meta {
    labels: BTreeMap<String, String>,
    project: Option<String>,
    expires_at: Option<Timestamp>,
}

impl Meta {
    fn apply(&self, secret: &mut coffer_core::secret::NewSecret) {
        secret.labels = self.labels.clone();
        if self.project.is_some() {
            secret.project = self.project.clone();
        }
        if self.expires_at.is_some() {
            secret.expires_at = self.expires_at;
        }
    }
}

/// A label when it fits (≤ 256 characters, one line), else a description line.
fn put_label(
    labels: &mut BTreeMap<String, String>,
    description: &mut String,
    key: &str,
    value: &str,
) {
    let value = value.trim();
    if value.chars().count() <= 256 && !value.chars().any(char::is_control) {
        labels.insert(key.to_owned(), value.to_owned());
    } else {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(&format!("{key}: {value}"));
    }
}

/// The sizes the vault will check, so that one big value is one unreadable
/// entry rather than a refused import.
fn check_value(data: &SecretData) -> Result<(), String> {
    let fields = data.fields();
    let total: usize = fields.iter().map(|f| f.value.len()).sum();
    if fields.iter().any(|f| f.value.len() > MAX_VALUE_BYTES)
        || total > coffer_core::secret::validate::MAX_SECRET_BYTES
    {
        return Err("a value is over the size limit (1 MiB a field, 4 MiB a secret)".into());
    }
    Ok(())
}
