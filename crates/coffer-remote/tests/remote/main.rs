//! The remote crate's one test binary (one per crate keeps link times
//! down): AWS through the real SDK against moto with a fault injector in
//! front of it; Azure against its stand-in, checked first with Microsoft's
//! Python SDK.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aws;
mod aws_faults;
mod azure;
mod azure_faults;
mod azure_standin_check;
mod bench;
mod cache;
mod deploy;
mod deploy_aws;
mod deploy_azure;
mod deploy_rate;
mod rotation;
mod support;
