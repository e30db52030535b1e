//! Versions of a shared secret: every revision listed (its number, the
//! value version, status, author and the author's name, time and what
//! changed; never a value), an older value revealed (a signed
//! `secret.reveal_version` audit entry), and restore: a new signed revision
//! carrying an older value, under the same conflict rule as every write.
//! Every revision is verified like the current one (signature, the signer's
//! right at that revision by the audit, data key); a revision the server
//! withholds or repeats is `tampered`.

use coffer_core::Timestamp;
use coffer_core::secret::SecretData;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::members::show_id;
use crate::secret_record::{Meta, decode_value};
use crate::secrets::{
    OrgContext, READ_TRIES, Row, SharedSecret, Write, open_value, refuse_reveal, row,
    verify_version,
};
use crate::team::{TeamVault, uuid};

/// One revision of a shared secret, as the versions list shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SharedVersion {
    /// The revision (every change makes one).
    pub revision: i32,
    /// The value version (moves only when the value changes).
    pub version: i32,
    /// `active`, `deactivated` or `trashed` at that revision.
    pub status: String,
    /// Who wrote it (member id).
    pub author: String,
    /// The author's display name, where this member may read it.
    pub author_name: Option<String>,
    /// When (the author's clock).
    pub at: Timestamp,
    /// What changed from the revision before: `created`, `value`,
    /// `restored from version N`, `description`, `labels`, `expiry`,
    /// `write-only`, `status: deactivated`, ...
    pub changes: Vec<String>,
    /// The value's public fields at that revision.
    pub public_fields: serde_json::Value,
    /// The expiry at that revision.
    pub expires_at: Option<Timestamp>,
    /// Whether it is the current revision.
    pub current: bool,
}

/// Every revision of one secret with its data key, in revision order.
/// Every revision of one secret, each with the first wrap of its data key
/// this member can open (as [`SELECT_CURRENT`](crate::secrets::SELECT_CURRENT),
/// over all versions).
const SELECT_HISTORY: &str = "SELECT s.id, s.blind_index, s.revision, s.status, \
     s.rev, v.revision, v.version, v.status, v.author, v.at, v.meta, v.value, v.sig, k.epoch, \
     k.wrapped, k.wrapped_under, k.under_id, s.visibility, s.owner_id, s.access_by, \
     s.access_sig, ARRAY(SELECT r.team_id::text || '=' || r.level FROM coffer.access_rules r \
     WHERE r.secret_id = s.id ORDER BY r.team_id) FROM coffer.secrets s \
     JOIN coffer.secret_versions v ON v.secret_id = s.id \
     JOIN LATERAL (SELECT k.epoch, k.wrapped, k.wrapped_under, k.under_id \
      FROM coffer.data_keys k WHERE k.secret_id = s.id AND k.revision = v.revision \
      AND ((k.wrapped_under = 'org' AND k.under_id = s.org_id) \
       OR (k.wrapped_under = 'member' AND k.under_id = coffer.me()) \
       OR (k.wrapped_under = 'team' AND EXISTS (SELECT 1 FROM coffer.team_keys tk \
        WHERE tk.team_id = k.under_id AND tk.epoch = k.epoch AND tk.member_id = coffer.me()))) \
      ORDER BY k.wrapped_under <> 'org', k.wrapped_under <> 'member' LIMIT 1) k ON true \
     WHERE s.org_id = $1 AND s.id = $2 ORDER BY v.revision";

