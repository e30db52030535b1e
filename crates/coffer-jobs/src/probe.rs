//! The Test action: one authenticated request against a URL the user
//! gives, reporting the HTTP status and the TLS facts (protocol, cipher,
//! the server's certificate), never the value. Redirects are reported,
//! not followed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use coffer_core::certs::{InspectOptions, inspect};
use coffer_core::secret::{SecretData, SecretRef};
use coffer_core::{Timestamp, Vault};
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{AuthHeader, HttpOptions, TokenCache, auth_header};
use crate::tls::{ClientAuthSeen, TlsSetup};

/// The TLS facts of a connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct TlsFacts {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol: String,
    /// The negotiated cipher suite.
    pub cipher: String,
    /// The server certificate's subject.
    pub peer_subject: String,
    /// Its issuer.
    pub peer_issuer: String,
    /// When it expires.
    pub peer_not_after: Option<Timestamp>,
    /// Its subject alternative names.
    pub peer_san: Vec<String>,
    /// Certificates the server sent.
    pub chain_length: u32,
    /// Whether the server asked for a client certificate (a TLS CertificateRequest).
    pub client_certificate_requested: bool,
    /// Whether a client certificate was sent (only ever when asked for).
    pub client_certificate_sent: bool,
    /// Whether the test had a client certificate to offer.
    pub client_certificate_available: bool,
}

/// What a test found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// The URL tested.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// Its reason phrase.
    pub reason: String,
    /// Whether the status is 2xx.
    pub ok: bool,
    /// Where a redirect points (not followed).
    pub location: Option<String>,
    /// TLS facts, for https.
    pub tls: Option<TlsFacts>,
    /// What was sent ("basic auth as alice"), never the value.
    pub sent: String,
    /// Milliseconds from connecting to the status line.
    pub elapsed_ms: u32,
}

/// Options of a test.
#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    /// A CA bundle secret added to the trust roots.
    pub ca_bundle: Option<SecretRef>,
    /// The project to use the secrets as.
    pub project: Option<String>,
    /// The store password of the tested secret, when it has one (asked by the caller).
    pub store_password: Option<coffer_core::SecretString>,
}

fn host_port(url: &Url) -> Result<(String, u16)> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::invalid("url", "has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Error::invalid("url", "has no port"))?;
    Ok((host, port))
}

fn facts(conn: &rustls::ClientConnection, seen: &ClientAuthSeen, available: bool) -> TlsFacts {
    let protocol = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_owned(),
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let certs = conn.peer_certificates().unwrap_or(&[]);
    let leaf = certs.first().and_then(|der| {
        inspect(
            der.as_ref(),
            None,
            &InspectOptions::new(time::OffsetDateTime::now_utc()),
        )
        .ok()
        .and_then(|i| i.report.certificates.into_iter().next())
    });
    TlsFacts {
        protocol,
        cipher,
        peer_subject: leaf.as_ref().map(|l| l.subject.clone()).unwrap_or_default(),
        peer_issuer: leaf.as_ref().map(|l| l.issuer.clone()).unwrap_or_default(),
        peer_not_after: leaf.as_ref().map(|l| Timestamp::from_datetime(l.not_after)),
        peer_san: leaf.map(|l| l.san).unwrap_or_default(),
        chain_length: certs.len() as u32,
        client_certificate_requested: seen.requested(),
        client_certificate_sent: seen.sent(),
        client_certificate_available: available,
    }
}

/// Sends one GET with `auth` and reads the status line and headers.
pub fn probe(
    url: &str,
    auth: Option<&AuthHeader>,
    tls: &TlsSetup,
    timeout: Duration,
) -> Result<TestReport> {
    let parsed = Url::parse(url).map_err(|e| Error::invalid("url", format!("{url:?}: {e}")))?;
    coffer_core::secret::validate::credential_url("url", url).or_else(|e| match auth {
        None => Ok(parsed.clone()),
        Some(_) => Err(e),
    })?;
    let (host, port) = host_port(&parsed)?;
    let started = Instant::now();
    let address = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| Error::network(format!("{host}:{port}: {e}")))?
        .next()
        .ok_or_else(|| Error::network(format!("{host}:{port}: no address")))?;
    let mut tcp = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| Error::network(format!("{host}:{port}: {e}")))?;
    tcp.set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
        .map_err(|e| Error::network(format!("{host}:{port}: {e}")))?;
    let mut path = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        path.push('?');
        path.push_str(q);
    }
    let host_header = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let mut request = zeroize::Zeroizing::new(format!(
        "GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: coffer/{}\r\nAccept: */*\r\nConnection: close\r\n",
        env!("CARGO_PKG_VERSION")
    ));
    if let Some(auth) = auth {
        request.push_str(&format!("{}: {}\r\n", auth.name, auth.value.as_str()));
    }
    request.push_str("\r\n");
    let (head, tls_facts) = if parsed.scheme() == "https" {
        let (config, seen) = tls.rustls_config()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| Error::invalid("url", format!("{host}: {e}")))?;
        let mut conn = rustls::ClientConnection::new(config, name).map_err(|e| Error::Tls {
            host: host.clone(),
            message: e.to_string(),
        })?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| Error::Tls {
                host: format!("{host}:{port}"),
                message: handshake_failure(&e),
            })?;
        }
        let facts = facts(&conn, &seen, tls.identity_subject.is_some());
        let mut stream = rustls::Stream::new(&mut conn, &mut tcp);
        stream
            .write_all(request.as_bytes())
            .and_then(|()| stream.flush())
            .map_err(|e| Error::network(format!("{host}:{port}: {e}")))?;
        (read_head(&mut stream, &host)?, Some(facts))
    } else {
        tcp.write_all(request.as_bytes())
            .map_err(|e| Error::network(format!("{host}:{port}: {e}")))?;
        (read_head(&mut tcp, &host)?, None)
    };
    let (status, reason, location) = head;
    Ok(TestReport {
        url: parsed.to_string(),
        status,
        reason,
        ok: (200..300).contains(&status),
        location,
        tls: tls_facts,
        sent: auth
            .map(|a| a.describe.clone())
            .unwrap_or_else(|| "no credentials".into()),
        elapsed_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    })
}

