//! Encrypted export: the `age` file opens with Debian's `age -d`, holds the
//! documented JSON (values, versions, metadata, labels, expiry), withholds
//! write-only and store-password values, needs the recovery passphrase, is
//! audited, and reads back; wrong passphrases and damaged files are refused.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use coffer_core::export::{self, WithheldValue};
use coffer_core::secret::{
    Lifecycle, NewProtection, SecretData, SecretRef, SecretType, ValueChange,
};
use coffer_core::{
    ErrorCode, ExportEncryption, ExportOptions, ExportScope, ExposeSecret, SecretString, Timestamp,
};

use crate::support::{
    Fixture, T0, basic, contains, expect_code, file_sha256, inputs, named, passphrase,
    require_program, reveal_all, secret,
};

const EXPORT_PASS: &str = "export passphrase 42";

fn export_pass() -> SecretString {
    SecretString::from(EXPORT_PASS)
}

/// A vault with one secret of most types, history, labels, expiry, an
/// organization, a write-only and a store-password secret.
fn seeded() -> Fixture {
    let mut fx = Fixture::new();
    let mut db = basic("db/admin", "admin", "pw-v1");
    db.labels.insert("env".into(), "prod".into());
    db.labels.insert("team".into(), "core".into());
    db.description = "the main database".into();
    db.expires_at = Some(T0.plus_days(90));
    fx.register(db).unwrap();
    for v in ["pw-v2", "pw-v3"] {
        let change = ValueChange {
            set: inputs(&[("password", v)]),
            ..Default::default()
        };
        fx.update_value(&named("db/admin"), change, None).unwrap();
    }
    fx.register(secret(
        "app/env",
        SecretType::KeyValue,
        &[("API_URL", "https://api.example"), ("TOKEN", "tok-ÿ-ünï")],
    ))
    .unwrap();
    let mut binary = NewSecret_data_binary();
    binary.org = Some("ops".into());
    binary.project = Some("deploy".into());
    fx.register(binary).unwrap();
    fx.register(secret(
        "cc",
        SecretType::ClientCredentials,
        &[
            ("client_id", "id-1"),
            ("client_secret", "cs-secret"),
            ("scopes", "read write"),
            ("token_url", "https://auth.example/token"),
        ],
    ))
    .unwrap();
    let mut wo = basic("write-only", "robot", "never-exported-wo");
    wo.write_only = true;
    fx.register(wo).unwrap();
    let mut sp = basic("store-pw", "robot", "never-exported-sp");
    sp.protection = NewProtection::Password(SecretString::from("store password 1"));
    fx.register(sp).unwrap();
    fx.register(basic("paused", "u", "paused-pw")).unwrap();
    fx.deactivate(&named("paused")).unwrap();
    fx.register(basic("trashed", "u", "trashed-pw")).unwrap();
    fx.delete(&named("trashed")).unwrap();
    fx
}

#[allow(non_snake_case)]
fn NewSecret_data_binary() -> coffer_core::secret::NewSecret {
    let data = SecretData::from_fields(
        SecretType::Data,
        vec![
            (
                "data".into(),
                coffer_core::secret::SecretBytes::from(vec![0u8, 159, 146, 150, 255, 10]),
            ),
            (
                "content_type".into(),
                "application/octet-stream".as_bytes().to_vec().into(),
            ),
            ("file_name".into(), "blob.bin".as_bytes().to_vec().into()),
        ],
        &Default::default(),
    )
    .unwrap();
    coffer_core::secret::NewSecret::new("blob", data)
}

fn all(encryption: ExportEncryption) -> ExportOptions {
    ExportOptions {
        scope: ExportScope::All,
        all_versions: true,
        encryption,
        jobs: false,
    }
}

