//! Vault settings, stored in the vault so every front end agrees.

use serde::{Deserialize, Serialize};

use super::Vault;
use crate::audit::Record;
use crate::error::{Error, Result};
use crate::store::Reader;

const META_SETTINGS: &str = "settings";

/// What using an expired secret does.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiredPolicy {
    /// Use it, with a warning.
    #[default]
    Warn,
    /// Refuse to use it.
    Block,
}

/// Vault-wide settings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Days a deleted secret stays in the trash before it is purged.
    pub trash_retention_days: u32,
    /// Versions kept per secret; older ones are crypto-shredded.
    pub keep_versions: u32,
    /// What using an expired secret does.
    pub expired_use: ExpiredPolicy,
    /// Days before expiry at which to notify (0 means "on expiry").
    pub notify_days_before: Vec<u32>,
    /// Minutes of inactivity before the desktop app locks (0: never).
    pub idle_lock_minutes: u32,
    /// Seconds before a copied value is cleared from the clipboard.
    pub clipboard_clear_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            trash_retention_days: 30,
            keep_versions: 10,
            expired_use: ExpiredPolicy::Warn,
            notify_days_before: vec![30, 7, 1, 0],
            idle_lock_minutes: 15,
            clipboard_clear_seconds: 30,
        }
    }
}

impl Settings {
    /// Refuses settings that make no sense.
    pub fn check(&self) -> Result<()> {
        if !(1..=3650).contains(&self.trash_retention_days) {
            return Err(Error::invalid(
                "trash_retention_days",
                "must be 1 to 3650 days",
            ));
        }
        if !(1..=1000).contains(&self.keep_versions) {
            return Err(Error::invalid("keep_versions", "must be 1 to 1000"));
        }
        if self.notify_days_before.len() > 10 || self.notify_days_before.iter().any(|d| *d > 365) {
            return Err(Error::invalid(
                "notify_days_before",
                "at most 10 thresholds of 0-365 days",
            ));
        }
        if self.idle_lock_minutes > 24 * 60 {
            return Err(Error::invalid(
                "idle_lock_minutes",
                "must be at most 1440 (a day)",
            ));
        }
        if !(5..=600).contains(&self.clipboard_clear_seconds) {
            return Err(Error::invalid(
                "clipboard_clear_seconds",
                "must be 5 to 600 seconds",
            ));
        }
        Ok(())
    }
}

pub(super) fn load(read: Reader<'_>) -> Result<Settings> {
    match read.meta(META_SETTINGS)? {
        None => Ok(Settings::default()),
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            reason: format!("vault settings: {e}"),
        }),
    }
}

impl Vault {
    /// The current settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Replaces the settings.
    pub fn update_settings(&mut self, mut settings: Settings) -> Result<()> {
        settings
            .notify_days_before
            .sort_unstable_by(|a, b| b.cmp(a));
        settings.notify_days_before.dedup();
        settings.check()?;
        let json = serde_json::to_vec(&settings)
            .map_err(|e| Error::Internal(format!("encoding settings: {e}")))?;
        let detail = serde_json::to_value(&settings).unwrap_or_default();
        self.write(|tx, ctx| {
            tx.set_meta(META_SETTINGS, &json)?;
            ctx.audit(
                tx,
                Record {
                    action: "vault.settings",
                    secret_id: None,
                    target: "settings",
                    detail,
                },
            )
        })?;
        self.settings = settings;
        Ok(())
    }
}
