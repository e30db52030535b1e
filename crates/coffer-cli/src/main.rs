//! `coffer`: the command-line tool over Coffer's vault.
//!
//! Exit codes: 0 ok, 2 invalid input, 3 not found, 4 wrong key or password,
//! 5 vault locked or in use, 6 refused by policy (deactivated, write-only),
//! 1 anything else.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod input;
mod output;
mod unlock;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    let json = cli.global.json;
    if let Err(error) = commands::run(cli) {
        output::print_error(json, &error);
        std::process::exit(output::exit_code(error.code()));
    }
}
