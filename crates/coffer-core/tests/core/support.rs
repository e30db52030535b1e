//! Shared fixtures: vaults in temporary directories with a fixed clock, field
//! builders, real PEM/OpenSSH material, raw SQLite access for tampering, child
//! processes, and a private D-Bus session with an unlocked gnome-keyring.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use coffer_core::secret::{
    FieldInputs, Intake, NewSecret, SecretData, SecretRef, SecretType, text_input,
};
use coffer_core::{
    CreateOptions, Error, ErrorCode, ExposeSecret, FixedClock, KeyringState, SecretString,
    Timestamp, Vault,
};

/// The recovery passphrase of every test vault.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// 2026-01-01T00:00:00Z, where every fixed clock starts.
pub const T0: Timestamp = Timestamp::from_unix(1_767_225_600);

/// Marks a test process that runs inside [`run_in_keyring_session`].
pub const SESSION_ENV: &str = "COFFER_TEST_IN_KEYRING_SESSION";

pub fn passphrase() -> SecretString {
    SecretString::from(PASSPHRASE)
}

/// A vault in its own temporary directory, with a fixed clock at [`T0`].
/// Derefs to the open [`Vault`]; [`Fixture::close`] and [`Fixture::reopen`]
/// go through the file on disk.
pub struct Fixture {
    /// Keeps the temporary directory alive.
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: Arc<FixedClock>,
    vault: Option<Vault>,
}

impl Fixture {
    /// A new unlocked vault that does not use the OS keyring.
    pub fn new() -> Self {
        Self::create(false).0
    }

    /// A new unlocked vault; `use_keyring` stores its key in the OS keyring.
    pub fn create(use_keyring: bool) -> (Self, KeyringState) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vault.db");
        let clock = Arc::new(FixedClock::new(T0));
        let mut options = CreateOptions::new(passphrase());
        options.use_keyring = use_keyring;
        let (vault, keyring) = Vault::create(&path, options, clock.clone()).expect("create vault");
        let fixture = Self {
            _dir: dir,
            path,
            clock,
            vault: Some(vault),
        };
        (fixture, keyring)
    }

    /// Drops the vault (releasing the file); the temporary directory stays.
    pub fn close(&mut self) {
        self.vault = None;
    }

    /// Opens the vault from disk, locked.
    pub fn open_locked(&mut self) {
        self.close();
        self.vault = Some(Vault::open(&self.path, self.clock.clone()).expect("open vault"));
    }

    /// Closes, opens from disk and unlocks with the passphrase.
    pub fn reopen(&mut self) {
        self.open_locked();
        self.unlock_with_passphrase(&passphrase())
            .expect("unlock with passphrase");
    }

    /// Advances the fixed clock by whole days.
    pub fn advance_days(&self, days: i64) {
        self.clock.advance(days * coffer_core::DAY);
    }
}

impl Deref for Fixture {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        self.vault.as_ref().expect("the fixture's vault is closed")
    }
}

impl DerefMut for Fixture {
    fn deref_mut(&mut self) -> &mut Vault {
        self.vault.as_mut().expect("the fixture's vault is closed")
    }
}

/// Named text inputs.
pub fn inputs(pairs: &[(&str, &str)]) -> FieldInputs {
    pairs.iter().map(|(n, v)| text_input(n, v)).collect()
}

/// A value of `kind` from text fields; panics when invalid.
pub fn data(kind: SecretType, pairs: &[(&str, &str)]) -> SecretData {
    SecretData::from_fields(kind, inputs(pairs), &Intake::default())
        .unwrap_or_else(|e| panic!("building {kind} from {:?}: {e}", names(pairs)))
}

fn names<'a>(pairs: &[(&'a str, &str)]) -> Vec<&'a str> {
    pairs.iter().map(|(n, _)| *n).collect()
}

/// A secret to register, with default metadata.
pub fn secret(name: &str, kind: SecretType, pairs: &[(&str, &str)]) -> NewSecret {
    NewSecret::new(name, data(kind, pairs))
}

/// A basic-auth secret.
pub fn basic(name: &str, username: &str, password: &str) -> NewSecret {
    secret(
        name,
        SecretType::BasicAuth,
        &[("username", username), ("password", password)],
    )
}

/// A secret in the `Default` organization.
pub fn named(name: &str) -> SecretRef {
    SecretRef::named(name)
}

/// Every field of the current value, revealed.
pub fn reveal_all(vault: &mut Vault, secret: &SecretRef) -> BTreeMap<String, Vec<u8>> {
    reveal_with(vault, secret, None).expect("reveal")
}

