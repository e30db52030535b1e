import type { SecretMeta } from "../../ipc/client";
import { expiryDay } from "../../lib/time";

export type ExpiryGroupKey = "expired" | "today" | "tomorrow" | "week" | "month" | "later";

export type ExpiryGroup = { key: ExpiryGroupKey; title: string; none: string; items: SecretMeta[] };

const GROUPS: Omit<ExpiryGroup, "items">[] = [
  { key: "expired", title: "Expired", none: "Nothing has expired." },
  { key: "today", title: "Today", none: "Nothing else expires today." },
  { key: "tomorrow", title: "Tomorrow", none: "Nothing expires tomorrow." },
  { key: "week", title: "This week", none: "Nothing else expires in the next 7 days." },
  { key: "month", title: "This month", none: "Nothing else expires in the next 30 days." },
  { key: "later", title: "Later", none: "Nothing expires later." },
];

/**
 * Which group an expiry falls in, by the calendar-day rule of lib/time.ts
 * (the one the status chip and the list use): past, today, tomorrow, within
 * 7 days, within 30 days, or later.
 */
export function expiryGroup(expiresAt: string, now: Date): ExpiryGroupKey {
  const when = expiryDay(expiresAt, now);
  if (!when || when.past) return "expired";
  if (when.days <= 0) return "today";
  if (when.days === 1) return "tomorrow";
  if (when.days <= 7) return "week";
  if (when.days <= 30) return "month";
  return "later";
}

/** Secrets with an expiry, in their groups, each sorted soonest first. */
export function groupByExpiry(items: SecretMeta[], now: Date): ExpiryGroup[] {
  const groups = GROUPS.map((g) => ({ ...g, items: [] as SecretMeta[] }));
  const byKey = new Map(groups.map((g) => [g.key, g]));
  for (const item of items) {
    if (!item.expires_at) continue;
    byKey.get(expiryGroup(item.expires_at, now))?.items.push(item);
  }
  for (const g of groups) g.items.sort((a, b) => Date.parse(a.expires_at ?? "") - Date.parse(b.expires_at ?? ""));
  return groups;
}
