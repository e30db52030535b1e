//! From a connection and its Coffer credential secret (used through
//! `Vault::manager_credentials`) to the [`Credentials`] a client is built with.

use coffer_core::SecretUse;
use coffer_core::remote::{AwsAuth, Manager, ManagerSettings};
use secrecy::SecretString;

use crate::error::Result;
use crate::keyvault::Credentials;

fn field(used: &SecretUse, name: &str, required: bool) -> Result<Option<String>> {
    match used.data.field(name) {
        Some(f) => String::from_utf8(f.value.to_vec()).map(Some).map_err(|_| {
            coffer_core::Error::invalid(
                "credentials",
                format!("{name} of secret {} is not text", used.meta.name),
            )
            .into()
        }),
        None if required => Err(coffer_core::Error::invalid(
            "credentials",
            format!("secret {} has no {name}", used.meta.name),
        )
        .into()),
        None => Ok(None),
    }
}

/// The credentials of `manager`: from its credential secret when it names
/// one (`used`), else the platform's implicit chain.
pub fn credentials_of(manager: &Manager, used: Option<SecretUse>) -> Result<Credentials> {
    let Some(used) = used else {
        let profile = match &manager.spec.settings {
            ManagerSettings::Aws(aws) => match &aws.auth {
                AwsAuth::Implicit { profile } => profile.clone(),
                AwsAuth::AccessKey { .. } => None,
            },
            ManagerSettings::Azure(_) => None,
        };
        return Ok(Credentials::Implicit { profile });
    };
    match &manager.spec.settings {
        ManagerSettings::Aws(_) => Ok(Credentials::AwsAccessKey {
            access_key_id: field(&used, "aws_access_key_id", true)?.unwrap_or_default(),
            secret_access_key: SecretString::from(
                field(&used, "aws_secret_access_key", true)?.unwrap_or_default(),
            ),
            session_token: field(&used, "aws_session_token", false)?.map(SecretString::from),
        }),
        ManagerSettings::Azure(_) => Ok(Credentials::AzureClientSecret {
            client_id: field(&used, "client_id", true)?.unwrap_or_default(),
            client_secret: SecretString::from(
                field(&used, "client_secret", true)?.unwrap_or_default(),
            ),
        }),
    }
}

/// The credentials of connection `manager`, its secret used for `purpose`
/// (through the core's use path: status, expiry policy, audit).
pub fn credentials_for(
    vault: &mut coffer_core::Vault,
    manager: &str,
    purpose: &str,
) -> Result<Credentials> {
    let connection = vault.manager(manager)?;
    let used = vault.manager_credentials(manager, purpose)?;
    credentials_of(&connection, used)
}
