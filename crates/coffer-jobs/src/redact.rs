//! Redaction: every resolved secret value, and the forms programs print it
//! in — base64 (standard and URL-safe, with and without padding, and the
//! runs of whole groups inside a longer encoded text), percent-encoding (as
//! `urllib.parse.quote`, `quote_plus`, `encodeURIComponent` and form
//! encoding write it, upper- or lower-case hex), hex (lower and upper case)
//! and JSON string escaping — is replaced by `***`, longest first. A match
//! may be split by line breaks (`base64` wraps at 76 columns, `xxd -p` at
//! 60, `fold` anywhere). Only secret fields and values derived from them are
//! added: public fields (user names, client ids, header names) are left
//! alone. The patterns are zeroized when the redactor is dropped.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::HashSet;
use std::sync::Arc;
use zeroize::Zeroizing;

/// What replaces a value.
pub const MASK: &str = "***";

/// Values shorter than this (in bytes) are still redacted, but redacting
/// them is likely to mangle unrelated output (`app` inside `application`):
/// the CLI warns when such a secret is stored, and the desktop wizard should
/// use [`mangles_output`] to warn the same way.
pub const SHORT_SECRET_LEN: usize = 6;

/// Whether redacting `value` is likely to mangle unrelated output: a
/// non-empty secret value shorter than [`SHORT_SECRET_LEN`] bytes.
pub fn mangles_output(value: &[u8]) -> bool {
    !value.is_empty() && value.len() < SHORT_SECRET_LEN
}

/// Shortest run of a value whose base64 is redacted inside longer encoded
/// text (shorter runs would hide unrelated text).
const MIN_EMBEDDED_GROUP_BYTES: usize = 6;

/// Most line-break bytes skipped in one place inside a match (`\r\n`).
const MAX_BREAK: usize = 2;

/// `urllib.parse.quote(v, safe="")` and `quote_plus`: RFC 3986 unreserved
/// characters stay as they are.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// `urllib.parse.quote(v)`: `/` is safe by default.
const PY_QUOTE: &AsciiSet = &UNRESERVED.remove(b'/');
/// JavaScript's `encodeURIComponent`.
const URI_COMPONENT: &AsciiSet = &UNRESERVED
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// One pattern: the bytes of a value or of one of its forms, shared by
/// the redactors and prepared sets that hold it and zeroized when the last
/// of them lets go. Equal and hashed by content.
#[derive(Clone)]
struct Pattern(Arc<Zeroizing<Vec<u8>>>);

