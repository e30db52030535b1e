import type { SecretStatus } from "../ipc/client";
import { expiryDay, expiryText } from "../lib/time";

/** Days ahead in which an active secret shows as "expiring". */
export const EXPIRING_DAYS = 30;

/**
 * The status as people read it: active, deactivated, expired, or "expires
 * today / tomorrow / in N days" by the calendar-day rule of lib/time.ts.
 */
export function statusView(status: SecretStatus, expiresAt: string | null, now = new Date()) {
  if (status === "active" && expiresAt) {
    const when = expiryDay(expiresAt, now);
    if (when && !when.past && when.days <= EXPIRING_DAYS) {
      return { kind: "expiring" as const, text: expiryText(expiresAt, now) };
    }
  }
  return { kind: status, text: status };
}

export function StatusBadge({ status, expiresAt }: { status: SecretStatus; expiresAt: string | null }) {
  const view = statusView(status, expiresAt);
  return (
    <span className={`badge badge-dot badge-${view.kind}`} title={view.text}>
      {view.text}
    </span>
  );
}
