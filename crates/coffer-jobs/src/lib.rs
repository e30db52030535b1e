//! Coffer's jobs: things that run with secrets.
//!
//! - [`placeholder`]: `${secret:NAME}`, `${secret:NAME#FIELD}`,
//!   `${secret:MANAGER:NAME#KEY}` and `$${`, with line and column in errors.
//! - [`resolve`]: collects what a job references, checks it from clear
//!   metadata, then decrypts each referenced secret once through
//!   [`coffer_core::Vault::use_secret`] — never one it does not reference.
//! - [`redact`]: secret values in the encodings programs print them in
//!   (base64, hex, percent, JSON; wrapped across lines) become `***`.
//! - [`child_env`]: the allow-listed environment of the programs runs start.
//! - [`scratch`]: per-user 0700 scratch directories, stale ones removed.
//! - [`file_input`]: files a person names, read without hanging.
//! - [`runner`]: `http_fetch`, `git_fetch`, `template` and `command` runs in
//!   three steps (prepare with the vault, execute without, complete with it).
//! - [`scheduler`]: cron and interval schedules inside the desktop app,
//!   missed runs on the next start.
//! - [`probe`]: the Test action — one authenticated request, status and TLS
//!   facts, never the value.
//! - [`check`]: placeholders checked as they are typed, from metadata.
//! - [`adhoc`]: `coffer run`.
//! - remote placeholders (`${secret:MANAGER:NAME#KEY}`) are read through
//!   [`coffer_remote::Remotes`], which [`RunContext`] holds.
//!
//! This crate may use the network and start processes; the core does neither.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adhoc;
pub mod atomic;
pub mod check;
pub mod child_env;
pub mod define;
mod error;
pub mod file_input;
mod git;
pub mod http;
pub mod placeholder;
pub mod probe;
pub mod process;
pub mod redact;
mod remote;
pub mod resolve;
pub mod runner;
pub mod scheduler;
pub mod scratch;
pub mod shared;
pub mod tls;

pub use error::{Error, Result};
pub use resolve::StorePasswords;
pub use runner::{
    FinishedRun, Prepared, ReadyRun, RunContext, check_store_passwords, complete, execute, prepare,
    prepare_in, prepare_with, run_job, run_job_with, store_passwords_needed,
};
