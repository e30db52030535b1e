//! Files that are not (healthy) vaults: each gets its own clear error, and the
//! file is left exactly as it was.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::{Error, ErrorCode, FixedClock, SecretString, Vault};

use crate::support::{Fixture, T0, basic, expect_code, file_sha256, named, passphrase, raw};

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A closed vault holding one secret; the fixture keeps its directory alive.
fn closed_vault() -> Fixture {
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "pw")).unwrap();
    fx.close();
    // Closing empties the log but never deletes it (another process may
    // still write into it: see concurrency.rs).
    let wal = sidecar(&fx.path, "-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "a closed vault's WAL is empty"
    );
    fx
}

/// Opens `path` expecting `code`, and checks that the file (and any WAL next
/// to it) is byte-identical afterwards and that no journal was left behind.
#[track_caller]
fn refused(path: &Path, code: ErrorCode) -> Error {
    let wal = sidecar(path, "-wal");
    let had_wal = wal.exists();
    let sidecars = ["-wal", "-shm", "-journal"].map(|s| (s, sidecar(path, s).exists()));
    let before = (file_sha256(path), had_wal.then(|| file_sha256(&wal)));
    let e = expect_code(Vault::open(path, clock()), code);
    let after = (
        file_sha256(path),
        had_wal
            .then(|| wal.exists().then(|| file_sha256(&wal)))
            .flatten(),
    );
    assert_eq!(
        before,
        after,
        "{}: the file or its WAL changed ({e})",
        path.display()
    );
    for (suffix, existed) in sidecars {
        assert!(
            existed || !sidecar(path, suffix).exists(),
            "{}: {suffix} left behind after {e}",
            path.display()
        );
    }
    e
}

#[test]
fn wrong_passphrase() {
    let mut fx = closed_vault();
    let before = file_sha256(&fx.path);
    fx.open_locked();
    let e = expect_code(
        fx.unlock_with_passphrase(&SecretString::from("not the passphrase")),
        ErrorCode::WrongPassphrase,
    );
    assert_eq!(e.to_string(), "wrong recovery passphrase");
    assert!(!fx.is_unlocked());
    expect_code(fx.reveal(&named("svc"), None, None), ErrorCode::Locked);
    fx.close();
    assert_eq!(file_sha256(&fx.path), before);
    fx.reopen();
    assert!(fx.is_unlocked());
}

