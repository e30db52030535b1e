//! `coffer import FORMAT FILE`: read the file (coffer-import), show the
//! vault's preview, ask (or take `--yes`), import in one transaction.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use coffer_core::SecretString;
use coffer_core::import::{ImportChoices, ImportPreview, ImportReport, OnConflict};
use coffer_core::secret::SecretType;
use coffer_core::{Error, Vault};
use coffer_import::{CsvColumn, CsvMapping, EnvMode, Format, GroupsAs, ReadOptions};
use serde_json::json;

use crate::args::{ConflictChoice, EnvSplit, Global, GroupsChoice, ImportArgs, ImportFormat};
use crate::output::{Failure, Out, table};
use crate::unlock;

/// Items listed in the human preview; the rest are counted.
const LISTED: usize = 50;

pub fn run(g: &Global, out: Out, args: ImportArgs) -> Result<(), Failure> {
    let bytes = read(&args.file)?;
    let batch = match reader_format(args.format) {
        None => {
            let passphrase = match &args.export_passphrase_file {
                Some(file) => crate::input::read_password_file("export passphrase", file)?,
                None => crate::input::prompt_passphrase("Export passphrase: ", false)?,
            };
            coffer_core::export::open(&bytes, &passphrase)?
        }
        Some(format) => {
            let options = options(&args, &bytes)?;
            coffer_import::read(format, &bytes, &options).map_err(Failure::Import)?
        }
    };
    drop(bytes);
    let preview = unlock::open(g)?.preview_import(&batch)?;
    let choice = match args.on_conflict {
        ConflictChoice::Skip => OnConflict::Skip,
        ConflictChoice::Rename => OnConflict::Rename,
        ConflictChoice::NewVersion => OnConflict::NewVersion,
    };
    if !out.json {
        print_preview(&preview, choice);
    }
    if !args.yes && !confirm(&preview)? {
        if out.json {
            out.json(&json!({ "preview": preview, "imported": false }))?;
        }
        out.note("Nothing imported (pass --yes to import without asking).");
        return Ok(());
    }
    let mut vault: Vault = unlock::open_unlocked(g, out)?;
    let total = batch.items.len();
    let mut choices = ImportChoices::all(choice);
    let label = args.tag.then(|| {
        use coffer_core::Clock as _;
        let stamp = coffer_core::SystemClock.now().to_rfc3339();
        choices.label = Some(("import".to_owned(), stamp.clone()));
        format!("import={stamp}")
    });
    let report = vault.import(batch, &choices, &mut |done, total| {
        if !out.json && total >= 1000 && done % 1000 == 0 {
            eprintln!("{done}/{total}");
        }
    })?;
    if out.json {
        out.json(&json!({
            "preview": preview,
            "imported": true,
            "report": report,
            "label": label,
        }))?;
    } else {
        print_report(&report, total, !preview.jobs.is_empty());
        if let Some(label) = label {
            println!("Labelled {label}: coffer list --label '{label}'");
        }
    }
    Ok(())
}

/// The file's bytes: its size checked before it is read.
fn read(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        context: format!("reading {}", path.display()),
        source: e,
    })?;
    coffer_import::check_size(meta.len()).map_err(Failure::Import)?;
    Ok(crate::input::read_file_within(
        "file",
        path,
        coffer_import::MAX_FILE_BYTES,
    )?)
}

fn options(args: &ImportArgs, bytes: &[u8]) -> Result<ReadOptions, Failure> {
    let env = match args.env_split {
        EnvSplit::PerVariable => EnvMode::PerVariable,
        EnvSplit::One => EnvMode::OneSecret {
            name: args.name.clone().unwrap_or_else(|| {
                args.file
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_start_matches('.').to_owned())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "env".to_owned())
            }),
        },
    };
    let csv = if args.format == ImportFormat::Csv {
        Some(csv_mapping(args, bytes)?)
    } else {
        None
    };
    let (password, key_file) = if args.format == ImportFormat::Kdbx {
        keepass_key(args)?
    } else {
        (None, None)
    };
    Ok(ReadOptions {
        password,
        key_file,
        groups: match args.groups {
            GroupsChoice::Labels => GroupsAs::Labels,
            GroupsChoice::Project => GroupsAs::Project,
        },
        env,
        csv,
        org: args.org.clone(),
        project: args.project.clone(),
    })
}

