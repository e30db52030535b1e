//! Canary values in every secret field of every type, in store passwords and
//! in the recovery passphrase must never show up in the vault file, its WAL,
//! any clear column, the audit log, error messages or `Debug` output.

use coffer_core::secret::{
    Intake, NewProtection, NewSecret, SecretBytes, SecretData, SecretQuery, SecretRef, SecretType,
    ValueChange, text_input,
};
use coffer_core::{CreateOptions, ExposeSecret, SecretString};

use crate::support::{Fixture, Rng, basic, contains, named, passphrase, pems, raw};

/// Collects everything that must not contain a canary.
#[derive(Default)]
struct Exposed {
    texts: Vec<(String, String)>,
}

impl Exposed {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.texts.push((what.into(), text.into()));
    }

    fn debug(&mut self, what: &str, value: &impl std::fmt::Debug) {
        self.add(format!("Debug of {what}"), format!("{value:?}"));
        self.add(format!("pretty Debug of {what}"), format!("{value:#?}"));
    }

    fn error<T>(&mut self, what: &str, result: coffer_core::Result<T>) {
        match result {
            Ok(_) => panic!("{what}: expected an error"),
            Err(e) => {
                self.add(format!("error of {what}"), e.to_string());
                self.add(format!("Debug of the error of {what}"), format!("{e:?}"));
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    self.add(format!("source of the error of {what}"), s.to_string());
                    source = s.source();
                }
            }
        }
    }
}

/// The middle base64 line of a PEM: random key or certificate material that
/// only ever belongs inside the payload.
fn pem_body_line(pem: &str) -> String {
    let lines: Vec<&str> = pem
        .lines()
        .filter(|l| l.len() >= 40 && !l.starts_with("-----"))
        .collect();
    assert!(!lines.is_empty(), "a PEM with base64 lines: {pem}");
    lines[lines.len() / 2].to_owned()
}

