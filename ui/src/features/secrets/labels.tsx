import { useQuery } from "@tanstack/react-query";

import type { ComboOption } from "../../components/Combobox";
import { api, type LabelCount } from "../../ipc/client";
import { keys } from "../../lib/queries";

/** `key=value` (or `key` alone, meaning "has this label") as a filter term. */
export function parseLabel(text: string): [string, string | null] | null {
  const [key, ...value] = text.trim().split("=");
  const k = key?.trim() ?? "";
  if (!k) return null;
  return [k, value.length ? value.join("=").trim() : null];
}

/** The vault's labels (live secrets), for autocompletion; refreshed with the list. */
export function useLabelCounts(enabled = true) {
  return useQuery({
    queryKey: [...keys.secrets, "labels"],
    queryFn: api.labelValues,
    staleTime: 30_000,
    enabled,
  });
}

/** The distinct label keys in use. */
export function labelKeys(counts: LabelCount[] | undefined): string[] {
  return [...new Set((counts ?? []).map((c) => c.key))];
}

/** How many suggestions a label field shows at most. */
const MAX_OPTIONS = 50;

const secretsNote = (n: number) => (n === 1 ? "1 secret" : `${n} secrets`);

/** Items whose name contains `typed` (any case), those starting with it first, then by use. */
function ranked<T>(items: T[], name: (item: T) => string, uses: (item: T) => number, typed: string): T[] {
  const t = typed.trim().toLowerCase();
  return items
    .map((item) => ({ item, at: name(item).toLowerCase().indexOf(t) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => Number(a.at !== 0) - Number(b.at !== 0) || uses(b.item) - uses(a.item) || name(a.item).localeCompare(name(b.item)))
    .map(({ item }) => item)
    .slice(0, MAX_OPTIONS);
}

/** The keys in use with how many secrets carry each. */
function keyUses(counts: LabelCount[] | undefined): { key: string; uses: number }[] {
  const uses = new Map<string, number>();
  for (const c of counts ?? []) uses.set(c.key, (uses.get(c.key) ?? 0) + c.count);
  return [...uses].map(([key, n]) => ({ key, uses: n }));
}

/** Suggestions for a label key field: the keys in use that match what is typed. */
export function labelKeyOptions(counts: LabelCount[] | undefined, typed: string, keepExact = false): ComboOption[] {
  return ranked(keyUses(counts), (k) => k.key, (k) => k.uses, typed)
    .filter((k) => keepExact || k.key !== typed.trim())
    .map((k) => ({ text: k.key, label: k.key, note: secretsNote(k.uses) }));
}

/** Suggestions for the value of label `key`: its values in use that match what is typed. */
export function labelValueOptions(counts: LabelCount[] | undefined, key: string, typed: string): ComboOption[] {
  const values = (counts ?? []).filter((c) => c.key === key.trim());
  return ranked(values, (c) => c.value, (c) => c.count, typed)
    .filter((c) => c.value !== typed.trim())
    .map((c) => ({ text: c.value, label: c.value, note: secretsNote(c.count) }));
}

/**
 * Suggestions while a label is typed as `key=value`: keys until there is an
 * "=" (picking one gives "key=" and the list goes on with its values), then
 * the values that key has.
 */
export function labelPairOptions(counts: LabelCount[] | undefined, typed: string): ComboOption[] {
  const at = typed.indexOf("=");
  if (at < 0) return labelKeyOptions(counts, typed, true).map((k) => ({ ...k, text: `${k.text}=` }));
  const key = typed.slice(0, at).trim();
  return labelValueOptions(counts, key, typed.slice(at + 1)).map((v) => ({ ...v, text: `${key}=${v.text}`, label: `${key}=${v.text}` }));
}
