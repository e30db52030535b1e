//! The typed IPC surface: every command and event, and the TypeScript
//! bindings generated from them (`ui/src/ipc/bindings.ts`).

use specta_typescript::Typescript;
use tauri_specta::{Builder, collect_commands, collect_events};

use crate::commands::{
    audit, deployments, export, files, import, jobs, keyvaults, register, restore, secrets,
    settings, shared, team, team_audit, vault, vault_export,
};
use crate::events::{
    DeploymentChanged, ImportProgress, JobRunFinished, OpenJob, OpenSecret, OpenView, VaultChanged,
    VaultLocked,
};
use crate::files::{DragHover, FilesDropped};
use crate::import_dto::ImportApplyProgress;

/// The commands and events, for the app and for the exporter.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // One TypeScript shape per type; our types serialize and deserialize alike.
        .disable_serde_phases()
        .commands(collect_commands![
            vault::app_status,
            vault::create_vault,
            vault::unlock_with_keyring,
            vault::unlock_with_passphrase,
            vault::unlock_with_pin,
            vault::set_quick_unlock,
            vault::clear_quick_unlock,
            vault::lock_vault,
            vault::vault_status,
            vault::rotate_master_key,
            vault::change_passphrase,
            vault::set_keyring,
            vault::backup_vault,
            vault::verify_audit,
            vault_export::export_preview,
            vault_export::export_secrets,
            restore::pick_backup,
            restore::restore_into_new_file,
            restore::restore_replace_vault,
            vault::touch,
            secrets::list_secrets,
            secrets::get_secret,
            secrets::secret_versions,
            secrets::audit_entries,
            audit::audit_page,
            audit::audit_facets,
            audit::export_audit,
            secrets::organizations,
            secrets::reveal_field,
            secrets::copy_field,
            export::save_secret_to_file,
            secrets::update_metadata,
            secrets::update_value,
            secrets::restore_version,
            secrets::set_active,
            secrets::trash_secrets,
            secrets::label_secrets,
            secrets::label_values,
            secrets::rename_secret,
            secrets::clone_secret,
            secrets::restore_from_trash,
            secrets::purge_secret,
            secrets::empty_trash,
            secrets::move_secret,
            secrets::change_store_password,
            register::secret_types,
            register::register_secret,
            register::inspect_input,
            files::pick_files,
            files::read_key_value_file,
            import::import_detect,
            import::import_open,
            import::import_csv_sample,
            import::import_read,
            import::import_apply,
            import::import_close,
            settings::get_settings,
            settings::update_settings,
            settings::window_theme,
            jobs::job_kinds,
            jobs::list_jobs,
            jobs::get_job,
            jobs::create_job,
            jobs::update_job,
            jobs::set_job_enabled,
            jobs::delete_job,
            jobs::job_store_passwords,
            jobs::run_job_now,
            jobs::job_runs,
            jobs::secret_usage,
            jobs::matching_usage,
            jobs::test_secret,
            jobs::check_placeholders,
            jobs::check_template_file,
            jobs::preview_schedule,
            keyvaults::list_managers,
            keyvaults::add_manager,
            keyvaults::update_manager,
            keyvaults::delete_manager,
            keyvaults::manager_usage,
            keyvaults::test_manager_spec,
            keyvaults::test_manager,
            keyvaults::browse_manager,
            keyvaults::import_remote,
            keyvaults::cached_secrets,
            keyvaults::clear_cache,
            deployments::secret_deployments,
            deployments::manager_deployments,
            deployments::deploy_secret,
            deployments::retry_deployment,
            deployments::adopt_deployment,
            deployments::decommission_deployment,
            team::team_vaults,
            team::team_status,
            team::create_team_vault,
            team::join_team_vault,
            team::invite_team_member,
            team::team_members,
            team::confirm_team_member,
            team::remove_team_member,
            shared::shared_status,
            shared::sync_shared_now,
            shared::shared_organizations,
            shared::list_shared_secrets,
            shared::get_shared_secret,
            shared::reveal_shared_field,
            shared::copy_shared_field,
            shared::update_shared_value,
            shared::update_shared_metadata,
            shared::set_shared_status,
            team_audit::team_audit,
            team_audit::team_invitations,
            team_audit::revoke_team_invitation,
        ])
        .events(collect_events![
            FilesDropped,
            DragHover,
            VaultLocked,
            VaultChanged,
            OpenSecret,
            OpenView,
            JobRunFinished,
            OpenJob,
            ImportProgress,
            ImportApplyProgress,
            DeploymentChanged,
            crate::shared::SharedChanged
        ])
}

/// Writes the TypeScript bindings to `path`.
pub fn export(path: &std::path::Path) -> Result<(), String> {
    let typescript = Typescript::default()
        .header("// Generated from the Rust commands by `cargo run -p coffer-desktop --example export-bindings`. Do not edit.\n// @ts-nocheck\n");
    builder()
        .export(typescript, path)
        .map_err(|e| e.to_string())
}
