//! Registering and updating secrets.

use coffer_core::secret::intake;
use coffer_core::secret::{
    Intake, MetadataChange, NewProtection, NewSecret, SecretData, SecretRef, SecretType,
    ValueChange, ValueOutcome, Visibility,
};
use coffer_core::{Error, ExposeSecret, Result, Timestamp};
use serde_json::json;

use crate::args::{FieldArgs, Global, MetaArgs, SecretCommand};
use crate::input::{self, Stdin};
use crate::output::Out;
use crate::unlock;

pub(super) fn intake(fields: &FieldArgs) -> Result<Intake> {
    Ok(Intake {
        key_password: input::optional_password("key password", fields.key_password_file.as_ref())?,
        allow_key_mismatch: fields.allow_key_mismatch,
        now: None,
    })
}

/// Warnings about secret fields so short that redacting them in job and
/// `coffer run` output will also hide unrelated text; the threshold is
/// [`coffer_jobs::redact::mangles_output`]'s. Printed on stderr (in JSON
/// mode they are a `warnings` list in the output instead, since stderr then
/// holds only a JSON error). Not errors: the command goes on.
fn short_value_warnings(
    out: Out,
    kind: SecretType,
    inputs: &coffer_core::secret::FieldInputs,
) -> Vec<String> {
    let warnings: Vec<String> = inputs
        .iter()
        .filter(|(name, value)| {
            kind.is_secret_field(name) && coffer_jobs::redact::mangles_output(value.expose_secret())
        })
        .map(|(name, _)| {
            format!(
                "{name} is shorter than {} characters: redacting it in job and `coffer run` \
                 output will also mask unrelated text that contains it",
                coffer_jobs::redact::SHORT_SECRET_LEN
            )
        })
        .collect();
    if !out.json {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
    }
    warnings
}

pub(super) fn expiry(meta: &MetaArgs) -> Result<Option<Timestamp>> {
    meta.expires
        .as_deref()
        .map(|d| Timestamp::parse("expires", d))
        .transpose()
}

fn apply_meta(new: &mut NewSecret, org: String, meta: &MetaArgs) -> Result<()> {
    new.org = Some(org);
    new.project = meta.project.clone();
    new.description = meta.description.clone().unwrap_or_default();
    new.labels = input::labels(&meta.labels)?;
    new.expires_at = expiry(meta)?;
    new.allow_past_expiry = meta.allow_past_expiry;
    new.visibility = if meta.private {
        Visibility::Private
    } else {
        Visibility::Public
    };
    new.write_only = meta.write_only;
    Ok(())
}

pub fn add(g: &Global, out: Out, command: SecretCommand) -> Result<()> {
    let SecretCommand::Add {
        kind,
        name,
        org,
        fields,
        meta,
        store_password_file,
        generate_store_password,
    } = command
    else {
        return Err(Error::Internal("add called with another command".into()));
    };
    let kind = SecretType::parse(&kind)?;
    let mut stdin = Stdin::default();
    let inputs = input::fields(kind, &fields.fields, &fields.files, &mut stdin)?;
    let warnings = short_value_warnings(out, kind, &inputs);
    let mut new = NewSecret::from_fields(name, kind, inputs, &intake(&fields)?)?;
    new.org = Some(org);
    new.project = meta.project.clone();
    new.description = meta.description.clone().unwrap_or_default();
    new.labels = input::labels(&meta.labels)?;
    new.expires_at = expiry(&meta)?;
    new.allow_past_expiry = meta.allow_past_expiry;
    new.visibility = if meta.private {
        Visibility::Private
    } else {
        Visibility::Public
    };
    new.write_only = meta.write_only;
    new.protection = match (&store_password_file, generate_store_password) {
        (Some(file), _) => {
            NewProtection::Password(input::read_password_file("store password", file)?)
        }
        (None, true) => NewProtection::GeneratePassword,
        (None, false) => NewProtection::Vault,
    };
    let mut vault = unlock::open_unlocked(g, out)?;
    let registered = vault.register(new)?;
    let generated = registered
        .generated_password
        .as_ref()
        .map(|p| p.expose_secret().to_owned());
    if out.json {
        return out
            .json(&json!({ "secret": registered.meta, "generated_store_password": generated, "warnings": warnings }));
    }
    let m = &registered.meta;
    println!("Registered {} {} in {} (version 1).", m.kind, m.name, m.org);
    if let Some(at) = m.expires_at {
        println!("Expires {}.", crate::output::when(at, vault.now()));
    }
    if let Some(password) = generated {
        println!("Store password (shown once; it is needed to read or change this secret):");
        println!("{password}");
    }
    Ok(())
}

