//! The key-vault commands that talk to the service: `coffer manager
//! test|browse|import` and `coffer secret deploy|retry|adopt|decommission`.
//! They call the same library functions as the desktop (`client_of`,
//! `import_many`, the deploy engine) on a runtime of their own; a push runs
//! synchronously, its states shown on stderr as it moves.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use coffer_core::remote::{Deployment, DeploymentState, DeploymentTarget};
use coffer_core::secret::{SecretRef, SecretType};
use coffer_core::{Error, Vault};
use coffer_remote::{
    DeployOptions, Engine, ImportItem, KeyVault, RateLimiter, client_of, import_many,
    local_name_for,
};
use serde_json::json;

use crate::args::{DeploymentArgs, Global};
use crate::output::{Failure, Out, relative, table};
use crate::unlock;

/// Runs `future` to completion on a runtime of this command's own.
fn block_on<F: Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("starting the network runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// `coffer manager test NAME`.
pub fn test(g: &Global, out: Out, name: &str) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let started = Instant::now();
    let result = block_on(async {
        let (_, client) = client_of(&mut vault, name, "test").await?;
        client.probe().await
    })?;
    match result {
        Ok(probe) => {
            if out.json {
                out.json(&json!({
                    "ok": true,
                    "checked": probe.checked,
                    "latency_ms": probe.latency_ms,
                }))?;
            } else {
                println!(
                    "Connection {name} works ({} ms): {}.",
                    probe.latency_ms, probe.checked
                );
            }
            Ok(())
        }
        // A local refusal (unknown connection, unusable credential secret).
        Err(coffer_remote::Error::Core(e)) => Err(e.into()),
        Err(e) => {
            let latency_ms = started.elapsed().as_millis();
            if out.json {
                out.json(&json!({
                    "ok": false,
                    "checked": "one authenticated call",
                    "latency_ms": latency_ms,
                    "class": e.class(),
                    "message": e.to_string(),
                    "hint": e.class().map(|c| c.hint()),
                }))?;
            } else {
                println!(
                    "Connection {name} failed after {latency_ms} ms (checked: one authenticated call)."
                );
            }
            Err(Failure::Remote(e))
        }
    }
}

/// `coffer manager browse NAME`: names and metadata, never values.
pub fn browse(
    g: &Global,
    out: Out,
    name: &str,
    prefix: &str,
    page_size: u32,
    all: bool,
    page: Option<String>,
) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let found = block_on(async {
        let (manager, client) = client_of(&mut vault, name, "browse").await?;
        let mut items = Vec::new();
        let mut next = page;
        loop {
            let listed = client.list(prefix, next.take(), page_size).await;
            vault.audit_remote(
                "remote.list",
                &manager.spec.name,
                prefix,
                if listed.is_ok() { "ok" } else { "failed" },
            )?;
            let listed = listed?;
            items.extend(listed.items);
            next = listed.next;
            if !all || next.is_none() {
                return Ok::<_, coffer_remote::Error>((items, next));
            }
        }
    })?;
    let (items, next) = found.map_err(Failure::from_remote)?;
    if out.json {
        return Ok(out.json(&json!({ "items": items, "next": next }))?);
    }
    if items.is_empty() {
        println!("No remote secrets{}.", with_prefix(prefix));
    } else {
        let now = vault.now();
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.updated_at.map(|t| relative(t, now)).unwrap_or_default(),
                    s.versions.map(|v| v.to_string()).unwrap_or_default(),
                    if s.managed { "yes" } else { "no" }.to_owned(),
                    s.tags
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect();
        table(&["NAME", "CHANGED", "VERSIONS", "MANAGED", "TAGS"], &rows);
    }
    if let Some(token) = next {
        out.note(&format!(
            "More: coffer manager browse {name} --page {token}{} (or --all)",
            if prefix.is_empty() {
                String::new()
            } else {
                format!(" --prefix {prefix}")
            }
        ));
    }
    Ok(())
}

fn with_prefix(prefix: &str) -> String {
    if prefix.is_empty() {
        String::new()
    } else {
        format!(" starting with {prefix:?}")
    }
}

