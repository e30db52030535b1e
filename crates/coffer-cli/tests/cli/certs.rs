//! Certificates, CA bundles and SSH keys through the CLI: `cert inspect`,
//! registration from PEM and PKCS#12, key checks, SSH generation.

use crate::fixtures::{pki, sha256_of, tool};
use crate::support::Env;

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn cert_inspect_prints_the_documented_json() {
    let env = Env::empty();
    let pki = pki(env.dir.path(), 90);
    let run = env
        .run(&[
            "--json",
            "cert",
            "inspect",
            p(&pki.chain),
            "--key",
            p(&pki.key),
        ])
        .ok();
    let report = run.json();
    let certs = report["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["subject_cn"], "api.example.test", "leaf first");
    assert_eq!(certs[1]["subject_cn"], "Test Root CA");
    assert_eq!(certs[0]["sha256"], sha256_of(&pki.leaf));
    assert_eq!(certs[1]["sha256"], sha256_of(&pki.ca));
    assert_eq!(
        certs[0]["san"],
        serde_json::json!(["DNS:api.example.test", "IP:127.0.0.1"])
    );
    assert_eq!(certs[0]["key_algorithm"], "ec");
    assert_eq!(certs[0]["key_bits"], 256);
    assert_eq!(certs[0]["is_ca"], false);
    assert_eq!(certs[1]["is_ca"], true);
    let not_after = certs[0]["not_after"].as_str().unwrap();
    assert!(
        not_after.ends_with('Z') && not_after.len() == 20,
        "{not_after}"
    );
    assert_eq!(report["key_matches_leaf"], true);
    assert_eq!(report["private_key"]["algorithm"], "ec");
    assert_eq!(report["earliest_expiry"], certs[0]["not_after"]);
    assert!(report["ssh"].is_null());
    let human = env
        .run(&["cert", "inspect", p(&pki.chain), "--key", p(&pki.key)])
        .ok()
        .stdout;
    assert!(
        human.contains("Certificate 1 (leaf): api.example.test")
            && human.contains("matches the leaf"),
        "{human}"
    );
}

#[test]
fn cert_inspect_errors_have_codes_and_exit_codes() {
    let env = Env::empty();
    let pki = pki(env.dir.path(), 90);
    let cases: Vec<(std::path::PathBuf, i32, &str)> = vec![
        (env.file("empty.pem", ""), 2, "empty"),
        (
            env.file("junk.bin", "this is not a certificate at all"),
            2,
            "unrecognized_format",
        ),
        (
            env.file(
                "broken.pem",
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
            ),
            2,
            "malformed_pem",
        ),
    ];
    for (file, exit, code) in cases {
        let run = env
            .run(&["--json", "cert", "inspect", p(&file)])
            .fails(exit);
        assert_eq!(run.error_json()["error"]["code"], code, "{}", run.stderr);
    }
    tool(
        "openssl",
        &[
            "pkcs8",
            "-topk8",
            "-in",
            p(&pki.key),
            "-out",
            "enc.key",
            "-passout",
            "pass:key-pass",
            "-v2",
            "aes-256-cbc",
        ],
        env.dir.path(),
    );
    let enc = env.path("enc.key");
    let run = env.run(&["--json", "cert", "inspect", p(&enc)]).fails(4);
    assert_eq!(run.error_json()["error"]["code"], "password_required");
    let wrong = env.file("wrong", "nope\n");
    let run = env
        .run(&[
            "--json",
            "cert",
            "inspect",
            p(&enc),
            "--password-file",
            p(&wrong),
        ])
        .fails(4);
    assert_eq!(run.error_json()["error"]["code"], "wrong_password");
    assert!(!run.stderr.contains("nope"));
    let right = env.file("right", "key-pass\n");
    let ok = env
        .run(&[
            "--json",
            "cert",
            "inspect",
            p(&enc),
            "--password-file",
            p(&right),
        ])
        .ok()
        .json();
    assert_eq!(ok["private_key"]["encrypted"], true);
}

#[test]
fn a_certificate_takes_its_expiry_from_the_leaf_and_stores_the_key_decrypted() {
    let env = Env::new();
    let pki = pki(env.dir.path(), 20);
    tool(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-in",
            p(&pki.leaf),
            "-inkey",
            p(&pki.key),
            "-certfile",
            p(&pki.ca),
            "-out",
            "bundle.p12",
            "-passout",
            "pass:p12-pass",
        ],
        env.dir.path(),
    );
    let p12 = env.path("bundle.p12");
    let pw = env.file("p12pw", "p12-pass\n");
    let run = env
        .run(&[
            "secret",
            "add",
            "certificate",
            "mtls/client",
            "--file",
            &format!("certificate={}", p(&p12)),
        ])
        .fails(4);
    assert!(run.stderr.contains("password"), "{}", run.stderr);
    env.run(&[
        "secret",
        "add",
        "certificate",
        "mtls/client",
        "--file",
        &format!("certificate={}", p(&p12)),
        "--key-password-file",
        p(&pw),
    ])
    .ok();
    let shown = env
        .run(&["--json", "secret", "show", "mtls/client"])
        .ok()
        .json();
    let leaf_expiry = shown["public_fields"]["certificates"][0]["not_after"].clone();
    assert_eq!(
        shown["expires_at"], leaf_expiry,
        "expiry filled from the leaf"
    );
    assert_eq!(shown["public_fields"]["key_matches_leaf"], true);
    let listed = env.run(&["secret", "list"]).ok().stdout;
    assert!(
        listed.contains("expiring in 19 days") || listed.contains("expiring in 20 days"),
        "{listed}"
    );
    // The stored key is plain PKCS#8 that openssl reads without a password.
    let key = env
        .run(&["secret", "reveal", "mtls/client", "--field", "private_key"])
        .ok()
        .stdout;
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
    let stored = env.file("stored.key", &key);
    let a = tool(
        "openssl",
        &["pkey", "-in", p(&stored), "-pubout"],
        env.dir.path(),
    );
    let b = tool(
        "openssl",
        &["pkey", "-in", p(&pki.key), "-pubout"],
        env.dir.path(),
    );
    assert_eq!(a, b);
    let chain = env.run(&["secret", "reveal", "mtls/client"]).ok().stdout;
    assert_eq!(
        chain.matches("BEGIN CERTIFICATE").count(),
        2,
        "chain stored leaf first: {chain}"
    );
}

