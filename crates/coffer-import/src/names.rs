//! Secret names from other tools' titles: sanitised to Coffer's name rules,
//! unique within the file, the original kept when it changed.

use std::collections::HashSet;

use coffer_core::secret::validate::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};

/// Hands out unique, valid names for one batch.
#[derive(Debug, Default)]
pub(crate) struct Namer {
    used: HashSet<(Option<String>, String)>,
}

/// A name and, when it differs, the title it came from.
pub(crate) struct Named {
    pub name: String,
    pub original: Option<String>,
}

impl Namer {
    /// A valid name for `title` unique in `org` within this batch; `None`
    /// when nothing of the title is usable.
    pub fn name(&mut self, org: Option<&str>, title: &str) -> Option<Named> {
        let base = sanitise(title)?;
        let org = org.map(str::to_owned);
        let mut name = base.clone();
        let mut n = 2u64;
        while !self.used.insert((org.clone(), name.clone())) {
            let suffix = format!("-{n}");
            let keep = MAX_NAME_CHARS.saturating_sub(suffix.len());
            name = format!("{}{suffix}", &base[..base.len().min(keep)]);
            n += 1;
        }
        let original = (name != title).then(|| title.to_owned());
        Some(Named { name, original })
    }
}

/// Letters, digits, `.`, `_`, `/` and `-` are kept; runs of anything else
/// become one `-`; leading and trailing separators go; at most 128 chars.
pub(crate) fn sanitise(title: &str) -> Option<String> {
    let mut out = String::with_capacity(title.len());
    for c in title.trim().chars() {
        let c = match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-') => c,
            _ => '-',
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c| matches!(c, '-' | '/' | '.'));
    let cut: String = trimmed.chars().take(MAX_NAME_CHARS).collect();
    let cut = cut.trim_end_matches(['-', '/', '.']).to_owned();
    (!cut.is_empty()).then_some(cut)
}

/// `description` with the original title appended, within the length limit.
pub(crate) fn with_original(description: &str, original: Option<&str>) -> String {
    let mut text = description.to_owned();
    if let Some(original) = original {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str("Original name: ");
        text.push_str(original);
    }
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        text = text.chars().take(MAX_DESCRIPTION_CHARS).collect();
    }
    text
}

/// A key/value key from another tool's field name: trimmed, what keys refuse
/// becomes `_`, at most 256 characters, `field` when nothing is left.
pub(crate) fn field_key(name: &str) -> String {
    let key: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() || matches!(c, '=' | '#' | '{' | '}' | '$') {
                '_'
            } else {
                c
            }
        })
        .take(256)
        .collect();
    if key.is_empty() { "field".into() } else { key }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_valid_unique_names() {
        let mut namer = Namer::default();
        let a = namer.name(None, "Mail server (prod)").unwrap();
        assert_eq!(a.name, "Mail-server-prod");
        assert_eq!(a.original.as_deref(), Some("Mail server (prod)"));
        let b = namer.name(None, "Mail server  prod").unwrap();
        assert_eq!(b.name, "Mail-server-prod-2");
        assert_eq!(
            namer.name(Some("Ops"), "Mail-server-prod").unwrap().name,
            "Mail-server-prod"
        );
        let same = namer.name(None, "db").unwrap();
        assert!(same.original.is_none());
        assert_eq!(namer.name(None, "Bücher").unwrap().name, "B-cher");
        assert!(namer.name(None, " ☃ ").is_none());
        let long = namer.name(None, &"x".repeat(300)).unwrap();
        assert_eq!(long.name.len(), 128);
        assert_eq!(namer.name(None, &"x".repeat(300)).unwrap().name.len(), 128);
    }

    #[test]
    fn the_original_title_is_kept_in_the_description() {
        assert_eq!(with_original("", Some("a b")), "Original name: a b");
        assert_eq!(
            with_original("notes", Some("a b")),
            "notes\nOriginal name: a b"
        );
        assert_eq!(with_original("notes", None), "notes");
        assert_eq!(
            with_original(&"n".repeat(5000), Some("t")).chars().count(),
            MAX_DESCRIPTION_CHARS
        );
    }
}
