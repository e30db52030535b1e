//! The HTTPS client under the AWS SDK (rustls on ring: no aws-lc, no
//! OpenSSL) and the classification of transport failures by their types
//! (never by their messages).

use std::error::Error as StdError;
use std::io::ErrorKind;

use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::connect::ConnectOptions;
use crate::error::{FailureClass, Result};

/// The platform's roots plus the options' extra CA certificates (a test CA,
/// a company proxy's CA). Certificates are always verified.
pub(crate) fn aws_https_client(options: &ConnectOptions) -> Result<SharedHttpClient> {
    let mut trust = TrustStore::default();
    for (i, pem) in options.extra_roots_pem.iter().enumerate() {
        check_pem(pem).map_err(|message| {
            coffer_core::Error::invalid(format!("extra CA certificate {}", i + 1), message)
        })?;
        trust = trust.with_pem_certificate(pem.clone());
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| coffer_core::Error::Internal(format!("TLS settings: {e}")))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https())
}

/// The SDK's client panics on a bad extra root: check them first.
fn check_pem(pem: &[u8]) -> std::result::Result<(), String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in the PEM text".into());
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| format!("not a usable CA certificate: {e}"))?;
    }
    Ok(())
}

/// Every error of the chain, looking inside `io::Error`s too (their
/// `source` skips the wrapped error).
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.push(e);
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

/// When the credentials could not be had at all (implicit chain empty,
/// SSO session expired, profile missing): what the provider said.
pub(crate) fn credentials_cause(err: &(dyn StdError + 'static)) -> Option<String> {
    chain(err)
        .into_iter()
        .find_map(|e| e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>())
        .map(|e| format!("no usable AWS credentials: {}", describe_chain(e)))
}

/// A transport failure: TLS, refused or cut, timed out; otherwise
/// unreachable (the caller tells DNS failures apart by resolving the host).
pub(crate) fn classify_transport(
    err: &(dyn StdError + 'static),
) -> (FailureClass, String, Option<u64>) {
    let all = chain(err);
    if let Some(tls) = all.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return (FailureClass::Tls, format!("TLS failed: {tls}"), None);
    }
    for e in &all {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::TimedOut => {
                    return (FailureClass::Timeout, format!("timed out: {io}"), None);
                }
                ErrorKind::ConnectionRefused => {
                    return (FailureClass::Unreachable, "connection refused".into(), None);
                }
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => {
                    return (
                        FailureClass::Unreachable,
                        "the connection was cut".into(),
                        None,
                    );
                }
                _ => {}
            }
        }
    }
    (FailureClass::Unreachable, describe_chain(err), None)
}

/// The chain's messages joined (transport and SDK messages carry no values).
pub(crate) fn describe_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(err) {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
