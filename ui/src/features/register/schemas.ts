// One zod schema per secret type, mirroring coffer-core's checks
// (`secret::validate` and `SecretData::from_fields`), plus the metadata schema.
import { z } from "zod";

import type { InspectionReport } from "../../ipc/client";
import { fromDateInput } from "../../lib/time";
import {
  contentTypeProblem,
  credentialUrlProblem,
  headerNameProblem,
  headerValueProblem,
  keyNameProblem,
  labelProblem,
  MAX_SECRET_BYTES,
  MAX_VALUE_BYTES,
  nameProblem,
  parseScopes,
  publicTextProblem,
  secretTextProblem,
  utf8Bytes,
} from "./rules";
import type { Source } from "./sources";

type Check = (value: string) => string | null;

/** A string checked by the first of `checks` that finds a problem. */
function text(...checks: Check[]) {
  return z.string().superRefine((value, ctx) => {
    for (const check of checks) {
      const problem = check(value);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return;
      }
    }
  });
}

const trimmed = (check: Check): Check => (value) => check(value.trim());
const optional = (check: Check): Check => (value) => (value.trim() ? check(value.trim()) : null);

const source = z.custom<Source>().nullable();
const report = z.custom<InspectionReport>().nullable();

export const basicAuthSchema = z.object({
  username: text((v) => publicTextProblem(v, true)),
  password: text((v) => secretTextProblem(v, true)),
});

export const bearerTokenSchema = z.object({
  // Empty means the default, Authorization.
  header_name: text((v) => publicTextProblem(v, false), optional(headerNameProblem)),
  token: text((v) => secretTextProblem(v, true), headerValueProblem),
});

export const apiKeySchema = z.object({
  header_name: text((v) => publicTextProblem(v, true), trimmed(headerNameProblem)),
  value: text((v) => secretTextProblem(v, true), headerValueProblem),
});

export const clientCredentialsSchema = z.object({
  client_id: text((v) => publicTextProblem(v, true)),
  client_secret: text((v) => secretTextProblem(v, true)),
  scopes: text((v) => parseScopes(v).problem),
  token_url: text((v) => publicTextProblem(v, false), optional(credentialUrlProblem)),
  audience: text((v) => publicTextProblem(v, false)),
});

function sizeIssues(ctx: z.RefinementCtx, parts: [path: string, bytes: number][]) {
  let total = 0;
  for (const [path, bytes] of parts) {
    total += bytes;
    if (bytes > MAX_VALUE_BYTES) ctx.addIssue({ code: "custom", path: [path], message: "At most 1 MiB per field." });
  }
  if (total > MAX_SECRET_BYTES) {
    ctx.addIssue({ code: "custom", path: [parts[0]?.[0] ?? "root"], message: "A secret may be at most 4 MiB in all." });
  }
}

export const certificateSchema = z
  .object({
    certificate: source,
    private_key: source,
    report,
    allow_key_mismatch: z.boolean(),
  })
  .superRefine((form, ctx) => {
    if (!form.certificate) {
      ctx.addIssue({ code: "custom", path: ["certificate"], message: "Add the certificate (PEM, DER, PKCS#12 or PFX)." });
      return;
    }
    sizeIssues(ctx, [
      ["certificate", form.certificate.size],
      ["private_key", form.private_key?.size ?? 0],
    ]);
    if (!form.report) {
      ctx.addIssue({ code: "custom", path: ["report"], message: "The certificate has not been read yet." });
    } else if (form.report.certificates.length === 0) {
      ctx.addIssue({ code: "custom", path: ["certificate"], message: "This file holds no certificate (only a key?)." });
    } else if (form.report.key_matches_leaf === false && !form.allow_key_mismatch) {
      ctx.addIssue({
        code: "custom",
        path: ["allow_key_mismatch"],
        message: "The key does not match the leaf: give the right key, or store it anyway on purpose.",
      });
    }
  });

export const caBundleSchema = z
  .object({ certificates: source, report })
  .superRefine((form, ctx) => {
    if (!form.certificates) {
      ctx.addIssue({ code: "custom", path: ["certificates"], message: "Add the CA certificates (PEM or DER)." });
      return;
    }
    sizeIssues(ctx, [["certificates", form.certificates.size]]);
    if (!form.report) ctx.addIssue({ code: "custom", path: ["report"], message: "The bundle has not been read yet." });
    else if (form.report.certificates.length === 0) {
      ctx.addIssue({ code: "custom", path: ["certificates"], message: "This file holds no certificate." });
    }
  });

export const SSH_ALGORITHMS = {
  ed25519: { label: "Ed25519 (recommended)", algorithm: "ed25519", bits: null },
  rsa3072: { label: "RSA 3072 bits", algorithm: "rsa", bits: 3072 },
  rsa4096: { label: "RSA 4096 bits", algorithm: "rsa", bits: 4096 },
  ecdsa: { label: "ECDSA P-256", algorithm: "ecdsa", bits: null },
} as const;

