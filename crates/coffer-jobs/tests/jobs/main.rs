//! Integration tests of coffer-jobs with real servers on 127.0.0.1 started
//! by the tests: HTTPS (rustls) with every auth kind, OAuth 2.0, mutual TLS
//! and `git http-backend`; `sshd`; real programs and files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod git;
mod http_fetch;
mod kill;
mod leaks;
// The remote tests' moto launcher (not every helper of it is used here).
#[allow(dead_code)]
#[path = "../../../coffer-remote/tests/remote/support/moto.rs"]
mod moto;
// The team vault tests' PostgreSQL launcher.
#[allow(dead_code)]
#[path = "../../../coffer-team/tests/team/support/pg.rs"]
mod pg;
mod pki;
mod remote;
mod schedule;
mod server;
mod shared;
mod store_password;
mod support;
mod template;
mod test_action;

/// A free port on 127.0.0.1 (for the shared moto launcher).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
