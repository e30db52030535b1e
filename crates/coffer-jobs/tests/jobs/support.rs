//! Vaults in temporary directories, secret builders, run contexts.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::job::{JobRef, JobRun, JobSpec, NewJob, RoleBinding, RunTrigger, SecretRole};
use coffer_core::secret::{FieldInputs, Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_core::{CreateOptions, FixedClock, SecretString, Timestamp, Vault};
use coffer_jobs::RunContext;

pub const PASSPHRASE: &str = "jobs test passphrase";

/// A vault in its own directory with a fixed clock at the real time now
/// (TLS checks certificates against the real time).
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: Arc<FixedClock>,
    vault: Option<Vault>,
}

pub fn now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let clock = Arc::new(FixedClock::new(now()));
        let mut options = CreateOptions::new(SecretString::from(PASSPHRASE));
        options.use_keyring = false;
        let (vault, _) = Vault::create(&path, options, clock.clone()).unwrap();
        Self {
            dir,
            path,
            clock,
            vault: Some(vault),
        }
    }

    /// A file path in the fixture's directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A private temporary directory for runs, to check it is left empty.
    pub fn context(&self) -> RunContext {
        let temp = self.dir.path().join("run-temp");
        std::fs::create_dir_all(&temp).unwrap();
        RunContext {
            temp_dir: temp,
            ..RunContext::default()
        }
    }

    pub fn add(&mut self, name: &str, kind: SecretType, pairs: &[(&str, &str)]) {
        let data = SecretData::from_fields(kind, inputs(pairs), &Intake::default()).unwrap();
        self.register(NewSecret::new(name, data)).unwrap();
    }

    pub fn add_secret(&mut self, secret: NewSecret) {
        self.register(secret).unwrap();
    }

    /// Creates a job through coffer-jobs (references found in its spec).
    pub fn add_job(&mut self, name: &str, spec: JobSpec, roles: &[(SecretRole, &str)]) {
        let mut new = NewJob::new(name, spec);
        new.roles = roles
            .iter()
            .map(|(role, secret)| RoleBinding {
                role: *role,
                secret: secret.to_string(),
            })
            .collect();
        coffer_jobs::define::create_job(self, new).unwrap();
    }

    pub fn run(&mut self, name: &str) -> JobRun {
        let ctx = self.context();
        coffer_jobs::run_job(self, &JobRef::named(name), RunTrigger::Manual, &ctx).unwrap()
    }

    /// Closes the vault (the directory stays).
    pub fn close(&mut self) {
        self.vault = None;
    }

    /// Takes the open vault out of the fixture.
    pub fn take(&mut self) -> Vault {
        self.vault.take().unwrap()
    }

    /// Closes and reopens the vault from disk, unlocked.
    pub fn reopen(&mut self) {
        self.vault = None;
        let mut vault = Vault::open(&self.path, self.clock.clone()).unwrap();
        vault
            .unlock_with_passphrase(&SecretString::from(PASSPHRASE))
            .unwrap();
        self.vault = Some(vault);
    }
}

impl Deref for Fixture {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        self.vault.as_ref().unwrap()
    }
}

impl DerefMut for Fixture {
    fn deref_mut(&mut self) -> &mut Vault {
        self.vault.as_mut().unwrap()
    }
}

pub fn inputs(pairs: &[(&str, &str)]) -> FieldInputs {
    pairs.iter().map(|(k, v)| text_input(k, v)).collect()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            }
            out.push(path);
        }
    }
    out
}

/// Whether `needle` occurs in any file under `dir`.
pub fn any_file_contains(dir: &Path, needle: &[u8]) -> Option<PathBuf> {
    files_under(dir).into_iter().find(|p| {
        p.is_file()
            && std::fs::read(p)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
    })
}

/// Fails loudly when a program the tests need is missing.
pub fn require(program: &str, package: &str) -> PathBuf {
    for dir in ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"] {
        let path = Path::new(dir).join(program);
        if path.exists() {
            return path;
        }
    }
    panic!("{program} is missing: install the Debian package {package} (scripts/dev installs it)");
}
