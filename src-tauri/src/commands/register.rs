//! The registration wizard's commands.

use coffer_core::certs::InspectionReport;
use coffer_core::secret::{Intake, NewProtection, NewSecret, SecretData, SecretType, intake};
use tauri::State;

use crate::dto::{
    self, FieldValue, ProtectionRequest, RegisterRequest, RegisterResponse, SecretInput, TypeInfo,
};
use crate::error::{IpcError, IpcResult};
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
    shared: State<'_, std::sync::Arc<crate::shared::Shared>>,
    request: RegisterRequest,
) -> IpcResult<RegisterResponse> {
    let fields = {
        let files = lock(&state.files);
        dto::field_inputs(request.kind, &request.fields, &files)?
    };
    let intake = Intake {
        key_password: dto::secret(request.key_password.as_ref()),
        allow_key_mismatch: request.allow_key_mismatch,
        now: None,
    };
    let data = match (&request.generate_ssh, request.kind) {
        (Some(generate), SecretType::SshKeyPair) => {
            coffer_core::secret::validate::name("name", &request.name)?;
            let kind = intake::parse_ssh_key_type(&generate.algorithm, generate.bits)?;
            let comment = generate
                .comment
                .clone()
                .unwrap_or_else(|| format!("coffer:{}", request.name));
            SecretData::SshKeyPair(intake::generate_ssh_key_pair(kind, &comment)?)
        }
        _ => SecretData::from_fields(request.kind, fields, &intake)?,
    };
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
    // An organization of the team vault: the secret is created there.
    if let Some(org) = new.org.as_deref().and_then(|o| shared.org_named(o)) {
        let secret = crate::commands::shared::create_shared(&state, &shared, org, new).await?;
        return Ok(RegisterResponse {
            secret,
            generated_password: None,
        });
    }
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

/// What a certificate, CA bundle or SSH key holds, before anything is saved:
/// the chain (leaf first), whether the key matches, warnings. Passwords are
/// used once and never kept.
#[tauri::command]
#[specta::specta]
pub async fn inspect_input(
    state: State<'_, AppState>,
    kind: SecretType,
    input: FieldValue,
    private_key: Option<FieldValue>,
    password: Option<SecretInput>,
) -> IpcResult<InspectionReport> {
    let (bytes, key) = {
        let files = lock(&state.files);
        let (bytes, _) = input.bytes(&files)?;
        let key = private_key
            .map(|k| k.bytes(&files).map(|(b, _)| b))
            .transpose()?;
        (bytes, key)
    };
    tauri::async_runtime::spawn_blocking(move || {
        let intake = Intake {
            key_password: dto::secret(password.as_ref()),
            ..Intake::default()
        };
        let options = coffer_core::certs::InspectOptions::new(
            coffer_core::Clock::now(&coffer_core::SystemClock).to_datetime(),
        );
        let pw = intake
            .key_password
            .as_ref()
            .map(|p| coffer_core::ExposeSecret::expose_secret(p).as_bytes());
        let report = match kind {
            SecretType::Certificate => {
                intake::inspect_certificate(&bytes, key.as_deref().map(|k| &k[..]), &intake)?.report
            }
            SecretType::CaBundle => {
                coffer_core::certs::inspect_ca_bundle(&bytes, &options)
                    .map_err(|e| intake::cert_error("certificates", e))?
                    .report
            }
            SecretType::SshKeyPair => {
                coffer_core::certs::inspect(&bytes, pw, &options)
                    .map_err(|e| intake::cert_error("private_key", e))?
                    .report
            }
            other => {
                return Err(IpcError::invalid(format!(
                    "{other} inputs are not inspected"
                )));
            }
        };
        Ok(report)
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?
}
