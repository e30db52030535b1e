//! Nothing leaks and nothing hangs: SIGINT, SIGTERM and SIGKILL of a run
//! leave no key on disk (after the next start); `@FILE` refuses FIFOs and
//! devices at once; short secret values are warned about.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Env, Run, finish};

/// Waits for `child` at most `limit`; kills it and fails if it is still running.
fn wait_at_most(mut child: Child, limit: Duration) -> Run {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    finish(child.wait_with_output().unwrap())
}

fn spawn(env: &Env, runtime: &Path, args: &[&str]) -> Child {
    env.command(args)
        .env("XDG_RUNTIME_DIR", runtime)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A private runtime directory, as a session manager makes it.
fn runtime_dir(env: &Env) -> PathBuf {
    let dir = env.path("runtime");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            }
            out.push(path);
        }
    }
    out
}

/// Waits until a run's scratch directory holds the client key, written
/// whole (it contains `key_line`); what the run printed if it ended first.
fn wait_for_key(scratch_root: &Path, child: &mut Child, key_line: &str) -> Result<PathBuf, String> {
    let started = Instant::now();
    loop {
        if let Some(key) = files_under(scratch_root).into_iter().find(|p| {
            p.file_name().is_some_and(|n| n == "client.key")
                && std::fs::read_to_string(p).is_ok_and(|text| text.contains(key_line))
        }) {
            return Ok(key);
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut printed = format!("{status}: ");
            for stream in [
                child.stdout.take().map(|s| Box::new(s) as Box<dyn Read>),
                child.stderr.take().map(|s| Box::new(s) as Box<dyn Read>),
            ]
            .into_iter()
            .flatten()
            {
                let mut stream = stream;
                let _ = stream.read_to_string(&mut printed);
            }
            return Err(printed);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no key appeared"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `coffer job run hang` and waits for its key. A clone killed
/// earlier may have left `target/.git` behind (git makes it before it
/// connects), which turns the next run into an update that fails at once:
/// the test starts each run from no working copy.
fn run_until_key(
    env: &Env,
    runtime: &Path,
    scratch_root: &Path,
    target: &Path,
    key_line: &str,
) -> (Child, PathBuf) {
    let _ = std::fs::remove_dir_all(target);
    let mut child = spawn(env, runtime, &["job", "run", "hang"]);
    let key = wait_for_key(scratch_root, &mut child, key_line)
        .unwrap_or_else(|printed| panic!("the run ended before writing its key: {printed}"));
    (child, key)
}

/// A TCP server on loopback that accepts connections and never answers
/// (each is dropped after a minute): git hangs in the TLS handshake.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(60));
                drop(stream);
            });
        }
    });
    port
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The start time of process `pid` (field 22 of /proc/PID/stat).
fn start_time(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_whitespace().nth(19).unwrap().to_owned()
}

