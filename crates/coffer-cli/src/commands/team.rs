//! `coffer team` (teams of a shared organization) and `coffer secret access`
//! (access rules, visibility, owner of a shared secret). Each command is a
//! few lines over coffer-team's API.

use coffer_core::Error;
use coffer_team::{AccessChange, Level, RulesChange, SecretAccess, TeamVault, Visibility};
use serde::Deserialize;

use crate::args::{AccessCommand, Global, TeamCommand};
use crate::input;
use crate::output::{Failure, Out, pairs, table};
use crate::unlock;

/// Runs a `coffer team` command.
pub fn run(g: &Global, out: Out, command: TeamCommand) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let now = vault.now();
    let mut tv = TeamVault::open(&mut vault, None)?;
    let team = match command {
        TeamCommand::List { org } => {
            let teams = tv.teams(&org)?;
            if out.json {
                out.json(&teams)?;
            } else if teams.is_empty() {
                println!("No teams in {org}.");
            } else {
                let rows: Vec<Vec<String>> = teams
                    .iter()
                    .map(|t| vec![t.name.clone(), t.members.len().to_string(), t.id.clone()])
                    .collect();
                table(&["TEAM", "MEMBERS", "ID"], &rows);
            }
            return Ok(());
        }
        TeamCommand::Members { team, org } => {
            let members = tv.team_members(&org, &team)?;
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
                        ]
                    })
                    .collect();
                table(&["ID", "NAME", "ROLE"], &rows);
            }
            return Ok(());
        }
        TeamCommand::RemoveMember { team, member, org } => {
            let removed = tv.remove_team_member(&org, &team, &member, now)?;
            if out.json {
                out.json(&removed)?;
            } else {
                pairs(&[
                    ("team", removed.team.name.clone()),
                    ("removed", removed.member_id.clone()),
                    ("new key epoch", removed.team.epoch.to_string()),
                ]);
                if !removed.to_rotate.is_empty() {
                    out.note(&format!(
                        "The member could read the values of {} secret(s) the team has rules \
                         on; a value that was read cannot be taken back: rotate them ({}).",
                        removed.to_rotate.len(),
                        removed.to_rotate.join(", ")
                    ));
                }
            }
            return Ok(());
        }
        TeamCommand::Add { name, org } => tv.create_team(&org, &name, now)?,
        TeamCommand::AddMember { team, member, org } => {
            tv.add_team_member(&org, &team, &member, now)?
        }
        TeamCommand::Rename {
            team,
            new_name,
            org,
        } => tv.rename_team(&org, &team, &new_name, now)?,
        TeamCommand::Delete { team, org } => tv.delete_team(&org, &team, now)?,
    };
    if out.json {
        out.json(&team)?;
    } else {
        pairs(&[
            ("team", team.name.clone()),
            ("id", team.id.clone()),
            ("members", team.members.len().to_string()),
            ("key epoch", team.epoch.to_string()),
        ]);
    }
    Ok(())
}

/// One element of a bulk update (Concord's `{team, level}`; `teamName`
/// and `teamId` are accepted too).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkRule {
    #[serde(alias = "teamName", alias = "teamId")]
    team: String,
    level: String,
}

/// Runs a `coffer secret access` command (shared organizations only).
pub fn access(g: &Global, out: Out, command: AccessCommand) -> Result<(), Failure> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let now = vault.now();
    let (target, change) = match command {
        AccessCommand::List { target } => (target, None),
        AccessCommand::Set {
            target,
            team,
            level,
            visibility,
            owner,
        } => {
            let rules = match (team, level) {
                (Some(team), Some(level)) => RulesChange::Set {
                    team,
                    level: match level.trim().to_ascii_lowercase().as_str() {
                        "none" => None,
                        _ => Some(Level::parse(&level)?),
                    },
                },
                _ => RulesChange::Keep,
            };
            let visibility = visibility.as_deref().map(Visibility::parse).transpose()?;
            if matches!(rules, RulesChange::Keep) && visibility.is_none() && owner.is_none() {
                return Err(Error::invalid(
                    "access",
                    "give --team with --level, --visibility or --owner",
                )
                .into());
            }
            let change = AccessChange {
                visibility,
                owner,
                rules,
            };
            (target, Some(change))
        }
        AccessCommand::Bulk { target, file } => {
            let bytes = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                    .map_err(|e| Error::invalid("rules", format!("standard input: {e}")))?;
                buf
            } else {
                input::read_file("rules", &file)?.to_vec()
            };
            let list: Vec<BulkRule> = serde_json::from_slice(&bytes).map_err(|e| {
                Error::invalid(
                    "rules",
                    format!("expected a JSON list of {{\"team\": ..., \"level\": ...}}: {e}"),
                )
            })?;
            let rules = list
                .into_iter()
                .map(|r| Ok((r.team, Level::parse(&r.level)?)))
                .collect::<coffer_team::Result<Vec<_>>>()?;
            let change = AccessChange {
                rules: RulesChange::Replace(rules),
                ..AccessChange::default()
            };
            (target, Some(change))
        }
    };
    if !coffer_team::is_shared_org(&mut vault, &target.org)? {
        return Err(Error::invalid(
            "org",
            format!(
                "{:?} is not a shared organization: access rules are for team vaults",
                target.org
            ),
        )
        .into());
    }
    let mut tv = TeamVault::open(&mut vault, None)?;
    let access = match change {
        None => tv.secret_access(&target.org, &target.name)?,
        Some(change) => tv.change_access(&target.org, &target.name, &change, now)?,
    };
    show(out, &access)
}

fn show(out: Out, access: &SecretAccess) -> Result<(), Failure> {
    if out.json {
        return Ok(out.json(access)?);
    }
    pairs(&[
        ("secret", access.name.clone()),
        ("visibility", access.visibility.clone()),
        ("owner", access.owner.clone()),
        (
            "your level",
            access
                .my_level
                .clone()
                .unwrap_or_else(|| "none (read only)".into()),
        ),
    ]);
    if access.rules.is_empty() {
        println!("No access rules.");
    } else {
        let rows: Vec<Vec<String>> = access
            .rules
            .iter()
            .map(|r| vec![r.team.clone(), r.level.clone(), r.team_id.clone()])
            .collect();
        table(&["TEAM", "LEVEL", "ID"], &rows);
    }
    Ok(())
}
