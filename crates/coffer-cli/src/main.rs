//! `coffer`: the command-line tool over Coffer's vault.
//!
//! Exit codes: 0 ok, 2 invalid input, 3 not found, 4 wrong key or password,
//! 5 vault locked or in use (or the job already running), 6 refused by
//! policy (deactivated, write-only), 1 anything else. `coffer run` exits
//! with the program's own code.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod input;
mod output;
mod signals;
mod unlock;

use clap::Parser;

fn main() {
    // Scratch directories (keys for git over SSH, mTLS) left by runs that
    // were killed: removed at every start, those of live processes kept.
    coffer_jobs::scratch::remove_stale_scratch();
    let cli = args::Cli::parse();
    let json = cli.global.json;
    if let Err(failure) = commands::run(cli) {
        output::print_error(json, &failure);
        std::process::exit(failure.exit_code());
    }
}
