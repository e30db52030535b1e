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
/// The defaults accept what real tools produce (OpenSSL, Windows, Java keytool, ssh-keygen,
/// password managers following OWASP's 600 000 PBKDF2 iterations) with headroom, and bound
/// one decryption to roughly a second on a desktop. Beyond a cap the error is `too_costly`.
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
    /// scrypt memory, `128 * N * r` bytes. Default 512 MiB.
    pub max_scrypt_memory_bytes: u64,
    /// scrypt total work `N * r * p`. Default 2^24 (OpenSSL's default is 2^17).
    pub max_scrypt_work: u64,
    /// bcrypt-pbkdf rounds in encrypted OpenSSH keys. Default 1 000 (ssh-keygen uses 16;
    /// `-a 100` to `-a 500` is seen in hardening guides).
    pub max_bcrypt_rounds: u32,
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
            max_scrypt_memory_bytes: 512 * 1024 * 1024,
            max_scrypt_work: 1 << 24,
            max_bcrypt_rounds: 1_000,
            max_certificates: 1_000,
        }
    }
}
