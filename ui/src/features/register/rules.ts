// The checks of coffer-core's `secret::validate` and `secret::data`, so the
// wizard says what is wrong before anything is sent. The shell checks again.
import { charCount, hasControl } from "../detail/textRules";

/** Largest value of one field (`validate::MAX_VALUE_BYTES`). */
export const MAX_VALUE_BYTES = 1024 * 1024;
/** Largest secret, all fields together (`validate::MAX_SECRET_BYTES`). */
export const MAX_SECRET_BYTES = 4 * 1024 * 1024;

const NAME_CHARS = /^[A-Za-z0-9._/-]+$/;
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** UTF-8 length of a string, as the shell measures field values. */
export function utf8Bytes(value: string): number {
  return new TextEncoder().encode(value).length;
}

/** `validate::name`: `[A-Za-z0-9._/-]{1,128}` (secret, organization and project names). */
export function nameProblem(value: string): string | null {
  if (!value) return "Give it a name.";
  if (value.length > 128) return "At most 128 characters.";
  if (!NAME_CHARS.test(value)) {
    const bad = Array.from(value).find((c) => !NAME_CHARS.test(c)) ?? "";
    const shown = bad === " " ? "a space" : `"${bad}"`;
    return `${shown.charAt(0).toUpperCase()}${shown.slice(1)} is not allowed: use letters, digits, '.', '_', '/', '-'.`;
  }
  return null;
}

/** `validate::header_name`: an RFC 9110 token. */
export function headerNameProblem(value: string): string | null {
  if (!value) return "Give the header's name.";
  if (value.length > 256) return "At most 256 characters.";
  if (!HEADER_TOKEN.test(value)) return "A header name is letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons).";
  return null;
}

/** `validate::header_value`: no line breaks or NUL. */
export function headerValueProblem(value: string): string | null {
  return /[\r\n\0]/.test(value) ? "A header value cannot hold line breaks." : null;
}

/** `validate::public_text`: a single line, at most 1024 characters (after trimming). */
export function publicTextProblem(value: string, required: boolean): string | null {
  const trimmed = value.trim();
  if (required && !trimmed) return "This field is required.";
  if (charCount(trimmed) > 1024) return "At most 1024 characters.";
  if (hasControl(trimmed)) return "No line breaks or control characters.";
  return null;
}

/** `validate::value_size` plus the required check of `take_secret`. */
export function secretTextProblem(value: string, required: boolean): string | null {
  if (required && value === "") return "This field is required.";
  if (utf8Bytes(value) > MAX_VALUE_BYTES) return "A value may be at most 1 MiB.";
  return null;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host === "[::1]") return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return v4 !== null && v4[1] === "127";
}

/** `validate::credential_url`: parses, https unless the host is loopback, no credentials. */
export function credentialUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter a full URL, like https://idp.example.com/oauth/token.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `${url.protocol.replace(":", "")} is not http(s).`;
  if (!url.hostname) return "The URL has no host.";
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    return "Use https:// (http:// only for localhost or 127.0.0.1).";
  }
  if (url.username || url.password) return "The URL must not carry a user or password.";
  return null;
}

const SCOPE_CHAR = (c: string) => {
  const n = c.codePointAt(0) ?? 0;
  return n === 0x21 || (n >= 0x23 && n <= 0x5b) || (n >= 0x5d && n <= 0x7e);
};

/** `validate::scopes`: separated by spaces, commas, tabs or lines; duplicates dropped. */
export function parseScopes(value: string): { scopes: string[]; problem: string | null } {
  const scopes: string[] = [];
  for (const scope of value.split(/[ ,\n\t]/).filter(Boolean)) {
    const bad = Array.from(scope).find((c) => !SCOPE_CHAR(c));
    if (bad !== undefined) {
      const shown = bad === "\r" ? "a carriage return" : `"${bad}"`;
      return { scopes, problem: `${shown} is not allowed in a scope.` };
    }
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return { scopes, problem: null };
}

/** `validate::key_name`: a key of a key/value secret. */
export function keyNameProblem(key: string): string | null {
  if (!key) return "Keys must not be empty.";
  if (charCount(key) > 256) return "Keys are at most 256 characters.";
  if (hasControl(key) || /[\s=#{}$]/u.test(key)) return "Keys cannot hold spaces or = # { } $.";
  return null;
}

/** `validate::labels`: keys like names (at most 63), values at most 256 characters. */
export function labelProblem(key: string, value: string): string | null {
  if (!key || key.length > 63 || !NAME_CHARS.test(key)) {
    return "Label keys are 1-63 letters, digits, '.', '_', '/', '-'.";
  }
  if (charCount(value) > 256 || hasControl(value)) return "Label values are at most 256 characters, on one line.";
  return null;
}

/** `data` content types: something like `text/plain`. */
export function contentTypeProblem(value: string): string | null {
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (!trimmed.includes("/") || /\s/.test(trimmed)) return "A media type looks like text/plain.";
  return publicTextProblem(trimmed, false);
}
