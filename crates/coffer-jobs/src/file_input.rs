//! Reading a file a person named (a template, `--field value=@FILE`)
//! without hanging: a FIFO with no writer, a terminal or `/dev/zero` is
//! refused before anything is read, and a read is bounded in size and time.
//! The file is opened with `O_NONBLOCK` (so opening a FIFO does not wait
//! for a writer), then checked with `fstat` to be a regular file.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

/// How long reading one file may take.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What kind of file it is, for the error message.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads the regular file at `path`: at most `max_bytes` bytes, within
/// [`READ_TIMEOUT`]. Anything but a regular file is refused with an error of
/// kind `InvalidInput`; a larger file with `FileTooLarge`; a read that takes
/// too long with `TimedOut`.
pub fn read_regular_file(path: &Path, max_bytes: u64) -> std::io::Result<Zeroizing<Vec<u8>>> {
    read_regular_file_within(path, max_bytes, READ_TIMEOUT)
}

/// [`read_regular_file`] with another time limit.
pub fn read_regular_file_within(
    path: &Path,
    max_bytes: u64,
    timeout: Duration,
) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless non-blocking.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is {}: give a regular file",
                path.display(),
                kind_of(meta.file_type())
            ),
        ));
    }
    if meta.len() > max_bytes {
        return Err(too_large(path, max_bytes));
    }
    // A regular file on a stuck network or FUSE mount can still block: read
    // on a thread and stop waiting after the time limit.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Zeroizing::new(Vec::new());
        let read = file.take(max_bytes + 1).read_to_end(&mut buf).map(|_| buf);
        let _ = tx.send(read);
    });
    let bytes = match rx.recv_timeout(timeout) {
        Ok(read) => read?,
        Err(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "reading {} took longer than {}s",
                    path.display(),
                    timeout.as_secs()
                ),
            ));
        }
    };
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(path, max_bytes));
    }
    Ok(bytes)
}

fn too_large(path: &Path, max_bytes: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "{} is larger than {} MiB",
            path.display(),
            max_bytes / (1024 * 1024)
        ),
    )
}
