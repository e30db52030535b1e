//! CSV: quoting, BOM, CRLF, non-ASCII, header detection, mappings, rows
//! that cannot be imported, and hostile files refused before any write.

use std::time::{Duration, Instant};

use coffer_core::Timestamp;
use coffer_core::secret::SecretType;
use coffer_import::{
    CsvColumn, CsvMapping, Format, MAX_CSV_ROWS, MAX_FILE_BYTES, ReadOptions, csv_sample, read,
};

use crate::support::Fixture;

/// A spreadsheet export: BOM, CRLF, quoted cells with commas, quotes and
/// a line break, non-ASCII names and values.
fn spreadsheet() -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(
        "Title,Username,Password,URL,Notes,Expires\r\n\
         Mail server,alice,\"pa,ss\"\"word\",https://mail.example,\"two\r\nlines\",2027-01-31\r\n\
         Bücher-DB,bob,pässwörd ,,,\r\n\
         ,nobody,orphan-secret,,,\r\n\
         \r\n\
         web,carol,c-pass,,,not a date\r\n"
            .as_bytes(),
    );
    bytes
}

#[test]
fn a_spreadsheet_with_bom_crlf_quotes_and_non_ascii() {
    let mut fx = Fixture::new();
    let bytes = fx.file("logins.csv", &spreadsheet());
    assert_eq!(
        coffer_import::detect("logins.csv", &bytes),
        Some(Format::Csv)
    );

    let sample = csv_sample(&bytes).unwrap();
    assert_eq!(
        sample.headers,
        ["Title", "Username", "Password", "URL", "Notes", "Expires"]
    );
    assert_eq!(sample.columns, 6);
    assert_eq!(sample.rows.len(), 4);
    assert_eq!(sample.rows[0][2], "pa,ss\"word");
    assert_eq!(sample.rows[0][4], "two\r\nlines");
    let suggested = &sample.suggested;
    assert!(suggested.has_header);
    assert_eq!(suggested.kind, SecretType::BasicAuth);
    assert_eq!(
        suggested.columns,
        [
            CsvColumn::Name,
            CsvColumn::Field("username".into()),
            CsvColumn::Field("password".into()),
            CsvColumn::Label("url".into()),
            CsvColumn::Description,
            CsvColumn::Expiry,
        ]
    );

    let batch = read(Format::Csv, &bytes, &ReadOptions::default()).unwrap();
    let names: Vec<_> = batch.items.iter().map(|i| i.secret.name.clone()).collect();
    assert_eq!(names, ["Mail-server", "B-cher-DB"]);
    assert_eq!(batch.items[0].source, "row 2");
    assert_eq!(batch.items[1].original_name.as_deref(), Some("Bücher-DB"));
    let unreadable: Vec<_> = batch
        .unreadable
        .iter()
        .map(|u| (u.source.as_str(), u.code))
        .collect();
    assert_eq!(unreadable, [("row 4", "no_name"), ("row 5", "bad_expiry")]);
    for u in &batch.unreadable {
        assert!(!u.reason.contains("orphan-secret") && !u.reason.contains("c-pass"));
    }

    let report = fx.import(batch);
    assert_eq!(report.created, 2);
    assert_eq!(fx.field("Mail-server", "password"), "pa,ss\"word");
    assert_eq!(fx.field("B-cher-DB", "password"), "pässwörd ");
    let meta = fx
        .vault
        .get(&coffer_core::secret::SecretRef::named("Mail-server"))
        .unwrap();
    assert_eq!(meta.labels["url"], "https://mail.example");
    assert_eq!(meta.description, "two\r\nlines\nOriginal name: Mail server");
    assert_eq!(
        meta.expires_at,
        Some(Timestamp::parse("e", "2027-01-31").unwrap())
    );
}

