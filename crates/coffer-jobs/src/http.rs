//! HTTP(S) with a bound secret: basic, bearer (standard or custom header),
//! API key header, OAuth 2.0 client credentials (token cached until it
//! expires) and mutual TLS. Redirects are followed by hand, at most five,
//! and credentials go only to the original scheme, host and port. The body
//! is streamed to a temporary file that replaces the target atomically.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use coffer_core::ExposeSecret;
use coffer_core::secret::{DEFAULT_BEARER_HEADER, SecretData, SecretId};
use sha2::{Digest, Sha256};
use url::Url;
use zeroize::Zeroizing;

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::tls::TlsSetup;

/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// Limits of HTTP requests.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Connect and overall time limit of one request.
    pub timeout: Duration,
    /// Largest body written to a target.
    pub max_bytes: u64,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            max_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// A header carrying a credential; its value is secret.
pub struct AuthHeader {
    /// The header name.
    pub name: String,
    /// The value (zeroized on drop).
    pub value: Zeroizing<String>,
    /// What it is, for logs ("basic auth as alice").
    pub describe: String,
}

impl std::fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthHeader")
            .field("name", &self.name)
            .field("describe", &self.describe)
            .finish_non_exhaustive()
    }
}

/// OAuth 2.0 access tokens, in memory, per secret version, until they expire.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<TokenKey, (Zeroizing<String>, Instant)>>,
}

/// A client-credentials secret's id and version.
type TokenKey = (SecretId, u32);

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.tokens.lock().map(|t| t.len()).unwrap_or(0);
        f.debug_struct("TokenCache")
            .field("tokens", &count)
            .finish()
    }
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, key: &(SecretId, u32)) -> Option<Zeroizing<String>> {
        let mut tokens = self.tokens.lock().ok()?;
        match tokens.get(key) {
            Some((token, until)) if Instant::now() < *until => Some(token.clone()),
            Some(_) => {
                tokens.remove(key);
                None
            }
            None => None,
        }
    }

    fn put(&self, key: (SecretId, u32), token: Zeroizing<String>, until: Instant) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(key, (token, until));
        }
    }

    /// Forgets every token.
    pub fn clear(&self) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.clear();
        }
    }

    /// How many tokens are held.
    pub fn len(&self) -> usize {
        self.tokens.lock().map(|t| t.len()).unwrap_or(0)
    }

    /// Whether no token is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Scheme, host and port: where credentials may go.
pub fn origin(url: &Url) -> (String, String, u16) {
    (
        url.scheme().to_owned(),
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0),
    )
}

fn host_of(url: &Url) -> String {
    match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

/// Builds a ureq agent: no automatic redirects, statuses returned as they are.
pub fn agent(tls: &TlsSetup, with_identity: bool, options: &HttpOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(Duration::from_secs(30)))
        .user_agent(concat!("coffer/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls.ureq_config(with_identity))
        .build()
        .new_agent()
}

/// Describes a transport error without any header values.
pub fn describe_error(url: &Url, error: &ureq::Error) -> Error {
    let host = host_of(url);
    match error {
        ureq::Error::Tls(message) => Error::Tls {
            host,
            message: (*message).to_owned(),
        },
        ureq::Error::Rustls(e) => Error::Tls {
            host,
            message: e.to_string(),
        },
        ureq::Error::Io(e) => match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => Error::Tls {
                host,
                message: tls.to_string(),
            },
            None => Error::network(format!("{host}: {e}")),
        },
        other => Error::network(format!("{host}: {other}")),
    }
}

/// The header a secret sends, fetching an OAuth token when needed.
pub fn auth_header(
    data: &SecretData,
    secret_id: SecretId,
    version: u32,
    tls: &TlsSetup,
    tokens: &TokenCache,
    options: &HttpOptions,
) -> Result<AuthHeader> {
    match data {
        SecretData::BasicAuth(b) => {
            let pair = Zeroizing::new(format!("{}:{}", b.username, b.password.expose_secret()));
            Ok(AuthHeader {
                name: "Authorization".into(),
                value: Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes()))),
                describe: format!("basic auth as {}", b.username),
            })
        }
        SecretData::BearerToken(t) => {
            if t.header_name.eq_ignore_ascii_case(DEFAULT_BEARER_HEADER) {
                Ok(AuthHeader {
                    name: DEFAULT_BEARER_HEADER.into(),
                    value: Zeroizing::new(format!("Bearer {}", t.token.expose_secret())),
                    describe: "bearer token in Authorization".into(),
                })
            } else {
                Ok(AuthHeader {
                    name: t.header_name.clone(),
                    value: Zeroizing::new(t.token.expose_secret().to_owned()),
                    describe: format!("token in header {}", t.header_name),
                })
            }
        }
        SecretData::ApiKey(k) => Ok(AuthHeader {
            name: k.header_name.clone(),
            value: Zeroizing::new(k.value.expose_secret().to_owned()),
            describe: format!("API key in header {}", k.header_name),
        }),
        SecretData::ClientCredentials(c) => {
            let key = (secret_id, version);
            let token = match tokens.get(&key) {
                Some(token) => token,
                None => {
                    let (token, lifetime) = fetch_token(c, tls, options)?;
                    // Renew a little early so a token never expires mid-request.
                    let margin = Duration::from_secs(30).min(lifetime / 2);
                    tokens.put(key, token.clone(), Instant::now() + lifetime - margin);
                    token
                }
            };
            Ok(AuthHeader {
                name: "Authorization".into(),
                value: Zeroizing::new(format!("Bearer {}", token.as_str())),
                describe: format!("OAuth 2.0 token for client {}", c.client_id),
            })
        }
        other => Err(Error::invalid(
            "auth",
            format!(
                "a {} secret cannot authenticate an HTTP request",
                other.kind()
            ),
        )),
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Client credentials grant (RFC 6749 §4.4), the client authenticated with
/// HTTP Basic (§2.3.1). Returns the token and how long it lives.
fn fetch_token(
    c: &coffer_core::secret::ClientCredentials,
    tls: &TlsSetup,
    options: &HttpOptions,
) -> Result<(Zeroizing<String>, Duration)> {
    let token_url = c.token_url.as_deref().ok_or_else(|| {
        Error::invalid(
            "token_url",
            format!(
                "client {} has no token URL to get a token from",
                c.client_id
            ),
        )
    })?;
    let url = Url::parse(token_url)
        .map_err(|e| Error::invalid("token_url", format!("{token_url:?}: {e}")))?;
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = Zeroizing::new(format!(
        "{}:{}",
        encode(&c.client_id),
        encode(c.client_secret.expose_secret())
    ));
    let basic = Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    let scopes = c.scopes.join(" ");
    if !scopes.is_empty() {
        form.push(("scope", &scopes));
    }
    if let Some(audience) = &c.audience {
        form.push(("audience", audience));
    }
    let agent = agent(tls, true, options);
    let mut response = agent
        .post(url.as_str())
        .header("Authorization", basic.as_str())
        .header("Accept", "application/json")
        .send_form(form)
        .map_err(|e| describe_error(&url, &e))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(Error::network(format!(
            "the token endpoint {} answered HTTP {status}",
            host_of(&url)
        )));
    }
    let body = Zeroizing::new(
        response
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_string()
            .map_err(|e| describe_error(&url, &e))?,
    );
    let parsed: TokenResponse = serde_json::from_str(&body).map_err(|_| {
        Error::network(format!(
            "the token endpoint {} did not answer with a token",
            host_of(&url)
        ))
    })?;
    if let Some(kind) = parsed.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(Error::network(format!(
            "the token endpoint {} issued a {kind:?} token; only bearer tokens are supported",
            host_of(&url)
        )));
    }
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(300).clamp(1, 86_400 * 30));
    Ok((Zeroizing::new(parsed.access_token), lifetime))
}

