//! The wizard's side of an import, on real readers and a real vault file:
//! what crosses IPC has no values, reader errors keep their codes, choices
//! and the import label reach the vault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use coffer_core::import::OnConflict;
use coffer_core::secret::{SecretRef, SecretType};
use coffer_core::{CreateOptions, ErrorCode, SecretString, SystemClock, Vault};

use super::*;
use crate::dto::FieldInput;

fn vault(dir: &tempfile::TempDir) -> Vault {
    let mut options = CreateOptions::new(SecretString::from("correct horse battery"));
    options.use_keyring = false;
    let (vault, _) =
        Vault::create(&dir.path().join("vault.db"), options, Arc::new(SystemClock)).unwrap();
    vault
}

fn options(format: ImportFormat) -> ImportOptions {
    ImportOptions {
        format,
        password: None,
        key_file: None,
        groups: GroupsAsDto::Labels,
        env: EnvModeDto::PerVariable,
        csv: None,
        org: None,
        project: None,
    }
}

const CSV: &str = "name,username,password,api secret,env\r\ndb,app,pg-Secret-1,sk-xyz,prod\r\ncache,svc,redis-Secret-2,,dev\r\n";

#[test]
fn the_csv_sample_masks_secret_columns_before_it_crosses() {
    let sample = masked_sample(coffer_import::csv_sample(CSV.as_bytes()).unwrap());
    let text = serde_json::to_string(&sample).unwrap();
    for value in ["pg-Secret-1", "redis-Secret-2", "sk-xyz"] {
        assert!(!text.contains(value), "{value} crossed: {text}");
    }
    assert_eq!(
        sample.headers,
        ["name", "username", "password", "api secret", "env"]
    );
    // The password column by its mapping, "api secret" by its name; the others as they are.
    assert_eq!(sample.masked, [false, false, true, true, false]);
    assert_eq!(sample.rows[0][0], "db");
    assert_eq!(sample.rows[0][4], "prod");
    assert_eq!(sample.rows[1][3], "", "an empty cell stays empty");
    assert!(
        sample
            .suggested
            .columns
            .iter()
            .any(|c| c.role == CsvColumnRole::Name)
    );
}

