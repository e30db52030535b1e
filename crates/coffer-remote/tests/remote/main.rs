//! The remote crate's one test binary (one per crate keeps link times down).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod azure;
mod azure_faults;
mod azure_standin_check;
mod deploy;
mod deploy_azure;
mod support;