export const sshKeyPairSchema = z
  .object({
    mode: z.enum(["generate", "upload"]),
    algorithm: z.enum(["ed25519", "rsa3072", "rsa4096", "ecdsa"]),
    comment: text((v) => publicTextProblem(v, false)),
    private_key: source,
    report,
  })
  .superRefine((form, ctx) => {
    if (form.mode === "generate") return;
    if (!form.private_key) {
      ctx.addIssue({ code: "custom", path: ["private_key"], message: "Add the private key file (OpenSSH format)." });
      return;
    }
    sizeIssues(ctx, [["private_key", form.private_key.size]]);
    if (!form.report) ctx.addIssue({ code: "custom", path: ["report"], message: "The key has not been read yet." });
    else if (!form.report.ssh?.private) {
      ctx.addIssue({
        code: "custom",
        path: ["private_key"],
        message: "This is not an OpenSSH private key (convert it with ssh-keygen -p -f FILE).",
      });
    }
  });

export const keyValueSchema = z
  .object({ rows: z.array(z.object({ key: z.string(), value: z.string() })) })
  .superRefine((form, ctx) => {
    const seen = new Map<string, number>();
    let count = 0;
    let total = 0;
    form.rows.forEach((row, i) => {
      if (!row.key && !row.value) return;
      count += 1;
      const problem = keyNameProblem(row.key);
      if (problem) ctx.addIssue({ code: "custom", path: ["rows", i, "key"], message: problem });
      else if (seen.has(row.key)) {
        ctx.addIssue({ code: "custom", path: ["rows", i, "key"], message: `"${row.key}" is there twice: keys are unique.` });
      }
      seen.set(row.key, i);
      const bytes = utf8Bytes(row.value);
      total += bytes;
      if (bytes > MAX_VALUE_BYTES) ctx.addIssue({ code: "custom", path: ["rows", i, "value"], message: "At most 1 MiB." });
    });
    if (count === 0) ctx.addIssue({ code: "custom", path: ["rows"], message: "Add at least one key." });
    if (total > MAX_SECRET_BYTES) ctx.addIssue({ code: "custom", path: ["rows"], message: "A secret may be at most 4 MiB in all." });
  });

export const dataSchema = z
  .object({
    mode: z.enum(["file", "text"]),
    file: source,
    text: z.string(),
    content_type: text(contentTypeProblem),
    file_name: text((v) => publicTextProblem(v, false)),
  })
  .superRefine((form, ctx) => {
    if (form.mode === "file") {
      if (!form.file) ctx.addIssue({ code: "custom", path: ["file"], message: "Add the file." });
      else sizeIssues(ctx, [["file", form.file.size]]);
    } else {
      const problem = secretTextProblem(form.text, true);
      if (problem) ctx.addIssue({ code: "custom", path: ["text"], message: problem });
    }
  });

const labelRow = z.object({ key: z.string(), value: z.string() });

export const metadataSchema = z
  .object({
    name: text(trimmed(nameProblem)),
    description: text((v) => (Array.from(v).length > 4096 ? "At most 4096 characters." : null)),
    labels: z.array(labelRow).max(64, "At most 64 labels."),
    expires: z.string(),
    expiresLocked: z.boolean(),
    allowPastExpiry: z.boolean(),
    org: z.string(),
    newOrg: z.string(),
    project: text(optional(nameProblem)),
    visibility: z.enum(["public", "private"]),
    writeOnly: z.boolean(),
    protection: z.enum(["vault", "password", "generate"]),
    storePassword: z.string(),
    storePasswordAgain: z.string(),
  })
  .superRefine((form, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (form.org === NEW_ORG) {
      const problem = nameProblem(form.newOrg.trim());
      if (problem) issue(["newOrg"], problem === "Give it a name." ? "Name the new organization." : problem);
    }
    const seen = new Set<string>();
    form.labels.forEach((label, i) => {
      const problem = labelProblem(label.key, label.value);
      if (problem) issue(["labels", i, "key"], problem);
      else if (seen.has(label.key)) issue(["labels", i, "key"], `The label "${label.key}" is there twice.`);
      seen.add(label.key);
    });
    if (!form.expiresLocked && form.expires) {
      if (fromDateInput(form.expires) === null) {
        issue(["expires"], "Pick a date.");
      } else if (Date.parse(fromDateInput(form.expires) ?? "") <= Date.now() && !form.allowPastExpiry) {
        issue(["expires"], "This date is in the past: tick “allow a past expiry” to import it anyway.");
      }
    }
    if (form.protection === "password") {
      if (form.storePassword.length < 8) issue(["storePassword"], "Use at least 8 characters.");
      else if (form.storePassword !== form.storePasswordAgain) issue(["storePasswordAgain"], "The two passwords differ.");
    }
  });

/** The organization select's "new organization" choice. */
export const NEW_ORG = "\u0000new";

export type MetadataForm = z.infer<typeof metadataSchema>;
