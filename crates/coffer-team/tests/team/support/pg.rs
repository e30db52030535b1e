//! A real PostgreSQL server for one test: Debian's binaries, a cluster made
//! by `initdb` in a temporary directory owned by `postgres`, `pg_ctl` on
//! 127.0.0.1 with a free port and the socket in that directory. Dropping it
//! stops the server (immediate shutdown) and removes the directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Debian's PostgreSQL binaries (the newest installed major version), or
/// `COFFER_PG_BIN`.
pub fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("COFFER_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (scripts/dev installs the postgresql package)")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no /usr/lib/postgresql/*/bin/initdb")
        .1
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn run(command: &mut Command, what: &str) -> Output {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|stat| {
                    // After "(comm)": state, then the parent's pid.
                    let rest = &stat[stat.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// Whether process `pid` still runs (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next().map(|s| s != "Z"))
            .unwrap_or(false)
    })
}

fn as_postgres(bin: &Path, program: &str) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(bin.join(program));
    c
}

/// A running server; the superuser is `coffer` (trust authentication), the
/// database `team`.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    running: bool,
    extra: String,
}

impl Postgres {
    pub fn start() -> Self {
        Self::start_with(None, None)
    }

    /// A server that also speaks TLS with this certificate and key (PEM).
    pub fn start_with_tls(cert: &[u8], key: &[u8]) -> Self {
        Self::start_with(Some((cert, key)), None)
    }

    /// A TLS server that also asks for client certificates signed by
    /// `client_ca` (PEM): `coffer` logs in by certificate alone (`cert`,
    /// its common name), every other role by password *and* a certificate
    /// (`clientcert=verify-ca`). The fixture's own superuser connections
    /// stay plain TCP with trust.
    pub fn start_with_client_certs(cert: &[u8], key: &[u8], client_ca: &[u8]) -> Self {
        Self::start_with(Some((cert, key)), Some(client_ca))
    }

    fn start_with(tls: Option<(&[u8], &[u8])>, client_ca: Option<&[u8]>) -> Self {
        let bin = pg_bin();
        let dir = tempfile::Builder::new()
            .prefix("coffer-pg-")
            .tempdir()
            .expect("temp dir");
        run(
            Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()),
            "chown the cluster directory",
        );
        let data = dir.path().join("data");
        run(
            as_postgres(&bin, "initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "coffer",
                "--no-sync",
                "-E",
                "UTF8",
            ]),
            "initdb",
        );
        let mut extra = String::new();
        if let Some((cert, key)) = tls {
            for (name, bytes) in [("server.crt", cert), ("server.key", key)] {
                let path = data.join(name);
                std::fs::write(&path, bytes).expect("write a TLS file");
                run(
                    Command::new("chown").arg("postgres:postgres").arg(&path),
                    "chown a TLS file",
                );
                run(
                    Command::new("chmod").arg("600").arg(&path),
                    "chmod a TLS file",
                );
            }
            extra = " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key".into();
        }
        if let Some(ca) = client_ca {
            std::fs::write(data.join("root.crt"), ca).expect("write the client CA");
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all all trust\n\
                 hostnossl all coffer 127.0.0.1/32 trust\n\
                 hostssl all coffer 127.0.0.1/32 cert\n\
                 hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\n",
            )
            .expect("write pg_hba.conf");
            run(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(data.join("root.crt"))
                    .arg(data.join("pg_hba.conf")),
                "chown the client CA",
            );
            extra.push_str(" -c ssl_ca_file=root.crt");
        }
        let mut pg = Self {
            dir,
            bin,
            port: free_port(),
            running: false,
            extra,
        };
        pg.start_server();
        let mut admin = pg.superuser("postgres");
        admin
            .batch_execute("CREATE DATABASE team")
            .expect("create the test database");
        pg
    }

    fn start_server(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off{}",
            self.port,
            self.dir.path().display(),
            self.extra
        );
        let start = || {
            as_postgres(&self.bin, "pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-o", &options, "-w", "-t", "60", "-l"])
                .arg(self.dir.path().join("log"))
                .arg("start")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .output()
                .expect("pg_ctl start")
        };
        // After a crash the old cluster's last processes may take a moment
        // to let go of its shared memory: a few tries, then the log.
        let mut tries = 0;
        while !start().status.success() {
            tries += 1;
            if tries == 20 {
                let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
                panic!("pg_ctl start failed 20 times; the server's log:\n{log}");
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        self.running = true;
    }

    /// Stops the server at once (as a crash would).
    pub fn stop(&mut self) {
        if self.running {
            let _ = as_postgres(&self.bin, "pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-m", "immediate", "-w", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            self.running = false;
        }
    }

    /// Kills the postmaster with SIGKILL (a crashed server, not a shutdown)
    /// and waits until its backends, which notice their parent's death,
    /// are gone too, so that [`Postgres::restart`] finds the cluster free.
    pub fn kill(&mut self) {
        if !self.running {
            return;
        }
        let pid_file = self.dir.path().join("data").join("postmaster.pid");
        let pid: u32 = std::fs::read_to_string(&pid_file)
            .expect("postmaster.pid")
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .expect("the postmaster's pid");
        let children = children_of(pid);
        run(
            Command::new("kill").args(["-KILL", &pid.to_string()]),
            "kill the postmaster",
        );
        self.running = false;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::iter::once(pid)
            .chain(children.iter().copied())
            .any(alive)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the killed server's processes did not exit"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Starts it again after [`Postgres::stop`] or [`Postgres::kill`].
    pub fn restart(&mut self) {
        self.start_server();
    }

    /// A connection string for `user` to the test database.
    pub fn url(&self, user: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/team?sslmode=disable",
            self.port
        )
    }

    /// A client as `user` (trust authentication: no password).
    pub fn client_as(&self, user: &str, db: &str) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(user)
            .dbname(db)
            .connect(postgres::NoTls)
    }

    /// The superuser on `db`.
    pub fn superuser(&self, db: &str) -> postgres::Client {
        self.client_as("coffer", db).expect("superuser connection")
    }

    /// Runs `sql` (a plain `pg_dump`) into the test database with `psql`.
    pub fn restore(&self, sql: &[u8]) {
        let file = self.dir.path().join("restore.sql");
        std::fs::write(&file, sql).expect("write the dump");
        run(
            Command::new(self.bin.join("psql"))
                .args([
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "coffer",
                ])
                .args(["-d", "team", "-p"])
                .arg(self.port.to_string())
                .arg("-f")
                .arg(&file)
                .stdout(Stdio::null()),
            "psql restore",
        );
    }

    /// `pg_dump` of the test database, as text.
    pub fn dump(&self) -> Vec<u8> {
        run(
            Command::new(self.bin.join("pg_dump"))
                .args(["-h", "127.0.0.1", "-U", "coffer", "-d", "team", "-p"])
                .arg(self.port.to_string()),
            "pg_dump",
        )
        .stdout
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
