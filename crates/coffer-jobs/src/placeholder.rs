//! Placeholders: `${secret:NAME}` (the secret's main value),
//! `${secret:NAME#FIELD}` (a field, or a key of a key/value secret),
//! `${secret:MANAGER:NAME[#KEY]}` (a secret in an external key vault), and
//! `$${` for a literal `${`. Any other `${...}` is left as it is, so shell
//! and configuration syntax passes through templates untouched.

use std::collections::BTreeSet;

use coffer_core::job::SecretReference;

use crate::error::{Error, Result};

const OPEN: &str = "${secret:";

/// Where a placeholder sits in its text (1-based; columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// An external key vault, for `${secret:MANAGER:NAME}`.
    pub manager: Option<String>,
    /// The secret's name.
    pub name: String,
    /// The field or key, if named.
    pub field: Option<String>,
    /// Where it starts.
    pub position: Position,
}

impl Placeholder {
    /// The placeholder as written: `${secret:db#password}`.
    pub fn text(&self) -> String {
        let mut text = String::from(OPEN);
        if let Some(manager) = &self.manager {
            text.push_str(manager);
            text.push(':');
        }
        text.push_str(&self.name);
        if let Some(field) = &self.field {
            text.push('#');
            text.push_str(field);
        }
        text.push('}');
        text
    }

    /// What the job's bindings record for it.
    pub fn reference(&self) -> SecretReference {
        SecretReference {
            manager: self.manager.clone(),
            secret: self.name.clone(),
            field: self.field.clone(),
        }
    }
}

/// A piece of a parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text copied as it is (escapes already undone).
    Literal(String),
    /// A value to put in.
    Placeholder(Placeholder),
}

/// A text split into literals and placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    /// The pieces, in order.
    pub segments: Vec<Segment>,
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')
}

fn field_char(c: char) -> bool {
    !(c.is_control() || c.is_whitespace() || matches!(c, '=' | '#' | '{' | '}' | '$'))
}

/// Tracks line and column while walking a text.
struct Cursor {
    line: u32,
    column: u32,
}

impl Cursor {
    fn advance(&mut self, text: &str) {
        for c in text.chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }

    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }
}

fn syntax(location: &str, position: Position, message: impl Into<String>) -> Error {
    Error::Placeholder {
        location: location.to_owned(),
        placeholder: None,
        line: position.line,
        column: position.column,
        message: message.into(),
        code: coffer_core::ErrorCode::InvalidInput,
    }
}

/// Parses the inside of `${secret:...}`.
fn parse_reference(inner: &str, position: Position, location: &str) -> Result<Placeholder> {
    let bad = |message: String| syntax(location, position, message);
    let (reference, field) = match inner.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (inner, None),
    };
    let (manager, name) = match reference.split_once(':') {
        Some((m, n)) => (Some(m), n),
        None => (None, reference),
    };
    if name.contains(':') {
        return Err(bad(format!(
            "${{secret:{inner}}} has too many ':' (use ${{secret:NAME}} or ${{secret:MANAGER:NAME}})"
        )));
    }
    if let Some(manager) = manager
        && (manager.is_empty() || !manager.chars().all(name_char))
    {
        return Err(bad(format!(
            "${{secret:{inner}}}: {manager:?} is not a key vault name"
        )));
    }
    if name.is_empty() {
        return Err(bad(format!("${{secret:{inner}}} names no secret")));
    }
    if let Some(c) = name.chars().find(|c| !name_char(*c)) {
        return Err(bad(format!(
            "${{secret:{inner}}}: {c:?} cannot be part of a secret name"
        )));
    }
    if let Some(field) = field {
        if field.is_empty() {
            return Err(bad(format!("${{secret:{inner}}} names an empty field")));
        }
        if let Some(c) = field.chars().find(|c| !field_char(*c)) {
            return Err(bad(format!(
                "${{secret:{inner}}}: {c:?} cannot be part of a field name"
            )));
        }
    }
    Ok(Placeholder {
        manager: manager.map(str::to_owned),
        name: name.to_owned(),
        field: field.map(str::to_owned),
        position,
    })
}

