//! One module per command group; each function is a few lines over `Vault`.

mod audit;
mod cert;
mod export;
mod import;
mod init;
mod job;
mod keyvault;
mod manager;
mod run;
mod secret_change;
mod secret_read;
mod secret_use;
mod secret_write;
mod shared_secret;
mod shared_vault;
mod team;
mod vault;

use crate::args::{Cli, Command, SecretCommand};
use crate::output::{Failure, Out};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let out = Out {
        json: cli.global.json,
    };
    let g = &cli.global;
    let done = match cli.command {
        Command::Job(command) => return job::run_command(g, out, *command),
        Command::Run {
            env,
            org,
            project,
            store_password_file,
            command,
        } => return run::run(g, out, &env, org, project, &store_password_file, command),
        Command::Import(args) => return import::run(g, out, *args),
        Command::Init { no_keyring } => init::init(g, out, no_keyring),
        Command::Status => init::status(g, out),
        Command::Audit(command) => audit::run(g, out, command),
        Command::Vault(command) => vault::run(g, out, command),
        Command::Cert(command) => cert::run(out, command),
        Command::Export(args) => export::run(g, out, &args),
        Command::Manager(command) => return manager::run(g, out, *command),
        Command::SharedVault(command) => return shared_vault::run(g, out, *command),
        Command::Team(command) => return team::run(g, out, *command),
        Command::Secret(command) => match shared_secret::route(g, out, command) {
            Ok(done) => return done,
            Err(command) => match *command {
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
                SecretCommand::Test {
                    target,
                    url,
                    ca_bundle,
                    project,
                    store_password_file,
                } => {
                    return secret_use::test(
                        g,
                        out,
                        &target,
                        &url,
                        ca_bundle.as_deref(),
                        project,
                        store_password_file.as_deref(),
                    );
                }
                SecretCommand::Usage { target } => return secret_use::usage(g, out, &target),
                SecretCommand::Trash => secret_read::trash(g, out),
                SecretCommand::Deploy {
                    target,
                    remote_name,
                } => return keyvault::deploy(g, out, &target, remote_name.as_deref()),
                SecretCommand::Retry { target } => return keyvault::retry(g, out, &target),
                SecretCommand::Adopt { target } => return keyvault::adopt(g, out, &target),
                SecretCommand::Decommission { target, yes } => {
                    return keyvault::decommission(g, out, &target, yes);
                }
                SecretCommand::Deployments { name, org } => {
                    manager::deployments(g, out, name.as_deref(), &org)
                }
                SecretCommand::PublicKey { target } => secret_read::public_key(g, out, &target),
                SecretCommand::Access(command) => return team::access(g, out, *command),
                generate @ SecretCommand::GenerateSsh { .. } => {
                    secret_write::generate_ssh(g, out, generate)
                }
                other => secret_change::run(g, out, other),
            },
        },
    };
    Ok(done?)
}
