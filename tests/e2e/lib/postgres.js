// A real PostgreSQL server for a spec: Debian's binaries, a cluster made by
// `initdb` (as the postgres user: initdb refuses root) in a temporary
// directory owned by postgres, started with `pg_ctl` on 127.0.0.1 on a free
// port with its socket in that directory, password (SCRAM) authentication
// for the superuser `coffer`, and a database `team`. `stop()` ends the
// postmaster by its PID (immediate shutdown) and removes the directory;
// `pause()` ends it the same way and keeps the cluster for `resume()`.
// The same steps as crates/coffer-team/tests/team/support/pg.rs.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { freePort } from "./moto.js";

/** Debian's PostgreSQL binaries (the newest installed major version), or COFFER_PG_BIN. */
export function pgBin() {
  if (process.env.COFFER_PG_BIN) return process.env.COFFER_PG_BIN;
  const root = "/usr/lib/postgresql";
  const found = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin/initdb")))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  if (found.length === 0) throw new Error("PostgreSQL is not installed (scripts/dev installs the postgresql package)");
  return path.join(root, found[found.length - 1], "bin");
}

function asPostgres(bin, program, args, env = {}) {
  try {
    return execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, program), ...args], {
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw new Error(`${program} failed: ${error.stderr || error.message}`);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a server whose superuser `coffer` logs in with `password`. Returns
 * `{ port, url, pid, stop() }`; `url` has no password in it.
 */
export async function startPostgres({ password }) {
  const bin = pgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coffer-e2e-pg-"));
  execFileSync("chown", ["postgres:postgres", dir]);
  const pwfile = path.join(dir, "pw");
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  execFileSync("chown", ["postgres:postgres", pwfile]);
  const data = path.join(dir, "data");
  asPostgres(bin, "initdb", ["-D", data, "-A", "scram-sha-256", "--pwfile", pwfile, "-U", "coffer", "--no-sync", "-E", "UTF8"]);
  fs.rmSync(pwfile);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  asPostgres(bin, "pg_ctl", ["-D", data, "-o", options, "-w", "-t", "60", "-l", path.join(dir, "log"), "start"]);
  const postmaster = () => Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  let pid = postmaster();
  const halt = async () => {
    if (alive(pid)) {
      process.kill(pid, "SIGQUIT");
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  };
  const server = {
    port,
    get pid() {
      return pid;
    },
    url: `postgres://coffer@127.0.0.1:${port}/team?sslmode=disable`,
    /** Immediate shutdown by the postmaster's PID; waits until it is gone, then removes the cluster. */
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    /** Immediate shutdown (like a crash), keeping the cluster for `resume()`. */
    async pause() {
      await halt();
    },
    /** Starts the paused cluster again on the same port. */
    async resume() {
      asPostgres(bin, "pg_ctl", ["-D", data, "-o", options, "-w", "-t", "60", "-l", path.join(dir, "log"), "start"]);
      pid = postmaster();
    },
  };
  try {
    asPostgres(bin, "psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "coffer", "-d", "postgres", "-qc", "CREATE DATABASE team"], {
      PGPASSWORD: password,
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