/// Decrypts with Debian's `age` (it reads the passphrase from a terminal:
/// `script` gives it one).
pub fn age_decrypt(file: &Path, passphrase: &str) -> (bool, Vec<u8>) {
    require_program("age");
    require_program("script");
    let out = file.with_extension("decrypted");
    let _ = std::fs::remove_file(&out);
    let mut child = Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "age -d -o '{}' '{}'",
            out.display(),
            file.display()
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    let bytes = std::fs::read(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    (status.success() && !bytes.is_empty(), bytes)
}

#[test]
fn an_export_opens_with_age_and_holds_the_documented_json() {
    let mut fx = seeded();
    let file = fx.path.with_file_name("all.coffer");
    let summary = fx
        .export_to_file(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
            &file,
            false,
        )
        .unwrap();
    assert_eq!(summary.secrets, 7, "{summary:?}");
    assert_eq!(summary.withheld, 2);
    // db/admin has 3 versions; 4 others 1 each; withheld ones count none.
    assert_eq!(summary.versions, 3 + 4);
    assert!(summary.encrypted);
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    for leak in ["pw-v3", "cs-secret", "admin", "prod", "db/admin"] {
        assert!(!contains(&bytes, leak.as_bytes()), "{leak} in the file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let (ok, json) = age_decrypt(&file, EXPORT_PASS);
    assert!(ok, "age -d failed");
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc["format"], "coffer-export");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["scope"], "all");
    assert_eq!(doc["vault_id"], fx.id());
    let secrets = doc["secrets"].as_array().unwrap();
    let names: Vec<&str> = secrets
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "app/env",
            "cc",
            "db/admin",
            "paused",
            "store-pw",
            "write-only",
            "blob"
        ]
    );
    let db = &secrets[2];
    assert_eq!(db["organization"], "Default");
    assert_eq!(db["type"], "basic_auth");
    assert_eq!(db["labels"]["env"], "prod");
    assert_eq!(db["description"], "the main database");
    assert_eq!(db["expires_at"], "2026-04-01T00:00:00Z");
    let versions = db["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    let password = |v: &serde_json::Value| {
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "password")
            .unwrap()["text"]
            .clone()
    };
    assert_eq!(password(&versions[0]), "pw-v1");
    assert_eq!(password(&versions[2]), "pw-v3");
    assert_eq!(secrets[3]["status"], "deactivated");
    let blob = &secrets[6];
    assert_eq!(blob["organization"], "ops");
    assert_eq!(blob["project"], "deploy");
    let data_field = &blob["versions"][0]["fields"][0];
    assert_eq!(data_field["name"], "data");
    assert_eq!(data_field["base64"], "AJ+Slv8K"); // 00 9f 92 96 ff 0a
    // Withheld values: marked, public fields only.
    for (i, why, leak) in [
        (4, "store_password", "never-exported-sp"),
        (5, "write_only", "never-exported-wo"),
    ] {
        assert_eq!(secrets[i]["value_withheld"], why);
        let fields = secrets[i]["versions"][0]["fields"].as_array().unwrap();
        assert!(fields.iter().all(|f| f["secret"] == false), "{fields:?}");
        assert!(!contains(&json, leak.as_bytes()));
    }

    // Audited: one entry for the export and one per secret, no values.
    let entries = fx.audit_entries(None, 20).unwrap();
    let export = entries.iter().find(|e| e.action == "vault.export").unwrap();
    assert_eq!(export.detail["secrets"], 7);
    assert_eq!(export.detail["encrypted"], true);
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "secret.export")
            .count(),
        7
    );
    assert!(fx.verify_audit().unwrap().ok);
}

