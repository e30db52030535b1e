//! Integration tests of coffer-core: real vault files, real SQLite, real
//! Argon2id and AES-GCM, the real OS keyring in a private D-Bus session, and
//! child processes killed mid-write. One binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod audit_page;
mod canary;
mod concurrency;
mod crash;
mod deployments;
mod export;
mod export_jobs;
mod files;
mod import;
mod integrity;
mod jobs;
mod keyring;
mod keys;
mod lifecycle;
mod managers;
mod query;
mod rename;
mod restore;
mod round_trip;
mod save;
mod store_password;
mod support;
mod tamper;
mod team_identity;
mod team_queue;
mod team_replica;
mod validation;
mod versions;
