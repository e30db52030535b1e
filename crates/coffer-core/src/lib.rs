//! Coffer's core: the secret types, their encryption, the SQLite store and
//! the [`Vault`] facade that the desktop app, the CLI and the tests share.
//!
//! No Tauri, no network. Time comes from a [`Clock`]; secret values live in
//! `secrecy`/`zeroize` types whose `Debug` is redacted and which cannot be
//! serialized by accident.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod audit_query;
mod clock;
mod crypto;
mod error;
pub mod export;
pub mod import;
pub mod job;
mod os_keyring;
pub mod remote;
pub mod secret;
mod store;
mod vault;

pub use audit::{AuditEntry, AuditVerification};
pub use audit_query::{AUDIT_PAGE_MAX, AuditExportFormat, AuditFacets, AuditFilter, AuditPage};
pub use clock::{Clock, DAY, FixedClock, SystemClock, Timestamp};
pub use coffer_certs as certs;
pub use crypto::KdfParams;
pub use error::{Error, ErrorCode, Result};
pub use os_keyring::KeyringState;
pub use secrecy::{ExposeSecret, SecretString};
pub use store::{LabelCount, OrgSummary, SecretCounts};
pub use vault::{
    CreateOptions, Disclosure, ExpiredPolicy, ExpiryNotice, ExportEncryption, ExportOptions,
    ExportPreview, ExportScope, ExportSummary, Exported, FileForm, KeyringUnlock, PIN_MIN_CHARS,
    PIN_TRIES, PassphraseUnlock, PinUnlock, PurgeReason, QueuedEntry, Registered, Renamed,
    ReplicaState, RestorePreview, RestoreReport, RevealedField, SecretUse, Settings,
    TeamIdentityInfo, UsePolicyNote, Vault, VaultStatus, VaultSummary, default_vault_path,
};