/// What changed between two consecutive revisions.
fn changes(before: Option<(&Row, &Meta)>, after: (&Row, &Meta)) -> Vec<String> {
    let (row, meta) = after;
    let Some((prev, old)) = before else {
        return vec!["created".into()];
    };
    let mut out = Vec::new();
    if let Some(from) = meta.restored_from {
        out.push(format!("restored from version {from}"));
    } else if row.version != prev.version {
        out.push("value".into());
    }
    if meta.description != old.description {
        out.push("description".into());
    }
    if meta.labels != old.labels {
        out.push("labels".into());
    }
    if meta.expires_at != old.expires_at {
        out.push("expiry".into());
    }
    if meta.write_only != old.write_only {
        out.push("write-only".into());
    }
    if row.v_status != prev.v_status {
        out.push(format!("status: {}", row.v_status));
    }
    if out.is_empty() {
        out.push("no change".into());
    }
    out
}

impl TeamVault {
    /// Every revision of `name`, oldest first, each verified; never a value.
    pub fn shared_versions(&mut self, org: &str, name: &str) -> Result<Vec<SharedVersion>> {
        let mut ctx = self.org_context(org)?;
        let (history, current) = self.history(&mut ctx, name)?;
        let names: std::collections::HashMap<String, String> = self
            .members()?
            .into_iter()
            .filter_map(|m| Some((m.id, m.display_name?)))
            .collect();
        let mut out = Vec::with_capacity(history.len());
        let mut before: Option<(&Row, &Meta)> = None;
        for (r, meta) in &history {
            let author = show_id(&r.author);
            out.push(SharedVersion {
                revision: r.v_revision,
                version: r.version,
                status: r.v_status.clone(),
                author_name: names.get(&author).cloned(),
                author,
                at: Timestamp::from_unix(r.at),
                changes: changes(before, (r, meta)),
                public_fields: meta.public_fields.clone(),
                expires_at: meta.expiry(),
                current: r.v_revision == current.revision,
            });
            before = Some((r, meta));
        }
        Ok(out)
    }

