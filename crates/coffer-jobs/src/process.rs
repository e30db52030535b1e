//! Running a program whose output may contain secret values: standard
//! output and error are read as they come, redacted, and either kept for
//! the run's log or passed on to Coffer's own output.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::redact::Redactor;

/// Most bytes of output kept in memory for a log (the tail).
const MAX_CAPTURE: usize = 1024 * 1024;
/// How often a waiting run looks whether it was cancelled.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// The signal that cancelled every run of this process, or 0.
static CANCELLED: AtomicI32 = AtomicI32::new(0);

/// Cancels every run of this process (SIGINT or SIGTERM arrived): the
/// programs they run are killed within a tenth of a second, and the runs end
/// as failed, removing their scratch files as they unwind.
pub fn cancel(signal: i32) {
    CANCELLED.store(signal.max(1), Ordering::SeqCst);
}

/// The signal given to [`cancel`], if runs were cancelled.
pub fn cancelled() -> Option<i32> {
    match CANCELLED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// What happens to the program's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// Kept (redacted) for the run's log.
    Capture,
    /// Passed on (redacted) to Coffer's standard output and error, as it comes.
    Forward,
}

/// How a program ended.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Its exit code; for a program killed by a signal, 128 + the signal.
    pub exit_code: i32,
    /// Whether it ran out of time and was killed.
    pub timed_out: bool,
    /// Its redacted output (both streams, interleaved), when captured.
    pub output: String,
}

impl Finished {
    /// Whether it exited with 0 in time.
    pub fn success(&self) -> bool {
        self.exit_code == 0 && !self.timed_out
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

fn pump(mut from: impl Read + Send + 'static, stream: u8, to: mpsc::Sender<(u8, Vec<u8>)>) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.send((stream, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// Starts `command` (its stdout and stderr are piped here) and waits for
/// it, redacting what it prints. `describe` names the program in errors.
pub fn run(
    mut command: Command,
    describe: &str,
    redactor: &Redactor,
    mode: OutputMode,
    timeout: Option<Duration>,
) -> Result<Finished> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    if mode == OutputMode::Capture {
        command.stdin(Stdio::null());
    }
    let mut child: Child = command
        .spawn()
        .map_err(|e| Error::process(format!("cannot start {describe}: {e}")))?;
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        pump(out, 1, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        pump(err, 2, tx.clone());
    }
    drop(tx);
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut streams = [redactor.stream(), redactor.stream()];
    let mut captured: Vec<u8> = Vec::new();
    let mut timed_out = false;
    let emit = |stream: u8, bytes: Vec<u8>, captured: &mut Vec<u8>| {
        if bytes.is_empty() {
            return;
        }
        match mode {
            OutputMode::Capture => {
                captured.extend_from_slice(&bytes);
                if captured.len() > MAX_CAPTURE {
                    let cut = captured.len() - MAX_CAPTURE;
                    captured.drain(..cut);
                }
            }
            OutputMode::Forward => {
                let _ = if stream == 1 {
                    std::io::stdout()
                        .write_all(&bytes)
                        .and_then(|()| std::io::stdout().flush())
                } else {
                    std::io::stderr().write_all(&bytes)
                };
            }
        }
    };
    let mut interrupted = None;
    loop {
        if let Some(signal) = cancelled() {
            interrupted = Some(signal);
            let _ = child.kill();
            break;
        }
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) => left.min(CANCEL_POLL),
                None => {
                    timed_out = true;
                    let _ = child.kill();
                    break;
                }
            },
            None => CANCEL_POLL,
        };
        match rx.recv_timeout(wait) {
            Ok((stream, chunk)) => {
                let index = usize::from(stream - 1);
                let out = streams[index].push(&chunk);
                emit(stream, out, &mut captured);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // After a kill, take what is left without waiting for more.
    while let Ok((stream, chunk)) = rx.recv_timeout(Duration::from_millis(200)) {
        let index = usize::from(stream - 1);
        let out = streams[index].push(&chunk);
        emit(stream, out, &mut captured);
    }
    let [out_stream, err_stream] = streams;
    emit(1, out_stream.finish(), &mut captured);
    emit(2, err_stream.finish(), &mut captured);
    let status = child
        .wait()
        .map_err(|e| Error::process(format!("waiting for {describe}: {e}")))?;
    if let Some(signal) = interrupted {
        return Err(Error::process(format!(
            "{describe} was stopped: Coffer received signal {signal}"
        )));
    }
    Ok(Finished {
        exit_code: exit_code(status),
        timed_out,
        output: String::from_utf8_lossy(&captured).into_owned(),
    })
}
