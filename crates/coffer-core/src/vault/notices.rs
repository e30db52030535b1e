//! Expiry notifications: which secrets crossed a threshold (30, 7, 1 days,
//! on expiry) that has not been notified for their current version and
//! expiry. Reads clear columns only, so it works while the vault is locked.

use serde::Serialize;

use super::Vault;
use crate::clock::{DAY, Timestamp};
use crate::error::Result;
use crate::secret::{SecretId, SecretType};
use crate::store::Db;

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExpiryNotice {
    /// The secret.
    pub secret_id: SecretId,
    /// Its name.
    pub name: String,
    /// Its organization.
    pub org: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: SecretType,
    /// The version concerned.
    pub version: u32,
    /// When it expires (or expired).
    pub expires_at: Timestamp,
    /// The most urgent threshold crossed: days before expiry, 0 for "expired".
    pub threshold_days: u32,
    /// Every threshold this notice covers (missed ones are folded in).
    pub covers: Vec<u32>,
}

impl ExpiryNotice {
    /// A one-line text for people: "db-password expires in 6 days" / "expired".
    pub fn message(&self, now: Timestamp) -> String {
        if self.expires_at <= now {
            format!(
                "{} expired on {}",
                self.name,
                &self.expires_at.to_rfc3339()[..10]
            )
        } else {
            let days = now.days_until(self.expires_at);
            match days {
                0 => format!("{} expires within a day", self.name),
                1 => format!("{} expires in 1 day", self.name),
                n => format!("{} expires in {n} days", self.name),
            }
        }
    }
}

impl Vault {
    /// Notifications due now: per secret, the most urgent crossed threshold
    /// not yet notified for its current version and expiry. Thresholds
    /// crossed while the app was closed are folded into that one notice.
    pub fn due_expiry_notices(&self) -> Result<Vec<ExpiryNotice>> {
        let now = self.now();
        let mut thresholds = self.settings.notify_days_before.clone();
        thresholds.sort_unstable();
        let Some(&widest) = thresholds.last() else {
            return Ok(Vec::new());
        };
        let rows = self
            .store
            .read()
            .expiring(now.plus_days(i64::from(widest)))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let crossed: Vec<u32> = thresholds
                    .iter()
                    .copied()
                    .filter(|t| row.expires_at.unix() - i64::from(*t) * DAY <= now.unix())
                    .collect();
                let new: Vec<u32> = crossed
                    .iter()
                    .copied()
                    .filter(|t| !row.notified.contains(t))
                    .collect();
                let most_urgent = *crossed.first()?;
                // Only a threshold more urgent than any notified one is news.
                if new.is_empty() || row.notified.iter().any(|n| *n <= most_urgent) {
                    return None;
                }
                Some(ExpiryNotice {
                    secret_id: row.id,
                    name: row.name,
                    org: row.org,
                    kind: row.kind,
                    version: row.version,
                    expires_at: row.expires_at,
                    threshold_days: most_urgent,
                    covers: new,
                })
            })
            .collect())
    }

    /// Records notices as shown, so that none repeats, also after a restart.
    pub fn record_expiry_notices(&mut self, notices: &[ExpiryNotice]) -> Result<()> {
        if notices.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let rows: Vec<(i64, &ExpiryNotice)> = notices
            .iter()
            .filter_map(|n| {
                let row = self
                    .store
                    .read()
                    .secret_by_id(&n.secret_id)
                    .ok()
                    .flatten()?;
                Some((row.rowid, n))
            })
            .collect();
        let tx = self.store.write(None)?;
        for (rowid, notice) in rows {
            for threshold in &notice.covers {
                tx.record_notice(rowid, notice.version, notice.expires_at, *threshold, now)?;
            }
        }
        tx.commit()
    }
}
