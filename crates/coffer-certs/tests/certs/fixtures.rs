//! Fixtures made at test time by the `openssl` and `ssh-keygen` command-line tools.
//!
//! A missing tool fails the test loudly; nothing is skipped.

use std::path::PathBuf;
use std::process::Command;

use coffer_certs::InspectOptions;
use time::OffsetDateTime;

/// A temporary directory where the tools write their files.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    pub fn read_string(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).expect("utf-8 fixture")
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), contents).expect("writing fixture");
    }

    /// Runs `openssl ARGS` in the directory and returns its standard output.
    pub fn openssl(&self, args: &[&str]) -> String {
        self.run("openssl", args)
    }

    /// Runs `ssh-keygen ARGS` in the directory and returns its standard output.
    pub fn ssh_keygen(&self, args: &[&str]) -> String {
        self.run("ssh-keygen", args)
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let output = Command::new(tool)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{tool} is required by this test and could not run: {e}"));
        assert!(
            output.status.success(),
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("tool output is UTF-8")
    }

    /// Generates a private key (PKCS#8 PEM) named `name`: `rsa:BITS`, `ec:CURVE`, `ed25519`.
    pub fn key(&self, name: &str, kind: &str) {
        let mut args = vec!["genpkey", "-out", name];
        let bits;
        let curve;
        match kind.split_once(':') {
            Some(("rsa", b)) => {
                bits = format!("rsa_keygen_bits:{b}");
                args.extend(["-algorithm", "RSA", "-pkeyopt", &bits]);
            }
            Some(("ec", c)) => {
                curve = format!("ec_paramgen_curve:{c}");
                args.extend(["-algorithm", "EC", "-pkeyopt", &curve]);
            }
            _ => args.extend(["-algorithm", kind]),
        }
        self.openssl(&args);
    }

    /// A self-signed CA certificate `name.pem` with key `name.key`.
    pub fn root(&self, name: &str, key_kind: &str, subject: &str, days: u32) {
        let key = format!("{name}.key");
        self.key(&key, key_kind);
        let days = days.to_string();
        self.openssl(&[
            "req",
            "-x509",
            "-new",
            "-utf8",
            "-key",
            &key,
            "-out",
            &format!("{name}.pem"),
            "-subj",
            subject,
            "-days",
            &days,
            "-addext",
            "basicConstraints=critical,CA:true",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
    }

    /// A certificate `name.pem` (key `name.key`) issued by `issuer`, with extension lines.
    pub fn issue(&self, spec: &Issue<'_>) {
        let key = format!("{}.key", spec.name);
        self.key(&key, spec.key_kind);
        let csr = format!("{}.csr", spec.name);
        self.openssl(&[
            "req",
            "-new",
            "-utf8",
            "-key",
            &key,
            "-subj",
            spec.subject,
            "-out",
            &csr,
        ]);
        let ext = format!("{}.ext", spec.name);
        let mut lines = vec![
            "subjectKeyIdentifier=hash".to_owned(),
            "authorityKeyIdentifier=keyid".to_owned(),
        ];
        lines.extend(spec.extensions.iter().map(|s| (*s).to_owned()));
        self.write(&ext, lines.join("\n") + "\n");
        let days = spec.days.to_string();
        let digest = format!("-{}", spec.digest);
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{}.pem", spec.issuer),
            "-CAkey",
            &format!("{}.key", spec.issuer),
            "-days",
            &days,
            &digest,
            "-extfile",
            &ext,
            "-set_serial",
            spec.serial,
            "-out",
            &format!("{}.pem", spec.name),
        ]);
    }

    /// Root (EC P-256), intermediate (RSA 2048) and leaf (EC P-256): `root`, `inter`, `leaf`.
    pub fn chain(&self) {
        self.root(
            "root",
            "ec:P-256",
            "/C=FR/O=Coffer Test/CN=Coffer Root CA",
            3650,
        );
        self.issue(&Issue {
            name: "inter",
            issuer: "root",
            key_kind: "rsa:2048",
            subject: "/C=FR/O=Coffer Test/CN=Coffer Intermediate CA",
            days: 1825,
            serial: "0x1001",
            digest: "sha256",
            extensions: &[
                "basicConstraints=critical,CA:true,pathlen:0",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        });
        self.issue(&Issue {
            name: "leaf",
            issuer: "inter",
            key_kind: "ec:P-256",
            subject: "/C=FR/O=Coffer Test/CN=leaf.example.com",
            days: 365,
            serial: "0x00a1b2c3d4e5f60718",
            digest: "sha256",
            extensions: &[
                "basicConstraints=critical,CA:false",
                "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth,clientAuth",
                "subjectAltName=DNS:leaf.example.com,DNS:www.leaf.example.com,IP:192.0.2.7,IP:2001:db8::7",
            ],
        });
    }

    /// Concatenates fixture files, in order.
    pub fn concat(&self, names: &[&str]) -> Vec<u8> {
        names.iter().flat_map(|n| self.read(n)).collect()
    }
}

/// How to issue one certificate.
pub struct Issue<'a> {
    pub name: &'a str,
    pub issuer: &'a str,
    pub key_kind: &'a str,
    pub subject: &'a str,
    pub days: u32,
    pub serial: &'a str,
    pub digest: &'a str,
    pub extensions: &'a [&'a str],
}

/// Options judged at the current time.
pub fn options_now() -> InspectOptions {
    InspectOptions::new(OffsetDateTime::now_utc())
}

/// Options judged `days` from now.
pub fn options_in_days(days: i64) -> InspectOptions {
    InspectOptions::new(OffsetDateTime::now_utc() + time::Duration::days(days))
}
