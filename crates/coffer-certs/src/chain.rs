//! Ordering certificates into a chain, leaf first, whatever the input order.

use crate::certificate::ParsedCertificate;

/// The display order of `certs` and how many of them form the chain.
///
/// The chain starts at `leaf` (or, without one, at the first certificate that issued no
/// other one, preferring non-CA certificates) and climbs by issuer name and key identifiers
/// until a self-signed certificate or a missing issuer. Certificates outside the chain follow
/// in input order.
pub(crate) fn order_chain(certs: &[ParsedCertificate], leaf: Option<usize>) -> (Vec<usize>, usize) {
    if certs.is_empty() {
        return (Vec::new(), 0);
    }
    let leaf = leaf.unwrap_or_else(|| pick_leaf(certs));
    let mut used = vec![false; certs.len()];
    let mut order = vec![leaf];
    used[leaf] = true;
    let mut current = leaf;
    loop {
        let cert = &certs[current];
        if cert.summary.self_signed {
            break;
        }
        let next = best_issuer(certs, cert, &used);
        match next {
            Some(i) => {
                used[i] = true;
                order.push(i);
                current = i;
            }
            None => break,
        }
    }
    let chain_len = order.len();
    order.extend((0..certs.len()).filter(|&i| !used[i]));
    (order, chain_len)
}

/// The unused certificate that issued `cert`, preferring a key-identifier match.
fn best_issuer(
    certs: &[ParsedCertificate],
    cert: &ParsedCertificate,
    used: &[bool],
) -> Option<usize> {
    let candidates: Vec<usize> = (0..certs.len())
        .filter(|&i| !used[i] && cert.issued_by(&certs[i]))
        .collect();
    candidates
        .iter()
        .copied()
        .find(|&i| {
            cert.authority_key_id.is_some() && cert.authority_key_id == certs[i].subject_key_id
        })
        .or_else(|| candidates.first().copied())
}

fn pick_leaf(certs: &[ParsedCertificate]) -> usize {
    let issues_nobody = |i: usize| {
        !certs
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && other.issued_by(&certs[i]))
    };
    let candidates: Vec<usize> = (0..certs.len()).filter(|&i| issues_nobody(i)).collect();
    candidates
        .iter()
        .copied()
        .find(|&i| !certs[i].summary.is_ca)
        .or_else(|| candidates.first().copied())
        .unwrap_or(0)
}
