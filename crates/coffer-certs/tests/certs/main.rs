//! Integration tests of `coffer-certs` against fixtures made at test time by `openssl` and
//! `ssh-keygen`, whose own output is the reference for every expected value.

// Fixture helpers run outside `#[test]` functions; a failed expectation there is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod chain;
mod errors;
mod fixtures;
mod keys;
mod mutations;
mod pkcs12;
mod reference;
mod report_json;
mod ssh;