#[test]
fn reader_errors_keep_their_codes() {
    let wide = (0..300)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let error = reader_error(&coffer_import::csv_sample(wide.as_bytes()).unwrap_err());
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(error.detail.as_deref(), Some("too_many_columns"));

    // A KDBX opened with the wrong password: a file that is not one is malformed or truncated.
    let mut read = read_options(&options(ImportFormat::Kdbx), &FileTokens::default()).unwrap();
    read.password = Some(SecretString::from("nope"));
    let error = read_batch(
        ImportFormat::Kdbx,
        b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5",
        &read,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    // (`unsupported_format` while this build has no KDBX reader.)
    assert!(
        matches!(
            error.detail.as_deref(),
            Some("truncated" | "malformed" | "unsupported_format")
        ),
        "{error:?}"
    );
    assert!(!error.message.contains("nope"));
}

#[test]
fn a_mapping_needs_keys_for_fields_and_labels() {
    let mut opts = options(ImportFormat::Csv);
    opts.csv = Some(CsvMappingDto {
        columns: vec![
            CsvColumnDto {
                role: CsvColumnRole::Name,
                key: None,
            },
            CsvColumnDto {
                role: CsvColumnRole::Field,
                key: Some(" ".into()),
            },
        ],
        has_header: true,
        kind: SecretType::BasicAuth,
    });
    let error = read_options(&opts, &FileTokens::default()).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    opts.csv = Some(CsvMappingDto {
        columns: vec![
            CsvColumnDto {
                role: CsvColumnRole::Name,
                key: None,
            },
            CsvColumnDto {
                role: CsvColumnRole::Field,
                key: Some("username".into()),
            },
            CsvColumnDto {
                role: CsvColumnRole::Field,
                key: Some("password".into()),
            },
            CsvColumnDto {
                role: CsvColumnRole::Ignore,
                key: None,
            },
            CsvColumnDto {
                role: CsvColumnRole::Label,
                key: Some("env".into()),
            },
        ],
        has_header: true,
        kind: SecretType::BasicAuth,
    });
    let read = read_options(&opts, &FileTokens::default()).unwrap();
    let mapping = read.csv.unwrap();
    assert_eq!(mapping.columns[4], CsvColumn::Label("env".into()));
    assert_eq!(mapping.columns[1], CsvColumn::Field("username".into()));
}

#[test]
fn a_csv_is_previewed_and_imported_with_its_label_and_choices() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = vault(&dir);
    let mut opts = options(ImportFormat::Csv);
    opts.csv = Some(CsvMappingDto {
        columns: vec![
            CsvColumnDto {
                role: CsvColumnRole::Name,
                key: None,
            },
            CsvColumnDto {
                role: CsvColumnRole::Field,
                key: Some("username".into()),
            },
            CsvColumnDto {
                role: CsvColumnRole::Field,
                key: Some("password".into()),
            },
            CsvColumnDto {
                role: CsvColumnRole::Ignore,
                key: None,
            },
            CsvColumnDto {
                role: CsvColumnRole::Label,
                key: Some("env".into()),
            },
        ],
        has_header: true,
        kind: SecretType::BasicAuth,
    });
    let files = FileTokens::default();
    let read = read_options(&opts, &files).unwrap();
    let batch = read_batch(ImportFormat::Csv, CSV.as_bytes(), &read).unwrap();
    let preview = vault.preview_import(&batch).unwrap();
    assert_eq!(preview.items.len(), 2);
    assert!(
        !serde_json::to_string(&preview)
            .unwrap()
            .contains("pg-Secret-1")
    );

    let input = ImportChoicesInput {
        default: OnConflict::Skip,
        per_item: BTreeMap::new(),
        values: BTreeMap::new(),
        tag: true,
        job_per_item: BTreeMap::new(),
    };
    let mut core = choices(&input, &batch, &files).unwrap();
    let label = tag(&mut core, "2026-12-07T19:00:00Z");
    assert_eq!(label, "import=2026-12-07T19:00:00Z");
    let mut calls = Vec::new();
    let report = vault
        .import(batch, &core, &mut |done, total| calls.push((done, total)))
        .unwrap();
    assert_eq!(report.created, 2);
    assert_eq!(calls.last(), Some(&(2, 2)));
    let db = vault
        .get(&SecretRef::Name {
            org: "Default".into(),
            name: "db".into(),
        })
        .unwrap();
    assert_eq!(
        db.labels.get("import").map(String::as_str),
        Some("2026-12-07T19:00:00Z")
    );
    assert_eq!(db.labels.get("env").map(String::as_str), Some("prod"));
}

#[test]
fn values_given_for_items_become_values_of_their_type() {
    let files = FileTokens::default();
    let read = read_options(&options(ImportFormat::Env), &files).unwrap();
    let batch = read_batch(
        ImportFormat::Env,
        b"API_TOKEN=abc\nDB_URL=postgres://x\n",
        &read,
    )
    .unwrap();
    assert_eq!(batch.items.len(), 2);
    let mut values = BTreeMap::new();
    values.insert(
        1,
        vec![FieldInput {
            name: "DB_URL".into(),
            value: FieldValue::Text {
                text: serde_json::from_str("\"postgres://y\"").unwrap(),
            },
        }],
    );
    let input = ImportChoicesInput {
        default: OnConflict::Rename,
        per_item: BTreeMap::from([(0, OnConflict::NewVersion)]),
        values,
        tag: false,
        job_per_item: BTreeMap::new(),
    };
    let core = choices(&input, &batch, &files).unwrap();
    assert_eq!(core.for_item(0), OnConflict::NewVersion);
    assert_eq!(core.for_item(1), OnConflict::Rename);
    assert_eq!(core.values[&1].kind(), SecretType::KeyValue);

    let mut out_of_range = BTreeMap::new();
    out_of_range.insert(9, Vec::new());
    let bad = ImportChoicesInput {
        default: OnConflict::Skip,
        per_item: BTreeMap::new(),
        values: out_of_range,
        tag: false,
        job_per_item: BTreeMap::new(),
    };
    assert_eq!(
        choices(&bad, &batch, &files).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn a_coffer_export_is_detected_by_its_name() {
    assert_eq!(
        ImportFormat::detect("vault.coffer", b"age-encryption.org/v1\n"),
        Some(ImportFormat::Coffer)
    );
    assert_eq!(
        ImportFormat::detect("prod.env", b"A=1\n"),
        Some(ImportFormat::Env)
    );
    assert_eq!(
        ImportFormat::detect(
            "team.kdbx",
            b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x01\x00\x04\x00"
        ),
        Some(ImportFormat::Kdbx)
    );
}
