//! Readers of other tools' exports: bytes in, a [`coffer_core::import::ImportBatch`]
//! out. Pure (no file or network access, no vault), so every reader can be
//! fed hostile bytes in tests and fuzzing. The vault previews and applies
//! the batch ([`coffer_core::Vault::preview_import`], [`coffer_core::Vault::import`]).
//!
//! Limits, checked before the work they bound: a file of at most
//! [`MAX_FILE_BYTES`]; a CSV of at most [`MAX_CSV_COLUMNS`] columns and
//! [`MAX_CSV_ROWS`] rows.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod env;
mod error;
mod names;
mod table;

use coffer_core::SecretString;
use coffer_core::import::ImportBatch;
use coffer_core::secret::{NewSecret, SecretData, SecretType};

pub use error::Error;

/// The largest file read (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most columns in a CSV row.
pub const MAX_CSV_COLUMNS: usize = 256;
/// The most rows in a CSV file (the header not counted).
pub const MAX_CSV_ROWS: usize = 100_000;

/// A format Coffer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// KeePass KDBX 3.1 and 4.
    Kdbx,
    /// Bitwarden's unencrypted JSON export.
    Bitwarden,
    /// 1Password's `.1pux` export.
    OnePassword,
    /// 1Password's CSV export.
    OnePasswordCsv,
    /// Any CSV, through a column mapping.
    Csv,
    /// A `.env` file (or a flat JSON object).
    Env,
}

impl Format {
    /// The name used by the CLI, the preview and the audit.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kdbx => "kdbx",
            Self::Bitwarden => "bitwarden",
            Self::OnePassword => "1password",
            Self::OnePasswordCsv => "1password-csv",
            Self::Csv => "csv",
            Self::Env => "env",
        }
    }
}

/// Where a KeePass group path (or a Bitwarden folder) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupsAs {
    /// A `group` label ("Servers/Databases").
    #[default]
    Labels,
    /// The project (its last part, sanitised to a name).
    Project,
}

/// How a `.env` file becomes secrets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EnvMode {
    /// The whole file as one key/value secret of this name.
    OneSecret {
        /// The secret's name.
        name: String,
    },
    /// One key/value secret per variable, named after it.
    #[default]
    PerVariable,
}

/// What a CSV column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvColumn {
    /// Nothing to import.
    Ignore,
    /// The secret's name.
    Name,
    /// Its type (`basic_auth`, `key_value`, ...); empty cells take the default.
    Type,
    /// Its description.
    Description,
    /// Its expiry (`2027-01-31` or RFC 3339).
    Expiry,
    /// Labels as `k=v;k2=v2`.
    Labels,
    /// One label, the cell its value.
    Label(String),
    /// A field of the type (`username`, `password`, ...) or a key of a
    /// key/value secret.
    Field(String),
}

impl std::fmt::Display for CsvColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ignore => f.write_str("ignore"),
            Self::Name => f.write_str("name"),
            Self::Type => f.write_str("type"),
            Self::Description => f.write_str("description"),
            Self::Expiry => f.write_str("expiry"),
            Self::Labels => f.write_str("labels"),
            Self::Label(k) => write!(f, "label:{k}"),
            Self::Field(k) => write!(f, "field:{k}"),
        }
    }
}

impl CsvColumn {
    /// Parses `ignore`, `name`, `type`, `description`, `expiry`, `labels`,
    /// `label:KEY` or `field:NAME` (a bare other word is a field).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        Ok(match text {
            "ignore" | "-" | "" => Self::Ignore,
            "name" => Self::Name,
            "type" => Self::Type,
            "description" | "notes" => Self::Description,
            "expiry" | "expires" => Self::Expiry,
            "labels" => Self::Labels,
            _ => match text.split_once(':') {
                Some(("label", key)) if !key.is_empty() => Self::Label(key.to_owned()),
                Some(("field", key)) if !key.is_empty() => Self::Field(key.to_owned()),
                Some(_) => {
                    return Err(Error::option(
                        "map",
                        format!("{text:?} is not a column role"),
                    ));
                }
                None => Self::Field(text.to_owned()),
            },
        })
    }
}

