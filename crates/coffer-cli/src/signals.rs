//! SIGINT and SIGTERM while a run is going (`coffer job run`, `coffer run`):
//! the runs are cancelled (their programs killed, their scratch files with
//! keys removed as they unwind) and the CLI exits with 128 + the signal
//! (130, 143). Should the run not unwind within a few seconds (a network
//! read), the signal thread removes this process's scratch directories and
//! exits itself. SIGKILL cannot be handled: what it leaves is removed by
//! [`coffer_jobs::scratch::remove_stale_scratch`] at the next start.

/// How long a cancelled run has to unwind on its own.
#[cfg(unix)]
const GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The exit code after `signal`.
fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// Handles SIGINT and SIGTERM from now on (call just before a run starts;
/// earlier, at a passphrase prompt, the default action is right). A failure
/// to install the handlers is not fatal: stale scratch is still removed at
/// the next start.
#[cfg(unix)]
pub fn handle_during_run() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            coffer_jobs::process::cancel(signal);
            // The main thread exits sooner when the run unwinds.
            std::thread::sleep(GRACE);
            coffer_jobs::scratch::remove_own_scratch();
            std::process::exit(exit_code(signal));
        }
    });
}

/// Elsewhere Ctrl-C keeps its default action.
#[cfg(not(unix))]
pub fn handle_during_run() {}

/// After a run: when a signal cancelled it, exits as the signal asked
/// (once the run has cleaned up and been recorded).
pub fn exit_if_cancelled() {
    if let Some(signal) = coffer_jobs::process::cancelled() {
        coffer_jobs::scratch::remove_own_scratch();
        std::process::exit(exit_code(signal));
    }
}
