//! A connection's credentials, read from the Coffer secret it names through
//! the core's use path (status, expiry policy, audit): a deactivated,
//! trashed or (under "block") expired credential secret fails naming it.

use coffer_core::Vault;
use coffer_core::remote::{AwsAuth, ManagerSettings};
use coffer_core::secret::SecretData;
use secrecy::SecretString;

use crate::error::Result;
use crate::keyvault::Credentials;

fn field(data: &SecretData, name: &str) -> Option<String> {
    data.fields()
        .into_iter()
        .find(|f| f.name == name)
        .and_then(|f| String::from_utf8(f.value.into_owned()).ok())
}

fn missing(secret: &str, key: &str) -> coffer_core::Error {
    coffer_core::Error::invalid(
        "credential_secret",
        format!("secret {secret:?} has no {key} (or it is not text)"),
    )
}

/// The credentials of connection `manager`, used for `purpose` (audited).
pub fn credentials_for(vault: &mut Vault, manager: &str, purpose: &str) -> Result<Credentials> {
    let connection = vault.manager(manager)?;
    let Some(used) = vault.manager_credentials(manager, purpose)? else {
        let profile = match &connection.spec.settings {
            ManagerSettings::Aws(aws) => match &aws.auth {
                AwsAuth::Implicit { profile } => profile.clone(),
                AwsAuth::AccessKey { .. } => None,
            },
            ManagerSettings::Azure(_) => None,
        };
        return Ok(Credentials::Implicit { profile });
    };
    let name = used.meta.name.clone();
    let data = &used.data;
    Ok(match connection.spec.settings {
        ManagerSettings::Aws(_) => Credentials::AwsAccessKey {
            access_key_id: field(data, "aws_access_key_id")
                .ok_or_else(|| missing(&name, "aws_access_key_id"))?,
            secret_access_key: SecretString::from(
                field(data, "aws_secret_access_key")
                    .ok_or_else(|| missing(&name, "aws_secret_access_key"))?,
            ),
            session_token: field(data, "aws_session_token").map(SecretString::from),
        },
        ManagerSettings::Azure(_) => Credentials::AzureClientSecret {
            client_id: field(data, "client_id").ok_or_else(|| missing(&name, "client_id"))?,
            client_secret: SecretString::from(
                field(data, "client_secret").ok_or_else(|| missing(&name, "client_secret"))?,
            ),
        },
    })
}
