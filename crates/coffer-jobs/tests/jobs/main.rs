//! Integration tests of coffer-jobs with real servers on 127.0.0.1 started
//! by the tests: HTTPS (rustls) with every auth kind, OAuth 2.0, mutual TLS
//! and `git http-backend`; `sshd`; real programs and files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod git;
mod http_fetch;
mod kill;
mod leaks;
mod moto;
mod pki;
mod remote;
mod schedule;
mod server;
mod store_password;
mod support;
mod template;
mod test_action;
