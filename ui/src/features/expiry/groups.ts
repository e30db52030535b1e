import type { SecretMeta } from "../../ipc/client";

const DAY = 86_400_000;

export type ExpiryGroupKey = "expired" | "week" | "month" | "later";

export type ExpiryGroup = { key: ExpiryGroupKey; title: string; none: string; items: SecretMeta[] };

const GROUPS: Omit<ExpiryGroup, "items">[] = [
  { key: "expired", title: "Expired", none: "Nothing has expired." },
  { key: "week", title: "This week", none: "Nothing expires in the next 7 days." },
  { key: "month", title: "This month", none: "Nothing else expires in the next 30 days." },
  { key: "later", title: "Later", none: "Nothing expires later." },
];

/** Which group an expiry falls in: past, within 7 days, within 30 days, or later. */
export function expiryGroup(expiresAt: string, now: Date): ExpiryGroupKey {
  const left = Date.parse(expiresAt) - now.getTime();
  if (left <= 0) return "expired";
  if (left <= 7 * DAY) return "week";
  if (left <= 30 * DAY) return "month";
  return "later";
}

/** Secrets with an expiry, in the four groups, each sorted soonest first. */
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