/// How a CSV's columns become secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvMapping {
    /// One role per column, in order (missing trailing columns are ignored).
    pub columns: Vec<CsvColumn>,
    /// Whether the first row names the columns (and is not imported).
    pub has_header: bool,
    /// The type of rows without a type column.
    pub kind: SecretType,
}

impl CsvMapping {
    /// The type rows of these columns default to: `basic_auth` when a
    /// username and a password are mapped, else `key_value`.
    pub fn kind_for(columns: &[CsvColumn]) -> SecretType {
        let has = |f: &str| {
            columns
                .iter()
                .any(|c| matches!(c, CsvColumn::Field(x) if x == f))
        };
        if has("username") && has("password") {
            SecretType::BasicAuth
        } else {
            SecretType::KeyValue
        }
    }
}

/// The start of a CSV, to map its columns.
#[derive(Debug, Clone)]
pub struct CsvSample {
    /// The header row, or `column 1`, `column 2`, ... without one.
    pub headers: Vec<String>,
    /// The first five data rows (values included: mask them before showing).
    pub rows: Vec<Vec<String>>,
    /// The widest row's column count.
    pub columns: usize,
    /// The mapping Coffer suggests.
    pub suggested: CsvMapping,
}

/// How to read a file.
#[derive(Debug, Default)]
pub struct ReadOptions {
    /// The file's password (KeePass).
    pub password: Option<SecretString>,
    /// A KeePass key file's bytes.
    pub key_file: Option<Vec<u8>>,
    /// Where group paths and folders go.
    pub groups: GroupsAs,
    /// How a `.env` file becomes secrets.
    pub env: EnvMode,
    /// A CSV's mapping (default: the suggested one).
    pub csv: Option<CsvMapping>,
    /// The organization every secret goes to (default: `Default`).
    pub org: Option<String>,
    /// The project every secret is restricted to.
    pub project: Option<String>,
}

impl ReadOptions {
    /// A secret with the options' organization and project.
    pub(crate) fn secret(&self, name: String, data: SecretData) -> NewSecret {
        let mut secret = NewSecret::new(name, data);
        secret.org = self.org.clone();
        secret.project = self.project.clone();
        secret
    }
}

/// Reads `bytes` as `format`.
pub fn read(format: Format, bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    check_size(bytes.len() as u64)?;
    match format {
        Format::Env => env::read(bytes, options),
        Format::Csv => table::read(bytes, options),
        other => Err(Error::Unsupported {
            format: other.as_str(),
        }),
    }
}

/// Refuses a file over [`MAX_FILE_BYTES`]; call it with the file's size
/// before reading the file.
pub fn check_size(size: u64) -> Result<(), Error> {
    if size > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// The format a file is in, from its name and first bytes.
pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
    const KDBX_MAGIC: [u8; 4] = [0x03, 0xD9, 0xA2, 0x9A];
    let lower = file_name.to_ascii_lowercase();
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    if bytes.starts_with(&KDBX_MAGIC) || base.ends_with(".kdbx") {
        return Some(Format::Kdbx);
    }
    if base.ends_with(".1pux") {
        return Some(Format::OnePassword);
    }
    if base == ".env" || base.starts_with(".env.") || base.ends_with(".env") {
        return Some(Format::Env);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if base.ends_with(".json") {
        return Some(
            if head.contains("\"encrypted\"") && head.contains("\"items\"") {
                Format::Bitwarden
            } else {
                Format::Env
            },
        );
    }
    if base.ends_with(".csv") {
        let first = head.lines().next().unwrap_or("");
        let onepassword = ["title", "url", "username", "password", "otpauth"]
            .iter()
            .all(|h| first.contains(h));
        return Some(if onepassword {
            Format::OnePasswordCsv
        } else {
            Format::Csv
        });
    }
    None
}

/// The header, first rows and a suggested mapping of a CSV.
pub fn csv_sample(bytes: &[u8]) -> Result<CsvSample, Error> {
    check_size(bytes.len() as u64)?;
    table::sample(bytes)
}
