//! Every validation rule refuses bad input with an `invalid_input` error that
//! names the offending field, at registration and on update.

use std::collections::BTreeMap;

use coffer_core::secret::{
    MetadataChange, NewProtection, NewSecret, SecretBytes, SecretData, SecretType, ValueChange,
    text_input,
};
use coffer_core::{CreateOptions, Error, ErrorCode, KdfParams, SecretString, Settings, Vault};

use crate::support::{
    self, Fixture, T0, basic, expect_code, expect_invalid, inputs, named, secret,
};

fn build(kind: SecretType, pairs: &[(&str, &str)]) -> coffer_core::Result<SecretData> {
    SecretData::from_fields(kind, inputs(pairs), &Default::default())
}

#[test]
fn secret_org_and_project_names() {
    let mut fx = Fixture::new();
    let long = "a".repeat(129);
    for bad in [
        "",
        "with space",
        "caf\u{e9}",
        "a:b",
        "semi;colon",
        "tab\t",
        &long,
    ] {
        expect_invalid(fx.register(basic(bad, "u", "p")), "name");
        let mut new = basic("ok-name", "u", "p");
        new.org = Some(bad.to_owned());
        expect_invalid(fx.register(new), "org");
        let mut new = basic("ok-name", "u", "p");
        new.project = Some(bad.to_owned());
        expect_invalid(fx.register(new), "project");
    }
    fx.register(basic(&"a".repeat(128), "u", "p")).unwrap();
    fx.register(basic("prod/db.password-1_X", "u", "p"))
        .unwrap();
    fx.register(basic("ok-name", "u", "p")).unwrap();
    expect_invalid(fx.move_to_org(&named("ok-name"), "bad org"), "org");
    let change = MetadataChange {
        project: Some(Some("bad project".into())),
        ..Default::default()
    };
    expect_invalid(fx.update_metadata(&named("ok-name"), change), "project");
}

