//! The KDBX outer header, read before any key is derived: the version, and
//! the KDF parameters checked against upper bounds so that a hostile file
//! cannot make opening take minutes or gigabytes.

use crate::Error;

/// The most Argon2 memory a file may ask for (1 GiB).
pub const MAX_ARGON2_MEMORY: u64 = 1 << 30;
/// The most Argon2 passes.
pub const MAX_ARGON2_ITERATIONS: u64 = 100;
/// The most Argon2 work: memory (MiB) × passes (e.g. 1 GiB × 8, 64 MiB × 100).
pub const MAX_ARGON2_MIB_PASSES: u64 = 8192;
/// The most Argon2 lanes.
pub const MAX_ARGON2_PARALLELISM: u64 = 64;
/// The most AES-KDF rounds (KeePass's own default is 60,000; KeePassXC
/// calibrates to about a second, some millions).
pub const MAX_AES_ROUNDS: u64 = 50_000_000;

const SIG1: [u8; 4] = [0x03, 0xD9, 0xA2, 0x9A];
const SIG2_KDBX: [u8; 4] = [0x67, 0xFB, 0x4B, 0xB5];
const SIG2_KDB: [u8; 4] = [0x65, 0xFB, 0x4B, 0xB5];
const KDF_AES_KDBX3: [u8; 16] = [
    0xC9, 0xD9, 0xF3, 0x9A, 0x62, 0x8A, 0x44, 0x60, 0xBF, 0x74, 0x0D, 0x08, 0xC1, 0x8A, 0x4F, 0xEA,
];
const KDF_AES_KDBX4: [u8; 16] = [
    0x7C, 0x02, 0xBB, 0x82, 0x79, 0xA7, 0x4A, 0xC0, 0x92, 0x7D, 0x11, 0x4A, 0x00, 0x64, 0x82, 0x48,
];
const KDF_ARGON2D: [u8; 16] = [
    0xEF, 0x63, 0x6D, 0xDF, 0x8C, 0x29, 0x44, 0x4B, 0x91, 0xF7, 0xA9, 0xA4, 0x03, 0xE3, 0x0A, 0x0C,
];
const KDF_ARGON2ID: [u8; 16] = [
    0x9E, 0x29, 0x8B, 0x19, 0x56, 0xDB, 0x47, 0x73, 0xB2, 0x3D, 0xFC, 0x3E, 0xC6, 0xF0, 0xA1, 0xE6,
];

/// What the header says about key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// AES-KDF with this many rounds.
    Aes {
        /// Rounds.
        rounds: u64,
    },
    /// Argon2d or Argon2id.
    Argon2 {
        /// Memory in bytes.
        memory: u64,
        /// Passes.
        iterations: u64,
        /// Lanes.
        parallelism: u64,
    },
}

/// The file's major version and KDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// 3 or 4.
    pub major: u16,
    /// The minor version.
    pub minor: u16,
    /// The key derivation.
    pub kdf: Kdf,
}

