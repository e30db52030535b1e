// The connection form, its validation (mirroring the core's rules) and the
// words the key-vault screens use for states and failure classes.
import { z } from "zod";

import type { DeploymentState, FailureClass, ManagerSettings, ManagerSpec } from "../../ipc/client";

/** The service a connection talks to. */
export type ManagerKind = ManagerSettings["kind"];

/** The defaults of the core (DEFAULT_CACHE_TTL_SECS and friends). */
export const DEFAULT_TTL_SECS = 3600;
export const DEFAULT_STALE_SECS = 300;
export const DEFAULT_WRITES_PER_SEC = 20;

export type AuthMethod = "implicit" | "secret";

/** What the wizard's fields hold (text, as typed). */
export type ManagerForm = {
  kind: ManagerKind;
  name: string;
  org: string;
  region: string;
  endpoint: string;
  profile: string;
  vaultUri: string;
  tenant: string;
  authorityHost: string;
  auth: AuthMethod;
  credential: string;
  ttl: string;
  stale: string;
  rate: string;
};

export function emptyForm(kind: ManagerKind = "aws"): ManagerForm {
  return {
    kind,
    name: "",
    org: "Default",
    region: "",
    endpoint: "",
    profile: "",
    vaultUri: "",
    tenant: "",
    authorityHost: "",
    auth: "secret",
    credential: "",
    ttl: String(DEFAULT_TTL_SECS),
    stale: String(DEFAULT_STALE_SECS),
    rate: String(DEFAULT_WRITES_PER_SEC),
  };
}

