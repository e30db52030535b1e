//! Bitwarden's unencrypted JSON export, written at test time in its
//! published shape: logins, secure notes, custom fields, folders and
//! collections; cards and identities counted, encrypted exports and broken
//! JSON refused without quoting values.

use coffer_core::secret::{SecretRef, SecretType};
use coffer_import::{Format, GroupsAs, ReadOptions, read};
use serde_json::json;

use crate::support::Fixture;

fn export() -> serde_json::Value {
    json!({
        "encrypted": false,
        "folders": [{ "id": "f1", "name": "Infra/Prod" }],
        "collections": [{ "id": "c1", "organizationId": "o1", "name": "Ops team" }],
        "items": [
            {
                "id": "i1", "organizationId": null, "folderId": "f1", "type": 1, "reprompt": 0,
                "name": "Grafana admin", "notes": "rotate monthly", "favorite": false,
                "login": {
                    "uris": [{ "match": null, "uri": "https://grafana.example" },
                             { "match": null, "uri": "https://grafana-backup.example" }],
                    "username": "admin", "password": "gräfana-pw", "totp": null
                },
                "collectionIds": ["c1"]
            },
            {
                "id": "i2", "folderId": null, "type": 1, "name": "deploy bot",
                "fields": [
                    { "name": "api key", "value": "ak-123", "type": 1, "linkedId": null },
                    { "name": "region", "value": "eu-west-1", "type": 0, "linkedId": null }
                ],
                "login": { "uris": [], "username": "bot", "password": "bot-pw", "totp": "JBSWY3DPEHPK3PXP" }
            },
            { "id": "i3", "type": 2, "name": "Door code", "notes": "4711#", "secureNote": { "type": 0 } },
            { "id": "i4", "type": 3, "name": "Visa", "card": { "number": "4111111111111111" } },
            { "id": "i5", "type": 3, "name": "Amex", "card": { "number": "378282246310005" } },
            { "id": "i6", "type": 4, "name": "Me", "identity": { "firstName": "A" } },
            { "id": "i7", "type": 1, "name": "empty login", "login": { "uris": [] } }
        ]
    })
}

#[test]
fn logins_notes_and_fields_become_secrets() {
    let mut fx = Fixture::new();
    let bytes = fx.file(
        "bitwarden_export.json",
        &serde_json::to_vec_pretty(&export()).unwrap(),
    );
    assert_eq!(
        coffer_import::detect("bitwarden_export.json", &bytes),
        Some(Format::Bitwarden)
    );
    let batch = read(Format::Bitwarden, &bytes, &ReadOptions::default()).unwrap();
    let names: Vec<_> = batch.items.iter().map(|i| i.secret.name.as_str()).collect();
    assert_eq!(names, ["Grafana-admin", "deploy-bot", "Door-code"]);
    assert_eq!(batch.skipped["card"], 2);
    assert_eq!(batch.skipped["identity"], 1);
    let unreadable: Vec<_> = batch
        .unreadable
        .iter()
        .map(|u| (u.source.as_str(), u.code))
        .collect();
    assert_eq!(unreadable, [("item 7 (empty login)", "no_value")]);

    let preview = fx.vault.preview_import(&batch).unwrap();
    assert_eq!(preview.skipped["card"], 2);
    let report = fx.import(batch);
    assert_eq!(report.created, 3);

    assert_eq!(fx.field("Grafana-admin", "password"), "gräfana-pw");
    let meta = fx.vault.get(&SecretRef::named("Grafana-admin")).unwrap();
    assert_eq!(meta.kind, SecretType::BasicAuth);
    assert_eq!(meta.labels["folder"], "Infra/Prod");
    assert_eq!(meta.labels["collections"], "Ops team");
    assert_eq!(meta.labels["url"], "https://grafana.example");
    assert!(meta.description.contains("rotate monthly"));
    assert!(
        meta.description
            .contains("url: https://grafana-backup.example")
    );

    let bot = fx.vault.get(&SecretRef::named("deploy-bot")).unwrap();
    assert_eq!(bot.kind, SecretType::KeyValue);
    assert_eq!(fx.field("deploy-bot", "api_key"), "ak-123");
    assert_eq!(fx.field("deploy-bot", "totp"), "JBSWY3DPEHPK3PXP");
    assert_eq!(fx.field("deploy-bot", "password"), "bot-pw");
    assert_eq!(fx.field("Door-code", "data"), "4711#");
}

#[test]
fn folders_can_become_projects() {
    let fx = Fixture::new();
    let bytes = serde_json::to_vec(&export()).unwrap();
    let options = ReadOptions {
        groups: GroupsAs::Project,
        ..ReadOptions::default()
    };
    let batch = read(Format::Bitwarden, &bytes, &options).unwrap();
    assert_eq!(batch.items[0].secret.project.as_deref(), Some("Infra/Prod"));
    drop(fx);
}

#[test]
fn encrypted_broken_and_oversize_exports_are_refused() {
    let fx = Fixture::new();
    let before = fx.bytes();
    let code = |bytes: &[u8]| read(Format::Bitwarden, bytes, &ReadOptions::default()).unwrap_err();

    let encrypted = json!({ "encrypted": true, "passwordProtected": true, "data": "2.abc|def" });
    assert_eq!(
        code(&serde_json::to_vec(&encrypted).unwrap()).code(),
        "unsupported_version"
    );

    let text = serde_json::to_string(&export()).unwrap();
    assert_eq!(code(&text.as_bytes()[..text.len() / 2]).code(), "truncated");
    let e = code(br#"{"items": [ {"name": "x", "login": } ]}"#);
    assert_eq!(e.code(), "malformed");
    let e = code(br#"{"items": "hunter2-secret"}"#);
    assert_eq!(e.code(), "malformed");
    assert!(!e.to_string().contains("hunter2"), "{e}");

    // A 1 GB export is refused by its size before it is read.
    let big = fx.dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let size = std::fs::metadata(&big).unwrap().len();
    assert_eq!(
        coffer_import::check_size(size).unwrap_err().code(),
        "too_large"
    );
    let over = vec![b' '; coffer_import::MAX_FILE_BYTES as usize + 1];
    assert_eq!(code(&over).code(), "too_large");

    assert_eq!(fx.bytes(), before);
}
