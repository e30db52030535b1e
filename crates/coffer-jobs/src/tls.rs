//! TLS set-up shared by HTTP fetches and the Test action: the system's
//! trust roots plus a CA bundle secret, and an optional client identity
//! from a certificate secret. Verification is always on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use coffer_core::ExposeSecret;
use coffer_core::secret::SecretData;
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use crate::error::{Error, Result};

/// The system's trust roots, loaded once per process. The system store is
/// what `git` and `curl` trust too, so both kinds of job agree, and it holds
/// the CAs an administrator installed; a CA bundle secret adds to it.
fn system_roots() -> &'static [Certificate<'static>] {
    static ROOTS: OnceLock<Vec<Certificate<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect()
    })
}

/// Trust roots and an optional client identity.
#[derive(Default)]
pub struct TlsSetup {
    extra_roots: Vec<Certificate<'static>>,
    identity: Option<(Vec<Certificate<'static>>, PrivateKey<'static>)>,
    /// The client certificate's subject, for logs.
    pub identity_subject: Option<String>,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("extra_roots", &self.extra_roots.len())
            .field("identity", &self.identity_subject)
            .finish()
    }
}

fn pem_items(pem: &str, what: &str) -> Result<Vec<PemItem<'static>>> {
    ureq::tls::parse_pem(pem.as_bytes())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::invalid(what, format!("cannot read its PEM: {e}")))
}

impl TlsSetup {
    /// Adds the certificates of a CA bundle (or certificate) secret to the roots.
    pub fn add_roots(&mut self, data: &SecretData, name: &str) -> Result<()> {
        let pem = match data {
            SecretData::CaBundle(b) => b.certificates.expose_secret(),
            SecretData::Certificate(c) => c.certificate.expose_secret(),
            other => {
                return Err(Error::invalid(
                    "ca_bundle",
                    format!("{name} is a {} secret, not a CA bundle", other.kind()),
                ));
            }
        };
        let before = self.extra_roots.len();
        for item in pem_items(pem, name)? {
            if let PemItem::Certificate(c) = item {
                self.extra_roots.push(c);
            }
        }
        if self.extra_roots.len() == before {
            return Err(Error::invalid(
                "ca_bundle",
                format!("{name} holds no certificate"),
            ));
        }
        Ok(())
    }

    /// Uses a certificate secret (PEM chain and private key) as the client identity.
    pub fn set_identity(&mut self, data: &SecretData, name: &str) -> Result<()> {
        let SecretData::Certificate(cert) = data else {
            return Err(Error::invalid(
                "client_certificate",
                format!("{name} is a {} secret, not a certificate", data.kind()),
            ));
        };
        let key = cert.private_key.as_ref().ok_or_else(|| {
            Error::invalid(
                "client_certificate",
                format!("{name} has no private key, so it cannot authenticate a client"),
            )
        })?;
        let chain: Vec<Certificate<'static>> = pem_items(cert.certificate.expose_secret(), name)?
            .into_iter()
            .filter_map(|i| match i {
                PemItem::Certificate(c) => Some(c),
                _ => None,
            })
            .collect();
        let key = pem_items(key.expose_secret(), name)?
            .into_iter()
            .find_map(|i| match i {
                PemItem::PrivateKey(k) => Some(k),
                _ => None,
            })
            .ok_or_else(|| {
                Error::invalid(
                    "client_certificate",
                    format!("{name}: no usable private key"),
                )
            })?;
        if chain.is_empty() {
            return Err(Error::invalid(
                "client_certificate",
                format!("{name} holds no certificate"),
            ));
        }
        self.identity_subject = cert
            .summary
            .get("certificates")
            .and_then(|c| c.get(0))
            .and_then(|c| c.get("subject"))
            .and_then(|s| s.as_str())
            .map(str::to_owned);
        self.identity = Some((chain, key));
        Ok(())
    }

    fn roots(&self) -> Vec<Certificate<'static>> {
        let mut roots = system_roots().to_vec();
        roots.extend(self.extra_roots.iter().cloned());
        roots
    }

    /// A ureq TLS configuration; `with_identity` false leaves the client
    /// certificate out (for requests to another host).
    pub fn ureq_config(&self, with_identity: bool) -> TlsConfig {
        let identity = self
            .identity
            .as_ref()
            .filter(|_| with_identity)
            .map(|(chain, key)| ClientCert::new_with_certs(chain, key.to_owned()));
        TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&self.roots()))
            .client_cert(identity)
            .unversioned_rustls_crypto_provider(ring_provider())
            .build()
    }

    /// A rustls client configuration with the same roots and identity, and
    /// what its handshakes did about a client certificate (the Test reports it).
    pub fn rustls_config(&self) -> Result<(Arc<rustls::ClientConfig>, Arc<ClientAuthSeen>)> {
        let mut store = rustls::RootCertStore::empty();
        let (_added, _ignored) = store.add_parsable_certificates(
            self.roots()
                .iter()
                .map(|c| CertificateDer::from(c.der().to_vec())),
        );
        let builder = rustls::ClientConfig::builder_with_provider(ring_provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls {
                host: String::new(),
                message: e.to_string(),
            })?
            .with_root_certificates(store);
        let key = match &self.identity {
            Some((chain, key)) => {
                let chain: Vec<CertificateDer<'static>> = chain
                    .iter()
                    .map(|c| CertificateDer::from(c.der().to_vec()))
                    .collect();
                let key = PrivateKeyDer::try_from(key.der().to_vec()).map_err(|e| {
                    Error::invalid("client_certificate", format!("unusable private key: {e}"))
                })?;
                let certified =
                    CertifiedKey::from_der(chain, key, &ring_provider()).map_err(|e| {
                        Error::invalid(
                            "client_certificate",
                            format!("unusable client certificate: {e}"),
                        )
                    })?;
                Some(Arc::new(certified))
            }
            None => None,
        };
        let seen = Arc::new(ClientAuthSeen::default());
        let config = builder.with_client_cert_resolver(Arc::new(ObservingResolver {
            key,
            seen: seen.clone(),
        }));
        Ok((Arc::new(config), seen))
    }
}

/// What the client-certificate step of a handshake did: whether the server
/// asked for a certificate (a CertificateRequest), and whether one was sent.
#[derive(Debug, Default)]
pub struct ClientAuthSeen {
    requested: AtomicBool,
    sent: AtomicBool,
}

impl ClientAuthSeen {
    /// The server sent a CertificateRequest.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// A client certificate went to the server.
    pub fn sent(&self) -> bool {
        self.sent.load(Ordering::SeqCst)
    }
}

/// Offers the identity (if any) and records that the server asked for it:
/// rustls calls a resolver only when a CertificateRequest arrives.
#[derive(Debug)]
struct ObservingResolver {
    key: Option<Arc<CertifiedKey>>,
    seen: Arc<ClientAuthSeen>,
}

impl ResolvesClientCert for ObservingResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.seen.requested.store(true, Ordering::SeqCst);
        let key = self.key.clone()?;
        // rustls sends the certificate only when the key can sign with a scheme the server accepts.
        if key.key.choose_scheme(sigschemes).is_some() {
            self.seen.sent.store(true, Ordering::SeqCst);
        }
        Some(key)
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// The `ring` crypto provider (no aws-lc-rs, no cmake).
pub fn ring_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