#[test]
fn an_export_reads_back_with_every_value_and_field() {
    let mut fx = seeded();
    let exported = fx
        .export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
        )
        .unwrap();
    let contents = export::read(&exported.bytes, Some(&export_pass())).unwrap();
    assert_eq!(contents.vault_id, fx.id());
    assert_eq!(contents.exported_at, T0);
    let by = |name: &str| {
        contents
            .secrets
            .iter()
            .find(|s| s.secret.name == name)
            .unwrap()
    };
    let fields = |data: &SecretData| -> Vec<(String, bool, Vec<u8>)> {
        data.fields()
            .into_iter()
            .map(|f| (f.name.into_owned(), f.secret, f.value.into_owned()))
            .collect()
    };
    for name in ["db/admin", "app/env", "cc", "paused"] {
        let original = reveal_all(&mut fx, &named(name));
        let read: std::collections::BTreeMap<String, Vec<u8>> = fields(&by(name).secret.data)
            .into_iter()
            .map(|(n, _, v)| (n, v))
            .collect();
        assert_eq!(read, original, "{name}");
    }
    let blob = by("blob");
    assert_eq!(
        reveal_all(&mut fx, &SecretRef::in_org("ops", "blob"))["data"],
        [0u8, 159, 146, 150, 255, 10]
    );
    assert_eq!(blob.secret.org.as_deref(), Some("ops"));
    assert_eq!(blob.secret.project.as_deref(), Some("deploy"));
    let db = by("db/admin");
    assert_eq!(db.secret.labels.len(), 2);
    assert_eq!(db.secret.description, "the main database");
    assert_eq!(db.secret.expires_at, Some(T0.plus_days(90)));
    let older: Vec<Vec<u8>> = db
        .older_versions
        .iter()
        .map(|d| d.field("password").unwrap().value.into_owned())
        .collect();
    assert_eq!(older, [b"pw-v1".to_vec(), b"pw-v2".to_vec()]);
    assert_eq!(by("paused").status, Lifecycle::Deactivated);
    assert_eq!(by("write-only").withheld, Some(WithheldValue::WriteOnly));
    assert!(by("write-only").secret.write_only);
    assert_eq!(by("store-pw").withheld, Some(WithheldValue::StorePassword));
    match &by("store-pw").secret.data {
        SecretData::BasicAuth(v) => {
            assert_eq!(v.username, "robot");
            assert!(v.password.expose_secret().is_empty());
        }
        other => panic!("{other:?}"),
    }

    // Current version only.
    let current = fx
        .export(
            &passphrase(),
            &ExportOptions {
                scope: ExportScope::All,
                all_versions: false,
                encryption: ExportEncryption::Passphrase(export_pass()),
                jobs: false,
            },
        )
        .unwrap();
    let contents = export::read(&current.bytes, Some(&export_pass())).unwrap();
    assert!(contents.secrets.iter().all(|s| s.older_versions.is_empty()));
}

#[test]
fn scopes_select_an_organization_or_named_secrets() {
    let mut fx = seeded();
    let org = fx
        .export(
            &passphrase(),
            &ExportOptions {
                scope: ExportScope::Organization("ops".into()),
                all_versions: true,
                encryption: ExportEncryption::Passphrase(export_pass()),
                jobs: false,
            },
        )
        .unwrap();
    let contents = export::read(&org.bytes, Some(&export_pass())).unwrap();
    assert_eq!(contents.scope, "organization:ops");
    let names: Vec<&str> = contents
        .secrets
        .iter()
        .map(|s| s.secret.name.as_str())
        .collect();
    assert_eq!(names, ["blob"]);
    let picked = fx
        .export(
            &passphrase(),
            &ExportOptions {
                scope: ExportScope::Secrets(vec![named("cc"), named("app/env"), named("cc")]),
                all_versions: false,
                encryption: ExportEncryption::Passphrase(export_pass()),
                jobs: false,
            },
        )
        .unwrap();
    let contents = export::read(&picked.bytes, Some(&export_pass())).unwrap();
    let names: Vec<&str> = contents
        .secrets
        .iter()
        .map(|s| s.secret.name.as_str())
        .collect();
    assert_eq!(names, ["app/env", "cc"]);
    // Unknown organization, missing or trashed secret: refused, nothing audited.
    let before = fx.audit_entries(None, 1).unwrap()[0].seq;
    for scope in [
        ExportScope::Organization("nope".into()),
        ExportScope::Secrets(vec![named("missing")]),
    ] {
        expect_code(
            fx.export(
                &passphrase(),
                &ExportOptions {
                    scope,
                    all_versions: true,
                    encryption: ExportEncryption::Passphrase(export_pass()),
                    jobs: false,
                },
            ),
            ErrorCode::NotFound,
        );
    }
    expect_code(
        fx.export(
            &passphrase(),
            &ExportOptions {
                scope: ExportScope::Secrets(vec![named("trashed")]),
                all_versions: true,
                encryption: ExportEncryption::Passphrase(export_pass()),
                jobs: false,
            },
        ),
        ErrorCode::InvalidInput,
    );
    assert_eq!(fx.audit_entries(None, 1).unwrap()[0].seq, before);
}

