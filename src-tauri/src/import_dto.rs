//! What the Import wizard and the shell exchange: the file's format, the read
//! options, the CSV sample with its secret cells masked, the choices and the
//! outcome. Values never cross: the batch stays in [`ImportSession`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use coffer_core::ErrorCode;
use coffer_core::import::{ImportBatch, ImportChoices, ImportReport, OnConflict};
use coffer_core::secret::{Intake, SecretData, SecretType};
use coffer_import::{CsvColumn, CsvMapping, CsvSample, EnvMode, Format, GroupsAs, ReadOptions};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::dto::{self, FieldInput, FieldValue, SecretInput};
use crate::error::{IpcError, IpcResult};
use crate::files::FileTokens;

/// What the wizard's file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// KeePass KDBX 4 or 3.1.
    Kdbx,
    /// Bitwarden's unencrypted JSON export.
    Bitwarden,
    /// 1Password's `.1pux`.
    OnePassword,
    /// 1Password's CSV export.
    OnePasswordCsv,
    /// Any CSV, with a column mapping.
    Csv,
    /// A `.env` file.
    Env,
    /// Coffer's own encrypted export.
    Coffer,
}

impl ImportFormat {
    /// The reader's format (`None`: a Coffer export, opened by the core).
    fn reader(self) -> Option<Format> {
        match self {
            Self::Kdbx => Some(Format::Kdbx),
            Self::Bitwarden => Some(Format::Bitwarden),
            Self::OnePassword => Some(Format::OnePassword),
            Self::OnePasswordCsv => Some(Format::OnePasswordCsv),
            Self::Csv => Some(Format::Csv),
            Self::Env => Some(Format::Env),
            Self::Coffer => None,
        }
    }

    /// What a file holds, by its name and content.
    pub fn detect(name: &str, bytes: &[u8]) -> Option<Self> {
        if name.to_ascii_lowercase().ends_with(".coffer") {
            return Some(Self::Coffer);
        }
        Some(match coffer_import::detect(name, bytes)? {
            Format::Kdbx => Self::Kdbx,
            Format::Bitwarden => Self::Bitwarden,
            Format::OnePassword => Self::OnePassword,
            Format::OnePasswordCsv => Self::OnePasswordCsv,
            Format::Csv => Self::Csv,
            Format::Env => Self::Env,
        })
    }
}

/// The file handed to the wizard.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportFile {
    /// Its name (no directories).
    pub name: String,
    /// Its size in bytes.
    pub size: u32,
    /// The format detected, if any.
    pub format: Option<ImportFormat>,
}

/// What one CSV column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CsvColumnRole {
    /// Not imported.
    Ignore,
    /// The secret's name.
    Name,
    /// Its type.
    Type,
    /// Its description.
    Description,
    /// Its expiry.
    Expiry,
    /// Labels as `k=v;k2=v2`.
    Labels,
    /// One label, keyed `key`.
    Label,
    /// A field of the type (or a key/value key), named `key`.
    Field,
}

/// One CSV column's mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CsvColumnDto {
    /// What it becomes.
    pub role: CsvColumnRole,
    /// The label key or field name (`label`, `field`).
    pub key: Option<String>,
}

/// A CSV's mapping.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct CsvMappingDto {
    /// One per column, in order.
    pub columns: Vec<CsvColumnDto>,
    /// Whether the first row names the columns.
    pub has_header: bool,
    /// The type of rows without a type column.
    pub kind: SecretType,
}

/// The first rows of a CSV, with the cells of secret columns masked.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CsvSampleDto {
    /// The header row (empty without one).
    pub headers: Vec<String>,
    /// The first rows.
    pub rows: Vec<Vec<String>>,
    /// How many columns.
    pub columns: u32,
    /// The mapping the reader suggests.
    pub suggested: CsvMappingDto,
    /// Which columns were masked.
    pub masked: Vec<bool>,
}

/// How `.env` variables become secrets.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum EnvModeDto {
    /// All of them in one key/value secret.
    OneSecret {
        /// Its name.
        name: String,
    },
    /// One secret per variable.
    PerVariable,
}

/// Groups or folders become labels or a project.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum GroupsAsDto {
    /// `group=Path/To/Group`.
    Labels,
    /// The top group is the project.
    Project,
}

/// How to read the file.
#[derive(Debug, Deserialize, specta::Type)]
pub struct ImportOptions {
    /// Its format.
    pub format: ImportFormat,
    /// The KDBX password or the export's passphrase.
    pub password: Option<SecretInput>,
    /// A KDBX key file.
    pub key_file: Option<FieldValue>,
    /// Groups as labels or a project.
    pub groups: GroupsAsDto,
    /// `.env`: one secret or one per variable.
    pub env: EnvModeDto,
    /// A CSV's mapping.
    pub csv: Option<CsvMappingDto>,
    /// The organization (empty: the default, or the export's).
    pub org: Option<String>,
    /// The project.
    pub project: Option<String>,
}

