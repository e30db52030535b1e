//! Secret material for the vault to store, kept apart from the serializable report.

use std::fmt;

use zeroize::Zeroizing;

use crate::InspectionReport;

/// The result of an inspection: public facts and the material to store.
#[derive(Debug)]
pub struct Inspection {
    /// Facts safe to show and serialize.
    pub report: InspectionReport,
    /// What the vault stores; never serialized, `Debug` prints `<redacted>`.
    pub material: Material,
}

/// What the vault stores, normalized: no passwords, no encryption, PEM.
pub struct Material {
    /// All certificates as `CERTIFICATE` PEM blocks in report order (leaf first).
    pub chain_pem: Option<String>,
    /// The private key as an unencrypted PKCS#8 `PRIVATE KEY` PEM block.
    pub private_key_pem: Option<Zeroizing<String>>,
    /// The SSH private key, decrypted, as an `OPENSSH PRIVATE KEY` PEM block.
    pub ssh_private_key: Option<Zeroizing<String>>,
    /// The SSH public key as an `authorized_keys` line.
    pub ssh_public_key: Option<String>,
}

impl fmt::Debug for Material {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
