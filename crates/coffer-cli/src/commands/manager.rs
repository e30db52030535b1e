//! `coffer manager`: connections to key vaults. A connection names the
//! Coffer secret that holds its credentials; it never stores a value.

use coffer_core::remote::Deployment;
use coffer_core::remote::{
    AwsAuth, AwsSettings, AzureAuth, AzureSettings, Manager, ManagerSettings, ManagerSpec,
};
use coffer_core::secret::SecretRef;
use coffer_core::{Error, Result, Timestamp};
use serde_json::json;

use crate::args::{Global, ManagerAdd, ManagerCommand, ManagerEdit};
use crate::commands::keyvault;
use crate::output::{Failure, Out, pairs, relative, table};
use crate::unlock;

/// Runs a `coffer manager` command.
pub fn run(g: &Global, out: Out, command: ManagerCommand) -> Result<(), Failure> {
    match command {
        ManagerCommand::Add(add) => add_manager(g, out, &add),
        ManagerCommand::Edit(edit) => Ok(edit_manager(g, out, &edit)?),
        ManagerCommand::List => Ok(list(g, out)?),
        ManagerCommand::Show { name } => Ok(show(g, out, &name)?),
        ManagerCommand::Delete { name } => Ok(delete(g, out, &name)?),
        ManagerCommand::Test { name } => keyvault::test(g, out, &name),
        ManagerCommand::Browse {
            name,
            prefix,
            page_size,
            all,
            page,
        } => keyvault::browse(g, out, &name, &prefix, page_size, all, page),
        ManagerCommand::Import {
            name,
            remote,
            kind,
            local,
        } => keyvault::import(g, out, &name, &remote, kind.as_deref(), local.as_deref()),
    }
}

/// The connection the options describe (clap has already refused options
/// of the other service, and a service missing).
pub fn spec_of(add: &ManagerAdd) -> Result<ManagerSpec> {
    let settings = match (&add.aws_region, &add.azure_vault_uri) {
        (Some(region), None) => ManagerSettings::Aws(AwsSettings {
            region: region.trim().to_owned(),
            endpoint: add.endpoint.as_ref().map(|e| e.trim().to_owned()),
            auth: match &add.access_key_secret {
                Some(secret) => AwsAuth::AccessKey {
                    secret: secret.trim().to_owned(),
                },
                None => AwsAuth::Implicit {
                    profile: add.profile.clone(),
                },
            },
        }),
        (None, Some(uri)) => ManagerSettings::Azure(AzureSettings {
            vault_uri: uri.trim().to_owned(),
            tenant: add.tenant.clone().unwrap_or_default().trim().to_owned(),
            authority_host: add.authority_host.clone(),
            auth: match &add.client_secret_secret {
                Some(secret) => AzureAuth::ClientSecret {
                    secret: secret.trim().to_owned(),
                },
                None => AzureAuth::Implicit,
            },
        }),
        _ => {
            return Err(Error::invalid(
                "service",
                "give --aws-region or --azure-vault-uri (one of them)",
            ));
        }
    };
    Ok(ManagerSpec {
        name: add.name.trim().to_owned(),
        org: add.org.clone(),
        settings,
        cache_ttl_secs: add.ttl,
        stale_if_error_secs: add.stale_if_error,
        writes_per_sec: add.writes_per_sec,
    })
}

