//! Every secret type goes into a real vault file and comes back out, field for
//! field, after the vault is closed and opened again from disk.

use std::collections::BTreeMap;

use coffer_core::ErrorCode;
use coffer_core::secret::{NewSecret, SecretBytes, SecretData, SecretRef, SecretType, text_input};
use serde_json::json;

use crate::support::{self, Fixture, expect_code, named, pems, reveal_all};

/// One case: the inputs, and every field reveal must return.
pub struct Case {
    pub name: &'static str,
    pub kind: SecretType,
    pub inputs: Vec<(String, Vec<u8>)>,
    pub expected: BTreeMap<String, Vec<u8>>,
    pub public: serde_json::Value,
}

fn case(
    name: &'static str,
    kind: SecretType,
    inputs: &[(&str, &[u8])],
    extra_expected: &[(&str, &[u8])],
    public: serde_json::Value,
) -> Case {
    let inputs: Vec<(String, Vec<u8>)> = inputs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
        .collect();
    let mut expected: BTreeMap<String, Vec<u8>> = inputs.iter().cloned().collect();
    for (n, v) in extra_expected {
        expected.insert((*n).to_owned(), v.to_vec());
    }
    Case {
        name,
        kind,
        inputs,
        expected,
        public,
    }
}

/// One case per type (two for bearer tokens and data), with every optional field set.
pub fn all_cases() -> Vec<Case> {
    let p = pems();
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    vec![
        case(
            "basic",
            SecretType::BasicAuth,
            &[
                ("username", b"svc-backup"),
                ("password", "pa:ss w\u{f6}rd \u{1f511}".as_bytes()),
            ],
            &[],
            json!({ "username": "svc-backup" }),
        ),
        case(
            "bearer-default",
            SecretType::BearerToken,
            &[("token", b"eyJhbGciOiJIUzI1NiJ9.e30.sig")],
            &[("header_name", b"Authorization")],
            json!({ "header_name": "Authorization" }),
        ),
        case(
            "bearer-custom",
            SecretType::BearerToken,
            &[("header_name", b"X-Auth-Token"), ("token", b"raw-token-1")],
            &[],
            json!({ "header_name": "X-Auth-Token" }),
        ),
        case(
            "api-key",
            SecretType::ApiKey,
            &[("header_name", b"X-Api-Key"), ("value", b"k-1234567890")],
            &[],
            json!({ "header_name": "X-Api-Key" }),
        ),
        case(
            "client-creds",
            SecretType::ClientCredentials,
            &[
                ("client_id", b"coffer-client"),
                ("client_secret", b"s3cr3t/+="),
                ("scopes", b"read write"),
                ("token_url", b"https://idp.example.com/oauth2/token"),
                ("audience", b"https://api.example.com"),
            ],
            &[],
            json!({
                "client_id": "coffer-client",
                "scopes": ["read", "write"],
                "token_url": "https://idp.example.com/oauth2/token",
                "audience": "https://api.example.com",
            }),
        ),
        case(
            "tls-client",
            SecretType::Certificate,
            &[
                ("certificate", p.chain.as_bytes()),
                ("private_key", p.key.as_bytes()),
            ],
            &[],
            serde_json::Value::Null,
        ),
        case(
            "corp-cas",
            SecretType::CaBundle,
            &[("certificates", p.ca_bundle.as_bytes())],
            &[],
            serde_json::Value::Null,
        ),
        case(
            "deploy-key",
            SecretType::SshKeyPair,
            &[
                ("private_key", p.ssh_private.as_bytes()),
                ("public_key", p.ssh_public.as_bytes()),
            ],
            &[],
            serde_json::Value::Null,
        ),
        case(
            "db-env",
            SecretType::KeyValue,
            &[
                ("DB_HOST", b"db.internal"),
                ("DB_PASSWORD", b"hunter2"),
                ("EMPTY", b""),
            ],
            &[],
            json!({ "keys": ["DB_HOST", "DB_PASSWORD", "EMPTY"] }),
        ),
        case(
            "blob",
            SecretType::Data,
            &[
                ("data", &binary),
                ("content_type", b"application/octet-stream"),
                ("file_name", b"blob.bin"),
            ],
            &[],
            json!({ "content_type": "application/octet-stream", "file_name": "blob.bin", "size": 3000 }),
        ),
        case(
            "note",
            SecretType::Data,
            &[("data", "line one\nline two \u{2603}\n".as_bytes())],
            &[("content_type", b"text/plain")],
            json!({ "content_type": "text/plain", "file_name": null, "size": 22 }),
        ),
    ]
}

