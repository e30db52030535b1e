//! Integration tests of coffer-team against a real PostgreSQL started by
//! each test, with members as separate local vaults. One binary, one module
//! per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod bench;
mod checkpoint;
mod client_cert;
mod crash;
mod history;
mod invitations;
mod membership;
mod offline;
mod privileges;
mod removal;
mod rollback;
mod secrets;
mod server;
mod support;
mod sync;
mod tamper;
mod teams;
mod tls;
