//! `coffer-vaultgen PATH COUNT`: creates a vault at PATH holding COUNT basic-auth
//! secrets, its master key in the OS keyring (when one is available) and the
//! recovery passphrase taken from `COFFER_VAULTGEN_PASSPHRASE`.
//!
//! Secret i is named `svc-{i:06}`, labelled env=prod|staging and team-{i % 10},
//! described in words; a third of them expire, spread over the next year
//! (so a few thousand fall within the notification thresholds, as in a real
//! vault). Prints what it made and how long it took.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use coffer_core::secret::{NewSecret, SecretData, SecretType, text_input};
use coffer_core::{CreateOptions, KeyringState, SecretString, SystemClock, Vault};

const BATCH: usize = 10_000;

fn new_secret(i: usize, now: coffer_core::Timestamp) -> Result<NewSecret, coffer_core::Error> {
    let team = i % 10;
    let env = if i.is_multiple_of(3) {
        "prod"
    } else {
        "staging"
    };
    let data = SecretData::from_fields(
        SecretType::BasicAuth,
        vec![
            text_input("username", &format!("robot-{i}")),
            text_input("password", &format!("pw-{i:06}-{}", "x".repeat(18))),
        ],
        &Default::default(),
    )?;
    let mut new = NewSecret::new(format!("svc-{i:06}"), data);
    new.description = format!("service account {i} of team-{team} for the {env} deployment");
    new.labels = BTreeMap::from([
        ("env".to_owned(), env.to_owned()),
        ("team".to_owned(), format!("team-{team}")),
    ]);
    // A third expire, from an hour to a year from now.
    new.expires_at =
        (i % 3 == 1).then(|| now.plus_seconds(3600 + (i as i64 * 7919) % (365 * 86_400)));
    Ok(new)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(count)) = (
        args.next(),
        args.next().and_then(|c| c.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: coffer-vaultgen PATH COUNT (passphrase in COFFER_VAULTGEN_PASSPHRASE)");
        std::process::exit(2);
    };
    let passphrase = std::env::var("COFFER_VAULTGEN_PASSPHRASE")
        .unwrap_or_else(|_| "benchmark passphrase".to_owned());
    if let Err(e) = run(PathBuf::from(path), count, passphrase) {
        eprintln!("coffer-vaultgen: {e}");
        std::process::exit(1);
    }
}

fn run(path: PathBuf, count: usize, passphrase: String) -> Result<(), coffer_core::Error> {
    let started = Instant::now();
    let (mut vault, keyring) = Vault::create(
        &path,
        CreateOptions::new(SecretString::from(passphrase)),
        Arc::new(SystemClock),
    )?;
    let now = vault.now();
    let mut from = 0;
    while from < count {
        let to = (from + BATCH).min(count);
        let batch = (from..to)
            .map(|i| new_secret(i, now))
            .collect::<Result<Vec<_>, _>>()?;
        vault.register_many(batch)?;
        from = to;
    }
    let keyring = match keyring {
        KeyringState::Stored => "stored in the OS keyring".to_owned(),
        other => format!("keyring: {other:?}"),
    };
    println!(
        "{} secrets in {} ({keyring}) in {:.1} s",
        count,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