pub fn new_secret(case: &Case) -> NewSecret {
    let inputs = case
        .inputs
        .iter()
        .map(|(n, v)| (n.clone(), SecretBytes::from(v.clone())))
        .collect();
    NewSecret::from_fields(case.name, case.kind, inputs, &Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

fn check(fx: &mut Fixture, cases: &[Case]) {
    for case in cases {
        let secret = named(case.name);
        let meta = fx.get(&secret).expect("get");
        assert_eq!(meta.kind, case.kind, "{}", case.name);
        assert_eq!(meta.current_version, 1, "{}", case.name);
        if !case.public.is_null() {
            assert_eq!(meta.public_fields, case.public, "{}", case.name);
        }
        let revealed = reveal_all(fx, &secret);
        assert_eq!(
            revealed.keys().collect::<Vec<_>>(),
            case.expected.keys().collect::<Vec<_>>(),
            "{}: field names",
            case.name
        );
        for (field, want) in &case.expected {
            assert!(
                revealed[field] == *want,
                "{}: field {field} differs after the round trip",
                case.name
            );
            let one = fx.reveal(&secret, Some(field), None).expect("reveal one");
            assert_eq!(one.len(), 1);
            assert_eq!(one[0].name, *field);
            assert_eq!(
                one[0].secret,
                case.kind.is_secret_field(field),
                "{}: {field}",
                case.name
            );
            use coffer_core::ExposeSecret;
            assert!(one[0].value.expose_secret() == &want[..]);
        }
    }
}

#[test]
fn every_type_survives_close_and_reopen() {
    let mut fx = Fixture::new();
    let cases = all_cases();
    let covered: std::collections::BTreeSet<SecretType> = cases.iter().map(|c| c.kind).collect();
    assert_eq!(
        covered.len(),
        SecretType::ALL.len(),
        "every type is covered"
    );
    for case in &cases {
        fx.register(new_secret(case))
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    }
    check(&mut fx, &cases);
    fx.reopen();
    check(&mut fx, &cases);
}

#[test]
fn register_many_round_trips_and_is_all_or_nothing() {
    let mut fx = Fixture::new();
    let cases = all_cases();
    let registered = fx
        .register_many(cases.iter().map(new_secret).collect())
        .expect("register_many");
    assert_eq!(registered.len(), cases.len());
    fx.reopen();
    check(&mut fx, &cases);

    // A batch with one bad member (a name clash) stores nothing.
    let batch = vec![
        support::basic("fresh-1", "u", "p"),
        support::basic("basic", "u", "p"),
        support::basic("fresh-2", "u", "p"),
    ];
    expect_code(fx.register_many(batch), ErrorCode::AlreadyExists);
    expect_code(fx.get(&named("fresh-1")), ErrorCode::NotFound);
    expect_code(fx.get(&named("fresh-2")), ErrorCode::NotFound);
    // Two of the same name in one batch clash too.
    let batch = vec![
        support::basic("twin", "u", "p"),
        support::basic("twin", "u", "q"),
    ];
    expect_code(fx.register_many(batch), ErrorCode::AlreadyExists);
    expect_code(fx.get(&named("twin")), ErrorCode::NotFound);
}

#[test]
fn reveal_of_an_unknown_field_names_the_fields_that_exist() {
    let mut fx = Fixture::new();
    fx.register(support::basic("svc", "alice", "pw-1")).unwrap();
    let e = expect_code(
        fx.reveal(&named("svc"), Some("pasword"), None),
        ErrorCode::NotFound,
    );
    let message = e.to_string();
    assert!(
        message.contains("pasword") && message.contains("username, password"),
        "{message}"
    );
}

#[test]
fn main_values_follow_the_design() {
    let cases = all_cases();
    for case in &cases {
        let secret = new_secret(case);
        let main = secret.data.main_value().map(|f| f.name.into_owned());
        let expected = match case.kind {
            SecretType::KeyValue => None,
            kind => kind.main_field().map(str::to_owned),
        };
        assert_eq!(main, expected, "{}", case.name);
    }
    let single = SecretData::from_fields(
        SecretType::KeyValue,
        vec![text_input("ONLY", "v")],
        &Default::default(),
    )
    .unwrap();
    assert_eq!(single.main_value().unwrap().name, "ONLY");
}

#[test]
fn values_by_id_and_by_org_name_are_the_same_secret() {
    let mut fx = Fixture::new();
    let mut new = support::basic("shared-name", "u1", "p1");
    new.org = Some("Ops".into());
    let ops = fx.register(new).unwrap().meta;
    let def = fx
        .register(support::basic("shared-name", "u2", "p2"))
        .unwrap()
        .meta;
    assert_ne!(ops.id, def.id);
    fx.reopen();
    let by_org = reveal_all(&mut fx, &SecretRef::in_org("Ops", "shared-name"));
    let by_id = reveal_all(&mut fx, &ops.reference());
    assert_eq!(by_org, by_id);
    assert_eq!(by_org["password"], b"p1");
    assert_eq!(
        reveal_all(&mut fx, &named("shared-name"))["password"],
        b"p2"
    );
}
