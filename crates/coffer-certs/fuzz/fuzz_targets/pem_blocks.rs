//! PEM splitting alone.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(blocks) = coffer_certs::pem::parse_pem_blocks(data) {
        for block in blocks {
            assert!(block.der.len() <= data.len());
        }
    }
});