/// The KeePass password (standard input, else the terminal unless a key
/// file is given) and key file.
fn keepass_key(args: &ImportArgs) -> Result<(Option<SecretString>, Option<Vec<u8>>), Failure> {
    let key_file = args
        .key_file
        .as_ref()
        .map(|p| crate::input::read_file("key_file", p).map(|b| b.to_vec()))
        .transpose()?;
    let password = if args.password_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::Io {
                context: "reading the password from standard input".into(),
                source: e,
            })?;
        Some(SecretString::from(line.trim_end_matches(['\n', '\r'])))
    } else if std::io::stdin().is_terminal() {
        let prompt = if key_file.is_some() {
            "KeePass password (empty for none): "
        } else {
            "KeePass password: "
        };
        let text = rpassword::prompt_password(prompt).map_err(|e| Error::Io {
            context: "reading the password".into(),
            source: e,
        })?;
        (!text.is_empty() || key_file.is_none()).then(|| SecretString::from(text))
    } else {
        None
    };
    Ok((password, key_file))
}

/// The suggested mapping, changed by `--map`, `--type` and the header flags.
fn csv_mapping(args: &ImportArgs, bytes: &[u8]) -> Result<CsvMapping, Failure> {
    let sample = coffer_import::csv_sample(bytes).map_err(Failure::Import)?;
    let mut mapping = sample.suggested.clone();
    if args.header || args.no_header {
        mapping.has_header = args.header;
    }
    let asked = if args.map.is_none() && !args.yes && std::io::stdin().is_terminal() {
        ask_mapping(&sample, &mapping)?
    } else {
        None
    };
    if let Some(map) = args.map.as_ref().or(asked.as_ref()) {
        let mut columns = vec![CsvColumn::Ignore; sample.columns];
        for pair in map.split(',').filter(|p| !p.trim().is_empty()) {
            let (column, role) = pair
                .split_once('=')
                .ok_or_else(|| Error::invalid("map", format!("{pair:?} is not COLUMN=ROLE")))?;
            let index = column_index(column.trim(), &sample.headers, mapping.has_header)?;
            columns[index] = CsvColumn::parse(role).map_err(Failure::Import)?;
        }
        mapping.kind = CsvMapping::kind_for(&columns);
        mapping.columns = columns;
    }
    if let Some(kind) = &args.kind {
        mapping.kind = SecretType::parse(kind)?;
    }
    Ok(mapping)
}

/// Shows the columns, their suggested roles and the first rows (cells of
/// value columns masked), and reads a `--map` answer; Enter keeps the
/// suggestion.
fn ask_mapping(
    sample: &coffer_import::CsvSample,
    mapping: &CsvMapping,
) -> Result<Option<String>, Error> {
    eprintln!("Columns and their suggested roles (type {}):", mapping.kind);
    for (i, header) in sample.headers.iter().enumerate() {
        let role = mapping.columns.get(i).cloned().unwrap_or(CsvColumn::Ignore);
        let shown: Vec<String> = sample
            .rows
            .iter()
            .take(3)
            .map(|row| match role {
                CsvColumn::Field(_) => "•••".to_owned(),
                _ => row
                    .get(i)
                    .cloned()
                    .unwrap_or_default()
                    .chars()
                    .take(24)
                    .collect(),
            })
            .collect();
        eprintln!("  {}. {header}: {role}   e.g. {}", i + 1, shown.join(" | "));
    }
    eprint!("Mapping (Enter to accept, or COLUMN=ROLE,...): ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::Io {
            context: "reading the mapping".into(),
            source: e,
        })?;
    let answer = answer.trim();
    Ok((!answer.is_empty()).then(|| answer.to_owned()))
}

/// A column by header (when there is one) or by number from 1.
fn column_index(column: &str, headers: &[String], has_header: bool) -> Result<usize, Error> {
    if let Some(i) = headers
        .iter()
        .position(|h| has_header && h.trim() == column)
    {
        return Ok(i);
    }
    match column.parse::<usize>() {
        Ok(n) if (1..=headers.len()).contains(&n) => Ok(n - 1),
        _ => Err(Error::invalid(
            "map",
            format!(
                "{column:?} is not a column (headers: {}; or 1-{})",
                headers.join(", "),
                headers.len()
            ),
        )),
    }
}