impl Template {
    /// Parses `text`; `location` names it in errors ("template /etc/app.conf",
    /// "argument 2").
    pub fn parse(text: &str, location: &str) -> Result<Self> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut cursor = Cursor { line: 1, column: 1 };
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            let (before, from) = rest.split_at(i);
            literal.push_str(before);
            cursor.advance(before);
            if let Some(after) = from.strip_prefix("$${") {
                literal.push_str("${");
                cursor.advance("$${");
                rest = after;
            } else if let Some(body) = from.strip_prefix(OPEN) {
                let position = cursor.position();
                let end = body
                    .find(['}', '\n', '$'])
                    .filter(|&j| body[j..].starts_with('}'))
                    .ok_or_else(|| syntax(location, position, "${secret: is not closed by '}'"))?;
                let inner = &body[..end];
                let placeholder = parse_reference(inner, position, location)?;
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Placeholder(placeholder));
                let consumed = &from[..OPEN.len() + end + 1];
                cursor.advance(consumed);
                rest = &from[consumed.len()..];
            } else {
                literal.push('$');
                cursor.advance("$");
                rest = &from[1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Self { segments })
    }

    /// The placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p),
            Segment::Literal(_) => None,
        })
    }

    /// Whether the text has no placeholder.
    pub fn is_plain(&self) -> bool {
        self.placeholders().next().is_none()
    }

    /// Puts values in: `value` gives the bytes of each placeholder.
    pub fn render<'v>(
        &self,
        mut value: impl FnMut(&Placeholder) -> Result<&'v [u8]>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let mut out = zeroize::Zeroizing::new(Vec::new());
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.extend_from_slice(text.as_bytes()),
                Segment::Placeholder(p) => {
                    let bytes = value(p)?;
                    // Grow by hand so no reallocation leaves a copy behind.
                    if out.capacity() - out.len() < bytes.len() {
                        let mut bigger = zeroize::Zeroizing::new(Vec::with_capacity(
                            (out.len() + bytes.len()).max(out.capacity() * 2),
                        ));
                        bigger.extend_from_slice(&out);
                        out = bigger;
                    }
                    out.extend_from_slice(bytes);
                }
            }
        }
        Ok(out)
    }
}

/// The distinct references of some templates, sorted.
pub fn references<'a>(templates: impl IntoIterator<Item = &'a Template>) -> Vec<SecretReference> {
    let set: BTreeSet<SecretReference> = templates
        .into_iter()
        .flat_map(|t| t.placeholders().map(Placeholder::reference))
        .collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Template {
        Template::parse(text, "test").unwrap()
    }

    #[test]
    fn splits_literals_and_placeholders() {
        let t = parse("a ${secret:db} b ${secret:prod/db#user} ${secret:aws:app/cfg#port}");
        let ps: Vec<&Placeholder> = t.placeholders().collect();
        assert_eq!(ps.len(), 3);
        assert_eq!(ps[0].name, "db");
        assert_eq!(ps[1].name, "prod/db");
        assert_eq!(ps[1].field.as_deref(), Some("user"));
        assert_eq!(ps[2].manager.as_deref(), Some("aws"));
        assert_eq!(ps[2].name, "app/cfg");
        assert_eq!(ps[2].text(), "${secret:aws:app/cfg#port}");
    }

    #[test]
    fn escapes_and_other_dollar_syntax_pass_through() {
        let t = parse("$${secret:db} ${HOME} $5 $$ $");
        assert!(t.is_plain());
        let out = t.render(|_| unreachable!()).unwrap();
        assert_eq!(&out[..], b"${secret:db} ${HOME} $5 $$ $");
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let t = parse("héllo\n  x ${secret:a}\n${secret:b}");
        let ps: Vec<&Placeholder> = t.placeholders().collect();
        assert_eq!((ps[0].position.line, ps[0].position.column), (2, 5));
        assert_eq!((ps[1].position.line, ps[1].position.column), (3, 1));
        let err = Template::parse("ok\nab ${secret:db", "template t").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 2, column 4"), "{text}");
        assert!(text.contains("template t"), "{text}");
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "${secret:}",
            "${secret:a:b:c}",
            "${secret:a b}",
            "${secret:a#}",
            "${secret::a}",
            "${secret:a\n}",
            "${secret:a${secret:b}",
        ] {
            assert!(Template::parse(bad, "t").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn renders_values() {
        let t = parse("u=${secret:db#username} p=${secret:db}");
        let out = t
            .render(|p| Ok(if p.field.is_some() { b"alice" } else { b"pw" }))
            .unwrap();
        assert_eq!(&out[..], b"u=alice p=pw");
    }
}
