//! Fixtures: a real PostgreSQL per test, members as separate local vaults
//! (each its own file, master key and clock), direct SQL as a given role.

pub mod pg;

use std::sync::Arc;

use coffer_core::{Clock as _, CreateOptions, FixedClock, SecretString, Timestamp, Vault};
use coffer_team::{Role, Status, TeamVault};

pub use pg::Postgres;

/// A basic_auth secret's value.
pub fn basic_auth(user: &str, password: &str) -> coffer_core::secret::SecretData {
    use coffer_core::secret::{Intake, SecretData, SecretType, text_input};
    SecretData::from_fields(
        SecretType::BasicAuth,
        vec![
            text_input("username", user),
            text_input("password", password),
        ],
        &Intake::default(),
    )
    .expect("a basic_auth value")
}

/// Now, for clocks that the server's `now()` must agree with (invitation expiry).
pub fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    Timestamp::from_unix(secs as i64)
}

/// One desktop: a local vault in its own directory, unlocked.
pub struct Desk {
    _dir: tempfile::TempDir,
    pub vault: Vault,
    pub clock: Arc<FixedClock>,
    pub name: &'static str,
}

impl Desk {
    pub fn new(name: &'static str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(FixedClock::new(now()));
        let mut options = CreateOptions::new(SecretString::from("correct horse battery staple"));
        options.use_keyring = false;
        let (vault, _) =
            Vault::create(&dir.path().join("vault.db"), options, clock.clone()).expect("vault");
        Self {
            _dir: dir,
            vault,
            clock,
            name,
        }
    }

    pub fn open(&mut self) -> TeamVault {
        TeamVault::open(&mut self.vault, None).expect("open the team vault")
    }

    pub fn status(&mut self) -> Status {
        coffer_team::status(&mut self.vault, None).expect("status")
    }
}

/// A team vault with its first administrator.
pub struct Team {
    pub pg: Postgres,
    pub admin: Desk,
    pub team_id: String,
}

pub const ORG: &str = "Payments Platform";

pub fn options(pg: &Postgres, user: &str, display: &str) -> coffer_team::CreateOptions {
    coffer_team::CreateOptions {
        connection: pg.url(user),
        password_secret: None,
        ca_secret: None,
        client_cert: None,
        display_name: display.into(),
        org_name: ORG.into(),
    }
}

impl Team {
    pub fn new() -> Self {
        let pg = Postgres::start();
        let mut admin = Desk::new("Alice Admin");
        let created =
            coffer_team::create(&mut admin.vault, &options(&pg, "coffer", admin.name), false)
                .expect("create the team vault");
        assert!(created.sql.is_none());
        Self {
            pg,
            admin,
            team_id: created.team_id,
        }
    }

    /// A ticket from the administrator.
    pub fn ticket(&mut self, role: Role) -> SecretString {
        let now = self.admin.clock.now();
        self.admin
            .open()
            .invite(role, 3600, now)
            .expect("invite")
            .ticket
    }

    /// Invites, joins and confirms a new desk.
    pub fn add(&mut self, name: &'static str, role: Role) -> Desk {
        let ticket = self.ticket(role);
        let mut desk = Desk::new(name);
        let pending = coffer_team::join(&mut desk.vault, &ticket, name, None).expect("join");
        let now = self.admin.clock.now();
        self.admin
            .open()
            .confirm(&pending.member_id, &pending.fingerprint, now)
            .expect("confirm");
        desk
    }

    /// The database role prefix of this team vault.
    pub fn prefix(&self) -> String {
        format!("coffer_{}", &self.team_id.replace('-', "")[..8])
    }

    /// A member's login role.
    pub fn login_of(&self, member_id: &str) -> String {
        format!("{}_m_{}", self.prefix(), member_id.replace('-', ""))
    }

    /// Direct SQL as `role` on the team database.
    pub fn sql_as(&self, role: &str) -> postgres::Client {
        self.pg.client_as(role, "team").expect("connect as role")
    }
}

/// Asserts that PostgreSQL refused `sql` with a privilege error (42501),
/// or (for the audit table) with the append-only trigger.
pub fn refused(client: &mut postgres::Client, sql: &str) {
    let err = client
        .batch_execute(sql)
        .expect_err(&format!("PostgreSQL accepted: {sql}"));
    let state = err
        .as_db_error()
        .map(|d| d.code().code().to_owned())
        .unwrap_or_default();
    assert!(
        state == "42501" || state == "CF002",
        "{sql}: expected a refusal, got {state} {err}"
    );
}
