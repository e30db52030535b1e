//! `coffer import FORMAT FILE`: read the file (coffer-import), show the
//! vault's preview, ask (or take `--yes`), import in one transaction.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use coffer_core::import::{ImportChoices, ImportPreview, ImportReport, OnConflict};
use coffer_core::secret::SecretType;
use coffer_core::{Error, Vault};
use coffer_import::{CsvColumn, CsvMapping, EnvMode, Format, ReadOptions};
use serde_json::json;

use crate::args::{ConflictChoice, EnvSplit, Global, ImportArgs, ImportFormat};
use crate::output::{Failure, Out, table};
use crate::unlock;

/// Items listed in the human preview; the rest are counted.
const LISTED: usize = 50;

pub fn run(g: &Global, out: Out, args: ImportArgs) -> Result<(), Failure> {
    let bytes = read(&args.file)?;
    let format = match args.format {
        ImportFormat::Env => Format::Env,
        ImportFormat::Csv => Format::Csv,
    };
    let options = options(&args, &bytes)?;
    let batch = coffer_import::read(format, &bytes, &options).map_err(Failure::Import)?;
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
    let report = vault.import(batch, &ImportChoices::all(choice), &mut |done, total| {
        if !out.json && total >= 1000 && done % 1000 == 0 {
            eprintln!("{done}/{total}");
        }
    })?;
    if out.json {
        out.json(&json!({ "preview": preview, "imported": true, "report": report }))?;
    } else {
        print_report(&report, total);
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
    Ok(ReadOptions {
        env,
        csv,
        org: args.org.clone(),
        project: args.project.clone(),
        ..ReadOptions::default()
    })
}

/// The suggested mapping, changed by `--map`, `--type` and the header flags.
fn csv_mapping(args: &ImportArgs, bytes: &[u8]) -> Result<CsvMapping, Failure> {
    let sample = coffer_import::csv_sample(bytes).map_err(Failure::Import)?;
    let mut mapping = sample.suggested.clone();
    if args.header || args.no_header {
        mapping.has_header = args.header;
    }
    if let Some(map) = &args.map {
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
}

/// Asks on a terminal; without one, the answer is no.
fn confirm(preview: &ImportPreview) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() || preview.items.is_empty() {
        return Ok(false);
    }
    eprint!("Import {} secrets? [y/N] ", preview.items.len());
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

fn print_report(report: &ImportReport, total: usize) {
    println!(
        "Imported {} of {total}: {} created ({} renamed), {} new versions, {} skipped.",
        report.created + report.new_versions,
        report.created,
        report.renamed,
        report.new_versions,
        report.skipped
    );
}
