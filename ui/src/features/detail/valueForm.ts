import { z } from "zod";

import type { FieldInput, FieldSpec, SecretMeta } from "../../ipc/client";
import { stringList, text } from "./fieldNames";
import { charCount, hasControl } from "./textRules";

// The value form's shape and its checks, mirroring coffer-core's
// `validate::{header_name, credential_url, key_name, public_text}`.

export type ExistingKey = { key: string; value: string; remove: boolean };
export type ValueForm = {
  fields: Record<string, string>;
  remove: Record<string, boolean>;
  existing: ExistingKey[];
  added: { key: string; value: string }[];
  keyPassword: string;
};

/** A file read by the page for a multi-line field. */
export type PickedFile = { name: string; base64: string; size: number };

const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];


export function keyNameProblem(key: string): string | null {
  if (!key) return "Keys must not be empty.";
  if (charCount(key) > 256) return "Keys are at most 256 characters.";
  if (hasControl(key) || /[\s=#{}$]/.test(key)) return "Keys cannot hold spaces or = # { } $.";
  return null;
}

function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter a full URL, like https://idp.example.com/oauth/token.";
  }
  if (url.username || url.password) return "The URL must not carry a user or password.";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOCAL_HOSTS.includes(url.hostname)) return null;
  return "Use https:// (http:// only for localhost).";
}

/** The current text of a public field, as the form shows it. */
export function publicValue(meta: SecretMeta, name: string): string {
  if (name === "scopes") return stringList(meta.public_fields.scopes).join(" ");
  return text(meta.public_fields[name]) ?? "";
}

export function valueSchema(meta: SecretMeta, specs: FieldSpec[]) {
  return z
    .object({
      fields: z.record(z.string(), z.string()),
      remove: z.record(z.string(), z.boolean()),
      existing: z.array(z.object({ key: z.string(), value: z.string(), remove: z.boolean() })),
      added: z.array(z.object({ key: z.string(), value: z.string() })),
      keyPassword: z.string(),
    })
    .superRefine((form, ctx) => {
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
      for (const spec of specs) {
        const value = form.fields[spec.name] ?? "";
        if (spec.secret) continue;
        const trimmed = value.trim();
        if (spec.required && !trimmed) issue(["fields", spec.name], "This field is required.");
        else if (charCount(trimmed) > 1024) issue(["fields", spec.name], "At most 1024 characters.");
        else if (hasControl(trimmed)) issue(["fields", spec.name], "No control characters.");
        else if (spec.name === "header_name" && trimmed && !HEADER_TOKEN.test(trimmed)) {
          issue(["fields", spec.name], "A header name is letters, digits and - (no spaces or colons).");
        } else if (spec.name === "token_url" && trimmed) {
          const problem = urlProblem(trimmed);
          if (problem) issue(["fields", spec.name], problem);
        } else if (spec.name === "content_type" && trimmed && (!trimmed.includes("/") || /\s/.test(trimmed))) {
          issue(["fields", spec.name], "A media type looks like text/plain.");
        }
      }
      const kept = form.existing.filter((row) => !row.remove);
      if (meta.type === "key_value") {
        const taken = new Set(form.existing.map((row) => row.key));
        form.added.forEach((row, i) => {
          if (!row.key && !row.value) return;
          const problem = keyNameProblem(row.key);
          if (problem) issue(["added", i, "key"], problem);
          else if (taken.has(row.key)) issue(["added", i, "key"], `"${row.key}" is already a key.`);
          taken.add(row.key);
        });
        const adding = form.added.filter((row) => row.key).length;
        if (kept.length + adding === 0) issue(["existing"], "A key/value secret needs at least one key.");
      }
    });
}

/** The `set` and `remove` of `update_value` for what the form changes. */
export function valueChange(
  meta: SecretMeta,
  specs: FieldSpec[],
  form: ValueForm,
  files: Record<string, PickedFile>,
): { set: FieldInput[]; remove: string[] } {
  const set: FieldInput[] = [];
  const remove: string[] = [];
  if (meta.type === "key_value") {
    for (const row of form.existing) {
      if (row.remove) remove.push(row.key);
      else if (row.value !== "") set.push({ name: row.key, value: { kind: "text", text: row.value } });
    }
    for (const row of form.added) {
      if (row.key) set.push({ name: row.key, value: { kind: "text", text: row.value } });
    }
    return { set, remove };
  }
  for (const spec of specs) {
    const value = form.fields[spec.name] ?? "";
    if (spec.secret) {
      const file = files[spec.name];
      if (form.remove[spec.name]) remove.push(spec.name);
      else if (file) set.push({ name: spec.name, value: { kind: "base64", data: file.base64 } });
      else if (value !== "") set.push({ name: spec.name, value: { kind: "text", text: value } });
      continue;
    }
    const trimmed = value.trim();
    if (trimmed === publicValue(meta, spec.name)) continue;
    if (!trimmed && !spec.required) remove.push(spec.name);
    else set.push({ name: spec.name, value: { kind: "text", text: trimmed } });
  }
  return { set, remove };
}
