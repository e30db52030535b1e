//! What the team vault needs from the member's local vault: its identity
//! (sealed there), a password from a basic_auth secret and a CA bundle.

use coffer_core::Vault;
use coffer_core::secret::SecretRef;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::connect::Server;
use crate::error::{Error, Result};
use crate::identity::Identity;

/// `org:name` or `name` (in the Default organization).
pub(crate) fn secret_ref(text: &str) -> SecretRef {
    match text.split_once(':') {
        Some((org, name)) => SecretRef::in_org(org, name),
        None => SecretRef::named(text),
    }
}

/// One field of a Coffer secret, used (and audited) by the local vault.
pub(crate) fn secret_field(
    vault: &mut Vault,
    secret: &str,
    field: &str,
    purpose: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let used = vault.use_secret(&secret_ref(secret), None, purpose, None)?;
    let value = used
        .data
        .field(field)
        .map(|f| Zeroizing::new(f.value.into_owned()))
        .ok_or_else(|| {
            Error::invalid(
                "secret",
                format!(
                    "{secret} has no {field} field (expected a {})",
                    kind_for(field)
                ),
            )
        })?;
    Ok(value)
}

fn kind_for(field: &str) -> &'static str {
    match field {
        "certificates" => "ca_bundle",
        "certificate" | "private_key" => "certificate with its private key",
        _ => "basic_auth",
    }
}

/// The password of a basic_auth secret.
pub(crate) fn password(vault: &mut Vault, secret: &str, purpose: &str) -> Result<SecretString> {
    let bytes = secret_field(vault, secret, "password", purpose)?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| Error::invalid("password", "is not UTF-8"))?;
    Ok(SecretString::from(text.to_owned()))
}

/// The CA bundle a server's TLS trusts, when it names one.
pub(crate) fn ca_pem(vault: &mut Vault, server: &Server) -> Result<Option<Zeroizing<Vec<u8>>>> {
    match &server.ca_secret {
        Some(name) => secret_field(vault, name, "certificates", "team vault TLS").map(Some),
        None => Ok(None),
    }
}

/// This vault's identity for a team vault: `team` is a team id (or its
/// first characters); without it, the only one.
pub(crate) fn identity(vault: &Vault, team: Option<&str>) -> Result<Identity> {
    let known = vault.team_identities()?;
    let chosen: Vec<_> = known
        .iter()
        .filter(|i| team.is_none_or(|t| i.team_id.starts_with(t.trim()) && !t.trim().is_empty()))
        .collect();
    let info = match chosen.as_slice() {
        [one] => *one,
        [] if known.is_empty() => {
            return Err(Error::NoIdentity {
                reason: "this vault has joined no team vault (create or join one first)".into(),
            });
        }
        [] => {
            return Err(Error::NoIdentity {
                reason: format!(
                    "this vault has no identity for team vault {:?}",
                    team.unwrap_or_default()
                ),
            });
        }
        _ => {
            return Err(Error::NoIdentity {
                reason: "this vault belongs to several team vaults: choose one with --team ID"
                    .into(),
            });
        }
    };
    let id = uuid::Uuid::parse_str(&info.team_id)
        .map_err(|_| Error::tampered("a team-vault identity's id"))?;
    let blob = vault
        .team_identity(id.as_bytes())?
        .ok_or_else(|| Error::NoIdentity {
            reason: format!("no identity for team vault {}", info.team_id),
        })?;
    Identity::decode(&blob)
}

/// Saves an identity in the local vault.
pub(crate) fn save_identity(vault: &mut Vault, identity: &Identity) -> Result<()> {
    let blob = identity.encode()?;
    vault.save_team_identity(&identity.team_id, &identity.server.label(), &blob)?;
    Ok(())
}

/// A client certificate chain and its private key, as read (PEM).
pub(crate) type ClientCertPem = (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

/// The client certificate chain and private key (PEM) a server's TLS
/// shows, when it names a certificate secret: one use of the secret.
pub(crate) fn client_cert(vault: &mut Vault, server: &Server) -> Result<Option<ClientCertPem>> {
    let Some(name) = &server.client_cert else {
        return Ok(None);
    };
    let used = vault.use_secret(
        &secret_ref(name),
        None,
        "team vault client certificate",
        None,
    )?;
    let field = |f: &str| {
        used.data
            .field(f)
            .map(|v| Zeroizing::new(v.value.into_owned()))
            .ok_or_else(|| {
                Error::invalid(
                    "client certificate",
                    format!("{name} has no {f} field (expected a {})", kind_for(f)),
                )
            })
    };
    Ok(Some((field("certificate")?, field("private_key")?)))
}

/// Borrows what [`client_cert`] read, for `connect`.
pub(crate) fn as_client(cert: &Option<ClientCertPem>) -> Option<crate::connect::ClientCert<'_>> {
    cert.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice()))
}
