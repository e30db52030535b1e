//! Declares every command so that capabilities can allow-list them one by one.

/// Every command the page may call; `capabilities/default.json` allows each.
const COMMANDS: &[&str] = &[
    "app_status",
    "create_vault",
    "unlock_with_keyring",
    "unlock_with_passphrase",
    "lock_vault",
    "vault_status",
    "rotate_master_key",
    "change_passphrase",
    "set_keyring",
    "backup_vault",
    "verify_audit",
    "touch",
    "list_secrets",
    "get_secret",
    "secret_versions",
    "audit_entries",
    "organizations",
    "reveal_field",
    "copy_field",
    "update_metadata",
    "update_value",
    "restore_version",
    "set_active",
    "trash_secrets",
    "label_secrets",
    "restore_from_trash",
    "purge_secret",
    "empty_trash",
    "move_secret",
    "change_store_password",
    "secret_types",
    "register_secret",
    "inspect_input",
    "pick_files",
    "read_key_value_file",
    "get_settings",
    "update_settings",
    "job_kinds",
    "list_jobs",
    "get_job",
    "create_job",
    "update_job",
    "set_job_enabled",
    "delete_job",
    "job_store_passwords",
    "run_job_now",
    "job_runs",
    "secret_usage",
    "test_secret",
    "check_placeholders",
    "check_template_file",
    "preview_schedule",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri-build failed: {e:#}");
    }
}
