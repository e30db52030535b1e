//! KeePass files written at test time by `keepassxc-cli` (Debian's
//! keepassxc): an XML export imported (KDBX 3.1 with AES-KDF; with entry
//! custom data it writes KDBX 4), attachments added with
//! `attachment-import`. Wrong password, wrong key file, truncated and
//! hostile headers are refused with their code, the vault unchanged.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coffer_core::secret::{SecretRef, SecretType};
use coffer_core::{SecretString, Timestamp};
use coffer_import::kdbx_header::{self, Kdf};
use coffer_import::{Format, GroupsAs, ReadOptions, read};

use crate::support::Fixture;

const PASSWORD: &str = "kdbx test pässword";

/// A KeePass XML export: a login with URL, notes, tags and expiry at the
/// root; in Servers/Databases a login with a custom field (which makes
/// keepassxc-cli write KDBX 4 when `custom_data` is set), a secure note.
fn xml(custom_data: bool) -> String {
    let custom = if custom_data {
        "<CustomData><Item><Key>k</Key><Value>v</Value></Item></CustomData>"
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<KeePassFile><Meta><DatabaseName>Test</DatabaseName></Meta><Root>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
<String><Key>Title</Key><Value>Mail server (prod)</Value></String>
<String><Key>UserName</Key><Value>alice</Value></String>
<String><Key>Password</Key><Value ProtectInMemory="True">mäil-pw &amp; more</Value></String>
<String><Key>URL</Key><Value>https://mail.example</Value></String>
<String><Key>Notes</Key><Value>rotated yearly</Value></String>
<Tags>ops;mail</Tags>
<Times><Expires>True</Expires><ExpiryTime>2027-01-31T00:00:00Z</ExpiryTime></Times>
</Entry>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><Name>Servers</Name>
<Group><UUID>AAAAAAAAAAAAAAAAAAAABA==</UUID><Name>Databases</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID>{custom}
<String><Key>Title</Key><Value>db</Value></String>
<String><Key>UserName</Key><Value>bob</Value></String>
<String><Key>Password</Key><Value ProtectInMemory="True">db-pw</Value></String>
<String><Key>api token</Key><Value ProtectInMemory="True">tok-123</Value></String>
</Entry>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAABQ==</UUID>
<String><Key>Title</Key><Value>wifi note</Value></String>
<String><Key>Notes</Key><Value>guest network: hunter2</Value></String>
</Entry>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAABg==</UUID>
<String><Key>Title</Key><Value>empty</Value></String>
</Entry>
</Group></Group></Group></Root></KeePassFile>"#
    )
}