#[test]
fn names_are_unique_per_organization_including_the_trash() {
    let mut fx = Fixture::new();
    fx.register(basic("db", "u", "p")).unwrap();
    let e = expect_code(fx.register(basic("db", "u", "p")), ErrorCode::AlreadyExists);
    assert!(
        matches!(&e, Error::AlreadyExists { name, org, in_trash: false } if name == "db" && org == "Default"),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"db\""), "{e}");

    // The same name in another organization is fine.
    let mut other = basic("db", "u", "p");
    other.org = Some("Ops".into());
    fx.register(other).unwrap();

    // A name held by a secret in the trash is still taken, and the message says so.
    fx.delete(&named("db")).unwrap();
    let e = expect_code(fx.register(basic("db", "u", "p")), ErrorCode::AlreadyExists);
    assert!(
        matches!(e, Error::AlreadyExists { in_trash: true, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("trash"), "{e}");

    // Once purged, the name is free again.
    fx.purge(&named("db")).unwrap();
    fx.register(basic("db", "u", "p")).unwrap();
}

#[test]
fn header_names_and_values() {
    for bad in ["X Api", "X:Api", "X-\u{e9}", "(paren)", "a\"b"] {
        expect_invalid(
            build(SecretType::ApiKey, &[("header_name", bad), ("value", "v")]),
            "header_name",
        );
        expect_invalid(
            build(
                SecretType::BearerToken,
                &[("header_name", bad), ("token", "t")],
            ),
            "header_name",
        );
    }
    expect_invalid(
        build(SecretType::ApiKey, &[("header_name", ""), ("value", "v")]),
        "header_name",
    );
    expect_invalid(build(SecretType::ApiKey, &[("value", "v")]), "header_name");
    let long = "X".repeat(257);
    expect_invalid(
        build(
            SecretType::ApiKey,
            &[("header_name", &long), ("value", "v")],
        ),
        "header_name",
    );
    build(
        SecretType::ApiKey,
        &[("header_name", "X-Api-Key!#$%&'*+.^_`|~"), ("value", "v")],
    )
    .unwrap();
    for bad in ["a\r\nX-Injected: 1", "line\nbreak", "nul\0"] {
        expect_invalid(
            build(
                SecretType::ApiKey,
                &[("header_name", "X-K"), ("value", bad)],
            ),
            "value",
        );
        expect_invalid(build(SecretType::BearerToken, &[("token", bad)]), "token");
    }
}

#[test]
fn token_url_must_be_https_unless_loopback() {
    let creds = |url: &str| {
        build(
            SecretType::ClientCredentials,
            &[
                ("client_id", "c"),
                ("client_secret", "s"),
                ("token_url", url),
            ],
        )
    };
    for ok in [
        "https://idp.example.com/oauth2/token",
        "http://127.0.0.1:8080/token",
        "http://127.1.2.3/token",
        "http://localhost/token",
        "http://LOCALHOST:9000/token",
        "http://[::1]:8443/token",
    ] {
        creds(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "http://idp.example.com/token",
        "http://localhost.evil.example/token",
        "http://127.0.0.1.evil.example/token",
        "http://10.0.0.1/token",
        "ftp://idp.example.com/token",
        "file:///etc/passwd",
        "not a url",
        "https://user:pw@idp.example.com/token",
        "//idp.example.com/token",
    ] {
        expect_invalid(creds(bad), "token_url");
    }
}

#[test]
fn scopes() {
    let creds = |scopes: &str| {
        build(
            SecretType::ClientCredentials,
            &[
                ("client_id", "c"),
                ("client_secret", "s"),
                ("scopes", scopes),
            ],
        )
    };
    for bad in ["read \"write\"", "a\\b", "caf\u{e9}", "x\u{7f}"] {
        expect_invalid(creds(bad), "scopes");
    }
    let ok = creds("read, write  read api:admin").unwrap();
    assert_eq!(
        ok.public_fields()["scopes"],
        serde_json::json!(["read", "write", "api:admin"])
    );
}

#[test]
fn key_value_keys_are_unique_and_not_empty() {
    let kv = |pairs: &[(&str, &str)]| build(SecretType::KeyValue, pairs);
    let e = expect_invalid(kv(&[("DB_HOST", "a"), ("DB_HOST", "b")]), "DB_HOST");
    assert!(e.to_string().contains("more than once"), "{e}");
    expect_invalid(kv(&[("", "a")]), "keys");
    expect_invalid(kv(&[]), "keys");
    for bad in ["a=b", "a b", "a#b", "${x}", "line\nbreak"] {
        expect_invalid(kv(&[(bad, "v")]), "keys");
    }
    expect_invalid(kv(&[(&"k".repeat(257), "v")]), "keys");
    kv(&[("DB_HOST", "a"), ("db_host", "b"), (&"k".repeat(256), "c")]).unwrap();

    // Updates obey the same rules.
    let mut fx = Fixture::new();
    fx.register(secret("env", SecretType::KeyValue, &[("A", "1")]))
        .unwrap();
    let change = ValueChange {
        set: inputs(&[("B", "2"), ("B", "3")]),
        ..Default::default()
    };
    expect_invalid(fx.update_value(&named("env"), change, None), "B");
    let change = ValueChange {
        remove: vec!["A".into()],
        ..Default::default()
    };
    expect_invalid(fx.update_value(&named("env"), change, None), "keys");
    let change = ValueChange {
        remove: vec!["NOPE".into()],
        ..Default::default()
    };
    expect_invalid(fx.update_value(&named("env"), change, None), "NOPE");
}

#[test]
fn values_over_one_mib_and_secrets_over_four_mib() {
    const MIB: usize = 1024 * 1024;
    let bytes = |n: usize| SecretBytes::from(vec![b'x'; n]);
    let field = |name: &str, n: usize| (name.to_owned(), bytes(n));
    let basic_of = |n: usize| {
        SecretData::from_fields(
            SecretType::BasicAuth,
            vec![text_input("username", "u"), field("password", n)],
            &Default::default(),
        )
    };
    basic_of(MIB).unwrap();
    let e = expect_invalid(basic_of(MIB + 1), "password");
    assert!(e.to_string().contains("1 MiB"), "{e}");
    let data_of = |n: usize| {
        SecretData::from_fields(
            SecretType::Data,
            vec![field("data", n)],
            &Default::default(),
        )
    };
    expect_invalid(data_of(MIB + 1), "data");

    let kv_of = |sizes: &[usize]| {
        let inputs = sizes
            .iter()
            .enumerate()
            .map(|(i, n)| field(&format!("K{i}"), *n))
            .collect();
        SecretData::from_fields(SecretType::KeyValue, inputs, &Default::default())
    };
    let e = expect_invalid(kv_of(&[MIB, MIB, MIB, MIB, 1]), "fields");
    assert!(e.to_string().contains("4 MiB"), "{e}");
    // Exactly 4 MiB is accepted and stored.
    let mut fx = Fixture::new();
    let four = kv_of(&[MIB, MIB, MIB, MIB]).unwrap();
    fx.register(NewSecret::new("four-mib", four)).unwrap();
    fx.reopen();
    let revealed = support::reveal_all(&mut fx, &named("four-mib"));
    assert_eq!(revealed.values().map(Vec::len).sum::<usize>(), 4 * MIB);
    // Growing it past 4 MiB by an update is refused.
    let change = ValueChange {
        set: vec![field("K4", 1)],
        ..Default::default()
    };
    expect_invalid(fx.update_value(&named("four-mib"), change, None), "fields");
}

#[test]
fn expiry_in_the_past_needs_allow_past_expiry() {
    let mut fx = Fixture::new();
    for at in [T0.plus_days(-1), T0] {
        let mut new = basic("old", "u", "p");
        new.expires_at = Some(at);
        let e = expect_invalid(fx.register(new), "expires");
        assert!(e.to_string().contains("past"), "{e}");
    }
    let mut new = basic("old", "u", "p");
    new.expires_at = Some(T0.plus_days(-1));
    new.allow_past_expiry = true;
    let meta = fx.register(new).unwrap().meta;
    assert_eq!(meta.status, coffer_core::secret::SecretStatus::Expired);

    let mut new = basic("fresh", "u", "p");
    new.expires_at = Some(T0.plus_seconds(1));
    fx.register(new).unwrap();
    let change = MetadataChange {
        expires_at: Some(Some(T0.plus_days(-3))),
        ..Default::default()
    };
    expect_invalid(
        fx.update_metadata(&named("fresh"), change.clone()),
        "expires",
    );
    let change = MetadataChange {
        allow_past_expiry: true,
        ..change
    };
    let meta = fx.update_metadata(&named("fresh"), change).unwrap();
    assert_eq!(meta.expires_at, Some(T0.plus_days(-3)));
}

#[test]
fn unknown_and_missing_fields() {
    let e = expect_invalid(
        build(SecretType::BasicAuth, &[("username", "u"), ("passwd", "p")]),
        "passwd",
    );
    assert!(e.to_string().contains("username, password"), "{e}");
    expect_invalid(
        build(SecretType::BasicAuth, &[("username", "u")]),
        "password",
    );
    expect_invalid(
        build(SecretType::BasicAuth, &[("password", "p")]),
        "username",
    );
    expect_invalid(
        build(
            SecretType::BasicAuth,
            &[("username", "  "), ("password", "p")],
        ),
        "username",
    );
    expect_invalid(
        build(
            SecretType::BasicAuth,
            &[("username", "u"), ("password", "")],
        ),
        "password",
    );
    expect_invalid(
        build(SecretType::Data, &[("token", "t"), ("data", "d")]),
        "token",
    );
    expect_invalid(build(SecretType::Data, &[]), "data");
    // Given twice.
    expect_invalid(
        build(
            SecretType::BasicAuth,
            &[("username", "u"), ("password", "a"), ("password", "b")],
        ),
        "password",
    );
    // Unknown field on update.
    let mut fx = Fixture::new();
    fx.register(basic("svc", "u", "p")).unwrap();
    let change = ValueChange {
        set: inputs(&[("pass", "x")]),
        ..Default::default()
    };
    expect_invalid(fx.update_value(&named("svc"), change, None), "pass");
}

#[test]
fn text_encoding_pem_media_type_and_public_text() {
    let non_utf8 = SecretData::from_fields(
        SecretType::BasicAuth,
        vec![
            text_input("username", "u"),
            ("password".to_owned(), SecretBytes::from(vec![0xff, 0xfe])),
        ],
        &Default::default(),
    );
    expect_invalid(non_utf8, "password");
    expect_invalid(
        build(
            SecretType::BasicAuth,
            &[("username", "a\u{7}b"), ("password", "p")],
        ),
        "username",
    );
    expect_invalid(
        build(
            SecretType::BasicAuth,
            &[("username", &"u".repeat(1025)), ("password", "p")],
        ),
        "username",
    );
    expect_invalid(
        build(SecretType::Certificate, &[("certificate", "not a pem")]),
        "certificate",
    );
    let pems = support::pems();
    expect_invalid(
        build(
            SecretType::Certificate,
            &[("certificate", &pems.chain), ("private_key", "garbage")],
        ),
        "private_key",
    );
    expect_invalid(
        build(SecretType::CaBundle, &[("certificates", &pems.key)]),
        "certificates",
    );
    expect_invalid(
        build(
            SecretType::SshKeyPair,
            &[("private_key", "ssh-ed25519 AAAA")],
        ),
        "private_key",
    );
    for bad in ["text", "text/ plain", "a b/c"] {
        expect_invalid(
            build(SecretType::Data, &[("data", "d"), ("content_type", bad)]),
            "content_type",
        );
    }
}

#[test]
fn description_labels_and_store_password() {
    let mut fx = Fixture::new();
    let mut new = basic("svc", "u", "p");
    new.description = "d".repeat(4097);
    expect_invalid(fx.register(new), "description");

    let mut labels = BTreeMap::new();
    labels.insert("bad key".to_owned(), "v".to_owned());
    let mut new = basic("svc", "u", "p");
    new.labels = labels;
    expect_invalid(fx.register(new), "label \"bad key\"");

    let mut labels = BTreeMap::new();
    labels.insert("env".to_owned(), "line\nbreak".to_owned());
    let mut new = basic("svc", "u", "p");
    new.labels = labels;
    expect_invalid(fx.register(new), "label \"env\"");

    let labels: BTreeMap<String, String> =
        (0..65).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    let mut new = basic("svc", "u", "p");
    new.labels = labels;
    expect_invalid(fx.register(new), "labels");

    let mut new = basic("svc", "u", "p");
    new.protection = NewProtection::Password(SecretString::from(""));
    expect_invalid(fx.register(new), "store_password");

    // Nothing above was stored.
    assert_eq!(fx.list(&Default::default()).unwrap().total, 0);
}

#[test]
fn vault_creation_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(coffer_core::FixedClock::new(T0));
    let mut options = CreateOptions::new(SecretString::from("short"));
    options.use_keyring = false;
    expect_invalid(
        Vault::create(&dir.path().join("a.db"), options, clock.clone()),
        "passphrase",
    );
    // Weaker Argon2id parameters than the floor are refused, never used.
    for weak in [
        KdfParams {
            memory_kib: 32 * 1024,
            ..KdfParams::MINIMUM
        },
        KdfParams {
            iterations: 2,
            ..KdfParams::MINIMUM
        },
    ] {
        let mut options = CreateOptions::new(support::passphrase());
        options.use_keyring = false;
        options.kdf = weak;
        expect_invalid(
            Vault::create(&dir.path().join("b.db"), options, clock.clone()),
            "kdf",
        );
    }
    assert!(!dir.path().join("a.db").exists() && !dir.path().join("b.db").exists());

    let mut fx = Fixture::new();
    let base = Settings::default();
    for (settings, field) in [
        (
            Settings {
                keep_versions: 0,
                ..base.clone()
            },
            "keep_versions",
        ),
        (
            Settings {
                trash_retention_days: 0,
                ..base.clone()
            },
            "trash_retention_days",
        ),
        (
            Settings {
                clipboard_clear_seconds: 1,
                ..base.clone()
            },
            "clipboard_clear_seconds",
        ),
        (
            Settings {
                notify_days_before: vec![400],
                ..base.clone()
            },
            "notify_days_before",
        ),
        (
            Settings {
                idle_lock_minutes: 2000,
                ..base.clone()
            },
            "idle_lock_minutes",
        ),
    ] {
        expect_invalid(fx.update_settings(settings), field);
    }
    assert_eq!(fx.settings(), &base);
}
