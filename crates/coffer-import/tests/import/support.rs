//! A real vault in a temporary directory, and files written there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::import::{ImportBatch, ImportChoices, ImportReport, OnConflict};
use coffer_core::secret::SecretRef;
use coffer_core::{CreateOptions, ExposeSecret, FixedClock, SecretString, Timestamp, Vault};

/// 2026-01-01T00:00:00Z.
pub const T0: Timestamp = Timestamp::from_unix(1_767_225_600);

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub vault: Vault,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let clock = Arc::new(FixedClock::new(T0));
        let options = CreateOptions::new(SecretString::from("correct horse battery staple"));
        let (vault, _) = Vault::create(&path, options, clock).unwrap();
        Self { dir, path, vault }
    }

    /// Writes `bytes` to a file of the test directory and reads it back, as
    /// the CLI and the app do.
    pub fn file(&self, name: &str, bytes: &[u8]) -> Vec<u8> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::read(&path).unwrap()
    }

    pub fn import(&mut self, batch: ImportBatch) -> ImportReport {
        self.vault
            .import(
                batch,
                &ImportChoices::all(OnConflict::Rename),
                &mut |_, _| {},
            )
            .unwrap()
    }

    /// One field of a secret in `Default`, revealed.
    pub fn field(&mut self, name: &str, field: &str) -> String {
        let fields = self
            .vault
            .reveal(&SecretRef::named(name), Some(field), None)
            .unwrap_or_else(|e| panic!("reveal {name}#{field}: {e}"));
        String::from_utf8(fields[0].value.expose_secret().to_vec()).unwrap()
    }

    /// The vault's bytes as SQLite sees them: the main file and its log.
    pub fn bytes(&self) -> Vec<u8> {
        vault_bytes(&self.path)
    }
}

pub fn vault_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    bytes
}
