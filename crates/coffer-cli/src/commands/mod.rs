//! One module per command group; each function is a few lines over `Vault`.

mod audit;
mod cert;
mod init;
mod secret_change;
mod secret_read;
mod secret_write;
mod vault;

use coffer_core::Result;

use crate::args::{Cli, Command, SecretCommand};
use crate::output::Out;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let out = Out {
        json: cli.global.json,
    };
    let g = &cli.global;
    match cli.command {
        Command::Init { no_keyring } => init::init(g, out, no_keyring),
        Command::Status => init::status(g, out),
        Command::Audit(command) => audit::run(g, out, command),
        Command::Vault(command) => vault::run(g, out, command),
        Command::Cert(command) => cert::run(out, command),
        Command::Secret(command) => match *command {
            add @ SecretCommand::Add { .. } => secret_write::add(g, out, add),
            update @ SecretCommand::Update { .. } => secret_write::update(g, out, update),
            list @ SecretCommand::List { .. } => secret_read::list(g, out, list),
            SecretCommand::Show { target } => secret_read::show(g, out, &target),
            SecretCommand::Reveal {
                target,
                field,
                store_password_file,
            } => secret_read::reveal(
                g,
                out,
                &target,
                field.as_deref(),
                store_password_file.as_ref(),
            ),
            SecretCommand::Versions { target } => secret_read::versions(g, out, &target),
            SecretCommand::Trash => secret_read::trash(g, out),
            SecretCommand::PublicKey { target } => secret_read::public_key(g, out, &target),
            generate @ SecretCommand::GenerateSsh { .. } => {
                secret_write::generate_ssh(g, out, generate)
            }
            other => secret_change::run(g, out, other),
        },
    }
}
