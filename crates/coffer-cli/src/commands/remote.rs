//! Commands that call a key vault: `manager test|browse|import` and
//! `secret deploy|retry|decommission|adopt`. Each builds its own client
//! (credentials read from the connection's secret, audited) and runs
//! synchronously, progress on stderr; nothing is cached beyond the command.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use coffer_core::remote::{Deployment, DeploymentState, DeploymentTarget, Manager};
use coffer_core::secret::{SecretRef, SecretType};
use coffer_core::{Error, Vault};
use coffer_remote::{
    AnyVault, ConnectOptions, DeployOptions, Engine, ImportItem, KeyVault, RateLimiter,
    RemoteSecret, connect, credentials_for, import_many,
};
use serde_json::json;

use crate::args::{DeploymentTarget as TargetArgs, Global};
use crate::output::{Failure, Out, relative, table};
use crate::unlock;

type RemoteResult<T> = coffer_remote::Result<T>;

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Core(Error::Internal(format!("starting the async runtime: {e}"))))
}

fn remote(e: coffer_remote::Error) -> Failure {
    match e {
        coffer_remote::Error::Core(e) => Failure::Core(e),
        other => Failure::Remote(other),
    }
}

/// The connection and a client for it; its credentials are used for `purpose`.
async fn client(vault: &mut Vault, name: &str, purpose: &str) -> RemoteResult<(Manager, AnyVault)> {
    let manager = vault.manager(name)?;
    let credentials = credentials_for(vault, name, purpose)?;
    let options = ConnectOptions {
        vault_id: Some(vault.id()),
        ..ConnectOptions::default()
    };
    let client = connect(&manager, credentials, &options).await?;
    Ok((manager, client))
}

/// `coffer manager test NAME`.
pub fn test(g: &Global, out: Out, name: &str) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let started = Instant::now();
    let result = runtime()?.block_on(async {
        let (_, client) = client(&mut vault, name, "test").await?;
        client.probe().await
    });
    match result {
        Ok(probe) => {
            if out.json {
                out.json(&json!({
                    "manager": name, "ok": true, "checked": probe.checked,
                    "latency_ms": probe.latency_ms,
                }))?;
            } else {
                println!("{name}: ok in {} ms", probe.latency_ms);
                println!("checked: {}", probe.checked);
            }
            Ok(())
        }
        Err(coffer_remote::Error::Core(e)) => Err(Failure::Core(e)),
        Err(e) => {
            let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            if out.json {
                out.json(&json!({
                    "manager": name, "ok": false, "class": e.class(), "message": e.to_string(),
                    "hint": e.class().map(|c| c.hint()), "latency_ms": latency,
                }))?;
            } else {
                println!("{name}: failed after {latency} ms");
            }
            Err(Failure::Remote(e))
        }
    }
}

/// `coffer manager browse NAME [--prefix P] [--limit N]`: names, never values.
pub fn browse(g: &Global, out: Out, name: &str, prefix: &str, limit: u32) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let limit = limit.max(1);
    let (items, more) = runtime()?
        .block_on(async {
            let (_, client) = client(&mut vault, name, "browse").await?;
            let mut items: Vec<RemoteSecret> = Vec::new();
            let mut page = None;
            loop {
                let room = limit.saturating_sub(u32::try_from(items.len()).unwrap_or(u32::MAX));
                let found = client.list(prefix, page, room.clamp(1, 100)).await?;
                items.extend(found.items);
                page = found.next;
                if page.is_none() || items.len() >= limit as usize {
                    break;
                }
            }
            let more = page.is_some() || items.len() > limit as usize;
            items.truncate(limit as usize);
            vault.audit_remote("remote.list", name, prefix, "ok")?;
            Ok((items, more))
        })
        .map_err(remote)?;
    if out.json {
        return Ok(out.json(&json!({ "items": items, "more": more }))?);
    }
    if items.is_empty() {
        if prefix.is_empty() {
            println!("No remote secrets.");
        } else {
            println!("No remote secret starts with {prefix}.");
        }
        return Ok(());
    }
    let now = vault.now();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.updated_at
                    .map_or_else(|| "-".into(), |t| relative(t, now)),
                s.versions.map_or_else(|| "-".into(), |v| v.to_string()),
                if s.managed { "coffer" } else { "-" }.to_owned(),
                s.tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table(&["NAME", "CHANGED", "VERSIONS", "MANAGED", "TAGS"], &rows);
    if more {
        out.note(&format!(
            "(more than {limit}: raise --limit or narrow --prefix)"
        ));
    }
    Ok(())
}