#[test]
fn exporting_needs_the_recovery_passphrase_an_unlocked_vault_and_a_real_passphrase() {
    let mut fx = seeded();
    let file = fx.path.with_file_name("x.coffer");
    let before = fx.audit_entries(None, 1).unwrap()[0].seq;
    expect_code(
        fx.export_to_file(
            &SecretString::from("not the recovery passphrase"),
            &all(ExportEncryption::Passphrase(export_pass())),
            &file,
            false,
        ),
        ErrorCode::WrongPassphrase,
    );
    let e = expect_code(
        fx.export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(SecretString::from("short"))),
        ),
        ErrorCode::InvalidInput,
    );
    assert!(e.to_string().contains("export passphrase"), "{e}");
    assert!(!file.exists());
    assert_eq!(fx.audit_entries(None, 1).unwrap()[0].seq, before);
    // An existing file is not overwritten unless asked.
    std::fs::write(&file, b"keep me").unwrap();
    expect_code(
        fx.export_to_file(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
            &file,
            false,
        ),
        ErrorCode::InvalidInput,
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    fx.lock();
    expect_code(
        fx.export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
        ),
        ErrorCode::Locked,
    );
}

#[test]
fn a_plaintext_export_is_json_and_audited_as_unencrypted() {
    let mut fx = seeded();
    let exported = fx
        .export(&passphrase(), &all(ExportEncryption::Plaintext))
        .unwrap();
    assert!(!exported.summary.encrypted);
    let doc: serde_json::Value = serde_json::from_slice(&exported.bytes).unwrap();
    assert_eq!(doc["format"], "coffer-export");
    let contents = export::read(&exported.bytes, None).unwrap();
    assert_eq!(contents.secrets.len(), 7);
    let entry = fx
        .audit_entries(None, 20)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.export")
        .unwrap();
    assert_eq!(entry.detail["encrypted"], false);
}

