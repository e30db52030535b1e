// A passphrase strength estimate for the first-run screen: length and
// variety, with the common weak patterns penalised. 0 (weak) to 4 (strong).

const COMMON = ["password", "passphrase", "123456", "qwerty", "letmein", "admin", "coffer", "secret"];

export type Strength = { score: 0 | 1 | 2 | 3 | 4; label: string; bits: number };

export function passphraseStrength(value: string): Strength {
  if (!value) return { score: 0, label: "Too short", bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(value)) pool += 26;
  if (/[A-Z]/.test(value)) pool += 26;
  if (/\d/.test(value)) pool += 10;
  if (/[^A-Za-z0-9]/.test(value)) pool += 33;
  const unique = new Set(value).size;
  let bits = Math.log2(Math.max(pool, 2)) * Math.min(value.length, unique * 2.5);
  const lower = value.toLowerCase();
  if (COMMON.some((word) => lower.includes(word))) bits -= 20;
  if (/^(.)\1+$/.test(value)) bits = Math.min(bits, 8);
  // Several words separated by spaces or dashes are strong even in one case.
  if (value.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 3).length >= 4) bits += 15;
  bits = Math.max(0, Math.round(bits));
  const score: Strength["score"] = value.length < 8 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const label = ["Too short", "Weak", "Fair", "Good", "Strong"][score] ?? "Weak";
  return { score, label, bits };
}
