// Real certificate and key files, made at test time with openssl and ssh-keygen.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${error.stderr || error.message}`);
  }
}

/** Escapes a value for openssl's -subj ("/CN=..."): '/', '=', '+' and '\' need a backslash. */
function subjValue(value) {
  return value.replace(/[\\/=+]/g, (c) => `\\${c}`);
}

/**
 * A self-signed EC certificate and its key, valid for `days`.
 * Returns { cert, key } paths in `dir`.
 */
export function selfSigned(dir, base, { cn, org, days = 60, ca = false } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, `${base}.crt`);
  const key = path.join(dir, `${base}.key`);
  let subj = `/CN=${subjValue(cn ?? base)}`;
  if (org) subj += `/O=${subjValue(org)}`;
  run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-days", String(days), "-subj", subj,
    "-addext", ca ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE",
    ...(ca ? [] : ["-addext", `subjectAltName=DNS:${/^[A-Za-z0-9.-]+$/.test(cn ?? base) ? (cn ?? base) : "client.example.com"}`]),
  ]);
  return { cert, key };
}

/** A CA bundle (two self-signed CA certificates in one PEM file). */
export function caBundle(dir, base) {
  const a = selfSigned(dir, `${base}-root-a`, { cn: "Example Root CA A", ca: true, days: 3650 });
  const b = selfSigned(dir, `${base}-root-b`, { cn: "Example Root CA B", ca: true, days: 3650 });
  const bundle = path.join(dir, `${base}.pem`);
  fs.writeFileSync(bundle, fs.readFileSync(a.cert, "utf8") + fs.readFileSync(b.cert, "utf8"));
  return bundle;
}

/** An unencrypted ed25519 OpenSSH key pair; returns { key, pub } paths. */
export function sshKey(dir, base) {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, base);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${base}@e2e`, "-f", key]);
  return { key, pub: `${key}.pub` };
}
