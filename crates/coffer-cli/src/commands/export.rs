//! `coffer export FILE`: an encrypted (or, behind --plaintext, clear) export.

use coffer_core::secret::SecretRef;
use coffer_core::{ExportEncryption, ExportOptions, ExportScope, Result};
use serde_json::json;

use crate::args::{ExportArgs, Global};
use crate::input;
use crate::output::Out;
use crate::unlock;

pub fn run(g: &Global, out: Out, args: &ExportArgs) -> Result<()> {
    let mut vault = unlock::open_unlocked(g, out)?;
    let scope = match (&args.org, args.secret.is_empty()) {
        (Some(org), _) => ExportScope::Organization(org.clone()),
        (None, false) => ExportScope::Secrets(
            args.secret
                .iter()
                .map(|name| SecretRef::in_org(&args.in_org, name))
                .collect(),
        ),
        (None, true) => ExportScope::All,
    };
    let encryption = if args.plaintext {
        eprintln!(
            "WARNING: --plaintext writes every exported value in clear text to {}. Anyone who \
             can read that file can read the secrets; delete it as soon as it has served.",
            args.file.display()
        );
        ExportEncryption::Plaintext
    } else {
        ExportEncryption::Passphrase(match &args.export_passphrase_file {
            Some(file) => input::read_password_file("export passphrase", file)?,
            None => input::prompt_passphrase("Export passphrase: ", true)?,
        })
    };
    let recovery = match &g.passphrase_file {
        Some(file) => input::read_password_file("passphrase", file)?,
        None => input::prompt_passphrase("Recovery passphrase (to allow the export): ", false)?,
    };
    let options = ExportOptions {
        scope,
        all_versions: !args.current_only,
        encryption,
        jobs: args.jobs,
    };
    let summary = vault.export_to_file(&recovery, &options, &args.file, args.force)?;
    if out.json {
        return out.json(&json!({ "file": args.file, "summary": summary }));
    }
    println!(
        "Exported {} secret(s), {} version(s) with values, to {}{}.",
        summary.secrets,
        summary.versions,
        args.file.display(),
        if summary.encrypted {
            " (age, passphrase: open with `age -d`)"
        } else {
            " in CLEAR TEXT"
        }
    );
    if args.jobs {
        println!("{} job(s) exported with them.", summary.jobs);
    }
    if summary.withheld > 0 {
        println!(
            "{} write-only or store-password secret(s) were exported without their value.",
            summary.withheld
        );
    }
    Ok(())
}
