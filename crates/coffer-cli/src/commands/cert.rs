//! `coffer cert inspect`: what a certificate, key or SSH file holds, without a vault.

use std::path::{Path, PathBuf};

use coffer_core::certs::{self, CertError, InspectOptions, InspectionReport, Source};
use coffer_core::{ExposeSecret, Result, Timestamp};
use serde_json::json;

use crate::args::CertCommand;
use crate::input;
use crate::output::{Out, pairs, relative};

pub fn run(out: Out, command: CertCommand) -> Result<()> {
    let CertCommand::Inspect {
        file,
        key,
        password_file,
        bundle,
    } = command;
    let password = input::optional_password("password", password_file.as_ref())?;
    let pw = password.as_ref().map(|p| p.expose_secret().as_bytes());
    let bytes = input::read_file("file", &file)?;
    let key_bytes = key
        .as_ref()
        .map(|k| input::read_file("key", k))
        .transpose()?;
    let options =
        InspectOptions::new(coffer_core::Clock::now(&coffer_core::SystemClock).to_datetime());
    let result = match (&key_bytes, bundle) {
        (_, true) => certs::inspect_ca_bundle(&bytes, &options),
        (Some(k), false) => certs::inspect_parts(
            Source {
                bytes: &bytes,
                password: pw,
            },
            Source {
                bytes: k,
                password: pw,
            },
            &options,
        ),
        (None, false) => certs::inspect(&bytes, pw, &options),
    };
    match result {
        Ok(inspection) if out.json => out.json(&inspection.report),
        Ok(inspection) => {
            print_report(&inspection.report, &file, key.as_ref());
            Ok(())
        }
        Err(error) => fail(out, &error),
    }
}

/// Certificate errors keep their own codes: exit 4 for a missing or wrong
/// password, 2 for anything else about the input.
fn fail(out: Out, error: &CertError) -> Result<()> {
    let code = error.code();
    if out.json {
        eprintln!(
            "{}",
            json!({ "error": { "code": code, "message": error.to_string() } })
        );
    } else {
        eprintln!("coffer: {error} ({code})");
    }
    let exit = if matches!(
        error,
        CertError::PasswordRequired { .. } | CertError::WrongPassword { .. }
    ) {
        4
    } else {
        2
    };
    std::process::exit(exit);
}

fn print_report(report: &InspectionReport, file: &Path, key: Option<&PathBuf>) {
    let now = coffer_core::Clock::now(&coffer_core::SystemClock);
    let when = |at: time::OffsetDateTime| {
        let ts = Timestamp::from_datetime(at);
        format!("{} ({})", &ts.to_rfc3339()[..10], relative(ts, now))
    };
    println!("{}", file.display());
    for (i, cert) in report.certificates.iter().enumerate() {
        let role = match (i, cert.is_ca) {
            (0, false) => "leaf".to_owned(),
            (_, true) => "CA".to_owned(),
            _ => "certificate".to_owned(),
        };
        println!();
        println!(
            "Certificate {} ({role}): {}",
            i + 1,
            cert.subject_cn.as_deref().unwrap_or(&cert.subject)
        );
        let mut rows = vec![
            ("  subject", cert.subject.clone()),
            ("  issuer", cert.issuer.clone()),
            ("  valid from", when(cert.not_before)),
            ("  valid until", when(cert.not_after)),
            ("  serial", cert.serial.clone()),
            (
                "  key",
                format!("{} {} bits", cert.key_algorithm.as_str(), cert.key_bits),
            ),
            ("  signature", cert.signature_algorithm.clone()),
            ("  sha256", cert.sha256.clone()),
        ];
        if !cert.san.is_empty() {
            rows.insert(2, ("  names", cert.san.join(", ")));
        }
        if cert.is_ca {
            rows.push((
                "  path length",
                cert.path_len.map_or("unlimited".into(), |n| n.to_string()),
            ));
        }
        pairs(&rows);
    }
    if let Some(pk) = &report.private_key {
        println!();
        let matches = match report.key_matches_leaf {
            Some(true) => ", matches the leaf",
            Some(false) => ", does NOT match the leaf",
            None => "",
        };
        let source = key
            .map(|k| format!(" from {}", k.display()))
            .unwrap_or_default();
        println!(
            "Private key{source}: {} {} bits{}{matches}",
            pk.algorithm.as_str(),
            pk.bits,
            if pk.encrypted { ", was encrypted" } else { "" }
        );
    }
    if let Some(ssh) = &report.ssh {
        println!();
        println!(
            "SSH {} key: {:?} {} bits{}",
            if ssh.private { "private" } else { "public" },
            ssh.algorithm,
            ssh.bits,
            if ssh.encrypted { ", was encrypted" } else { "" }
        );
        pairs(&[
            ("  fingerprint", ssh.fingerprint_sha256.clone()),
            ("  public key", ssh.public_key.clone()),
        ]);
    }
    if !report.warnings.is_empty() {
        println!();
        println!("Warnings:");
        for w in &report.warnings {
            println!("  {:<26}{}", w.code.as_str(), w.message);
        }
    }
}
