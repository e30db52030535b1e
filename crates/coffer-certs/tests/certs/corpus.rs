//! The public corpus of pyca's `cryptography-vectors` (x509 incl. NIST PKITS, asymmetric,
//! pkcs12, pkcs7) run through `inspect`: no panic, every outcome a known code, and every
//! certificate that `openssl x509` reads accepted with the facts OpenSSL prints.
//!
//! The wheel is downloaded from PyPI at test time into `~/.cache/coffer-test` (or
//! `$COFFER_TEST_CACHE`) with `python3 -m pip download`, and opened with `python3 -m zipfile`;
//! nothing of it enters the repository. Without network the test prints SKIP and checks
//! nothing, unless `COFFER_REQUIRE_CORPUS=1`, which makes the absence a failure.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use coffer_certs::{InspectOptions, Inspection, KeyAlgorithm, WarningCode, inspect};
use time::OffsetDateTime;

const VERSION: &str = "46.0.3";
const TREES: [&str; 4] = ["x509", "asymmetric", "pkcs12", "pkcs7"];
/// Passwords the corpus uses: pyca's own files and NIST PKITS.
const PASSWORDS: [&[u8]; 2] = [b"cryptography", b"password"];

const CODES: &[&str] = &[
    "empty",
    "too_large",
    "unrecognized_format",
    "malformed_pem",
    "malformed_der",
    "malformed_ssh_key",
    "truncated",
    "password_required",
    "wrong_password",
    "unsupported_algorithm",
    "too_costly",
    "nothing_to_store",
    "inconsistent_key",
];

/// Certificates `openssl x509` reads that Coffer refuses on purpose, with why.
const REFUSED_ON_PURPOSE: &[(&str, &str)] = &[
    (
        "x509/badasn1time.pem",
        "a UTCTime with a four-digit year is not DER; OpenSSL reads it leniently",
    ),
    (
        "x509/custom/invalid_version.pem",
        "certificate version 8 does not exist (RFC 5280 knows 1 to 3)",
    ),
    (
        "x509/cryptography.io.with_headers.pem",
        "its key uses OpenSSL's legacy PEM encryption: refused with how to convert it, \
         rather than storing the certificate without the key the user gave",
    ),
];

/// Where the unpacked wheel is, downloading it if needed; `None` when that is impossible.
fn corpus_root() -> Option<PathBuf> {
    let cache = std::env::var_os("COFFER_TEST_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/coffer-test")))?;
    let root = cache.join(format!("cryptography-vectors-{VERSION}"));
    let tree = root.join("cryptography_vectors");
    if tree.join("x509").is_dir() {
        return Some(tree);
    }
    std::fs::create_dir_all(&cache).ok()?;
    let wheel = cache.join(format!("cryptography_vectors-{VERSION}-py3-none-any.whl"));
    if !wheel.is_file() {
        let status = Command::new("python3")
            .args(["-m", "pip", "download", "--no-deps", "--quiet"])
            .arg(format!("cryptography-vectors=={VERSION}"))
            .arg("-d")
            .arg(&cache)
            .status()
            .ok()?;
        if !status.success() || !wheel.is_file() {
            return None;
        }
    }
    let partial = cache.join(format!("cryptography-vectors-{VERSION}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&partial)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::rename(&partial, &root).ok()?;
    tree.join("x509").is_dir().then_some(tree)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The outcome of one file: the inspection, or the error code.
type Outcome = Result<Inspection, &'static str>;

/// Inspects without a password, then with the corpus's passwords when one is needed.
fn run(bytes: &[u8], options: &InspectOptions) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut outcome = inspect(bytes, None, options).map_err(|e| e.code());
        for password in PASSWORDS {
            if outcome.as_ref().err() != Some(&"password_required")
                && outcome.as_ref().err() != Some(&"wrong_password")
            {
                break;
            }
            outcome = inspect(bytes, Some(password), options).map_err(|e| e.code());
        }
        outcome
    }))
    .map_err(|_| "panicked".to_owned())
}

