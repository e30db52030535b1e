//! Reading values: secret fields come only from standard input or files,
//! never from the command line, where process lists and shell history would
//! show them.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use coffer_core::secret::validate::MAX_SECRET_BYTES;
use coffer_core::secret::{FieldInputs, SecretBytes, SecretType};
use coffer_core::{Error, ExposeSecret, Result, SecretString};
use zeroize::Zeroizing;

/// Fields whose files are kept byte for byte (certificates, keys, data).
const RAW_FIELDS: &[&str] = &[
    "data",
    "certificate",
    "certificates",
    "private_key",
    "public_key",
];

/// Standard input, which can be read once.
#[derive(Debug, Default)]
pub struct Stdin {
    taken_by: Option<String>,
}

impl Stdin {
    fn read(&mut self, field: &str) -> Result<Zeroizing<Vec<u8>>> {
        if let Some(first) = &self.taken_by {
            return Err(Error::invalid(
                field,
                format!("standard input was already read for {first}; use @FILE for this one"),
            ));
        }
        self.taken_by = Some(field.to_owned());
        read_capped(std::io::stdin().lock(), field, "standard input")
    }
}

fn read_capped(reader: impl Read, field: &str, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::new());
    reader
        .take(MAX_SECRET_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io {
            context: format!("reading {what} for {field}"),
            source: e,
        })?;
    if buf.len() > MAX_SECRET_BYTES {
        return Err(Error::invalid(
            field,
            format!("{what} is larger than 4 MiB"),
        ));
    }
    Ok(buf)
}

/// Reads a regular file (at most 4 MiB, within 30 s). A FIFO, a device
/// or a directory is refused before anything is read: reading a FIFO with
/// no writer, or `/dev/zero`, would never end. `@-` is how to pipe a value.
pub fn read_file(field: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    read_file_within(field, path, MAX_SECRET_BYTES as u64)
}

/// [`read_file`] with another size limit.
pub fn read_file_within(field: &str, path: &Path, max_bytes: u64) -> Result<Zeroizing<Vec<u8>>> {
    coffer_jobs::file_input::read_regular_file(path, max_bytes).map_err(|e| match e.kind() {
        ErrorKind::InvalidInput => Error::invalid(field, format!("{e} (or @- for standard input)")),
        ErrorKind::FileTooLarge | ErrorKind::TimedOut => Error::invalid(field, e.to_string()),
        _ => Error::Io {
            context: format!("reading {} for {field}", path.display()),
            source: e,
        },
    })
}

/// Removes one trailing line break (`echo secret | coffer ...` adds one).
fn strip_newline(bytes: &mut Zeroizing<Vec<u8>>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

/// Reads a password or passphrase from a file, without its trailing line break.
pub fn read_password_file(what: &str, path: &Path) -> Result<SecretString> {
    let mut bytes = read_file(what, path)?;
    strip_newline(&mut bytes);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::invalid(what, format!("{} is not UTF-8 text", path.display())))?;
    Ok(SecretString::from(text))
}

/// Reads an optional password file.
pub fn optional_password(what: &str, path: Option<&PathBuf>) -> Result<Option<SecretString>> {
    path.map(|p| read_password_file(what, p)).transpose()
}

fn split_pair<'a>(option: &str, text: &'a str) -> Result<(&'a str, &'a str)> {
    text.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::invalid(option, format!("{text:?} is not NAME=VALUE")))
}

/// Turns `--field` and `--file` options into named inputs.
pub fn fields(
    kind: SecretType,
    fields: &[String],
    files: &[String],
    stdin: &mut Stdin,
) -> Result<FieldInputs> {
    let mut inputs: FieldInputs = Vec::new();
    for option in fields {
        let (name, value) = split_pair("--field", option)?;
        let secret = kind.is_secret_field(name);
        let bytes = if value == "@-" {
            let mut bytes = stdin.read(name)?;
            if !RAW_FIELDS.contains(&name) {
                strip_newline(&mut bytes);
            }
            bytes
        } else if let Some(literal) = value.strip_prefix("@@") {
            if secret {
                return Err(inline_secret(kind, name));
            }
            Zeroizing::new(format!("@{literal}").into_bytes())
        } else if let Some(path) = value.strip_prefix('@') {
            let mut bytes = read_file(name, Path::new(path))?;
            if !RAW_FIELDS.contains(&name) {
                strip_newline(&mut bytes);
            }
            bytes
        } else if secret {
            return Err(inline_secret(kind, name));
        } else {
            Zeroizing::new(value.as_bytes().to_vec())
        };
        inputs.push((name.to_owned(), SecretBytes::from(bytes.to_vec())));
    }
    for option in files {
        let (name, path) = split_pair("--file", option)?;
        let path = Path::new(path);
        let bytes = read_file(name, path)?;
        inputs.push((name.to_owned(), SecretBytes::from(bytes.to_vec())));
        // A data secret remembers the file it came from.
        let wants_name = kind == SecretType::Data && name == "data";
        if let Some(file_name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|_| wants_name && !inputs.iter().any(|(n, _)| n == "file_name"))
        {
            inputs.push((
                "file_name".into(),
                SecretBytes::from(file_name.as_bytes().to_vec()),
            ));
        }
    }
    Ok(inputs)
}

