//! `${secret:MANAGER:NAME}` and `${secret:MANAGER:NAME#KEY}`: values from
//! external key vaults. Each distinct remote name is read once per run, in
//! batches, through the process's cache; a missing one stops the run before
//! anything runs, naming the placeholder with its line and column.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use coffer_core::ErrorCode;
use coffer_core::Vault;
use coffer_core::remote::Manager;
use coffer_remote::{Fetched, Origin, Remotes};
use zeroize::Zeroizing;

use crate::error::Result;
use crate::redact::PreparedPatterns;
use crate::resolve::{Located, Needs, SecretSource, ValueKey, placeholder_error};

/// The remote part of a run's resolution.
#[derive(Default)]
pub(crate) struct RemoteValues {
    /// Values by (connection, name, key).
    pub values: BTreeMap<ValueKey, Zeroizing<Vec<u8>>>,
    /// Everything to redact: whole values and every key's value, prepared.
    pub redact: Vec<Arc<PreparedPatterns>>,
    /// Where each value came from, for the run's log.
    pub notes: Vec<String>,
    /// Stale values used.
    pub warnings: Vec<String>,
}

/// The connection named `name`, if there is one.
pub(crate) fn find_manager(vault: &Vault, name: &str) -> coffer_core::Result<Option<Manager>> {
    match vault.manager(name) {
        Ok(manager) => Ok(Some(manager)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads `names` from `manager` through `remotes` (credentials used and
/// remote reads audited with `purpose`).
pub(crate) fn fetch(
    vault: &mut Vault,
    remotes: Option<&Remotes>,
    manager: &Manager,
    names: &[String],
    purpose: &str,
) -> Result<Vec<Fetched>> {
    let Some(remotes) = remotes else {
        return Err(crate::Error::invalid(
            "placeholder",
            format!("key vault {} cannot be read here", manager.spec.name),
        ));
    };
    Ok(remotes.fetch_stored(vault, manager, names, purpose)?)
}

/// The text of a remote value: binary values as base64.
fn text_of(fetched: &Fetched) -> Zeroizing<Vec<u8>> {
    if fetched.binary {
        Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .encode(&fetched.value[..])
                .into_bytes(),
        )
    } else {
        Zeroizing::new(fetched.value.to_vec())
    }
}

/// The keys of a JSON object secret with their values (strings as they
/// are, other values as JSON); `Err` says why there are none.
type Keys = std::result::Result<BTreeMap<String, Zeroizing<Vec<u8>>>, &'static str>;

fn keys_of(value: &[u8]) -> Keys {
    let parsed: serde_json::Value = serde_json::from_slice(value)
        .map_err(|_| "is a string secret and has no keys (use it without #KEY)")?;
    let serde_json::Value::Object(map) = parsed else {
        return Err("is not a JSON object and has no keys (use it without #KEY)");
    };
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => Zeroizing::new(s.into_bytes()),
                other => Zeroizing::new(other.to_string().into_bytes()),
            };
            (k, text)
        })
        .collect())
}

/// The value of `key` in `keys`; `Err` says why there is none.
fn key_in(keys: &Keys, key: &str) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
    let map = keys.as_ref().map_err(|why| (*why).to_owned())?;
    match map.get(key) {
        Some(value) => Ok(value.clone()),
        None => {
            // (A BTreeMap's keys come sorted.)
            let names: Vec<&str> = map.keys().map(String::as_str).collect();
            Err(format!("has no key {key:?} (keys: {})", names.join(", ")))
        }
    }
}

/// Every string leaf of a JSON object secret, to redact on its own.
fn leaves(value: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(value)
    else {
        return Vec::new();
    };
    // `true`, `false` and `null` would mask every such word in the output.
    map.values()
        .filter_map(|v| match v {
            serde_json::Value::String(s) => Some(Zeroizing::new(s.as_bytes().to_vec())),
            serde_json::Value::Bool(_) | serde_json::Value::Null => None,
            other => Some(Zeroizing::new(other.to_string().into_bytes())),
        })
        .collect()
}

/// What a run derives from a remote value: its keys and what to redact
/// (the whole text, every key's value on its own, and a binary value's
/// raw bytes, each with its encoded forms). Kept with the value's cache
/// entry, so that a warm run reuses it instead of parsing and encoding the
/// value again; forgotten with the entry.
#[derive(Clone)]
struct Derived {
    keys: Keys,
    redact: Arc<PreparedPatterns>,
}

impl Derived {
    fn of(fetched: &Fetched) -> Self {
        let whole = text_of(fetched);
        let keys = keys_of(&whole);
        let leaves = leaves(&whole);
        let mut values: Vec<&[u8]> = vec![&whole[..]];
        values.extend(leaves.iter().map(|v| &v[..]));
        if fetched.binary {
            values.push(&fetched.value[..]);
        }
        Self {
            redact: Arc::new(PreparedPatterns::of(values)),
            keys,
        }
    }
}

