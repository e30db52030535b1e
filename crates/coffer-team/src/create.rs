//! Creating a team vault: the identity of its first administrator, the
//! schema and roles, and the first records, as one SQL script that `create`
//! runs in one transaction (as a role allowed to create roles and schemas)
//! or prints for a database administrator.

use coffer_core::{Timestamp, Vault};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::connect::{self, Server, query_error};
use crate::error::{Error, Result};
use crate::identity::{Identity, random_bytes, random_id, random_token, wrap_key};
use crate::schema::{self, Roles, bytea, literal};
use crate::seal::{self, Purpose};
use crate::team::{TeamVault, seal_join_password, uuid};
use crate::{local, records};

/// How to create a team vault.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// `postgres://USER@HOST:PORT/DB?sslmode=...` (no password in it).
    pub connection: String,
    /// The basic_auth secret (`org:name`) whose password the connection
    /// uses; none for servers that need none.
    pub password_secret: Option<String>,
    /// The CA bundle secret (`org:name`) that TLS trusts instead of the system roots.
    pub ca_secret: Option<String>,
    /// The certificate secret (`org:name`, with its private key) TLS
    /// authenticates with, when the server asks for a client certificate.
    pub client_cert: Option<String>,
    /// The creator's display name (encrypted on the server).
    pub display_name: String,
    /// The first organization's name (encrypted on the server).
    pub org_name: String,
}

/// What `create` did.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// The team vault's id.
    pub team_id: String,
    /// The creator's member id.
    pub member_id: String,
    /// The creator's fingerprint.
    pub fingerprint: String,
    /// host:port/database.
    pub server: String,
    /// The SQL a database administrator must run, when it was printed
    /// rather than run.
    pub sql: Option<String>,
}

fn check_name(field: &str, text: &str) -> Result<()> {
    let n = text.trim().chars().count();
    if n == 0 || n > 200 || text.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must be 1 to 200 printable characters",
        ));
    }
    Ok(())
}

/// Creates a team vault (or, with `print_sql`, prints what a DBA must run)
/// and saves the creator's identity in `vault`.
pub fn create(vault: &mut Vault, options: &CreateOptions, print_sql: bool) -> Result<Created> {
    check_name("display name", &options.display_name)?;
    check_name("organization name", &options.org_name)?;
    if !vault.is_unlocked() {
        return Err(coffer_core::Error::Locked.into());
    }
    let (mut server, user) = Server::parse(&options.connection, options.ca_secret.clone())?;
    server.client_cert = options.client_cert.clone();
    let team_id = random_id()?;
    let me = Identity::generate(team_id, random_id()?, None, server.clone())?;
    let sql = bootstrap_sql(&me, options, vault.now())?;
    let created = Created {
        team_id: crate::members::show_id(&team_id),
        member_id: crate::members::show_id(&me.member_id),
        fingerprint: me.fingerprint(),
        server: server.label(),
        sql: print_sql.then(|| format!("BEGIN;\n{sql}\nCOMMIT;\n")),
    };
    if !print_sql {
        run_bootstrap(vault, &server, &user, options, &sql)?;
    }
    local::save_identity(vault, &me)?;
    Ok(created)
}

fn run_bootstrap(
    vault: &mut Vault,
    server: &Server,
    user: &str,
    options: &CreateOptions,
    sql: &str,
) -> Result<()> {
    let password = match &options.password_secret {
        Some(name) => local::password(vault, name, "team vault create")?,
        None => SecretString::from(String::new()),
    };
    let ca = local::ca_pem(vault, server)?;
    let cert = local::client_cert(vault, server)?;
    let mut client = connect::connect(
        server,
        user,
        &password,
        ca.as_deref().map(|v| v.as_slice()),
        local::as_client(&cert),
        "creating the team vault",
    )?;
    let fail = |e: postgres::Error| query_error(server, "creating the team vault", &e);
    let exists: bool = client
        .query_one("SELECT to_regnamespace('coffer') IS NOT NULL", &[])
        .map_err(fail)?
        .get(0);
    if exists {
        return Err(Error::invalid(
            "connection string",
            format!("{} already holds a team vault", server.label()),
        ));
    }
    let mut tx = client.transaction().map_err(fail)?;
    tx.batch_execute(sql).map_err(|e| match fail(e) {
        Error::Forbidden { reason, .. } => Error::NeedsDba {
            operation: "create the team vault's roles and schema".into(),
            reason,
        },
        other => other,
    })?;
    tx.commit().map_err(fail)
}

