// SIGTERM and SIGINT end the real app cleanly: it exits with 0, closes the
// vault (SQLite removes its write-ahead log when the last connection closes)
// and leaves none of its processes behind (WebKit's web and network
// processes included). Started directly, without WebDriver, as a desktop
// session or systemd would.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";

import { APP, initVault, scenario, until } from "../lib/app.js";

/** A process's parent and start time (clock ticks since boot), or null once it is gone. */
function stat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(rest[1]), start: rest[19], name: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")) };
  } catch {
    return null;
  }
}

/** Every process below `root`, with its start time (so a reused pid is not mistaken for it). */
function descendants(root) {
  const all = fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map((pid) => ({ pid: Number(pid), ...stat(pid) }))
    .filter((p) => p.start);
  const found = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

const running = (p) => stat(p.pid)?.start === p.start;

for (const signal of ["SIGTERM", "SIGINT"]) {
  describe(`the app on ${signal}`, { timeout: 90_000 }, () => {
    it("exits with 0, closes the vault and leaves no child process behind", async () => {
      const dir = scenario(`signal-${signal.toLowerCase()}`);
      initVault(dir);
      const vault = path.join(dir, "vault.db");
      const env = {
        ...process.env,
        HOME: path.join(dir, "home"),
        XDG_DATA_HOME: path.join(dir, "data"),
        XDG_CONFIG_HOME: path.join(dir, "config"),
        XDG_CACHE_HOME: path.join(dir, "cache"),
        COFFER_VAULT: vault,
        USER: process.env.USER || "e2e",
      };
      const log = fs.openSync(path.join(dir, "app.log"), "a");
      const app = spawn(APP(), [], { env, stdio: ["ignore", log, log] });
      const exited = new Promise((resolve) => app.on("exit", (code, sig) => resolve({ code, sig })));
      try {
        // Up: WebKit's web process runs and the vault is open (its WAL exists).
        const children = await until(
          () => {
            const found = descendants(app.pid);
            return found.some((p) => p.name.startsWith("WebKitWebProces")) && fs.existsSync(`${vault}-wal`) ? found : null;
          },
          { timeout: 30_000, interval: 200, message: "WebKit's web process and the open vault" },
        );
        await sleep(1_000);
        const before = descendants(app.pid);
        console.log(`${signal}: the app (pid ${app.pid}) runs ${before.map((p) => `${p.name} (${p.pid})`).join(", ")}`);
        assert.ok(before.length >= children.length);
        const sent = Date.now();
        app.kill(signal);
        const end = await Promise.race([exited, sleep(10_000).then(() => null)]);
        assert.ok(end, `the app exited within 10 s of ${signal}`);
        assert.deepEqual(end, { code: 0, sig: null }, "a clean exit");
        await until(() => before.every((p) => !running(p)), {
          timeout: 5_000,
          message: `no child left (${before.filter(running).map((p) => `${p.name} ${p.pid}`).join(", ")})`,
        });
        console.log(`${signal}: the app and its ${before.length} child processes were gone ${Date.now() - sent} ms after the signal`);
        // Closing checkpoints the log into the vault and truncates it; the file itself stays, because
        // deleting it could lose a write of a CLI that has the vault open at the same moment.
        const wal = fs.statSync(`${vault}-wal`, { throwIfNoEntry: false });
        assert.ok(!wal || wal.size === 0, `the vault was closed (its write-ahead log checkpointed, ${wal?.size} bytes left)`);
      } finally {
        if (app.exitCode === null && app.signalCode === null) app.kill("SIGKILL");
        fs.closeSync(log);
      }
    });
  });
}