/// Resolves the remote placeholders of `needs` (connections already
/// checked to exist).
pub(crate) fn resolve_remote(source: &mut dyn SecretSource, needs: &Needs) -> Result<RemoteValues> {
    let mut by_manager: BTreeMap<&str, Vec<&Located>> = BTreeMap::new();
    for located in &needs.placeholders {
        if let Some(manager) = located.placeholder.manager.as_deref() {
            by_manager.entry(manager).or_default().push(located);
        }
    }
    let mut out = RemoteValues::default();
    for (manager_name, placeholders) in by_manager {
        let Some(manager) = source.manager(manager_name)? else {
            // A shared organization's secrets are resolved by `shared`.
            if source
                .shared_meta(manager_name, &placeholders[0].placeholder.name)?
                .is_some()
            {
                continue;
            }
            return Err(placeholder_error(
                placeholders[0],
                ErrorCode::NotFound,
                format!("unknown key vault {manager_name:?} (no connection of that name)"),
            ));
        };
        let mut names: Vec<String> = placeholders
            .iter()
            .map(|l| l.placeholder.name.clone())
            .collect();
        names.sort();
        names.dedup();
        let fetched = source.fetch_remote(&manager, &names)?;
        // Each value's keys and patterns, from its cache entry when a run
        // has derived them before (or here, should the entry hold
        // something else).
        let derived: Vec<Cow<'_, Derived>> = fetched
            .iter()
            .map(|found| {
                match found
                    .derived
                    .get_or_init(|| Box::new(Derived::of(found)))
                    .downcast_ref::<Derived>()
                {
                    Some(kept) => Cow::Borrowed(kept),
                    None => Cow::Owned(Derived::of(found)),
                }
            })
            .collect();
        let by_name: BTreeMap<&str, (&Fetched, &Derived)> = fetched
            .iter()
            .zip(&derived)
            .map(|(f, d)| (f.name.as_str(), (f, &**d)))
            .collect();
        // Every placeholder is checked before any value is used.
        for located in &placeholders {
            let p = &located.placeholder;
            let Some(&(found, derived)) = by_name.get(p.name.as_str()) else {
                return Err(placeholder_error(
                    located,
                    ErrorCode::NotFound,
                    format!("key vault {manager_name} has no secret {:?}", p.name),
                ));
            };
            if found.write_only && located.to_disk && !needs.allow_write_only_to_disk {
                return Err(placeholder_error(
                    located,
                    ErrorCode::WriteOnly,
                    format!(
                        "{manager_name}:{} is write-only and this job writes it to disk (allow \
                         it with allow_write_only_to_disk)",
                        p.name
                    ),
                ));
            }
            let key = (p.manager.clone(), p.name.clone(), p.field.clone());
            if out.values.contains_key(&key) {
                continue;
            }
            let value = match &p.field {
                None => text_of(found),
                Some(field) => key_in(&derived.keys, field).map_err(|why| {
                    placeholder_error(
                        located,
                        ErrorCode::NotFound,
                        format!("{manager_name}:{} {why}", p.name),
                    )
                })?,
            };
            out.values.insert(key, value);
        }
        for (found, derived) in fetched.iter().zip(&derived) {
            out.redact.push(Arc::clone(&derived.redact));
            let from = match &found.origin {
                Origin::Remote => "read from the key vault".to_owned(),
                Origin::Cache => "from the cache".to_owned(),
                Origin::Stale { expired_at, error } => {
                    out.warnings.push(format!(
                        "warning: {manager_name}:{} is a cached value that expired at {} (the \
                         key vault could not be read: {error})",
                        found.name,
                        expired_at.to_rfc3339()
                    ));
                    format!("from the cache, stale since {}", expired_at.to_rfc3339())
                }
            };
            let write_only = if found.write_only { ", write-only" } else { "" };
            out.notes.push(format!(
                "{manager_name}:{} version {} {from}{write_only}",
                found.name, found.version
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_json_objects_and_none_of_strings() {
        let json = keys_of(br#"{"user":"app","password":"pw","port":5432}"#);
        assert_eq!(&key_in(&json, "password").unwrap()[..], b"pw");
        assert_eq!(&key_in(&json, "port").unwrap()[..], b"5432");
        let missing = key_in(&json, "host").unwrap_err();
        assert!(missing.contains("keys: password, port, user"), "{missing}");
        assert!(
            key_in(&keys_of(b"plain text"), "x")
                .unwrap_err()
                .contains("string secret")
        );
        assert!(
            key_in(&keys_of(b"[1,2]"), "x")
                .unwrap_err()
                .contains("not a JSON object")
        );
        let json = br#"{"user":"app","password":"pw","port":5432}"#;
        let all = leaves(json);
        assert_eq!(all.len(), 3);
        assert_eq!(leaves(br#"{"on":true,"x":null,"pin":"1234"}"#).len(), 1);
    }
}
