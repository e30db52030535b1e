//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Coffer: an encrypted vault for the credentials your jobs need.
#[derive(Debug, Parser)]
#[command(name = "coffer", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The vault file [default: the platform data directory's coffer/vault.db].
    #[arg(long, global = true, env = "COFFER_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// Machine output on stdout; errors as {"error":{"code","message"}} on stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the recovery passphrase from this file (unlocks without the OS keyring).
    #[arg(
        long,
        global = true,
        env = "COFFER_PASSPHRASE_FILE",
        value_name = "FILE"
    )]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault (asks for a recovery passphrase).
    Init {
        /// Do not keep the master key in the OS keyring; unlock with the passphrase only.
        #[arg(long)]
        no_keyring: bool,
    },
    /// Vault path, lock and keyring state, counts.
    Status,
    /// Register, list, reveal and manage secrets.
    #[command(subcommand)]
    Secret(Box<SecretCommand>),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Vault-wide operations: key rotation, passphrase, backup.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Certificates and keys, without a vault.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Connections to cloud key vaults (AWS Secrets Manager, Azure Key
    /// Vault): add, test, browse remote secrets, import them. Remote
    /// failures exit with 7.
    #[command(subcommand)]
    Manager(Box<ManagerCommand>),
    /// Jobs that run with secrets: fetch a URL, clone a repository, render a
    /// template, run a command.
    #[command(subcommand)]
    Job(Box<JobCommand>),
    /// Export secrets to one file: an `age` file encrypted to a passphrase
    /// (open it with `age -d`), holding the documented coffer-export JSON.
    /// Asks for the recovery passphrase first; write-only and store-password
    /// values are never exported (their metadata is, marked).
    Export(ExportArgs),
    /// Import secrets from another tool's export: a preview first (what
    /// will be created, per type; name conflicts; rows that cannot be
    /// imported), then one transaction, all or nothing.
    Import(Box<ImportArgs>),
    /// A team vault on PostgreSQL, shared by administrators with end-to-end
    /// encryption: create, invite, join, confirm, members, status. Server
    /// failures exit with 7, refusals with 6.
    #[command(subcommand, name = "shared-vault")]
    SharedVault(Box<SharedVaultCommand>),
    /// Teams of a shared organization: administrators create, rename and
    /// delete them and add or remove members; every member lists them.
    /// Access rules name teams (`coffer secret access`). Refusals exit with 6.
    #[command(subcommand)]
    Team(Box<TeamCommand>),
    /// Run a program with placeholders resolved in its environment and
    /// arguments. Its output is captured and passed on with every resolved
    /// value replaced by ***, so it is not for interactive programs. Exits
    /// with the program's exit code.
    Run {
        /// VAR=TEMPLATE, e.g. DB_PASSWORD='${secret:prod/db}' (repeatable).
        #[arg(long = "env", value_name = "VAR=TEMPLATE")]
        env: Vec<String>,
        /// The organization placeholders name secrets of.
        #[arg(long, default_value = "Default", value_name = "ORG")]
        org: String,
        /// Use secrets as this project (secrets restricted to another refuse).
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// The store password of a secret it uses, from a file (NAME=- reads
        /// standard input); those not given are asked on the terminal.
        #[arg(long, value_name = "NAME=FILE")]
        store_password_file: Vec<String>,
        /// The program and its arguments (placeholders allowed), after `--`.
        #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]")]
        command: Vec<String>,
    },
}

/// `coffer export` options.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("scope").args(["org", "secret"]))]
pub struct ExportArgs {
    /// The file to write (owner-only).
    pub file: PathBuf,
    /// Export only this organization.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Export only this secret (repeatable; in --in-org).
    #[arg(long, value_name = "NAME")]
    pub secret: Vec<String>,
    /// The organization of the --secret names.
    #[arg(
        long,
        default_value = "Default",
        value_name = "ORG",
        requires = "secret"
    )]
    pub in_org: String,
    /// The current version only (default: every kept version).
    #[arg(long)]
    pub current_only: bool,
    /// Also export the jobs of the organizations exported (of every
    /// organization; of --org; of the --secret names' organization): what
    /// each does, its secrets, schedule, project and description.
    #[arg(long)]
    pub jobs: bool,
    /// Read the export passphrase from this file (otherwise it is asked for twice).
    #[arg(long, value_name = "FILE")]
    pub export_passphrase_file: Option<PathBuf>,
    /// Write plain JSON instead: every value in clear text, readable by
    /// anyone who gets the file. Prints a warning.
    #[arg(long, conflicts_with = "export_passphrase_file")]
    pub plaintext: bool,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `coffer manager add` options.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("service").required(true).args(["aws_region", "azure_vault_uri"]))]