/// The whole script: roles, migrations, the first administrator (confirmed
/// by itself: the anchor), the first organization and its key, the join
/// login's password and the audit chain's first entry.
fn bootstrap_sql(me: &Identity, options: &CreateOptions, now: Timestamp) -> Result<String> {
    let team = me.team_id;
    let member = me.member_id;
    let roles = Roles::for_team(&team);
    let org = random_id()?;
    let epoch = 1;
    let key = zeroize::Zeroizing::new(random_bytes::<32>()?);
    let keys = me.public();
    let join_password = random_token(24)?;
    let join_verifier =
        postgres_protocol::password::scram_sha_256(join_password.expose_secret().as_bytes());
    let my_verifier =
        postgres_protocol::password::scram_sha_256(me.db_password.expose_secret().as_bytes());
    let db_role = roles.member_login(&member);
    let self_sig = me.sign(&records::member_keys(
        &team,
        &member,
        &keys.recipient,
        &keys.verifying,
    ));
    let endorsement = me.sign(&records::endorsement(
        &team,
        &member,
        "administrator",
        &db_role,
        &keys.recipient,
        &keys.verifying,
    ));
    let name = seal::seal(
        &key,
        Purpose::MemberName,
        &team,
        &member,
        epoch,
        options.display_name.trim().as_bytes(),
    )?;
    let org_name = seal::seal(
        &key,
        Purpose::OrgName,
        &team,
        &org,
        epoch,
        options.org_name.trim().as_bytes(),
    )?;
    let org_sig = me.sign(&records::organization(&team, &org, epoch, &org_name));
    let wrapped = wrap_key(&keys.age_recipient()?, &key)?;
    let grant = me.sign(&records::org_key_grant(
        &team, &org, epoch, &member, &wrapped,
    ));
    let team_sig = me.sign(&records::team(&team, &me.anchor, &org, &roles.prefix));
    let sealed_join = seal_join_password(&key, &team, epoch, &join_password)?;
    let prev = [0u8; 32];
    let target = crate::members::show_id(&team);
    let hash = records::audit_hash(&team, &prev, now.unix(), &member, "team.create", &target);
    let audit_sig = me.sign(&hash);
    let mut sql = schema::roles_sql(&roles, &join_verifier);
    let mut index = 0;
    while let Some(migration) = schema::migration(&roles, index) {
        sql.push_str(&migration);
        index += 1;
    }
    let (t, m, o) = (uuid(&team), uuid(&member), uuid(&org));
    sql.push_str(&format!(
        r#"
CREATE ROLE {db_role} LOGIN PASSWORD {my_verifier} IN ROLE {admin};
INSERT INTO coffer.team (id, anchor, home_org, role_prefix, sig)
    VALUES ('{t}', {anchor}, '{o}', {prefix}, {team_sig});
INSERT INTO coffer.members (id, db_role, role, status, name, name_epoch, recipient,
        verifying_key, self_sig, endorsed_by, endorsement)
    VALUES ('{m}', {db_role_lit}, 'administrator', 'active', {name}, {epoch}, {recipient},
        {verifying}, {self_sig}, '{m}', {endorsement});
INSERT INTO coffer.organizations (id, name, epoch, created_by, sig)
    VALUES ('{o}', {org_name}, {epoch}, '{m}', {org_sig});
INSERT INTO coffer.organization_keys (org_id, epoch, member_id, wrapped, granted_by, sig)
    VALUES ('{o}', {epoch}, '{m}', {wrapped}, '{m}', {grant});
INSERT INTO coffer.settings (key, value) VALUES ('join_password', {sealed_join});
INSERT INTO coffer.audit (at, actor, action, target, prev, hash, sig)
    VALUES ({at}, '{m}', 'team.create', {target}, {prev}, {hash}, {audit_sig});
"#,
        my_verifier = literal(&my_verifier),
        admin = roles.admin(),
        anchor = bytea(&me.anchor),
        prefix = literal(&roles.prefix),
        team_sig = bytea(&team_sig),
        db_role_lit = literal(&db_role),
        name = bytea(&name),
        recipient = literal(&keys.recipient),
        verifying = bytea(&keys.verifying),
        self_sig = bytea(&self_sig),
        endorsement = bytea(&endorsement),
        org_name = bytea(&org_name),
        org_sig = bytea(&org_sig),
        wrapped = bytea(&wrapped),
        grant = bytea(&grant),
        sealed_join = bytea(&sealed_join),
        at = now.unix(),
        target = literal(&target),
        prev = bytea(&prev),
        hash = bytea(&hash),
        audit_sig = bytea(&audit_sig),
    ));
    Ok(sql)
}