/// The person's choices, and values for items that need one.
#[derive(Debug, Deserialize, specta::Type)]
pub struct ImportChoicesInput {
    /// For every conflict not chosen one by one.
    pub default: OnConflict,
    /// By item index.
    pub per_item: BTreeMap<u32, OnConflict>,
    /// Fields by item index (write-only items of an export).
    pub values: BTreeMap<u32, Vec<FieldInput>>,
    /// Label what is written `import=<UTC date-time>`: the secrets it
    /// creates and those it gives a new version.
    pub tag: bool,
    /// By job index, for conflicting jobs (skip or rename); others follow `default`.
    #[serde(default)]
    pub job_per_item: BTreeMap<u32, OnConflict>,
}

/// What an import did, and the label that finds what it wrote.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportOutcome {
    /// Counts.
    pub report: ImportReport,
    /// `import=...` when the choices asked for it.
    pub label: Option<String>,
}

/// How far an import is.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ImportApplyProgress {
    /// Items written.
    pub done: u32,
    /// Items in the batch.
    pub total: u32,
}

/// The wizard's file and what was read from it, held in the shell.
#[derive(Default)]
pub struct Session {
    /// The file's name and bytes.
    pub file: Option<(String, Zeroizing<Vec<u8>>)>,
    /// The batch read last.
    pub batch: Option<ImportBatch>,
}

/// The one import in progress (the wizard is one page).
#[derive(Default, Clone)]
pub struct ImportSession(pub Arc<Mutex<Session>>);

/// The reader's error for the wizard: a wrong password keeps its code; the
/// rest are invalid input, with the reader's code as the detail.
pub fn reader_error(error: &coffer_import::Error) -> IpcError {
    let code = error.code();
    let ipc = match code {
        "wrong_password" => ErrorCode::WrongPassword,
        "password_required" => ErrorCode::PasswordRequired,
        _ => ErrorCode::InvalidInput,
    };
    IpcError {
        detail: Some(code.to_owned()),
        ..IpcError::new(ipc, error.to_string())
    }
}

fn column_from(dto: &CsvColumnDto) -> IpcResult<CsvColumn> {
    let key = || {
        dto.key
            .clone()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| IpcError::invalid("A field or label column needs its name."))
    };
    Ok(match dto.role {
        CsvColumnRole::Ignore => CsvColumn::Ignore,
        CsvColumnRole::Name => CsvColumn::Name,
        CsvColumnRole::Type => CsvColumn::Type,
        CsvColumnRole::Description => CsvColumn::Description,
        CsvColumnRole::Expiry => CsvColumn::Expiry,
        CsvColumnRole::Labels => CsvColumn::Labels,
        CsvColumnRole::Label => CsvColumn::Label(key()?),
        CsvColumnRole::Field => CsvColumn::Field(key()?),
    })
}

fn column_dto(column: &CsvColumn) -> CsvColumnDto {
    let (role, key) = match column {
        CsvColumn::Ignore => (CsvColumnRole::Ignore, None),
        CsvColumn::Name => (CsvColumnRole::Name, None),
        CsvColumn::Type => (CsvColumnRole::Type, None),
        CsvColumn::Description => (CsvColumnRole::Description, None),
        CsvColumn::Expiry => (CsvColumnRole::Expiry, None),
        CsvColumn::Labels => (CsvColumnRole::Labels, None),
        CsvColumn::Label(k) => (CsvColumnRole::Label, Some(k.clone())),
        CsvColumn::Field(k) => (CsvColumnRole::Field, Some(k.clone())),
    };
    CsvColumnDto { role, key }
}

impl CsvMappingDto {
    fn to_mapping(&self) -> IpcResult<CsvMapping> {
        Ok(CsvMapping {
            columns: self
                .columns
                .iter()
                .map(column_from)
                .collect::<IpcResult<_>>()?,
            has_header: self.has_header,
            kind: self.kind,
        })
    }
}

/// Header words that say a column holds secrets, whatever it is mapped to.
const SECRET_WORDS: [&str; 8] = [
    "password", "passwd", "pwd", "secret", "token", "key", "pin", "otp",
];

/// Whether a column's cells are masked: mapped to a secret field of the
/// type, or named like a secret.
fn secret_column(column: &CsvColumn, header: &str, kind: SecretType) -> bool {
    let by_field = match column {
        CsvColumn::Field(name) => {
            kind == SecretType::KeyValue
                || kind
                    .fields()
                    .iter()
                    .any(|f| f.name == name.as_str() && f.secret)
        }
        _ => false,
    };
    let header = header.to_ascii_lowercase();
    by_field || SECRET_WORDS.iter().any(|w| header.contains(w))
}

