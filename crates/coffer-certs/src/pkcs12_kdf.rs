//! The PKCS#12 key-derivation function (RFC 7292 appendix B.2) and password encoding.

use sha2::Digest;
use zeroize::Zeroizing;

/// What the derived bytes are for (the "ID" byte of RFC 7292 B.3).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    Key = 1,
    Iv = 2,
    Mac = 3,
}

/// Derives `len` bytes with hash `D` whose input block is `block` bytes long.
///
/// `password` is already BMP-encoded (UTF-16BE with two trailing zero bytes, or empty).
/// The caller bounds `iterations`.
pub(crate) fn derive<D: Digest>(
    block: usize,
    password: &[u8],
    salt: &[u8],
    purpose: Purpose,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let u = <D as Digest>::output_size();
    let diversifier = vec![purpose as u8; block];
    let mut input = Zeroizing::new(Vec::new());
    input.extend(repeat_to_blocks(salt, block).iter());
    input.extend(repeat_to_blocks(password, block).iter());
    let mut out = Zeroizing::new(Vec::with_capacity(len + u));
    while out.len() < len {
        let mut hash = D::new()
            .chain_update(&diversifier)
            .chain_update(&*input)
            .finalize();
        for _ in 1..iterations.max(1) {
            hash = D::digest(&hash);
        }
        out.extend_from_slice(&hash);
        if out.len() >= len {
            break;
        }
        // I_j = (I_j + B + 1) mod 2^(8·block), where B is the hash repeated to one block.
        let b: Vec<u8> = hash.iter().copied().cycle().take(block).collect();
        for chunk in input.chunks_mut(block) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

fn repeat_to_blocks(data: &[u8], block: usize) -> Zeroizing<Vec<u8>> {
    if data.is_empty() {
        return Zeroizing::new(Vec::new());
    }
    let len = data.len().div_ceil(block) * block;
    Zeroizing::new(data.iter().copied().cycle().take(len).collect())
}

/// The password as a BMPString with its terminating zero (RFC 7292 B.1). Bytes that are
/// not UTF-8 are read as Latin-1.
pub(crate) fn bmp_password(password: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    match std::str::from_utf8(password) {
        Ok(text) => text
            .encode_utf16()
            .for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
        Err(_) => password
            .iter()
            .for_each(|&b| out.extend_from_slice(&[0, b])),
    }
    out.extend_from_slice(&[0, 0]);
    out
}
