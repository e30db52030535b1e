//! 1Password exports written at test time in their published shapes: a
//! `.1pux` zip (export.data JSON) and the CSV; a zip bomb refused by the
//! bounded decompression, the vault unchanged.

use std::io::Write;

use coffer_core::secret::{SecretRef, SecretType};
use coffer_import::{Format, ReadOptions, read};
use serde_json::json;
use zip::write::SimpleFileOptions;

use crate::support::Fixture;

fn export_data() -> serde_json::Value {
    json!({ "accounts": [{ "attrs": { "accountName": "Acme", "name": "Acme" },
      "vaults": [{ "attrs": { "uuid": "v1", "name": "Ops" }, "items": [
        { "uuid": "a", "categoryUuid": "001", "state": "active",
          "overview": { "title": "Jenkins login", "url": "https://ci.example", "tags": ["ci"] },
          "details": { "loginFields": [
              { "value": "jenkins", "name": "username", "fieldType": "T", "designation": "username" },
              { "value": "jënkins-pw", "name": "password", "fieldType": "P", "designation": "password" } ],
            "notesPlain": "main CI", "sections": [] } },
        { "uuid": "b", "categoryUuid": "112", "state": "active",
          "overview": { "title": "Stripe API" },
          "details": { "sections": [{ "title": "", "fields": [
              { "title": "credential", "id": "credential", "value": { "concealed": "sk_live_42" } },
              { "title": "type", "id": "type", "value": { "menu": "bearer" } },
              { "title": "expires", "id": "expires", "value": { "date": 1893456000 } } ] }] } },
        { "uuid": "c", "categoryUuid": "003", "state": "active",
          "overview": { "title": "Alarm code" }, "details": { "notesPlain": "1234" } },
        { "uuid": "d", "categoryUuid": "002", "state": "active",
          "overview": { "title": "Corporate card" }, "details": {} },
        { "uuid": "e", "categoryUuid": "001", "state": "deleted",
          "overview": { "title": "old" }, "details": {} }
      ] }] }] })
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn a_1pux_export_becomes_secrets() {
    let mut fx = Fixture::new();
    let data = serde_json::to_vec(&export_data()).unwrap();
    let attrs =
        br#"{"version":3,"description":"1Password Unencrypted Export","createdAt":1700000000}"#;
    let bytes = fx.file(
        "export.1pux",
        &zip_with(&[("export.attributes", attrs), ("export.data", &data)]),
    );
    assert_eq!(
        coffer_import::detect("export.1pux", &bytes),
        Some(Format::OnePassword)
    );
    let batch = read(Format::OnePassword, &bytes, &ReadOptions::default()).unwrap();
    let names: Vec<_> = batch.items.iter().map(|i| i.secret.name.as_str()).collect();
    assert_eq!(names, ["Jenkins-login", "Stripe-API", "Alarm-code"]);
    assert_eq!(batch.skipped["credit card"], 1);
    assert_eq!(batch.skipped["in the trash"], 1);
    assert_eq!(batch.items[0].source, "Ops/Jenkins login");
    fx.import(batch);

    let jenkins = fx.vault.get(&SecretRef::named("Jenkins-login")).unwrap();
    assert_eq!(jenkins.kind, SecretType::BasicAuth);
    assert_eq!(jenkins.labels["url"], "https://ci.example");
    assert_eq!(jenkins.labels["vault"], "Ops");
    assert_eq!(jenkins.labels["tags"], "ci");
    assert_eq!(fx.field("Jenkins-login", "password"), "jënkins-pw");
    assert_eq!(fx.field("Stripe-API", "credential"), "sk_live_42");
    assert_eq!(fx.field("Stripe-API", "expires"), "1893456000");
    assert_eq!(fx.field("Alarm-code", "data"), "1234");
}

#[test]
fn a_zip_bomb_and_broken_archives_are_refused() {
    let fx = Fixture::new();
    let before = fx.bytes();
    // 80 MiB of spaces deflate to well under a megabyte.
    let bomb = vec![b' '; 80 << 20];
    let bytes = zip_with(&[("export.data", &bomb)]);
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    let code = |b: &[u8]| {
        read(Format::OnePassword, b, &ReadOptions::default())
            .unwrap_err()
            .code()
    };
    assert_eq!(code(&bytes), "too_large");
    assert_eq!(code(&zip_with(&[("other.txt", b"x")])), "malformed");
    assert_eq!(code(b"PK\x03\x04 not really a zip"), "malformed");
    let good = zip_with(&[("export.data", &serde_json::to_vec(&export_data()).unwrap())]);
    let cut = code(&good[..good.len() / 2]);
    assert!(["truncated", "malformed"].contains(&cut), "{cut}");
    assert_eq!(fx.bytes(), before);
}

#[test]
fn the_1password_csv_with_bom_crlf_and_quotes() {
    let mut fx = Fixture::new();
    let csv = "\u{feff}\"Title\",\"Url\",\"Username\",\"Password\",\"OTPAuth\",\"Favorite\",\"Archived\",\"Tags\",\"Notes\"\r\n\
               \"Wiki, staff\",\"https://wiki.example\",\"anna\",\"wiki \"\"pw\"\"\",\"\",\"false\",\"false\",\"docs\",\"two\r\nlines\"\r\n\
               \"Mail\",\"\",\"bob\",\"mail-pw\",\"otpauth://totp/x?secret=ABC\",\"true\",\"false\",\"\",\"\"\r\n\
               \"Old\",\"\",\"c\",\"old-pw\",\"\",\"false\",\"true\",\"\",\"\"\r\n\
               \"Straße\",\"\",\"\",\"\",\"\",\"false\",\"false\",\"\",\"\"\r\n";
    let bytes = fx.file("1password.csv", csv.as_bytes());
    assert_eq!(
        coffer_import::detect("1password.csv", &bytes),
        Some(Format::OnePasswordCsv)
    );
    let batch = read(Format::OnePasswordCsv, &bytes, &ReadOptions::default()).unwrap();
    let names: Vec<_> = batch.items.iter().map(|i| i.secret.name.as_str()).collect();
    assert_eq!(names, ["Wiki-staff", "Mail"]);
    assert_eq!(batch.skipped["archived"], 1);
    assert_eq!(batch.unreadable[0].code, "no_value");
    assert_eq!(batch.unreadable[0].source, "row 5");
    fx.import(batch);
    assert_eq!(fx.field("Wiki-staff", "password"), "wiki \"pw\"");
    let wiki = fx.vault.get(&SecretRef::named("Wiki-staff")).unwrap();
    assert!(wiki.description.starts_with("two\r\nlines"));
    assert_eq!(fx.field("Mail", "otpauth"), "otpauth://totp/x?secret=ABC");
}
