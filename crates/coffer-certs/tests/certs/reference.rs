//! What the independent tools (`openssl x509`, `ssh-keygen`) say about a fixture, to compare
//! the crate's report against.

use std::net::IpAddr;

use crate::fixtures::Workdir;

/// Facts about a certificate as OpenSSL prints them, normalized to the report's spelling.
#[derive(Debug)]
pub struct OpensslCert {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    pub sha1: String,
    pub not_before: String,
    pub not_after: String,
    pub san: Vec<String>,
    pub key_bits: u32,
    pub signature_algorithm: String,
}

/// Asks `openssl x509` about the PEM certificate `name`.
pub fn openssl_cert(w: &Workdir, name: &str) -> OpensslCert {
    let field = |args: &[&str], prefix: &str| -> String {
        let mut all = vec![
            "x509",
            "-in",
            name,
            "-noout",
            "-nameopt",
            "RFC2253,-esc_msb",
        ];
        all.extend(args);
        let out = w.openssl(&all);
        out.trim()
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{prefix} in {out}"))
            .to_owned()
    };
    let hex = |s: String| s.replace(':', "").to_lowercase();
    let iso = |s: String| s.replace(' ', "T");
    let text = w.openssl(&["x509", "-in", name, "-noout", "-text"]);
    // "Public-Key: (2048 bit)"; Edwards keys print "ED25519 Public-Key:" with no size.
    let key_line = text
        .lines()
        .find(|l| l.contains("Public-Key:"))
        .expect("Public-Key line");
    let key_bits = match key_line.split_once('(') {
        Some((_, rest)) => rest
            .split(' ')
            .next()
            .expect("bits")
            .parse()
            .expect("key bits"),
        None if key_line.contains("ED25519") => 256,
        None if key_line.contains("ED448") => 448,
        None => panic!("no key size in {key_line}"),
    };
    let signature_algorithm = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Signature Algorithm: "))
        .expect("Signature Algorithm line")
        .to_owned();
    let san_out = w.openssl(&["x509", "-in", name, "-noout", "-ext", "subjectAltName"]);
    let san = san_out
        .lines()
        .nth(1)
        .map(|l| l.trim().split(", ").map(normalize_san).collect())
        .unwrap_or_default();
    OpensslCert {
        subject: field(&["-subject"], "subject="),
        issuer: field(&["-issuer"], "issuer="),
        serial: field(&["-serial"], "serial=").to_lowercase(),
        sha256: hex(field(&["-fingerprint", "-sha256"], "sha256 Fingerprint=")),
        sha1: hex(field(&["-fingerprint", "-sha1"], "sha1 Fingerprint=")),
        not_before: iso(field(&["-startdate", "-dateopt", "iso_8601"], "notBefore=")),
        not_after: iso(field(&["-enddate", "-dateopt", "iso_8601"], "notAfter=")),
        san,
        key_bits,
        signature_algorithm,
    }
}

/// OpenSSL writes `IP Address:2001:DB8:0:0:0:0:0:1`; the report writes `IP:2001:db8::1`.
fn normalize_san(entry: &str) -> String {
    match entry.strip_prefix("IP Address:") {
        Some(ip) => format!("IP:{}", ip.parse::<IpAddr>().expect("IP address")),
        None => entry.to_owned(),
    }
}

/// `ssh-keygen -lf FILE`: (bits, `SHA256:…` fingerprint).
pub fn ssh_fingerprint(w: &Workdir, file: &str) -> (u32, String) {
    let out = w.ssh_keygen(&["-l", "-E", "sha256", "-f", file]);
    let mut words = out.split_whitespace();
    let bits = words.next().expect("bits").parse().expect("numeric bits");
    (bits, words.next().expect("fingerprint").to_owned())
}

/// `ssh-keygen -y -f FILE [-P PASS]`: the public key line.
pub fn ssh_public_line(w: &Workdir, file: &str, passphrase: Option<&str>) -> String {
    let mut args = vec!["-y", "-f", file];
    if let Some(p) = passphrase {
        args.extend(["-P", p]);
    }
    w.ssh_keygen(&args).trim().to_owned()
}

/// `openssl pkey -pubout` of a private key file, for comparing public halves.
pub fn openssl_public_pem(w: &Workdir, file: &str, passin: Option<&str>) -> String {
    let pass = passin.map(|p| format!("pass:{p}"));
    let mut args = vec!["pkey", "-in", file, "-pubout"];
    if let Some(p) = &pass {
        args.extend(["-passin", p]);
    }
    w.openssl(&args)
}