fn inline_secret(kind: SecretType, name: &str) -> Error {
    Error::invalid(
        name,
        format!(
            "is a secret field of {kind}; give it as --field {name}=@- (standard input) or \
             --field {name}=@FILE, never on the command line"
        ),
    )
}

/// Parses `--label KEY=VALUE` options.
pub fn labels(options: &[String]) -> Result<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    for option in options {
        let (key, value) = split_pair("--label", option)?;
        labels.insert(key.to_owned(), value.to_owned());
    }
    Ok(labels)
}

/// Parses `--label KEY[=VALUE]` filters.
pub fn label_filters(options: &[String]) -> Vec<(String, Option<String>)> {
    options
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (o.clone(), None),
        })
        .collect()
}

/// The store passwords of `needed` secrets: from `--store-password-file
/// NAME=FILE` options (`NAME=-` reads standard input, once), the rest asked
/// on the terminal without echo; with no terminal, a clear error.
pub fn store_passwords(needed: &[String], files: &[String]) -> Result<coffer_jobs::StorePasswords> {
    let mut given = coffer_jobs::StorePasswords::new();
    let mut stdin = Stdin::default();
    for option in files {
        let (name, file) = split_pair("--store-password-file", option)?;
        if !needed.iter().any(|n| n == name) {
            return Err(Error::invalid(
                "--store-password-file",
                format!("{name:?} is not a store-password secret this run uses"),
            ));
        }
        let password = if file == "-" {
            let mut bytes = stdin.read(&format!("the store password of {name}"))?;
            strip_newline(&mut bytes);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                Error::invalid("--store-password-file", "standard input is not UTF-8 text")
            })?;
            SecretString::from(text)
        } else {
            read_password_file("--store-password-file", Path::new(file))?
        };
        given.insert(name.to_owned(), password);
    }
    for name in needed {
        if given.contains_key(name) {
            continue;
        }
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            return Err(Error::invalid(
                "store password",
                format!(
                    "secret {name:?} is protected by a store password and there is no terminal \
                     to ask on; pass --store-password-file {name}=FILE (or {name}=- to read \
                     standard input)"
                ),
            ));
        }
        let password = rpassword::prompt_password(format!("Store password of secret {name}: "))
            .map_err(|e| Error::Io {
                context: "reading the store password".into(),
                source: e,
            })?;
        given.insert(name.clone(), SecretString::from(password));
    }
    Ok(given)
}

/// Asks for a passphrase on the terminal (twice when `confirm`).
pub fn prompt_passphrase(prompt: &str, confirm: bool) -> Result<SecretString> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "passphrase",
            "no terminal to ask on; pass --passphrase-file FILE or set COFFER_PASSPHRASE_FILE",
        ));
    }
    let read = |p: &str| {
        rpassword::prompt_password(p)
            .map(SecretString::from)
            .map_err(|e| Error::Io {
                context: "reading the passphrase".into(),
                source: e,
            })
    };
    let first = read(prompt)?;
    if confirm {
        let second = read("Repeat it: ")?;
        if first.expose_secret() != second.expose_secret() {
            return Err(Error::invalid("passphrase", "the two entries differ"));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_secret_fields_are_refused() {
        let mut stdin = Stdin::default();
        let err = fields(
            SecretType::BasicAuth,
            &["password=hunter2".into()],
            &[],
            &mut stdin,
        )
        .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input");
        assert!(!err.to_string().contains("hunter2"));
        let ok = fields(
            SecretType::BasicAuth,
            &["username=alice".into()],
            &[],
            &mut stdin,
        )
        .unwrap();
        assert_eq!(ok[0].1.expose_secret(), b"alice");
        let at = fields(
            SecretType::BasicAuth,
            &["username=@@alice".into()],
            &[],
            &mut stdin,
        )
        .unwrap();
        assert_eq!(at[0].1.expose_secret(), b"@alice");
        assert!(fields(SecretType::KeyValue, &["K=v".into()], &[], &mut stdin).is_err());
    }

    #[test]
    fn files_keep_bytes_and_passwords_lose_the_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "secret\r\n").unwrap();
        let mut stdin = Stdin::default();
        let got = fields(
            SecretType::BasicAuth,
            &[format!("password=@{}", path.display())],
            &[],
            &mut stdin,
        )
        .unwrap();
        assert_eq!(got[0].1.expose_secret(), b"secret");
        let raw = fields(
            SecretType::Data,
            &[],
            &[format!("data={}", path.display())],
            &mut stdin,
        )
        .unwrap();
        assert_eq!(raw[0].1.expose_secret(), b"secret\r\n");
        assert_eq!(raw[1].0, "file_name");
        assert_eq!(
            read_password_file("p", &path).unwrap().expose_secret(),
            "secret"
        );
    }

    #[test]
    fn oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'a'; MAX_SECRET_BYTES + 1]).unwrap();
        let err = read_file("data", &path).unwrap_err();
        assert!(err.to_string().contains("larger than 4 MiB"), "{err}");
    }
}
