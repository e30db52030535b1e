//! Resolution: the secrets a job references are collected first, checked
//! from their clear metadata (so nothing is decrypted when any of them
//! cannot be used), then handed over by [`Vault::use_secret`] once each.
//! Secrets a job does not reference are never decrypted.

use std::collections::BTreeMap;

use coffer_core::job::Job;
use coffer_core::remote::Manager;
use coffer_core::secret::{Protection, SecretMeta, SecretRef, SecretStatus, SecretType};
use coffer_core::{ErrorCode, ExpiredPolicy, SecretString, SecretUse, Vault};
use coffer_remote::{Fetched, Remotes};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::placeholder::Placeholder;
use crate::redact::Redactor;

/// Store passwords given for one run, by secret name: asked by the caller
/// of a manual run, kept only for that run (dropped, and so zeroized, with
/// it). Scheduled runs have none.
pub type StorePasswords = BTreeMap<String, SecretString>;

/// Where the secrets come from: a run of a job, or an ad-hoc `coffer run`.
pub trait SecretSource {
    /// The clear metadata of a secret (no decryption).
    fn meta(&self, name: &str) -> coffer_core::Result<SecretMeta>;
    /// The project secrets are used as.
    fn project(&self) -> Option<&str>;
    /// What happens to expired secrets.
    fn expired_policy(&self) -> ExpiredPolicy;
    /// Decrypts a secret for this use, recording it.
    fn use_secret(&mut self, name: &str) -> coffer_core::Result<SecretUse>;
    /// Whether a store password was given for a secret.
    fn has_password(&self, _name: &str) -> bool {
        false
    }
    /// Why a missing store password cannot be asked for, if it cannot
    /// (scheduled runs).
    fn cannot_ask(&self) -> Option<&str> {
        None
    }
    /// The key-vault connection named `name`, if there is one.
    fn manager(&self, _name: &str) -> coffer_core::Result<Option<Manager>> {
        Ok(None)
    }
    /// A shared secret of the team vault's replica, for
    /// `${secret:ORG:NAME}` where ORG is a shared organization (metadata
    /// only, no server).
    fn shared_meta(
        &self,
        _org: &str,
        _name: &str,
    ) -> coffer_core::Result<Option<crate::shared::SharedMeta>> {
        Ok(None)
    }
    /// Uses a shared secret through the team vault's server (audited there).
    fn use_shared(&mut self, org: &str, name: &str) -> Result<coffer_core::secret::SecretData> {
        Err(Error::invalid(
            "placeholder",
            format!("shared secret {org}:{name} cannot be used here"),
        ))
    }
    /// Reads remote values (through the process's cache): the names the
    /// key vault has, each read at most once.
    fn fetch_remote(&mut self, manager: &Manager, _names: &[String]) -> Result<Vec<Fetched>> {
        Err(Error::invalid(
            "placeholder",
            format!("key vault {} cannot be read here", manager.spec.name),
        ))
    }
}

/// A run of a job: names are looked up in the job's organization and used
/// as the job's project.
#[derive(Debug)]
pub struct JobSource<'a> {
    /// The vault.
    pub vault: &'a mut Vault,
    /// The job.
    pub job: &'a Job,
    /// The run.
    pub run: u32,
    /// Store passwords given for this run.
    pub passwords: &'a StorePasswords,
    /// Why store passwords cannot be asked for (a scheduled run), if so.
    pub cannot_ask: Option<&'a str>,
    /// Key vaults, for remote placeholders.
    pub remotes: Option<&'a Remotes>,
}

impl SecretSource for JobSource<'_> {
    fn meta(&self, name: &str) -> coffer_core::Result<SecretMeta> {
        self.vault.get(&SecretRef::in_org(&self.job.org, name))
    }
    fn project(&self) -> Option<&str> {
        self.job.project.as_deref()
    }
    fn expired_policy(&self) -> ExpiredPolicy {
        self.vault.settings().expired_use
    }
    fn use_secret(&mut self, name: &str) -> coffer_core::Result<SecretUse> {
        self.vault
            .use_secret_for_run(self.job, self.run, name, self.passwords.get(name))
    }
    fn has_password(&self, name: &str) -> bool {
        self.passwords.contains_key(name)
    }
    fn cannot_ask(&self) -> Option<&str> {
        self.cannot_ask
    }
    fn manager(&self, name: &str) -> coffer_core::Result<Option<Manager>> {
        crate::remote::find_manager(&*self.vault, name)
    }
    fn fetch_remote(&mut self, manager: &Manager, names: &[String]) -> Result<Vec<Fetched>> {
        let purpose = format!("job {} run {}", self.job.name, self.run);
        crate::remote::fetch(self.vault, self.remotes, manager, names, &purpose)
    }
    fn shared_meta(
        &self,
        org: &str,
        name: &str,
    ) -> coffer_core::Result<Option<crate::shared::SharedMeta>> {
        crate::shared::replica_meta(self.vault, org, name)
    }
    fn use_shared(&mut self, org: &str, name: &str) -> Result<coffer_core::secret::SecretData> {
        let purpose = format!("job {}:{} run {}", self.job.org, self.job.name, self.run);
        crate::shared::use_shared(self.vault, org, name, &purpose)
    }
}

