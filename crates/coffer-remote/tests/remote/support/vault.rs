//! A real Coffer vault in a temporary directory (real SQLite, real keys,
//! a fixed clock) for the tests that tie the core to a key vault.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use coffer_core::remote::{ManagerSettings, ManagerSpec};
use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_core::{CreateOptions, FixedClock, SecretString, Timestamp, Vault};

/// 2026-01-01T00:00:00Z.
pub const T0: Timestamp = Timestamp::from_unix(1_767_225_600);

/// An unlocked vault that goes away with its directory.
pub struct TestVault {
    _dir: tempfile::TempDir,
    vault: Vault,
}

impl TestVault {
    /// A new vault without the OS keyring.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = CreateOptions::new(SecretString::from("correct horse battery staple"));
        options.use_keyring = false;
        let (vault, _) = Vault::create(
            &dir.path().join("vault.db"),
            options,
            Arc::new(FixedClock::new(T0)),
        )
        .expect("create vault");
        Self { _dir: dir, vault }
    }

    /// Another handle on the same vault file, unlocked (as another process
    /// would hold it).
    pub fn second_handle(&self) -> Vault {
        let mut other = Vault::open(
            &self._dir.path().join("vault.db"),
            Arc::new(FixedClock::new(T0)),
        )
        .expect("open the vault again");
        other
            .unlock_with_passphrase(&SecretString::from("correct horse battery staple"))
            .expect("unlock");
        other
    }

    /// Registers a secret of `kind` from text fields.
    pub fn add(&mut self, name: &str, kind: SecretType, pairs: &[(&str, &str)]) {
        self.vault
            .register(new_secret(name, kind, pairs))
            .unwrap_or_else(|e| panic!("registering {name}: {e}"));
    }

    /// Adds a connection in the Default organization.
    pub fn connect(&mut self, name: &str, settings: ManagerSettings) {
        self.vault
            .add_manager(ManagerSpec {
                name: name.into(),
                org: "Default".into(),
                settings,
                cache_ttl_secs: 3600,
                stale_if_error_secs: 300,
                writes_per_sec: 20,
            })
            .unwrap_or_else(|e| panic!("adding connection {name}: {e}"));
    }
}

/// A secret to register.
pub fn new_secret(name: &str, kind: SecretType, pairs: &[(&str, &str)]) -> NewSecret {
    let inputs = pairs.iter().map(|(k, v)| text_input(k, v)).collect();
    NewSecret::new(
        name,
        SecretData::from_fields(kind, inputs, &Intake::default()).expect("valid fields"),
    )
}

impl Deref for TestVault {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        &self.vault
    }
}

impl DerefMut for TestVault {
    fn deref_mut(&mut self) -> &mut Vault {
        &mut self.vault
    }
}