/// What `openssl x509` says of the first certificate in `path`: (sha256, serial, notAfter).
fn openssl_facts(path: &Path, bytes: &[u8]) -> Option<(String, String, String)> {
    let pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    // Only PEM with a certificate block, or DER, can be a certificate to OpenSSL; asking
    // only about those keeps the test's run short.
    let certificate_pem = bytes.windows(12).any(|w| w == b"CERTIFICATE-");
    if (pem && !certificate_pem) || (!pem && bytes.first() != Some(&0x30)) {
        return None;
    }
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-inform", if pem { "PEM" } else { "DER" }])
        .args([
            "-serial",
            "-enddate",
            "-dateopt",
            "iso_8601",
            "-fingerprint",
            "-sha256",
        ])
        .arg("-in")
        .arg(path)
        .output()
        .expect("openssl is required by this test");
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::to_owned)
    };
    Some((
        field("sha256 Fingerprint=")?
            .replace(':', "")
            .to_lowercase(),
        field("serial=")?.to_lowercase(),
        field("notAfter=")?.replace(' ', "T"),
    ))
}

#[test]
fn cryptography_vectors_are_read_or_refused_as_openssl_reads_them() {
    let Some(root) = corpus_root() else {
        assert!(
            std::env::var_os("COFFER_REQUIRE_CORPUS").is_none(),
            "COFFER_REQUIRE_CORPUS is set but cryptography-vectors {VERSION} could not be \
             downloaded from PyPI"
        );
        println!(
            "SKIP cryptography_vectors corpus: cryptography-vectors {VERSION} could not be \
             downloaded from PyPI (python3 -m pip download); nothing was checked"
        );
        return;
    };
    let mut files = Vec::new();
    for tree in TREES {
        files_under(&root.join(tree), &mut files);
    }
    assert!(
        files.len() > 2000,
        "only {} files in the corpus",
        files.len()
    );
    // A fixed clock: warnings and outcomes do not depend on the day the test runs.
    let options = InspectOptions::new(
        OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("2026-01-01"),
    );
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut agreed = 0usize;
    // Two halves in two threads: the machine has two cores, and OpenSSL runs as processes.
    let halves: Vec<Checked> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|chunk| scope.spawn(|| check_files(&root, chunk, &options)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a checking thread"))
            .collect()
    });
    for half in halves {
        outcomes.extend(half.outcomes);
        failures.extend(half.failures);
        agreed += half.agreed;
    }
    pinned_expectations(&outcomes, &mut failures);

    // For looking at outcomes by hand: COFFER_CORPUS_DUMP=FILE writes "name<TAB>code" lines.
    if let Some(dump) = std::env::var_os("COFFER_CORPUS_DUMP") {
        let lines: String = outcomes
            .iter()
            .map(|(name, o)| format!("{name}\t{}\n", o.as_ref().err().copied().unwrap_or("ok")))
            .collect();
        std::fs::write(dump, lines).expect("writing the dump");
    }
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in outcomes.values() {
        *tally
            .entry(outcome.as_ref().err().copied().unwrap_or("ok"))
            .or_default() += 1;
    }
    println!(
        "cryptography-vectors {VERSION}: {} files, {agreed} certificates agree with OpenSSL; \
         outcomes {tally:?}",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} files disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What one thread learned about its share of the corpus.
struct Checked {
    outcomes: BTreeMap<String, Outcome>,
    failures: Vec<String>,
    agreed: usize,
}

