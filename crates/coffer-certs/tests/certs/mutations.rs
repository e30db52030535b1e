//! Truncations and bit flips of valid files never panic and always give a coded result.

use coffer_certs::{InspectOptions, WorkLimits, inspect};

use crate::fixtures::{Workdir, options_now};

const CODES: &[&str] = &[
    "empty",
    "too_large",
    "unrecognized_format",
    "malformed_pem",
    "malformed_der",
    "malformed_ssh_key",
    "truncated",
    "password_required",
    "wrong_password",
    "unsupported_algorithm",
    "too_costly",
    "nothing_to_store",
    "inconsistent_key",
];

/// xorshift64*: a fixed seed makes every run try the same mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    match rng.below(4) {
        0 => out.truncate(rng.below(input.len())),
        1 => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(out.len());
            out[i] = u8::try_from(rng.below(256)).unwrap_or(0);
        }
        _ => {
            let from = rng.below(out.len());
            let len = rng.below(16);
            out.drain(from..(from + len).min(out.len()));
        }
    }
    out
}

fn hammer(name: &str, input: &[u8], password: Option<&[u8]>, rounds: usize, seed: u64) {
    // Small caps keep mutated cost parameters cheap; real files stay under them.
    let options = InspectOptions {
        limits: WorkLimits {
            max_scrypt_n: 1 << 14,
            max_pbkdf2_iterations: 10_000,
            max_pkcs12_iterations: 10_000,
            max_bcrypt_rounds: 16,
            ..WorkLimits::default()
        },
        ..options_now()
    };
    assert!(
        inspect(input, password, &options).is_ok(),
        "{name} parses before mutation"
    );
    let mut rng = Rng(seed);
    for round in 0..rounds {
        let mutated = mutate(&mut rng, input);
        if let Err(e) = inspect(&mutated, password, &options) {
            assert!(
                CODES.contains(&e.code()),
                "{name} round {round}: unexpected code {}",
                e.code()
            );
        }
    }
}

#[test]
fn mutated_pem_chains_and_keys() {
    let w = Workdir::new();
    w.chain();
    let pem = w.concat(&["leaf.pem", "leaf.key", "inter.pem", "root.pem"]);
    hammer("PEM chain", &pem, None, 3000, 0x1234_5678);
    w.openssl(&[
        "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der",
    ]);
    hammer(
        "DER certificate",
        &w.read("leaf.der"),
        None,
        3000,
        0x9abc_def0,
    );
    w.openssl(&[
        "rsa",
        "-in",
        "inter.key",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "rsa.der",
    ]);
    hammer("PKCS#1 DER", &w.read("rsa.der"), None, 1000, 0x0fed_cba9);
}

#[test]
fn mutated_encrypted_files() {
    let w = Workdir::new();
    w.chain();
    w.openssl(&[
        "pkcs12",
        "-export",
        "-legacy",
        "-in",
        "leaf.pem",
        "-inkey",
        "leaf.key",
        "-certfile",
        "inter.pem",
        "-out",
        "legacy.p12",
        "-passout",
        "pass:pw",
    ]);
    w.openssl(&[
        "pkcs12",
        "-export",
        "-in",
        "leaf.pem",
        "-inkey",
        "leaf.key",
        "-out",
        "modern.p12",
        "-passout",
        "pass:pw",
        "-iter",
        "100",
        "-maciter",
    ]);
    w.openssl(&[
        "pkcs8", "-topk8", "-in", "leaf.key", "-outform", "DER", "-out", "enc.der", "-passout",
        "pass:pw", "-iter", "100",
    ]);
    w.ssh_keygen(&["-q", "-t", "ed25519", "-a", "2", "-N", "pw", "-f", "id"]);
    hammer(
        "legacy PKCS#12",
        &w.read("legacy.p12"),
        Some(b"pw"),
        600,
        11,
    );
    hammer(
        "modern PKCS#12",
        &w.read("modern.p12"),
        Some(b"pw"),
        600,
        12,
    );
    hammer("encrypted PKCS#8", &w.read("enc.der"), Some(b"pw"), 600, 13);
    hammer("OpenSSH", &w.read("id"), Some(b"pw"), 300, 14);
    hammer("OpenSSH public", &w.read("id.pub"), None, 1000, 15);
}