fn print_preview(preview: &ImportPreview, choice: OnConflict) {
    let types: Vec<String> = preview
        .by_type
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    println!(
        "{} secrets from {} ({})",
        preview.items.len(),
        preview.format,
        if types.is_empty() {
            "none".to_owned()
        } else {
            types.join(", ")
        }
    );
    let rows: Vec<Vec<String>> = preview
        .items
        .iter()
        .take(LISTED)
        .map(|item| {
            let conflict = match (&item.conflict, choice) {
                (None, _) => String::new(),
                (Some(_), OnConflict::Skip) => "exists: skip".into(),
                (Some(_), OnConflict::Rename) => format!("exists: as {}", item.renamed_to),
                (Some(_), OnConflict::NewVersion) => "exists: new version".into(),
            };
            let name = match &item.original_name {
                Some(original) => format!("{} ({original})", item.name),
                None => item.name.clone(),
            };
            let mut note = conflict;
            if item.needs_value {
                note.push_str(" write-only: no value, skipped");
            }
            vec![
                format!("{}:{name}", item.org),
                item.kind.to_string(),
                item.source.clone(),
                note.trim().to_owned(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(&["NAME", "TYPE", "FROM", "CONFLICT"], &rows);
    }
    if preview.items.len() > LISTED {
        println!("... and {} more", preview.items.len() - LISTED);
    }
    for u in &preview.unreadable {
        println!("Cannot import {} ({}): {}", u.source, u.code, u.reason);
    }
    for (kind, n) in &preview.skipped {
        println!("Left out: {n} {kind}");
    }
    if !preview.jobs.is_empty() {
        println!(
            "{} jobs (imported with their schedule off; a job follows a secret this import renames)",
            preview.jobs.len()
        );
        let rows: Vec<Vec<String>> = preview
            .jobs
            .iter()
            .map(|job| {
                let conflict = match (&job.conflict, choice) {
                    (None, _) => String::new(),
                    (Some(_), OnConflict::Skip) => "exists: skip".into(),
                    (Some(_), _) => format!("exists: as {}", job.renamed_to),
                };
                vec![
                    format!("{}:{}", job.org, job.name),
                    job.kind.to_string(),
                    job.secrets.join(" "),
                    conflict,
                ]
            })
            .collect();
        table(&["JOB", "KIND", "SECRETS", "CONFLICT"], &rows);
    }
}

/// Asks on a terminal; without one, the answer is no.
fn confirm(preview: &ImportPreview) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() || (preview.items.is_empty() && preview.jobs.is_empty()) {
        return Ok(false);
    }
    if preview.jobs.is_empty() {
        eprint!("Import {} secrets? [y/N] ", preview.items.len());
    } else {
        eprint!(
            "Import {} secrets and {} jobs? [y/N] ",
            preview.items.len(),
            preview.jobs.len()
        );
    }
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::Io {
            context: "reading the answer".into(),
            source: e,
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn print_report(report: &ImportReport, total: usize, jobs: bool) {
    println!(
        "Imported {} of {total}: {} created ({} renamed), {} new versions, {} skipped.",
        report.created + report.new_versions,
        report.created,
        report.renamed,
        report.new_versions,
        report.skipped
    );
    if jobs {
        println!(
            "Jobs: {} created ({} renamed), {} skipped; schedules are off until switched on.",
            report.jobs_created, report.jobs_renamed, report.jobs_skipped
        );
    }
}

/// The foreign format's reader; `None` for Coffer's own export, which the
/// core opens.
fn reader_format(format: ImportFormat) -> Option<Format> {
    match format {
        ImportFormat::Coffer => None,
        ImportFormat::Env => Some(Format::Env),
        ImportFormat::Kdbx => Some(Format::Kdbx),
        ImportFormat::Bitwarden => Some(Format::Bitwarden),
        ImportFormat::OnePassword => Some(Format::OnePassword),
        ImportFormat::OnePasswordCsv => Some(Format::OnePasswordCsv),
        ImportFormat::Csv => Some(Format::Csv),
    }
}
