//! The tags Coffer puts on what it deploys, so that it can tell its own
//! remote secrets from others' and make retries idempotent; and the
//! write-only mark, which whoever reads the value back honours. Names use
//! only letters and dashes so both services take them.

use crate::keyvault::Tags;

/// Marks a remote secret as deployed by Coffer (value [`MANAGED_BY_COFFER`]).
pub const TAG_MANAGED_BY: &str = "managed-by";
/// The value of [`TAG_MANAGED_BY`].
pub const MANAGED_BY_COFFER: &str = "coffer";
/// The id of the Coffer vault that deployed it.
pub const TAG_VAULT_ID: &str = "coffer-vault";
/// The local secret's id.
pub const TAG_SECRET_ID: &str = "coffer-secret";
/// The local version (the idempotency token) a remote version holds.
pub const TAG_VERSION: &str = "coffer-version";
/// Present (`true`) when the local secret is write-only: a placeholder or
/// an import that reads it back treats it as write-only too.
pub const TAG_WRITE_ONLY: &str = "coffer-write-only";

/// Whether the tags say Coffer deployed it (from any vault).
pub fn is_managed(tags: &Tags) -> bool {
    tags.get(TAG_MANAGED_BY).map(String::as_str) == Some(MANAGED_BY_COFFER)
}

/// Whether Coffer deployed it, and (when `vault_id` is given) from this vault.
pub fn is_managed_by(tags: &Tags, vault_id: Option<&str>) -> bool {
    is_managed(tags)
        && vault_id.is_none_or(|id| tags.get(TAG_VAULT_ID).map(String::as_str) == Some(id))
}

/// Whether the tags carry Coffer's write-only mark.
pub fn is_write_only(tags: &Tags) -> bool {
    tags.get(TAG_WRITE_ONLY).map(String::as_str) == Some("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_needs_the_mark_and_the_same_vault() {
        let mut tags = Tags::new();
        assert!(!is_managed(&tags));
        tags.insert(TAG_MANAGED_BY.into(), MANAGED_BY_COFFER.into());
        tags.insert(TAG_VAULT_ID.into(), "v1".into());
        assert!(is_managed(&tags));
        assert!(is_managed_by(&tags, None));
        assert!(is_managed_by(&tags, Some("v1")));
        assert!(!is_managed_by(&tags, Some("v2")));
        assert!(!is_write_only(&tags));
        tags.insert(TAG_WRITE_ONLY.into(), "true".into());
        assert!(is_write_only(&tags));
    }
}
