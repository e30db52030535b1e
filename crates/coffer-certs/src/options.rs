//! What the caller controls: the current time, thresholds and work limits.

use time::{Duration, OffsetDateTime};

/// Default cap on the size of one input: 1 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Options for [`crate::inspect`] and its siblings.
///
/// There is no `Default`: the current time must always be passed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectOptions {
    /// The time against which validity is judged.
    pub now: OffsetDateTime,
    /// A certificate expiring within this span of `now` raises `expires_soon`. Default 30 days.
    pub expiry_warning: Duration,
    /// Inputs larger than this fail with `too_large`. Default [`DEFAULT_MAX_INPUT_BYTES`].
    pub max_input_bytes: usize,
    /// Bounds on password-based key derivation work.
    pub limits: WorkLimits,
}

impl InspectOptions {
    /// Options with the defaults and the given current time.
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            now,
            expiry_warning: Duration::days(30),
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            limits: WorkLimits::default(),
        }
    }
}

/// Caps on the work that a file can ask for, so that hostile input cannot hang the caller.
///
/// The defaults accept what real tools write with wide headroom, and bound one key
/// derivation to about a second of one core (measured on the 2-core development machine
/// with OpenSSL 3.0 and OpenSSH 9.2 doing the same work):
///
/// | parameter | default | real tools | time at the cap |
/// |---|---|---|---|
/// | PBKDF2 iterations | 2 000 000 | OpenSSL 2 048, OWASP 600 000 | ≈ 0.4 s |
/// | PKCS#12 KDF iterations (MAC, RC2/3DES) | 2 000 000 | OpenSSL 2 048, Windows 2 000, Java 10 000 | ≈ 0.8 s per file |
/// | scrypt N · r · p | 2^21 | OpenSSL 2^14 · 8 · 1 = 2^17 | ≈ 0.5 s |
/// | scrypt memory 128 · N · r | 256 MiB | OpenSSL 16 MiB | |
/// | bcrypt-pbkdf rounds | 256 | ssh-keygen 16, hardening guides `-a 100` | ≈ 1.4 s |
/// | Argon2 (PuTTY keys) memory KiB · passes | 2^21 | PuTTYgen 8 192 KiB · ≈ 10–30 | ≈ 2 s |
/// | Argon2 memory | 256 MiB | PuTTYgen 8 MiB | |
///
/// An input holding many encrypted items (PEM blocks, PKCS#12 bags) is also bounded as a
/// whole by [`WorkLimits::max_total_work_permille`]. Beyond a cap the error is `too_costly`;
/// the caller may raise a cap for a file it trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkLimits {
    /// PBKDF2 iteration count (PBES2 in PKCS#8 and PKCS#12). Default 2 000 000.
    pub max_pbkdf2_iterations: u32,
    /// PKCS#12 key-derivation iterations (MAC and legacy PBE). Default 2 000 000.
    pub max_pkcs12_iterations: u32,
    /// scrypt cost `N` (a power of two). Default 2^20.
    pub max_scrypt_n: u64,
    /// scrypt block size `r`. Default 32.
    pub max_scrypt_r: u32,
    /// scrypt parallelism `p`. Default 16.
    pub max_scrypt_p: u32,
    /// scrypt memory, `128 * N * r` bytes. Default 256 MiB.
    pub max_scrypt_memory_bytes: u64,
    /// scrypt total work `N * r * p`. Default 2^21 (OpenSSL's default is 2^17).
    pub max_scrypt_work: u64,
    /// bcrypt-pbkdf rounds in encrypted OpenSSH keys. Default 256 (ssh-keygen uses 16;
    /// hardening guides use `-a 64` to `-a 100`).
    pub max_bcrypt_rounds: u32,
    /// Argon2 memory in KiB in encrypted PuTTY keys. Default 262 144 (256 MiB).
    pub max_argon2_memory_kib: u64,
    /// Argon2 work, memory in KiB times passes. Default 2^21 (PuTTYgen: 8 192 KiB, about
    /// 10 to 30 passes).
    pub max_argon2_work: u64,
    /// Total derivation work for one input, in thousandths of one derivation at its cap
    /// (each derivation costs at least one). Default 3 000: three derivations at their caps,
    /// or thousands of ordinary ones.
    pub max_total_work_permille: u32,
    /// Number of certificates in one input. Default 1 000.
    pub max_certificates: usize,
}

impl Default for WorkLimits {
    fn default() -> Self {
        Self {
            max_pbkdf2_iterations: 2_000_000,
            max_pkcs12_iterations: 2_000_000,
            max_scrypt_n: 1 << 20,
            max_scrypt_r: 32,
            max_scrypt_p: 16,
            max_scrypt_memory_bytes: 256 * 1024 * 1024,
            max_scrypt_work: 1 << 21,
            max_bcrypt_rounds: 256,
            max_argon2_memory_kib: 256 * 1024,
            max_argon2_work: 1 << 21,
            max_total_work_permille: 3_000,
            max_certificates: 1_000,
        }
    }
}
