//! `coffer run`: a program started with placeholders resolved in its
//! environment and arguments, its output redacted as it is passed on, and
//! its exit code returned. Output is captured to be redacted, so a program
//! that needs a terminal (an editor, a pager, a password prompt) is not
//! what this is for.

use coffer_core::Vault;
use coffer_remote::Remotes;

use crate::error::Result;
use crate::placeholder::Template;
use crate::process::{self, OutputMode};
use crate::resolve::{
    AdHocSource, Located, Needs, Resolved, StorePasswords, resolve, store_password_secrets,
};
use crate::runner::command_of;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct AdHoc {
    /// The organization placeholders name secrets of.
    pub org: String,
    /// The project secrets are used as.
    pub project: Option<String>,
    /// `VAR=TEMPLATE` pairs added to the environment.
    pub env: Vec<(String, String)>,
    /// The program.
    pub program: String,
    /// Its arguments (placeholders allowed).
    pub args: Vec<String>,
}

/// A program whose secrets are resolved; run it after letting go of the vault.
pub struct ReadyProgram {
    program: String,
    args: Vec<Template>,
    env: Vec<(String, Template)>,
    resolved: Resolved,
}

impl std::fmt::Debug for ReadyProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyProgram")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

/// The secrets `adhoc` names that have a store password (to ask for).
pub fn store_passwords_needed(vault: &mut Vault, adhoc: &AdHoc) -> Result<Vec<String>> {
    let (_, _, needs) = parse(adhoc)?;
    let none = StorePasswords::new();
    let source = AdHocSource {
        vault,
        org: adhoc.org.clone(),
        project: adhoc.project.clone(),
        purpose: String::new(),
        passwords: &none,
        remotes: None,
    };
    Ok(store_password_secrets(&source, &needs))
}

type Parsed = (Vec<(String, Template)>, Vec<Template>, Needs);

fn parse(adhoc: &AdHoc) -> Result<Parsed> {
    let mut placeholders = Vec::new();
    let mut located = |text: &str, location: String| -> Result<Template> {
        let t = Template::parse(text, &location)?;
        placeholders.extend(t.placeholders().map(|p| Located {
            location: location.clone(),
            placeholder: p.clone(),
            to_disk: false,
        }));
        Ok(t)
    };
    let env = adhoc
        .env
        .iter()
        .map(|(k, v)| Ok((k.clone(), located(v, format!("--env {k}"))?)))
        .collect::<Result<Vec<_>>>()?;
    let args = adhoc
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| located(a, format!("argument {}", i + 1)))
        .collect::<Result<Vec<_>>>()?;
    let needs = Needs {
        placeholders,
        ..Needs::default()
    };
    Ok((env, args, needs))
}

/// Resolves the placeholders of `adhoc` (each secret used once, audited),
/// opening store-password secrets with `passwords`; without key vaults (a
/// remote placeholder fails).
pub fn prepare_program(
    vault: &mut Vault,
    adhoc: &AdHoc,
    passwords: &StorePasswords,
) -> Result<ReadyProgram> {
    prepare_program_in(vault, adhoc, passwords, None)
}

/// [`prepare_program`] reading remote values through `remotes` (each
/// remote name once, through its cache) before anything runs.
pub fn prepare_program_in(
    vault: &mut Vault,
    adhoc: &AdHoc,
    passwords: &StorePasswords,
    remotes: Option<&Remotes>,
) -> Result<ReadyProgram> {
    let (env, args, needs) = parse(adhoc)?;
    let mut source = AdHocSource {
        vault,
        org: adhoc.org.clone(),
        project: adhoc.project.clone(),
        purpose: format!("coffer run {}", adhoc.program),
        passwords,
        remotes,
    };
    let resolved = resolve(&mut source, &needs)?;
    Ok(ReadyProgram {
        program: adhoc.program.clone(),
        args,
        env,
        resolved,
    })
}

impl ReadyProgram {
    /// Warnings (expired secrets under "warn", stale remote values).
    pub fn warnings(&self) -> &[String] {
        &self.resolved.warnings
    }

    /// Where remote values came from (connection, version, cache).
    pub fn remote_notes(&self) -> &[String] {
        &self.resolved.remote_notes
    }

    /// Runs the program, passing its output on redacted; its exit code.
    pub fn run(self) -> Result<i32> {
        let command = command_of(
            &self.program,
            &self.args,
            &self.env,
            &self.resolved,
            crate::child_env::for_wrapped_program,
        )?;
        let finished = process::run(
            command,
            &self.program,
            self.resolved.redactor(),
            OutputMode::Forward,
            None,
        )?;
        Ok(finished.exit_code)
    }
}
