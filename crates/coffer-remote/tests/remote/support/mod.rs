//! What the remote tests share.

pub mod azure_standin;
pub mod vault;
