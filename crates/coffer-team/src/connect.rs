//! Reaching the PostgreSQL server: one connection per session, TLS through
//! rustls with ring (an optional private CA from a Coffer CA bundle secret,
//! else the system's roots), a connect timeout so that a dead server is a
//! clear error and not a hang, and PostgreSQL's errors mapped to ours.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// TLS to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain TCP (a server on this machine or a trusted network only).
    Disable,
    /// TLS required, the server's certificate checked.
    Require,
}

/// Where a team vault is: everything but credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub dbname: String,
    /// TLS.
    pub tls: TlsMode,
    /// The Coffer CA bundle secret (`org:name`) whose certificates are the
    /// trusted roots, if not the system's.
    pub ca_secret: Option<String>,
    /// The Coffer certificate secret (`org:name`, with its private key)
    /// this desktop authenticates with, when the server asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
}

impl Server {
    /// `host:port/database`, for messages and labels.
    pub fn label(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.dbname)
    }

    /// Reads a connection string (`postgres://user@host:port/db?sslmode=...`
    /// or `host=... port=...`): the server and the user named in it. A
    /// password in the string is refused: passwords come from Coffer secrets.
    pub fn parse(text: &str, ca_secret: Option<String>) -> Result<(Self, String)> {
        let config: postgres::Config = text
            .parse()
            .map_err(|e| Error::invalid("connection string", format!("{e}")))?;
        if config.get_password().is_some() {
            return Err(Error::invalid(
                "connection string",
                "it holds a password: keep the password in a Coffer basic_auth secret instead",
            ));
        }
        let host = match config.get_hosts() {
            [postgres::config::Host::Tcp(host)] => host.clone(),
            _ => {
                return Err(Error::invalid(
                    "connection string",
                    "name exactly one TCP host",
                ));
            }
        };
        let port = match config.get_ports() {
            [] => 5432,
            [port] => *port,
            _ => return Err(Error::invalid("connection string", "name one port")),
        };
        let user = config
            .get_user()
            .ok_or_else(|| Error::invalid("connection string", "name the user"))?
            .to_owned();
        let dbname = config.get_dbname().unwrap_or(&user).to_owned();
        let tls = match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => TlsMode::Disable,
            _ => TlsMode::Require,
        };
        Ok((
            Self {
                host,
                port,
                dbname,
                tls,
                ca_secret,
                client_cert: None,
            },
            user,
        ))
    }
}

/// A client certificate chain (leaf first) and its private key, as PEM.
pub(crate) type ClientCert<'a> = (&'a [u8], &'a [u8]);

/// The roots a TLS connection trusts, and the client certificate it shows.
fn tls_config(
    ca_pem: Option<&[u8]>,
    client: Option<ClientCert<'_>>,
) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            let certs = CertificateDer::pem_slice_iter(pem)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::invalid("CA bundle", format!("not PEM certificates: {e}")))?;
            if certs.is_empty() {
                return Err(Error::invalid("CA bundle", "no certificate in it"));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| Error::invalid("CA bundle", format!("unusable: {e}")))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system root rustls cannot use is skipped, as browsers do.
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots);
    let Some((chain, key)) = client else {
        return Ok(builder.with_no_client_auth());
    };
    let bad = |why: String| Error::invalid("client certificate", why);
    let certs = CertificateDer::pem_slice_iter(chain)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no certificate in it".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key)
        .map_err(|_| bad("its private key is not a PEM key rustls reads".into()))?;
    builder
        .with_client_auth_cert(certs, key)
        .map_err(|e| bad(format!("unusable: {e}")))
}

