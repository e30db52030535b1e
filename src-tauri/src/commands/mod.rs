//! Tauri commands, one module per area; each is a few lines over `Vault`.

pub mod audit;
pub mod deployments;
pub mod export;
pub mod files;
pub mod import;
pub mod jobs;
pub mod keyvaults;
pub mod register;
pub mod restore;
pub mod secrets;
pub mod settings;
pub mod shared;
pub mod team;
pub mod team_audit;
pub mod vault;
pub mod vault_export;
