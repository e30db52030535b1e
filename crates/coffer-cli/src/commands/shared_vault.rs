//! `coffer shared-vault`: a team vault on PostgreSQL. Each command is a few
//! lines over coffer-team's API; secrets (tickets) go to stdout only.

use coffer_core::ExposeSecret;
use coffer_team::{CreateOptions, Role, TeamVault};
use serde_json::json;

use crate::args::{Global, SharedVaultCommand};
use crate::input;
use crate::output::{Failure, Out, pairs, table, when};
use crate::unlock;

/// Runs a `coffer shared-vault` command.
pub fn run(g: &Global, out: Out, command: SharedVaultCommand) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    match command {
        SharedVaultCommand::Create {
            url,
            password_secret,
            ca_secret,
            client_cert,
            name,
            org,
            print_sql,
        } => {
            let options = CreateOptions {
                connection: url,
                password_secret,
                ca_secret,
                client_cert,
                display_name: name,
                org_name: org,
            };
            let created = coffer_team::create(&mut vault, &options, print_sql)?;
            if out.json {
                out.json(&created)?;
            } else if let Some(sql) = &created.sql {
                print!("{sql}");
                out.note(&format!(
                    "Hand this SQL to a database administrator. Your identity for team vault {} \
                     is kept in this vault; your fingerprint is {}.",
                    created.team_id, created.fingerprint
                ));
            } else {
                pairs(&[
                    ("team vault", created.team_id.clone()),
                    ("server", created.server.clone()),
                    ("you", format!("administrator {}", created.member_id)),
                    ("fingerprint", created.fingerprint.clone()),
                ]);
            }
        }
        SharedVaultCommand::Invite {
            role,
            expires_in,
            team,
        } => {
            let role = Role::parse(&role)?;
            let now = vault.now();
            let invitation = TeamVault::open(&mut vault, team.as_deref())?.invite(
                role,
                i64::from(expires_in) * 3600,
                now,
            )?;
            if out.json {
                out.json(&json!({
                    "id": invitation.id,
                    "ticket": invitation.ticket.expose_secret(),
                    "expires_at": invitation.expires_at,
                }))?;
            } else {
                println!("{}", invitation.ticket.expose_secret());
                out.note(&format!(
                    "Hand this ticket over out of band; it works once, until {}. Then compare \
                     the member's fingerprint before `coffer shared-vault confirm`.",
                    when(invitation.expires_at, now)
                ));
            }
        }
        SharedVaultCommand::Join {
            ticket_file,
            name,
            ca_secret,
            client_cert,
        } => {
            let ticket = input::read_password_file("ticket", &ticket_file)?;
            let options = coffer_team::JoinOptions {
                ca_secret,
                client_cert,
            };
            let status = coffer_team::join_with(&mut vault, &ticket, &name, &options)?;
            if out.json {
                out.json(&status)?;
            } else {
                pairs(&[
                    ("team vault", status.team_id.clone()),
                    ("you", format!("pending member {}", status.member_id)),
                    ("fingerprint", status.fingerprint.clone()),
                ]);
                out.note("Read your fingerprint to an administrator, who confirms it.");
            }
        }
        SharedVaultCommand::Confirm {
            member,
            fingerprint,
            team,
        } => {
            let now = vault.now();
            let confirmed = TeamVault::open(&mut vault, team.as_deref())?.confirm(
                &member,
                &fingerprint,
                now,
            )?;
            if out.json {
                out.json(&confirmed)?;
            } else {
                pairs(&[
                    ("member", confirmed.id.clone()),
                    ("name", confirmed.display_name.clone().unwrap_or_default()),
                    ("role", confirmed.role.clone()),
                    ("status", confirmed.status.clone()),
                ]);
            }
        }
        SharedVaultCommand::Members { team } => {
            let members = TeamVault::open(&mut vault, team.as_deref())?.members()?;
            if out.json {
                out.json(&members)?;
            } else {
                let rows: Vec<Vec<String>> = members
                    .iter()
                    .map(|m| {
                        vec![
                            m.id.clone(),
                            m.display_name.clone().unwrap_or_else(|| "-".into()),
                            m.role.clone(),
                            m.status.clone(),
                            m.fingerprint.clone(),
                        ]
                    })
                    .collect();
                table(&["ID", "NAME", "ROLE", "STATUS", "FINGERPRINT"], &rows);
            }
        }
        SharedVaultCommand::Remove { member, yes, team } => {
            confirm_removal(&member, yes)?;
            let removed = coffer_team::remove(&mut vault, team.as_deref(), &member)?;
            if out.json {
                out.json(&removed)?;
            } else {
                pairs(&[
                    ("removed", removed.member_id.clone()),
                    (
                        "name",
                        removed.display_name.clone().unwrap_or_else(|| "-".into()),
                    ),
                    ("new key epoch", removed.epoch.to_string()),
                    ("organizations", removed.organizations_rekeyed.to_string()),
                ]);
                if removed.to_rotate.is_empty() {
                    println!("No shared secret to rotate.");
                } else {
                    println!("Rotate these secrets' values (the member could read them):");
                    for s in &removed.to_rotate {
                        println!("  {} ({})", s.name, s.secret_id);
                    }
                }
                out.note(
                    "The member can read nothing written from now on, but a key or value they \
                     already read cannot be taken back: rotate what they could read.",
                );
            }
        }
        SharedVaultCommand::Invitations { team } => {
            let now = vault.now();
            let list = TeamVault::open(&mut vault, team.as_deref())?.invitations()?;
            if out.json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|i| json!({ "state": i.state(now), "invitation": i }))
                    .collect();
                out.json(&rows)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.clone(),
                            i.role.clone(),
                            when(i.expires_at, now),
                            i.state(now).to_owned(),
                        ]
                    })
                    .collect();
                table(&["ID", "ROLE", "EXPIRES", "STATE"], &rows);
            }
        }
        SharedVaultCommand::Revoke { invitation, team } => {
            let now = vault.now();
            let revoked = TeamVault::open(&mut vault, team.as_deref())?.revoke(&invitation, now)?;
            if out.json {
                out.json(&revoked)?;
            } else {
                println!(
                    "Revoked invitation {}: its ticket no longer works.",
                    revoked.id
                );
            }
        }
        SharedVaultCommand::OfflineUse { org, on, off, team } => {
            let now = vault.now();
            let mut tv = TeamVault::open(&mut vault, team.as_deref())?;
            if on || off {
                tv.set_offline_use(&org, on, now)?;
            }
            let allowed = tv.offline_use(&org)?;
            if out.json {
                out.json(&json!({ "org": org, "offline_use": allowed }))?;
            } else if allowed {
                println!(
                    "{org}: offline use on (reveals and uses from the replica are queued for the \
                     audit)"
                );
            } else {
                println!("{org}: offline use off (reveals and uses need the server)");
            }
        }
        SharedVaultCommand::Audit {
            limit,
            verify,
            team,
        } => {
            let now = vault.now();
            let entries = TeamVault::open(&mut vault, team.as_deref())?.audit_entries()?;
            let name = |e: &coffer_team::AuditEntry| {
                e.actor_name.clone().unwrap_or_else(|| e.actor.clone())
            };
            if verify {
                let last = entries.last();
                if out.json {
                    out.json(&json!({
                        "verified": true,
                        "entries": entries.len(),
                        "last": last,
                    }))?;
                } else if let Some(last) = last {
                    println!(
                        "chain verified: {} entries, last by {} at {}",
                        entries.len(),
                        name(last),
                        when(last.at, now)
                    );
                } else {
                    println!("chain verified: 0 entries");
                }
            } else {
                let skip = limit.map_or(0, |n| entries.len().saturating_sub(n));
                let shown = &entries[skip..];
                if out.json {
                    out.json(&shown)?;
                } else {
                    let rows: Vec<Vec<String>> = shown
                        .iter()
                        .map(|e| {
                            vec![
                                e.seq.to_string(),
                                when(e.at, now),
                                name(e),
                                e.action.clone(),
                                match &e.note {
                                    Some(note) => format!("{} ({note})", e.target),
                                    None => e.target.clone(),
                                },
                            ]
                        })
                        .collect();
                    table(&["#", "TIME", "MEMBER", "ACTION", "TARGET"], &rows);
                }
            }
        }
        SharedVaultCommand::Status { team } => {
            let status = coffer_team::status(&mut vault, team.as_deref())?;
            if out.json {
                out.json(&status)?;
            } else {
                let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                pairs(&[
                    ("team vault", status.team_id.clone()),
                    ("server", status.server.clone()),
                    ("member", status.member_id.clone()),
                    ("state", status.state.clone()),
                    ("role", opt(status.role.clone())),
                    ("fingerprint", status.fingerprint.clone()),
                    ("schema", opt(status.schema_version.map(|v| v.to_string()))),
                    ("revision", opt(status.revision.map(|v| v.to_string()))),
                ]);
            }
        }
    }
    Ok(())
}

/// Removing a member is asked for on a terminal, or taken with --yes.
fn confirm_removal(member: &str, yes: bool) -> Result<(), Failure> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(coffer_core::Error::invalid(
            "yes",
            "removing a member re-keys the team vault: confirm on a terminal or pass --yes",
        )
        .into());
    }
    eprint!("Remove member {member} from the team vault? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| coffer_core::Error::Internal(format!("reading the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        eprintln!("Nothing removed.");
        Err(Failure::Exit(1))
    }
}
