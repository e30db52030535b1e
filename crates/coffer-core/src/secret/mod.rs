//! Secrets: types, values, metadata and validation.

mod data;
pub mod intake;
mod kind;
mod kv_import;
mod meta;
pub(crate) mod payload;
pub mod validate;

pub use data::{
    ApiKey, BasicAuth, BearerToken, Blob, CaBundle, Certificate, ClientCredentials,
    DEFAULT_BEARER_HEADER, FieldInputs, FieldRef, Intake, KeyValue, SecretBytes, SecretData,
    SshKeyPair, text_input,
};
pub use kind::{FieldSpec, SecretType};
pub use kv_import::parse_key_values;
pub use meta::*;