/// Connects as `user`. `ca_pem` replaces the system roots when TLS is on.
pub(crate) fn connect(
    server: &Server,
    user: &str,
    password: &SecretString,
    ca_pem: Option<&[u8]>,
    client: Option<ClientCert<'_>>,
    operation: &str,
) -> Result<postgres::Client> {
    let mut config = postgres::Config::new();
    config
        .host(&server.host)
        .port(server.port)
        .dbname(&server.dbname)
        .user(user)
        .password(password.expose_secret())
        .application_name("coffer")
        .connect_timeout(CONNECT_TIMEOUT);
    let tls = match server.tls {
        TlsMode::Disable if client.is_some() => {
            return Err(Error::invalid(
                "client certificate",
                "it needs TLS: use sslmode=require in the connection string",
            ));
        }
        TlsMode::Disable => {
            config.ssl_mode(postgres::config::SslMode::Disable);
            None
        }
        TlsMode::Require => {
            config.ssl_mode(postgres::config::SslMode::Require);
            Some(tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(
                ca_pem, client,
            )?))
        }
    };
    // The driver's timeout covers the TCP connect only: a server that
    // accepts and then stays silent would hang the handshake. The attempt
    // runs on its own thread and is abandoned when the deadline passes.
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("coffer-team-connect".into())
        .spawn(move || {
            let result = match tls {
                None => config.connect(postgres::NoTls),
                Some(tls) => config.connect(tls),
            };
            let _ = send.send(result);
        })
        .map_err(|e| Error::Internal(format!("starting a connection: {e}")))?;
    match receive.recv_timeout(CONNECT_TIMEOUT + Duration::from_secs(1)) {
        Ok(result) => result.map_err(|e| connect_error(server, operation, &e)),
        Err(_) => Err(Error::Unreachable {
            server: server.label(),
            operation: operation.to_owned(),
            reason: format!(
                "no answer within {} s",
                (CONNECT_TIMEOUT + Duration::from_secs(1)).as_secs()
            ),
        }),
    }
}

/// A connection failure: refused credentials are the caller's to explain;
/// everything else is the server being out of reach.
fn connect_error(server: &Server, operation: &str, e: &postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        return db_error(server, operation, e, db);
    }
    let reason = describe(e);
    // The server ended the handshake: with a client certificate, most often
    // because it does not accept it (unknown CA, expired, revoked).
    if reason.contains("received fatal alert") {
        return Error::Forbidden {
            operation: operation.to_owned(),
            reason: format!(
                "the server refused the TLS handshake, most likely the client certificate \
                 ({reason})"
            ),
        };
    }
    Error::Unreachable {
        server: server.label(),
        operation: operation.to_owned(),
        reason,
    }
}

/// The driver's message with its causes.
fn describe(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn db_error(
    server: &Server,
    operation: &str,
    e: &postgres::Error,
    db: &postgres::error::DbError,
) -> Error {
    use postgres::error::SqlState;
    let code = db.code();
    if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        Error::Forbidden {
            operation: operation.to_owned(),
            reason: db.message().to_owned(),
        }
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        || *code == SqlState::INVALID_PASSWORD
    {
        Error::Forbidden {
            operation: operation.to_owned(),
            reason: format!("the server refused the login: {}", db.message()),
        }
    } else if code.code() == "CF001" {
        Error::InvitationInvalid
    } else if code.code() == "CF003" {
        Error::LastAdmin
    } else if code.code() == "CF004" {
        Error::MembershipChanged {
            what: db.message().to_owned(),
        }
    } else if code.code() == "CF002" {
        Error::Forbidden {
            operation: operation.to_owned(),
            reason: db.message().to_owned(),
        }
    } else if code.code().starts_with("57") || code.code().starts_with("08") {
        // The server shutting down, crashing or restarting (operator
        // intervention, connection exception): out of reach, try again.
        Error::Unreachable {
            server: server.label(),
            operation: operation.to_owned(),
            reason: describe(e),
        }
    } else {
        Error::Database {
            server: server.label(),
            operation: operation.to_owned(),
            reason: describe(e),
        }
    }
}

/// Maps a query's failure (the connection may have dropped meanwhile).
pub(crate) fn query_error(server: &Server, operation: &str, e: &postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => db_error(server, operation, e, db),
        None if e.is_closed() || std::error::Error::source(e).is_some() => Error::Unreachable {
            server: server.label(),
            operation: operation.to_owned(),
            reason: describe(e),
        },
        None => Error::Database {
            server: server.label(),
            operation: operation.to_owned(),
            reason: describe(e),
        },
    }
}
