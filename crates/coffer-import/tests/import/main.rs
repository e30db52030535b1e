//! Integration tests of coffer-import: files written at test time, read by
//! the real readers, imported into real vault files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csv;
mod env;
mod support;
