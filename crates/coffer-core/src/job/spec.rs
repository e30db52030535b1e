//! What each kind of job does, in detail, and the checks on it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::JobKind;
use crate::error::{Error, Result};

/// Most arguments or environment variables of a command.
const MAX_ITEMS: usize = 256;
/// Longest text in a spec (a URL, an argument).
const MAX_TEXT: usize = 8192;

/// Fetch a URL to a file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpFetchSpec {
    /// The URL (https; http only without credentials). Never with credentials in it.
    pub url: String,
    /// The file the body is written to (atomically).
    pub target: PathBuf,
}

/// Clone, then update, a Git repository.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitFetchSpec {
    /// `https://host/path.git`, `ssh://user@host[:port]/path` or `user@host:path`.
    pub repo_url: String,
    /// The branch to check out (default: the remote's default branch).
    #[serde(default)]
    pub branch: Option<String>,
    /// The working copy's directory.
    pub target: PathBuf,
    /// The user name sent with a bearer-token secret over HTTPS
    /// (default `x-access-token`).
    #[serde(default)]
    pub token_username: Option<String>,
}

/// Render a template file to an output file (mode 0600).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSpec {
    /// The template, read at each run.
    pub template: PathBuf,
    /// The output, written atomically with mode 0600.
    pub output: PathBuf,
    /// Allow values of write-only secrets to be written to the output.
    #[serde(default)]
    pub allow_write_only_to_disk: bool,
}

/// Run a program.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSpec {
    /// The program (a path, or a name looked up in `PATH`).
    pub program: String,
    /// Its arguments; placeholders allowed.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment variables added to Coffer's own; placeholders allowed.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The working directory.
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    /// Seconds before the program is killed (default: one hour).
    #[serde(default)]
    pub timeout_seconds: Option<u32>,
}

/// A job's spec, one per kind.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum JobSpec {
    /// See [`HttpFetchSpec`].
    HttpFetch(HttpFetchSpec),
    /// See [`GitFetchSpec`].
    GitFetch(GitFetchSpec),
    /// See [`TemplateSpec`].
    Template(TemplateSpec),
    /// See [`CommandSpec`].
    Command(CommandSpec),
}

fn text(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT {
        return Err(Error::invalid(
            field,
            format!("must be at most {MAX_TEXT} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(Error::invalid(field, "must not contain NUL"));
    }
    Ok(())
}

fn path(field: &str, value: &std::path::Path) -> Result<()> {
    if value.as_os_str().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if !value.is_absolute() {
        return Err(Error::invalid(
            field,
            format!("{} must be an absolute path", value.display()),
        ));
    }
    if value.file_name().is_none() {
        return Err(Error::invalid(
            field,
            format!("{} does not name a file", value.display()),
        ));
    }
    Ok(())
}

/// Checks a URL: http(s), a host, no credentials in it.
fn http_url(field: &str, value: &str) -> Result<url::Url> {
    text(field, value)?;
    let url = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("{value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::invalid(
            field,
            format!("scheme {:?} is not http(s)", url.scheme()),
        ));
    }
    if url.host().is_none() {
        return Err(Error::invalid(field, "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not carry credentials; bind a secret instead",
        ));
    }
    Ok(url)
}

/// Checks a Git remote: https, ssh:// or scp-like `user@host:path`, never
/// with a password in it.
fn git_url(field: &str, value: &str) -> Result<()> {
    text(field, value)?;
    if value.starts_with('-') {
        return Err(Error::invalid(field, "must not start with '-'"));
    }
    if value.contains("://") {
        let url = url::Url::parse(value)
            .map_err(|e| Error::invalid(field, format!("{value:?} is not a URL: {e}")))?;
        match url.scheme() {
            "https" | "http" => {
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(Error::invalid(
                        field,
                        "must not carry credentials; bind a secret instead",
                    ));
                }
            }
            "ssh" => {
                if url.password().is_some() {
                    return Err(Error::invalid(field, "must not carry a password"));
                }
            }
            other => {
                return Err(Error::invalid(
                    field,
                    format!("scheme {other:?} is not https or ssh"),
                ));
            }
        }
        if url.host().is_none() {
            return Err(Error::invalid(field, "has no host"));
        }
        return Ok(());
    }
    // scp-like: [user@]host:path
    match value.split_once(':') {
        Some((host, path)) if !host.is_empty() && !path.is_empty() && !host.contains('/') => Ok(()),
        _ => Err(Error::invalid(
            field,
            format!("{value:?} is not an https://, ssh:// or user@host:path remote"),
        )),
    }
}

