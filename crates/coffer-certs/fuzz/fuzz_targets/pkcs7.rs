//! PKCS#7 certificate bundles (PEM, DER and BER), as a chain and as a CA bundle.
#![no_main]

#[path = "options.rs"]
mod options;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let options = options::fuzz_options();
    let _ = coffer_certs::inspect(data, None, &options);
    let _ = coffer_certs::inspect_ca_bundle(data, &options);
});