/// `coffer manager import NAME REMOTE... [--type T]`: one local secret per
/// remote one, under the same name; progress on stderr; exit 7 if any failed.
pub fn import(
    g: &Global,
    out: Out,
    name: &str,
    remotes: &[String],
    kind: Option<&str>,
) -> Result<(), Failure> {
    let kind = kind.map(SecretType::parse).transpose()?;
    let mut vault = unlock::open_unlocked(g, out)?;
    let items: Vec<ImportItem> = remotes
        .iter()
        .map(|remote| ImportItem {
            remote_name: remote.clone(),
            remote_id: None,
            local_name: remote.clone(),
            kind,
            description: format!("Imported from {name}"),
        })
        .collect();
    let outcomes = runtime()?
        .block_on(async {
            let (manager, client) = client(&mut vault, name, "import").await?;
            let mut progress = |p: &coffer_remote::ImportProgress| {
                out.note(&format!(
                    "[{}/{}] {} {}",
                    p.done,
                    p.total,
                    p.remote_name,
                    if p.imported { "imported" } else { "failed" }
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
        })
        .map_err(remote)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if out.json {
        out.json(&outcomes)?;
    } else {
        for o in &outcomes {
            match &o.error {
                None => println!("imported {} as {}", o.remote_name, o.local_name),
                Some(why) => println!("not imported {}: {why}", o.remote_name),
            }
        }
    }
    if failed > 0 {
        return Err(Failure::Core(Error::invalid(
            "import",
            format!(
                "{failed} of {} remote secrets were not imported",
                outcomes.len()
            ),
        )));
    }
    Ok(())
}

fn find(vault: &Vault, target: &TargetArgs) -> Result<Deployment, Failure> {
    let secret = SecretRef::in_org(&target.org, &target.name);
    vault
        .deployments_of_secret(&secret)?
        .into_iter()
        .rev()
        .find(|d| {
            d.target.manager.eq_ignore_ascii_case(&target.manager)
                && d.state != DeploymentState::End
        })
        .ok_or_else(|| {
            Failure::Core(Error::NotFound {
                what: "deployment",
                name: format!("of {}:{} to {}", target.org, target.name, target.manager),
            })
        })
}

/// Runs a deployment until it rests, printing each state on stderr.
fn push(g: &Global, out: Out, mut vault: Vault, id: i64, manager: &str) -> Result<(), Failure> {
    let d = runtime()?
        .block_on(async {
            let (manager, client) = client(&mut vault, manager, "deploy").await?;
            let limiter = RateLimiter::new(manager.spec.writes_per_sec);
            let options = DeployOptions::default();
            let engine = Engine {
                manager: &manager.spec.name,
                kind: manager.spec.settings.kind(),
                client: &client,
                limiter: &limiter,
                options: &options,
            };
            let mut last = None;
            let mut progress = |d: &Deployment| {
                if last != Some(d.state) {
                    last = Some(d.state);
                    out.note(&format!(
                        "{}:{} {}",
                        d.target.manager,
                        d.target.remote_name,
                        d.state.as_str()
                    ));
                }
            };
            engine.run(&mut vault, id, &mut progress).await
        })
        .map_err(remote)?;
    let _ = g;
    report(out, &vault, &d)
}

fn report(out: Out, vault: &Vault, d: &Deployment) -> Result<(), Failure> {
    if out.json {
        out.json(d)?;
    } else {
        super::manager::print_deployments(std::slice::from_ref(d), vault.now());
    }
    match d.state {
        DeploymentState::Stalled => Err(Failure::Core(Error::invalid(
            "deployment",
            format!(
                "{}:{} is stalled: {}",
                d.target.manager,
                d.target.remote_name,
                d.last_error.clone().unwrap_or_default()
            ),
        ))),
        DeploymentState::UpdatingError => Err(Failure::Core(Error::Internal(format!(
            "{}:{} failed: {}",
            d.target.manager,
            d.target.remote_name,
            d.last_error.clone().unwrap_or_default()
        )))),
        _ => Ok(()),
    }
}

/// `coffer secret deploy NAME --to MANAGER [--as REMOTE]`.
pub fn deploy(
    g: &Global,
    out: Out,
    target: &TargetArgs,
    remote_name: Option<&str>,
) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = vault.create_deployment(
        &SecretRef::in_org(&target.org, &target.name),
        &DeploymentTarget {
            manager: target.manager.clone(),
            remote_name: remote_name.unwrap_or(&target.name).to_owned(),
        },
    )?;
    push(g, out, vault, d.id, &target.manager)
}

/// `coffer secret retry NAME --to MANAGER`: pushes again (a stalled, failed
/// or interrupted deployment, or one with a newer local version).
pub fn retry(g: &Global, out: Out, target: &TargetArgs) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find(&vault, target)?;
    if matches!(
        d.state,
        DeploymentState::Stalled | DeploymentState::UpdatingError
    ) {
        vault.retry_deployment(d.id)?;
    }
    push(g, out, vault, d.id, &target.manager)
}

/// `coffer secret adopt NAME --to MANAGER`.
pub fn adopt(g: &Global, out: Out, target: &TargetArgs) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find(&vault, target)?;
    vault.adopt_deployment(d.id)?;
    push(g, out, vault, d.id, &target.manager)
}

/// `coffer secret decommission NAME --from MANAGER [--yes]`: asks, naming the remote.
pub fn decommission(g: &Global, out: Out, target: &TargetArgs, yes: bool) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let d = find(&vault, target)?;
    let remote = format!("{}:{}", d.target.manager, d.target.remote_name);
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Core(Error::invalid(
                "confirm",
                format!("deleting {remote} remotely needs a confirmation: pass --yes"),
            )));
        }
        eprint!("Delete {remote} in the key vault? Type {remote} to confirm: ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Failure::Core(Error::Internal(format!("reading the answer: {e}"))))?;
        if answer.trim() != remote {
            return Err(Failure::Core(Error::invalid(
                "confirm",
                "not confirmed; nothing was deleted",
            )));
        }
    }
    vault.decommission_deployment(d.id, &remote)?;
    push(g, out, vault, d.id, &target.manager)
}