/// `current` with the options of `edit` applied: a given option replaces
/// its setting, the others stay. Naming the other service's address
/// (`--aws-region` on an Azure connection) switches the service.
pub fn edited(current: &ManagerSpec, edit: &ManagerEdit) -> Result<ManagerSpec> {
    let trim = |s: &String| s.trim().to_owned();
    let mut spec = current.clone();
    if let Some(name) = &edit.rename {
        spec.name = trim(name);
    }
    if let Some(org) = &edit.org {
        spec.org = trim(org);
    }
    let to_aws = edit.aws_region.is_some() && matches!(current.settings, ManagerSettings::Azure(_));
    let to_azure =
        edit.azure_vault_uri.is_some() && matches!(current.settings, ManagerSettings::Aws(_));
    if to_aws {
        spec.settings = ManagerSettings::Aws(AwsSettings {
            region: String::new(),
            endpoint: None,
            auth: AwsAuth::Implicit { profile: None },
        });
    } else if to_azure {
        spec.settings = ManagerSettings::Azure(AzureSettings {
            vault_uri: String::new(),
            tenant: String::new(),
            authority_host: None,
            auth: AzureAuth::Implicit,
        });
    }
    match &mut spec.settings {
        ManagerSettings::Aws(aws) => {
            let azure_only = [
                ("--tenant", edit.tenant.is_some()),
                ("--authority-host", edit.authority_host.is_some()),
                (
                    "--client-secret-secret",
                    edit.client_secret_secret.is_some(),
                ),
            ];
            if let Some((option, _)) = azure_only.iter().find(|(_, given)| *given) {
                return Err(Error::invalid(
                    "service",
                    format!(
                        "{option} is for an Azure connection; {} is AWS",
                        current.name
                    ),
                ));
            }
            if let Some(region) = &edit.aws_region {
                aws.region = trim(region);
            }
            if let Some(endpoint) = &edit.endpoint {
                aws.endpoint = Some(trim(endpoint));
            }
            if edit.no_endpoint {
                aws.endpoint = None;
            }
            if let Some(secret) = &edit.access_key_secret {
                aws.auth = AwsAuth::AccessKey {
                    secret: trim(secret),
                };
            } else if edit.profile.is_some() || edit.implicit {
                aws.auth = AwsAuth::Implicit {
                    profile: edit.profile.as_ref().map(trim),
                };
            }
        }
        ManagerSettings::Azure(azure) => {
            let aws_only = [
                ("--endpoint", edit.endpoint.is_some() || edit.no_endpoint),
                ("--profile", edit.profile.is_some()),
                ("--access-key-secret", edit.access_key_secret.is_some()),
            ];
            if let Some((option, _)) = aws_only.iter().find(|(_, given)| *given) {
                return Err(Error::invalid(
                    "service",
                    format!(
                        "{option} is for an AWS connection; {} is Azure",
                        current.name
                    ),
                ));
            }
            if let Some(uri) = &edit.azure_vault_uri {
                azure.vault_uri = trim(uri);
            }
            if let Some(tenant) = &edit.tenant {
                azure.tenant = trim(tenant);
            }
            if let Some(host) = &edit.authority_host {
                azure.authority_host = Some(trim(host)).filter(|h| !h.is_empty());
            }
            if let Some(secret) = &edit.client_secret_secret {
                azure.auth = AzureAuth::ClientSecret {
                    secret: trim(secret),
                };
            } else if edit.implicit {
                azure.auth = AzureAuth::Implicit;
            }
        }
    }
    if let Some(ttl) = edit.ttl {
        spec.cache_ttl_secs = ttl;
    }
    if let Some(stale) = edit.stale_if_error {
        spec.stale_if_error_secs = stale;
    }
    if let Some(writes) = edit.writes_per_sec {
        spec.writes_per_sec = writes;
    }
    Ok(spec)
}

fn edit_manager(g: &Global, out: Out, edit: &ManagerEdit) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let current = vault.manager(&edit.name)?;
    let spec = edited(&current.spec, edit)?;
    if spec == current.spec {
        return Err(Error::invalid(
            "options",
            "nothing to change: give the settings to change (see coffer manager edit --help)",
        ));
    }
    let manager = vault.update_manager(&current.spec.name, spec)?;
    if out.json {
        return out.json(&manager);
    }
    println!(
        "Changed connection {} ({}, {}; {}).",
        manager.spec.name,
        kind_of(&manager.spec),
        where_of(&manager.spec),
        auth_of(&manager.spec)
    );
    out.note(&format!(
        "Test it with: coffer manager test {}",
        manager.spec.name
    ));
    Ok(())
}

/// Where a connection points, in a few words.
pub fn where_of(spec: &ManagerSpec) -> String {
    match &spec.settings {
        ManagerSettings::Aws(aws) => match &aws.endpoint {
            Some(endpoint) => format!("{} ({endpoint})", aws.region),
            None => aws.region.clone(),
        },
        ManagerSettings::Azure(azure) => azure.vault_uri.clone(),
    }
}

/// How it authenticates, in a few words.
pub fn auth_of(spec: &ManagerSpec) -> String {
    match &spec.settings {
        ManagerSettings::Aws(AwsSettings { auth, .. }) => match auth {
            AwsAuth::AccessKey { secret } => format!("access key in {secret}"),
            AwsAuth::Implicit { profile: Some(p) } => format!("profile {p}"),
            AwsAuth::Implicit { profile: None } => "default credential chain".into(),
        },
        ManagerSettings::Azure(AzureSettings { auth, .. }) => match auth {
            AzureAuth::ClientSecret { secret } => format!("client secret in {secret}"),
            AzureAuth::Implicit => "platform credentials".into(),
        },
    }
}

fn kind_of(spec: &ManagerSpec) -> &'static str {
    match spec.settings {
        ManagerSettings::Aws(_) => "aws",
        ManagerSettings::Azure(_) => "azure",
    }
}

