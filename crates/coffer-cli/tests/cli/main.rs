//! End-to-end tests of the `coffer` binary: real vault files, real processes,
//! the real OS keyring inside a private D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod certs;
mod errors;
mod fixtures;
mod jobs;
mod keyring;
mod keyvaults;
mod leaks;
mod lifecycle;
mod remote;
mod secrets;
mod support;
