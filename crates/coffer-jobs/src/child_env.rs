//! The environment of the programs runs start, built from an allow list:
//! nothing else in Coffer's own environment (`GIT_SSL_NO_VERIFY`,
//! `GIT_SSH_COMMAND`, `COFFER_PASSPHRASE_FILE`, `LD_PRELOAD`, proxies, …)
//! reaches them. What a run needs beyond it, the run sets itself.
//!
//! - `git` (and the `ssh` it starts) gets [`TOOL_VARS`] only.
//! - A command job gets [`TOOL_VARS`] and [`COMMAND_VARS`]: its program may
//!   legitimately expect a home directory and a user name, and its own
//!   variables come from the job's `env` (placeholders allowed).
//! - `coffer run` is a wrapper a person types in a shell, like `env`: its
//!   program keeps that shell's environment, less Coffer's own `COFFER_*`.

use std::ffi::OsString;
use std::process::Command;

/// Passed to every program: where programs are, language, time zone.
pub const TOOL_VARS: &[&str] = &["PATH", "LANG", "LANGUAGE", "TZ"];

/// Passed to command jobs besides [`TOOL_VARS`]: who and where the user is.
pub const COMMAND_VARS: &[&str] = &["HOME", "USER", "LOGNAME", "SHELL", "TMPDIR"];

fn allowed(name: &str, extra: &[&str]) -> bool {
    TOOL_VARS.contains(&name) || name.starts_with("LC_") || extra.contains(&name)
}

fn from_allow_list(extra: &[&str]) -> Vec<(OsString, OsString)> {
    std::env::vars_os()
        .filter(|(name, _)| name.to_str().is_some_and(|n| allowed(n, extra)))
        .collect()
}

/// Clears `command`'s environment and gives it [`TOOL_VARS`] (and `LC_*`).
pub fn for_tool(command: &mut Command) {
    command.env_clear().envs(from_allow_list(&[]));
}

/// Clears `command`'s environment and gives it [`TOOL_VARS`], `LC_*` and
/// [`COMMAND_VARS`].
pub fn for_command_job(command: &mut Command) {
    command.env_clear().envs(from_allow_list(COMMAND_VARS));
}

/// Removes Coffer's own `COFFER_*` variables from `command`'s environment.
pub fn for_wrapped_program(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(|n| n.starts_with("COFFER_")) {
            command.env_remove(name);
        }
    }
}
