//! Reading secrets: list, show, reveal, versions, trash.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use base64::Engine as _;
use coffer_core::secret::{
    Scope, SecretMeta, SecretQuery, SecretRef, SecretStatus, SecretType, SortKey,
};
use coffer_core::{Error, ExposeSecret, Result, Timestamp};
use serde_json::{Map, Value, json};

use crate::args::{Global, SecretCommand, Target};
use crate::input;
use crate::output::{Out, pairs, relative, table, when};
use crate::unlock;

pub fn reference(target: &Target) -> SecretRef {
    SecretRef::in_org(&target.org, &target.name)
}

pub fn list(g: &Global, out: Out, command: SecretCommand) -> Result<()> {
    let SecretCommand::List {
        filter,
        types,
        statuses,
        labels,
        org,
        project,
        expiring_within,
        sort,
        desc,
        limit,
        offset,
    } = command
    else {
        return Err(Error::Internal("list called with another command".into()));
    };
    let query = SecretQuery {
        text: filter,
        types: types
            .iter()
            .map(|t| SecretType::parse(t))
            .collect::<Result<_>>()?,
        statuses: statuses
            .iter()
            .map(|s| SecretStatus::parse(s))
            .collect::<Result<_>>()?,
        labels: input::label_filters(&labels),
        org,
        project,
        expiring_within_days: expiring_within,
        scope: Scope::Live,
        sort: SortKey::parse(&sort)?,
        descending: desc,
        limit,
        offset,
    };
    let vault = unlock::open(g)?;
    let page = vault.list(&query)?;
    if out.json {
        return out.json(&page);
    }
    if page.items.is_empty() {
        println!("No secrets match.");
        return Ok(());
    }
    let now = vault.now();
    let multi_org = page
        .items
        .iter()
        .any(|m| m.org != coffer_core::secret::DEFAULT_ORG);
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|m| {
            let name = if multi_org {
                format!("{}:{}", m.org, m.name)
            } else {
                m.name.clone()
            };
            vec![
                name,
                m.kind.to_string(),
                status_text(m, now),
                expiry_text(m, now),
                labels_text(m),
            ]
        })
        .collect();
    table(&["NAME", "TYPE", "STATUS", "EXPIRES", "LABELS"], &rows);
    let shown = page.items.len() as u32;
    if query.offset > 0 || shown < page.total {
        println!(
            "({}–{} of {})",
            query.offset + 1,
            query.offset + shown,
            page.total
        );
    }
    Ok(())
}

fn status_text(meta: &SecretMeta, now: Timestamp) -> String {
    match (meta.status, meta.expires_at) {
        (SecretStatus::Active, Some(at)) if at.unix() - now.unix() <= 30 * coffer_core::DAY => {
            format!("expiring {}", relative(at, now))
        }
        (status, _) => status.to_string(),
    }
}

fn expiry_text(meta: &SecretMeta, now: Timestamp) -> String {
    match meta.expires_at {
        Some(at) => format!("{} ({})", &at.to_rfc3339()[..10], relative(at, now)),
        None => "-".into(),
    }
}

fn labels_text(meta: &SecretMeta) -> String {
    meta.labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn public_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Array(items) => items.iter().map(public_text).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

pub fn print_meta(meta: &SecretMeta, now: Timestamp) {
    let opt = |t: Option<Timestamp>| t.map(|t| when(t, now)).unwrap_or_else(|| "never".into());
    let mut rows: Vec<(&str, String)> = vec![
        ("name", meta.name.clone()),
        ("type", meta.kind.to_string()),
        ("org", meta.org.clone()),
        (
            "project",
            meta.project.clone().unwrap_or_else(|| "-".into()),
        ),
        ("status", status_text(meta, now)),
        (
            "expires",
            meta.expires_at
                .map(|t| when(t, now))
                .unwrap_or_else(|| "-".into()),
        ),
        ("version", meta.current_version.to_string()),
        (
            "description",
            if meta.description.is_empty() {
                "-".into()
            } else {
                meta.description.clone()
            },
        ),
        (
            "labels",
            if meta.labels.is_empty() {
                "-".into()
            } else {
                labels_text(meta)
            },
        ),
        (
            "visibility",
            format!("{:?}", meta.visibility).to_lowercase(),
        ),
        (
            "write-only",
            if meta.write_only { "yes" } else { "no" }.into(),
        ),
        (
            "protection",
            format!("{:?}", meta.protection).to_lowercase(),
        ),
        ("owner", meta.owner.clone()),
        ("created", when(meta.created_at, now)),
        ("updated", when(meta.updated_at, now)),
        ("last used", opt(meta.last_used_at)),
        ("used by", format!("{} job(s)", meta.used_by)),
    ];
    if let Some(deleted) = meta.deleted_at {
        rows.push(("in trash since", when(deleted, now)));
    }
    if let Some(purge) = meta.purge_at {
        rows.push(("purged", when(purge, now)));
    }
    rows.push(("id", meta.id.to_string()));
    let public: Vec<(String, String)> = match &meta.public_fields {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), public_text(v)))
            .collect(),
        _ => Vec::new(),
    };
    rows.extend(public.iter().map(|(k, v)| (k.as_str(), v.clone())));
    pairs(&rows);
}

