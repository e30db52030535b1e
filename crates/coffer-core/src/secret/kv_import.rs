//! Reading keys and values from a `.env` file or a JSON object, for
//! key/value secrets.

use secrecy::SecretString;

use crate::error::{Error, Result};

/// Parses a JSON object (`{"KEY": "value"}`; other values keep their JSON
/// text) or `.env` lines (`KEY=value`, `export KEY="value"`, `# comments`).
pub fn parse_key_values(bytes: &[u8]) -> Result<Vec<(String, SecretString)>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::invalid("file", "is not UTF-8 text (expected .env or JSON)"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') {
        return parse_json(trimmed);
    }
    let mut entries: Vec<(String, SecretString)> = Vec::new();
    for (index, line) in trimmed.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let (key, value) = line.split_once('=').ok_or_else(|| {
            Error::invalid("file", format!("line {}: expected KEY=value", index + 1))
        })?;
        let key = key.trim();
        super::validate::key_name("file", key)?;
        if entries.iter().any(|(k, _)| k == key) {
            return Err(Error::invalid(
                "file",
                format!("line {}: key {key:?} appears twice", index + 1),
            ));
        }
        entries.push((key.to_owned(), SecretString::from(unquote(value.trim()))));
    }
    if entries.is_empty() {
        return Err(Error::invalid("file", "has no KEY=value lines"));
    }
    Ok(entries)
}

fn unquote(value: &str) -> String {
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') {
        let inner = &value[1..value.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                },
                (c, false) => out.push(c),
            }
        }
        out
    } else if quoted('\'') {
        value[1..value.len() - 1].to_owned()
    } else {
        // An unquoted value ends at an inline comment.
        value
            .split(" #")
            .next()
            .unwrap_or(value)
            .trim_end()
            .to_owned()
    }
}

fn parse_json(text: &str) -> Result<Vec<(String, SecretString)>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid("file", format!("is not valid JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| Error::invalid("file", "JSON must be an object of keys and values"))?;
    if object.is_empty() {
        return Err(Error::invalid("file", "the JSON object is empty"));
    }
    object
        .iter()
        .map(|(key, value)| {
            super::validate::key_name("file", key)?;
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok((key.clone(), SecretString::from(text)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_key_values(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_owned()))
            .collect()
    }

    #[test]
    fn dotenv() {
        let got = pairs(
            "# comment\nDB_HOST=db.internal\nexport DB_PASS=\"p#ss \\\"q\\\"\\n\"\nTOKEN='a b' \nEMPTY=\nX=1 # note\n",
        );
        assert_eq!(
            got,
            vec![
                ("DB_HOST".into(), "db.internal".into()),
                ("DB_PASS".into(), "p#ss \"q\"\n".into()),
                ("TOKEN".into(), "a b".into()),
                ("EMPTY".into(), String::new()),
                ("X".into(), "1".into()),
            ]
        );
    }

    #[test]
    fn json() {
        let got = pairs(r#"{"user": "app", "port": 5432, "tls": true}"#);
        assert_eq!(got.len(), 3);
        assert!(got.contains(&("port".into(), "5432".into())));
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse_key_values(b"A=1\nnot a pair\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(
            parse_key_values(b"A=1\nA=2")
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(parse_key_values(b"[1,2]").is_err() || parse_key_values(b"{}").is_err());
        assert!(parse_key_values(&[0xff, 0xfe]).is_err());
        assert!(parse_key_values(b"\n# only comments\n").is_err());
    }
}
