//! PuTTY `.ppk` keys (v2 and v3), with the seed password ("pw") and none.
#![no_main]

#[path = "options.rs"]
mod options;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let options = options::fuzz_options();
    let _ = coffer_certs::ssh_public_key(data, Some(b"pw"), &options);
    let _ = coffer_certs::inspect(data, None, &options);
});
