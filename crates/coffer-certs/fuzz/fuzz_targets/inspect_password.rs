//! `inspect` with a password taken from the first bytes: every decryption path.
#![no_main]

#[path = "options.rs"]
mod options;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let len = usize::from(len % 16).min(rest.len());
    let (password, input) = rest.split_at(len);
    let _ = coffer_certs::inspect(input, Some(password), &options::fuzz_options());
});
