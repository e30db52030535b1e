import { useQuery } from "@tanstack/react-query";

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

/** Suggestions for a label field: every `key=value` in use, and each key alone. */
export function labelSuggestions(counts: LabelCount[] | undefined, withKeys = true): string[] {
  if (!counts) return [];
  const pairs = counts.map((c) => `${c.key}=${c.value}`);
  const keysOnly = withKeys ? [...new Set(counts.map((c) => c.key))] : [];
  return [...keysOnly, ...pairs];
}

/** The distinct label keys in use. */
export function labelKeys(counts: LabelCount[] | undefined): string[] {
  return [...new Set((counts ?? []).map((c) => c.key))];
}

/** A `<datalist>` of suggestions, for inputs with `list={id}`. */
export function LabelDatalist({ id, options }: { id: string; options: string[] }) {
  return (
    <datalist id={id}>
      {options.map((o) => (
        <option key={o} value={o} />
      ))}
    </datalist>
  );
}
