// Shared by the fuzz targets: a fixed clock and small work caps, so that every execution
// stays fast while still walking the same code as the defaults.
use coffer_certs::{InspectOptions, WorkLimits};

pub fn fuzz_options() -> InspectOptions {
    let now = time::OffsetDateTime::from_unix_timestamp(1_767_225_600)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    InspectOptions {
        limits: WorkLimits {
            max_pbkdf2_iterations: 4096,
            max_pkcs12_iterations: 4096,
            max_scrypt_n: 1 << 10,
            max_scrypt_memory_bytes: 1 << 21,
            max_scrypt_work: 1 << 14,
            max_bcrypt_rounds: 4,
            max_argon2_memory_kib: 64,
            max_argon2_work: 256,
            ..WorkLimits::default()
        },
        ..InspectOptions::new(now)
    }
}