impl Pattern {
    fn bytes(&self) -> &[u8] {
        &self.0[..]
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Pattern {}

impl std::hash::Hash for Pattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for Pattern {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

/// The patterns of some values, derived once and then added to any number
/// of redactors ([`Redactor::add_prepared`]) without deriving them again:
/// a cached remote value keeps its own, so that a warm run only merges
/// them. Zeroized when dropped (by the last holder of each pattern).
#[derive(Clone, Default)]
pub struct PreparedPatterns {
    /// Without duplicates.
    patterns: Vec<Pattern>,
}

impl std::fmt::Debug for PreparedPatterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedPatterns")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

impl PreparedPatterns {
    /// The patterns of `values` (each value and its encoded forms).
    pub fn of<'v>(values: impl IntoIterator<Item = &'v [u8]>) -> Self {
        let mut seen: HashSet<Pattern> = HashSet::new();
        let mut patterns = Vec::new();
        for value in values {
            if value.is_empty() {
                continue;
            }
            for form in forms_of(value) {
                if form.is_empty() || seen.contains(&form[..]) {
                    continue;
                }
                let pattern = Pattern(Arc::new(form));
                seen.insert(pattern.clone());
                patterns.push(pattern);
            }
        }
        Self { patterns }
    }

    /// How many patterns there are.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Replaces secret values (in their common encodings) in text.
pub struct Redactor {
    /// For each first byte, the patterns that start with it: longest
    /// first, each once.
    by_first: Vec<Vec<Pattern>>,
    /// How many patterns there are.
    count: usize,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("patterns", &self.count)
            .finish()
    }
}

/// Writes `%XX` escapes in lower case.
fn lower_hex_escapes(encoded: &str) -> Zeroizing<String> {
    let mut lower = Zeroizing::new(String::with_capacity(encoded.len()));
    let mut after_percent = 0;
    for c in encoded.chars() {
        if c == '%' {
            after_percent = 2;
            lower.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            lower.push(c.to_ascii_lowercase());
        } else {
            lower.push(c);
        }
    }
    lower
}

/// The inside of a JSON string holding `text`: `ascii` writes every
/// non-ASCII character as `\uXXXX` (Python's default), `slash` escapes `/`
/// as `\/` (PHP's default), `upper` writes `\u` escapes in upper case.
fn json_escaped(text: &str, ascii: bool, slash: bool, upper: bool) -> Zeroizing<String> {
    use std::fmt::Write as _;
    let mut out = Zeroizing::new(String::with_capacity(text.len() + 8));
    let unit = |out: &mut String, u: u32| {
        let _ = if upper {
            write!(out, "\\u{u:04X}")
        } else {
            write!(out, "\\u{u:04x}")
        };
    };
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if slash => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => unit(&mut out, c as u32),
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    unit(&mut out, u32::from(*u));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Every form of `value` to redact (with duplicates).
fn forms_of(value: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let mut forms: Vec<Zeroizing<Vec<u8>>> = vec![Zeroizing::new(value.to_vec())];
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        forms.push(Zeroizing::new(engine.encode(value).into_bytes()));
    }
    // Inside a longer encoded text (`user:password` in a Basic header,
    // `echo $VALUE | base64`), the value's encoding depends on where it
    // starts modulo 3. For each start, the run of whole 3-byte groups
    // inside the value encodes the same way whatever surrounds it.
    for skip in 1..3usize {
        if let Some(rest) = value.get(skip..) {
            let whole = rest.len() / 3 * 3;
            if whole >= MIN_EMBEDDED_GROUP_BYTES {
                for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                    forms.push(Zeroizing::new(engine.encode(&rest[..whole]).into_bytes()));
                }
            }
        }
    }
    let whole = value.len() / 3 * 3;
    if whole >= MIN_EMBEDDED_GROUP_BYTES && whole < value.len() {
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            forms.push(Zeroizing::new(engine.encode(&value[..whole]).into_bytes()));
        }
    }
    // Hex: each byte is two digits wherever it starts, so a value inside a
    // longer hex dump still shows whole.
    let hex = Zeroizing::new(hex::encode(value));
    forms.push(Zeroizing::new(hex.to_ascii_uppercase().into_bytes()));
    forms.push(Zeroizing::new(hex.as_bytes().to_vec()));
    if let Ok(text) = std::str::from_utf8(value) {
        for set in [NON_ALPHANUMERIC, UNRESERVED, PY_QUOTE, URI_COMPONENT] {
            let encoded = Zeroizing::new(utf8_percent_encode(text, set).to_string());
            forms.push(Zeroizing::new(
                lower_hex_escapes(&encoded).as_bytes().to_vec(),
            ));
            // `quote_plus` and form encoding write spaces as '+'.
            if text.contains(' ') {
                let plus = Zeroizing::new(encoded.replace("%20", "+"));
                forms.push(Zeroizing::new(lower_hex_escapes(&plus).as_bytes().to_vec()));
                forms.push(Zeroizing::new(plus.as_bytes().to_vec()));
            }
            forms.push(Zeroizing::new(encoded.as_bytes().to_vec()));
        }
        forms.push(Zeroizing::new(
            url::form_urlencoded::byte_serialize(value)
                .collect::<String>()
                .into_bytes(),
        ));
        // JSON string escaping, in the variants encoders use.
        let needs_escaping = text
            .chars()
            .any(|c| c == '"' || c == '\\' || c == '/' || (c as u32) < 0x20 || !c.is_ascii());
        if needs_escaping {
            for ascii in [false, true] {
                for slash in [false, true] {
                    forms.push(Zeroizing::new(
                        json_escaped(text, ascii, slash, false).as_bytes().to_vec(),
                    ));
                    forms.push(Zeroizing::new(
                        json_escaped(text, ascii, slash, true).as_bytes().to_vec(),
                    ));
                }
            }
        }
        // A multi-line value (a PEM key) may be printed line by line.
        if text.contains('\n') {
            for line in text.lines().map(str::trim).filter(|l| l.len() >= 16) {
                forms.push(Zeroizing::new(line.as_bytes().to_vec()));
            }
        }
    }
    forms
}