fn truncated(what: &str) -> Error {
    Error::Truncated {
        format: "kdbx",
        reason: format!("the header ends inside {what}"),
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::malformed("kdbx", reason)
}

struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Error> {
        if self.0.len() < n {
            return Err(truncated(what));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, Error> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn le_u64(bytes: &[u8]) -> Option<u64> {
    match bytes.len() {
        4 => Some(u64::from(u32::from_le_bytes(bytes.try_into().ok()?))),
        8 => Some(u64::from_le_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

/// Reads the outer header up to its end marker.
pub fn read(bytes: &[u8]) -> Result<Header, Error> {
    let mut b = Bytes(bytes);
    if b.take(4, "the signature")? != SIG1 {
        return Err(malformed("not a KeePass file (wrong signature)"));
    }
    let sig2 = b.take(4, "the signature")?;
    if sig2 == SIG2_KDB {
        return Err(Error::UnsupportedVersion {
            format: "kdbx",
            version: "KeePass 1 (.kdb)".into(),
        });
    }
    if sig2 != SIG2_KDBX {
        return Err(malformed("not a KeePass file (wrong signature)"));
    }
    let minor = b.u16("the version")?;
    let major = b.u16("the version")?;
    if !(3..=4).contains(&major) {
        return Err(Error::UnsupportedVersion {
            format: "kdbx",
            version: format!("{major}.{minor}"),
        });
    }
    let mut cipher_kdf: Option<[u8; 16]> = None;
    let mut aes_rounds = None;
    let mut kdf = None;
    loop {
        let id = b.u8("a header field")?;
        let len = if major == 4 {
            b.u32("a header field")? as usize
        } else {
            usize::from(b.u16("a header field")?)
        };
        let data = b.take(len, "a header field")?;
        match (major, id) {
            (_, 0) => break,
            (3, 6) => {
                aes_rounds = Some(le_u64(data).ok_or_else(|| malformed("bad AES-KDF rounds"))?);
                cipher_kdf = Some(KDF_AES_KDBX3);
            }
            (4, 11) => kdf = Some(kdf_parameters(data)?),
            _ => {}
        }
    }
    let kdf = match (major, kdf, aes_rounds, cipher_kdf) {
        (4, Some(kdf), _, _) => kdf,
        (3, _, Some(rounds), Some(_)) => Kdf::Aes { rounds },
        _ => return Err(malformed("the header names no key derivation")),
    };
    Ok(Header { major, minor, kdf })
}

/// KDBX 4's KDF parameters: a variant dictionary.
fn kdf_parameters(data: &[u8]) -> Result<Kdf, Error> {
    let mut b = Bytes(data);
    let _version = b.u16("the KDF parameters")?;
    let mut uuid = None;
    let mut values = std::collections::HashMap::new();
    loop {
        let kind = b.u8("the KDF parameters")?;
        if kind == 0 {
            break;
        }
        let key_len = b.u32("the KDF parameters")? as usize;
        let key = b.take(key_len, "the KDF parameters")?;
        let value_len = b.u32("the KDF parameters")? as usize;
        let value = b.take(value_len, "the KDF parameters")?;
        match (key, kind) {
            (b"$UUID", 0x42) => uuid = Some(value),
            (b"R" | b"M" | b"I" | b"P", 0x04 | 0x05) => {
                let v = le_u64(value).ok_or_else(|| malformed("bad KDF parameter"))?;
                values.insert(key.to_vec(), v);
            }
            _ => {}
        }
    }
    let get = |k: &[u8]| {
        values
            .get(k)
            .copied()
            .ok_or_else(|| malformed("a KDF parameter is missing"))
    };
    match uuid {
        Some(u) if u == KDF_AES_KDBX4 || u == KDF_AES_KDBX3 => Ok(Kdf::Aes { rounds: get(b"R")? }),
        Some(u) if u == KDF_ARGON2D || u == KDF_ARGON2ID => Ok(Kdf::Argon2 {
            memory: get(b"M")?,
            iterations: get(b"I")?,
            parallelism: get(b"P")?,
        }),
        _ => Err(Error::UnsupportedVersion {
            format: "kdbx",
            version: "an unknown key derivation".into(),
        }),
    }
}

/// Refuses KDF parameters over the bounds.
pub fn check(kdf: Kdf) -> Result<(), Error> {
    let refuse = |reason: String| Err(Error::KdfTooCostly { reason });
    match kdf {
        Kdf::Aes { rounds } if rounds > MAX_AES_ROUNDS => refuse(format!(
            "{rounds} AES-KDF rounds (at most {MAX_AES_ROUNDS})"
        )),
        Kdf::Argon2 { memory, .. } if memory > MAX_ARGON2_MEMORY => refuse(format!(
            "Argon2 memory of {} MiB (at most {} MiB)",
            memory >> 20,
            MAX_ARGON2_MEMORY >> 20
        )),
        Kdf::Argon2 { iterations, .. } if iterations > MAX_ARGON2_ITERATIONS => refuse(format!(
            "{iterations} Argon2 passes (at most {MAX_ARGON2_ITERATIONS})"
        )),
        Kdf::Argon2 { parallelism, .. } if parallelism > MAX_ARGON2_PARALLELISM => refuse(format!(
            "{parallelism} Argon2 lanes (at most {MAX_ARGON2_PARALLELISM})"
        )),
        Kdf::Argon2 {
            memory, iterations, ..
        } if (memory >> 20).saturating_mul(iterations) > MAX_ARGON2_MIB_PASSES => refuse(format!(
            "Argon2 work of {} MiB × {iterations} passes (at most {MAX_ARGON2_MIB_PASSES} MiB-passes)",
            memory >> 20
        )),
        _ => Ok(()),
    }
}