#[test]
fn a_key_that_does_not_match_is_refused_unless_allowed() {
    let env = Env::new();
    let pki = pki(env.dir.path(), 90);
    let args = |extra: &[&str]| {
        let mut a = vec![
            "secret".to_owned(),
            "add".into(),
            "certificate".into(),
            "c".into(),
            "--file".into(),
            format!("certificate={}", p(&pki.leaf)),
            "--file".into(),
            format!("private_key={}", p(&pki.other_key)),
        ];
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let refused = args(&[]);
    let run = env
        .run(&refused.iter().map(String::as_str).collect::<Vec<_>>())
        .fails(2);
    assert!(
        run.stderr.contains("private_key") && run.stderr.contains("does not match"),
        "{}",
        run.stderr
    );
    let allowed = args(&["--allow-key-mismatch"]);
    env.run(&allowed.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    let shown = env.run(&["--json", "secret", "show", "c"]).ok().json();
    assert_eq!(shown["public_fields"]["key_matches_leaf"], false);
    let garbage = env.file(
        "garbage.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    let run = env
        .run(&[
            "secret",
            "add",
            "certificate",
            "g",
            "--file",
            &format!("certificate={}", p(&garbage)),
        ])
        .fails(2);
    assert!(
        run.stderr.starts_with("coffer: certificate:"),
        "{}",
        run.stderr
    );
}

#[test]
fn ca_bundles_keep_every_ca() {
    let env = Env::new();
    let one = pki(&env.path(""), 90);
    let other_dir = env.path("other");
    std::fs::create_dir(&other_dir).unwrap();
    let two = pki(&other_dir, 90);
    let bundle = [
        std::fs::read(&one.ca).unwrap(),
        std::fs::read(&two.ca).unwrap(),
    ]
    .concat();
    let file = env.file("bundle.pem", bundle);
    env.run(&[
        "secret",
        "add",
        "ca_bundle",
        "corp/cas",
        "--file",
        &format!("certificates={}", p(&file)),
    ])
    .ok();
    let shown = env
        .run(&["--json", "secret", "show", "corp/cas"])
        .ok()
        .json();
    let cas = shown["public_fields"]["certificates"].as_array().unwrap();
    assert_eq!(cas.len(), 2);
    assert_eq!(cas[0]["sha256"], sha256_of(&one.ca));
    assert_eq!(cas[1]["sha256"], sha256_of(&two.ca));
}

#[test]
fn ssh_keys_generate_upload_and_give_their_public_key() {
    let env = Env::new();
    let public = env
        .run(&["secret", "generate-ssh", "deploy/key"])
        .ok()
        .stdout;
    assert!(
        public.starts_with("ssh-ed25519 ") && public.trim_end().ends_with("coffer:deploy/key"),
        "{public}"
    );
    assert_eq!(
        env.run(&["secret", "public-key", "deploy/key"]).ok().stdout,
        public
    );
    let private = env.run(&["secret", "reveal", "deploy/key"]).ok().stdout;
    let key_file = env.file("id", &private);
    std::fs::set_permissions(&key_file, perms_600()).unwrap();
    let derived = tool("ssh-keygen", &["-y", "-f", p(&key_file)], env.dir.path());
    assert_eq!(
        derived.split_whitespace().take(2).collect::<Vec<_>>(),
        public.split_whitespace().take(2).collect::<Vec<_>>()
    );
    let rsa = env
        .run(&[
            "--json",
            "secret",
            "generate-ssh",
            "deploy/rsa",
            "--algorithm",
            "rsa",
            "--bits",
            "4096",
        ])
        .ok()
        .json();
    assert!(rsa["public_key"].as_str().unwrap().starts_with("ssh-rsa "));
    assert_eq!(rsa["secret"]["public_fields"]["bits"], 4096);
    env.run(&[
        "secret",
        "generate-ssh",
        "x",
        "--algorithm",
        "rsa",
        "--bits",
        "1024",
    ])
    .fails(2);

    // Upload an encrypted key with its passphrase; the passphrase is not kept.
    tool(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ecdsa",
            "-b",
            "256",
            "-N",
            "ssh-pass",
            "-C",
            "ops@example",
            "-f",
            "up",
        ],
        env.dir.path(),
    );
    let pass = env.file("sshpass", "ssh-pass\n");
    let fingerprint = tool("ssh-keygen", &["-lf", "up.pub"], env.dir.path());
    env.run(&[
        "secret",
        "add",
        "ssh_key_pair",
        "ops/key",
        "--file",
        &format!("private_key={}", p(&env.path("up"))),
    ])
    .fails(4);
    env.run(&[
        "secret",
        "add",
        "ssh_key_pair",
        "ops/key",
        "--file",
        &format!("private_key={}", p(&env.path("up"))),
        "--key-password-file",
        p(&pass),
    ])
    .ok();
    let shown = env
        .run(&["--json", "secret", "show", "ops/key"])
        .ok()
        .json();
    assert!(
        fingerprint.contains(
            shown["public_fields"]["fingerprint_sha256"]
                .as_str()
                .unwrap()
        ),
        "{fingerprint}"
    );
    let stored = env.run(&["secret", "reveal", "ops/key"]).ok().stdout;
    let plain = env.file("plain", &stored);
    std::fs::set_permissions(&plain, perms_600()).unwrap();
    // ssh-keygen reads it without a passphrase: it is stored decrypted inside Coffer's encryption.
    tool(
        "ssh-keygen",
        &["-y", "-P", "", "-f", p(&plain)],
        env.dir.path(),
    );
    env.run(&["secret", "public-key", "mtls"]).fails(3);
}

fn perms_600() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o600)
}

