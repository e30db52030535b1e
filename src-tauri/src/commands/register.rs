//! The registration wizard's commands.

use coffer_core::secret::{Intake, NewProtection, NewSecret, SecretData, SecretType};
use tauri::State;

use crate::dto::{self, ProtectionRequest, RegisterRequest, RegisterResponse, TypeInfo};
use crate::error::IpcResult;
use crate::state::{AppState, lock, with_vault_changing};

/// The nine types and their fields.
#[tauri::command]
#[specta::specta]
pub fn secret_types() -> Vec<TypeInfo> {
    SecretType::ALL
        .into_iter()
        .map(|kind| TypeInfo {
            kind,
            fields: kind.fields().to_vec(),
            main_field: kind.main_field().map(str::to_owned),
        })
        .collect()
}

/// Registers a secret from the wizard.
#[tauri::command]
#[specta::specta]
pub async fn register_secret(
    state: State<'_, AppState>,
    request: RegisterRequest,
) -> IpcResult<RegisterResponse> {
    let fields = {
        let files = lock(&state.files);
        dto::field_inputs(request.kind, &request.fields, &files)?
    };
    let intake = Intake {
        key_password: dto::secret(request.key_password.as_ref()),
        allow_key_mismatch: request.allow_key_mismatch,
    };
    let data = SecretData::from_fields(request.kind, fields, &intake)?;
    let mut new = NewSecret::new(request.name, data);
    new.org = request.org.filter(|o| !o.is_empty());
    new.project = request.project.filter(|p| !p.is_empty());
    new.description = request.description;
    new.labels = request.labels;
    new.expires_at = request.expires_at;
    new.allow_past_expiry = request.allow_past_expiry;
    new.visibility = request.visibility;
    new.write_only = request.write_only;
    new.protection = match &request.protection {
        ProtectionRequest::Vault => NewProtection::Vault,
        ProtectionRequest::Password { password } => NewProtection::Password(password.to_secret()),
        ProtectionRequest::Generate => NewProtection::GeneratePassword,
    };
    with_vault_changing(&state, move |v| {
        let registered = v.register(new)?;
        Ok(RegisterResponse {
            secret: registered.meta,
            generated_password: registered
                .generated_password
                .map(|p| coffer_core::ExposeSecret::expose_secret(&p).to_owned()),
        })
    })
    .await
}