/// Every field of the current value, revealed with an optional store password.
pub fn reveal_with(
    vault: &mut Vault,
    secret: &SecretRef,
    password: Option<&SecretString>,
) -> coffer_core::Result<BTreeMap<String, Vec<u8>>> {
    let fields = vault.reveal(secret, None, password)?;
    Ok(fields
        .into_iter()
        .map(|f| (f.name, f.value.expose_secret().to_vec()))
        .collect())
}

/// The error of a result that must have failed.
#[track_caller]
pub fn err<T>(result: coffer_core::Result<T>) -> Error {
    match result {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(e) => e,
    }
}

/// Asserts that `result` failed with `code`; returns the error.
#[track_caller]
pub fn expect_code<T>(result: coffer_core::Result<T>, code: ErrorCode) -> Error {
    let e = err(result);
    assert_eq!(e.code(), code, "unexpected error: {e} ({e:?})");
    e
}

/// Asserts an `invalid_input` error that names `field`.
#[track_caller]
pub fn expect_invalid<T>(result: coffer_core::Result<T>, field: &str) -> Error {
    let e = expect_code(result, ErrorCode::InvalidInput);
    match &e {
        Error::InvalidInput { field: got, .. } => {
            assert_eq!(got, field, "the error names the wrong field: {e}");
        }
        other => panic!("not InvalidInput: {other:?}"),
    }
    assert!(e.to_string().starts_with(field), "message: {e}");
    e
}

/// A raw SQLite connection to a vault file, for inspecting and tampering.
pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw sqlite connection")
}

/// SHA-256 of a file's bytes, hex.
pub fn file_sha256(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    hex::encode(sha2::Sha256::digest(&bytes))
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A small deterministic random generator (SplitMix64); seeded from the OS
/// unless `COFFER_TEST_SEED` is set, and the seed is printed.
pub struct Rng(u64);

impl Rng {
    pub fn seeded(label: &str) -> Self {
        let seed = match std::env::var("COFFER_TEST_SEED") {
            Ok(text) => text.parse().expect("COFFER_TEST_SEED is a u64"),
            Err(_) => {
                let mut bytes = [0u8; 8];
                getrandom::fill(&mut bytes).expect("OS random");
                u64::from_le_bytes(bytes)
            }
        };
        println!("{label}: seed {seed} (COFFER_TEST_SEED={seed} repeats it)");
        Self(seed)
    }

    pub fn from_seed(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn hex(&mut self, bytes: usize) -> String {
        (0..bytes)
            .map(|_| format!("{:02x}", self.below(256)))
            .collect()
    }
}

/// Real certificate, CA and OpenSSH material, made once per process with
/// `openssl` and `ssh-keygen`.
pub struct Pems {
    /// Leaf certificate followed by the CA that signed it.
    pub chain: String,
    /// The leaf's private key (PKCS#8 PEM).
    pub key: String,
    /// Two self-signed CA certificates.
    pub ca_bundle: String,
    /// An unencrypted OpenSSH ed25519 private key.
    pub ssh_private: String,
    /// Its public key line.
    pub ssh_public: String,
}

/// Fails the test with a clear message when a required program is missing.
pub fn require_program(program: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "`{program}` is required by this test and is not installed (on Debian: apt-get install \
         gnome-keyring dbus dbus-x11 openssl openssh-client)"
    );
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    require_program(program);
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn pems() -> &'static Pems {
    static PEMS: OnceLock<Pems> = OnceLock::new();
    PEMS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        for (name, cn) in [("ca1", "Coffer Test CA 1"), ("ca2", "Coffer Test CA 2")] {
            let (key, crt, subj) = (
                format!("{name}.key"),
                format!("{name}.crt"),
                format!("/CN={cn}"),
            );
            let mut args = vec!["req", "-x509"];
            args.extend(ec);
            args.extend([
                "-nodes", "-keyout", &key, "-out", &crt, "-days", "3650", "-subj", &subj,
            ]);
            run(d, "openssl", &args);
        }
        let mut args = vec!["req"];
        args.extend(ec);
        args.extend([
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=client.coffer.test",
        ]);
        run(d, "openssl", &args);
        run(
            d,
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca1.crt",
                "-CAkey",
                "ca1.key",
                "-CAcreateserial",
                "-out",
                "leaf.crt",
                "-days",
                "825",
            ],
        );
        run(
            d,
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "coffer-test",
                "-f",
                "id_ed25519",
            ],
        );
        let read = |name: &str| {
            std::fs::read_to_string(d.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
        };
        Pems {
            chain: format!("{}{}", read("leaf.crt"), read("ca1.crt")),
            key: read("leaf.key"),
            ca_bundle: format!("{}{}", read("ca1.crt"), read("ca2.crt")),
            ssh_private: read("id_ed25519"),
            ssh_public: read("id_ed25519.pub").trim().to_owned(),
        }
    })
}