#[test]
fn cert_inspect_reads_p7b_bundles_and_says_what_a_csr_is() {
    let env = Env::empty();
    let pki = pki(env.dir.path(), 90);
    let dir = env.dir.path();
    tool(
        "openssl",
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            p(&pki.chain),
            "-outform",
            "DER",
            "-out",
            "chain.p7b",
        ],
        dir,
    );
    let report = env
        .run(&["--json", "cert", "inspect", p(&dir.join("chain.p7b"))])
        .ok()
        .json();
    assert_eq!(report["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(report["certificates"][0]["sha256"], sha256_of(&pki.leaf));

    tool(
        "openssl",
        &[
            "req",
            "-new",
            "-key",
            p(&pki.key),
            "-subj",
            "/CN=request",
            "-outform",
            "DER",
            "-out",
            "req.der",
        ],
        dir,
    );
    let run = env
        .run(&["--json", "cert", "inspect", p(&dir.join("req.der"))])
        .fails(2);
    let error = run.error_json();
    assert_eq!(error["error"]["code"], "nothing_to_store", "{}", run.stderr);
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("certificate signing request"), "{message}");
    let human = env
        .run(&["cert", "inspect", p(&dir.join("req.der"))])
        .fails(2);
    assert!(
        human.stderr.contains("a CSR holds no certificate"),
        "{}",
        human.stderr
    );
}

#[test]
fn a_putty_key_is_stored_as_an_ssh_key_pair() {
    let env = Env::new();
    let dir = env.dir.path();
    tool(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "win@example",
            "-f",
            "win",
        ],
        dir,
    );
    std::fs::write(dir.join("pw"), "putty-pass").unwrap();
    tool(
        "puttygen",
        &[
            "win",
            "-O",
            "private",
            "-o",
            "win.ppk",
            "--new-passphrase",
            "pw",
        ],
        dir,
    );
    let pass = env.file("pass", "putty-pass\n");
    env.run(&[
        "secret",
        "add",
        "ssh_key_pair",
        "ops/putty",
        "--file",
        &format!("private_key={}", p(&dir.join("win.ppk"))),
        "--key-password-file",
        p(&pass),
    ])
    .ok();
    let fingerprint = tool("ssh-keygen", &["-lf", "win.pub"], dir);
    let shown = env
        .run(&["--json", "secret", "show", "ops/putty"])
        .ok()
        .json();
    let stored = shown["public_fields"]["fingerprint_sha256"]
        .as_str()
        .unwrap();
    assert!(fingerprint.contains(stored), "{fingerprint} / {stored}");
}