#[test]
fn canaries_never_leak() {
    let mut rng = Rng::seeded("canary");
    let canary = format!("CANARY-{}", rng.hex(12));
    let c = |n: u32| format!("{canary}-{n}");
    let store_password = c(90);
    let p = pems();
    let mut canaries: Vec<String> = (1..=12).map(c).collect();
    canaries.push(store_password.clone());
    canaries.push(crate::support::PASSPHRASE.to_owned());
    for pem in [&p.chain, &p.key, &p.ca_bundle, &p.ssh_private] {
        canaries.push(pem_body_line(pem));
    }

    let mut exposed = Exposed::default();
    let mut fx = Fixture::new();
    let mut binary = vec![0u8, 0xff, 0x10];
    binary.extend(c(10).as_bytes());
    binary.push(0);
    let build = |kind: SecretType, pairs: Vec<(&str, Vec<u8>)>| {
        let inputs = pairs
            .into_iter()
            .map(|(n, v)| (n.to_owned(), SecretBytes::from(v)))
            .collect();
        SecretData::from_fields(kind, inputs, &Intake::default()).unwrap()
    };
    let b = |s: &str| s.as_bytes().to_vec();
    let values: Vec<(&str, SecretData)> = vec![
        (
            "basic",
            build(
                SecretType::BasicAuth,
                vec![("username", b("u")), ("password", b(&c(1)))],
            ),
        ),
        (
            "bearer",
            build(SecretType::BearerToken, vec![("token", b(&c(2)))]),
        ),
        (
            "api",
            build(
                SecretType::ApiKey,
                vec![("header_name", b("X-K")), ("value", b(&c(3)))],
            ),
        ),
        (
            "oauth",
            build(
                SecretType::ClientCredentials,
                vec![
                    ("client_id", b("id")),
                    ("client_secret", b(&c(4))),
                    ("token_url", b("https://idp.example.com/token")),
                ],
            ),
        ),
        (
            "cert",
            build(
                SecretType::Certificate,
                vec![("certificate", b(&p.chain)), ("private_key", b(&p.key))],
            ),
        ),
        (
            "cas",
            build(
                SecretType::CaBundle,
                vec![("certificates", b(&p.ca_bundle))],
            ),
        ),
        (
            "ssh",
            build(
                SecretType::SshKeyPair,
                vec![
                    ("private_key", b(&p.ssh_private)),
                    ("public_key", b(&p.ssh_public)),
                ],
            ),
        ),
        (
            "kv",
            build(
                SecretType::KeyValue,
                vec![("K1", b(&c(5))), ("K2", b(&c(6)))],
            ),
        ),
        (
            "text",
            build(SecretType::Data, vec![("data", b(&format!("x{}y", c(7))))]),
        ),
        (
            "bin",
            build(
                SecretType::Data,
                vec![("data", binary.clone()), ("file_name", b("b.bin"))],
            ),
        ),
    ];
    for (name, data) in values {
        exposed.debug(&format!("SecretData {name}"), &data);
        for field in data.fields() {
            exposed.debug(&format!("FieldRef {name}"), &field);
        }
        let new = NewSecret::new(name, data);
        exposed.debug(&format!("NewSecret {name}"), &new);
        let registered = fx.register(new).unwrap();
        exposed.debug(&format!("Registered {name}"), &registered);
    }
    let mut boxed = basic("boxed", "u", &c(8));
    boxed.protection = NewProtection::Password(SecretString::from(store_password.clone()));
    exposed.debug("NewSecret with a store password", &boxed);
    fx.register(boxed).unwrap();
    let mut generated = basic("generated", "u", &c(11));
    generated.protection = NewProtection::GeneratePassword;
    let registered = fx.register(generated).unwrap();
    let generated_password = registered
        .generated_password
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_owned();
    canaries.push(generated_password.clone());
    exposed.debug("Registered with a generated password", &registered);
    let mut wo = basic("write-only", "u", &c(9));
    wo.write_only = true;
    fx.register(wo).unwrap();

    // Reading it all back, as a user and as a job would.
    let names = [
        "basic", "bearer", "api", "oauth", "cert", "cas", "ssh", "kv", "text", "bin",
    ];
    for name in names {
        let fields = fx.reveal(&named(name), None, None).unwrap();
        exposed.debug(&format!("RevealedField {name}"), &fields);
        let used = fx.use_secret(&named(name), None, "canary", None).unwrap();
        exposed.debug(&format!("SecretUse {name}"), &used);
        exposed.debug(
            &format!("versions {name}"),
            &fx.versions(&named(name)).unwrap(),
        );
    }
    let sp = SecretString::from(store_password.clone());
    exposed.debug(
        "RevealedField boxed",
        &fx.reveal(&named("boxed"), None, Some(&sp)).unwrap(),
    );
    let gp = SecretString::from(generated_password.clone());
    exposed.debug(
        "RevealedField generated",
        &fx.reveal(&named("generated"), None, Some(&gp)).unwrap(),
    );
    exposed.debug(
        "SecretUse write-only",
        &fx.use_secret(&named("write-only"), None, "job", None)
            .unwrap(),
    );

    // A run whose log and error still carry values (a redaction miss): they
    // are sealed like values, so no clear column and no page holds them.
    let job = coffer_core::job::NewJob::new(
        "canary-job",
        coffer_core::job::JobSpec::Command(coffer_core::job::CommandSpec {
            program: "/bin/true".into(),
            args: Vec::new(),
            env: Default::default(),
            working_dir: None,
            timeout_seconds: None,
        }),
    );
    fx.create_job(job).unwrap();
    let job = coffer_core::job::JobRef::named("canary-job");
    let run = fx
        .start_run(&job, coffer_core::job::RunTrigger::Manual)
        .unwrap()
        .run;
    fx.finish_run(
        run,
        coffer_core::job::RunOutcome {
            status: coffer_core::job::RunStatus::Failed,
            log: format!("leaked {}", c(40)),
            error: Some(format!("failed with {}", c(41))),
            result: serde_json::json!({}),
            state: None,
            references: None,
        },
    )
    .unwrap();
    assert!(fx.job_runs(&job, 1).unwrap()[0].log.contains(&c(40)));

    // New values, a restore, and failing operations that carry canaries.
    let change = ValueChange {
        set: vec![text_input("password", &c(12))],
        intake: Intake {
            key_password: Some(SecretString::from(c(12))),
            allow_key_mismatch: false,
            now: None,
        },
        ..Default::default()
    };
    exposed.debug("ValueChange", &change);
    fx.update_value(&named("basic"), change, None).unwrap();
    fx.restore_version(&named("basic"), 1, None).unwrap();
    let bad = |field: &str, value: Vec<u8>| ValueChange {
        set: vec![(field.to_owned(), SecretBytes::from(value))],
        ..Default::default()
    };
    exposed.error(
        "a token with a line break",
        fx.update_value(
            &named("bearer"),
            bad("token", b(&format!("{}\nX: y", c(2)))),
            None,
        ),
    );
    exposed.error(
        "an API key with a NUL",
        fx.update_value(&named("api"), bad("value", b(&format!("{}\0", c(3)))), None),
    );
    let mut huge = c(1).into_bytes();
    huge.resize(1024 * 1024 + 1, b'x');
    exposed.error(
        "a password over 1 MiB",
        fx.update_value(&named("basic"), bad("password", huge), None),
    );
    let mut not_utf8 = c(1).into_bytes();
    not_utf8.push(0xff);
    exposed.error(
        "a password that is not UTF-8",
        fx.update_value(&named("basic"), bad("password", not_utf8), None),
    );
    exposed.error(
        "a certificate that is not PEM",
        fx.update_value(&named("cert"), bad("certificate", b(&c(4))), None),
    );
    exposed.error(
        "an unknown field",
        fx.update_value(&named("basic"), bad("passwd", b(&c(1))), None),
    );
    exposed.error("a name clash", fx.register(basic("basic", "u", &c(1))));
    exposed.error(
        "an unknown field revealed",
        fx.reveal(&named("kv"), Some("K3"), None),
    );
    exposed.error(
        "revealing a write-only secret",
        fx.reveal(&named("write-only"), None, None),
    );
    exposed.error(
        "a wrong store password",
        fx.reveal(&named("boxed"), None, Some(&SecretString::from(c(1)))),
    );
    exposed.error(
        "a missing store password",
        fx.use_secret(&named("boxed"), None, "job", None),
    );
    exposed.error(
        "an empty new store password",
        fx.change_store_password(&named("boxed"), &sp, &SecretString::from("")),
    );
    fx.deactivate(&named("kv")).unwrap();
    exposed.error(
        "using a deactivated secret",
        fx.use_secret(&named("kv"), None, "job", None),
    );
    exposed.error(
        "a wrong recovery passphrase",
        fx.rotate_master_key(&SecretString::from(c(1))),
    );
    let options = CreateOptions::new(passphrase());
    exposed.debug("CreateOptions", &options);
    exposed.debug(
        "Intake",
        &Intake {
            key_password: Some(SecretString::from(c(4))),
            allow_key_mismatch: true,
            now: None,
        },
    );

    // Everything a front end lists or shows.
    let page = fx
        .list(&SecretQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    exposed.debug("SecretPage", &page);
    exposed.add("SecretPage as JSON", serde_json::to_string(&page).unwrap());
    for name in names {
        let meta = fx.get(&named(name)).unwrap();
        exposed.add("SecretMeta as JSON", serde_json::to_string(&meta).unwrap());
        let versions = fx.versions(&named(name)).unwrap();
        exposed.add(
            "versions as JSON",
            serde_json::to_string(&versions).unwrap(),
        );
    }
    let audit = fx.audit_entries(None, 10_000).unwrap();
    exposed.debug("audit entries", &audit);
    exposed.add(
        "audit entries as JSON",
        serde_json::to_string(&audit).unwrap(),
    );
    exposed.debug("VaultStatus", &fx.status().unwrap());
    exposed.debug("Vault", &*fx);
    exposed.debug("organizations", &fx.organizations().unwrap());
    let search = fx
        .list(&SecretQuery {
            text: Some(c(1)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(search.total, 0, "values are not searchable");

    // Tampering errors name the secret, never its value.
    let ref_basic = SecretRef::named("basic");
    {
        let db = raw(&fx.path);
        db.execute(
            "UPDATE secret_versions SET payload = substr(payload, 2)
             WHERE secret_id = (SELECT id FROM secrets WHERE name = 'oauth')",
            [],
        )
        .unwrap();
    }
    exposed.error("a tampered payload", fx.reveal(&named("oauth"), None, None));
    fx.reveal(&ref_basic, None, None).unwrap();

    // Every clear column of every table, while the vault is open.
    let mut columns = Vec::new();
    {
        let db = raw(&fx.path);
        let tables: Vec<String> = db
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let n = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..n {
                    let bytes = match row.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            t.to_vec()
                        }
                        _ => continue,
                    };
                    columns.push((format!("{table} column {i}"), bytes));
                }
            }
        }
    }
    assert!(columns.len() > 100, "{} cells scanned", columns.len());
    let mut wal_path = fx.path.as_os_str().to_owned();
    wal_path.push("-wal");
    let wal = std::fs::read(&wal_path).expect("the open vault has a WAL");
    assert!(!wal.is_empty());
    let open_file = std::fs::read(&fx.path).unwrap();
    fx.close();
    let closed_file = std::fs::read(&fx.path).unwrap();

    // Positive controls: the scans do find what is stored in clear.
    assert!(contains(&closed_file, b"write-only") && contains(&closed_file, b"X-K"));
    assert!(
        columns
            .iter()
            .any(|(_, b)| contains(b, b"https://idp.example.com/token"))
    );
    let mut checked = 0;
    for canary in &canaries {
        let needle = canary.as_bytes();
        for (what, text) in &exposed.texts {
            assert!(
                !text.contains(canary.as_str()),
                "{what} contains a canary: {text}"
            );
            checked += 1;
        }
        for (what, bytes) in &columns {
            assert!(!contains(bytes, needle), "{what} contains a canary");
        }
        for (what, bytes) in [
            ("the WAL", &wal),
            ("the file while open", &open_file),
            ("the file after close", &closed_file),
        ] {
            assert!(
                !contains(bytes, needle),
                "{what} contains canary {canary:?}"
            );
        }
    }
    // The binary value's canary, as bytes.
    assert!(!contains(&closed_file, &binary) && !contains(&wal, &binary));
    println!(
        "{} canaries checked against {} texts, {} cells, {} + {} bytes of file and WAL",
        canaries.len(),
        exposed.texts.len(),
        columns.len(),
        closed_file.len(),
        wal.len()
    );
    assert!(checked > 0);
}