#[test]
fn rows_without_a_header_take_a_given_mapping() {
    let fx = Fixture::new();
    let bytes = fx.file(
        "keys.csv",
        "stripe;sk_live_1;billing;env=prod;key_value\nsentry;dsn-2;;env=dev;\n".as_bytes(),
    );
    let sample = csv_sample(&bytes).unwrap();
    assert!(!sample.suggested.has_header);
    assert_eq!(
        sample.headers,
        ["column 1", "column 2", "column 3", "column 4", "column 5"]
    );
    assert_eq!(sample.rows.len(), 2);

    let columns = ["name", "field:value", "description", "labels", "type"]
        .iter()
        .map(|c| CsvColumn::parse(c).unwrap())
        .collect();
    let options = ReadOptions {
        csv: Some(CsvMapping {
            columns,
            has_header: false,
            kind: SecretType::KeyValue,
        }),
        ..ReadOptions::default()
    };
    let batch = read(Format::Csv, &bytes, &options).unwrap();
    assert!(batch.unreadable.is_empty(), "{:?}", batch.unreadable);
    assert_eq!(batch.items.len(), 2);
    assert_eq!(batch.items[0].secret.labels["env"], "prod");
    assert_eq!(batch.items[0].secret.description, "billing");
    let preview = fx.vault.preview_import(&batch).unwrap();
    assert_eq!(preview.by_type.get(&SecretType::KeyValue), Some(&2));
}

#[test]
fn a_row_of_another_type_says_what_is_missing() {
    let fx = Fixture::new();
    let bytes = fx.file("typed.csv", b"name,type,value\nk1,api_key,SECRET-VALUE-1\n");
    let options = ReadOptions {
        csv: Some(CsvMapping {
            columns: vec![
                CsvColumn::Name,
                CsvColumn::Type,
                CsvColumn::Field("value".into()),
            ],
            has_header: true,
            kind: SecretType::KeyValue,
        }),
        ..ReadOptions::default()
    };
    let batch = read(Format::Csv, &bytes, &options).unwrap();
    assert_eq!(batch.items.len(), 0);
    assert_eq!(batch.unreadable[0].code, "invalid");
    assert!(
        batch.unreadable[0].reason.contains("header_name"),
        "{:?}",
        batch.unreadable
    );
    assert!(!batch.unreadable[0].reason.contains("SECRET-VALUE-1"));
}

#[test]
fn mappings_that_cannot_work_are_refused() {
    let bytes = b"a,b\nc,d\n";
    let mapping = |columns: Vec<CsvColumn>| ReadOptions {
        csv: Some(CsvMapping {
            columns,
            has_header: false,
            kind: SecretType::KeyValue,
        }),
        ..ReadOptions::default()
    };
    for columns in [
        vec![CsvColumn::Field("v".into()), CsvColumn::Field("w".into())],
        vec![CsvColumn::Name, CsvColumn::Name],
        vec![CsvColumn::Name, CsvColumn::Ignore, CsvColumn::Ignore],
    ] {
        let e = read(Format::Csv, bytes, &mapping(columns)).unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{e}");
    }
    assert_eq!(
        CsvColumn::parse("nope:x").unwrap_err().code(),
        "invalid_input"
    );
}

#[test]
fn hostile_files_are_refused_and_the_vault_is_unchanged() {
    let fx = Fixture::new();
    let before = fx.bytes();

    // A million columns: refused at the first row, quickly.
    let mut wide = String::from("name");
    wide.push_str(&",x".repeat(1_000_000));
    wide.push('\n');
    let bytes = fx.file("wide.csv", wide.as_bytes());
    let started = Instant::now();
    let e = read(Format::Csv, &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "too_many_columns");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(csv_sample(&bytes).unwrap_err().code(), "too_many_columns");

    // Too many rows.
    let mut long = String::from("name,value\n");
    for i in 0..=MAX_CSV_ROWS + 1 {
        long.push_str(&format!("n{i},v\n"));
    }
    let bytes = fx.file("long.csv", long.as_bytes());
    let e = read(Format::Csv, &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "too_many_rows");

    // Over the size limit: refused by its size alone (a sparse file).
    let big = fx.dir.path().join("big.csv");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(1 << 30).unwrap();
    let size = std::fs::metadata(&big).unwrap().len();
    assert_eq!(
        coffer_import::check_size(size).unwrap_err().code(),
        "too_large"
    );
    // And by the readers, for bytes just over the limit.
    let over = vec![b'a'; MAX_FILE_BYTES as usize + 1];
    assert_eq!(
        read(Format::Csv, &over, &ReadOptions::default())
            .unwrap_err()
            .code(),
        "too_large"
    );

    // Not text.
    let e = read(
        Format::Csv,
        &[b'a', 0xff, 0xfe, b'\n'],
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "malformed");

    assert_eq!(fx.bytes(), before);
}
