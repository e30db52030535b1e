//! The tags Coffer puts on what it deploys (DESIGN §8): ownership, the
//! version deployed, and the write-only mark. Names use only letters and
//! dashes so both services take them.

use crate::keyvault::Tags;

/// Marks a remote secret as deployed by Coffer; its value is [`MANAGED_BY_COFFER`].
pub const MANAGED_BY: &str = "coffer-managed-by";
/// The value of [`MANAGED_BY`].
pub const MANAGED_BY_COFFER: &str = "coffer";
/// The id of the vault that deployed it.
pub const VAULT_ID: &str = "coffer-vault-id";
/// The local secret's id.
pub const SECRET_ID: &str = "coffer-secret-id";
/// The local version deployed last.
pub const VERSION: &str = "coffer-version";
/// Present (`true`) when the local secret is write-only: whoever reads it
/// back (a placeholder, an import) treats it as write-only too.
pub const WRITE_ONLY: &str = "coffer-write-only";

/// Whether the tags say Coffer manages the remote secret (and, when
/// `vault_id` is given, that this vault deployed it).
pub fn is_managed(tags: &Tags, vault_id: Option<&str>) -> bool {
    tags.get(MANAGED_BY).map(String::as_str) == Some(MANAGED_BY_COFFER)
        && vault_id.is_none_or(|id| tags.get(VAULT_ID).map(String::as_str) == Some(id))
}

/// Whether the tags carry Coffer's write-only mark.
pub fn is_write_only(tags: &Tags) -> bool {
    tags.get(WRITE_ONLY).map(String::as_str) == Some("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_needs_the_mark_and_the_same_vault() {
        let mut tags = Tags::new();
        assert!(!is_managed(&tags, None));
        tags.insert(MANAGED_BY.into(), MANAGED_BY_COFFER.into());
        tags.insert(VAULT_ID.into(), "v1".into());
        assert!(is_managed(&tags, None));
        assert!(is_managed(&tags, Some("v1")));
        assert!(!is_managed(&tags, Some("v2")));
        assert!(!is_write_only(&tags));
        tags.insert(WRITE_ONLY.into(), "true".into());
        assert!(is_write_only(&tags));
    }
}
