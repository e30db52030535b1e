//! A private CA for the test servers, and a second CA for client certificates.

use std::sync::{Arc, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub struct Pki {
    /// The server CA (what a CA bundle secret holds).
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    /// The CA that issues client certificates (the servers trust it).
    pub client_ca_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    /// A client certificate from a CA the servers do not trust.
    pub rogue_cert_pem: String,
    pub rogue_key_pem: String,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    cn: &str,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut params =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![usage];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let server_ca = ca("Coffer Test Server CA");
        let client_ca = ca("Coffer Test Client CA");
        let rogue_ca = ca("Rogue CA");
        let (server_cert_pem, server_key_pem) = leaf(
            &server_ca,
            "coffer test server",
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client_cert_pem, client_key_pem) = leaf(
            &client_ca,
            "coffer-client",
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let (rogue_cert_pem, rogue_key_pem) =
            leaf(&rogue_ca, "rogue", &[], ExtendedKeyUsagePurpose::ClientAuth);
        Pki {
            ca_pem: server_ca.pem(),
            server_cert_pem,
            server_key_pem,
            client_ca_pem: client_ca.pem(),
            client_cert_pem,
            client_key_pem,
            rogue_cert_pem,
            rogue_key_pem,
        }
    })
}

fn certs(pem: &str) -> Vec<CertificateDer<'static>> {
    ureq::tls::parse_pem(pem.as_bytes())
        .filter_map(|i| match i.unwrap() {
            ureq::tls::PemItem::Certificate(c) => Some(CertificateDer::from(c.der().to_vec())),
            _ => None,
        })
        .collect()
}

/// A server that never asks for a client certificate (no CertificateRequest).
pub fn server_config_without_client_auth() -> Arc<rustls::ServerConfig> {
    let pki = pki();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::try_from(
        ureq::tls::parse_pem(pki.server_key_pem.as_bytes())
            .find_map(|i| match i.unwrap() {
                ureq::tls::PemItem::PrivateKey(k) => Some(k.der().to_vec()),
                _ => None,
            })
            .unwrap(),
    )
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs(&pki.server_cert_pem), key)
        .unwrap();
    Arc::new(config)
}

/// The servers' TLS configuration: the server certificate, and client
/// certificates of the client CA verified when offered (routes decide
/// whether one is required).
pub fn server_config() -> Arc<rustls::ServerConfig> {
    let pki = pki();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in certs(&pki.client_ca_pem) {
        roots.add(c).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .unwrap();
    let key = PrivateKeyDer::try_from(
        ureq::tls::parse_pem(pki.server_key_pem.as_bytes())
            .find_map(|i| match i.unwrap() {
                ureq::tls::PemItem::PrivateKey(k) => Some(k.der().to_vec()),
                _ => None,
            })
            .unwrap(),
    )
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs(&pki.server_cert_pem), key)
        .unwrap();
    Arc::new(config)
}
