//! Integration tests of `coffer-certs` against fixtures made at test time by `openssl` and
//! `ssh-keygen`, whose own output is the reference for every expected value.

// Fixture helpers run outside `#[test]` functions; a failed expectation there is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod bundles;
mod chain;
mod consistency;
mod corpus;
mod dates_and_serials;
mod errors;
mod fixtures;
mod keys;
mod mutations;
mod pkcs12;
mod reference;
mod refusals;
mod report_json;
mod ssh;
mod ssh_formats;
mod unusable_keys;