/// The libtest name of test `function` in module `module` (`module_path!()`).
pub fn test_name(module: &str, function: &str) -> String {
    let within = module.split_once("::").map_or("", |(_, rest)| rest);
    if within.is_empty() {
        function.to_owned()
    } else {
        format!("{within}::{function}")
    }
}

/// A command that runs test `name` of this test binary (ignored or not) alone.
pub fn test_command(name: &str) -> Command {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = Command::new(exe);
    cmd.args([name, "--exact", "--nocapture", "--include-ignored"]);
    cmd
}

/// Asserts that a re-run test process passed and actually ran `name`.
#[track_caller]
pub fn assert_test_passed(name: &str, out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(&format!("test {name} ... ok")),
        "inner run of {name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}

pub fn in_keyring_session() -> bool {
    std::env::var_os(SESSION_ENV).is_some()
}

/// Runs test `name` again inside a private D-Bus session with an unlocked
/// gnome-keyring (home, data and runtime directories in a temporary
/// directory), and fails unless it passes there. Missing programs fail the
/// test: the OS keyring is part of what is tested.
pub fn run_in_keyring_session(name: &str) {
    require_program("dbus-run-session");
    require_program("gnome-keyring-daemon");
    let home = tempfile::tempdir().expect("temp home");
    let dir = |sub: &str| {
        let path = home.path().join(sub);
        std::fs::create_dir_all(&path).expect("create dir");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        path
    };
    let exe = std::env::current_exe().expect("current test binary");
    let started = std::time::Instant::now();
    let out = Command::new("dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            "echo -n pw | \"$0\" || exit $?; exec \"$@\"",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/keyring-unlock"),
        ])
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--include-ignored"])
        .env(SESSION_ENV, "1")
        .env("HOME", dir("home"))
        .env("XDG_DATA_HOME", dir("data"))
        .env("XDG_CONFIG_HOME", dir("config"))
        .env("XDG_CACHE_HOME", dir("cache"))
        .env("XDG_RUNTIME_DIR", dir("run"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("running dbus-run-session");
    assert!(
        !matches!(out.status.code(), Some(97 | 98)),
        "gnome-keyring did not start or take the Secret Service name: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_test_passed(name, &out);
    println!(
        "{name} inside a D-Bus session with gnome-keyring took {:.2?}:\n{}",
        started.elapsed(),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Stores raw bytes as the vault's master key in the OS keyring, as an
/// attacker or a confused user would.
pub fn put_keyring_key(vault_id: &str, bytes: &[u8]) {
    keyring_entry(vault_id)
        .set_secret(bytes)
        .expect("writing the keyring entry");
}

/// Deletes the vault's keyring entry.
pub fn delete_keyring_key(vault_id: &str) {
    keyring_entry(vault_id)
        .delete_credential()
        .expect("deleting the keyring entry");
}

/// The vault's keyring entry bytes, if any.
pub fn keyring_key(vault_id: &str) -> Option<Vec<u8>> {
    match keyring_entry(vault_id).get_secret() {
        Ok(bytes) => Some(bytes),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => panic!("reading the keyring entry: {e}"),
    }
}

fn keyring_entry(vault_id: &str) -> keyring::Entry {
    keyring::Entry::new("Coffer", &format!("vault-{vault_id}")).expect("keyring entry")
}

/// Checks the trigram index: FTS5's own integrity check, and that it holds
/// exactly the live secrets with their current text.
pub fn assert_search_index_consistent(path: &Path) {
    raw(path)
        .execute(
            "INSERT INTO secret_search (secret_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap_or_else(|e| panic!("the trigram index is damaged: {e}"));
    assert_eq!(
        search_index_differences(path),
        0,
        "the trigram index differs from the live secrets"
    );
}

/// Rows in which the trigram index and the live secrets' text differ.
pub fn search_index_differences(path: &Path) -> i64 {
    raw(path)
        .query_row(
            "SELECT
                (SELECT count(*) FROM (
                    SELECT rowid, search FROM secret_search
                    EXCEPT SELECT id, search FROM secrets WHERE deleted_at IS NULL))
              + (SELECT count(*) FROM (
                    SELECT id, search FROM secrets WHERE deleted_at IS NULL
                    EXCEPT SELECT rowid, search FROM secret_search))",
            [],
            |r| r.get(0),
        )
        .unwrap()
}