fn keepassxc(args: &[&str], stdin: &str) {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keepassxc-cli (Debian package keepassxc; scripts/dev installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a database from the XML; `key_file` adds a key file.
fn database(dir: &Path, name: &str, custom_data: bool, key_file: Option<&Path>) -> PathBuf {
    let xml_path = dir.join(format!("{name}.xml"));
    std::fs::write(&xml_path, xml(custom_data)).unwrap();
    let db = dir.join(format!("{name}.kdbx"));
    let mut args = vec!["import", "-p", "-t", "100"];
    let key;
    if let Some(k) = key_file {
        key = k.display().to_string();
        args.extend(["--set-key-file", &key]);
    }
    let (x, d) = (xml_path.display().to_string(), db.display().to_string());
    args.extend([x.as_str(), d.as_str()]);
    keepassxc(&args, &format!("{PASSWORD}\n{PASSWORD}\n"));
    db
}

fn attach(db: &Path, entry: &str, name: &str, file: &Path) {
    keepassxc(
        &[
            "attachment-import",
            &db.display().to_string(),
            entry,
            name,
            &file.display().to_string(),
        ],
        &format!("{PASSWORD}\n"),
    );
}

fn with_password() -> ReadOptions {
    ReadOptions {
        password: Some(SecretString::from(PASSWORD)),
        ..ReadOptions::default()
    }
}

fn openssl_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let (key, crt) = (dir.join("t.key"), dir.join("t.crt"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "30", "-subj", "/CN=kdbx-test", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .unwrap();
    assert!(ok.status.success());
    (key, crt)
}

#[test]
fn kdbx_3_1_and_4_entries_become_secrets() {
    for (custom_data, major) in [(false, 3), (true, 4)] {
        let mut fx = Fixture::new();
        let db = database(fx.dir.path(), "vault", custom_data, None);
        let (key, crt) = openssl_pair(fx.dir.path());
        attach(&db, "Mail server (prod)", "client.crt", &crt);
        attach(&db, "Mail server (prod)", "client.key", &key);
        let readme = fx.dir.path().join("readme.txt");
        std::fs::write(&readme, "read me").unwrap();
        attach(&db, "Servers/Databases/db", "readme.txt", &readme);
        let bytes = std::fs::read(&db).unwrap();
        assert_eq!(kdbx_header::read(&bytes).unwrap().major, major);
        assert_eq!(
            coffer_import::detect("vault.kdbx", &bytes),
            Some(Format::Kdbx)
        );

        let batch = read(Format::Kdbx, &bytes, &with_password()).unwrap();
        let mut names: Vec<_> = batch.items.iter().map(|i| i.secret.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Mail-server-prod",
                "Mail-server-prod/client.crt",
                "db",
                "db/readme.txt",
                "wifi-note"
            ],
            "KDBX {major}"
        );
        let unreadable: Vec<_> = batch
            .unreadable
            .iter()
            .map(|u| (u.source.as_str(), u.code))
            .collect();
        assert_eq!(unreadable, [("Servers/Databases/empty", "no_value")]);
        let mail = batch
            .items
            .iter()
            .find(|i| i.secret.name == "Mail-server-prod")
            .unwrap();
        assert_eq!(mail.source, "Mail server (prod)");
        assert_eq!(mail.original_name.as_deref(), Some("Mail server (prod)"));

        let report = fx.import(batch);
        assert_eq!(report.created, 5);
        assert_eq!(fx.field("Mail-server-prod", "password"), "mäil-pw & more");
        assert_eq!(fx.field("Mail-server-prod", "username"), "alice");
        let meta = fx.vault.get(&SecretRef::named("Mail-server-prod")).unwrap();
        assert_eq!(meta.kind, SecretType::BasicAuth);
        assert_eq!(meta.labels["url"], "https://mail.example");
        assert_eq!(meta.labels["tags"], "mail,ops");
        assert!(!meta.labels.contains_key("group"));
        assert_eq!(
            meta.description,
            "rotated yearly\nOriginal name: Mail server (prod)"
        );
        assert_eq!(
            meta.expires_at,
            Some(Timestamp::parse("e", "2027-01-31").unwrap())
        );

        // Custom fields make a key/value secret with the login in it.
        let db_meta = fx.vault.get(&SecretRef::named("db")).unwrap();
        assert_eq!(db_meta.kind, SecretType::KeyValue);
        assert_eq!(db_meta.labels["group"], "Servers/Databases");
        assert_eq!(fx.field("db", "api_token"), "tok-123");
        assert_eq!(fx.field("db", "password"), "db-pw");
        assert_eq!(fx.field("db", "username"), "bob");

        // The certificate and its key through certificate intake.
        let cert = fx
            .vault
            .get(&SecretRef::named("Mail-server-prod/client.crt"))
            .unwrap();
        assert_eq!(cert.kind, SecretType::Certificate);
        assert!(
            fx.field("Mail-server-prod/client.crt", "private_key")
                .contains("PRIVATE KEY")
        );
        assert_eq!(fx.field("db/readme.txt", "data"), "read me");
        assert_eq!(fx.field("wifi-note", "data"), "guest network: hunter2");
    }
}

#[test]
fn groups_can_become_projects() {
    let fx = Fixture::new();
    let db = database(fx.dir.path(), "vault", false, None);
    let bytes = std::fs::read(&db).unwrap();
    let options = ReadOptions {
        groups: GroupsAs::Project,
        ..with_password()
    };
    let batch = read(Format::Kdbx, &bytes, &options).unwrap();
    let db_item = batch.items.iter().find(|i| i.secret.name == "db").unwrap();
    assert_eq!(db_item.secret.project.as_deref(), Some("Databases"));
    assert!(!db_item.secret.labels.contains_key("group"));
}

#[test]
fn key_files_wrong_passwords_and_truncation() {
    let fx = Fixture::new();
    let key = fx.dir.path().join("key.bin");
    std::fs::write(&key, (0u8..64).collect::<Vec<_>>()).unwrap();
    let db = database(fx.dir.path(), "keyed", true, Some(&key));
    let bytes = std::fs::read(&db).unwrap();
    let before = fx.bytes();

    let keyed = ReadOptions {
        key_file: Some(std::fs::read(&key).unwrap()),
        ..with_password()
    };
    assert_eq!(read(Format::Kdbx, &bytes, &keyed).unwrap().items.len(), 3);

    let code = |options: &ReadOptions, bytes: &[u8]| {
        read(Format::Kdbx, bytes, options).unwrap_err().code()
    };
    // The password alone, a wrong key file, a wrong password, nothing.
    assert_eq!(code(&with_password(), &bytes), "wrong_password");
    let wrong_key = ReadOptions {
        key_file: Some(vec![7u8; 64]),
        ..with_password()
    };
    assert_eq!(code(&wrong_key, &bytes), "wrong_password");
    let wrong_password = ReadOptions {
        password: Some(SecretString::from("not it")),
        key_file: keyed.key_file.clone(),
        ..ReadOptions::default()
    };
    let e = read(Format::Kdbx, &bytes, &wrong_password).unwrap_err();
    assert_eq!(e.code(), "wrong_password");
    assert!(!e.to_string().contains("not it"));
    assert_eq!(code(&ReadOptions::default(), &bytes), "password_required");

    // Truncated in the header, and in the content.
    assert_eq!(code(&keyed, &bytes[..40]), "truncated");
    let cut = code(&keyed, &bytes[..bytes.len() - 100]);
    assert!(["truncated", "malformed"].contains(&cut), "{cut}");
    assert_eq!(code(&keyed, b"not a keepass file"), "malformed");

    assert_eq!(fx.bytes(), before);
}

/// Replaces the 8-byte value of KDF parameter `name` in a KDBX 4 header.
fn patch_kdbx4_parameter(bytes: &mut [u8], name: u8, value: u64) {
    let needle = [1, 0, 0, 0, name, 8, 0, 0, 0];
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the parameter is in the header")
        + needle.len();
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// A KDBX 4 header whose KDF is Argon2id with these parameters.
fn argon2_header(memory: u64, iterations: u64, parallelism: u32) -> Vec<u8> {
    let mut dict = vec![0x00, 0x01];
    let mut entry = |kind: u8, key: &[u8], value: &[u8]| {
        dict.push(kind);
        dict.extend((key.len() as u32).to_le_bytes());
        dict.extend(key);
        dict.extend((value.len() as u32).to_le_bytes());
        dict.extend(value);
    };
    let argon2id = [
        0x9E, 0x29, 0x8B, 0x19, 0x56, 0xDB, 0x47, 0x73, 0xB2, 0x3D, 0xFC, 0x3E, 0xC6, 0xF0, 0xA1,
        0xE6,
    ];
    entry(0x42, b"$UUID", &argon2id);
    entry(0x05, b"M", &memory.to_le_bytes());
    entry(0x05, b"I", &iterations.to_le_bytes());
    entry(0x04, b"P", &parallelism.to_le_bytes());
    entry(0x04, b"V", &0x13u32.to_le_bytes());
    entry(0x42, b"S", &[0u8; 32]);
    dict.push(0);
    let mut file = vec![
        0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x04, 0x00,
    ];
    file.push(11);
    file.extend((dict.len() as u32).to_le_bytes());
    file.extend(dict);
    file.extend([0, 4, 0, 0, 0, b'\r', b'\n', b'\r', b'\n']);
    file.extend([0u8; 64]);
    file
}

#[test]
fn absurd_kdf_parameters_are_refused_before_deriving() {
    let fx = Fixture::new();
    let before = fx.bytes();
    let refused = |bytes: &[u8]| {
        let started = Instant::now();
        let e = read(Format::Kdbx, bytes, &with_password()).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
        e.code()
    };

    // A real KDBX 4 (AES-KDF) from keepassxc-cli, its rounds patched.
    let db = database(fx.dir.path(), "aes4", true, None);
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(matches!(
        kdbx_header::read(&bytes).unwrap().kdf,
        Kdf::Aes { .. }
    ));
    patch_kdbx4_parameter(&mut bytes, b'R', 1 << 40);
    assert_eq!(refused(&bytes), "kdf_too_costly");

    // A real KDBX 3.1, its TransformRounds field (id 6) patched.
    let db = database(fx.dir.path(), "aes3", false, None);
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes.windows(3).position(|w| w == [6, 8, 0]).unwrap() + 3;
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(refused(&bytes), "kdf_too_costly");

    // Argon2: a terabyte, a million passes, 2^20 lanes, too much work.
    for (m, i, p) in [
        (1u64 << 40, 2, 2),
        (64 << 20, 1_000_000, 2),
        (64 << 20, 2, 1 << 20),
        (1 << 30, 20, 2),
    ] {
        assert_eq!(
            refused(&argon2_header(m, i, p)),
            "kdf_too_costly",
            "{m} {i} {p}"
        );
    }
    // Within bounds, the same header goes on to the (failing) decryption.
    assert_ne!(refused(&argon2_header(1 << 20, 2, 2)), "kdf_too_costly");

    assert_eq!(fx.bytes(), before);
}

#[test]
fn a_wrong_password_on_kdbx_3_1() {
    let fx = Fixture::new();
    let db = database(fx.dir.path(), "v3", false, None);
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(kdbx_header::read(&bytes).unwrap().major, 3);
    for wrong in ["not it", "", "kdbx test pässword!"] {
        let options = ReadOptions {
            password: Some(SecretString::from(wrong)),
            ..ReadOptions::default()
        };
        let e = read(Format::Kdbx, &bytes, &options).unwrap_err();
        assert_eq!(e.code(), "wrong_password", "{wrong:?}");
    }
}
