//! CSV files (the `csv` crate): UTF-8 with or without a BOM, CRLF or LF,
//! quoted cells, `,` `;` or tab separated, a header row detected; each row
//! becomes a secret through a column mapping.

use std::collections::BTreeMap;

use coffer_core::Timestamp;
use coffer_core::import::{ImportBatch, ImportItem, Unreadable};
use coffer_core::secret::{Intake, SecretData, SecretType, text_input, validate};

use crate::names::{Namer, with_original};
use crate::{CsvColumn, CsvMapping, CsvSample, Error, MAX_CSV_COLUMNS, MAX_CSV_ROWS, ReadOptions};

/// Rows shown in a sample.
const SAMPLE_ROWS: usize = 5;

/// A record: its row number (from 1, the header included), and its cells.
pub(crate) type Record = (u64, Vec<String>);

/// Every record of the file as text cells, within the limits.
pub(crate) fn records(bytes: &[u8], format: &'static str) -> Result<Vec<Record>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::malformed(format, format!("not UTF-8 text (byte {})", e.valid_up_to()))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(Error::malformed(format, csv_reason(&e))),
        }
        if record.len() > MAX_CSV_COLUMNS {
            return Err(Error::TooManyColumns {
                row: rows.len() as u64 + 1,
                columns: record.len(),
                limit: MAX_CSV_COLUMNS,
            });
        }
        if rows.len() == MAX_CSV_ROWS + 1 {
            return Err(Error::TooManyRows {
                limit: MAX_CSV_ROWS,
            });
        }
        // A blank line is no record.
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        // Rows as a spreadsheet counts them: a quoted line break stays in its row.
        let row = record.position().map_or(0, csv::Position::record) + 1;
        rows.push((row, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

/// Where the csv crate failed, without the cell's content.
fn csv_reason(e: &csv::Error) -> String {
    match e.position() {
        Some(p) => format!(
            "record {} (line {}) cannot be read",
            p.record() + 1,
            p.line()
        ),
        None => "the file cannot be read as CSV".into(),
    }
}

/// `;` or tab when the first line has more of them than commas.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    let (commas, semis, tabs) = (count(','), count(';'), count('\t'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Lower-case letters and digits only, for matching header names.
fn key(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The column a known header name maps to.
fn known(header: &str) -> Option<CsvColumn> {
    Some(match key(header).as_str() {
        "name" | "title" | "secretname" | "entry" | "account" => CsvColumn::Name,
        "type" | "kind" | "secrettype" => CsvColumn::Type,
        "description" | "notes" | "note" | "comment" | "comments" => CsvColumn::Description,
        "expiry" | "expires" | "expiresat" | "expiration" | "expirationdate" | "validuntil" => {
            CsvColumn::Expiry
        }
        "labels" | "tags" => CsvColumn::Labels,
        "username" | "user" | "login" | "loginusername" | "email" => {
            CsvColumn::Field("username".into())
        }
        "password" | "pass" | "pwd" | "loginpassword" => CsvColumn::Field("password".into()),
        "url" | "uri" | "website" | "loginuri" | "host" => CsvColumn::Label("url".into()),
        "group" | "folder" | "path" => CsvColumn::Label("group".into()),
        _ => return None,
    })
}

/// Whether the first row names the columns.
fn looks_like_header(rows: &[Vec<String>]) -> bool {
    let Some(first) = rows.first() else {
        return false;
    };
    if first.iter().any(|h| known(h).is_some()) {
        return true;
    }
    // Words only, all different, and other rows to describe.
    let wordy = |c: &String| {
        !c.trim().is_empty()
            && c.chars().count() <= 40
            && c.chars()
                .all(|ch| ch.is_alphabetic() || matches!(ch, ' ' | '_' | '-'))
    };
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    rows.len() > 1 && first.iter().all(wordy) && unique.len() == first.len()
}

/// The mapping Coffer suggests for these rows.
fn suggest(rows: &[Vec<String>], has_header: bool, columns: usize) -> CsvMapping {
    let mut mapped: Vec<CsvColumn> = if has_header {
        rows[0]
            .iter()
            .map(|h| known(h).unwrap_or(CsvColumn::Ignore))
            .chain(std::iter::repeat(CsvColumn::Ignore))
            .take(columns)
            .collect()
    } else {
        vec![CsvColumn::Ignore; columns]
    };
    let kind = if CsvMapping::kind_for(&mapped) == SecretType::BasicAuth {
        SecretType::BasicAuth
    } else {
        // Without a user name, every field is a key of a key/value secret.
        for (column, header) in mapped.iter_mut().zip(rows.first().into_iter().flatten()) {
            if matches!(column, CsvColumn::Field(_)) && has_header {
                *column = CsvColumn::Field(key_of(header));
            }
        }
        SecretType::KeyValue
    };
    if !mapped.contains(&CsvColumn::Name) && columns > 0 {
        mapped[0] = CsvColumn::Name;
        if columns > 1 && mapped[1] == CsvColumn::Ignore && !has_header {
            mapped[1] = CsvColumn::Field("value".into());
        }
    }
    CsvMapping {
        columns: mapped,
        has_header,
        kind,
    }
}

/// A key/value key from a header: whitespace becomes `_`.
fn key_of(header: &str) -> String {
    let k: String = header
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || matches!(c, '=' | '#' | '{' | '}' | '$') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if k.is_empty() { "value".into() } else { k }
}

pub(crate) fn sample(bytes: &[u8]) -> Result<CsvSample, Error> {
    let (_, rows): (Vec<u64>, Vec<Vec<String>>) = records(bytes, "csv")?.into_iter().unzip();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let has_header = looks_like_header(&rows);
    let suggested = suggest(&rows, has_header, columns);
    let (headers, body) = if has_header {
        (rows[0].clone(), &rows[1..])
    } else {
        (
            (1..=columns).map(|i| format!("column {i}")).collect(),
            &rows[..],
        )
    };
    Ok(CsvSample {
        headers,
        rows: body.iter().take(SAMPLE_ROWS).cloned().collect(),
        columns,
        suggested,
    })
}

pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let (lines, rows): (Vec<u64>, Vec<Vec<String>>) = records(bytes, "csv")?.into_iter().unzip();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mapping = match &options.csv {
        Some(m) => m.clone(),
        None => suggest(&rows, looks_like_header(&rows), columns),
    };
    check(&mapping, columns)?;
    let mut batch = ImportBatch {
        format: "csv".into(),
        ..ImportBatch::default()
    };
    let mut namer = Namer::default();
    let skip = usize::from(mapping.has_header);
    for (index, row) in rows.iter().enumerate().skip(skip) {
        let source = format!("row {}", lines[index]);
        match row_item(row, &mapping, options, &mut namer, &source) {
            Ok(item) => batch.items.push(item),
            Err((code, reason)) => batch.unreadable.push(Unreadable {
                source,
                code,
                reason,
            }),
        }
    }
    Ok(batch)
}

fn check(mapping: &CsvMapping, columns: usize) -> Result<(), Error> {
    if mapping.columns.len() > columns.max(1) {
        return Err(Error::option(
            "map",
            format!(
                "maps {} columns; the file has {columns}",
                mapping.columns.len()
            ),
        ));
    }
    if !mapping.columns.contains(&CsvColumn::Name) {
        return Err(Error::option("map", "no column is mapped to the name"));
    }
    let mut seen = Vec::new();
    for column in &mapping.columns {
        if matches!(column, CsvColumn::Ignore | CsvColumn::Label(_)) {
            continue;
        }
        if seen.contains(&column) {
            return Err(Error::option("map", format!("{column} is mapped twice")));
        }
        seen.push(column);
    }
    Ok(())
}

type RowError = (&'static str, String);

fn row_item(
    row: &[String],
    mapping: &CsvMapping,
    options: &ReadOptions,
    namer: &mut Namer,
    source: &str,
) -> Result<ImportItem, RowError> {
    let mut title = String::new();
    let mut kind = mapping.kind;
    let mut description = String::new();
    let mut expires_at = None;
    let mut labels = BTreeMap::new();
    let mut inputs = Vec::new();
    for (column, cell) in mapping.columns.iter().zip(row) {
        let text = cell.trim();
        match column {
            CsvColumn::Ignore => {}
            CsvColumn::Name => title = text.to_owned(),
            CsvColumn::Type if !text.is_empty() => {
                kind = SecretType::parse(text).map_err(|e| ("bad_type", e.to_string()))?;
            }
            CsvColumn::Type => {}
            CsvColumn::Description => description = cell.clone(),
            CsvColumn::Expiry if !text.is_empty() => {
                expires_at = Some(Timestamp::parse("expiry", text).map_err(|_| {
                    (
                        "bad_expiry",
                        "the expiry is not a date (2027-01-31)".to_owned(),
                    )
                })?);
            }
            CsvColumn::Expiry => {}
            CsvColumn::Labels => {
                for pair in text.split(';').filter(|p| !p.trim().is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    labels.insert(k.trim().to_owned(), v.trim().to_owned());
                }
            }
            CsvColumn::Label(key) if !text.is_empty() => {
                labels.insert(key.clone(), text.to_owned());
            }
            CsvColumn::Label(_) => {}
            // Values are taken as they are (spaces may matter in a password).
            CsvColumn::Field(field) if !cell.is_empty() => inputs.push(text_input(field, cell)),
            CsvColumn::Field(_) => {}
        }
    }
    let named = namer
        .name(options.org.as_deref(), &title)
        .ok_or(("no_name", "the name cell is empty".to_owned()))?;
    if inputs.is_empty() {
        return Err(("no_value", "no value cell is filled".into()));
    }
    validate::labels(&labels).map_err(|e| ("bad_label", e.to_string()))?;
    let data = SecretData::from_fields(kind, inputs, &Intake::default())
        .map_err(|e| ("invalid", e.to_string()))?;
    let mut secret = options.secret(named.name, data);
    secret.description = with_original(&description, named.original.as_deref());
    secret.expires_at = expires_at;
    secret.labels = labels;
    let mut item = ImportItem::new(source, secret);
    item.original_name = named.original;
    Ok(item)
}
