//! End-to-end tests of the `coffer` binary: real vault files, real processes,
//! the real OS keyring inside a private D-Bus session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod certs;
mod errors;
mod export;
// The remote crate's fault injector and moto harness, shared, not copied.
#[allow(dead_code)]
#[path = "../../../coffer-remote/tests/remote/support/faults.rs"]
mod faults;
mod fixtures;
mod imports;
mod jobs;
mod keyring;
mod keyvault_remote;
mod keyvaults;
mod leaks;
mod lifecycle;
#[allow(dead_code)]
#[path = "../../../coffer-remote/tests/remote/support/moto.rs"]
mod moto;
mod remote;
mod secrets;
mod support;

/// A free port on 127.0.0.1 (what the shared moto harness asks its parent for).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