/// What a fetch produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fetched {
    /// The final HTTP status.
    pub status: u16,
    /// Bytes written.
    pub size: u64,
    /// SHA-256 of the body, lowercase hex.
    pub sha256: String,
    /// The URL the body came from (after redirects).
    pub final_url: String,
    /// Redirects followed.
    pub redirects: u32,
}

/// Lines for the run's log, never with values.
pub type Log = Vec<String>;

/// Fetches `url` into `target` (mode 0600), following redirects by hand.
pub fn fetch_to_file(
    url: &str,
    target: &Path,
    auth: Option<&AuthHeader>,
    tls: &TlsSetup,
    options: &HttpOptions,
    log: &mut Log,
) -> Result<Fetched> {
    let start = Url::parse(url).map_err(|e| Error::invalid("url", format!("{url:?}: {e}")))?;
    let home = origin(&start);
    let same_origin_agent = agent(tls, true, options);
    let other_origin_agent = agent(tls, false, options);
    let mut current = start;
    let mut redirects = 0u32;
    loop {
        let trusted = origin(&current) == home;
        let agent = if trusted {
            &same_origin_agent
        } else {
            &other_origin_agent
        };
        let mut request = agent.get(current.as_str());
        if let (Some(auth), true) = (auth, trusted) {
            request = request.header(auth.name.as_str(), auth.value.as_str());
        }
        log.push(format!(
            "GET {}{}",
            host_of(&current),
            if trusted && auth.is_some() {
                " (with credentials)"
            } else {
                ""
            }
        ));
        let response = request.call().map_err(|e| describe_error(&current, &e))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) && status != 304 {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Error::network(format!(
                        "{} answered HTTP {status} without a Location",
                        host_of(&current)
                    ))
                })?;
            let next = current.join(location).map_err(|e| {
                Error::network(format!(
                    "{} redirected to a bad URL: {e}",
                    host_of(&current)
                ))
            })?;
            if !matches!(next.scheme(), "https" | "http") {
                return Err(Error::network(format!(
                    "{} redirected to a {} URL",
                    host_of(&current),
                    next.scheme()
                )));
            }
            redirects += 1;
            if redirects as usize > MAX_REDIRECTS {
                return Err(Error::network(format!(
                    "more than {MAX_REDIRECTS} redirects (last to {})",
                    host_of(&next)
                )));
            }
            log.push(format!(
                "HTTP {status}: redirected to {}{}",
                host_of(&next),
                if origin(&next) == home {
                    ""
                } else {
                    " (another origin: no credentials sent)"
                }
            ));
            current = next;
            continue;
        }
        if !(200..300).contains(&status) {
            return Err(Error::network(format!(
                "{} answered HTTP {status}",
                host_of(&current)
            )));
        }
        let mut file = AtomicFile::create(target, 0o600)?;
        let mut reader = response.into_body().into_reader();
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        let writing = || format!("writing {}", target.display());
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| Error::network(format!("reading from {}: {e}", host_of(&current))))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > options.max_bytes {
                return Err(Error::network(format!(
                    "the body from {} is larger than {} bytes",
                    host_of(&current),
                    options.max_bytes
                )));
            }
            hasher.update(&buf[..n]);
            file.file()?
                .write_all(&buf[..n])
                .map_err(|e| Error::io(writing(), e))?;
        }
        file.commit()?;
        log.push(format!(
            "HTTP {status}: {size} bytes written to {}",
            target.display()
        ));
        return Ok(Fetched {
            status,
            size,
            sha256: hex::encode(hasher.finalize()),
            final_url: current.to_string(),
            redirects,
        });
    }
}
