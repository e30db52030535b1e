//! Distinguished names as RFC 4514 strings, with OpenSSL's attribute short names.

use der::asn1::ObjectIdentifier;
use der::{Tag, Tagged};
use x509_cert::name::Name;

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

const SHORT_NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "street"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "title"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.42", "GN"),
    ("2.5.4.97", "organizationIdentifier"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
    ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"),
    ("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
    ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"),
];

/// Formats `name` most-specific attribute first (`CN=leaf,O=Org,C=FR`), multi-valued RDNs
/// joined by `+`. Values of unknown string types are shown as `#` and hex DER.
pub(crate) fn format_name(name: &Name) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.as_ref().iter().collect();
    for rdn in rdns.into_iter().rev() {
        if !out.is_empty() {
            out.push(',');
        }
        for (i, atv) in rdn.as_ref().iter().enumerate() {
            if i > 0 {
                out.push('+');
            }
            out.push_str(&short_name(&atv.oid));
            out.push('=');
            match decode_string(atv.value.tag(), atv.value.value()) {
                Some(text) => escape_into(&text, &mut out),
                None => {
                    out.push('#');
                    if let Ok(der) = der::Encode::to_der(&atv.value) {
                        out.push_str(&hex::encode(der));
                    }
                }
            }
        }
    }
    out
}

/// The last (most specific) common name of `name`.
pub(crate) fn common_name(name: &Name) -> Option<String> {
    name.as_ref()
        .iter()
        .flat_map(|rdn| rdn.as_ref().iter())
        .filter(|atv| atv.oid == COMMON_NAME)
        .filter_map(|atv| decode_string(atv.value.tag(), atv.value.value()))
        .last()
}

fn short_name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    SHORT_NAMES
        .iter()
        .find(|(o, _)| *o == dotted)
        .map_or(dotted.clone(), |(_, short)| (*short).to_owned())
}

/// Decodes the directory string types; `None` for anything else.
pub(crate) fn decode_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            std::str::from_utf8(bytes).ok().map(str::to_owned)
        }
        // T.61 in practice carries Latin-1.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => None,
    }
}

/// RFC 4514 §2.4 escaping; non-ASCII characters stay as UTF-8, control characters become
/// `\XX` hex pairs.
fn escape_into(value: &str, out: &mut String) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}