fn check_files(root: &Path, files: &[PathBuf], options: &InspectOptions) -> Checked {
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut agreed = 0usize;
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let bytes = std::fs::read(path).expect("reading a corpus file");
        let outcome = match run(&bytes, options) {
            Ok(outcome) => outcome,
            Err(panic) => {
                failures.push(format!("{name}: {panic}"));
                continue;
            }
        };
        if let Err(code) = &outcome
            && !CODES.contains(code)
        {
            failures.push(format!("{name}: unknown code {code}"));
        }
        if let Some((sha256, serial, not_after)) = openssl_facts(path, &bytes) {
            let on_purpose = REFUSED_ON_PURPOSE.iter().any(|(f, _)| name == *f);
            match &outcome {
                Ok(inspection) => {
                    match inspection
                        .report
                        .certificates
                        .iter()
                        .find(|c| c.sha256 == sha256)
                    {
                        Some(cert)
                            if cert.serial == serial
                                && coffer_certs::rfc3339::format(cert.not_after) == not_after =>
                        {
                            agreed += 1;
                        }
                        Some(cert) => failures.push(format!(
                            "{name}: serial {} / notAfter {} where OpenSSL says {serial} / \
                             {not_after}",
                            cert.serial,
                            coffer_certs::rfc3339::format(cert.not_after)
                        )),
                        None => failures.push(format!("{name}: OpenSSL's certificate missing")),
                    }
                }
                Err(_) if on_purpose => {}
                Err(code) => failures.push(format!("{name}: OpenSSL reads it, Coffer says {code}")),
            }
        }
        outcomes.insert(name, outcome);
    }
    Checked {
        outcomes,
        failures,
        agreed,
    }
}

/// The files the intake issue names, each with its expected outcome.
fn pinned_expectations(outcomes: &BTreeMap<String, Outcome>, failures: &mut Vec<String>) {
    let mut expect =
        |name: &str, check: &dyn Fn(&Outcome) -> bool, what: &str| match outcomes.get(name) {
            Some(outcome) if check(outcome) => {}
            Some(outcome) => failures.push(format!(
                "{name}: expected {what}, got {}",
                match outcome {
                    Ok(i) => format!("ok with {} certificates", i.report.certificates.len()),
                    Err(code) => (*code).to_owned(),
                }
            )),
            None => failures.push(format!("{name}: not in the corpus")),
        };
    let ok = |o: &Outcome| o.is_ok();
    let code = |c: &'static str| move |o: &Outcome| o.as_ref().err() == Some(&c);
    let year = |o: &Outcome| {
        o.as_ref()
            .is_ok_and(|i| i.report.certificates[0].not_before.year() == 1950)
    };
    expect(
        "x509/PKITS_data/certs/Validpre2000UTCnotBeforeDateTest3EE.crt",
        &year,
        "notBefore in 1950",
    );
    expect(
        "x509/PKITS_data/pkcs12/Validpre2000UTCnotBeforeDateTest3EE.p12",
        &ok,
        "accepted",
    );
    expect(
        "asymmetric/PKCS8/ec-inconsistent-curve.pem",
        &code("inconsistent_key"),
        "inconsistent_key",
    );
    expect(
        "asymmetric/PKCS8/ec-inconsistent-curve2.pem",
        &|o: &Outcome| {
            o.as_ref().is_ok_and(|i| {
                i.report
                    .private_key
                    .as_ref()
                    .is_some_and(|k| k.algorithm == KeyAlgorithm::Ec && k.bits == 256)
            })
        },
        "a P-256 key",
    );
    expect(
        "x509/custom/negative_serial.pem",
        &|o: &Outcome| {
            o.as_ref()
                .is_ok_and(|i| i.report.certificates[0].serial.starts_with('-'))
        },
        "a signed serial",
    );
    expect(
        "x509/cryptography.io.with_garbage.pem",
        &|o: &Outcome| {
            o.as_ref().is_ok_and(|i| {
                !i.report.certificates.is_empty()
                    && i.report
                        .warnings
                        .iter()
                        .any(|w| w.code == WarningCode::IgnoredBlock)
            })
        },
        "certificates with an ignored_block warning",
    );
    for p7 in [
        "pkcs7/amazon-roots.p7b",
        "pkcs7/amazon-roots.der",
        "pkcs7/isrg.pem",
    ] {
        expect(
            p7,
            &|o: &Outcome| o.as_ref().is_ok_and(|i| !i.report.certificates.is_empty()),
            "certificates",
        );
    }
    expect(
        "pkcs12/java-truststore.p12",
        &|o: &Outcome| o.as_ref().is_ok_and(|i| !i.report.certificates.is_empty()),
        "certificates",
    );
    for name in [
        "asymmetric/X25519/x25519-pkcs8.pem",
        "asymmetric/X25519/x25519-pkcs8.der",
    ] {
        expect(
            name,
            &code("unsupported_algorithm"),
            "unsupported_algorithm",
        );
    }
}
