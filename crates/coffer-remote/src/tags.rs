//! The tags Coffer puts on what it deploys, so that it can tell its own
//! remote secrets from others' and make retries idempotent.

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
/// Present (`true`) when the local secret is write-only.
pub const TAG_WRITE_ONLY: &str = "coffer-write-only";

/// Whether the tags say Coffer deployed it (from any vault).
pub fn is_managed(tags: &Tags) -> bool {
    tags.get(TAG_MANAGED_BY).map(String::as_str) == Some(MANAGED_BY_COFFER)
}
