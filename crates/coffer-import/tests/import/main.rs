//! Integration tests of coffer-import: files written at test time, read by
//! the real readers, imported into real vault files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bitwarden;
mod csv;
mod env;
mod kdbx;
mod kdbx_argon2;
mod onepassword;
mod support;
