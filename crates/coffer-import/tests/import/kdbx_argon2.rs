//! KDBX 4 with Argon2d and with Argon2id, written at test time by
//! `pykeepass` (PyPI; in the test venv that `scripts/dev` makes, found
//! through `COFFER_TEST_PYTHON`), a maintained implementation other than
//! KeePassXC (whose CLI here writes AES-KDF). Each file is read through
//! Coffer's importer end to end: entries, fields, group, URL, notes and an
//! attachment, with the right password; a wrong one is refused.
//!
//! Known gap, pinned here: pykeepass appends a custom string field after
//! the entry's other elements, and the `keepass` crate (0.17) refuses an
//! entry whose `<String>` elements are not together ("duplicate field"), so
//! such a file is refused as `malformed` (the vault unchanged). KeePassXC
//! and KeePass write them together.

use std::path::{Path, PathBuf};
use std::process::Command;

use coffer_core::SecretString;
use coffer_core::secret::{SecretRef, SecretType};
use coffer_import::kdbx_header::{self, Kdf};
use coffer_import::{Format, ReadOptions, read};

use crate::support::Fixture;

const PASSWORD: &str = "argon2 pässword";

/// The Python with pykeepass: `COFFER_TEST_PYTHON`, else the workspace's
/// `.venv`. Missing: the test fails and says how to get it.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("COFFER_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with pykeepass: run `scripts/dev setup` (it creates .venv) or set COFFER_TEST_PYTHON"
    );
    venv
}

/// Writes a KDBX 4 with pykeepass: KDF `argon2` (Argon2d) or `argon2id`,
/// 8 MiB, 3 passes, 2 lanes, a fresh salt; one login with URL, notes and an
/// attachment in group `Servers` (with `custom`: and a custom field), one
/// plain login at the root. The password comes on standard input, never
/// in arguments.
const WRITER: &str = r#"
import os, sys
from pykeepass import create_database, PyKeePass
from pykeepass.kdbx_parsing.kdbx4 import kdf_uuids
path, kdf, custom = sys.argv[1], sys.argv[2], sys.argv[3] == "custom"
password = sys.stdin.readline().rstrip("\n")
kp = create_database(path, password=password)
params = kp.kdbx.header.value.dynamic_header.kdf_parameters.data.dict
params["$UUID"].value = kdf_uuids[kdf]
params["M"].value = 8 * 1024 * 1024
params["I"].value = 3
params["P"].value = 2
params["S"].value = os.urandom(32)
servers = kp.add_group(kp.root_group, "Servers")
db = kp.add_entry(servers, "db admin", "admin", "pa55-ÿ-db",
                  url="https://db.example", notes="primary cluster")
if custom:
    db.set_custom_property("port", "5432")
db.add_attachment(kp.add_binary(b"\x00\x01binary\xff"), "blob.bin")
kp.add_entry(kp.root_group, "mail", "alice", "mail-pw")
kp.save()
# Read back by pykeepass itself, so a file it cannot open fails here.
again = PyKeePass(path, password=password)
assert again.kdbx.header.value.major_version == 4
assert again.kdbx.header.value.dynamic_header.kdf_parameters.data.dict["$UUID"].value == kdf_uuids[kdf]
"#;

fn write_with_pykeepass(dir: &Path, kdf: &str, custom: bool) -> PathBuf {
    let path = dir.join(format!("{kdf}-{custom}.kdbx"));
    let mut child = Command::new(python())
        .arg("-c")
        .arg(WRITER)
        .arg(&path)
        .arg(kdf)
        .arg(if custom { "custom" } else { "plain" })
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the test Python");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{PASSWORD}").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pykeepass ({kdf}) failed; is it in COFFER_TEST_PYTHON's venv (scripts/dev setup)? {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// The KDF's UUID in a KDBX 4 header: Argon2d or Argon2id, as written.
fn kdf_uuid(bytes: &[u8]) -> [u8; 16] {
    let needle = b"$UUID";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("a KDF UUID in the header")
        + needle.len()
        + 4;
    bytes[at..at + 16].try_into().unwrap()
}

