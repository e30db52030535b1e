//! Parsing a three-certificate PEM chain (ECDSA P-256 root and leaf, RSA 2048 intermediate),
//! given shuffled so that ordering work is included. Budget: 1 ms.

use coffer_certs::{InspectOptions, inspect};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use time::OffsetDateTime;

const CHAIN: &[u8] = include_bytes!("chain.pem");

fn parse_chain(c: &mut Criterion) {
    let options = InspectOptions::new(OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000));
    c.bench_function("inspect three-certificate PEM chain", |b| {
        b.iter(|| inspect(black_box(CHAIN), None, &options).map(|i| i.report.certificates.len()))
    });
}

criterion_group!(benches, parse_chain);
criterion_main!(benches);
