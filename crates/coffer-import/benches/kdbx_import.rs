//! Import of a 10,000-entry KeePass database written by keepassxc-cli:
//! the open alone (KDF and decryption), reading into a batch, the preview
//! and the import into a new vault, with peak memory (VmHWM). Run with
//! `cargo bench -p coffer-import --bench kdbx_import`; numbers in
//! docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use coffer_core::import::{ImportChoices, OnConflict};
use coffer_core::{CreateOptions, SecretString, SystemClock, Vault};
use coffer_import::{Format, ReadOptions, read};

const ENTRIES: usize = 10_000;
const PASSWORD: &str = "bench password";

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><KeePassFile><Meta><DatabaseName>b</DatabaseName></Meta><Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>",
    );
    for i in 0..ENTRIES {
        let group = i % 20;
        if i % 500 == 0 {
            if i > 0 {
                xml.push_str("</Group>");
            }
            xml.push_str(&format!("<Group><Name>Team {group}</Name>"));
        }
        xml.push_str(&format!(
            "<Entry><String><Key>Title</Key><Value>service {i}</Value></String>\
             <String><Key>UserName</Key><Value>user{i}</Value></String>\
             <String><Key>Password</Key><Value ProtectInMemory=\"True\">pw-{i}-secret</Value></String>\
             <String><Key>URL</Key><Value>https://s{i}.example</Value></String></Entry>"
        ));
    }
    xml.push_str("</Group></Group></Root></KeePassFile>");
    let xml_path = dir.path().join("big.xml");
    std::fs::write(&xml_path, xml).unwrap();
    let db = dir.path().join("big.kdbx");
    let started = Instant::now();
    let mut child = Command::new("keepassxc-cli")
        .args(["import", "-p"])
        .arg(&xml_path)
        .arg(&db)
        .env("QT_QPA_PLATFORM", "offscreen")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("keepassxc-cli");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let bytes = std::fs::read(&db).unwrap();
    let header = coffer_import::kdbx_header::read(&bytes).unwrap();
    println!(
        "file: {ENTRIES} entries, {} KiB, KDBX {}.{}, {:?} (written in {:.1} s by keepassxc-cli, default 1 s KDF target)",
        bytes.len() / 1024,
        header.major,
        header.minor,
        header.kdf,
        started.elapsed().as_secs_f64()
    );

    let options = ReadOptions {
        password: Some(SecretString::from(PASSWORD)),
        ..ReadOptions::default()
    };
    // The open alone: KDF, decryption, XML (the keepass crate).
    let t = Instant::now();
    let opened =
        keepass::Database::parse(&bytes, keepass::DatabaseKey::new().with_password(PASSWORD))
            .unwrap();
    let open = t.elapsed();
    drop(opened);
    let t = Instant::now();
    let batch = read(Format::Kdbx, &bytes, &options).unwrap();
    let read_time = t.elapsed();
    assert_eq!(batch.items.len(), ENTRIES);

    let path = dir.path().join("vault.db");
    let (mut vault, _) = Vault::create(
        &path,
        CreateOptions::new(SecretString::from("bench recovery passphrase")),
        Arc::new(SystemClock),
    )
    .unwrap();
    let t = Instant::now();
    let preview = vault.preview_import(&batch).unwrap();
    let preview_time = t.elapsed();
    assert_eq!(preview.items.len(), ENTRIES);
    let t = Instant::now();
    let report = vault
        .import(batch, &ImportChoices::all(OnConflict::Skip), &mut |_, _| {})
        .unwrap();
    let import_time = t.elapsed();
    assert_eq!(report.created as usize, ENTRIES);
    println!(
        "open (KDF + decrypt + parse, keepass crate): {:.2} s",
        open.as_secs_f64()
    );
    println!(
        "read into a batch (open included):          {:.2} s",
        read_time.as_secs_f64()
    );
    println!(
        "preview:                                    {:.2} s",
        preview_time.as_secs_f64()
    );
    println!(
        "import (seal + one transaction):            {:.2} s",
        import_time.as_secs_f64()
    );
    println!(
        "peak RSS:                                   {:.0} MiB",
        peak_rss_mib()
    );
}
