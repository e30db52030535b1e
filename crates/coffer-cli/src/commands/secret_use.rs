//! `coffer secret test` and `coffer secret usage`.

use coffer_core::secret::SecretRef;
use coffer_jobs::probe::{TestOptions, test_secret};

use crate::args::{Global, Target};
use crate::output::{Failure, Out, pairs, table, when};
use crate::unlock;

fn reference(target: &Target) -> SecretRef {
    SecretRef::in_org(&target.org, &target.name)
}

/// One authenticated request; the status and TLS facts.
pub fn test(
    g: &Global,
    out: Out,
    target: &Target,
    url: &str,
    ca_bundle: Option<&str>,
    project: Option<String>,
    store_password_file: Option<&str>,
) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let meta = vault.get(&reference(target))?;
    let store_password = if meta.protection == coffer_core::secret::Protection::Password {
        let files: Vec<String> = store_password_file
            .map(|f| format!("{}={f}", meta.name))
            .into_iter()
            .collect();
        crate::input::store_passwords(std::slice::from_ref(&meta.name), &files)?.remove(&meta.name)
    } else if store_password_file.is_some() {
        return Err(coffer_core::Error::invalid(
            "--store-password-file",
            format!("secret {:?} has no store password", meta.name),
        )
        .into());
    } else {
        None
    };
    let options = TestOptions {
        ca_bundle: ca_bundle.map(|n| SecretRef::in_org(&target.org, n)),
        project,
        store_password,
    };
    let report = test_secret(&mut vault, &reference(target), url, &options)?;
    if out.json {
        out.json(&report)?;
    } else {
        let mut rows: Vec<(&str, String)> = vec![
            ("url", report.url.clone()),
            ("status", format!("{} {}", report.status, report.reason)),
            ("sent", report.sent.clone()),
            ("time", format!("{} ms", report.elapsed_ms)),
        ];
        if let Some(location) = &report.location {
            rows.push(("redirects to", format!("{location} (not followed)")));
        }
        if let Some(tls) = &report.tls {
            rows.push(("protocol", tls.protocol.clone()));
            rows.push(("cipher", tls.cipher.clone()));
            rows.push(("server", tls.peer_subject.clone()));
            rows.push(("issuer", tls.peer_issuer.clone()));
            if let Some(at) = tls.peer_not_after {
                rows.push(("expires", when(at, vault.now())));
            }
            if !tls.peer_san.is_empty() {
                rows.push(("names", tls.peer_san.join(", ")));
            }
            let client = match (
                tls.client_certificate_requested,
                tls.client_certificate_sent,
                tls.client_certificate_available,
            ) {
                (true, true, _) => "asked for by the server; sent",
                (true, false, true) => "asked for by the server; not sent (its key cannot sign)",
                (true, false, false) => "asked for by the server; none to send",
                (false, _, true) => "not asked for by the server, so not sent",
                (false, _, false) => "not asked for",
            };
            rows.push(("client certificate", client.to_owned()));
        }
        pairs(&rows);
    }
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Exit(1))
    }
}

/// The jobs that use a secret.
pub fn usage(g: &Global, out: Out, target: &Target) -> Result<(), Failure> {
    let vault = unlock::open(g)?;
    let usage = vault.secret_usage(&reference(target))?;
    if out.json {
        return Ok(out.json(&usage)?);
    }
    if usage.is_empty() {
        println!("No job uses {}.", target.name);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = usage
        .iter()
        .map(|u| {
            let mut how: Vec<String> = u.roles.iter().map(|r| r.to_string()).collect();
            for field in &u.placeholder_fields {
                how.push(match field {
                    Some(f) => format!("${{secret:{}#{f}}}", target.name),
                    None => format!("${{secret:{}}}", target.name),
                });
            }
            vec![u.name.clone(), u.kind.to_string(), how.join(", ")]
        })
        .collect();
    table(&["JOB", "KIND", "USES IT AS"], &rows);
    Ok(())
}