/// Whether a Git remote is reached over SSH.
pub fn git_uses_ssh(url: &str) -> bool {
    url.starts_with("ssh://") || !url.contains("://")
}

impl JobSpec {
    /// The kind this spec is for.
    pub fn kind(&self) -> JobKind {
        match self {
            Self::HttpFetch(_) => JobKind::HttpFetch,
            Self::GitFetch(_) => JobKind::GitFetch,
            Self::Template(_) => JobKind::Template,
            Self::Command(_) => JobKind::Command,
        }
    }

    /// Checks every field; each failure names it.
    pub fn check(&self) -> Result<()> {
        match self {
            Self::HttpFetch(s) => {
                http_url("url", &s.url)?;
                path("target", &s.target)
            }
            Self::GitFetch(s) => {
                git_url("repo_url", &s.repo_url)?;
                if let Some(branch) = &s.branch {
                    text("branch", branch)?;
                    if branch.starts_with('-') || branch.contains(char::is_whitespace) {
                        return Err(Error::invalid(
                            "branch",
                            format!("{branch:?} is not a branch name"),
                        ));
                    }
                }
                if let Some(user) = &s.token_username {
                    text("token_username", user)?;
                }
                path("target", &s.target)
            }
            Self::Template(s) => {
                path("template", &s.template)?;
                path("output", &s.output)?;
                if s.template == s.output {
                    return Err(Error::invalid("output", "must differ from the template"));
                }
                Ok(())
            }
            Self::Command(s) => {
                text("program", &s.program)?;
                if s.args.len() > MAX_ITEMS || s.env.len() > MAX_ITEMS {
                    return Err(Error::invalid(
                        "args",
                        format!("at most {MAX_ITEMS} arguments and variables"),
                    ));
                }
                for arg in &s.args {
                    if arg.len() > MAX_TEXT || arg.contains('\0') {
                        return Err(Error::invalid("args", "an argument is too long or has NUL"));
                    }
                }
                for (name, value) in &s.env {
                    let ok = !name.is_empty()
                        && !name.starts_with(|c: char| c.is_ascii_digit())
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if !ok {
                        return Err(Error::invalid(
                            "env",
                            format!("{name:?} is not an environment variable name"),
                        ));
                    }
                    if value.len() > MAX_TEXT || value.contains('\0') {
                        return Err(Error::invalid(
                            "env",
                            format!("the value of {name} is too long or has NUL"),
                        ));
                    }
                }
                if let Some(dir) = s.working_dir.as_ref().filter(|d| !d.is_absolute()) {
                    return Err(Error::invalid(
                        "working_dir",
                        format!("{} must be an absolute path", dir.display()),
                    ));
                }
                if s.timeout_seconds == Some(0) {
                    return Err(Error::invalid("timeout_seconds", "must be at least 1"));
                }
                Ok(())
            }
        }
    }

    /// The texts in which placeholders are resolved at run time (the
    /// template file's contents aside), with where each one is.
    pub fn placeholder_texts(&self) -> Vec<(String, &str)> {
        match self {
            Self::Command(s) => {
                let mut texts: Vec<(String, &str)> = s
                    .args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("argument {}", i + 1), a.as_str()))
                    .collect();
                texts.extend(
                    s.env
                        .iter()
                        .map(|(k, v)| (format!("environment variable {k}"), v.as_str())),
                );
                texts
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_are_refused() {
        let spec = |url: &str| {
            JobSpec::HttpFetch(HttpFetchSpec {
                url: url.into(),
                target: "/tmp/x".into(),
            })
            .check()
        };
        assert!(spec("https://example.com/a").is_ok());
        assert!(spec("https://u:p@example.com/a").is_err());
        assert!(spec("ftp://example.com/a").is_err());
        let git = |url: &str| {
            JobSpec::GitFetch(GitFetchSpec {
                repo_url: url.into(),
                branch: None,
                target: "/tmp/x".into(),
                token_username: None,
            })
            .check()
        };
        assert!(git("https://host/repo.git").is_ok());
        assert!(git("https://tok@host/repo.git").is_err());
        assert!(git("git@host:org/repo.git").is_ok());
        assert!(git("ssh://git@host:2222/repo").is_ok());
        assert!(git("--upload-pack=x").is_err());
        assert!(git_uses_ssh("git@host:org/repo.git"));
        assert!(!git_uses_ssh("https://host/repo.git"));
    }
}
