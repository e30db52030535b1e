import type { SecretStatus } from "../ipc/client";
import { daysUntil } from "../lib/time";

/** Days ahead in which an active secret shows as "expiring". */
export const EXPIRING_DAYS = 30;

/** The status as people read it: active, deactivated, expired, or expiring in N days. */
export function statusView(status: SecretStatus, expiresAt: string | null, now = new Date()) {
  if (status === "active" && expiresAt) {
    const days = daysUntil(expiresAt, now);
    if (days !== null && days <= EXPIRING_DAYS) {
      const text = days <= 0 ? "expires today" : days === 1 ? "expires in 1 day" : `expires in ${days} days`;
      return { kind: "expiring" as const, text };
    }
  }
  return { kind: status, text: status };
}

export function StatusBadge({ status, expiresAt }: { status: SecretStatus; expiresAt: string | null }) {
  const view = statusView(status, expiresAt);
  return <span className={`badge badge-dot badge-${view.kind}`}>{view.text}</span>;
}
