//! `coffer secret add|list|show|reveal|update|versions|restore|deactivate|delete --org ORG`
//! when ORG is a shared organization of the team vault this vault joined:
//! the same commands and output as for local secrets (plus a "shared"
//! marker), over coffer-team. Listing reads the replica (synced first when
//! the server answers); everything else needs the server.

use std::io::{IsTerminal, Write};

use coffer_core::secret::{NewSecret, SecretData, SecretType, ValueChange};
use coffer_core::{Error, Vault};
use coffer_team::{MetadataChange, SharedSecret, TeamVault};
use serde_json::{Map, Value, json};

use super::secret_write::{expiry, intake};
use crate::args::{Global, SecretCommand};
use crate::input::{self, Stdin};
use crate::output::{Failure, Out, pairs, table, when};
use crate::unlock;

/// Runs `command` against the team vault when its `--org` is shared;
/// hands it back untouched otherwise.
pub fn route(
    g: &Global,
    out: Out,
    command: Box<SecretCommand>,
) -> Result<Result<(), Failure>, Box<SecretCommand>> {
    let org = match &*command {
        SecretCommand::Add { org, .. } => org.clone(),
        SecretCommand::List { org: Some(org), .. } => org.clone(),
        SecretCommand::Show { target }
        | SecretCommand::Reveal { target, .. }
        | SecretCommand::Update { target, .. }
        | SecretCommand::Versions { target }
        | SecretCommand::Restore { target, .. }
        | SecretCommand::Deactivate { target }
        | SecretCommand::Delete { target, .. } => target.org.clone(),
        _ => return Err(command),
    };
    if org == coffer_core::secret::DEFAULT_ORG {
        return Err(command);
    }
    // Decided on the locked vault first: a vault that joined no team vault,
    // or names a local organization, goes the local way without a second unlock.
    let local = unlock::open(g).map_or(true, |locked| {
        locked.team_identities().map_or(true, |ids| ids.is_empty())
            || locked
                .organizations()
                .is_ok_and(|orgs| orgs.iter().any(|o| o.name == org))
    });
    if local {
        return Err(command);
    }
    let mut vault = match unlock::open_unlocked(g, out) {
        Ok(vault) => vault,
        Err(e) => return Ok(Err(e.into())),
    };
    match coffer_team::is_shared_org(&mut vault, &org) {
        Ok(true) => Ok(run(&mut vault, out, &org, *command)),
        Ok(false) => Err(command),
        Err(e) => Ok(Err(e.into())),
    }
}