#[test]
fn wrong_passphrase_truncated_tampered_and_foreign_files_are_refused() {
    let mut fx = seeded();
    let exported = fx
        .export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
        )
        .unwrap();
    let bytes = exported.bytes.to_vec();
    let e = expect_code(
        export::read(&bytes, Some(&SecretString::from("wrong passphrase!"))),
        ErrorCode::WrongPassphrase,
    );
    assert!(e.to_string().contains("export file"), "{e}");
    expect_code(export::read(&bytes, None), ErrorCode::InvalidInput);
    for cut in [bytes.len() - 1, bytes.len() / 2, 40] {
        let e = expect_code(
            export::read(&bytes[..cut], Some(&export_pass())),
            ErrorCode::Corrupt,
        );
        assert!(e.to_string().contains("export file cannot be read"), "{e}");
    }
    let mut flipped = bytes.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x01;
    expect_code(
        export::read(&flipped, Some(&export_pass())),
        ErrorCode::Corrupt,
    );
    // Plain JSON that is not an export, a newer version, a hostile value.
    for (json, needle) in [
        (br#"{"hello": 1}"#.to_vec(), "not a Coffer export"),
        (
            br#"{"format":"coffer-export","version":99,"secrets":[]}"#.to_vec(),
            "version 99",
        ),
        (b"\x00\x01garbage".to_vec(), "not a Coffer export"),
    ] {
        let e = expect_code(export::read(&json, None), ErrorCode::Corrupt);
        assert!(e.to_string().contains(needle), "{e}");
    }
    let plain = fx
        .export(&passphrase(), &all(ExportEncryption::Plaintext))
        .unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(&plain.bytes).unwrap();
    // "cc" (client credentials) gets a field its type does not have.
    doc["secrets"][1]["versions"][0]["fields"][1]["name"] = "nonsense-field".into();
    doc["secrets"][1]["versions"][0]["fields"][1]["text"] = "a-value-not-to-leak".into();
    doc["secrets"][2]["name"] = "bad name with spaces".into();
    let e = expect_code(
        export::read(&serde_json::to_vec(&doc).unwrap(), None),
        ErrorCode::Corrupt,
    );
    assert!(!e.to_string().contains("a-value-not-to-leak"), "{e}");
    assert!(e.to_string().contains("Default:cc"), "{e}");
    // Reading never touches the vault.
    let sha = file_sha256(&fx.path);
    let _ = export::read(&flipped, Some(&export_pass()));
    assert_eq!(file_sha256(&fx.path), sha);
    let _ = Timestamp::from_unix(0);
}

/// The document with what an import cannot carry over removed: ids, times,
/// notes and the lifecycle status.
fn comparable(bytes: &[u8]) -> serde_json::Value {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let map = doc.as_object_mut().unwrap();
    map.remove("vault_id");
    map.remove("exported_at");
    for secret in doc["secrets"].as_array_mut().unwrap() {
        let s = secret.as_object_mut().unwrap();
        for key in ["created_at", "updated_at"] {
            s.remove(key);
        }
        for version in s["versions"].as_array_mut().unwrap() {
            let v = version.as_object_mut().unwrap();
            v.remove("created_at");
            v.remove("note");
        }
    }
    doc
}

#[test]
fn an_export_imports_into_a_new_vault_with_every_value_field_label_expiry_and_version() {
    use coffer_core::import::{ImportChoices, OnConflict};
    let mut fx = seeded();
    // Only what a new vault can hold the same way: no withheld values.
    fx.purge(&named("store-pw")).unwrap();
    let exported = fx
        .export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
        )
        .unwrap();
    let batch = export::open(&exported.bytes, &export_pass()).unwrap();
    assert_eq!(batch.format, "coffer");
    let wo = batch
        .items
        .iter()
        .position(|i| i.secret.name == "write-only")
        .unwrap();
    assert!(batch.items[wo].needs_value);
    assert_eq!(
        batch
            .items
            .iter()
            .find(|i| i.secret.name == "db/admin")
            .unwrap()
            .older_versions
            .len(),
        2
    );

    let mut target = Fixture::new();
    let preview = target.preview_import(&batch).unwrap();
    assert_eq!(preview.items.len(), 6);
    let mut choices = ImportChoices::all(OnConflict::Skip);
    choices.values.insert(
        wo,
        crate::support::data(
            SecretType::BasicAuth,
            &[("username", "robot"), ("password", "given-at-import")],
        ),
    );
    let report = target.import(batch, &choices, &mut |_, _| {}).unwrap();
    assert_eq!(report.created, 6, "{report:?}");
    assert_eq!(target.versions(&named("db/admin")).unwrap().len(), 3);
    assert!(target.get(&named("write-only")).unwrap().write_only);
    // The deactivated status is kept (and audited as the import's).
    assert_eq!(
        target.get(&named("paused")).unwrap().status,
        coffer_core::secret::SecretStatus::Deactivated
    );
    assert_eq!(
        target.get(&named("db/admin")).unwrap().status,
        coffer_core::secret::SecretStatus::Active
    );
    let deactivation = target
        .audit_entries(None, 50)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "secret.deactivate")
        .unwrap();
    assert_eq!(deactivation.detail["via"], "vault.import");
    assert!(target.verify_audit().unwrap().ok);

    // Everything else is identical (the status included): export both in clear and compare.
    let mut source_doc = comparable(
        &fx.export(&passphrase(), &all(ExportEncryption::Plaintext))
            .unwrap()
            .bytes,
    );
    let target_doc = comparable(
        &target
            .export(&passphrase(), &all(ExportEncryption::Plaintext))
            .unwrap()
            .bytes,
    );
    // The write-only secret's version is the value given at import.
    let strip_wo = |doc: &mut serde_json::Value| {
        let list = doc["secrets"].as_array_mut().unwrap();
        let i = list.iter().position(|s| s["name"] == "write-only").unwrap();
        list.remove(i)
    };
    let mut target_doc = target_doc;
    let (a, b) = (strip_wo(&mut source_doc), strip_wo(&mut target_doc));
    assert_eq!(a["labels"], b["labels"]);
    assert_eq!(b["value_withheld"], "write_only");
    assert_eq!(source_doc, target_doc);
    assert_eq!(
        reveal_all(&mut target, &SecretRef::in_org("ops", "blob"))["data"],
        [0u8, 159, 146, 150, 255, 10]
    );

    // A wrong passphrase or a damaged file: refused before the vault is touched.
    let before = target.audit_entries(None, 1).unwrap()[0].seq;
    expect_code(
        export::open(&exported.bytes, &SecretString::from("wrong passphrase")),
        ErrorCode::WrongPassphrase,
    );
    expect_code(
        export::open(&exported.bytes[..exported.bytes.len() - 20], &export_pass()),
        ErrorCode::Corrupt,
    );
    assert_eq!(target.audit_entries(None, 1).unwrap()[0].seq, before);
}