const ARGON2D: [u8; 16] = [
    0xef, 0x63, 0x6d, 0xdf, 0x8c, 0x29, 0x44, 0x4b, 0x91, 0xf7, 0xa9, 0xa4, 0x03, 0xe3, 0x0a, 0x0c,
];
const ARGON2ID: [u8; 16] = [
    0x9e, 0x29, 0x8b, 0x19, 0x56, 0xdb, 0x47, 0x73, 0xb2, 0x3d, 0xfc, 0x3e, 0xc6, 0xf0, 0xa1, 0xe6,
];

#[test]
fn kdbx_4_with_argon2d_and_argon2id_from_pykeepass_imports() {
    for (kdf, uuid) in [("argon2", ARGON2D), ("argon2id", ARGON2ID)] {
        let mut fx = Fixture::new();
        let path = write_with_pykeepass(fx.dir.path(), kdf, false);
        let bytes = std::fs::read(&path).unwrap();
        let header = kdbx_header::read(&bytes).unwrap();
        assert_eq!(header.major, 4, "{kdf}");
        assert_eq!(
            header.kdf,
            Kdf::Argon2 {
                memory: 8 * 1024 * 1024,
                iterations: 3,
                parallelism: 2
            },
            "{kdf}"
        );
        assert_eq!(kdf_uuid(&bytes), uuid, "{kdf}");
        assert_eq!(
            coffer_import::detect("argon.kdbx", &bytes),
            Some(Format::Kdbx)
        );

        // A wrong password (and none) is refused, naming no value; the
        // vault is unchanged.
        let before = fx.bytes();
        let wrong = ReadOptions {
            password: Some(SecretString::from("not the password")),
            ..ReadOptions::default()
        };
        let error = read(Format::Kdbx, &bytes, &wrong).unwrap_err();
        assert_eq!(error.code(), "wrong_password", "{kdf}");
        assert!(!error.to_string().contains("not the password"));
        assert_eq!(
            read(Format::Kdbx, &bytes, &ReadOptions::default())
                .unwrap_err()
                .code(),
            "password_required"
        );
        assert_eq!(fx.bytes(), before);

        let options = ReadOptions {
            password: Some(SecretString::from(PASSWORD)),
            ..ReadOptions::default()
        };
        let batch = read(Format::Kdbx, &bytes, &options).unwrap();
        let mut names: Vec<&str> = batch.items.iter().map(|i| i.secret.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["db-admin", "db-admin/blob.bin", "mail"], "{kdf}");
        assert!(batch.unreadable.is_empty(), "{:?}", batch.unreadable);
        let report = fx.import(batch);
        assert_eq!(report.created, 3);

        let db = fx.vault.get(&SecretRef::named("db-admin")).unwrap();
        assert_eq!(db.kind, SecretType::BasicAuth, "{kdf}");
        assert_eq!(db.labels["group"], "Servers");
        assert_eq!(db.labels["url"], "https://db.example");
        assert!(db.description.starts_with("primary cluster"));
        assert_eq!(fx.field("db-admin", "username"), "admin");
        assert_eq!(fx.field("db-admin", "password"), "pa55-ÿ-db");
        let mail = fx.vault.get(&SecretRef::named("mail")).unwrap();
        assert_eq!(mail.kind, SecretType::BasicAuth);
        assert_eq!(fx.field("mail", "password"), "mail-pw");
        // The attachment, byte for byte.
        let blob = fx
            .vault
            .reveal(&SecretRef::named("db-admin/blob.bin"), Some("data"), None)
            .unwrap();
        use coffer_core::ExposeSecret;
        assert_eq!(blob[0].value.expose_secret(), b"\x00\x01binary\xff");

        // The known gap: with a custom field after the entry's other
        // elements, refused as malformed, naming no value; nothing written.
        let custom = std::fs::read(write_with_pykeepass(fx.dir.path(), kdf, true)).unwrap();
        let before = fx.bytes();
        let error = read(Format::Kdbx, &custom, &options).unwrap_err();
        assert_eq!(error.code(), "malformed", "{kdf}");
        assert!(!error.to_string().contains("5432"));
        assert_eq!(fx.bytes(), before);
    }
}