/// A failed handshake in words, with what to do when the server's CA is unknown.
fn handshake_failure(error: &std::io::Error) -> String {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
            "its certificate is issued by a CA this machine does not trust (UnknownIssuer): \
             choose the server's CA bundle for the test, or bind it as the job's CA bundle"
                .to_owned()
        }
        _ => error.to_string(),
    }
}

fn read_head(stream: &mut impl Read, host: &str) -> Result<(u16, String, Option<String>)> {
    let mut reader = BufReader::new(stream.take(64 * 1024));
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| Error::network(format!("{host}: {e}")))?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|_| version.starts_with("HTTP/"))
        .ok_or_else(|| Error::network(format!("{host} did not answer with HTTP")))?;
    let reason = parts.next().unwrap_or_default().to_owned();
    let mut location = None;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| Error::network(format!("{host}: {e}")))?;
        if n == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("location")
        {
            location = Some(value.trim().to_owned());
        }
    }
    Ok((status, reason, location))
}

/// A test whose secrets were taken from the vault; it runs without it, so
/// the vault is not held while the network answers.
pub struct PreparedTest {
    url: String,
    tls: TlsSetup,
    used: coffer_core::SecretUse,
}

impl std::fmt::Debug for PreparedTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedTest")
            .field("url", &self.url)
            .field("secret", &self.used.meta.name)
            .finish_non_exhaustive()
    }
}

/// Takes what a test of `secret` against `url` needs from the vault: an
/// auth secret is sent as its header, a certificate secret is offered as
/// the client certificate, a CA bundle secret becomes a trust root. The use
/// is audited (purpose "test").
pub fn prepare_test(
    vault: &mut Vault,
    secret: &SecretRef,
    url: &str,
    options: &TestOptions,
) -> Result<PreparedTest> {
    let parsed = Url::parse(url).map_err(|e| Error::invalid("url", format!("{url:?}: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(Error::invalid(
            "url",
            "must be https (plain http only on this machine): a test sends credentials",
        ));
    }
    let mut tls = TlsSetup::default();
    if let Some(ca) = &options.ca_bundle {
        let used = vault.use_secret(ca, options.project.as_deref(), "test", None)?;
        tls.add_roots(&used.data, &used.meta.name)?;
    }
    let used = vault.use_secret(
        secret,
        options.project.as_deref(),
        "test",
        options.store_password.as_ref(),
    )?;
    Ok(PreparedTest {
        url: url.to_owned(),
        tls,
        used,
    })
}

impl PreparedTest {
    /// Sends the request (fetching an OAuth 2.0 token first for client
    /// credentials) and reports what came back.
    pub fn run(self) -> Result<TestReport> {
        let Self { url, mut tls, used } = self;
        let http = HttpOptions {
            timeout: Duration::from_secs(30),
            ..HttpOptions::default()
        };
        let auth = match &used.data {
            SecretData::CaBundle(_) => {
                tls.add_roots(&used.data, &used.meta.name)?;
                None
            }
            SecretData::Certificate(_) => {
                tls.set_identity(&used.data, &used.meta.name)?;
                None
            }
            data => Some(auth_header(
                data,
                used.meta.id,
                used.meta.current_version,
                &tls,
                &TokenCache::new(),
                &http,
            )?),
        };
        let mut report = probe(&url, auth.as_ref(), &tls, http.timeout)?;
        if auth.is_none() {
            report.sent = match &used.data {
                SecretData::Certificate(_) => {
                    let subject = tls.identity_subject.clone().unwrap_or_default();
                    let (requested, sent) = report.tls.as_ref().map_or((false, false), |t| {
                        (t.client_certificate_requested, t.client_certificate_sent)
                    });
                    match (requested, sent) {
                        (_, true) => format!("client certificate {subject}"),
                        (true, false) => format!(
                            "nothing: the server asked for a client certificate, but {subject} \
                             cannot sign as it asks"
                        ),
                        (false, _) => format!(
                            "nothing: the server did not ask for the client certificate {subject}"
                        ),
                    }
                }
                _ => format!("no credentials; trusting {}", used.meta.name),
            };
        }
        Ok(report)
    }
}

/// Tests a secret against `url` (see [`prepare_test`]).
pub fn test_secret(
    vault: &mut Vault,
    secret: &SecretRef,
    url: &str,
    options: &TestOptions,
) -> Result<TestReport> {
    prepare_test(vault, secret, url, options)?.run()
}