/// `coffer run`: names in one organization, used as an optional project.
#[derive(Debug)]
pub struct AdHocSource<'a> {
    /// The vault.
    pub vault: &'a mut Vault,
    /// The organization names are looked up in.
    pub org: String,
    /// The project to use secrets as.
    pub project: Option<String>,
    /// Recorded with each use.
    pub purpose: String,
    /// Store passwords given for this run.
    pub passwords: &'a StorePasswords,
    /// Key vaults, for remote placeholders.
    pub remotes: Option<&'a Remotes>,
}

impl SecretSource for AdHocSource<'_> {
    fn meta(&self, name: &str) -> coffer_core::Result<SecretMeta> {
        self.vault.get(&SecretRef::in_org(&self.org, name))
    }
    fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }
    fn expired_policy(&self) -> ExpiredPolicy {
        self.vault.settings().expired_use
    }
    fn use_secret(&mut self, name: &str) -> coffer_core::Result<SecretUse> {
        self.vault.use_secret(
            &SecretRef::in_org(&self.org, name),
            self.project.as_deref(),
            &self.purpose,
            self.passwords.get(name),
        )
    }
    fn has_password(&self, name: &str) -> bool {
        self.passwords.contains_key(name)
    }
    fn manager(&self, name: &str) -> coffer_core::Result<Option<Manager>> {
        crate::remote::find_manager(&*self.vault, name)
    }
    fn fetch_remote(&mut self, manager: &Manager, names: &[String]) -> Result<Vec<Fetched>> {
        crate::remote::fetch(self.vault, self.remotes, manager, names, &self.purpose)
    }
    fn shared_meta(
        &self,
        org: &str,
        name: &str,
    ) -> coffer_core::Result<Option<crate::shared::SharedMeta>> {
        crate::shared::replica_meta(self.vault, org, name)
    }
    fn use_shared(&mut self, org: &str, name: &str) -> Result<coffer_core::secret::SecretData> {
        crate::shared::use_shared(self.vault, org, name, &self.purpose)
    }
}

/// A placeholder and the text it is in.
#[derive(Debug, Clone)]
pub struct Located {
    /// "template /etc/app.conf", "argument 2", "environment variable DB".
    pub location: String,
    /// The placeholder.
    pub placeholder: Placeholder,
    /// Whether its value is written to disk (write-only secrets refuse).
    pub to_disk: bool,
}

/// The distinct references of some placeholders, sorted.
pub fn references_of(located: &[Located]) -> Vec<coffer_core::job::SecretReference> {
    let set: std::collections::BTreeSet<_> =
        located.iter().map(|l| l.placeholder.reference()).collect();
    set.into_iter().collect()
}

/// What a run needs resolved.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Placeholders, with where they are.
    pub placeholders: Vec<Located>,
    /// Secrets bound by role: (role, name).
    pub roles: Vec<(String, String)>,
    /// Let write-only values reach disk.
    pub allow_write_only_to_disk: bool,
}

/// The resolved secrets of a run. Values are zeroized on drop.
pub struct Resolved {
    uses: BTreeMap<String, SecretUse>,
    values: BTreeMap<ValueKey, Zeroizing<Vec<u8>>>,
    redactor: Redactor,
    /// Warnings to show in the run's log (expired secrets under "warn";
    /// remote values used stale).
    pub warnings: Vec<String>,
    /// Where remote values came from (connection, version, cache), for the
    /// run's log.
    pub remote_notes: Vec<String>,
}

/// (connection, secret name, field): what a placeholder resolves to.
pub(crate) type ValueKey = (Option<String>, String, Option<String>);

