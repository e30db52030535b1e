//! Import of remote secrets as local ones (IMCO "brownfield"): many at once,
//! one user action with progress. Values are read in as few calls as the
//! service allows; each item then succeeds or fails on its own (a remote
//! secret deleted between browsing and importing fails clearly, the others
//! import). A remote carrying Coffer's write-only tag imports write-only.

use coffer_core::Vault;
use coffer_core::remote::RemoteLink;
use coffer_core::secret::{NewSecret, SecretMeta, SecretType};
use serde::Serialize;

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

/// Progress of an import, after each item.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    /// Items done.
    pub done: u32,
    /// Items in all.
    pub total: u32,
    /// The item just done.
    pub remote_name: String,
    /// Whether it was imported.
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

/// Imports `items` from connection `manager` into its organization.
/// Returns one outcome per item, in order; fails as a whole only when the
/// values cannot be read at all (nothing is imported then).
pub async fn import_many<K: KeyVault>(
    vault: &mut Vault,
    manager: &str,
    client: &K,
    items: &[ImportItem],
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<Vec<ImportOutcome>> {
    let manager = vault.manager(manager)?.spec.name;
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
    vault.audit_remote("remote.get_many", &manager, "", &outcome_text)?;
    let mut values: Vec<RemoteValue> = read?;
    let total = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let value = values
            .iter()
            .position(|v| v.name == item.remote_name)
            .map(|at| values.swap_remove(at));
        let result = match value {
            None => Err(format!(
                "{manager}:{} no longer exists in the key vault (deleted after browsing?)",
                item.remote_name
            )),
            Some(value) => import_one(vault, &manager, item, &value),
        };
        vault.audit_remote(
            "remote.import",
            &manager,
            &item.remote_name,
            if result.is_ok() { "ok" } else { "failed" },
        )?;
        let ok = result.is_ok();
        progress(&ImportProgress {
            done: u32::try_from(i + 1).unwrap_or(u32::MAX),
            total,
            remote_name: item.remote_name.clone(),
            imported: ok,
        });
        out.push(match result {
            Ok(meta) => ImportOutcome {
                remote_name: item.remote_name.clone(),
                local_name: item.local_name.clone(),
                secret: Some(meta),
                error: None,
            },
            Err(error) => ImportOutcome {
                remote_name: item.remote_name.clone(),
                local_name: item.local_name.clone(),
                secret: None,
                error: Some(error),
            },
        });
    }
    Ok(out)
}

fn import_one(
    vault: &mut Vault,
    manager: &str,
    item: &ImportItem,
    value: &RemoteValue,
) -> std::result::Result<SecretMeta, String> {
    let data = mapping::from_remote(&value.value, value.binary, item.kind)
        .map_err(|e| format!("{manager}:{}: {e}", item.remote_name))?;
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
    vault
        .import_remote(new, &link)
        .map(|registered| registered.meta)
        .map_err(|e| e.to_string())
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
