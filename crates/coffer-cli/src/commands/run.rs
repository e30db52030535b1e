//! `coffer run [--env VAR=TEMPLATE]... -- PROGRAM ARGS`.

use coffer_core::Error;
use coffer_jobs::adhoc::{AdHoc, prepare_program_in, store_passwords_needed};

use super::job::env_pairs;
use crate::args::Global;
use crate::output::{Failure, Out};
use crate::unlock;

/// Resolves, lets go of the vault, runs the program with its output
/// redacted, and exits with its code.
pub fn run(
    g: &Global,
    out: Out,
    env: &[String],
    org: String,
    project: Option<String>,
    store_password_files: &[String],
    command: Vec<String>,
) -> Result<(), Failure> {
    let mut words = command.into_iter();
    let program = words
        .next()
        .ok_or_else(|| Error::invalid("PROGRAM", "name the program to run after --"))?;
    let adhoc = AdHoc {
        org,
        project,
        env: env_pairs(env)?,
        program,
        args: words.collect(),
    };
    // Key vaults are read (and cached) for this command only.
    let context = coffer_jobs::RunContext::default();
    let ready = {
        let mut vault = unlock::open_unlocked(g, out)?;
        let needed = store_passwords_needed(&mut vault, &adhoc)?;
        let passwords = crate::input::store_passwords(&needed, store_password_files)?;
        prepare_program_in(&mut vault, &adhoc, &passwords, Some(&context.remotes))?
        // The store passwords are dropped (zeroized) here.
        // The vault closes here: the program may run for long.
    };
    for warning in ready.warnings() {
        out.note(warning);
    }
    for note in ready.remote_notes() {
        out.note(note);
    }
    crate::signals::handle_during_run();
    let code = ready.run();
    crate::signals::exit_if_cancelled();
    match code? {
        0 => Ok(()),
        code => Err(Failure::Exit(code)),
    }
}
