//! Jobs: things that run with secrets (fetch a URL, clone a repository,
//! render a template, run a command), their bindings to secrets, schedules
//! and run history. The core stores and checks them; `coffer-jobs` runs them.

mod schedule;
mod spec;

use serde::{Deserialize, Serialize};

pub use schedule::{
    CronExpr, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, Schedule, format_duration, parse_duration,
};
pub use spec::{CommandSpec, GitFetchSpec, HttpFetchSpec, JobSpec, TemplateSpec, git_uses_ssh};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::secret::{DEFAULT_ORG, SecretId, SecretStatus, SecretType};

/// Most bytes of a run's log that are kept (the tail, when longer).
pub const MAX_RUN_LOG_BYTES: usize = 64 * 1024;
/// Runs kept per job; older ones are deleted when a run finishes.
pub const KEEP_RUNS: u32 = 100;

/// A job's stable identifier (a random UUID).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub(crate) [u8; 16]);

impl JobId {
    pub(crate) fn random() -> Result<Self> {
        Ok(Self(crate::crypto::random_array()?))
    }

    /// Parses the hyphenated UUID form.
    pub fn parse(text: &str) -> Result<Self> {
        uuid::Uuid::parse_str(text)
            .map(|u| Self(*u.as_bytes()))
            .map_err(|_| Error::invalid("id", format!("{text:?} is not a job id")))
    }
}

#[cfg(feature = "specta")]
impl specta::Type for JobId {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        uuid::Uuid::from_bytes(self.0).hyphenated().fmt(f)
    }
}

impl std::fmt::Debug for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JobId({self})")
    }
}

impl Serialize for JobId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for JobId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How a caller names a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobRef {
    /// By id.
    Id(JobId),
    /// By name within an organization.
    Name {
        /// The organization.
        org: String,
        /// The job's name.
        name: String,
    },
}

impl JobRef {
    /// A job in the `Default` organization.
    pub fn named(name: impl Into<String>) -> Self {
        Self::in_org(DEFAULT_ORG, name)
    }

    /// A job in `org`.
    pub fn in_org(org: impl Into<String>, name: impl Into<String>) -> Self {
        Self::Name {
            org: org.into(),
            name: name.into(),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Id(id) => id.to_string(),
            Self::Name { org, name } if org == DEFAULT_ORG => name.clone(),
            Self::Name { org, name } => format!("{org}:{name}"),
        }
    }
}

impl From<JobId> for JobRef {
    fn from(id: JobId) -> Self {
        Self::Id(id)
    }
}

/// What a job does.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Fetch a URL to a file.
    HttpFetch,
    /// Clone or update a Git repository.
    GitFetch,
    /// Render a template file to an output file.
    Template,
    /// Run a program with placeholders in its arguments and environment.
    Command,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 4] = [
        Self::HttpFetch,
        Self::GitFetch,
        Self::Template,
        Self::Command,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HttpFetch => "http_fetch",
            Self::GitFetch => "git_fetch",
            Self::Template => "template",
            Self::Command => "command",
        }
    }

    /// Parses a kind name (hyphens accepted).
    pub fn parse(text: &str) -> Result<Self> {
        let wanted = text.trim().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!(
                        "{text:?} is not a job kind (http_fetch, git_fetch, template, command)"
                    ),
                )
            })
    }

    /// The explicit roles a job of this kind may bind.
    pub fn roles(self) -> &'static [SecretRole] {
        match self {
            Self::HttpFetch => &[
                SecretRole::Auth,
                SecretRole::CaBundle,
                SecretRole::ClientCertificate,
            ],
            Self::GitFetch => &[
                SecretRole::Auth,
                SecretRole::CaBundle,
                SecretRole::ClientCertificate,
                SecretRole::SshKey,
            ],
            Self::Template | Self::Command => &[],
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part an explicitly bound secret plays in a job.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretRole {
    /// Credentials sent to the server (basic, bearer, API key, client credentials).
    Auth,
    /// CA certificates added to the trust roots.
    CaBundle,
    /// A client certificate and key for mutual TLS.
    ClientCertificate,
    /// An SSH key pair.
    SshKey,
}

impl SecretRole {
    /// Every role.
    pub const ALL: [SecretRole; 4] = [
        Self::Auth,
        Self::CaBundle,
        Self::ClientCertificate,
        Self::SshKey,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::CaBundle => "ca_bundle",
            Self::ClientCertificate => "client_certificate",
            Self::SshKey => "ssh_key",
        }
    }

    /// Parses a role name (hyphens accepted).
    pub fn parse(text: &str) -> Result<Self> {
        let wanted = text.trim().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid(
                    "role",
                    format!(
                        "{text:?} is not a role (auth, ca_bundle, client_certificate, ssh_key)"
                    ),
                )
            })
    }

    /// The secret types that can play this role.
    pub fn accepts(self) -> &'static [SecretType] {
        match self {
            Self::Auth => &[
                SecretType::BasicAuth,
                SecretType::BearerToken,
                SecretType::ApiKey,
                SecretType::ClientCredentials,
            ],
            Self::CaBundle => &[SecretType::CaBundle, SecretType::Certificate],
            Self::ClientCertificate => &[SecretType::Certificate],
            Self::SshKey => &[SecretType::SshKeyPair],
        }
    }
}