fn run(vault: &mut Vault, out: Out, org: &str, command: SecretCommand) -> Result<(), Failure> {
    let now = vault.now();
    match command {
        SecretCommand::Add {
            kind,
            name,
            fields,
            meta,
            store_password_file,
            generate_store_password,
            ..
        } => {
            if store_password_file.is_some() || generate_store_password {
                return Err(Error::invalid(
                    "store password",
                    "store passwords are not available for shared secrets yet",
                )
                .into());
            }
            let kind = SecretType::parse(&kind)?;
            let inputs = input::fields(kind, &fields.fields, &fields.files, &mut Stdin::default())?;
            let mut new = NewSecret::from_fields(name, kind, inputs, &intake(&fields)?)?;
            new.description = meta.description.clone().unwrap_or_default();
            new.labels = input::labels(&meta.labels)?;
            new.expires_at = expiry(&meta)?;
            new.write_only = meta.write_only;
            let created = TeamVault::open(vault, None)?.create_shared_secret(org, new, now)?;
            if out.json {
                return Ok(out.json(&json!({ "secret": created, "shared": true }))?);
            }
            println!(
                "Registered {} {} in {} (version 1, shared).",
                created.kind, created.name, created.org
            );
        }
        SecretCommand::List { filter, types, .. } => {
            let listing = coffer_team::list_shared(vault, None, Some(org))?;
            let text = filter.map(|f| f.to_lowercase());
            let secrets: Vec<&SharedSecret> = listing
                .secrets
                .iter()
                .filter(|s| s.status != "trashed")
                .filter(|s| types.is_empty() || types.contains(&s.kind))
                .filter(|s| {
                    text.as_ref().is_none_or(|t| {
                        s.name.to_lowercase().contains(t)
                            || s.description.to_lowercase().contains(t)
                    })
                })
                .collect();
            if out.json {
                return Ok(out.json(&json!({
                    "items": secrets,
                    "total": secrets.len(),
                    "shared": true,
                    "online": listing.online,
                    "as_of": listing.as_of,
                }))?);
            }
            if !listing.online {
                let as_of = listing
                    .as_of
                    .map_or_else(|| "never synced".to_owned(), |t| when(t, now));
                eprintln!("offline, as of {as_of}");
            }
            if secrets.is_empty() {
                println!("No secrets match.");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = secrets
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.kind.clone(),
                        format!("{} (shared)", s.status),
                        s.expires_at
                            .map(|t| {
                                format!(
                                    "{} ({})",
                                    &t.to_rfc3339()[..10],
                                    crate::output::relative(t, now)
                                )
                            })
                            .unwrap_or_else(|| "-".into()),
                        labels_text(s),
                    ]
                })
                .collect();
            table(&["NAME", "TYPE", "STATUS", "EXPIRES", "LABELS"], &rows);
        }
        SecretCommand::Show { target } => {
            let secret = TeamVault::open(vault, None)?.shared_secret(org, &target.name)?;
            if out.json {
                return Ok(out.json(&secret)?);
            }
            print_shared(&secret, now);
        }
        SecretCommand::Reveal { target, field, .. } => {
            let (secret, data, offline) =
                coffer_team::reveal_shared(vault, org, &target.name, now)?;
            if offline {
                eprintln!(
                    "offline: revealed from this desktop's replica; the team vault's audit \
                     receives this reveal at the next sync"
                );
            }
            print_value(out, &secret, &data, field.as_deref())?;
        }
        SecretCommand::Update {
            target,
            fields,
            remove_fields,
            meta,
            remove_labels,
            clear_expiry,
            ..
        } => {
            if fields.fields.is_empty()
                && fields.files.is_empty()
                && remove_fields.is_empty()
                && meta.description.is_none()
                && meta.labels.is_empty()
                && remove_labels.is_empty()
                && !clear_expiry
                && expiry(&meta)?.is_none()
            {
                return Err(Error::invalid(
                    "update",
                    "nothing to change: give --field, --description, --label, ...",
                )
                .into());
            }
            let mut tv = TeamVault::open(vault, None)?;
            let mut current = tv.shared_secret(org, &target.name)?;
            let mut value_unchanged = false;
            if !fields.fields.is_empty() || !fields.files.is_empty() || !remove_fields.is_empty() {
                let kind = SecretType::parse(&current.kind)?;
                let set =
                    input::fields(kind, &fields.fields, &fields.files, &mut Stdin::default())?;
                let change = ValueChange {
                    set,
                    remove: remove_fields,
                    intake: intake(&fields)?,
                };
                match tv.update_shared_fields(org, &target.name, current.revision, change, now)? {
                    Some(changed) => current = changed,
                    None => value_unchanged = true,
                }
            }
            let mut labels = current.labels.clone();
            labels.extend(input::labels(&meta.labels)?);
            for key in &remove_labels {
                labels.remove(key);
            }
            let change = MetadataChange {
                description: meta.description.clone(),
                labels: (labels != current.labels).then_some(labels),
                expires_at: if clear_expiry {
                    Some(None)
                } else {
                    expiry(&meta)?.map(Some)
                },
            };
            if change.description.is_some()
                || change.labels.is_some()
                || change.expires_at.is_some()
            {
                current =
                    tv.update_shared_metadata(org, &target.name, current.revision, change, now)?;
            }
            if out.json {
                return Ok(out.json(&current)?);
            }
            if value_unchanged {
                eprintln!("{}: the value is unchanged.", current.name);
            }
            println!(
                "{}: updated (version {}, shared).",
                current.name, current.version
            );
        }
        SecretCommand::Versions { target } => {
            let versions = TeamVault::open(vault, None)?.shared_versions(org, &target.name)?;
            if out.json {
                return Ok(out.json(&versions)?);
            }
            let rows: Vec<Vec<String>> = versions
                .iter()
                .map(|v| {
                    vec![
                        format!("{}{}", v.version, if v.current { " (current)" } else { "" }),
                        v.revision.to_string(),
                        when(v.at, now),
                        v.author_name.clone().unwrap_or_else(|| v.author.clone()),
                        v.status.clone(),
                        v.changes.join(", "),
                    ]
                })
                .collect();
            table(
                &["VERSION", "REVISION", "WHEN", "BY", "STATUS", "CHANGED"],
                &rows,
            );
        }
        SecretCommand::Restore {
            target,
            version,
            store_password_file,
        } => {
            if store_password_file.is_some() {
                return Err(Error::invalid(
                    "store password",
                    "store passwords are not available for shared secrets yet",
                )
                .into());
            }
            let version =
                i32::try_from(version).map_err(|_| Error::invalid("version", "is out of range"))?;
            let mut tv = TeamVault::open(vault, None)?;
            let current = tv.shared_secret(org, &target.name)?;
            let restored =
                tv.restore_shared_version(org, &target.name, version, current.revision, now)?;
            if out.json {
                return Ok(out.json(&json!({ "version": restored.version, "shared": true }))?);
            }
            println!(
                "{}: version {version} restored as version {} (shared)",
                target.name, restored.version
            );
        }
        SecretCommand::Deactivate { target } => {
            set_status(vault, out, org, &target.name, "deactivated", "deactivated")?;
        }
        SecretCommand::Delete {
            target,
            permanent: false,
        } => {
            set_status(
                vault,
                out,
                org,
                &target.name,
                "trashed",
                "moved to the trash",
            )?;
        }
        SecretCommand::Delete {
            permanent: true, ..
        } => {
            return Err(Error::invalid(
                "permanent",
                "shared secrets are only moved to the trash for now",
            )
            .into());
        }
        _ => return Err(Error::Internal("not a shared-secret command".into()).into()),
    }
    Ok(())
}

