//! `inspect` without a password: format detection and every unencrypted parser.
#![no_main]

#[path = "options.rs"]
mod options;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let options = options::fuzz_options();
    if let Err(e) = coffer_certs::inspect(data, None, &options) {
        let _ = e.code();
    }
    let _ = coffer_certs::inspect_ca_bundle(data, &options);
});