pub fn show(g: &Global, out: Out, target: &Target) -> Result<()> {
    let vault = unlock::open(g)?;
    let meta = vault.get(&reference(target))?;
    if out.json {
        return out.json(&meta);
    }
    print_meta(&meta, vault.now());
    Ok(())
}

pub fn reveal(
    g: &Global,
    out: Out,
    target: &Target,
    field: Option<&str>,
    store_password: Option<&PathBuf>,
) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let password = input::optional_password("store password", store_password)?;
    let secret = reference(target);
    let meta = vault.get(&secret)?;
    let wanted = field.or(if out.json { None } else { main_field(&meta) });
    let fields = vault.reveal(&secret, wanted, password.as_ref())?;
    if out.json {
        let mut map = Map::new();
        for f in &fields {
            let bytes = f.value.expose_secret();
            let value = match std::str::from_utf8(bytes) {
                Ok(text) => Value::String(text.to_owned()),
                Err(_) => {
                    json!({ "base64": base64::engine::general_purpose::STANDARD.encode(bytes) })
                }
            };
            map.insert(f.name.clone(), value);
        }
        return out
            .json(&json!({ "name": meta.name, "version": meta.current_version, "fields": map }));
    }
    let mut stdout = std::io::stdout().lock();
    let write = |stdout: &mut std::io::StdoutLock<'_>, bytes: &[u8]| {
        stdout.write_all(bytes).map_err(|e| Error::Io {
            context: "writing the value".into(),
            source: e,
        })
    };
    if wanted.is_some() {
        let bytes = fields
            .first()
            .map(|f| f.value.expose_secret())
            .unwrap_or_default();
        write(&mut stdout, bytes)?;
        if std::io::stdout().is_terminal() && !bytes.ends_with(b"\n") {
            write(&mut stdout, b"\n")?;
        }
    } else {
        // No main value (a key/value secret with several keys): KEY=VALUE lines.
        for f in &fields {
            write(&mut stdout, f.name.as_bytes())?;
            write(&mut stdout, b"=")?;
            write(&mut stdout, f.value.expose_secret())?;
            write(&mut stdout, b"\n")?;
        }
    }
    Ok(())
}

/// The field `reveal` prints by default.
fn main_field(meta: &SecretMeta) -> Option<&str> {
    match meta.kind.main_field() {
        Some(field) => Some(field),
        None => match meta.public_fields.get("keys").and_then(Value::as_array) {
            Some(keys) if keys.len() == 1 => keys[0].as_str(),
            _ => None,
        },
    }
}

pub fn versions(g: &Global, out: Out, target: &Target) -> Result<()> {
    let vault = unlock::open(g)?;
    let versions = vault.versions(&reference(target))?;
    if out.json {
        return out.json(&versions);
    }
    let now = vault.now();
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            vec![
                format!("{}{}", v.version, if v.current { " (current)" } else { "" }),
                when(v.created_at, now),
                v.expires_at
                    .map(|t| when(t, now))
                    .unwrap_or_else(|| "-".into()),
                v.note.clone(),
            ]
        })
        .collect();
    table(&["VERSION", "CREATED", "EXPIRES", "NOTE"], &rows);
    Ok(())
}

pub fn trash(g: &Global, out: Out) -> Result<()> {
    let vault = unlock::open(g)?;
    let query = SecretQuery {
        scope: Scope::Trash,
        sort: SortKey::Updated,
        descending: true,
        limit: coffer_core::secret::MAX_PAGE,
        ..SecretQuery::default()
    };
    let page = vault.list(&query)?;
    if out.json {
        return out.json(&page);
    }
    if page.items.is_empty() {
        println!("The trash is empty.");
        return Ok(());
    }
    let now = vault.now();
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|m| {
            vec![
                format!("{}:{}", m.org, m.name),
                m.kind.to_string(),
                m.deleted_at.map(|t| relative(t, now)).unwrap_or_default(),
                m.purge_at.map(|t| relative(t, now)).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["NAME", "TYPE", "DELETED", "PURGED"], &rows);
    Ok(())
}

pub fn public_key(g: &Global, out: Out, target: &Target) -> Result<()> {
    let vault = unlock::open(g)?;
    let meta = vault.get(&reference(target))?;
    if meta.kind != SecretType::SshKeyPair {
        return Err(Error::invalid(
            "name",
            format!("{} is a {}, not an ssh_key_pair", meta.name, meta.kind),
        ));
    }
    let key = meta
        .public_fields
        .get("public_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if out.json {
        return out.json(&json!({
            "name": meta.name,
            "public_key": key,
            "fingerprint_sha256": meta.public_fields.get("fingerprint_sha256"),
            "algorithm": meta.public_fields.get("algorithm"),
        }));
    }
    println!("{key}");
    Ok(())
}
