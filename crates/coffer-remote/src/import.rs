//! Import of remote secrets as local ones (IMCO "brownfield"): many at once,
//! one user action with progress, all or none. Values are read in as few
//! calls as the service allows, mapped one by one, then written in one
//! transaction: a remote secret deleted between browsing and importing (or
//! any other refused item) fails the import clearly and imports nothing. A
//! remote carrying Coffer's write-only tag imports write-only.

use std::cell::RefCell;

use coffer_core::Vault;
use coffer_core::remote::RemoteLink;
use coffer_core::secret::{NewSecret, SecretMeta, SecretType};
use serde::Serialize;

use crate::access::VaultAccess;
use crate::error::Result;
use crate::keyvault::{KeyVault, RemoteValue};
use crate::mapping;
use crate::tags;

/// One remote secret to import.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct ImportItem {
    /// Its name in the key vault.
    pub remote_name: String,
    /// Its remote id, as browsing showed it.
    #[serde(default)]
    pub remote_id: Option<String>,
    /// The local secret's name.
    pub local_name: String,
    /// The type to import it as; by default a JSON object is `key_value`
    /// and anything else `data`.
    #[serde(default)]
    pub kind: Option<SecretType>,
    /// A description for the local secret.
    #[serde(default)]
    pub description: String,
}

/// How one item went.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    /// The remote name.
    pub remote_name: String,
    /// The local name.
    pub local_name: String,
    /// The local secret, when imported.
    pub secret: Option<SecretMeta>,
    /// Why it was not imported (never a value).
    pub error: Option<String>,
}

/// Progress of an import, after each item is read and mapped (all are
/// written together at the end).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    /// Items done.
    pub done: u32,
    /// Items in all.
    pub total: u32,
    /// The item just done.
    pub remote_name: String,
    /// Whether it is ready to be written (an item that is not fails the
    /// whole import).
    pub imported: bool,
}

/// A local name for a remote one: characters local names do not allow
/// (`+`, `=`, `@`, spaces, ...) become `-`, and it is cut to 128.
pub fn local_name_for(remote_name: &str) -> String {
    let name: String = remote_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect();
    if name.is_empty() {
        "imported".to_owned()
    } else {
        name
    }
}

/// Imports `items` from connection `manager` into its organization, all
/// or none: the values are read in as few calls as the service allows,
/// each is mapped to a local secret (progress is reported per item), then
/// all are written in one transaction. A remote secret deleted between
/// browsing and importing, a value that does not map, or a refused local
/// write fails the whole import, naming the item, and leaves the vault
/// unchanged. Returns one outcome per item, in order.
pub async fn import_many<K: KeyVault>(
    vault: &mut Vault,
    manager: &str,
    client: &K,
    items: &[ImportItem],
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<Vec<ImportOutcome>> {
    import_many_shared(&RefCell::new(vault), manager, client, items, progress).await
}

/// [`import_many`] on a vault that others share: it is not held while the
/// values are read.
pub async fn import_many_shared<K: KeyVault, A: VaultAccess>(
    vault: &A,
    manager: &str,
    client: &K,
    items: &[ImportItem],
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<Vec<ImportOutcome>> {
    let manager = vault.with(|v| v.manager(manager))?.spec.name;
    let mut names: Vec<String> = items.iter().map(|i| i.remote_name.clone()).collect();
    names.sort();
    names.dedup();
    let read = client.get_many(&names).await;
    let outcome_text = match &read {
        Ok(values) => format!("ok: {} of {} found", values.len(), names.len()),
        Err(e) => e.class().map_or_else(
            || e.code().as_str().to_owned(),
            |c| format!("{c:?}").to_lowercase(),
        ),
    };
    vault.with(|v| v.audit_remote("remote.get_many", &manager, "", &outcome_text))?;
    let values: Vec<RemoteValue> = read?;
    let total = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let mut batch = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(value) = values.iter().find(|v| v.name == item.remote_name) else {
            return Err(coffer_core::Error::NotFound {
                what: "remote secret",
                name: format!(
                    "{manager}:{} (deleted after browsing?); nothing was imported",
                    item.remote_name
                ),
            }
            .into());
        };
        batch.push(prepare(&manager, item, value)?);
        progress(&ImportProgress {
            done: u32::try_from(i + 1).unwrap_or(u32::MAX),
            total,
            remote_name: item.remote_name.clone(),
            imported: true,
        });
    }
    drop(values);
    let written = vault.with(|v| {
        let written = v.import_remotes(batch);
        let outcome = match &written {
            Ok(done) => format!("ok: {} imported", done.len()),
            Err(e) => format!("failed: {}; nothing was imported", e.code().as_str()),
        };
        v.audit_remote("remote.import", &manager, "", &outcome)?;
        written
    })?;
    Ok(items
        .iter()
        .zip(written)
        .map(|(item, registered)| ImportOutcome {
            remote_name: item.remote_name.clone(),
            local_name: item.local_name.clone(),
            secret: Some(registered.meta),
            error: None,
        })
        .collect())
}

/// The local secret and link for one item (never a value in the error).
fn prepare(
    manager: &str,
    item: &ImportItem,
    value: &RemoteValue,
) -> coffer_core::Result<(NewSecret, RemoteLink)> {
    let data = mapping::from_remote(&value.value, value.binary, item.kind).map_err(|e| {
        coffer_core::Error::invalid(
            "type",
            format!("{manager}:{}: {e}; nothing was imported", item.remote_name),
        )
    })?;
    let mut new = NewSecret::new(item.local_name.clone(), data);
    new.description = item.description.clone();
    // What was write-only where it came from stays write-only here.
    new.write_only = value
        .tags
        .get(tags::TAG_WRITE_ONLY)
        .is_some_and(|v| v == "true");
    let link = RemoteLink {
        manager: manager.to_owned(),
        remote_name: item.remote_name.clone(),
        remote_id: item.remote_id.clone(),
        remote_version: Some(value.version.clone()),
    };
    Ok((new, link))
}

#[cfg(test)]
mod tests {
    use super::local_name_for;

    #[test]
    fn local_names_keep_what_local_names_allow() {
        assert_eq!(
            local_name_for("prod/db.password_1-x"),
            "prod/db.password_1-x"
        );
        assert_eq!(local_name_for("a+b=c@d e"), "a-b-c-d-e");
        assert_eq!(local_name_for(""), "imported");
        assert_eq!(local_name_for(&"x".repeat(300)).len(), 128);
        coffer_core::secret::validate::name("name", &local_name_for("weird:#name!")).unwrap();
    }
}
