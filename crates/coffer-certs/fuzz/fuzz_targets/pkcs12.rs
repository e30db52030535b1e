//! PKCS#12 files opened with the password of the seed corpus ("pw") and with none.
#![no_main]

#[path = "options.rs"]
mod options;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let options = options::fuzz_options();
    let _ = coffer_certs::inspect(data, Some(b"pw"), &options);
    let _ = coffer_certs::inspect(data, None, &options);
});