impl std::fmt::Display for SecretRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret a job binds explicitly, by name in the job's organization.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleBinding {
    /// Its role.
    pub role: SecretRole,
    /// The secret's name.
    pub secret: String,
}

/// A secret a job's placeholders reference (`${secret:NAME#FIELD}`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SecretReference {
    /// An external key vault's name, for `${secret:MANAGER:NAME}`.
    pub manager: Option<String>,
    /// The secret's name.
    pub secret: String,
    /// The field or key, if one is named.
    pub field: Option<String>,
}

/// Where a binding comes from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source", content = "role")]
pub enum BindingSource {
    /// An explicit role.
    Role(SecretRole),
    /// A placeholder in the job's template, arguments or environment.
    Placeholder,
}

/// One secret a job uses, as shown on the job: the name it uses and what
/// that name finds in the vault now.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct JobBinding {
    /// Why the job uses it.
    pub source: BindingSource,
    /// An external key vault, for `${secret:MANAGER:NAME}`.
    pub manager: Option<String>,
    /// The secret's name in the job's organization.
    pub secret: String,
    /// The field or key a placeholder names.
    pub field: Option<String>,
    /// The secret it resolves to now, if any (a link for the UI).
    pub secret_id: Option<SecretId>,
    /// Its type.
    pub secret_type: Option<SecretType>,
    /// Its status now (`None` when no such secret exists).
    pub secret_status: Option<SecretStatus>,
    /// Whether it is in the trash.
    pub in_trash: bool,
}

/// How a run started.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    /// A person asked ("run now", `coffer job run`).
    Manual,
    /// Its schedule came due while Coffer was running.
    Schedule,
    /// Its schedule came due while Coffer was closed; run on the next start.
    Missed,
}

impl RunTrigger {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Schedule => "schedule",
            Self::Missed => "missed",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "manual" => Ok(Self::Manual),
            "schedule" => Ok(Self::Schedule),
            "missed" => Ok(Self::Missed),
            other => Err(Error::Internal(format!("unknown run trigger {other:?}"))),
        }
    }
}

/// Where a run stands.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not finished.
    Running,
    /// Finished and did its work.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// A secret it needs may not be used (deactivated, expired under
    /// "block", another project's, write-only where it would reach disk).
    Refused,
    /// Coffer stopped before the run finished.
    Interrupted,
}

impl RunStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::Interrupted => "interrupted",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "running" => Ok(Self::Running),
            "succeeded" => Ok(Self::Succeeded),
            "failed" => Ok(Self::Failed),
            "refused" => Ok(Self::Refused),
            "interrupted" => Ok(Self::Interrupted),
            other => Err(Error::Internal(format!("unknown run status {other:?}"))),
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job as stored and shown.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// Stable id.
    pub id: JobId,
    /// Name, unique in its organization.
    pub name: String,
    /// Organization; placeholders name secrets of this organization.
    pub org: String,
    /// The project it runs as: secrets restricted to another project refuse it.
    pub project: Option<String>,
    /// Free text.
    pub description: String,
    /// What it does.
    pub kind: JobKind,
    /// How, in detail.
    pub spec: JobSpec,
    /// When it runs by itself, if ever.
    pub schedule: Option<Schedule>,
    /// Whether the schedule is on.
    pub enabled: bool,
    /// Secrets it uses, by role and by placeholder.
    pub bindings: Vec<JobBinding>,
    /// Whether it uses any secret (the jobs list's badge).
    pub uses_secrets: bool,
    /// State kept between runs by the runner (pinned SSH host keys, the
    /// last content hash); never secret values.
    #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, specta_typescript::Unknown>))]
    pub state: serde_json::Value,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// When the newest run started.
    pub last_run_at: Option<Timestamp>,
    /// How the newest run went.
    pub last_status: Option<RunStatus>,
    /// When the schedule runs it next.
    pub next_run_at: Option<Timestamp>,
}