#[test]
fn an_export_preview_counts_what_the_export_holds_and_names_the_metadata_only_ones() {
    let mut fx = seeded();
    let audit_before = fx.audit_entries(None, 1).unwrap()[0].seq;
    let preview = fx.export_preview(&ExportScope::All, true).unwrap();
    assert_eq!(preview.secrets, 7);
    assert_eq!(
        preview.metadata_only,
        ["Default:store-pw", "Default:write-only"]
    );
    let exported = fx
        .export(
            &passphrase(),
            &all(ExportEncryption::Passphrase(export_pass())),
        )
        .unwrap();
    assert_eq!(preview.versions, exported.summary.versions);
    assert_eq!(preview.secrets, exported.summary.secrets);
    let current = fx.export_preview(&ExportScope::All, false).unwrap();
    assert_eq!(current.versions, 5, "one per secret with a value");
    let ops = fx
        .export_preview(&ExportScope::Organization("ops".into()), true)
        .unwrap();
    assert_eq!((ops.secrets, ops.versions), (1, 1));
    let picked = fx
        .export_preview(
            &ExportScope::Secrets(vec![named("db/admin"), named("write-only")]),
            true,
        )
        .unwrap();
    assert_eq!((picked.secrets, picked.versions), (2, 3));
    assert_eq!(picked.metadata_only, ["Default:write-only"]);
    expect_code(
        fx.export_preview(&ExportScope::Secrets(vec![named("trashed")]), true),
        ErrorCode::InvalidInput,
    );
    expect_code(
        fx.export_preview(&ExportScope::Organization("nobody".into()), true),
        ErrorCode::NotFound,
    );

    // The recovery check alone: right, wrong; nothing audited by either.
    let seq = fx.audit_entries(None, 1).unwrap()[0].seq;
    fx.check_recovery(&passphrase()).unwrap();
    expect_code(
        fx.check_recovery(&SecretString::from("not the passphrase")),
        ErrorCode::WrongPassphrase,
    );
    assert_eq!(fx.audit_entries(None, 1).unwrap()[0].seq, seq);
    assert!(seq > audit_before, "the export in between was audited");
}
