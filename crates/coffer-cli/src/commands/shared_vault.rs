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
            name,
            org,
            print_sql,
        } => {
            let options = CreateOptions {
                connection: url,
                password_secret,
                ca_secret,
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
        } => {
            let ticket = input::read_password_file("ticket", &ticket_file)?;
            let status = coffer_team::join(&mut vault, &ticket, &name, ca_secret)?;
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