    /// Reveals the value of version `version` of `name` (the newest
    /// revision carrying it), appending a signed `secret.reveal_version`
    /// entry (target: `<secret id>@<version>`). A write-only or trashed
    /// secret refuses, as for the current value.
    pub fn reveal_shared_version(
        &mut self,
        org: &str,
        name: &str,
        version: i32,
        now: Timestamp,
    ) -> Result<(SharedVersion, SecretData)> {
        let mut ctx = self.org_context(org)?;
        let (history, current) = self.history(&mut ctx, name)?;
        // Write-only and the trash are decided by the current revision.
        let (_, current_meta) = last(&history)?;
        refuse_reveal(&current.status, current_meta.write_only, name, &ctx.name)?;
        let (r, meta) = pick(&history, version, name)?;
        let team = self.me.team_id;
        let opened = verify_version(&team, &ctx, r)?;
        let what = format!("shared secret {}", show_id(&r.id));
        let data = decode_value(
            opened.meta.kind(&what)?,
            &open_value(&team, &opened, r)?,
            &what,
        )?;
        let server = self.me.server.clone();
        let fail = |e: postgres::Error| crate::connect::query_error(&server, "revealing", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        Self::audit(
            &mut tx,
            &self.me,
            now,
            "secret.reveal_version",
            &format!("{}@{version}", show_id(&r.id)),
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        let shown = SharedVersion {
            revision: r.v_revision,
            version: r.version,
            status: r.v_status.clone(),
            author: show_id(&r.author),
            author_name: None,
            at: Timestamp::from_unix(r.at),
            changes: Vec::new(),
            public_fields: meta.public_fields.clone(),
            expires_at: meta.expiry(),
            current: r.v_revision == current.revision,
        };
        Ok((shown, data))
    }

    /// Makes version `version`'s value current again as a new version (a
    /// new signed revision; metadata stays as it is now), if the secret's
    /// revision is still `expected`; else `conflict` and nothing written.
    pub fn restore_shared_version(
        &mut self,
        org: &str,
        name: &str,
        version: i32,
        expected: i32,
        now: Timestamp,
    ) -> Result<SharedSecret> {
        let mut ctx = self.org_context(org)?;
        let (history, current) = self.history(&mut ctx, name)?;
        Self::check_expected(&current, expected)?;
        if current.status == "trashed" {
            return Err(Error::NotFound {
                what: format!(
                    "shared secret {name:?} in {} (it is in the trash)",
                    ctx.name
                ),
            });
        }
        let (r, old_meta) = pick(&history, version, name)?;
        let team = self.me.team_id;
        let opened = verify_version(&team, &ctx, r)?;
        let value = open_value(&team, &opened, r)?;
        let (now_row, now_meta) = last(&history)?;
        let mut meta = now_meta.clone();
        meta.public_fields = old_meta.public_fields.clone();
        meta.restored_from = Some(version);
        let status = now_row.v_status.clone();
        self.write(
            &mut ctx,
            Write {
                secret: now_row.id,
                expected: Some(expected),
                version: now_row.version + 1,
                status: &status,
                meta: &meta,
                value: &value,
                action: "secret.restore",
                access: &opened.access,
            },
            now,
        )
    }

    /// Every revision of `name` in order, verified, with the current
    /// revision (verified as current: the newest the audit records). The
    /// revisions must run 1..=current without a gap, value versions rising
    /// by at most one a step, all naming the same secret.
    fn history(
        &mut self,
        ctx: &mut OrgContext,
        name: &str,
    ) -> Result<(Vec<(Row, Meta)>, SharedSecret)> {
        let team = self.me.team_id;
        for _ in 0..READ_TRIES {
            let (_, opened) = self.find(ctx, name)?;
            let current = opened.secret;
            let secret = uuid::Uuid::parse_str(&current.id)
                .map_err(|_| Error::Internal("a shared secret's id".into()))?;
            let fail = self.fail("reading a shared secret's versions");
            let rows: Vec<Row> = self
                .client
                .query(SELECT_HISTORY, &[&uuid(&ctx.org), &secret])
                .map_err(fail)?
                .iter()
                .map(row)
                .collect();
            if rows.first().is_some_and(|r| r.revision != current.revision) {
                continue; // a write landed meanwhile: read both again
            }
            let what = format!("shared secret {}", current.id);
            let mut out: Vec<(Row, Meta)> = Vec::with_capacity(rows.len());
            for (i, r) in rows.into_iter().enumerate() {
                let expected_revision = i32::try_from(i + 1).unwrap_or(i32::MAX);
                if r.v_revision != expected_revision {
                    return Err(Error::tampered(format!(
                        "{what} (revision {expected_revision} is missing)"
                    )));
                }
                let previous = out.last().map_or(0, |(p, _)| p.version);
                if r.version != previous && r.version != previous + 1 {
                    return Err(Error::tampered(format!(
                        "{what} (version {} follows version {previous})",
                        r.version
                    )));
                }
                let opened = verify_version(&team, ctx, &r)?;
                if opened.meta.name != current.name || opened.meta.kind != current.kind {
                    return Err(Error::tampered(format!(
                        "{what} (revision {} names another secret)",
                        r.v_revision
                    )));
                }
                out.push((r, opened.meta));
            }
            if out.last().map(|(r, _)| r.v_revision) != Some(current.revision) {
                return Err(Error::tampered(format!(
                    "{what} (its revisions after {} are missing)",
                    out.len()
                )));
            }
            return Ok((out, current));
        }
        Err(self.moving("reading a shared secret's versions"))
    }
}

/// The newest revision carrying value version `version`.
fn pick<'a>(history: &'a [(Row, Meta)], version: i32, name: &str) -> Result<&'a (Row, Meta)> {
    history
        .iter()
        .rev()
        .find(|(r, _)| r.version == version)
        .ok_or_else(|| Error::NotFound {
            what: format!("version {version} of shared secret {name:?}"),
        })
}

/// The current (last) revision of a verified history.
fn last(history: &[(Row, Meta)]) -> Result<&(Row, Meta)> {
    history
        .last()
        .ok_or_else(|| Error::Internal("an empty history".into()))
}
