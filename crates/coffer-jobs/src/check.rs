//! Checking placeholders while they are typed: every malformed placeholder,
//! unknown secret or field, and secret the job may not use, each with its
//! line and column — from clear metadata only, nothing is decrypted.

use std::collections::BTreeMap;

use coffer_core::secret::{SecretMeta, SecretRef};
use coffer_core::{ExpiredPolicy, SecretUse, Vault};
use serde::Serialize;

use crate::error::Error;
use crate::placeholder::Template;
use crate::resolve::{Located, SecretSource, check_placeholder};

/// One problem found in a text.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Line (1-based).
    pub line: u32,
    /// Column (1-based, in characters).
    pub column: u32,
    /// The placeholder as written, when it parsed.
    pub placeholder: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A stable code: `invalid_input` (syntax), `not_found`, `refused`, `write_only`.
    pub code: String,
}

/// What a text's placeholders reference, and what is wrong with them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TextCheck {
    /// How many placeholders parsed.
    pub placeholders: u32,
    /// The secrets they name, in order of first appearance.
    pub secrets: Vec<String>,
    /// Problems, in text order.
    pub problems: Vec<Problem>,
}

/// How a text will be used.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The job's organization (`Default` when empty).
    pub org: String,
    /// The project the job runs as.
    pub project: Option<String>,
    /// Whether the rendered text is written to disk (a template's output).
    pub to_disk: bool,
    /// Whether the job lets write-only values reach disk.
    pub allow_write_only_to_disk: bool,
}

/// Looks secrets up without ever decrypting one.
struct MetadataOnly<'a> {
    vault: &'a Vault,
    org: &'a str,
    project: Option<&'a str>,
}

impl SecretSource for MetadataOnly<'_> {
    fn meta(&self, name: &str) -> coffer_core::Result<SecretMeta> {
        self.vault.get(&SecretRef::in_org(self.org, name))
    }
    fn project(&self) -> Option<&str> {
        self.project
    }
    fn expired_policy(&self) -> ExpiredPolicy {
        self.vault.settings().expired_use
    }
    fn use_secret(&mut self, _name: &str) -> coffer_core::Result<SecretUse> {
        Err(coffer_core::Error::Internal(
            "checking placeholders never decrypts a secret".into(),
        ))
    }
    fn manager(&self, name: &str) -> coffer_core::Result<Option<coffer_core::remote::Manager>> {
        crate::remote::find_manager(self.vault, name)
    }
    fn shared_meta(
        &self,
        org: &str,
        name: &str,
    ) -> coffer_core::Result<Option<crate::shared::SharedMeta>> {
        crate::shared::replica_meta(self.vault, org, name)
    }
}

fn problem(error: Error, line: u32) -> Option<Problem> {
    let code = error.code().to_owned();
    match error {
        Error::Placeholder {
            placeholder,
            column,
            message,
            ..
        } => Some(Problem {
            line,
            column,
            placeholder,
            message,
            code,
        }),
        other => Some(Problem {
            line,
            column: 1,
            placeholder: None,
            message: other.to_string(),
            code,
        }),
    }
}

/// Checks every placeholder of `text` against the vault. Placeholders never
/// span lines, so each line is parsed on its own and a malformed one does
/// not hide the problems of the others.
pub fn check_text(vault: &Vault, text: &str, options: &CheckOptions) -> TextCheck {
    let org = if options.org.is_empty() {
        coffer_core::secret::DEFAULT_ORG
    } else {
        options.org.as_str()
    };
    let source = MetadataOnly {
        vault,
        org,
        project: options.project.as_deref(),
    };
    let mut metas = BTreeMap::new();
    let mut report = TextCheck::default();
    for (index, line_text) in text.split('\n').enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let template = match Template::parse(line_text, "text") {
            Ok(t) => t,
            Err(e) => {
                report.problems.extend(problem(e, line));
                continue;
            }
        };
        for placeholder in template.placeholders() {
            report.placeholders += 1;
            if !report.secrets.contains(&placeholder.name) {
                report.secrets.push(placeholder.name.clone());
            }
            let located = Located {
                location: "text".into(),
                placeholder: placeholder.clone(),
                to_disk: options.to_disk,
            };
            if let Err(e) = check_placeholder(
                &source,
                &mut metas,
                &located,
                options.allow_write_only_to_disk,
            ) {
                report.problems.extend(problem(e, line));
            }
        }
    }
    report
}
