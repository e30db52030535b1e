import type { JobKind, RunStatus, RunTrigger, Schedule, SecretRole } from "../../ipc/client";

export const KIND_INFO: Record<JobKind, { label: string; description: string }> = {
  http_fetch: {
    label: "HTTP fetch",
    description: "Download a URL to a file with a bound credential, client certificate or private CA.",
  },
  git_fetch: {
    label: "Git fetch",
    description: "Clone, then keep updating, a private repository over HTTPS or SSH.",
  },
  template: {
    label: "Template",
    description: "Render a file with ${secret:…} placeholders to a private (0600) output file.",
  },
  command: {
    label: "Command",
    description: "Run a program with secrets in its arguments or environment; its output is redacted.",
  },
};

export const KIND_ORDER: JobKind[] = ["http_fetch", "git_fetch", "template", "command"];

export const ROLE_INFO: Record<SecretRole, { label: string; hint: string }> = {
  auth: { label: "Credentials", hint: "Basic auth, bearer token, API key or OAuth 2.0 client credentials sent to the server." },
  ca_bundle: { label: "CA bundle", hint: "Certificates added to the trusted roots (for a private CA)." },
  client_certificate: { label: "Client certificate", hint: "A certificate with its private key, for mutual TLS." },
  ssh_key: { label: "SSH key", hint: "A key pair for git over SSH; the host key is pinned on first use." },
};

export function statusBadgeClass(status: RunStatus | null): string {
  switch (status) {
    case "succeeded":
      return "badge badge-active";
    case "failed":
    case "refused":
      return "badge badge-expired";
    case "running":
      return "badge badge-expiring";
    case "interrupted":
      return "badge badge-deactivated";
    default:
      return "badge badge-neutral";
  }
}

export const TRIGGER_LABEL: Record<RunTrigger, string> = {
  manual: "Run now",
  schedule: "Schedule",
  missed: "Missed (ran on start)",
};

/** The schedule in words, as the list shows it. */
export function describeSchedule(schedule: Schedule | null): string {
  if (!schedule) return "Manual";
  if (schedule.type === "cron") return `cron ${schedule.expression}`;
  return `every ${formatSeconds(schedule.seconds)}`;
}

export function formatSeconds(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  let rest = seconds;
  let text = "";
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      text += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return text || "0s";
}

/** A byte count for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