/// `coffer manager import NAME REMOTE...`: one action with progress on
/// stderr; exits 7 when any item failed (the others are imported).
pub fn import(
    g: &Global,
    out: Out,
    name: &str,
    remote: &[String],
    kind: Option<&str>,
    local: Option<&str>,
) -> Result<(), Failure> {
    let kind = kind.map(SecretType::parse).transpose()?;
    if let Some(kind) = kind
        && !matches!(kind, SecretType::KeyValue | SecretType::Data)
    {
        return Err(Error::invalid("type", "import as key_value or data").into());
    }
    if local.is_some() && remote.len() != 1 {
        return Err(Error::invalid("as", "--as names one local secret: give one REMOTE").into());
    }
    let mut vault = unlock::open_unlocked(g, out)?;
    let items: Vec<ImportItem> = remote
        .iter()
        .map(|r| ImportItem {
            remote_name: r.clone(),
            remote_id: None,
            local_name: local.map_or_else(|| local_name_for(r), str::to_owned),
            kind,
            description: format!("Imported from {name}"),
        })
        .collect();
    let outcomes = block_on(async {
        let (manager, client) = client_of(&mut vault, name, "import").await?;
        let mut progress = |p: &coffer_remote::ImportProgress| {
            out.note(&format!(
                "import {}/{} {}: {}",
                p.done,
                p.total,
                p.remote_name,
                if p.imported { "read" } else { "failed" }
            ));
        };
        import_many(
            &mut vault,
            &manager.spec.name,
            &client,
            &items,
            &mut progress,
        )
        .await
    })?
    .map_err(Failure::from_remote)?;
    let failed = outcomes.iter().filter(|o| o.secret.is_none()).count();
    if out.json {
        out.json(&json!({
            "imported": outcomes.iter().filter_map(|o| o.secret.as_ref().map(|m| json!({
                "remote_name": o.remote_name, "name": m.name, "id": m.id,
            }))).collect::<Vec<_>>(),
            "failed": outcomes.iter().filter(|o| o.secret.is_none()).map(|o| json!({
                "remote_name": o.remote_name, "error": o.error,
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        for o in &outcomes {
            match (&o.secret, &o.error) {
                (Some(meta), _) => println!("Imported {name}:{} as {}.", o.remote_name, meta.name),
                (None, error) => println!(
                    "Not imported {name}:{}: {}",
                    o.remote_name,
                    error.as_deref().unwrap_or("unknown reason")
                ),
            }
        }
        println!(
            "{} of {} imported.",
            outcomes.len() - failed,
            outcomes.len()
        );
    }
    if failed > 0 {
        return Err(Failure::Exit(crate::output::exit_code(
            coffer_core::ErrorCode::Remote,
        )));
    }
    Ok(())
}

/// The live deployment of a secret to a connection (the newest that has
/// not ended).
fn find_deployment(vault: &Vault, target: &DeploymentArgs) -> Result<Deployment, Failure> {
    let secret = SecretRef::in_org(&target.org, &target.name);
    let mut list: Vec<Deployment> = vault
        .deployments_of_secret(&secret)?
        .into_iter()
        .filter(|d| d.target.manager.eq_ignore_ascii_case(&target.manager))
        .filter(|d| d.state != DeploymentState::End)
        .collect();
    match list.len() {
        0 => Err(Error::NotFound {
            what: "deployment",
            name: format!("{}:{} to {}", target.org, target.name, target.manager),
        }
        .into()),
        1 => Ok(list.remove(0)),
        _ => Err(Error::invalid(
            "to",
            format!(
                "{} has several deployments to {} ({}); see coffer secret deployments {}",
                target.name,
                target.manager,
                list.iter()
                    .map(|d| d.target.remote_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                target.name
            ),
        )
        .into()),
    }
}

/// Pushes deployment `id` until it rests, showing each state on stderr;
/// exits 7 unless it ends `available` (or `end` when `ending`).
fn push(vault: &mut Vault, out: Out, id: i64, ending: bool) -> Result<(), Failure> {
    let manager_name = vault.deployment(id)?.target.manager;
    let done = block_on(async {
        let (manager, client) = client_of(vault, &manager_name, "deploy").await?;
        let limiter = RateLimiter::new(manager.spec.writes_per_sec);
        let options = DeployOptions::default();
        let engine = Engine {
            manager: &manager.spec.name,
            kind: manager.spec.settings.kind(),
            client: &client,
            limiter: &limiter,
            options: &options,
        };
        let mut last: Option<DeploymentState> = None;
        let mut progress = |d: &Deployment| {
            if last != Some(d.state) {
                last = Some(d.state);
                out.note(&format!(
                    "{}:{} -> {}:{}: {}",
                    d.org,
                    d.secret,
                    d.target.manager,
                    d.target.remote_name,
                    d.state.as_str()
                ));
                let _ = std::io::stderr().flush();
            }
        };
        engine.run(vault, id, &mut progress).await
    })?
    .map_err(Failure::from_remote)?;
    let now = vault.now();
    let wanted = if ending {
        DeploymentState::End
    } else {
        DeploymentState::Available
    };
    if out.json {
        out.json(&done)?;
    } else {
        crate::commands::manager::print_deployments(std::slice::from_ref(&done), now);
        if let Some(v) = done.versions.iter().find(|v| v.last) {
            println!(
                "Remote version {} holds local version {}.",
                v.remote_version, v.version
            );
        }
    }
    if done.state == wanted {
        return Ok(());
    }
    let reason = done
        .last_error
        .clone()
        .unwrap_or_else(|| "no reason recorded".into());
    let hint = match done.state {
        DeploymentState::Stalled if reason.contains("not managed by Coffer") => format!(
            "; to let Coffer write over it: coffer secret adopt {} --to {}",
            done.secret, done.target.manager
        ),
        DeploymentState::Stalled | DeploymentState::UpdatingError => format!(
            "; after fixing it: coffer secret retry {} --to {}",
            done.secret, done.target.manager
        ),
        _ => String::new(),
    };
    Err(Failure::Deployment(format!(
        "deployment of {} to {}:{} is {}: {reason}{hint}",
        done.secret,
        done.target.manager,
        done.target.remote_name,
        done.state.as_str()
    )))
}

/// `coffer secret deploy SECRET --to MANAGER [--as REMOTE]`: records the
/// deployment (or reuses the live one, to push a newer version) and pushes it.
pub fn deploy(
    g: &Global,
    out: Out,
    target: &DeploymentArgs,
    remote_name: Option<&str>,
) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let remote_name = remote_name.unwrap_or(&target.name).to_owned();
    let secret = SecretRef::in_org(&target.org, &target.name);
    let existing = vault.deployments_of_secret(&secret)?.into_iter().find(|d| {
        d.target.manager.eq_ignore_ascii_case(&target.manager)
            && d.target.remote_name == remote_name
            && d.state != DeploymentState::End
    });
    let id = match existing {
        Some(d) => d.id,
        None => {
            vault
                .create_deployment(
                    &secret,
                    &DeploymentTarget {
                        manager: target.manager.clone(),
                        remote_name,
                    },
                )?
                .id
        }
    };
    push(&mut vault, out, id, false)
}

/// `coffer secret retry`: IMCO retry, then the push.
pub fn retry(g: &Global, out: Out, target: &DeploymentArgs) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find_deployment(&vault, target)?;
    let d = vault.retry_deployment(d.id)?;
    push(&mut vault, out, d.id, false)
}

/// `coffer secret adopt`: Coffer may write over the remote, then the push.
pub fn adopt(g: &Global, out: Out, target: &DeploymentArgs) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find_deployment(&vault, target)?;
    let d = vault.adopt_deployment(d.id)?;
    push(&mut vault, out, d.id, false)
}

/// `coffer secret decommission`: confirmed as `MANAGER:REMOTE` (typed on a
/// terminal, or `--yes`), then the remote delete.
pub fn decommission(
    g: &Global,
    out: Out,
    target: &DeploymentArgs,
    yes: bool,
) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find_deployment(&vault, target)?;
    let expected = format!("{}:{}", d.target.manager, d.target.remote_name);
    let confirm = if yes {
        expected.clone()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(Error::invalid(
                "yes",
                format!(
                    "decommissioning deletes {expected} in the key vault: confirm on a terminal or pass --yes"
                ),
            )
            .into());
        }
        eprint!("This deletes {expected} in the key vault. Type {expected} to confirm: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Error::Internal(format!("reading the confirmation: {e}")))?;
        line.trim().to_owned()
    };
    let d = vault.decommission_deployment(d.id, &confirm)?;
    if d.state == DeploymentState::End {
        if out.json {
            out.json(&d)?;
        } else {
            println!(
                "Ended the import link {expected} (the remote secret is not Coffer's to delete)."
            );
        }
        return Ok(());
    }
    push(&mut vault, out, d.id, true)
}