/// Joins a team vault with an invitation ticket: publishes this member's
/// public keys (and its login's SCRAM verifier, never the password) through
/// the join function, then saves the identity in `vault`. The member is
/// pending until an administrator confirms its fingerprint.
pub fn join(
    vault: &mut Vault,
    ticket: &SecretString,
    display_name: &str,
    ca_secret: Option<String>,
) -> Result<crate::team::Status> {
    join_with(
        vault,
        ticket,
        display_name,
        &JoinOptions {
            ca_secret,
            client_cert: None,
        },
    )
}

/// How to reach the server when joining.
#[derive(Debug, Clone, Default)]
pub struct JoinOptions {
    /// The CA bundle secret TLS trusts instead of the system roots.
    pub ca_secret: Option<String>,
    /// The certificate secret (with its private key) TLS authenticates with.
    pub client_cert: Option<String>,
}

/// [`join`], with a client certificate when the server asks for one.
pub fn join_with(
    vault: &mut Vault,
    ticket: &SecretString,
    display_name: &str,
    options: &JoinOptions,
) -> Result<crate::team::Status> {
    check_name("display name", display_name)?;
    if !vault.is_unlocked() {
        return Err(coffer_core::Error::Locked.into());
    }
    let ticket = crate::ticket::Ticket::decode(ticket)?;
    let team = ticket.team_id()?;
    let server = Server {
        ca_secret: options.ca_secret.clone(),
        client_cert: options.client_cert.clone(),
        ..ticket.server.clone()
    };
    let member = random_id()?;
    let me = Identity::generate(team, member, Some(ticket.anchor()?), server.clone())?;
    let keys = me.public();
    let ik = seal::invite_key(&ticket.code)?;
    let name = seal::seal(
        &ik,
        Purpose::MemberName,
        &team,
        &member,
        0,
        display_name.trim().as_bytes(),
    )?;
    let self_sig = me.sign(&records::member_keys(
        &team,
        &member,
        &keys.recipient,
        &keys.verifying,
    ));
    let verifier =
        postgres_protocol::password::scram_sha_256(me.db_password.expose_secret().as_bytes());
    let ca = local::ca_pem(vault, &server)?;
    let cert = local::client_cert(vault, &server)?;
    let mut client = connect::connect(
        &server,
        &ticket.join_user,
        &SecretString::from(ticket.join_password.clone()),
        ca.as_deref().map(|v| v.as_slice()),
        local::as_client(&cert),
        "joining the team vault",
    )?;
    let fail = |e: postgres::Error| query_error(&server, "joining the team vault", &e);
    let mut tx = client.transaction().map_err(fail)?;
    let row = tx
        .query_one(
            "SELECT team_id, schema_version FROM coffer.join_team($1, $2, $3, $4, $5, $6, $7)",
            &[
                &ticket.code,
                &uuid(&member),
                &name,
                &keys.recipient,
                &keys.verifying.to_vec(),
                &self_sig,
                &verifier,
            ],
        )
        .map_err(fail)?;
    let found: uuid::Uuid = row.get(0);
    let version: i32 = row.get(1);
    if *found.as_bytes() != team {
        return Err(Error::tampered(
            "the team vault's id (it is not the ticket's)",
        ));
    }
    crate::team::check_schema(version)?;
    tx.commit().map_err(fail)?;
    local::save_identity(vault, &me)?;
    Ok(pending_status(&me))
}

/// The status of a member not yet confirmed.
pub(crate) fn pending_status(me: &Identity) -> crate::team::Status {
    crate::team::Status {
        team_id: crate::members::show_id(&me.team_id),
        server: me.server.label(),
        member_id: crate::members::show_id(&me.member_id),
        fingerprint: me.fingerprint(),
        state: "pending".into(),
        role: None,
        schema_version: None,
        revision: None,
    }
}

/// Where this member stands: connected and confirmed, or pending (the
/// server refuses the login until an administrator confirms). An
/// unreachable server is an error, after the connect timeout.
pub fn status(vault: &mut Vault, team: Option<&str>) -> Result<crate::team::Status> {
    match TeamVault::open(vault, team) {
        Ok(mut connected) => connected.status(),
        Err(Error::Forbidden { .. }) => {
            let me = local::identity(vault, team)?;
            let mut status = pending_status(&me);
            // A member that was connected once and is refused now was removed.
            if me.seen_revision > 0 {
                status.state = "removed".into();
            }
            Ok(status)
        }
        Err(e) => Err(e),
    }
}
