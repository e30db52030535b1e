// What each step hands on, and the request the wizard finally sends.
import type {
  FieldInput,
  InspectionReport,
  ProtectionRequest,
  RegisterRequest,
  SecretType,
  SshGenerateRequest,
  Visibility,
} from "../../ipc/client";
import { CofferError } from "../../ipc/client";
import { fromDateInput } from "../../lib/time";

/** One line of the review: a secret value is never shown there. */
export type ReviewItem = { label: string; value: string; secret?: boolean; mono?: boolean; monoLabel?: boolean };

/** The value step's result. */
export type ValueDraft = {
  fields: FieldInput[];
  keyPassword: string | null;
  allowKeyMismatch: boolean;
  generateSsh: SshGenerateRequest | null;
  review: ReviewItem[];
  /** What the certificate, CA bundle or SSH key holds (shown again in the review). */
  report: InspectionReport | null;
  /** A name to propose (a certificate's CN, a file's name). */
  suggestedName: string | null;
};

/** The metadata step's result. */
export type MetaDraft = {
  name: string;
  description: string;
  labels: { key: string; value: string }[];
  /** `YYYY-MM-DD`, or "" for none; ignored for certificates (the leaf decides). */
  expires: string;
  allowPastExpiry: boolean;
  org: string;
  project: string;
  visibility: Visibility;
  writeOnly: boolean;
  protection: "vault" | "password" | "generate";
  storePassword: string;
};

/** A problem the shell reported with one field. */
export type FieldProblem = { field: string; message: string; seq: number };

export function buildRequest(type: SecretType, value: ValueDraft, meta: MetaDraft): RegisterRequest {
  const protection: ProtectionRequest =
    meta.protection === "password"
      ? { kind: "password", password: meta.storePassword }
      : meta.protection === "generate"
        ? { kind: "generate" }
        : { kind: "vault" };
  // A certificate's expiry is its leaf's notAfter, which the vault fills itself.
  const expires = type === "certificate" || !meta.expires ? null : fromDateInput(meta.expires);
  return {
    type,
    name: meta.name.trim(),
    org: meta.org.trim() || null,
    project: meta.project.trim() || null,
    description: meta.description,
    labels: Object.fromEntries(meta.labels.map((l) => [l.key, l.value])),
    expires_at: expires,
    allow_past_expiry: expires !== null && meta.allowPastExpiry,
    visibility: meta.visibility,
    write_only: meta.writeOnly,
    protection,
    fields: value.fields,
    key_password: value.keyPassword,
    allow_key_mismatch: value.allowKeyMismatch,
    generate_ssh: value.generateSsh,
  };
}

/** Fields the metadata step owns, as the shell names them in errors. */
const META_FIELDS = new Set(["name", "org", "project", "description", "labels", "expires", "store_password"]);

/** Which step a field named in an error belongs to. */
export function stepOfField(field: string): "meta" | "value" {
  return META_FIELDS.has(field) || field.startsWith("label ") ? "meta" : "value";
}

let seq = 0;

/**
 * The field an `invalid_input` error names (its message starts with `field: `),
 * with the rest of the message; null for other errors.
 */
export function problemOf(error: unknown): FieldProblem | null {
  if (!(error instanceof CofferError)) return null;
  if (error.code === "already_exists") return { field: "name", message: sentence(error.message), seq: ++seq };
  if (error.code === "password_required" || error.code === "wrong_password") {
    const field = /^([a-z_]+): /.exec(error.message)?.[1] ?? "key_password";
    return { field: `${field}#password`, message: sentence(error.message.replace(/^[a-z_]+: /, "")), seq: ++seq };
  }
  if (error.code !== "invalid_input") return null;
  const match = /^(label "(?:[^"\\]|\\.)*"|[^:\s]+): (.*)$/s.exec(error.message);
  if (!match) return null;
  const [, field = "", rest = ""] = match;
  return { field, message: sentence(rest), seq: ++seq };
}

function sentence(text: string): string {
  // Without the internal code a message may end with, e.g. "… (key_mismatch)".
  const trimmed = text.trim().replace(/ \([a-z0-9_]+\)$/, "");
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(first) ? first : `${first}.`;
}
