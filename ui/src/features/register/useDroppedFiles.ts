import { useEffect, useEffectEvent } from "react";

import { api, hasCode, type HandedFile, type SecretType } from "../../ipc/client";
import { takeDroppedFiles, useDrops } from "../../lib/drops";
import { guessType } from "./sources";

/** Hands files dropped on the window to `onFiles` while `active` (the step on screen). */
export function useDroppedFiles(active: boolean, onFiles: (files: HandedFile[]) => void) {
  const { pending } = useDrops();
  const deliver = useEffectEvent((files: HandedFile[]) => onFiles(files));
  useEffect(() => {
    if (!active || pending === 0) return;
    const files = takeDroppedFiles();
    if (files.length) deliver(files);
  }, [active, pending]);
}

/**
 * What a dropped file holds, read by the shell (coffer-certs), not guessed from its name:
 * a certificate that is not a CA (or one with its key), only CA certificates, a private key alone,
 * an SSH key, a .env/JSON file, or anything else.
 */
export type DroppedKind = "certificate" | "ca" | "key" | "ssh" | "key_value" | "data";

const kinds = new Map<string, DroppedKind>();

/** The kind found for a dropped file (by its token), once `planDrop` has read it. */
export function droppedKind(file: HandedFile): DroppedKind | undefined {
  return kinds.get(file.token);
}

async function kindOf(file: HandedFile): Promise<DroppedKind> {
  if (guessType(file.name) === "key_value") return "key_value";
  try {
    // The generic inspection: certificates, keys and SSH keys in any format coffer-certs reads.
    const report = await api.inspectInput("ssh_key_pair", { kind: "file", token: file.token }, null, null);
    if (report.certificates.length) return report.certificates.every((c) => c.is_ca) && !report.private_key ? "ca" : "certificate";
    if (report.ssh?.private || report.private_key) return "key";
    if (report.ssh) return "ssh";
    return "data";
  } catch (error) {
    // An encrypted key (or PKCS#12) says so before its password is given.
    if (hasCode(error, "password_required")) return /\.(p12|pfx)$/i.test(file.name) ? "certificate" : "key";
    return "data";
  }
}

/** What the wizard does with dropped files: open one type's form with all of them, or ask. */
export type DropPlan =
  | { type: SecretType; notice: string }
  | { ask: "key"; files: HandedFile[]; notice: string };

const list = (files: HandedFile[]) => files.map((f) => f.name).join(", ");

/**
 * Decides, by content, which form takes the dropped files: certificates with a key → Certificate
 * (both); only CA certificates → CA bundle; a key alone → ask (SSH key pair or a certificate's key).
 */
export async function planDrop(files: HandedFile[]): Promise<DropPlan> {
  const found = await Promise.all(files.map(async (f) => [f, await kindOf(f)] as const));
  for (const [file, kind] of found) kinds.set(file.token, kind);
  const of = (...wanted: DroppedKind[]) => found.filter(([, k]) => wanted.includes(k)).map(([f]) => f);
  const certs = of("certificate", "ca");
  const keys = of("key");
  const names = list(files);
  if (certs.length && (keys.length || of("certificate").length)) {
    return { type: "certificate", notice: `${names}: ${keys.length ? "a certificate and its private key" : "a certificate"}, opened as a Certificate. Go back to choose another type.` };
  }
  if (certs.length) return { type: "ca_bundle", notice: `${names}: only CA certificates, opened as a CA bundle. Go back to choose another type.` };
  if (keys.length) return { ask: "key", files: keys, notice: `${list(keys)} holds a private key and no certificate.` };
  if (of("ssh").length) return { type: "ssh_key_pair", notice: `${names}: an SSH key, opened as an SSH key pair.` };
  if (of("key_value").length) return { type: "key_value", notice: `${names} opened as key/value pairs.` };
  return { type: "data", notice: `${names} opened as a data file: it holds no certificate or key. Go back to choose another type.` };
}
