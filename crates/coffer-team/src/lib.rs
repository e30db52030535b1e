//! Coffer's team vault: administrators share organizations through
//! PostgreSQL with client-side encryption. This crate holds the PostgreSQL
//! store (all its SQL), the members' identities and the membership flows:
//! create, invite, join, confirm, members, status; shared secrets and
//! their local replica (sync).
//!
//! What the server sees and what it cannot do is in docs/design.md ("Team
//! vault"): reading is enforced by keys (organization keys wrapped to each
//! member's post-quantum age recipient), writing by PostgreSQL (a login role
//! per member, row-level security with FORCE), and every record is signed
//! by its author and verified back to the trust anchor.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod access;
mod audit;
mod connect;
mod create;
mod error;
mod history;
mod identity;
mod invitations;
mod local;
mod members;
mod migration_membership;
mod migration_teams;
mod migration_uses;
mod offline;
mod records;
mod remove;
mod rewrap;
mod rollback;
mod schema;
mod schema_secrets;
mod seal;
mod secret_record;
mod secrets;
#[cfg(test)]
mod secrets_rewrap_tests;
mod sync;
mod team;
mod teams;
mod ticket;
mod uses;

pub use access::{AccessChange, AccessRule, Level, RulesChange, SecretAccess, Visibility};
pub use audit::{AuditEntry, AuditVerified};
pub use connect::{CONNECT_TIMEOUT, Server, TlsMode};
pub use create::{CreateOptions, Created, JoinOptions, create, join, join_with, status};
pub use error::{Error, Result};
pub use history::SharedVersion;
pub use identity::{Identity, PublicKeys, normalize_fingerprint};
pub use invitations::InvitationInfo;
pub use members::Member;
pub use offline::{reveal_shared, use_shared};
pub use remove::{Removed, ToRotate, remove};
pub use schema::LATEST as SCHEMA_VERSION;
pub use secrets::{MetadataChange, SharedSecret};
pub use sync::{
    LendVault, SYNC_PAGE, SharedListing, SyncProgress, SyncReport, is_shared_org, list_shared,
    replica, replica_secret, sync, sync_with, sync_with_progress,
};
pub use team::{Invitation, Organization, Prepared, Role, Status, TeamVault};
pub use teams::{TeamInfo, TeamMemberRemoved};
