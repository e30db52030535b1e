// A moto server (AWS Secrets Manager's stand-in for tests) for the key-vault
// specs: started from the Python venv on 127.0.0.1 on a free port, killed by
// its PID when the spec ends.
//
// Python comes from COFFER_TEST_PYTHON, else <repo>/.venv/bin/python
// (`scripts/dev setup` creates it); without either the spec fails saying so.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { ROOT } from "./app.js";

/** The venv's Python, or an error that says how to get one. */
export function testPython() {
  const candidates = [process.env.COFFER_TEST_PYTHON, path.join(ROOT, ".venv/bin/python")].filter(Boolean);
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) {
    throw new Error(
      `no Python with moto: set COFFER_TEST_PYTHON or run \`scripts/dev setup\` (looked at ${candidates.join(", ")})`,
    );
  }
  return found;
}

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return response.status > 0;
  } catch {
    return false;
  }
}

/**
 * Starts moto's server; resolves once it answers. Returns its `endpoint`,
 * `pid` and `stop()` (SIGTERM by PID, SIGKILL if it lingers).
 */
export async function startMoto({ timeout = 30_000 } = {}) {
  const python = testPython();
  const port = await freePort();
  const child = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    process.kill(child.pid, "SIGTERM");
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) process.kill(child.pid, "SIGKILL");
  };
  const deadline = Date.now() + timeout;
  while (!(await answers(`${endpoint}/moto-api/`))) {
    if (exited) throw new Error(`moto_server exited (${JSON.stringify(exited)}): ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeout} ms: ${stderr}`);
    }
    await sleep(150);
  }
  return { endpoint, port, pid: child.pid, stop };
}

/** Calls moto's Secrets Manager API directly (JSON 1.1), as a test's second opinion. */
export async function secretsManager(endpoint, action, body) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `secretsmanager.${action}`,
      Authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAE2ETEST/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${action} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}
