//! Tests of the key-vault clients against real servers: moto (AWS, through
//! the real SDK) with a fault injector in front of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aws;
mod aws_faults;
mod cache;
mod support;