fn is_break(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// How `pattern` matches at the start of `text`.
enum Match {
    /// It matches, taking this many bytes of `text` (line breaks included).
    Whole(usize),
    /// `text` ends while it still matches: more bytes may complete it.
    Partial,
    /// It does not match.
    No,
}

/// Compares `pattern` with the start of `text`, where up to [`MAX_BREAK`]
/// line-break bytes may interrupt the pattern between any two of its bytes
/// (never before its first byte, never after its last).
fn match_pattern(pattern: &[u8], text: &[u8]) -> Match {
    let (mut p, mut t, mut breaks) = (0, 0, 0);
    while p < pattern.len() {
        let Some(&byte) = text.get(t) else {
            return Match::Partial;
        };
        if byte == pattern[p] {
            p += 1;
            t += 1;
            breaks = 0;
        } else if p > 0 && is_break(byte) && breaks < MAX_BREAK {
            t += 1;
            breaks += 1;
        } else {
            return Match::No;
        }
    }
    Match::Whole(t)
}

impl Redactor {
    /// A redactor that knows no value yet.
    pub fn new() -> Self {
        Self {
            by_first: vec![Vec::new(); 256],
            count: 0,
        }
    }

    /// Adds a secret value (of any length) and its encoded forms.
    pub fn add(&mut self, value: &[u8]) {
        self.add_prepared(&PreparedPatterns::of([value]));
    }

    /// Adds many values, sorting the patterns once (a run with a thousand
    /// remote values would otherwise sort them a thousand times).
    pub fn add_all<'v>(&mut self, values: impl IntoIterator<Item = &'v [u8]>) {
        self.add_prepared(&PreparedPatterns::of(values));
    }

    /// Adds prepared patterns (shared, not copied).
    pub fn add_prepared(&mut self, prepared: &PreparedPatterns) {
        self.add_prepared_all([prepared]);
    }

    /// Adds several prepared sets, sorting once.
    pub fn add_prepared_all<'p>(&mut self, sets: impl IntoIterator<Item = &'p PreparedPatterns>) {
        let mut touched = [false; 256];
        for set in sets {
            for pattern in &set.patterns {
                let Some(&first) = pattern.bytes().first() else {
                    continue;
                };
                self.by_first[usize::from(first)].push(pattern.clone());
                touched[usize::from(first)] = true;
            }
        }
        // Longest first; equal patterns end up side by side and are kept
        // once (sorting is cheaper than hashing tens of thousands).
        for (bucket, touched) in self.by_first.iter_mut().zip(touched) {
            if touched {
                bucket.sort_unstable_by(|a, b| {
                    b.bytes()
                        .len()
                        .cmp(&a.bytes().len())
                        .then_with(|| a.bytes().cmp(b.bytes()))
                });
                bucket.dedup();
            }
        }
        self.count = self.by_first.iter().map(Vec::len).sum();
    }

    /// Whether no value is known.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many bytes of `text` the longest pattern matching at its start
    /// takes, if any.
    fn match_at(&self, text: &[u8]) -> Option<usize> {
        let first = *text.first()?;
        // Longest pattern first; a shorter pattern that matches with line
        // breaks may take more bytes, so the longest pattern wins, not the
        // longest span.
        self.by_first.get(usize::from(first))?.iter().find_map(|p| {
            match match_pattern(p.bytes(), text) {
                Match::Whole(taken) => Some(taken),
                Match::Partial | Match::No => None,
            }
        })
    }

    /// Whether `tail` could be the start of a match (longer than one found
    /// now) once more bytes arrive.
    fn could_match(&self, tail: &[u8]) -> bool {
        let Some(&first) = tail.first() else {
            return false;
        };
        self.by_first[usize::from(first)]
            .iter()
            .any(|p| matches!(match_pattern(p.bytes(), tail), Match::Partial))
    }

    /// Redacts bytes.
    pub fn redact_bytes(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            match self.match_at(&text[i..]) {
                Some(len) => {
                    out.extend_from_slice(MASK.as_bytes());
                    i += len;
                }
                None => {
                    out.push(text[i]);
                    i += 1;
                }
            }
        }
        out
    }

    /// Redacts text (invalid UTF-8 left by a cut value is replaced).
    pub fn redact(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        String::from_utf8_lossy(&self.redact_bytes(text.as_bytes())).into_owned()
    }

    /// A redactor for a stream: output can be passed on as it comes, holding
    /// back only what might be the start of a value.
    pub fn stream(&self) -> StreamRedactor<'_> {
        StreamRedactor {
            redactor: self,
            pending: Zeroizing::new(Vec::new()),
        }
    }
}