fn key_of(p: &Placeholder) -> ValueKey {
    (p.manager.clone(), p.name.clone(), p.field.clone())
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("secrets", &self.uses.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

pub(crate) fn placeholder_error(
    located: &Located,
    code: ErrorCode,
    message: impl Into<String>,
) -> Error {
    Error::Placeholder {
        location: located.location.clone(),
        placeholder: Some(located.placeholder.text()),
        line: located.placeholder.position.line,
        column: located.placeholder.position.column,
        message: message.into(),
        code,
    }
}

/// Field names a secret has, from clear metadata.
fn known_fields(meta: &SecretMeta) -> Vec<String> {
    fields_of(meta.kind, &meta.public_fields)
}

/// Field names of a secret of `kind` with these public fields (a key/value
/// secret lists its keys there).
pub(crate) fn fields_of(kind: SecretType, public_fields: &serde_json::Value) -> Vec<String> {
    if kind == SecretType::KeyValue {
        return public_fields["keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
    }
    kind.fields().iter().map(|f| f.name.to_owned()).collect()
}

/// Why a secret cannot be used, judged from its metadata.
fn refusal(meta: &SecretMeta, project: Option<&str>, policy: ExpiredPolicy) -> Option<String> {
    if meta.deleted_at.is_some() {
        return Some("in the trash".into());
    }
    match meta.status {
        SecretStatus::Deactivated => return Some("deactivated".into()),
        SecretStatus::Expired if policy == ExpiredPolicy::Block => {
            let at = meta.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default();
            return Some(format!("expired on {at} (expired secrets are blocked)"));
        }
        _ => {}
    }
    match meta.project.as_deref() {
        Some(owner) if project != Some(owner) => Some(format!("restricted to project {owner:?}")),
        _ => None,
    }
}

/// Checks one placeholder from clear metadata (no decryption): the secret
/// exists, may be used by this source, and has the field named. `metas`
/// caches what was looked up.
pub fn check_placeholder(
    source: &dyn SecretSource,
    metas: &mut BTreeMap<String, SecretMeta>,
    located: &Located,
    allow_write_only_to_disk: bool,
) -> Result<()> {
    let policy = source.expired_policy();
    let p = &located.placeholder;
    if let Some(manager) = &p.manager {
        if source.manager(manager)?.is_some() {
            return Ok(());
        }
        return match source.shared_meta(manager, &p.name)? {
            Some(shared) => {
                crate::shared::check(located, &shared, policy, allow_write_only_to_disk)
            }
            None => Err(placeholder_error(
                located,
                ErrorCode::NotFound,
                format!(
                    "unknown key vault {manager:?} (no connection of that name), and no shared \
                     secret {:?} in a shared organization of that name",
                    p.name
                ),
            )),
        };
    }
    if !metas.contains_key(&p.name) {
        let meta = source.meta(&p.name).map_err(|e| match e.code() {
            ErrorCode::NotFound => placeholder_error(
                located,
                ErrorCode::NotFound,
                format!("unknown secret {:?}", p.name),
            ),
            _ => Error::Core(e),
        })?;
        metas.insert(p.name.clone(), meta);
    }
    let meta = &metas[&p.name];
    if let Some(why) = refusal(meta, source.project(), policy) {
        return Err(placeholder_error(
            located,
            ErrorCode::Refused,
            format!("secret {:?} is {why}", p.name),
        ));
    }
    if meta.write_only && located.to_disk && !allow_write_only_to_disk {
        return Err(placeholder_error(
            located,
            ErrorCode::WriteOnly,
            format!(
                "secret {:?} is write-only and this job writes it to disk (allow it with \
                 allow_write_only_to_disk)",
                p.name
            ),
        ));
    }
    if let Some(field) = &p.field {
        let fields = known_fields(meta);
        if !fields.iter().any(|f| f == field) {
            return Err(placeholder_error(
                located,
                ErrorCode::NotFound,
                format!(
                    "secret {:?} has no field {field:?} (fields: {})",
                    p.name,
                    fields.join(", ")
                ),
            ));
        }
    } else if meta.kind.main_field().is_none() && known_fields(meta).len() != 1 {
        return Err(placeholder_error(
            located,
            ErrorCode::NotFound,
            format!(
                "secret {:?} has several keys and no main value; name one with #KEY ({})",
                p.name,
                known_fields(meta).join(", ")
            ),
        ));
    }
    Ok(())
}

fn missing_password(name: &str, cannot_ask: Option<&str>) -> Error {
    match cannot_ask {
        Some(why) => Error::Core(coffer_core::Error::Refused {
            name: name.to_owned(),
            status: why.to_owned(),
        }),
        None => Error::Core(coffer_core::Error::PasswordRequired {
            name: name.to_owned(),
        }),
    }
}

/// The secrets among those `needs` names that have a store password, by
/// name (from clear metadata; unknown names are left to [`resolve`]).
pub fn store_password_secrets(source: &dyn SecretSource, needs: &Needs) -> Vec<String> {
    let names: std::collections::BTreeSet<&str> = needs
        .placeholders
        .iter()
        .filter(|l| l.placeholder.manager.is_none())
        .map(|l| l.placeholder.name.as_str())
        .chain(needs.roles.iter().map(|(_, n)| n.as_str()))
        .collect();
    names
        .into_iter()
        .filter(|name| {
            source
                .meta(name)
                .is_ok_and(|m| m.protection == Protection::Password)
        })
        .map(str::to_owned)
        .collect()
}

/// Resolves what `needs` names from `source`.
pub fn resolve(source: &mut dyn SecretSource, needs: &Needs) -> Result<Resolved> {
    // 1. Check everything from clear metadata before decrypting anything.
    let mut metas: BTreeMap<String, SecretMeta> = BTreeMap::new();
    let policy = source.expired_policy();
    for located in &needs.placeholders {
        check_placeholder(
            &*source,
            &mut metas,
            located,
            needs.allow_write_only_to_disk,
        )?;
    }
    for (role, name) in &needs.roles {
        if metas.contains_key(name) {
            continue;
        }
        let meta = source.meta(name).map_err(|e| match e.code() {
            ErrorCode::NotFound => Error::Core(coffer_core::Error::NotFound {
                what: "secret",
                name: format!("{name} (bound as {role})"),
            }),
            _ => Error::Core(e),
        })?;
        if let Some(why) = refusal(&meta, source.project(), policy) {
            return Err(Error::Core(coffer_core::Error::Refused {
                name: name.clone(),
                status: format!("{why} (bound as {role})"),
            }));
        }
        metas.insert(name.clone(), meta);
    }
    // A store-password secret without its password stops the run before
    // anything is decrypted; those with one are opened first, so that a
    // wrong password also stops it before any other secret is used.
    let mut order: Vec<&String> = metas.keys().collect();
    order.sort_by_key(|name| metas[*name].protection != Protection::Password);
    for name in &order {
        if metas[*name].protection == Protection::Password && !source.has_password(name) {
            return Err(missing_password(name, source.cannot_ask()));
        }
    }
    // Remote values next: a missing one stops the run before any local
    // secret is decrypted.
    let remote = crate::remote::resolve_remote(source, needs)?;
    // Shared secrets (team vault) next, each used once through the server.
    let shared = crate::shared::resolve_shared(source, needs)?;
    // 2. Decrypt each secret once.
    let mut uses = BTreeMap::new();
    let mut warnings = Vec::new();
    for name in order {
        let used = source.use_secret(name)?;
        if let Some(note) = &used.warning {
            warnings.push(format!("warning: {}", note.message));
        }
        uses.insert(name.clone(), used);
    }
    // 3. Every secret field is redacted, whatever its length; then the
    // values placeholders ask for.
    let mut redactor = Redactor::new();
    for used in uses.values() {
        for field in used.data.fields() {
            if field.secret {
                redactor.add(&field.value);
            }
        }
    }
    let mut values = BTreeMap::new();
    for located in &needs.placeholders {
        let p = &located.placeholder;
        if p.manager.is_some() {
            continue;
        }
        let key = key_of(p);
        if values.contains_key(&key) {
            continue;
        }
        let data = &uses[&p.name].data;
        let field = match &p.field {
            Some(f) => data.field(f),
            None => data.main_value(),
        }
        .ok_or_else(|| {
            placeholder_error(
                located,
                ErrorCode::NotFound,
                format!("secret {:?} has no such value", p.name),
            )
        })?;
        // A public field (`#username`, `#client_id`) is no secret: redacting
        // it would only mangle output. Secret fields were added above.
        let value = Zeroizing::new(field.value.into_owned());
        values.insert(key, value);
    }
    for (key, value) in remote.values {
        values.insert(key, value);
    }
    for (key, value) in shared.values {
        values.insert(key, value);
    }
    for value in &shared.redact {
        redactor.add(value);
    }
    redactor.add_prepared_all(remote.redact.iter().map(|p| &**p));
    warnings.extend(remote.warnings);
    Ok(Resolved {
        uses,
        values,
        redactor,
        warnings,
        remote_notes: remote.notes,
    })
}

impl Resolved {
    /// The value of a resolved placeholder.
    pub fn value(&self, p: &Placeholder) -> Result<&[u8]> {
        self.values
            .get(&key_of(p))
            .map(|v| &v[..])
            .ok_or_else(|| Error::invalid("placeholder", format!("{} was not resolved", p.text())))
    }

    /// A resolved secret, by name.
    pub fn secret(&self, name: &str) -> Option<&SecretUse> {
        self.uses.get(name)
    }

    /// The redactor that knows every resolved value.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Adds a derived value to redact (a header built from a secret).
    pub fn also_redact(&mut self, value: &[u8]) {
        self.redactor.add(value);
    }

    /// How many secrets were decrypted.
    pub fn secret_count(&self) -> usize {
        self.uses.len()
    }
}