pub struct ManagerAdd {
    /// Its name, as placeholders use it (`${secret:NAME:REMOTE}`): letters,
    /// digits, '.', '_', '/', '-'.
    pub name: String,
    /// The organization whose secrets hold its credentials and receive its imports.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
    /// AWS Secrets Manager in this region (eu-west-1).
    #[arg(long, value_name = "REGION", conflicts_with = "azure_vault_uri")]
    pub aws_region: Option<String>,
    /// AWS: an endpoint other than the region's (a VPC endpoint, a test server).
    #[arg(
        long,
        value_name = "URL",
        requires = "aws_region",
        conflicts_with = "azure_vault_uri"
    )]
    pub endpoint: Option<String>,
    /// AWS: a profile of ~/.aws/config for the default credential chain.
    #[arg(
        long,
        value_name = "PROFILE",
        requires = "aws_region",
        conflicts_with = "access_key_secret"
    )]
    pub profile: Option<String>,
    /// AWS: the key_value secret holding aws_access_key_id and
    /// aws_secret_access_key (and aws_session_token) [default: the default chain].
    #[arg(
        long,
        value_name = "SECRET",
        requires = "aws_region",
        conflicts_with = "azure_vault_uri"
    )]
    pub access_key_secret: Option<String>,
    /// Azure Key Vault at this URI (https://NAME.vault.azure.net/).
    #[arg(long, value_name = "URI", requires = "tenant")]
    pub azure_vault_uri: Option<String>,
    /// Azure: the Entra ID tenant (directory) id.
    #[arg(
        long,
        value_name = "TENANT",
        requires = "azure_vault_uri",
        conflicts_with = "aws_region"
    )]
    pub tenant: Option<String>,
    /// Azure: an Entra ID authority other than the public cloud's.
    #[arg(
        long,
        value_name = "URL",
        requires = "azure_vault_uri",
        conflicts_with = "aws_region"
    )]
    pub authority_host: Option<String>,
    /// Azure: the client_credentials secret of a service principal
    /// [default: the platform's credentials].
    #[arg(
        long,
        value_name = "SECRET",
        requires = "azure_vault_uri",
        conflicts_with = "aws_region"
    )]
    pub client_secret_secret: Option<String>,
    /// Seconds a fetched value stays cached (in the process that fetched it).
    #[arg(long, value_name = "SECONDS", default_value_t = coffer_core::remote::DEFAULT_CACHE_TTL_SECS)]
    pub ttl: u32,
    /// Seconds an expired value may still serve while the service is down or throttling (0: never).
    #[arg(long, value_name = "SECONDS", default_value_t = coffer_core::remote::DEFAULT_STALE_IF_ERROR_SECS)]
    pub stale_if_error: u32,
    /// Client-side limit of writes (deployments) per second.
    #[arg(long, value_name = "N", default_value_t = coffer_core::remote::DEFAULT_WRITES_PER_SEC)]
    pub writes_per_sec: u32,
}