/// Redacts a stream chunk by chunk; see [`Redactor::stream`].
pub struct StreamRedactor<'a> {
    redactor: &'a Redactor,
    pending: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for StreamRedactor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamRedactor").finish_non_exhaustive()
    }
}

impl StreamRedactor<'_> {
    /// Takes a chunk; returns the redacted bytes that are safe to pass on.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(chunk);
        let text = &self.pending[..];
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if let Some(len) = self.redactor.match_at(&text[i..]) {
                // A longer pattern might still match with more bytes.
                if self.redactor.could_match(&text[i..]) {
                    break;
                }
                out.extend_from_slice(MASK.as_bytes());
                i += len;
            } else if self.redactor.could_match(&text[i..]) {
                break;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        let rest = Zeroizing::new(self.pending[i..].to_vec());
        self.pending = rest;
        out
    }

    /// Ends the stream: what was held back, redacted.
    pub fn finish(mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut *self.pending);
        let rest = Zeroizing::new(rest);
        self.redactor.redact_bytes(&rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_encodings_longest_first() {
        let mut r = Redactor::new();
        r.add(b"s3cr3t pass/word+");
        r.add(b"s3cr3t");
        let b64 = STANDARD.encode("s3cr3t pass/word+");
        let url = URL_SAFE_NO_PAD.encode("s3cr3t pass/word+");
        let text = format!(
            "a s3cr3t pass/word+ b {b64} c {url} d s3cr3t%20pass%2Fword%2B e s3cr3t+pass%2Fword%2B f s3cr3t"
        );
        assert_eq!(r.redact(&text), "a *** b *** c *** d *** e *** f ***");
        assert_eq!(r.redact("g s3cr3t%20pass%2fword%2b"), "g ***");
    }

    #[test]
    fn encodings_inside_longer_encoded_text() {
        let mut r = Redactor::new();
        r.add(b"hunter2-password");
        for text in [
            format!("Basic {}", STANDARD.encode("alice:hunter2-password")),
            format!("Basic {}", STANDARD.encode("bob:hunter2-password")),
            STANDARD.encode("hunter2-password\n"),
            URL_SAFE_NO_PAD.encode("x=hunter2-password&y=1"),
        ] {
            let out = r.redact(&text);
            assert!(out.contains(MASK), "{text} -> {out}");
            // What is left is at most a few characters around the value.
            let left: usize = out.split(MASK).map(str::len).sum();
            assert!(left <= text.len() - 16, "{text} -> {out}");
        }
    }

    #[test]
    fn hex_json_and_python_quote_forms() {
        let value = "a/b c~d_e.f-g\"h\\i\n\u{e9}";
        let mut r = Redactor::new();
        r.add(value.as_bytes());
        for text in [
            // urllib.parse.quote, quote(safe=""), quote_plus
            "a/b%20c~d_e.f-g%22h%5Ci%0A%C3%A9",
            "a%2Fb%20c~d_e.f-g%22h%5Ci%0A%C3%A9",
            "a%2Fb+c~d_e.f-g%22h%5Ci%0A%C3%A9",
            // json.dumps, ensure_ascii=False, and with \/
            "a/b c~d_e.f-g\\\"h\\\\i\\n\\u00e9",
            "a/b c~d_e.f-g\\\"h\\\\i\\n\u{e9}",
            "a\\/b c~d_e.f-g\\\"h\\\\i\\n\\u00E9",
        ] {
            assert_eq!(r.redact(&format!("<{text}>")), "<***>", "{text}");
        }
        let hex = hex::encode(value);
        assert_eq!(r.redact(&format!("x{hex}y")), "x***y");
        assert_eq!(r.redact(&hex.to_uppercase()), "***");
    }

    #[test]
    fn values_wrapped_across_lines_are_found() {
        let value = "w".repeat(20) + &"0123456789".repeat(7);
        let mut r = Redactor::new();
        r.add(value.as_bytes());
        let b64 = STANDARD.encode(&value);
        let wrapped: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = format!("before\n{}\nafter\n", wrapped.join("\n"));
        assert_eq!(r.redact(&text), "before\n***\nafter\n");
        let crlf = format!("{}\r\n", wrapped.join("\r\n"));
        assert_eq!(r.redact(&crlf), "***\r\n");
        let folded: Vec<String> = value
            .as_bytes()
            .chunks(17)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let folded = format!("{}\n", folded.join("\n"));
        for split in 1..folded.len() {
            let mut s = r.stream();
            let mut out = s.push(&folded.as_bytes()[..split]);
            out.extend(s.push(&folded.as_bytes()[split..]));
            out.extend(s.finish());
            assert_eq!(String::from_utf8(out).unwrap(), "***\n", "split at {split}");
        }
        // A line break before a value, or between unrelated words, stays.
        assert_eq!(r.redact("\nwwww\nw"), "\nwwww\nw");
    }

    #[test]
    fn streams_hold_back_only_possible_starts() {
        let mut r = Redactor::new();
        r.add(b"canary-value");
        let input = b"before canary-value after can";
        for split in 1..input.len() {
            let mut s = r.stream();
            let mut out = s.push(&input[..split]);
            out.extend(s.push(&input[split..]));
            out.extend(s.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "before *** after can",
                "split at {split}"
            );
        }
    }

    #[test]
    fn prepared_patterns_redact_like_added_values_and_are_shared() {
        let values: [&[u8]; 3] = [b"first-secret", b"second/secret value", b"first-secret"];
        let prepared = PreparedPatterns::of(values);
        let mut added = Redactor::new();
        added.add_all(values);
        let mut from_prepared = Redactor::new();
        from_prepared.add_prepared(&prepared);
        // The same set twice, and a set that repeats one value: nothing is
        // held twice.
        from_prepared.add_prepared_all([&prepared, &PreparedPatterns::of([&b"first-secret"[..]])]);
        assert_eq!(from_prepared.count, prepared.len());
        assert_eq!(added.count, prepared.len());
        let text = format!(
            "a first-secret b {} c second%2Fsecret+value d {}",
            STANDARD.encode("second/secret value"),
            hex::encode("first-secret")
        );
        assert_eq!(added.redact(&text), "a *** b *** c *** d ***");
        assert_eq!(from_prepared.redact(&text), added.redact(&text));
        // Later additions still sort longest first among prepared ones.
        from_prepared.add(b"first-secret-and-more");
        assert_eq!(from_prepared.redact("x first-secret-and-more y"), "x *** y");
        assert!(PreparedPatterns::of([&b""[..]]).is_empty());
        assert!(Redactor::new().is_empty());
    }
}
