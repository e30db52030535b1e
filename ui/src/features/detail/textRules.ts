// Character rules shared by the edit forms, as coffer-core counts them (Unicode scalar values).

export function charCount(value: string): number {
  return Array.from(value).length;
}

export function hasControl(value: string): boolean {
  for (const c of value) {
    const n = c.codePointAt(0) ?? 0;
    if (n < 32 || (n >= 127 && n < 160)) return true;
  }
  return false;
}

/** A JSON value as one line of text. */
export function jsonText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return value.toString();
  if (value === undefined) return "";
  return JSON.stringify(value);
}
