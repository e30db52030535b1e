import { useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

import { advice } from "../team/model";
import { CofferError, commands, hasCode, unwrap, type FieldInput, type SecretQuery, type SharedOrg, type SyncStatus } from "../../ipc/client";
import { formatDateTime } from "../../lib/time";

/** Shared secrets through the shell (the list from the replica; reveals and writes through the server). */
export const sharedApi = {
  status: () => commands.sharedStatus(),
  syncNow: () => commands.syncSharedNow(),
  organizations: () => commands.sharedOrganizations(),
  list: (query: SecretQuery) => unwrap(commands.listSharedSecrets(query)),
  get: (id: string) => unwrap(commands.getSharedSecret(id)),
  reveal: (id: string, field: string) => unwrap(commands.revealSharedField(id, field)),
  copy: (id: string, field: string) => unwrap(commands.copySharedField(id, field)),
  updateValue: (id: string, revision: number, set: FieldInput[], keyPassword: string | null = null) =>
    unwrap(commands.updateSharedValue(id, revision, set, keyPassword)),
  updateMetadata: (
    id: string,
    revision: number,
    change: { description?: string | null; labels?: Record<string, string> | null; expiresAt?: string | null; clearExpiry?: boolean },
  ) =>
    unwrap(
      commands.updateSharedMetadata(id, revision, change.description ?? null, change.labels ?? null, change.expiresAt ?? null, change.clearExpiry ?? false),
    ),
  setStatus: (id: string, revision: number, status: "active" | "deactivated" | "trashed") =>
    unwrap(commands.setSharedStatus(id, revision, status)),
};

export const sharedKeys = {
  status: ["shared-status"] as const,
  orgs: ["shared-orgs"] as const,
  secrets: ["shared-secrets"] as const,
  secret: (id: string) => ["shared-secret", id] as const,
};

/** Every query that shows shared data (refetched when the sync task says so). */
export const SHARED_CONTENT: readonly string[] = [sharedKeys.status[0], sharedKeys.orgs[0], sharedKeys.secrets[0], "shared-secret"];

export function useSyncStatus() {
  return useQuery({ queryKey: sharedKeys.status, queryFn: sharedApi.status });
}

export function useSharedOrgs() {
  return useQuery({ queryKey: sharedKeys.orgs, queryFn: sharedApi.organizations });
}

/**
 * What the list shows: every local organization, one local organization, or
 * one shared organization of the team vault. Remembered on this computer.
 */
export type OrgChoice = { kind: "all" } | { kind: "local"; name: string } | { kind: "shared"; name: string; id: string };

export const ORG_CHOICE_KEY = "coffer.org-choice";
const ALL: OrgChoice = { kind: "all" };
const listeners = new Set<() => void>();
let cached: { raw: string | null; value: OrgChoice } | null = null;

function read(): OrgChoice {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(ORG_CHOICE_KEY);
  } catch {
    return ALL;
  }
  if (cached && cached.raw === raw) return cached.value;
  let value: OrgChoice = ALL;
  try {
    const parsed = raw ? (JSON.parse(raw) as Partial<OrgChoice> & { name?: unknown; id?: unknown }) : null;
    if (parsed?.kind === "local" && typeof parsed.name === "string") value = { kind: "local", name: parsed.name };
    else if (parsed?.kind === "shared" && typeof parsed.name === "string" && typeof parsed.id === "string")
      value = { kind: "shared", name: parsed.name, id: parsed.id };
  } catch {
    value = ALL;
  }
  cached = { raw, value };
  return value;
}

export function setOrgChoice(choice: OrgChoice): void {
  try {
    window.localStorage.setItem(ORG_CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // Private mode: the choice lasts for this session only.
  }
  cached = { raw: JSON.stringify(choice), value: choice };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The organization the list shows (and the register wizard starts in). */
export function useOrgChoice(): OrgChoice {
  return useSyncExternalStore(subscribe, read);
}

/** `value` for the switcher's select. */
export function choiceValue(choice: OrgChoice): string {
  return choice.kind === "all" ? "all" : choice.kind === "local" ? `local:${choice.name}` : `shared:${choice.id}`;
}

/** The choice a select value names, given what exists. */
export function choiceOf(value: string, shared: SharedOrg[]): OrgChoice {
  if (value.startsWith("local:")) return { kind: "local", name: value.slice("local:".length) };
  if (value.startsWith("shared:")) {
    const org = shared.find((o) => o.id === value.slice("shared:".length));
    if (org) return { kind: "shared", name: org.name, id: org.id };
  }
  return ALL;
}

/** The sidebar's words for a sync state. */
export function syncSummary(status: SyncStatus): { tone: "ok" | "busy" | "warn" | "error" | "muted"; title: string; detail: string | null } {
  const asOf = status.as_of ? `offline, as of ${formatDateTime(status.as_of)}` : "offline, never synced";
  switch (status.state) {
    case "current":
      return { tone: "ok", title: "Connected, up to date", detail: status.revision !== null ? `Revision ${status.revision}` : null };
    case "syncing":
    case "connecting":
      return { tone: "busy", title: status.state === "syncing" ? "Syncing…" : "Connecting…", detail: null };
    case "offline":
      return { tone: "warn", title: `O${asOf.slice(1)}`, detail: "The server does not answer. The list shows the last sync; reveals and changes need the server." };
    case "error":
      return { tone: "error", title: "Sync failed", detail: syncAdvice(status) };
    case "locked":
      return { tone: "muted", title: "Locked", detail: null };
    default:
      return { tone: "muted", title: "No team vault", detail: null };
  }
}

/** Advice for a sync error: the Team page's advice for its code, else its message. */
export function syncAdvice(status: SyncStatus): string {
  if (status.code) {
    const known = advice(new CofferError({ code: status.code, message: status.message ?? "", detail: null }));
    if (known) return known;
  }
  return status.message ?? "Coffer retries by itself.";
}

/** Whether an error is a conflict (another member wrote first). */
export function isConflict(error: unknown): boolean {
  return hasCode(error, "conflict");
}