/// The sample as the wizard sees it: secret columns' cells replaced by a mask.
pub fn masked_sample(sample: CsvSample) -> CsvSampleDto {
    const MASK: &str = "••••••";
    let kind = sample.suggested.kind;
    let masked: Vec<bool> = (0..sample.columns)
        .map(|i| {
            let column = sample
                .suggested
                .columns
                .get(i)
                .unwrap_or(&CsvColumn::Ignore);
            let header = sample.headers.get(i).map_or("", String::as_str);
            secret_column(column, header, kind)
        })
        .collect();
    let rows = sample
        .rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, cell)| {
                    if masked.get(i).copied().unwrap_or(true) && !cell.is_empty() {
                        MASK.to_owned()
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect();
    CsvSampleDto {
        // Without a header row the reader names the columns itself: nothing to show.
        headers: if sample.suggested.has_header {
            sample.headers
        } else {
            Vec::new()
        },
        rows,
        columns: u32::try_from(sample.columns).unwrap_or(u32::MAX),
        suggested: CsvMappingDto {
            columns: sample.suggested.columns.iter().map(column_dto).collect(),
            has_header: sample.suggested.has_header,
            kind,
        },
        masked,
    }
}

/// The reader's options (the key file read from its token or bytes).
pub fn read_options(options: &ImportOptions, files: &FileTokens) -> IpcResult<ReadOptions> {
    let key_file = options
        .key_file
        .as_ref()
        .map(|k| k.bytes(files).map(|(bytes, _)| bytes.to_vec()))
        .transpose()?;
    Ok(ReadOptions {
        password: dto::secret(options.password.as_ref()),
        key_file,
        groups: match options.groups {
            GroupsAsDto::Labels => GroupsAs::Labels,
            GroupsAsDto::Project => GroupsAs::Project,
        },
        env: match &options.env {
            EnvModeDto::OneSecret { name } => EnvMode::OneSecret { name: name.clone() },
            EnvModeDto::PerVariable => EnvMode::PerVariable,
        },
        csv: options
            .csv
            .as_ref()
            .map(CsvMappingDto::to_mapping)
            .transpose()?,
        org: options.org.clone().filter(|o| !o.trim().is_empty()),
        project: options.project.clone().filter(|p| !p.trim().is_empty()),
    })
}

/// Reads the file's bytes in its format.
pub fn read_batch(
    format: ImportFormat,
    bytes: &[u8],
    options: &ReadOptions,
) -> IpcResult<ImportBatch> {
    match format.reader() {
        Some(reader) => coffer_import::read(reader, bytes, options).map_err(|e| reader_error(&e)),
        None => open_export(bytes, options),
    }
}

/// Opens a Coffer export with its passphrase (the options' password); a
/// chosen organization or project replaces the ones the export names.
fn open_export(bytes: &[u8], options: &ReadOptions) -> IpcResult<ImportBatch> {
    let passphrase = options
        .password
        .as_ref()
        .ok_or_else(|| reader_error(&coffer_import::Error::PasswordRequired))?;
    let mut batch = coffer_core::export::open(bytes, passphrase)?;
    for item in &mut batch.items {
        if options.org.is_some() {
            item.secret.org.clone_from(&options.org);
        }
        if options.project.is_some() {
            item.secret.project.clone_from(&options.project);
        }
    }
    Ok(batch)
}

/// The core's choices: values typed for items that need one become values of the item's type.
pub fn choices(
    input: &ImportChoicesInput,
    batch: &ImportBatch,
    files: &FileTokens,
) -> IpcResult<ImportChoices> {
    let mut values = BTreeMap::new();
    for (index, fields) in &input.values {
        let i = *index as usize;
        let item = batch.items.get(i).ok_or_else(|| {
            IpcError::invalid(format!("There is no item {index} to give a value."))
        })?;
        let kind = item.secret.data.kind();
        let inputs = dto::field_inputs(kind, fields, files)?;
        let data = SecretData::from_fields(kind, inputs, &Intake::default())?;
        values.insert(i, data);
    }
    Ok(ImportChoices {
        default: input.default,
        per_item: input
            .per_item
            .iter()
            .map(|(i, c)| (*i as usize, *c))
            .collect(),
        values,
        job_per_item: input
            .job_per_item
            .iter()
            .map(|(i, c)| (*i as usize, *c))
            .collect(),
        label: None,
    })
}

/// Asks the import to label what it writes (created secrets and those given
/// a new version) `import=<stamp>`; returns the label as the list filters by it.
pub fn tag(choices: &mut ImportChoices, stamp: &str) -> String {
    choices.label = Some(("import".to_owned(), stamp.to_owned()));
    format!("import={stamp}")
}

#[cfg(test)]
mod tests;
