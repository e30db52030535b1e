//! `.env` files: one secret per variable or one for the file.

use coffer_import::{EnvMode, Format, ReadOptions, read};

use crate::support::Fixture;

const DOTENV: &str = "# app settings\r\nDB_HOST=db.internal\r\nexport DB_PASS=\"p#ss wörd\"\r\nAPI_TOKEN='tok en'\r\n";

#[test]
fn one_secret_per_variable() {
    let mut fx = Fixture::new();
    let bytes = fx.file(".env", DOTENV.as_bytes());
    assert_eq!(coffer_import::detect(".env", &bytes), Some(Format::Env));
    let batch = read(Format::Env, &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(batch.format, "env");
    let names: Vec<_> = batch.items.iter().map(|i| i.secret.name.clone()).collect();
    assert_eq!(names, ["DB_HOST", "DB_PASS", "API_TOKEN"]);
    assert_eq!(batch.items[1].source, "variable DB_PASS");
    let report = fx.import(batch);
    assert_eq!(report.created, 3);
    assert_eq!(fx.field("DB_PASS", "DB_PASS"), "p#ss wörd");
    assert_eq!(fx.field("API_TOKEN", "API_TOKEN"), "tok en");
}

#[test]
fn one_secret_for_the_file() {
    let mut fx = Fixture::new();
    let bytes = fx.file("prod.env", DOTENV.as_bytes());
    let options = ReadOptions {
        env: EnvMode::OneSecret {
            name: "app prod".into(),
        },
        org: Some("Ops".into()),
        ..ReadOptions::default()
    };
    let batch = read(Format::Env, &bytes, &options).unwrap();
    assert_eq!(batch.items.len(), 1);
    let item = &batch.items[0];
    assert_eq!(item.secret.name, "app-prod");
    assert_eq!(item.original_name.as_deref(), Some("app prod"));
    assert!(item.secret.description.contains("app prod"));
    fx.import(batch);
    let secret = coffer_core::secret::SecretRef::Name {
        org: "Ops".into(),
        name: "app-prod".into(),
    };
    let fields = fx.vault.reveal(&secret, None, None).unwrap();
    assert_eq!(fields.len(), 3);
}

#[test]
fn a_bad_line_is_refused_with_its_number_and_no_value() {
    let fx = Fixture::new();
    let bytes = fx.file(".env", b"A=1\nthis-is-hunter2\n");
    let e = read(Format::Env, &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "malformed");
    assert!(e.to_string().contains("line 2"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = read(Format::Env, &[0xff, 0xfe, 0x00], &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "malformed");
}
