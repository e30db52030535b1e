//! Saving a data secret or a certificate to a file: which bytes, behind the
//! reveal's rules and audited as a save (`secret.export`). Coffer keeps a
//! certificate as its PEM chain (leaf first) and key, not the file it was
//! registered from, so a certificate is saved as that PEM chain or as its
//! leaf in DER; a data secret is saved as its bytes.

use serde::{Deserialize, Serialize};

use super::{Disclosure, Vault};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretRef, SecretType};

/// The form a secret is saved in.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileForm {
    /// A data secret's bytes, exactly as registered.
    Bytes,
    /// A certificate's chain as PEM, leaf first (what Coffer keeps).
    Pem,
    /// A certificate's leaf alone, DER-encoded.
    Der,
}

impl FileForm {
    /// The file name extension this form suggests (none for bytes).
    pub fn extension(self) -> Option<&'static str> {
        match self {
            Self::Bytes => None,
            Self::Pem => Some("pem"),
            Self::Der => Some("der"),
        }
    }
}

impl FileForm {
    /// The field of a `kind` secret saved in this form; `invalid_input` for
    /// a type that is not saved to files or a form that does not fit it.
    pub fn field_of(self, kind: SecretType) -> Result<&'static str> {
        match (kind, self) {
            (SecretType::Data, Self::Bytes) => Ok("data"),
            (SecretType::Certificate, Self::Pem | Self::Der) => Ok("certificate"),
            (SecretType::Data | SecretType::Certificate, _) => Err(Error::invalid(
                "format",
                "a data secret is saved as its bytes, a certificate as PEM or DER",
            )),
            (other, _) => Err(Error::invalid(
                "secret",
                format!("only data secrets and certificates are saved to a file, not {other}"),
            )),
        }
    }
}

/// The first certificate of a PEM chain, as DER.
fn leaf_der(chain: &[u8]) -> Result<Vec<u8>> {
    let blocks = coffer_certs::pem::parse_pem_blocks(chain)
        .map_err(|e| crate::secret::intake::cert_error("certificate", e))?;
    blocks
        .into_iter()
        .find(|b| b.label == "CERTIFICATE")
        .map(|b| b.der.to_vec())
        .ok_or_else(|| Error::Corrupt {
            reason: "a stored certificate chain holds no certificate".into(),
        })
}

impl Vault {
    /// The bytes to save of a data secret (`Bytes`) or a certificate (`Pem`
    /// or `Der`), under the reveal's rules (write-only and locked refuse,
    /// store-password secrets need their password), audited as saved to a
    /// file. Another pairing of type and form is `invalid_input`.
    pub fn file_bytes(
        &mut self,
        secret: &SecretRef,
        form: FileForm,
        password: Option<&secrecy::SecretString>,
    ) -> Result<SecretBytes> {
        let meta = self.get(secret)?;
        let field = form.field_of(meta.kind)?;
        let fields = self.reveal_for(secret, Some(field), password, Disclosure::SavedToFile)?;
        let value = fields.into_iter().next().ok_or(Error::NotFound {
            what: "field",
            name: field.to_owned(),
        })?;
        if form == FileForm::Der {
            use secrecy::ExposeSecret;
            return Ok(SecretBytes::from(leaf_der(value.value.expose_secret())?));
        }
        Ok(value.value)
    }
}