#[test]
fn sigint_and_sigkill_mid_run_leave_no_key_on_disk() {
    let env = Env::new();
    let runtime = runtime_dir(&env);
    let scratch_root = runtime.join("coffer");
    let pki = crate::fixtures::pki(env.dir.path(), 365);
    env.run(&[
        "secret",
        "add",
        "certificate",
        "client",
        "--file",
        &format!("certificate={}", pki.leaf.display()),
        "--file",
        &format!("private_key={}", pki.key.display()),
    ])
    .ok();
    let port = silent_server();
    let target = env.path("checkout");
    env.run(&[
        "job",
        "add",
        "git_fetch",
        "hang",
        "--repo",
        &format!("https://127.0.0.1:{port}/repo.git"),
        "--target",
        target.to_str().unwrap(),
        "--secret",
        "client_certificate=client",
    ])
    .ok();
    let key_text = std::fs::read_to_string(&pki.key).unwrap();
    let key_line = key_text
        .lines()
        .find(|l| !l.starts_with("-----"))
        .unwrap()
        .to_owned();

    // Ctrl-C: the run stops, cleans up and exits with 130.
    let (child, _) = run_until_key(&env, &runtime, &scratch_root, &target, &key_line);
    signal(&child, "INT");
    let run = wait_at_most(child, Duration::from_secs(20));
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    assert!(
        files_under(&scratch_root).is_empty(),
        "{:?}",
        files_under(&scratch_root)
    );
    // The run was recorded as failed, its log without the key.
    let runs = env.run(&["--json", "job", "runs", "hang"]).ok();
    assert!(runs.stdout.contains("failed"), "{}", runs.stdout);
    assert!(!runs.stdout.contains(&key_line));

    // SIGKILL cannot be handled: the key stays until the next start.
    let (mut child, key) = run_until_key(&env, &runtime, &scratch_root, &target, &key_line);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(key.exists(), "the test needs a leftover to clean");
    // Another process's run in progress stays: this test process is alive.
    let me = std::process::id();
    let live = scratch_root.join(format!("coffer-run-{me}-{}-00", start_time(me)));
    std::fs::create_dir(&live).unwrap();
    // A reused PID (same number, another start time) does not save a leftover.
    let reused = scratch_root.join(format!("coffer-run-{me}-1-00"));
    std::fs::create_dir(&reused).unwrap();
    let status = spawn(&env, &runtime, &["status"]);
    wait_at_most(status, Duration::from_secs(30)).ok();
    assert!(!key.exists(), "the key survived the next start");
    assert!(!reused.exists());
    assert!(live.exists(), "a live process's scratch was removed");
    std::fs::remove_dir(&live).unwrap();
    assert!(files_under(&scratch_root).is_empty());
    let mode = std::fs::metadata(&scratch_root)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn sigterm_stops_coffer_run_and_its_program() {
    let env = Env::new();
    let runtime = runtime_dir(&env);
    let marker = env.path("still-running");
    let started = env.path("started");
    let script = format!(
        "touch '{}'; sleep 2; touch '{}'",
        started.display(),
        marker.display()
    );
    let mut child = spawn(&env, &runtime, &["run", "--", "/bin/sh", "-c", &script]);
    let since = Instant::now();
    while !started.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "coffer run ended early"
        );
        assert!(
            since.elapsed() < Duration::from_secs(30),
            "the program did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, "TERM");
    let run = wait_at_most(child, Duration::from_secs(20));
    assert_eq!(run.code, 143, "{}", run.stderr);
    std::thread::sleep(Duration::from_secs(3));
    assert!(!marker.exists(), "the program outlived coffer");
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn field_files_must_be_regular_files() {
    let env = Env::new();
    let runtime = runtime_dir(&env);
    let pipe = env.path("pipe");
    mkfifo(&pipe);
    for (path, what) in [
        (pipe.as_path(), "FIFO"),
        (Path::new("/dev/zero"), "character device"),
        (env.dir.path(), "directory"),
    ] {
        let child = spawn(
            &env,
            &runtime,
            &[
                "secret",
                "add",
                "data",
                "blob",
                "--field",
                &format!("data=@{}", path.display()),
            ],
        );
        let run = wait_at_most(child, Duration::from_secs(20)).fails(2);
        assert!(run.stderr.contains(what), "{what}: {}", run.stderr);
        let child = spawn(
            &env,
            &runtime,
            &[
                "secret",
                "add",
                "data",
                "blob",
                "--file",
                &format!("data={}", path.display()),
            ],
        );
        wait_at_most(child, Duration::from_secs(20)).fails(2);
    }
}

#[test]
fn short_secret_values_are_warned_about() {
    let env = Env::new();
    let short = env.file("short", "abc");
    let run = env
        .run(&[
            "secret",
            "add",
            "bearer_token",
            "short",
            "--field",
            &format!("token=@{}", short.display()),
        ])
        .ok();
    assert!(run.stderr.contains("warning"), "{}", run.stderr);
    assert!(run.stderr.contains("shorter than 6"), "{}", run.stderr);
    assert!(!run.stderr.contains("abc"));
    // A public field is no secret: a short user name is not warned about.
    let long = env.file("long", "a-long-enough-password");
    let run = env
        .run(&[
            "secret",
            "add",
            "basic_auth",
            "login",
            "--field",
            "username=app",
            "--field",
            &format!("password=@{}", long.display()),
        ])
        .ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let run = env
        .run(&[
            "secret",
            "update",
            "login",
            "--field",
            &format!("password=@{}", short.display()),
        ])
        .ok();
    assert!(run.stderr.contains("warning"), "{}", run.stderr);
    // `coffer run` masks the short password but not "app" inside words.
    let run = env
        .run(&[
            "run",
            "--env",
            "U=${secret:login#username}",
            "--env",
            "P=${secret:login}",
            "--",
            "/bin/sh",
            "-c",
            "echo \"application happy $U $P\"; env",
        ])
        .ok();
    assert!(
        run.stdout.starts_with("application happy app ***\n"),
        "{}",
        run.stdout
    );
    // Coffer's own variables do not reach the program.
    assert!(!run.stdout.contains("COFFER_"), "{}", run.stdout);
}
