//! Certificates and keys made by the real `openssl` and `ssh-keygen` tools.

use std::path::{Path, PathBuf};
use std::process::Command;

#[track_caller]
pub fn tool(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for these tests (scripts/dev setup): {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A CA, a leaf signed by it (EC P-256), the leaf's key, and a stranger key.
pub struct Pki {
    pub ca: PathBuf,
    pub leaf: PathBuf,
    pub key: PathBuf,
    pub other_key: PathBuf,
    pub chain: PathBuf,
}

pub fn pki(dir: &Path, leaf_days: u32) -> Pki {
    let d = |n: &str| dir.join(n);
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut args = vec!["req", "-x509"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=Test Root CA/O=Coffer Tests",
    ]);
    args.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    tool("openssl", &args, dir);
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=api.example.test",
    ]);
    tool("openssl", &args, dir);
    std::fs::write(
        d("ext.cnf"),
        "subjectAltName=DNS:api.example.test,IP:127.0.0.1\n",
    )
    .unwrap();
    let days = leaf_days.to_string();
    tool(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            &days,
            "-extfile",
            "ext.cnf",
        ],
        dir,
    );
    tool(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "other.key",
        ],
        dir,
    );
    let chain = [
        std::fs::read(d("leaf.pem")).unwrap(),
        std::fs::read(d("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(d("chain.pem"), chain).unwrap();
    Pki {
        ca: d("ca.pem"),
        leaf: d("leaf.pem"),
        key: d("leaf.key"),
        other_key: d("other.key"),
        chain: d("chain.pem"),
    }
}

/// `openssl x509 -fingerprint -sha256` as lowercase hex without colons.
pub fn sha256_of(cert: &Path) -> String {
    let out = tool(
        "openssl",
        &[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            cert.to_str().unwrap(),
        ],
        Path::new("."),
    );
    out.trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_lowercase()
}
