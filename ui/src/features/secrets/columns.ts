import { useCallback, useState } from "react";

import type { SortKey } from "../../ipc/client";

/** The optional columns of the secrets table (the name always shows). */
export type ColumnKey = "type" | "status" | "created" | "expires" | "labels";

export const COLUMNS: { key: ColumnKey; label: string; sort: SortKey | null; width: string }[] = [
  { key: "type", label: "Type", sort: "type", width: "var(--col-type, 118px)" },
  // Wide enough for "expires in 29 days", the longest chip.
  { key: "status", label: "Status", sort: "status", width: "158px" },
  { key: "created", label: "Created", sort: "created", width: "104px" },
  // A date and "(in 29 days)": never cut (narrow windows show the date, the chip says how soon).
  { key: "expires", label: "Expires", sort: "expires", width: "var(--col-expires, 188px)" },
  { key: "labels", label: "Labels", sort: null, width: "minmax(110px, 2fr)" },
];

/** Shown until someone chooses: the creation date is one click away in "Columns". */
export const DEFAULT_COLUMNS: ColumnKey[] = ["type", "status", "expires", "labels"];

const STORAGE_KEY = "coffer.secrets.columns";

function load(): ColumnKey[] {
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "null");
    if (Array.isArray(stored)) {
      const known = COLUMNS.map((c) => c.key) as string[];
      return stored.filter((k): k is ColumnKey => typeof k === "string" && known.includes(k));
    }
  } catch {
    // A damaged entry: the defaults.
  }
  return DEFAULT_COLUMNS;
}

/** The shown columns, kept in local storage across restarts. */
export function useColumns(): [ColumnKey[], (key: ColumnKey, shown: boolean) => void] {
  const [shown, setShown] = useState<ColumnKey[]>(load);
  const toggle = useCallback((key: ColumnKey, on: boolean) => {
    setShown((current) => {
      const next = COLUMNS.map((c) => c.key).filter((k) => (k === key ? on : current.includes(k)));
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // Storage full or off: the choice lasts until the window closes.
      }
      return next;
    });
  }, []);
  return [shown, toggle];
}

/** The grid template for the shown columns: checkbox, name, then each one. */
export function gridTemplate(shown: ColumnKey[]): string {
  const rest = COLUMNS.filter((c) => shown.includes(c.key)).map((c) => c.width);
  const nameGrows = !shown.includes("labels");
  return ["28px", nameGrows ? "minmax(var(--col-name-min, 160px), 1fr)" : "minmax(var(--col-name-min, 160px), 3fr)", ...rest].join(" ");
}