/// A job to create.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Name, `[A-Za-z0-9._/-]{1,128}`, unique in the organization.
    pub name: String,
    /// Organization (default `Default`).
    pub org: Option<String>,
    /// The project the job runs as.
    pub project: Option<String>,
    /// Free text.
    pub description: String,
    /// What it does; its kind follows.
    pub spec: JobSpec,
    /// When it runs by itself.
    pub schedule: Option<Schedule>,
    /// Whether the schedule is on.
    pub enabled: bool,
    /// Explicit roles; each must name an existing secret of a fitting type.
    pub roles: Vec<RoleBinding>,
    /// What the job's placeholders reference (`coffer-jobs` finds them in
    /// the spec and the template file). Unknown names are allowed: the run
    /// that meets them fails with the placeholder's position.
    pub references: Vec<SecretReference>,
}

impl NewJob {
    /// A job with default metadata.
    pub fn new(name: impl Into<String>, spec: JobSpec) -> Self {
        Self {
            name: name.into(),
            org: None,
            project: None,
            description: String::new(),
            spec,
            schedule: None,
            enabled: true,
            roles: Vec::new(),
            references: Vec::new(),
        }
    }
}

/// A change to a job; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct JobChange {
    /// New description.
    pub description: Option<String>,
    /// New spec (of the same kind).
    pub spec: Option<JobSpec>,
    /// New schedule (`Some(None)` removes it).
    pub schedule: Option<Option<Schedule>>,
    /// Switch the schedule on or off.
    pub enabled: Option<bool>,
    /// New project (`Some(None)` clears it).
    pub project: Option<Option<String>>,
    /// New explicit roles (replacing all).
    pub roles: Option<Vec<RoleBinding>>,
    /// New placeholder references (replacing all).
    pub references: Option<Vec<SecretReference>>,
}

/// A job that uses a secret, for "used by".
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct JobUsage {
    /// The job.
    pub job_id: JobId,
    /// Its name.
    pub name: String,
    /// Its organization.
    pub org: String,
    /// Its kind.
    pub kind: JobKind,
    /// Explicit roles the secret plays in it.
    pub roles: Vec<SecretRole>,
    /// Fields its placeholders use (`None` for the main value).
    pub placeholder_fields: Vec<Option<String>>,
    /// Whether a placeholder references it.
    pub by_placeholder: bool,
    /// Whether its schedule is on.
    pub enabled: bool,
}

/// A job that uses some of several secrets (all those a filter matches),
/// for confirming a change to all of them first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct SelectionUsage {
    /// The job, with the roles and placeholder fields of all those secrets.
    pub job: JobUsage,
    /// The names of those secrets it uses, in name order.
    pub secrets: Vec<String>,
}

/// One run of a job.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct JobRun {
    /// Run id (unique in the vault; what commands take).
    pub id: u32,
    /// The run's number among its job's runs (#1 is the job's first run).
    pub number: u32,
    /// How long it ran in milliseconds, when known (not for a run under way
    /// or interrupted).
    pub duration_ms: Option<u32>,
    /// The job.
    pub job_id: JobId,
    /// The job's name.
    pub job_name: String,
    /// How it started.
    pub trigger: RunTrigger,
    /// Where it stands.
    pub status: RunStatus,
    /// Started.
    pub started_at: Timestamp,
    /// Finished.
    pub finished_at: Option<Timestamp>,
    /// What it printed and did, with every secret value replaced by `***`;
    /// the newest 64 KiB.
    pub log: String,
    /// The error, if it failed (redacted as well).
    pub error: Option<String>,
    /// What it produced (HTTP status, size, SHA-256, commit, exit code...).
    #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, specta_typescript::Unknown>))]
    pub result: serde_json::Value,
}

/// How a run ended, as reported by the runner. Every text must already be
/// redacted: the core stores it as given.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Succeeded, failed or refused.
    pub status: RunStatus,
    /// The redacted log.
    pub log: String,
    /// The redacted error.
    pub error: Option<String>,
    /// What it produced.
    pub result: serde_json::Value,
    /// New runner state for the job (replaces the old), if any.
    pub state: Option<serde_json::Value>,
    /// The placeholder references found by this run (a template file may
    /// have changed since the job was saved), if known.
    pub references: Option<Vec<SecretReference>>,
}

/// A run that was started.
#[derive(Debug, Clone)]
pub struct StartedRun {
    /// The run's number.
    pub run: u32,
    /// The job as it was when the run started.
    pub job: Job,
    /// When the run started.
    pub started_at: Timestamp,
}
