//! Writes `ui/src/ipc/bindings.ts` from the Rust command signatures.
#![forbid(unsafe_code)]

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc/bindings.ts")
        });
    if let Err(e) = coffer_desktop::bindings::export(&path) {
        eprintln!("export-bindings: {e}");
        std::process::exit(1);
    }
    println!("wrote {}", path.display());
}