fn set_status(
    vault: &mut Vault,
    out: Out,
    org: &str,
    name: &str,
    status: &str,
    said: &str,
) -> Result<(), Failure> {
    let now = vault.now();
    let mut tv = TeamVault::open(vault, None)?;
    let current = tv.shared_secret(org, name)?;
    let changed = tv.set_shared_status(org, name, current.revision, status, now)?;
    if out.json {
        return Ok(out.json(&changed)?);
    }
    println!("{name}: {said} (shared)");
    Ok(())
}

fn labels_text(s: &SharedSecret) -> String {
    s.labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn print_shared(s: &SharedSecret, now: coffer_core::Timestamp) {
    let mut rows: Vec<(&str, String)> = vec![
        ("name", s.name.clone()),
        ("type", s.kind.clone()),
        ("org", s.org.clone()),
        ("status", s.status.clone()),
        (
            "expires",
            s.expires_at.map_or_else(|| "-".into(), |t| when(t, now)),
        ),
        ("version", s.version.to_string()),
        (
            "description",
            if s.description.is_empty() {
                "-".into()
            } else {
                s.description.clone()
            },
        ),
        (
            "labels",
            if s.labels.is_empty() {
                "-".into()
            } else {
                labels_text(s)
            },
        ),
        ("write-only", if s.write_only { "yes" } else { "no" }.into()),
        ("shared", format!("yes (revision {})", s.revision)),
        ("updated", when(s.updated_at, now)),
        ("updated by", s.author.clone()),
        ("id", s.id.clone()),
    ];
    if let Value::Object(map) = &s.public_fields {
        for (k, v) in map {
            let text = match v {
                Value::String(text) => text.clone(),
                Value::Null => "-".into(),
                other => other.to_string(),
            };
            rows.push((k.as_str(), text));
        }
    }
    pairs(&rows);
}

fn print_value(
    out: Out,
    secret: &SharedSecret,
    data: &SecretData,
    field: Option<&str>,
) -> Result<(), Failure> {
    let kind = SecretType::parse(&secret.kind)?;
    let fields = data.fields();
    let only_key = match &secret.public_fields.get("keys").and_then(Value::as_array) {
        Some(keys) if keys.len() == 1 => keys[0].as_str().map(str::to_owned),
        _ => None,
    };
    let wanted = field.map(str::to_owned).or(if out.json {
        None
    } else {
        kind.main_field().map(str::to_owned).or(only_key)
    });
    if out.json {
        let mut map = Map::new();
        for f in fields
            .iter()
            .filter(|f| wanted.as_deref().is_none_or(|w| f.name == w))
        {
            let value = match std::str::from_utf8(&f.value) {
                Ok(text) => Value::String(text.to_owned()),
                Err(_) => {
                    json!({ "base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &f.value) })
                }
            };
            map.insert(f.name.to_string(), value);
        }
        return Ok(out.json(&json!({ "name": secret.name, "version": secret.version, "fields": map, "shared": true }))?);
    }
    let io = |e: std::io::Error| Error::Io {
        context: "writing the value".into(),
        source: e,
    };
    let mut stdout = std::io::stdout().lock();
    match wanted {
        Some(name) => {
            let f = data.field(&name).ok_or_else(|| Error::NotFound {
                what: "field",
                name: name.clone(),
            })?;
            stdout.write_all(&f.value).map_err(io)?;
            if std::io::stdout().is_terminal() && !f.value.ends_with(b"\n") {
                stdout.write_all(b"\n").map_err(io)?;
            }
        }
        None => {
            for f in fields.iter().filter(|f| f.secret) {
                stdout.write_all(f.name.as_bytes()).map_err(io)?;
                stdout.write_all(b"=").map_err(io)?;
                stdout.write_all(&f.value).map_err(io)?;
                stdout.write_all(b"\n").map_err(io)?;
            }
        }
    }
    Ok(())
}
