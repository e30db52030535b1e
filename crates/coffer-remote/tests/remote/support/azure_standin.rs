//! Starts the Azure Key Vault stand-in (tests/standin/azure_keyvault.py) on a
//! free port of 127.0.0.1 with its own test CA; Drop kills it by PID.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use coffer_core::remote::{AzureAuth, AzureSettings};
use coffer_remote::{AzureConnectOptions, AzureKeyVault, Credentials};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use secrecy::SecretString;

/// The tenant the stand-in serves.
pub const TENANT: &str = "5b1c0b7e-6a8d-4c1f-9d2e-00000000c0ff";
/// The service principal it accepts.
pub const CLIENT_ID: &str = "coffer-tests";

/// The Python that has the test tools: `COFFER_TEST_PYTHON`, else the
/// workspace's `.venv`. Fails (never skips) when there is none.
pub fn test_python() -> PathBuf {
    if let Ok(python) = std::env::var("COFFER_TEST_PYTHON") {
        let path = PathBuf::from(python);
        assert!(
            path.exists(),
            "COFFER_TEST_PYTHON={} does not exist: run `scripts/dev setup`",
            path.display()
        );
        return path;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = root.join(".venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with the test tools: set COFFER_TEST_PYTHON or run `scripts/dev setup` (creates {})",
        venv.display()
    );
    venv
}

/// The stand-in's directory.
pub fn standin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/standin")
}

/// A running stand-in.
pub struct AzureStandIn {
    child: Child,
    _dir: tempfile::TempDir,
    /// Its port.
    pub port: u16,
    /// Its test CA (PEM).
    pub ca_pem: Vec<u8>,
    /// The client secret it accepts (random per stand-in).
    pub client_secret: String,
    control: reqwest::Client,
}

impl Drop for AzureStandIn {
    fn drop(&mut self) {
        // Child::kill signals this child's PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl AzureStandIn {
    /// Starts one and waits for its ready line.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let client_secret = format!("standin-secret-{}", std::process::id());
        let mut child = Command::new(test_python())
            .arg(standin_dir().join("azure_keyvault.py"))
            .args(["--dir".as_ref(), dir.path().as_os_str()])
            .args(["--tenant", TENANT, "--client-id", CLIENT_ID])
            .env("COFFER_STANDIN_CLIENT_SECRET", &client_secret)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Azure stand-in");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        let ready: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the Azure stand-in did not start ({e}): {line:?}");
            }
        };
        let port = u16::try_from(ready["port"].as_u64().expect("port")).expect("port");
        let ca_pem = std::fs::read(ready["ca"].as_str().expect("ca")).expect("read CA");
        let control = trusting_client(&ca_pem);
        Self {
            child,
            _dir: dir,
            port,
            ca_pem,
            client_secret,
            control,
        }
    }

    /// `https://127.0.0.1:PORT/`
    pub fn vault_uri(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }

    /// Settings of a connection to it.
    pub fn settings(&self) -> AzureSettings {
        AzureSettings {
            vault_uri: self.vault_uri(),
            tenant: TENANT.to_owned(),
            authority_host: Some(format!("https://127.0.0.1:{}", self.port)),
            auth: AzureAuth::ClientSecret {
                secret: "azure-sp".to_owned(),
            },
        }
    }

    /// Connect options trusting its CA.
    pub fn options(&self) -> AzureConnectOptions {
        AzureConnectOptions {
            extra_ca_pem: vec![self.ca_pem.clone()],
            verify_challenge_resource: false,
            max_retries: 3,
        }
    }

    /// The right credentials.
    pub fn credentials(&self) -> Credentials {
        self.credentials_with(&self.client_secret)
    }

    /// Credentials with the given client secret.
    pub fn credentials_with(&self, secret: &str) -> Credentials {
        Credentials::AzureClientSecret {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(secret.to_owned()),
        }
    }

    /// A connected vault.
    pub fn vault(&self) -> AzureKeyVault {
        AzureKeyVault::connect(
            "azure-test",
            &self.settings(),
            self.credentials(),
            self.options(),
        )
        .expect("connect")
    }

    /// Posts to a stand-in control (`faults`, `clock`, `tokens`).
    pub async fn control(&self, what: &str, body: serde_json::Value) {
        let response = self
            .control
            .post(format!("{}_standin/{what}", self.vault_uri()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("stand-in control");
        assert!(
            response.status().is_success(),
            "control {what}: {}",
            response.status()
        );
    }

    /// The stand-in's request counts.
    pub async fn stats(&self) -> serde_json::Value {
        let bytes = self
            .control
            .get(format!("{}_standin/stats", self.vault_uri()))
            .send()
            .await
            .expect("stats")
            .bytes()
            .await
            .expect("stats body");
        serde_json::from_slice(&bytes).expect("stats JSON")
    }

    /// One count (0 when absent).
    pub async fn stat(&self, key: &str) -> u64 {
        self.stats().await[key].as_u64().unwrap_or(0)
    }
}

/// A plain client that trusts the test CA only (for the controls).
fn trusting_client(ca_pem: &[u8]) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.expect("CA PEM")).expect("add CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .expect("control client")
}
