import type { SecretMeta, SecretType, TypeInfo } from "../../ipc/client";

// Field names as people read them; key/value keys are shown as typed.
const FIELD_LABELS: Record<string, string> = {
  username: "Username",
  password: "Password",
  header_name: "Header name",
  token: "Token",
  value: "Value",
  client_id: "Client ID",
  client_secret: "Client secret",
  scopes: "Scopes",
  token_url: "Token URL",
  audience: "Audience",
  certificate: "Certificate chain (PEM)",
  private_key: "Private key",
  certificates: "CA certificates (PEM)",
  public_key: "Public key",
  data: "Data",
  content_type: "Content type",
  file_name: "File name",
};

export function fieldLabel(type: SecretType, name: string): string {
  if (type === "key_value") return name;
  return FIELD_LABELS[name] ?? name;
}

/** Fields that hold several lines (PEM blocks, files): edited in a text area. */
export const MULTILINE_FIELDS = new Set(["certificate", "private_key", "certificates", "data"]);

/** The names of the secret fields a secret has: the type's secret fields, or a key/value secret's keys. */
export function secretFieldNames(meta: SecretMeta, types: TypeInfo[] | undefined): string[] {
  if (meta.type === "key_value") return stringList(meta.public_fields.keys);
  const info = types?.find((t) => t.type === meta.type);
  const names = info ? info.fields.filter((f) => f.secret).map((f) => f.name) : [];
  // A certificate without a private key has no such field to reveal.
  if (meta.type === "certificate" && meta.public_fields.has_private_key === false) {
    return names.filter((n) => n !== "private_key");
  }
  return names;
}

/** A JSON value as a list of strings (anything else is dropped). */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A JSON value as text, or null. */
export function text(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
