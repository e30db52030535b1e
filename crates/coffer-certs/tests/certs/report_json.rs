//! The report serializes to exactly the JSON shape that `coffer cert inspect --json` prints.

use coffer_certs::inspect;
use serde_json::Value;

use crate::fixtures::{Workdir, options_in_days, options_now};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn is_utc_second(value: &Value) -> bool {
    let s = value.as_str().unwrap_or_default();
    s.len() == 20
        && s.ends_with('Z')
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

#[test]
fn certificate_report_shape() {
    let w = Workdir::new();
    w.chain();
    let got = inspect(
        &w.concat(&["leaf.pem", "leaf.key", "inter.pem"]),
        None,
        &options_in_days(400),
    )
    .expect("parses");
    let json = serde_json::to_value(&got.report).expect("serializes");
    assert_eq!(
        keys(&json),
        [
            "certificates",
            "earliest_expiry",
            "key_matches_leaf",
            "private_key",
            "ssh",
            "warnings"
        ]
    );
    let cert = &json["certificates"][0];
    let mut expected = vec![
        "subject",
        "subject_cn",
        "issuer",
        "serial",
        "san",
        "not_before",
        "not_after",
        "sha256",
        "sha1",
        "key_algorithm",
        "key_bits",
        "signature_algorithm",
        "is_ca",
        "path_len",
        // Documented extras.
        "ec_curve",
        "key_usage",
        "extended_key_usage",
        "self_signed",
        "subject_key_id",
        "authority_key_id",
    ];
    expected.sort_unstable();
    assert_eq!(keys(cert), expected);
    assert!(is_utc_second(&cert["not_before"]) && is_utc_second(&cert["not_after"]));
    assert!(is_utc_second(&json["earliest_expiry"]));
    assert_eq!(cert["key_algorithm"], "ec");
    assert_eq!(cert["key_bits"], 256);
    assert_eq!(cert["path_len"], Value::Null);
    assert_eq!(cert["subject_cn"], "leaf.example.com");
    assert_eq!(cert["san"][2], "IP:192.0.2.7");
    let sha256 = cert["sha256"].as_str().expect("hex");
    assert!(
        sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(json["certificates"][1]["path_len"], 0);
    assert_eq!(
        json["private_key"],
        serde_json::json!({"algorithm": "ec", "bits": 256, "encrypted": false})
    );
    assert_eq!(json["key_matches_leaf"], true);
    assert_eq!(json["ssh"], Value::Null);
    let warnings = json["warnings"].as_array().expect("array");
    assert_eq!(keys(&warnings[0]), ["code", "message"]);
    let codes: Vec<&str> = warnings.iter().filter_map(|w| w["code"].as_str()).collect();
    assert_eq!(codes, ["expired", "incomplete_chain"]);
}

#[test]
fn ssh_report_shape() {
    let w = Workdir::new();
    w.ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-C", "ops", "-f", "id"]);
    let got = inspect(&w.read("id"), None, &options_now()).expect("parses");
    let json = serde_json::to_value(&got.report).expect("serializes");
    assert_eq!(json["certificates"], serde_json::json!([]));
    assert_eq!(json["private_key"], Value::Null);
    assert_eq!(json["key_matches_leaf"], Value::Null);
    assert_eq!(json["earliest_expiry"], Value::Null);
    let ssh = &json["ssh"];
    assert_eq!(
        keys(ssh),
        [
            "algorithm",
            "bits",
            "encrypted",
            "fingerprint_sha256",
            "private",
            "public_key"
        ]
    );
    assert_eq!(ssh["algorithm"], "ed25519");
    assert_eq!(ssh["bits"], 256);
    assert_eq!(ssh["private"], true);
    assert_eq!(ssh["encrypted"], false);
    assert!(
        ssh["fingerprint_sha256"]
            .as_str()
            .is_some_and(|f| f.starts_with("SHA256:"))
    );
    assert!(
        ssh["public_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("ssh-ed25519 AAAA") && k.ends_with(" ops"))
    );
}