/// `coffer manager edit` options: each given option replaces that setting;
/// the others keep their values.
#[derive(Debug, Args)]
pub struct ManagerEdit {
    /// The connection.
    pub name: String,
    /// A new name (refused while jobs' placeholders use the old one).
    #[arg(long, value_name = "NEW")]
    pub rename: Option<String>,
    /// The organization whose secrets hold its credentials.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// AWS: the region (on an Azure connection: switch it to AWS, refused
    /// while it holds deployments).
    #[arg(long, value_name = "REGION", conflicts_with_all = ["azure_vault_uri", "tenant", "authority_host", "client_secret_secret"])]
    pub aws_region: Option<String>,
    /// AWS: an endpoint other than the region's.
    #[arg(long, value_name = "URL", conflicts_with = "no_endpoint")]
    pub endpoint: Option<String>,
    /// AWS: back to the region's own endpoint.
    #[arg(long)]
    pub no_endpoint: bool,
    /// AWS: use this profile of the default credential chain (drops the
    /// access-key secret).
    #[arg(long, value_name = "PROFILE", conflicts_with_all = ["access_key_secret", "implicit"])]
    pub profile: Option<String>,
    /// AWS: the key_value secret holding the access key.
    #[arg(long, value_name = "SECRET", conflicts_with = "implicit")]
    pub access_key_secret: Option<String>,
    /// Use the platform's credentials (AWS default chain, Azure CLI or
    /// managed identity) instead of a credential secret.
    #[arg(long)]
    pub implicit: bool,
    /// Azure: the vault URI (on an AWS connection: switch it to Azure, with
    /// --tenant).
    #[arg(long, value_name = "URI")]
    pub azure_vault_uri: Option<String>,
    /// Azure: the Entra ID tenant id.
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Azure: an Entra ID authority other than the public cloud's.
    #[arg(long, value_name = "URL")]
    pub authority_host: Option<String>,
    /// Azure: the client_credentials secret of a service principal.
    #[arg(long, value_name = "SECRET", conflicts_with_all = ["implicit", "access_key_secret"])]
    pub client_secret_secret: Option<String>,
    /// Seconds a fetched value stays cached.
    #[arg(long, value_name = "SECONDS")]
    pub ttl: Option<u32>,
    /// Seconds an expired value may still serve while the service is down or throttling.
    #[arg(long, value_name = "SECONDS")]
    pub stale_if_error: Option<u32>,
    /// Client-side limit of writes (deployments) per second.
    #[arg(long, value_name = "N")]
    pub writes_per_sec: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum ManagerCommand {
    /// Add a connection: --aws-region (with --endpoint, --profile or
    /// --access-key-secret) or --azure-vault-uri with --tenant (and
    /// --client-secret-secret). Stores no credential, only the secret's name.
    Add(Box<ManagerAdd>),
    /// Change a connection's settings: name, region or endpoint, vault URI,
    /// credentials secret, cache TTL, stale-if-error, writes/s. Validated
    /// like add; nothing changes when anything is refused.
    Edit(Box<ManagerEdit>),
    /// List connections.
    List,
    /// A connection's settings and what uses it.
    Show {
        /// The connection.
        name: String,
    },
    /// Delete a connection (nothing is deleted in the key vault).
    Delete {
        /// The connection.
        name: String,
    },
    /// One cheap authenticated call: status, latency, what was checked and,
    /// on failure, the hint of its class (exit 7; 6 when credentials are refused).
    Test {
        /// The connection.
        name: String,
    },
    /// The remote secrets: names, last change, tags, versions and whether
    /// Coffer manages them; never values.
    Browse {
        /// The connection.
        name: String,
        /// Only names starting with this.
        #[arg(long, default_value = "", value_name = "PREFIX")]
        prefix: String,
        /// Names per page.
        #[arg(long, default_value_t = 50, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..=100))]
        page_size: u32,
        /// Every page (otherwise the first, and the token of the next).
        #[arg(long, conflicts_with = "page")]
        all: bool,
        /// The page after this token (from a previous browse).
        #[arg(long, value_name = "TOKEN")]
        page: Option<String>,
    },
    /// Import remote secrets as local ones, keeping the link (one action;
    /// progress on stderr; all or none: a missing or refused one imports
    /// nothing).
    Import {
        /// The connection.
        name: String,
        /// The remote secrets' names.
        #[arg(required = true, value_name = "REMOTE")]
        remote: Vec<String>,
        /// key_value or data [default: key_value for a JSON object, data otherwise].
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
        /// The local name (one REMOTE only) [default: the remote name].
        #[arg(long = "as", value_name = "LOCAL")]
        local: Option<String>,
    },
}

/// A local secret's deployment to a connection.
#[derive(Debug, Args)]
pub struct DeploymentArgs {
    /// The local secret's name.
    pub name: String,
    /// Its organization.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
    /// The connection.
    #[arg(long = "to", value_name = "MANAGER")]
    pub manager: String,
}

/// Where a job lives.
#[derive(Debug, Args)]
pub struct JobTarget {
    /// The job's name.
    pub name: String,
    /// Its organization.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
}

/// `coffer job add` options.
#[derive(Debug, Args)]
pub struct JobAdd {
    /// http_fetch, git_fetch, template or command.
    #[arg(value_name = "KIND")]
    pub kind: String,
    /// Its name: letters, digits, '.', '_', '/', '-'.
    pub name: String,
    /// Its organization; placeholders and --secret name its secrets.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
    /// The project it runs as (secrets restricted to another refuse it).
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// Free-text description.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// A secret in a role: auth, ca_bundle, client_certificate, ssh_key (repeatable).
    #[arg(long = "secret", value_name = "ROLE=NAME")]
    pub secrets: Vec<String>,
    /// Run on a cron schedule (five fields, UTC): '*/15 * * * *'.
    #[arg(long, value_name = "CRON", conflicts_with = "every")]
    pub schedule: Option<String>,
    /// Run at a fixed interval: 15m, 1h30m, 1d.
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// Keep the schedule off for now.
    #[arg(long)]
    pub disabled: bool,
    /// http_fetch: the URL.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// http_fetch: the file to write; git_fetch: the working copy's directory.
    #[arg(long, value_name = "PATH")]
    pub target: Option<PathBuf>,
    /// git_fetch: the repository (https://, ssh:// or user@host:path).
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// git_fetch: the branch [default: the remote's default branch].
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// git_fetch: user name sent with a bearer token [default: x-access-token].
    #[arg(long, value_name = "USER")]
    pub token_username: Option<String>,
    /// template: the template file.
    #[arg(long, value_name = "PATH")]
    pub template: Option<PathBuf>,
    /// template: the output file (written with mode 0600).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// template: let write-only secrets be written to the output.
    #[arg(long)]
    pub allow_write_only_to_disk: bool,
    /// command: an environment variable VAR=TEMPLATE (repeatable).
    #[arg(long = "env", value_name = "VAR=TEMPLATE")]
    pub env: Vec<String>,
    /// command: the working directory.
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<PathBuf>,
    /// command: seconds before the program is killed [default: 3600].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u32>,
    /// command: the program and its arguments (placeholders allowed), after `--`.
    #[arg(last = true, value_name = "PROGRAM [ARGS]")]
    pub command: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Define a job: http_fetch (--url, --target), git_fetch (--repo, --target,
    /// [--branch]), template (--template, --output), command (-- PROGRAM ARGS).
    Add(Box<JobAdd>),
    /// List jobs (marks those that use secrets).
    List {
        /// Only this organization.
        #[arg(long, value_name = "ORG")]
        org: Option<String>,
    },
    /// A job's definition, secrets, schedule and last run.
    Show {
        #[command(flatten)]
        target: JobTarget,
    },
    /// Run a job now (exit code 1 when it fails, 6 when it is refused).
    Run {
        #[command(flatten)]
        target: JobTarget,
        /// The store password of a secret it uses, from a file (NAME=- reads
        /// standard input); those not given are asked on the terminal.
        #[arg(long, value_name = "NAME=FILE")]
        store_password_file: Vec<String>,
    },
    /// Approve the secrets a template job's file names now (its runs are
    /// refused while the file names secrets beyond those approved).
    Approve {
        #[command(flatten)]
        target: JobTarget,
    },
    /// A job's newest runs, with their redacted logs in --json (unlocks: run
    /// logs are sealed like values).
    Runs {
        #[command(flatten)]
        target: JobTarget,
        /// How many.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: u32,
    },
    /// Switch a job's schedule on (an imported job arrives with it off).
    Enable {
        #[command(flatten)]
        target: JobTarget,
    },
    /// Switch a job's schedule off; it still runs with `job run`.
    Disable {
        #[command(flatten)]
        target: JobTarget,
    },
    /// Delete a job and its run history.
    Delete {
        #[command(flatten)]
        target: JobTarget,
    },
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Show what a certificate, chain, CA bundle, PKCS#12, private key or SSH key holds.
    Inspect {
        /// The file (PEM, DER, PKCS#12/PFX, OpenSSH, authorized_keys line).
        file: PathBuf,
        /// A private key in a separate file, checked against the leaf.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Password of an encrypted key or PKCS#12 file (used once, never stored).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Read the file as a CA bundle (every certificate in input order).
        #[arg(long)]
        bundle: bool,
    },
}

/// Where a named secret lives.
#[derive(Debug, Args)]
pub struct Target {
    /// The secret's name.
    pub name: String,
    /// Its organization.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
}

/// Metadata options shared by `add` and `update`.
#[derive(Debug, Args, Default)]
pub struct MetaArgs {
    /// Free-text description.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// A label KEY=VALUE (repeatable).
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Expiry: 2027-01-31 (midnight UTC) or RFC 3339.
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Accept an expiry in the past (imports).
    #[arg(long)]
    pub allow_past_expiry: bool,
    /// Restrict use to a project.
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// Hide from other owners' listings.
    #[arg(long)]
    pub private: bool,
    /// Never revealable again, only usable.
    #[arg(long)]
    pub write_only: bool,
}

/// Value options shared by `add` and `update`.
#[derive(Debug, Args, Default)]
pub struct FieldArgs {
    /// A field NAME=VALUE. Secret fields only as NAME=@- (stdin) or NAME=@FILE.
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// A field read from a file, byte for byte (certificates, keys, data).
    #[arg(long = "file", value_name = "NAME=PATH")]
    pub files: Vec<String>,
    /// Password of an encrypted key or PKCS#12 file in the input (used once, never stored).
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// Store a certificate even if its private key does not match the leaf.
    #[arg(long)]
    pub allow_key_mismatch: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Register a secret.
    Add {
        /// basic_auth, bearer_token, api_key, client_credentials, certificate, ca_bundle,
        /// ssh_key_pair, key_value or data.
        #[arg(value_name = "TYPE")]
        kind: String,
        /// Its name: letters, digits, '.', '_', '/', '-'.
        name: String,
        /// Its organization (created when new).
        #[arg(long, default_value = "Default", value_name = "ORG")]
        org: String,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        meta: MetaArgs,
        /// Protect with a store password read from this file (needed to read or change it).
        #[arg(long, value_name = "FILE", conflicts_with = "generate_store_password")]
        store_password_file: Option<PathBuf>,
        /// Protect with a generated store password, printed once.
        #[arg(long)]
        generate_store_password: bool,
    },
    /// List secrets (never values).
    List {
        /// Case-insensitive text in the name or description.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Only this type (repeatable).
        #[arg(long = "type", value_name = "TYPE")]
        types: Vec<String>,
        /// Only this status: active, deactivated, expired (repeatable).
        #[arg(long = "status", value_name = "STATUS")]
        statuses: Vec<String>,
        /// Only with this label KEY=VALUE or KEY (repeatable).
        #[arg(long = "label", value_name = "KEY[=VALUE]")]
        labels: Vec<String>,
        /// Only this organization.
        #[arg(long, value_name = "ORG")]
        org: Option<String>,
        /// Only this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Only secrets expiring within DAYS (already expired included).
        #[arg(long, value_name = "DAYS")]
        expiring_within: Option<u32>,
        /// name, type, created, updated, expires or status.
        #[arg(long, default_value = "name", value_name = "FIELD")]
        sort: String,
        /// Descending order.
        #[arg(long)]
        desc: bool,
        /// Page size (at most 1000).
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: u32,
        /// Rows to skip.
        #[arg(long, default_value_t = 0, value_name = "N")]
        offset: u32,
    },
    /// Metadata and public fields of a secret, never values.
    Show {
        #[command(flatten)]
        target: Target,
    },
    /// Print a value (audited). Without --field: the main value.
    Reveal {
        #[command(flatten)]
        target: Target,
        /// The field (or key) to print.
        #[arg(long, value_name = "FIELD")]
        field: Option<String>,
        /// The store password, for password-protected secrets.
        #[arg(long, value_name = "FILE")]
        store_password_file: Option<PathBuf>,
    },
    /// Change metadata, or the value (a new version).
    Update {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        fields: FieldArgs,
        /// Remove a field or key (repeatable).
        #[arg(long = "remove-field", value_name = "NAME")]
        remove_fields: Vec<String>,
        #[command(flatten)]
        meta: MetaArgs,
        /// Remove a label (repeatable).
        #[arg(long = "remove-label", value_name = "KEY")]
        remove_labels: Vec<String>,
        /// Remove the expiry.
        #[arg(long, conflicts_with = "expires")]
        clear_expiry: bool,
        /// Remove the project restriction.
        #[arg(long, conflicts_with = "project")]
        clear_project: bool,
        /// Make visible to everyone.
        #[arg(long, conflicts_with = "private")]
        public: bool,
        /// The store password, for password-protected secrets.
        #[arg(long, value_name = "FILE")]
        store_password_file: Option<PathBuf>,
        /// Change the store password to the one in this file.
        #[arg(long, value_name = "FILE", requires = "store_password_file")]
        new_store_password_file: Option<PathBuf>,
    },
    /// Kept versions of a secret.
    Versions {
        #[command(flatten)]
        target: Target,
    },
    /// Make an old version current again (as a new version).
    Restore {
        #[command(flatten)]
        target: Target,
        /// The version to restore.
        version: u32,
        /// The store password, for password-protected secrets.
        #[arg(long, value_name = "FILE")]
        store_password_file: Option<PathBuf>,
    },
    /// Access rules of a shared secret (Concord): a level per team (READER,
    /// WRITER, OWNER), its visibility (PUBLIC, PRIVATE) and its owner.
    #[command(subcommand)]
    Access(Box<AccessCommand>),
    /// Deactivate: using the secret fails until it is activated.
    Deactivate {
        #[command(flatten)]
        target: Target,
    },
    /// Activate a deactivated secret.
    Activate {
        #[command(flatten)]
        target: Target,
    },
    /// Move to the trash (or destroy now with --permanent).
    Delete {
        #[command(flatten)]
        target: Target,
        /// Destroy now instead of moving to the trash.
        #[arg(long)]
        permanent: bool,
    },
    /// Take a secret out of the trash.
    Undelete {
        #[command(flatten)]
        target: Target,
    },
    /// List the trash.
    Trash,
    /// Destroy one trashed secret, or empty the trash.
    Purge {
        /// The trashed secret to destroy; without it the whole trash is emptied.
        name: Option<String>,
        /// Its organization.
        #[arg(long, default_value = "Default", value_name = "ORG")]
        org: String,
    },
    /// Generate an SSH key pair and store it; prints the public key.
    GenerateSsh {
        /// The secret's name.
        name: String,
        /// Its organization (created when new).
        #[arg(long, default_value = "Default", value_name = "ORG")]
        org: String,
        /// ed25519 (default), rsa or ecdsa (P-256).
        #[arg(long, default_value = "ed25519", value_name = "ALGORITHM")]
        algorithm: String,
        /// RSA key size: 3072 (default) or 4096.
        #[arg(long, value_name = "N")]
        bits: Option<u32>,
        /// The public key's comment [default: coffer:NAME].
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
        #[command(flatten)]
        meta: MetaArgs,
    },
    /// Print the OpenSSH public key of a key pair (no unlock needed).
    PublicKey {
        #[command(flatten)]
        target: Target,
    },
    /// One authenticated request against URL: the HTTP status and TLS facts,
    /// never the value. A certificate secret is offered as the client
    /// certificate; a CA bundle secret is trusted.
    Test {
        #[command(flatten)]
        target: Target,
        /// The URL to request (https; http only on loopback).
        #[arg(long, value_name = "URL")]
        url: String,
        /// A CA bundle secret to trust besides the system's roots.
        #[arg(long, value_name = "NAME")]
        ca_bundle: Option<String>,
        /// Use the secrets as this project.
        #[arg(long, value_name = "PROJECT")]
        project: Option<String>,
        /// Its store password, from a file (- reads standard input); asked
        /// on the terminal when it has one and this is not given.
        #[arg(long, value_name = "FILE")]
        store_password_file: Option<String>,
    },
    /// The jobs that use a secret (by role or placeholder).
    Usage {
        #[command(flatten)]
        target: Target,
    },
    /// Move a secret to another organization.
    Move {
        /// The secret's name.
        name: String,
        /// Its current organization.
        #[arg(long, default_value = "Default", value_name = "ORG")]
        from: String,
        /// The destination organization (created when new).
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Rename a secret; the jobs that name it (bindings and `${secret:NAME}`
    /// placeholders in their arguments and environment) follow.
    Rename {
        #[command(flatten)]
        target: Target,
        /// The new name.
        new_name: String,
    },
    /// Deploy a secret to a key vault connection and push it now, showing
    /// each state; ends `available`, or exits 7 with the stalled or failed reason.
    Deploy {
        #[command(flatten)]
        target: DeploymentArgs,
        /// The remote name [default: the local name].
        #[arg(long = "as", value_name = "REMOTE_NAME")]
        remote_name: Option<String>,
    },
    /// Push a deployment again (IMCO retry: after a failure, a stall, a
    /// crash or a kill; never a second remote version of a local version).
    Retry {
        #[command(flatten)]
        target: DeploymentArgs,
    },
    /// Let Coffer write over a remote secret it did not create (a stalled
    /// name conflict, or an import link), then push.
    Adopt {
        #[command(flatten)]
        target: DeploymentArgs,
    },
    /// Delete the deployed secret in the key vault (soft delete where the
    /// service has it); asks to type MANAGER:REMOTE on a terminal.
    Decommission {
        #[command(flatten)]
        target: DeploymentArgs,
        /// Do not ask (needed without a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Deployments and import links: of one secret, or all.
    Deployments {
        /// Only this secret's.
        name: Option<String>,
        /// Its organization.
        #[arg(long, default_value = "Default", value_name = "ORG")]
        org: String,
    },
    /// Copy a secret's current value into a new secret (its own data key).
    Clone {
        #[command(flatten)]
        target: Target,
        /// The new secret's name.
        new_name: String,
        /// The store password, for password-protected secrets (the copy keeps it).
        #[arg(long, value_name = "FILE")]
        store_password_file: Option<PathBuf>,
    },
}

/// The filters of `audit list` and `audit export` (the desktop audit page's).
#[derive(Debug, clap::Args)]
pub struct AuditFilterArgs {
    /// Only entries about this secret.
    #[arg(long, value_name = "NAME")]
    pub secret: Option<String>,
    /// Its organization.
    #[arg(long, default_value = "Default", value_name = "ORG")]
    pub org: String,
    /// Only entries whose target contains TEXT (any case; also purged secrets).
    #[arg(long, value_name = "TEXT")]
    pub target: Option<String>,
    /// Only entries by this actor.
    #[arg(long, value_name = "USER")]
    pub actor: Option<String>,
    /// Only this action (secret.reveal, vault.unlock, ...).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// At or after this time (2027-01-31 or 2027-01-31T12:00:00Z).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Before this time (same forms).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest audit entries, optionally filtered.
    List {
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// How many.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: u32,
        /// Only entries older than entry SEQ (the next page after SEQ).
        #[arg(long, value_name = "SEQ")]
        before: Option<u32>,
    },
    /// Every entry that the filters match, as CSV or JSON, on stdout.
    Export {
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// csv or json.
        #[arg(long, value_name = "FORMAT", default_value = "csv")]
        format: String,
    },
    /// Check the hash chain; names the first broken entry.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Replace the master key and re-wrap every data key (needs the passphrase).
    RotateKey,
    /// Change the recovery passphrase.
    ChangePassphrase {
        /// Read the new passphrase from this file (otherwise it is asked for twice).
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Copy the vault to a new file (SQLite backup API).
    Backup {
        /// The destination; must not exist.
        dest: PathBuf,
    },
    /// Accept a vault file that was restored from an older copy on purpose
    /// (unlocking refuses it as rolled back); needs the recovery passphrase.
    AcceptRestore,
    /// Restore a backup made by `coffer vault backup` (or the app's Settings):
    /// into a new vault file, or in place of this vault after showing both
    /// vaults' counts and dates. The backup's integrity, row tags and audit
    /// chain are verified before anything is written.
    #[command(group = clap::ArgGroup::new("mode").required(true).args(["into", "replace"]))]
    Restore {
        /// The backup file (never changed).
        backup: PathBuf,
        /// Restore into a new vault file at this path (needs the backup's
        /// recovery passphrase; the new vault does not use the OS keyring).
        #[arg(long, value_name = "NEW_PATH")]
        into: Option<PathBuf>,
        /// Replace this vault (--vault) by the backup; the app and other
        /// processes must have closed it.
        #[arg(long)]
        replace: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// The formats `coffer import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// A KeePass database (KDBX 3.1 or 4), with its password and/or key file.
    Kdbx,
    /// Bitwarden's unencrypted JSON export.
    Bitwarden,
    /// 1Password's `.1pux` export.
    #[value(name = "1password")]
    OnePassword,
    /// 1Password's CSV export.
    #[value(name = "1password-csv")]
    OnePasswordCsv,
    /// A `.env` file (or a flat JSON object of keys and values).
    Env,
    /// Any CSV, through a column mapping (`--map`, or the suggested one).
    Csv,
    /// Coffer's own export (`coffer export`), with its history; asks for
    /// the export's passphrase (or --export-passphrase-file).
    Coffer,
}

/// How a `.env` file becomes secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvSplit {
    /// One key/value secret for the whole file (named by --name or the file).
    One,
    /// One key/value secret per variable, named after it.
    PerVariable,
}

/// Where KeePass groups go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupsChoice {
    /// A `group` label with the group path.
    Labels,
    /// The project (the innermost group's name).
    Project,
}

/// What to do with an item whose name is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConflictChoice {
    /// Leave the existing secret; do not import the item.
    Skip,
    /// Import it as NAME-2 (the next free name).
    Rename,
    /// Add its value as a new version of the existing secret (renamed when
    /// the types differ).
    NewVersion,
}

/// `coffer import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file's format.
    pub format: ImportFormat,
    /// The file (at most 64 MiB).
    pub file: PathBuf,
    /// What to do when a name is taken in its organization.
    #[arg(long, value_enum, default_value = "skip")]
    pub on_conflict: ConflictChoice,
    /// Import without asking. Without it, the preview is printed and, on a
    /// terminal, confirmation asked; otherwise nothing is written.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The organization the secrets go to [default: Default].
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// The project the secrets are restricted to.
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// KeePass: read the database password from standard input (one line)
    /// instead of asking on the terminal.
    #[arg(long)]
    pub password_stdin: bool,
    /// KeePass: the database's key file.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// KeePass groups and Bitwarden folders: as labels or as the project.
    #[arg(long, value_enum, default_value = "labels")]
    pub groups: GroupsChoice,
    /// `.env`: one secret for the file, or one per variable.
    #[arg(long = "env", value_enum, default_value = "per-variable")]
    pub env_split: EnvSplit,
    /// `.env` with `--env one`: the secret's name [default: the file's name].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// CSV: the role of each column, `COLUMN=ROLE,...`; COLUMN is a header
    /// or a number from 1; ROLE is name, type, description, expiry, labels
    /// (k=v;k2=v2), label:KEY, field:NAME (username, password, a key...) or
    /// ignore. Columns not named are ignored [default: the suggested mapping].
    #[arg(long, value_name = "COLUMN=ROLE,...")]
    pub map: Option<String>,
    /// CSV: the type of rows without a type column [default: basic_auth when
    /// username and password are mapped, else key_value].
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// CSV: the first row is data, not a header (default: detected).
    #[arg(long, conflicts_with = "header")]
    pub no_header: bool,
    /// CSV: the first row is a header (default: detected).
    #[arg(long)]
    pub header: bool,
    /// The passphrase of a Coffer export (format coffer), from this file;
    /// otherwise it is asked for on the terminal.
    #[arg(long, value_name = "FILE")]
    pub export_passphrase_file: Option<PathBuf>,
    /// Label every secret the import writes (created, or given a new
    /// version) `import=<UTC date and time>`, so that `coffer list --label`
    /// finds what it changed.
    #[arg(long)]
    pub tag: bool,
}

#[derive(Debug, Subcommand)]
pub enum SharedVaultCommand {
    /// Create a team vault on a PostgreSQL server (14+): its schema, its
    /// database roles, you as its first administrator and its first
    /// organization. The connecting role must be allowed to create roles
    /// and schemas; otherwise use --print-sql and hand the SQL to a DBA.
    Create {
        /// postgres://USER@HOST:PORT/DATABASE?sslmode=require (no password in it).
        #[arg(long, value_name = "URL")]
        url: String,
        /// The basic_auth secret (ORG:NAME or NAME) whose password USER logs in with.
        #[arg(long, value_name = "SECRET")]
        password_secret: Option<String>,
        /// The ca_bundle secret whose certificates TLS trusts (instead of the system's).
        #[arg(long, value_name = "SECRET")]
        ca_secret: Option<String>,
        /// The certificate secret (with its private key) TLS shows to a
        /// server that asks for a client certificate.
        #[arg(long, value_name = "SECRET")]
        client_cert: Option<String>,
        /// Your name as other members see it (encrypted on the server).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The first organization's name (encrypted on the server).
        #[arg(long, value_name = "ORG")]
        org: String,
        /// Print the SQL that creates everything (for a DBA to run) instead
        /// of running it; your identity is kept in this vault either way.
        #[arg(long)]
        print_sql: bool,
    },
    /// Invite someone (administrators): prints a one-time ticket to hand
    /// over out of band. It is a secret until used or expired.
    Invite {
        /// member or administrator.
        #[arg(long, default_value = "member")]
        role: String,
        /// Hours until the ticket expires (1 to 720).
        #[arg(long, default_value_t = 24, value_name = "HOURS")]
        expires_in: u32,
        /// The team vault's id (or its start), when this vault belongs to several.
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Join a team vault with a ticket: publishes your public keys; you stay
    /// pending until an administrator confirms the fingerprint `status` shows.
    Join {
        /// The file holding the ticket (- reads standard input).
        #[arg(long, value_name = "FILE")]
        ticket_file: PathBuf,
        /// Your name as other members see it (encrypted on the server).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The ca_bundle secret whose certificates TLS trusts.
        #[arg(long, value_name = "SECRET")]
        ca_secret: Option<String>,
        /// The certificate secret (with its private key) TLS shows to a
        /// server that asks for a client certificate.
        #[arg(long, value_name = "SECRET")]
        client_cert: Option<String>,
    },
    /// Confirm a pending member (administrators) after comparing their
    /// fingerprint out of band: grants their login and the organization key.
    Confirm {
        /// The member's id (or its start).
        member: String,
        /// The fingerprint the member read out (from their `status`).
        #[arg(long, value_name = "FINGERPRINT")]
        fingerprint: String,
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Members with roles, status and fingerprints (verified signatures).
    Members {
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Remove a member (administrators): their login goes, the organization
    /// keys move to a new epoch for everyone else, and the secrets they could
    /// read are listed for rotation.
    Remove {
        /// The member's id (or its start).
        member: String,
        /// Do not ask (needed without a terminal).
        #[arg(long)]
        yes: bool,
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Invitations (administrators): id, role, expiry, state; never the code.
    Invitations {
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Revoke an unused invitation (administrators): its ticket stops working.
    Revoke {
        /// The invitation's id (or its start).
        invitation: String,
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Whether members may reveal and use an organization's secrets from
    /// their replica while the server is unreachable (administrators set
    /// it; the reveals and uses are queued and reach the audit, marked
    /// offline, at the next sync). Without --on or --off: shows it.
    #[command(group = clap::ArgGroup::new("switch").args(["on", "off"]))]
    OfflineUse {
        /// The shared organization.
        org: String,
        /// Allow offline use.
        #[arg(long)]
        on: bool,
        /// Forbid it (the default): reveals need the server.
        #[arg(long)]
        off: bool,
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// The audit chain, verified whole before anything is shown: time,
    /// member, action, target.
    Audit {
        /// Only the last N entries.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only say whether the chain verifies, how long it is and its last entry.
        #[arg(long)]
        verify: bool,
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
    /// Connection, your role and fingerprint, schema version, revision.
    Status {
        /// The team vault's id (or its start).
        #[arg(long, value_name = "ID")]
        team: Option<String>,
    },
}

/// `coffer team`.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create a team (administrators).
    Add {
        /// The team's name (encrypted on the server).
        name: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// The teams of a shared organization and their member counts.
    List {
        /// The shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// The members of a team.
    Members {
        /// The team's name or id.
        team: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Add a member to a team (administrators): the member receives the
    /// team's keys.
    AddMember {
        /// The team's name or id.
        team: String,
        /// The member's id (or its start).
        member: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Remove a member from a team (administrators): the team's key moves
    /// to a new epoch; the secrets the team has rules on are listed for
    /// rotation.
    RemoveMember {
        /// The team's name or id.
        team: String,
        /// The member's id (or its start).
        member: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Rename a team (administrators).
    Rename {
        /// The team's name or id.
        team: String,
        /// Its new name.
        new_name: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
    /// Delete a team (administrators); refused while access rules name it.
    Delete {
        /// The team's name or id.
        team: String,
        /// Its shared organization.
        #[arg(long, value_name = "ORG")]
        org: String,
    },
}

/// `coffer secret access`.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// The secret's visibility, owner, rules and your level.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Set one team's level (`none` removes its rule), the visibility or
    /// the owner (its OWNERs and administrators).
    Set {
        #[command(flatten)]
        target: Target,
        /// The team's name or id (with --level).
        #[arg(long, value_name = "TEAM", requires = "level")]
        team: Option<String>,
        /// READER, WRITER, OWNER or none.
        #[arg(long, value_name = "LEVEL", requires = "team")]
        level: Option<String>,
        /// PUBLIC or PRIVATE.
        #[arg(long, value_name = "VISIBILITY")]
        visibility: Option<String>,
        /// The new owner's member id (or its start).
        #[arg(long, value_name = "MEMBER")]
        owner: Option<String>,
    },
    /// Replace every rule with a JSON list of {"team": ..., "level": ...}
    /// read from a file (- reads standard input), as Concord's bulk update.
    Bulk {
        #[command(flatten)]
        target: Target,
        /// The JSON file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
}
