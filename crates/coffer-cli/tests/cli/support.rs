//! Runs the real `coffer` binary against a vault in a temporary directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASSPHRASE: &str = "test recovery passphrase";

/// A vault in a temporary directory and the files a test needs.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vault: PathBuf,
    pub passphrase: PathBuf,
}

/// What a run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "wrong exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The `{"error": {...}}` object printed on stderr in JSON mode.
    pub fn error_json(&self) -> serde_json::Value {
        serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", self.stderr))
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_coffer")
}

impl Env {
    /// A directory with a passphrase file, no vault yet.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        let passphrase = dir.path().join("passphrase");
        std::fs::write(&passphrase, format!("{PASSPHRASE}\n")).unwrap();
        Self {
            dir,
            vault,
            passphrase,
        }
    }

    /// A vault created without the keyring.
    pub fn new() -> Self {
        let env = Self::empty();
        env.run(&["init", "--no-keyring"]).ok();
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file in the directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env("COFFER_VAULT", &self.vault)
            .env("COFFER_PASSPHRASE_FILE", &self.passphrase)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        finish(self.command(args).output().unwrap())
    }

    /// Runs with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The command may fail (and exit) before it reads its input.
        if let Err(e) = child.stdin.take().unwrap().write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        finish(child.wait_with_output().unwrap())
    }

    /// Adds `key_value` secret `aws/key` holding an AWS access key (the
    /// values from files, as secret fields must be).
    pub fn add_aws_key(&self, key_id: &str, secret: &str) {
        let id = self.file("akid", key_id);
        let sak = self.file("sak", secret);
        self.run(&[
            "secret",
            "add",
            "key_value",
            "aws/key",
            "--field",
            &format!("aws_access_key_id=@{}", id.display()),
            "--field",
            &format!("aws_secret_access_key=@{}", sak.display()),
        ])
        .ok();
    }

    /// Registers a basic-auth secret with the password on stdin.
    pub fn add_basic(&self, name: &str, password: &str) {
        self.run_with_stdin(
            &[
                "secret",
                "add",
                "basic_auth",
                name,
                "--field",
                "username=alice",
                "--field",
                "password=@-",
            ],
            password.as_bytes(),
        )
        .ok();
    }
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The bytes of a file.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
