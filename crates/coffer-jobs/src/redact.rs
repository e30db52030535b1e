//! Redaction: every resolved value, and its base64 (standard and URL-safe,
//! with and without padding) and percent-encoded forms, replaced by `***`,
//! longest first. The patterns are zeroized when the redactor is dropped.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

/// What replaces a value.
pub const MASK: &str = "***";

/// Shortest run of a value whose base64 is redacted inside longer encoded
/// text (shorter runs would hide unrelated text).
const MIN_EMBEDDED_GROUP_BYTES: usize = 6;

/// Replaces secret values (in their common encodings) in text.
#[derive(Default)]
pub struct Redactor {
    /// Longest first, without duplicates.
    patterns: Vec<Zeroizing<Vec<u8>>>,
    /// For each first byte, indexes into `patterns` (longest first).
    by_first: Vec<Vec<usize>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor that knows no value yet.
    pub fn new() -> Self {
        Self {
            patterns: Vec::new(),
            by_first: vec![Vec::new(); 256],
        }
    }

    /// Adds a value and its encoded forms.
    pub fn add(&mut self, value: &[u8]) {
        if value.is_empty() {
            return;
        }
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
        if let Ok(text) = std::str::from_utf8(value) {
            let encoded = Zeroizing::new(utf8_percent_encode(text, NON_ALPHANUMERIC).to_string());
            // Some encoders write the hex digits in lower case.
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
            forms.push(Zeroizing::new(encoded.as_bytes().to_vec()));
            forms.push(Zeroizing::new(lower.as_bytes().to_vec()));
            // Form encoding writes spaces as '+'.
            forms.push(Zeroizing::new(
                url::form_urlencoded::byte_serialize(value)
                    .collect::<String>()
                    .into_bytes(),
            ));
            // A multi-line value (a PEM key) may be printed line by line.
            if text.contains('\n') {
                for line in text.lines().map(str::trim).filter(|l| l.len() >= 16) {
                    forms.push(Zeroizing::new(line.as_bytes().to_vec()));
                }
            }
        }
        for form in forms {
            if !form.is_empty() && !self.patterns.iter().any(|p| p[..] == form[..]) {
                self.patterns.push(form);
            }
        }
        self.patterns.sort_by_key(|p| std::cmp::Reverse(p.len()));
        self.by_first = vec![Vec::new(); 256];
        for (i, p) in self.patterns.iter().enumerate() {
            self.by_first[usize::from(p[0])].push(i);
        }
    }

    /// Whether no value is known.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The pattern that matches at the start of `text`, if any (longest).
    fn match_at(&self, text: &[u8]) -> Option<usize> {
        let first = *text.first()?;
        self.by_first
            .get(usize::from(first))?
            .iter()
            .map(|&i| &self.patterns[i])
            .find(|p| text.starts_with(p))
            .map(|p| p.len())
    }

    /// Whether `tail` (shorter than some pattern) could be the start of a
    /// match once more bytes arrive.
    fn could_match(&self, tail: &[u8]) -> bool {
        let Some(&first) = tail.first() else {
            return false;
        };
        self.by_first[usize::from(first)]
            .iter()
            .any(|&i| self.patterns[i].len() > tail.len() && self.patterns[i].starts_with(tail))
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
        if self.patterns.is_empty() {
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
}