fn add_manager(g: &Global, out: Out, add: &ManagerAdd) -> Result<(), Failure> {
    let spec = spec_of(add)?;
    let mut vault = unlock::open_unlocked(g, out)?;
    let manager = vault.add_manager(spec)?;
    if out.json {
        return Ok(out.json(&manager)?);
    }
    println!(
        "Added connection {} ({}, {}; {}).",
        manager.spec.name,
        kind_of(&manager.spec),
        where_of(&manager.spec),
        auth_of(&manager.spec)
    );
    out.note(&format!(
        "Test it with: coffer manager test {}",
        manager.spec.name
    ));
    Ok(())
}

fn list(g: &Global, out: Out) -> Result<()> {
    let vault = unlock::open(g)?;
    let managers = vault.managers()?;
    if out.json {
        return out.json(&managers);
    }
    if managers.is_empty() {
        println!("No connections. Add one with: coffer manager add NAME --aws-region REGION");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = managers
        .iter()
        .map(|m| {
            vec![
                m.spec.name.clone(),
                kind_of(&m.spec).into(),
                where_of(&m.spec),
                auth_of(&m.spec),
            ]
        })
        .collect();
    table(&["NAME", "SERVICE", "WHERE", "CREDENTIALS"], &rows);
    Ok(())
}

fn show(g: &Global, out: Out, name: &str) -> Result<()> {
    let vault = unlock::open(g)?;
    let manager = vault.manager(name)?;
    let used_by = vault.jobs_using_manager(name)?;
    if out.json {
        return out.json(&json!({ "manager": manager, "used_by": used_by }));
    }
    let now = vault.now();
    print_manager(&manager, now);
    if used_by.is_empty() {
        println!("Used by      no job");
    } else {
        for (i, u) in used_by.iter().enumerate() {
            let label = if i == 0 { "Used by" } else { "" };
            println!(
                "{label:<12} job {}:{} reads {}",
                u.org,
                u.job,
                u.remote_names.join(", ")
            );
        }
    }
    Ok(())
}

fn print_manager(manager: &Manager, now: Timestamp) {
    let spec = &manager.spec;
    pairs(&[
        ("Name", spec.name.clone()),
        ("Service", kind_of(spec).into()),
        ("Where", where_of(spec)),
        ("Credentials", auth_of(spec)),
        ("Org", spec.org.clone()),
        ("Cache TTL", format!("{} s", spec.cache_ttl_secs)),
        ("Stale if error", format!("{} s", spec.stale_if_error_secs)),
        ("Writes/s", spec.writes_per_sec.to_string()),
        ("Added", relative(manager.created_at, now)),
    ]);
}

fn delete(g: &Global, out: Out, name: &str) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    vault.delete_manager(name, false)?;
    if out.json {
        return out.json(&json!({ "deleted": name }));
    }
    println!("Deleted connection {name} (nothing was deleted in the key vault).");
    Ok(())
}

/// `coffer secret deployments [NAME]`: a secret's deployments and import
/// links, or every connection's.
pub fn deployments(g: &Global, out: Out, name: Option<&str>, org: &str) -> Result<()> {
    let vault = unlock::open(g)?;
    let list: Vec<Deployment> = match name {
        Some(name) => vault.deployments_of_secret(&SecretRef::in_org(org, name))?,
        None => {
            let mut all = Vec::new();
            for manager in vault.managers()? {
                all.extend(vault.deployments_of_manager(&manager.spec.name)?);
            }
            all
        }
    };
    if out.json {
        return out.json(&list);
    }
    if list.is_empty() {
        println!("No deployments.");
        return Ok(());
    }
    let now = vault.now();
    print_deployments(&list, now);
    Ok(())
}