#[test]
fn missing_file_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    let e = expect_code(Vault::open(&missing, clock()), ErrorCode::NoVault);
    assert!(matches!(e, Error::NoVault { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("no vault at") && message.contains("nope.db"),
        "{message}"
    );
    assert!(!missing.exists(), "opening must not create a vault");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let folder = dir.path().join("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let e = expect_code(Vault::open(&folder, clock()), ErrorCode::NotAVault);
    assert!(e.to_string().contains("directory"), "{e}");
    assert!(folder.is_dir());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let e = refused(&path, ErrorCode::Corrupt);
    assert!(e.to_string().contains("empty"), "{e}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn truncated_files() {
    let fx = closed_vault();
    let full = std::fs::read(&fx.path).unwrap();
    let len = full.len();
    assert!(len > 8192, "the vault has several pages ({len} bytes)");
    let dir = tempfile::tempdir().unwrap();
    for cut in [
        1,
        6,
        15,
        16,
        17,
        50,
        99,
        100,
        101,
        1000,
        4095,
        4096,
        4097,
        len / 2,
        len - 4096,
        len - 1,
    ] {
        let path = dir.path().join(format!("cut-{cut}.db"));
        std::fs::write(&path, &full[..cut]).unwrap();
        let e = refused(&path, ErrorCode::Corrupt);
        let message = e.to_string();
        assert!(
            message.contains("truncated"),
            "cut at {cut} of {len}: {message}"
        );
    }
    // Garbage where the WAL would be does not excuse a short file.
    let path = dir.path().join("cut-with-garbage-wal.db");
    std::fs::write(&path, &full[..len - 4096]).unwrap();
    std::fs::write(sidecar(&path, "-wal"), vec![0x37; 8192]).unwrap();
    let e = refused(&path, ErrorCode::Corrupt);
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn files_that_are_not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let png = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("text.db", b"hello world\n".repeat(500)),
        ("short.db", b"hello".to_vec()),
        (
            "image.png",
            png.iter().copied().cycle().take(4096).collect(),
        ),
        ("zeros.db", vec![0; 8192]),
        ("almost.db", b"SQLite format 2\0".repeat(300)),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = refused(&path, ErrorCode::NotAVault);
        assert!(
            e.to_string().contains("not an SQLite database"),
            "{name}: {e}"
        );
    }
}

#[test]
fn sqlite_files_that_are_not_coffer_vaults() {
    let dir = tempfile::tempdir().unwrap();
    for (name, wal) in [("rollback.db", false), ("wal.db", true)] {
        let path = dir.path().join(name);
        {
            let db = rusqlite::Connection::open(&path).unwrap();
            if wal {
                db.pragma_update(None, "journal_mode", "WAL").unwrap();
            }
            db.execute_batch(
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
                 INSERT INTO notes (body) VALUES ('someone else''s data');",
            )
            .unwrap();
        }
        let e = refused(&path, ErrorCode::NotAVault);
        assert!(matches!(e, Error::NotAVault { .. }), "{e:?}");
        assert!(e.to_string().contains("not one Coffer made"), "{name}: {e}");
    }
}

#[test]
fn garbage_pages_after_a_valid_header() {
    let fx = closed_vault();
    let mut bytes = std::fs::read(&fx.path).unwrap();
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, &bytes).unwrap();
    let before = file_sha256(&path);
    let e = expect_code(Vault::open(&path, clock()), ErrorCode::Corrupt);
    assert!(e.to_string().contains("corrupt"), "{e}");
    assert_eq!(file_sha256(&path), before);
}

#[test]
fn newer_schema_is_refused_untouched() {
    let mut fx = closed_vault();
    fx.open_locked();
    let supported = fx.status().unwrap().schema_version;
    fx.close();
    let newer = supported + 1;
    {
        let db = raw(&fx.path);
        db.pragma_update(None, "user_version", newer).unwrap();
    }
    let e = refused(&fx.path, ErrorCode::SchemaTooNew);
    assert!(
        matches!(e, Error::SchemaTooNew { found, supported: s, .. } if found == newer && s == supported),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains(&format!("schema version {newer}")) && message.contains("upgrade Coffer"),
        "{message}"
    );
}

/// A newer Coffer that stopped without checkpointing leaves its last writes
/// in the WAL. Refusing the file must not fold that WAL into the main file.
#[test]
fn newer_schema_with_a_pending_wal_is_refused_untouched() {
    let fx = closed_vault();
    {
        let db = raw(&fx.path);
        db.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        db.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        db.pragma_update(None, "user_version", 70).unwrap();
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('from-the-future', x'00')",
            [],
        )
        .unwrap();
    }
    let wal = sidecar(&fx.path, "-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL holds the writes"
    );
    let e = refused(&fx.path, ErrorCode::SchemaTooNew);
    assert!(matches!(e, Error::SchemaTooNew { found: 70, .. }), "{e:?}");
}

/// Garbage where the WAL would be is never applied to the vault.
#[test]
fn a_garbage_wal_does_not_change_the_vault() {
    let mut fx = closed_vault();
    let wal = sidecar(&fx.path, "-wal");
    std::fs::write(&wal, b"\x37\x7f\x06\x82garbage-not-a-wal".repeat(300)).unwrap();
    let before = file_sha256(&fx.path);
    fx.open_locked();
    assert!(fx.integrity_check().unwrap().is_empty());
    fx.close();
    assert_eq!(
        file_sha256(&fx.path),
        before,
        "opening applied the garbage WAL"
    );
    fx.reopen();
    assert_eq!(
        crate::support::reveal_all(&mut fx, &named("svc"))["password"],
        b"pw"
    );
    assert!(fx.verify_audit().unwrap().ok);

    // Also next to a refused file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    std::fs::write(sidecar(&path, "-wal"), b"garbage".repeat(1000)).unwrap();
    refused(&path, ErrorCode::NotAVault);
}

#[test]
fn create_refuses_an_existing_path_and_leaves_it_alone() {
    let fx = closed_vault();
    let before = file_sha256(&fx.path);
    let mut options = coffer_core::CreateOptions::new(passphrase());
    options.use_keyring = false;
    let e = expect_code(
        Vault::create(&fx.path, options, clock()),
        ErrorCode::AlreadyExists,
    );
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(file_sha256(&fx.path), before);
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, b"mine").unwrap();
    let mut options = coffer_core::CreateOptions::new(passphrase());
    options.use_keyring = false;
    expect_code(
        Vault::create(&other, options, clock()),
        ErrorCode::AlreadyExists,
    );
    assert_eq!(std::fs::read(&other).unwrap(), b"mine");
}
