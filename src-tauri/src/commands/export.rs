//! Saving a data secret or a certificate back to a file (the core's
//! `file_bytes`: the same rules and audit as a reveal), through the native
//! save dialog; the file is the owner's alone (mode 0600).

use std::io::Write;
use std::path::Path;

use coffer_core::secret::{SecretId, SecretMeta, SecretRef, SecretType};
use coffer_core::{Error, ExposeSecret, FileForm};
use tauri::{AppHandle, State};

use crate::dto::{self, SecretInput};
use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, with_vault};

/// The file name offered for `meta` saved as `form`: a data secret's own
/// file name when it kept one, else the secret's name with the form's
/// extension.
fn offered_name(meta: &SecretMeta, form: FileForm) -> String {
    let stem: String = meta
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let kept = meta.public_fields["file_name"]
        .as_str()
        .and_then(|n| Path::new(n).file_name())
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && meta.kind == SecretType::Data);
    match (kept, form.extension()) {
        (Some(name), _) => name.to_owned(),
        (None, Some(ext)) => format!("{stem}.{ext}"),
        (None, None) => format!("{stem}.bin"),
    }
}

/// Writes `bytes` to `path`, readable by its owner only (an existing file is
/// narrowed to 0600 before anything is written into it).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        write_all(file, bytes)
    }
    #[cfg(not(unix))]
    write_all(options.open(path)?, bytes)
}

fn write_all(mut file: std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    file.set_len(0)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Asks where to save a data secret's bytes or a certificate (its PEM chain
/// or its DER leaf), then writes them (audited as saved to a file); `None`
/// when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_secret_to_file(
    app: AppHandle,
    state: State<'_, AppState>,
    id: SecretId,
    form: FileForm,
    store_password: Option<SecretInput>,
) -> IpcResult<Option<String>> {
    // Refused before the dialog as the reveal would refuse it.
    let name = with_vault(&state, move |v| {
        let meta = v.get(&SecretRef::Id(id))?;
        if meta.write_only {
            return Err(Error::WriteOnly { name: meta.name });
        }
        if !v.is_unlocked() {
            return Err(Error::Locked);
        }
        form.field_of(meta.kind)?;
        Ok(offered_name(&meta, form))
    })
    .await?;
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::file_dialog(&app)
            .set_title("Save to a file")
            .set_file_name(name)
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    with_vault(&state, move |v| {
        let password = dto::secret(store_password.as_ref());
        let bytes = v.file_bytes(&SecretRef::Id(id), form, password.as_ref())?;
        write_private(&path, bytes.expose_secret()).map_err(|e| Error::Io {
            context: format!("writing {}", path.display()),
            source: e,
        })
    })
    .await?;
    Ok(Some(shown))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_saved_file_is_the_owners_alone_even_over_a_wider_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cert.pem");
        std::fs::write(&path, b"an older, longer file that was world-readable").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::write_private(&path, b"-----BEGIN CERTIFICATE-----").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"-----BEGIN CERTIFICATE-----"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let fresh = dir.path().join("data.bin");
        super::write_private(&fresh, &[0, 159, 146, 150]).unwrap();
        assert_eq!(std::fs::read(&fresh).unwrap(), [0, 159, 146, 150]);
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