/// Deployments as a table: secret, where, state, versions, last error.
pub fn print_deployments(list: &[Deployment], now: Timestamp) {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|d| {
            let last = d.versions.iter().find(|v| v.last);
            vec![
                format!("{}:{}", d.org, d.secret),
                format!("{}:{}", d.target.manager, d.target.remote_name),
                d.state.as_str().to_owned(),
                match last {
                    Some(v) => format!("{} (v{} last)", d.versions.len(), v.version),
                    None => d.versions.len().to_string(),
                },
                if d.brownfield { "imported" } else { "deployed" }.to_owned(),
                relative(d.updated_at, now),
                d.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "SECRET",
            "REMOTE",
            "STATE",
            "VERSIONS",
            "ORIGIN",
            "CHANGED",
            "LAST ERROR",
        ],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::args::{Cli, Command};

    fn edit(args: &[&str]) -> ManagerEdit {
        let mut argv = vec!["coffer", "manager", "edit"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Manager(command) => match *command {
                ManagerCommand::Edit(edit) => *edit,
                other => panic!("parsed as {other:?}"),
            },
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn an_edit_changes_only_what_it_names() {
        let current = spec_of(
            &add(&[
                "moto",
                "--aws-region",
                "us-east-1",
                "--endpoint",
                "http://127.0.0.1:5000",
                "--access-key-secret",
                "aws/ci",
            ])
            .unwrap(),
        )
        .unwrap();
        let changed = edited(
            &current,
            &edit(&["moto", "--access-key-secret", "aws/ci-2", "--ttl", "90"]),
        )
        .unwrap();
        assert_eq!(changed.cache_ttl_secs, 90);
        assert_eq!(changed.writes_per_sec, current.writes_per_sec);
        assert_eq!(auth_of(&changed), "access key in aws/ci-2");
        assert_eq!(where_of(&changed), "us-east-1 (http://127.0.0.1:5000)");
        let changed = edited(
            &current,
            &edit(&["moto", "--no-endpoint", "--profile", "sso"]),
        )
        .unwrap();
        assert_eq!(where_of(&changed), "us-east-1");
        assert_eq!(auth_of(&changed), "profile sso");
        let changed = edited(&current, &edit(&["moto", "--implicit", "--rename", "aws"])).unwrap();
        assert_eq!(changed.name, "aws");
        assert_eq!(auth_of(&changed), "default credential chain");
        // Another service's option is refused, naming it.
        let e = edited(&current, &edit(&["moto", "--tenant", "t"])).unwrap_err();
        assert!(e.to_string().contains("--tenant"), "{e}");
        // Naming the other service's address switches it.
        let azure = edited(
            &current,
            &edit(&[
                "moto",
                "--azure-vault-uri",
                "https://x.vault.azure.net/",
                "--tenant",
                "t",
            ]),
        )
        .unwrap();
        assert_eq!(kind_of(&azure), "azure");
        assert_eq!(auth_of(&azure), "platform credentials");
        let e = edited(&azure, &edit(&["moto", "--endpoint", "http://x"])).unwrap_err();
        assert!(e.to_string().contains("--endpoint"), "{e}");
    }

    fn add(args: &[&str]) -> std::result::Result<ManagerAdd, clap::Error> {
        let mut argv = vec!["coffer", "manager", "add"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv)?;
        match cli.command {
            Command::Manager(command) => match *command {
                ManagerCommand::Add(add) => Ok(*add),
                other => panic!("parsed as {other:?}"),
            },
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn aws_with_an_access_key_secret() {
        let spec = spec_of(
            &add(&[
                "moto",
                "--aws-region",
                "us-east-1",
                "--endpoint",
                "http://127.0.0.1:5000",
                "--access-key-secret",
                "aws/ci",
                "--ttl",
                "60",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(spec.name, "moto");
        assert_eq!(spec.cache_ttl_secs, 60);
        assert_eq!(
            spec.stale_if_error_secs,
            coffer_core::remote::DEFAULT_STALE_IF_ERROR_SECS
        );
        assert_eq!(
            spec.settings,
            ManagerSettings::Aws(AwsSettings {
                region: "us-east-1".into(),
                endpoint: Some("http://127.0.0.1:5000".into()),
                auth: AwsAuth::AccessKey {
                    secret: "aws/ci".into()
                },
            })
        );
        assert_eq!(auth_of(&spec), "access key in aws/ci");
    }

    #[test]
    fn azure_with_a_client_secret() {
        let spec = spec_of(
            &add(&[
                "kv",
                "--azure-vault-uri",
                "https://kv.vault.azure.net/",
                "--tenant",
                "t.example.com",
                "--client-secret-secret",
                "sp",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            spec.settings,
            ManagerSettings::Azure(AzureSettings {
                vault_uri: "https://kv.vault.azure.net/".into(),
                tenant: "t.example.com".into(),
                authority_host: None,
                auth: AzureAuth::ClientSecret {
                    secret: "sp".into()
                },
            })
        );
    }

    #[test]
    fn options_of_two_services_or_none_are_refused() {
        assert!(add(&["x"]).is_err(), "a service is required");
        assert!(
            add(&[
                "x",
                "--aws-region",
                "eu-west-1",
                "--azure-vault-uri",
                "https://a/",
                "--tenant",
                "t"
            ])
            .is_err()
        );
        assert!(
            add(&["x", "--azure-vault-uri", "https://a/"]).is_err(),
            "Azure needs a tenant"
        );
        assert!(
            add(&["x", "--aws-region", "eu-west-1", "--tenant", "t"]).is_err(),
            "a tenant is Azure's"
        );
        assert!(
            add(&[
                "x",
                "--aws-region",
                "eu-west-1",
                "--profile",
                "p",
                "--access-key-secret",
                "s"
            ])
            .is_err()
        );
        assert!(
            add(&[
                "x",
                "--aws-region",
                "eu-west-1",
                "--client-secret-secret",
                "s"
            ])
            .is_err()
        );
        assert!(add(&["x", "--aws-region", "eu-west-1", "--ttl", "soon"]).is_err());
    }
}
