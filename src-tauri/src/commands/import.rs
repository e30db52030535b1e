//! The Import wizard's commands: the shell reads the file (a dropped or
//! picked token, or bytes the page read), keeps what it read, returns a
//! preview without values, applies the person's choices in one transaction
//! with progress events, and forgets it all when the wizard closes.

use coffer_core::import::ImportPreview;
use coffer_core::{Clock, SystemClock};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::dto::FieldValue;
use crate::error::{IpcError, IpcResult};
use crate::files;
use crate::import_dto::{
    self, CsvSampleDto, ImportApplyProgress, ImportChoicesInput, ImportFile, ImportFormat,
    ImportOptions, ImportOutcome, ImportSession, Session,
};
use crate::state::{AppState, lock, with_vault, with_vault_changing};

/// Largest file imported, checked before reading (the readers' own cap).
const MAX_IMPORT_BYTES: u64 = coffer_import::MAX_FILE_BYTES;

/// Runs blocking work (file reads, KDF, parsing) off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("an import task failed: {e}")))?
}

/// The name and bytes of a handed-over file (or of bytes the page read, named by the page).
async fn source_bytes(
    state: &AppState,
    source: FieldValue,
    name: Option<String>,
) -> IpcResult<(String, zeroize::Zeroizing<Vec<u8>>)> {
    match source {
        FieldValue::File { token } => {
            let path = lock(&state.files).path(&token)?;
            blocking(move || files::read_path(&path, MAX_IMPORT_BYTES)).await
        }
        other => {
            let (bytes, _) = other.bytes(&lock(&state.files))?;
            Ok((name.unwrap_or_default(), bytes))
        }
    }
}

/// The format of a dropped file, if it is one the wizard reads (nothing is kept).
#[tauri::command]
#[specta::specta]
pub async fn import_detect(
    state: State<'_, AppState>,
    token: String,
) -> IpcResult<Option<ImportFormat>> {
    let (name, bytes) = source_bytes(&state, FieldValue::File { token }, None).await?;
    Ok(ImportFormat::detect(&name, &bytes))
}

/// Takes the file to import (forgetting any earlier one) and detects its format.
#[tauri::command]
#[specta::specta]
pub async fn import_open(
    state: State<'_, AppState>,
    session: State<'_, ImportSession>,
    source: FieldValue,
    name: Option<String>,
) -> IpcResult<ImportFile> {
    let (name, bytes) = source_bytes(&state, source, name).await?;
    let format = ImportFormat::detect(&name, &bytes);
    let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    *lock(&session.0) = Session {
        file: Some((name.clone(), bytes)),
        batch: None,
    };
    Ok(ImportFile { name, size, format })
}

/// The CSV's first rows (secret columns masked) and the suggested mapping.
#[tauri::command]
#[specta::specta]
pub async fn import_csv_sample(session: State<'_, ImportSession>) -> IpcResult<CsvSampleDto> {
    let session = session.inner().clone();
    blocking(move || {
        let held = lock(&session.0);
        let (_, bytes) = held.file.as_ref().ok_or_else(no_file)?;
        let sample = coffer_import::csv_sample(bytes).map_err(|e| import_dto::reader_error(&e))?;
        Ok(import_dto::masked_sample(sample))
    })
    .await
}

/// Reads the file with the options, keeps the batch, and previews it against the vault.
#[tauri::command]
#[specta::specta]
pub async fn import_read(
    state: State<'_, AppState>,
    session: State<'_, ImportSession>,
    options: ImportOptions,
) -> IpcResult<ImportPreview> {
    let read = import_dto::read_options(&options, &lock(&state.files))?;
    let held = session.inner().clone();
    let batch = blocking(move || {
        let mut held = lock(&held.0);
        held.batch = None;
        let (_, bytes) = held.file.as_ref().ok_or_else(no_file)?;
        import_dto::read_batch(options.format, bytes, &read)
    })
    .await?;
    let (preview, batch) =
        with_vault(&state, move |v| Ok((v.preview_import(&batch)?, batch))).await?;
    lock(&session.0).batch = Some(batch);
    Ok(preview)
}

/// Writes the batch read last, in one transaction; progress goes out as events.
#[tauri::command]
#[specta::specta]
pub async fn import_apply(
    app: AppHandle,
    state: State<'_, AppState>,
    session: State<'_, ImportSession>,
    choices: ImportChoicesInput,
) -> IpcResult<ImportOutcome> {
    // Taken, so a second click cannot import twice; a failure means reading again.
    let batch = lock(&session.0)
        .batch
        .take()
        .ok_or_else(|| IpcError::invalid("Nothing is read to import: preview the file again."))?;
    let mut core = import_dto::choices(&choices, &batch, &lock(&state.files))?;
    let label = choices
        .tag
        .then(|| import_dto::tag(&mut core, &SystemClock.now().to_rfc3339()));
    let report = with_vault_changing(&state, move |v| {
        let mut last = 0;
        v.import(batch, &core, &mut |done, total| {
            // About a hundred events at most, and the last one.
            if done == total || done >= last + total.div_ceil(100) {
                last = done;
                let _ = ImportApplyProgress {
                    done: u32::try_from(done).unwrap_or(u32::MAX),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                }
                .emit(&app);
            }
        })
    })
    .await?;
    Ok(ImportOutcome { report, label })
}

/// Forgets the file and what was read from it (the wizard closed).
#[tauri::command]
#[specta::specta]
pub fn import_close(session: State<'_, ImportSession>) {
    *lock(&session.0) = Session::default();
}

fn no_file() -> IpcError {
    IpcError::invalid("Choose the file to import again.")
}
