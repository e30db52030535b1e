//! Bulk import: the batch a format reader fills (items with their values),
//! the choices a person makes, and the preview and report of applying it
//! with [`crate::Vault::preview_import`] and [`crate::Vault::import`].
//!
//! Items and batches hold values: they are never serializable. The preview,
//! choices of conflict handling and report carry names and counts only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::job::{JobKind, NewJob};
use crate::secret::{NewSecret, SecretData, SecretType};

/// One secret read from a file.
#[derive(Debug)]
pub struct ImportItem {
    /// Where it came from, for the preview ("Root/Servers/db", "row 12",
    /// "line 3"); never a value.
    pub source: String,
    /// The name in the source when the reader had to sanitise it or make it
    /// unique (the reader keeps it in the description too).
    pub original_name: Option<String>,
    /// Name, organization, project, description, labels, expiry and the
    /// current value.
    pub secret: NewSecret,
    /// Earlier values, oldest first (Coffer's own export carries history).
    pub older_versions: Vec<SecretData>,
    /// Metadata only (a write-only secret from an export): the value must
    /// be given in [`ImportChoices::values`], or the item is skipped.
    /// `secret.data` is then a stand-in of the right type and never written.
    pub needs_value: bool,
    /// Created deactivated (a deactivated secret in Coffer's own export).
    pub deactivated: bool,
}

impl ImportItem {
    /// An item with no history that carries its value.
    pub fn new(source: impl Into<String>, secret: NewSecret) -> Self {
        Self {
            source: source.into(),
            original_name: None,
            secret,
            older_versions: Vec::new(),
            needs_value: false,
            deactivated: false,
        }
    }
}

/// One job read from a file (Coffer's own export, format version 2),
/// checked as a new job is; its schedule arrives switched off.
#[derive(Debug, Clone)]
pub struct ImportJob {
    /// Where it came from ("job ops:deploy").
    pub source: String,
    /// The job to create.
    pub job: NewJob,
}

/// Something in the file that cannot become a secret, and why.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// Where it is ("row 12", "Root/Web/mail").
    pub source: String,
    /// A stable code ("empty_name", "no_value", "malformed", ...).
    pub code: &'static str,
    /// What is wrong; never holds a value.
    pub reason: String,
}

/// Everything a reader found in one file.
#[derive(Debug, Default)]
pub struct ImportBatch {
    /// The format's name ("kdbx", "bitwarden", "csv", "env", "coffer").
    pub format: String,
    /// The secrets to create.
    pub items: Vec<ImportItem>,
    /// The jobs to create (Coffer's own export only).
    pub jobs: Vec<ImportJob>,
    /// Entries that cannot be imported.
    pub unreadable: Vec<Unreadable>,
    /// Entries left out on purpose, counted by kind (e.g. "card" → 3).
    pub skipped: BTreeMap<String, usize>,
}

/// What to do when an item's name is already taken in its organization.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Leave the existing secret alone and do not import the item.
    #[default]
    Skip,
    /// Import under the next free name (`name-2`, `name-3`, ...).
    Rename,
    /// Add the item's value as a new version of the existing secret. When
    /// that cannot be (another type, a store password, in the trash, or a
    /// clash between two items of the file) the item is renamed instead.
    NewVersion,
}

impl OnConflict {
    /// Parses `skip`, `rename` or `new-version` (`new_version`).
    pub fn parse(text: &str) -> crate::Result<Self> {
        match text.trim().replace('_', "-").as_str() {
            "skip" => Ok(Self::Skip),
            "rename" => Ok(Self::Rename),
            "new-version" => Ok(Self::NewVersion),
            _ => Err(crate::Error::invalid(
                "on_conflict",
                format!("{text:?} is not one of skip, rename, new-version"),
            )),
        }
    }
}

/// The person's choices for applying a batch.
#[derive(Debug, Default)]
pub struct ImportChoices {
    /// For every conflicting item not named in `per_item`.
    pub default: OnConflict,
    /// By item index.
    pub per_item: BTreeMap<usize, OnConflict>,
    /// Values for `needs_value` items, by index (of the item's type).
    pub values: BTreeMap<usize, SecretData>,
    /// By job index, for conflicting jobs (a job has no versions:
    /// `NewVersion` renames it); jobs not named follow `default`.
    pub job_per_item: BTreeMap<usize, OnConflict>,
    /// A label (key, value) every secret this import writes gets: those it
    /// creates and those it gives a new version (replacing an earlier value
    /// of the key), so that the list can show what the import changed.
    pub label: Option<(String, String)>,
}

impl ImportChoices {
    /// The same choice for every conflict.
    pub fn all(choice: OnConflict) -> Self {
        Self {
            default: choice,
            ..Self::default()
        }
    }

    /// The choice for item `index`.
    pub fn for_item(&self, index: usize) -> OnConflict {
        self.per_item.get(&index).copied().unwrap_or(self.default)
    }

    /// The choice for job `index`.
    pub fn for_job(&self, index: usize) -> OnConflict {
        self.job_per_item
            .get(&index)
            .copied()
            .unwrap_or(self.default)
    }
}

/// What applying a batch would do, before anything is written.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    /// The format's name.
    pub format: String,
    /// Items per type.
    pub by_type: BTreeMap<SecretType, u32>,
    /// Every item, in file order.
    pub items: Vec<PreviewItem>,
    /// Entries that cannot be imported, and why.
    pub unreadable: Vec<Unreadable>,
    /// Entries left out on purpose, by kind.
    pub skipped: BTreeMap<String, u32>,
    /// The jobs to create (Coffer's own export with jobs), in file order.
    pub jobs: Vec<PreviewJob>,
}

/// One job of a preview.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewJob {
    /// Its index among the batch's jobs (the key of per-job choices).
    pub index: u32,
    /// Its name.
    pub name: String,
    /// Its organization.
    pub org: String,
    /// What it does.
    pub kind: JobKind,
    /// Whether it has a schedule (imported switched off).
    pub scheduled: bool,
    /// The secrets it uses (roles and placeholders, key vaults' as
    /// `MANAGER:NAME`), sorted; a secret the import renames is followed.
    pub secrets: Vec<String>,
    /// The existing job (or earlier job of the file) whose name it takes, if any.
    pub conflict: Option<String>,
    /// The name "rename" would give it (its own name without a conflict).
    pub renamed_to: String,
}

/// One item of a preview.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewItem {
    /// Its index in the batch (the key of per-item choices).
    pub index: u32,
    /// Where it came from.
    pub source: String,
    /// Its name.
    pub name: String,
    /// Its organization.
    pub org: String,
    /// The source's name, when the reader changed it.
    pub original_name: Option<String>,
    /// Its type.
    pub kind: SecretType,
    /// How many versions it brings (history included).
    pub versions: u32,
    /// A write-only secret whose value must be given.
    pub needs_value: bool,
    /// The name it clashes with (an existing secret, or an earlier item of
    /// the file), if any.
    pub conflict: Option<String>,
    /// The name "rename" would give it (its own name when there is no conflict).
    pub renamed_to: String,
}

/// What an import did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// New secrets, renamed ones included.
    pub created: u32,
    /// Existing secrets that got a new version.
    pub new_versions: u32,
    /// New secrets created under another name because of a conflict.
    pub renamed: u32,
    /// Items not imported (a conflict skipped, a value not given, an
    /// identical value).
    pub skipped: u32,
    /// Jobs created, renamed ones included.
    pub jobs_created: u32,
    /// Jobs created under another name because of a conflict.
    pub jobs_renamed: u32,
    /// Jobs not imported (a conflict skipped).
    pub jobs_skipped: u32,
}