// Placeholders read `${secret:MANAGER:NAME}`: a manager name has no ':' or '#'.
const NAME = /^[A-Za-z0-9._/-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const TENANT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$/;

function url(text: string, https: boolean): boolean {
  try {
    const parsed = new URL(text);
    if (https) return parsed.protocol === "https:";
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}

const seconds = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${label}: a whole number`)
    .refine((v) => Number(v) >= min && Number(v) <= max, `${label}: from ${min} to ${max.toLocaleString("en")}`);

const schema = z
  .object({
    kind: z.enum(["aws", "azure"]),
    name: z
      .string()
      .trim()
      .min(1, "A name is needed: placeholders use it")
      .max(64, "At most 64 characters")
      .regex(NAME, "Letters, digits, '.', '_', '/' and '-' only (placeholders use it)"),
    org: z.string().trim().min(1, "An organization is needed"),
    region: z.string().trim(),
    endpoint: z.string().trim(),
    profile: z.string().trim(),
    vaultUri: z.string().trim(),
    tenant: z.string().trim(),
    authorityHost: z.string().trim(),
    auth: z.enum(["implicit", "secret"]),
    credential: z.string().trim(),
    ttl: seconds("Cache lifetime", 1, 86_400),
    stale: seconds("Stale-if-error window", 0, 86_400),
    rate: seconds("Writes per second", 1, 50),
  })
  .superRefine((form, ctx) => {
    const issue = (path: keyof ManagerForm, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (form.kind === "aws") {
      if (!form.region) issue("region", "A region is needed (eu-west-1)");
      else if (!REGION.test(form.region)) issue("region", "Not a region name (eu-west-1, us-east-2)");
      if (form.endpoint && !url(form.endpoint, false)) issue("endpoint", "An http(s) URL (http only for a local test server)");
    } else {
      if (!form.vaultUri) issue("vaultUri", "The vault URI is needed (https://NAME.vault.azure.net/)");
      else if (!url(form.vaultUri, true)) issue("vaultUri", "An https URL (https://NAME.vault.azure.net/)");
      if (!form.tenant) issue("tenant", "The tenant (directory) id is needed");
      else if (!TENANT.test(form.tenant)) issue("tenant", "A tenant id (a GUID) or a domain (contoso.onmicrosoft.com)");
      if (form.authorityHost && !url(form.authorityHost, true)) issue("authorityHost", "An https URL");
    }
    if (form.auth === "secret" && !form.credential) {
      issue("credential", form.kind === "aws" ? "Choose the key/value secret that holds the access key" : "Choose the client credentials secret");
    }
  });

export type FormErrors = Partial<Record<keyof ManagerForm, string>>;

/** The form's problems, one per field (empty when it can be saved). */
export function validateForm(form: ManagerForm): FormErrors {
  const result = schema.safeParse(form);
  if (result.success) return {};
  const errors: FormErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path[0] as keyof ManagerForm | undefined;
    if (key && !errors[key]) errors[key] = issue.message;
  }
  return errors;
}

/** The spec the shell stores (call only on a form without errors). */
/** The form of a saved connection (the wizard's Edit), the inverse of `toSpec`. */
export function formOf(spec: ManagerSpec): ManagerForm {
  const base = {
    ...emptyForm(spec.settings.kind),
    name: spec.name,
    org: spec.org,
    ttl: String(spec.cache_ttl_secs),
    stale: String(spec.stale_if_error_secs),
    rate: String(spec.writes_per_sec),
  };
  const s = spec.settings;
  if (s.kind === "aws") {
    return {
      ...base,
      region: s.region,
      endpoint: s.endpoint ?? "",
      auth: s.auth.method === "access_key" ? "secret" : "implicit",
      credential: s.auth.method === "access_key" ? s.auth.secret : "",
      profile: s.auth.method === "implicit" ? (s.auth.profile ?? "") : "",
    };
  }
  return {
    ...base,
    vaultUri: s.vault_uri,
    tenant: s.tenant,
    authorityHost: s.authority_host ?? "",
    auth: s.auth.method === "client_secret" ? "secret" : "implicit",
    credential: s.auth.method === "client_secret" ? s.auth.secret : "",
  };
}

export function toSpec(form: ManagerForm): ManagerSpec {
  const t = (s: string) => s.trim();
  const optional = (s: string) => (t(s) === "" ? null : t(s));
  const settings: ManagerSpec["settings"] =
    form.kind === "aws"
      ? {
          kind: "aws",
          region: t(form.region),
          endpoint: optional(form.endpoint),
          auth: form.auth === "secret" ? { method: "access_key", secret: t(form.credential) } : { method: "implicit", profile: optional(form.profile) },
        }
      : {
          kind: "azure",
          vault_uri: t(form.vaultUri),
          tenant: t(form.tenant),
          authority_host: optional(form.authorityHost),
          auth: form.auth === "secret" ? { method: "client_secret", secret: t(form.credential) } : { method: "implicit" },
        };
  return {
    name: t(form.name),
    org: t(form.org),
    settings,
    cache_ttl_secs: Number(form.ttl),
    stale_if_error_secs: Number(form.stale),
    writes_per_sec: Number(form.rate),
  };
}

export const KIND_LABEL: Record<ManagerKind, string> = {
  aws: "AWS Secrets Manager",
  azure: "Azure Key Vault",
};

/** Where a connection points, in a few words. */
export function whereText(spec: ManagerSpec): string {
  const s = spec.settings;
  if (s.kind === "aws") return s.endpoint ? `${s.region} · ${s.endpoint}` : s.region;
  return s.vault_uri;
}

/** How it authenticates, in a few words. */
export function authText(spec: ManagerSpec): string {
  const s = spec.settings;
  if (s.kind === "aws") {
    return s.auth.method === "access_key"
      ? `access key in ${s.auth.secret}`
      : s.auth.profile
        ? `profile ${s.auth.profile}`
        : "default credentials";
  }
  return s.auth.method === "client_secret" ? `client secret in ${s.auth.secret}` : "platform credentials";
}

export const STATE_LABEL: Record<DeploymentState, string> = {
  start: "start",
  deploying: "deploying",
  available: "available",
  updating_versions: "updating versions",
  updating_error: "updating error",
  decommissioning: "decommissioning",
  stalled: "stalled",
  end: "end",
};

/** The badge class of a deployment state: green when settled, amber while moving, red when it needs someone. */
export function stateBadge(state: DeploymentState): string {
  switch (state) {
    case "available":
      return "badge badge-dot badge-active";
    case "updating_error":
    case "stalled":
      return "badge badge-dot badge-expired";
    case "end":
      return "badge badge-dot badge-deactivated";
    default:
      return "badge badge-dot badge-expiring";
  }
}

/** Whether Retry applies (IMCO `retry`). */
export function canRetry(state: DeploymentState): boolean {
  return state === "updating_error" || state === "stalled" || state === "deploying" || state === "start" || state === "updating_versions";
}

/** Whether the deployment can still be decommissioned. */
export function canDecommission(state: DeploymentState): boolean {
  return state !== "end" && state !== "decommissioning";
}

/** Stalled on a remote secret of the same name that Coffer did not create. */
export function needsAdopt(d: { state: DeploymentState; managed: boolean; last_error: string | null }): boolean {
  return d.state === "stalled" && !d.managed && (d.last_error ?? "").includes("not managed by Coffer");
}

export const CLASS_LABEL: Record<FailureClass, string> = {
  dns: "name not resolved",
  unreachable: "unreachable",
  tls: "TLS failed",
  unauthorized: "credentials refused",
  forbidden: "not allowed",
  throttled: "throttled",
  not_found: "not found",
  rejected: "refused",
  conflict: "not managed by Coffer",
  timeout: "timed out",
  service: "service error",
};

/** A duration in seconds for people: 3600 → "1 h", 90 → "1 min 30 s". */
export function durationText(secs: number): string {
  if (secs === 0) return "off";
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  return [h ? `${h} h` : "", m ? `${m} min` : "", s ? `${s} s` : ""].filter(Boolean).join(" ");
}
