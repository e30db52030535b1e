// Where a value comes from: a file dropped on the window or chosen in the
// native dialog (a token; its bytes stay in the shell), a file read by the
// page (base64), or text typed or pasted.
import type { FieldValue, HandedFile, SecretType } from "../../ipc/client";
import { MAX_VALUE_BYTES } from "./rules";

export type Source = {
  /** What people see: the file name, or "Pasted text". */
  name: string;
  /** Size in bytes. */
  size: number;
  /** What the shell receives. */
  value: FieldValue;
  /** The media type the page was told (file inputs only). */
  mediaType?: string;
};

export function fromHandedFile(file: HandedFile): Source {
  return { name: file.name, size: file.size, value: { kind: "file", token: file.token } };
}

export function fromText(text: string, name = "Pasted text"): Source {
  return { name, size: new TextEncoder().encode(text).length, value: { kind: "text", text } };
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function readBytes(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = reader.result;
      if (result instanceof ArrayBuffer) resolve(new Uint8Array(result));
      else reject(new Error(`Could not read ${file.name}.`));
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}.`));
    reader.readAsArrayBuffer(file);
  });
}

/** Reads a file from an `<input type=file>`; refuses one larger than a field may hold. */
export async function fromBrowserFile(file: File): Promise<Source> {
  if (file.size > MAX_VALUE_BYTES) throw new Error(`${file.name} is larger than 1 MiB, the most one field may hold.`);
  const bytes = await readBytes(file);
  const source: Source = { name: file.name, size: bytes.length, value: { kind: "base64", data: toBase64(bytes) } };
  if (file.type) source.mediaType = file.type;
  return source;
}

/** Whether a source is over the size one field may hold. */
export function tooLarge(source: Source): boolean {
  return source.size > MAX_VALUE_BYTES;
}

const lower = (name: string) => name.toLowerCase();

/** Whether a file name looks like a private key rather than a certificate. */
export function looksLikeKey(name: string): boolean {
  const n = lower(name);
  return /\.key$|privkey|private|[-_.]key\.pem$/.test(n);
}

/** The type a dropped file most likely registers as, from its name. */
export function guessType(name: string): SecretType {
  const n = lower(name);
  if (/\.(env|json)$/.test(n) || n === ".env" || n.startsWith(".env.")) return "key_value";
  if (/^id_(rsa|ecdsa|ed25519|dsa)$/.test(n) || /\.(ssh|openssh)$/.test(n)) return "ssh_key_pair";
  if (/(^|[-_.])(ca|cas|bundle|chain|trust|roots?)([-_.]|$)/.test(n) && /\.(pem|crt|cer)$/.test(n)) return "ca_bundle";
  if (/\.(pem|crt|cer|der|p12|pfx|key)$/.test(n)) return "certificate";
  return "data";
}

const MEDIA_TYPES: Record<string, string> = {
  txt: "text/plain",
  json: "application/json",
  yaml: "application/yaml",
  yml: "application/yaml",
  xml: "application/xml",
  pem: "application/x-pem-file",
  crt: "application/x-x509-ca-cert",
  der: "application/x-x509-ca-cert",
  p12: "application/x-pkcs12",
  pfx: "application/x-pkcs12",
  jks: "application/x-java-keystore",
  zip: "application/zip",
  gz: "application/gzip",
  pdf: "application/pdf",
  lic: "text/plain",
  conf: "text/plain",
  ini: "text/plain",
  env: "text/plain",
  csv: "text/csv",
  html: "text/html",
  png: "image/png",
};

/** A media type for a file, from what the page was told or its extension; "" when unknown. */
export function guessMediaType(source: Source): string {
  if (source.mediaType) return source.mediaType;
  const ext = /\.([a-z0-9]+)$/.exec(lower(source.name))?.[1];
  if (ext && MEDIA_TYPES[ext]) return MEDIA_TYPES[ext];
  if (/kubeconfig|^config$/.test(lower(source.name))) return "application/yaml";
  return "";
}
