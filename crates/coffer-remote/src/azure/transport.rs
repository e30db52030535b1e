//! Coffer's own HTTPS client for the Azure SDK: reqwest on rustls with ring,
//! the platform's roots (webpki's when the platform has none) plus any extra
//! CA certificates the connection is told to trust. Certificates are always
//! verified.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, FailureClass, Result};

/// A host name that did not resolve; found again in the error chain to
/// classify the failure as DNS without reading error texts.
#[derive(Debug, thiserror::Error)]
#[error("{host} does not resolve: {source}")]
pub(crate) struct DnsFailure {
    host: String,
    #[source]
    source: std::io::Error,
}

/// Resolves through the system resolver (as reqwest does by default), but
/// with an error type of ours.
struct SystemResolver;

impl reqwest::dns::Resolve for SystemResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: std::io::Result<Vec<SocketAddr>> =
                tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map(Iterator::collect);
            match found {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(source) => Err(Box::new(DnsFailure { host, source }) as _),
            }
        })
    }
}

/// The HTTPS client. `extra_ca_pem` holds PEM CA certificates to trust on
/// top of the platform's (tests pass their test CA).
pub(crate) fn https_client(manager: &str, extra_ca_pem: &[Vec<u8>]) -> Result<reqwest::Client> {
    let setup = |message: String| Error::Remote {
        manager: manager.to_owned(),
        operation: "setting up HTTPS".to_owned(),
        class: FailureClass::Tls,
        message,
        retry_after_ms: None,
    };
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for pem in extra_ca_pem {
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| setup(format!("reading a CA certificate: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| setup(format!("adding a CA certificate: {e}")))?;
            found += 1;
        }
        if found == 0 {
            return Err(setup(
                "a CA certificate file holds no PEM certificate".to_owned(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .dns_resolver(Arc::new(SystemResolver))
        .https_only(true)
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| setup(e.to_string()))
}