pub fn generate_ssh(g: &Global, out: Out, command: SecretCommand) -> Result<()> {
    let SecretCommand::GenerateSsh {
        name,
        org,
        algorithm,
        bits,
        comment,
        meta,
    } = command
    else {
        return Err(Error::Internal(
            "generate-ssh called with another command".into(),
        ));
    };
    coffer_core::secret::validate::name("name", &name)?;
    let kind = intake::parse_ssh_key_type(&algorithm, bits)?;
    let comment = comment.unwrap_or_else(|| format!("coffer:{name}"));
    let pair = intake::generate_ssh_key_pair(kind, &comment)?;
    let mut new = NewSecret::new(name, SecretData::SshKeyPair(pair));
    apply_meta(&mut new, org, &meta)?;
    let mut vault = unlock::open_unlocked(g, out)?;
    let registered = vault.register(new)?;
    let m = &registered.meta;
    let public = m
        .public_fields
        .get("public_key")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if out.json {
        return out.json(&json!({ "secret": m, "public_key": public }));
    }
    out.note(&format!(
        "Generated {} key pair {} in {}; the private key never leaves the vault unencrypted.",
        algorithm, m.name, m.org
    ));
    println!("{public}");
    Ok(())
}

pub fn update(g: &Global, out: Out, command: SecretCommand) -> Result<()> {
    let SecretCommand::Update {
        target,
        fields,
        remove_fields,
        meta,
        remove_labels,
        clear_expiry,
        clear_project,
        public,
        store_password_file,
        new_store_password_file,
    } = command
    else {
        return Err(Error::Internal("update called with another command".into()));
    };
    let secret = SecretRef::in_org(&target.org, &target.name);
    let mut vault = unlock::open_unlocked(g, out)?;
    let kind = vault.get(&secret)?.kind;
    let password = input::optional_password("store password", store_password_file.as_ref())?;
    let mut stdin = Stdin::default();
    let set = input::fields(kind, &fields.fields, &fields.files, &mut stdin)?;
    let warnings = short_value_warnings(out, kind, &set);

    let change = MetadataChange {
        description: meta.description.clone(),
        set_labels: input::labels(&meta.labels)?,
        remove_labels,
        expires_at: if clear_expiry {
            Some(None)
        } else {
            expiry(&meta)?.map(Some)
        },
        allow_past_expiry: meta.allow_past_expiry,
        project: if clear_project {
            Some(None)
        } else {
            meta.project.clone().map(Some)
        },
        visibility: match (meta.private, public) {
            (true, _) => Some(Visibility::Private),
            (_, true) => Some(Visibility::Public),
            _ => None,
        },
        make_write_only: meta.write_only,
    };
    let value_change = !set.is_empty() || !remove_fields.is_empty();
    if change.is_empty() && !value_change && new_store_password_file.is_none() {
        return Err(Error::invalid(
            "update",
            "nothing to change: give --field, --description, --label, ...",
        ));
    }
    let mut report = serde_json::Map::new();
    if value_change {
        let outcome = vault.update_value(
            &secret,
            ValueChange {
                set,
                remove: remove_fields,
                intake: intake(&fields)?,
            },
            password.as_ref(),
        )?;
        report.insert(
            "value".into(),
            serde_json::to_value(outcome).unwrap_or_default(),
        );
        match outcome {
            ValueOutcome::NewVersion { version } => {
                out.note(&format!("{}: new version {version}", target.name))
            }
            ValueOutcome::Unchanged => out.note(&format!("{}: value unchanged", target.name)),
        }
    }
    if !change.is_empty() {
        vault.update_metadata(&secret, change)?;
        out.note(&format!("{}: metadata updated", target.name));
    }
    if let Some(file) = &new_store_password_file {
        let new = input::read_password_file("new store password", file)?;
        let old = password.as_ref().ok_or_else(|| Error::PasswordRequired {
            name: target.name.clone(),
        })?;
        vault.change_store_password(&secret, old, &new)?;
        out.note(&format!("{}: store password changed", target.name));
    }
    if out.json {
        report.insert("warnings".into(), json!(warnings));
        report.insert(
            "secret".into(),
            serde_json::to_value(vault.get(&secret)?).unwrap_or_default(),
        );
        return out.json(&report);
    }
    Ok(())
}
