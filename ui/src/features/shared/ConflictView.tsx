import { Icon } from "../../components/Icon";
import type { FieldInput, SharedSecretInfo } from "../../ipc/client";
import { formatDate, formatDateTime } from "../../lib/time";

/** A change to a shared secret, kept so that it can be reapplied after a conflict. */
export type PendingChange =
  | { kind: "value"; set: FieldInput[]; keyPassword: string | null }
  | {
      kind: "metadata";
      change: { description?: string | null; labels?: Record<string, string> | null; expiresAt?: string | null; clearExpiry?: boolean };
    }
  | { kind: "status"; status: "active" | "deactivated" | "trashed" };

/** One line of "what changed": what the change was based on, and what is there now. */
export type Difference = { what: string; before: string; now: string };

function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(", ") : "none";
}

function publicText(fields: Partial<Record<string, unknown>>): string {
  return JSON.stringify(fields);
}

/** What another member changed between `mine` (what this page had) and `current`. */
export function differences(mine: SharedSecretInfo, current: SharedSecretInfo): Difference[] {
  const out: Difference[] = [];
  const add = (what: string, before: string, now: string) => {
    if (before !== now) out.push({ what, before, now });
  };
  add("Value", `version ${mine.version}`, `version ${current.version}`);
  add("Status", mine.status, current.status);
  add("Description", mine.meta.description || "(none)", current.meta.description || "(none)");
  add("Labels", labelsText(mine.meta.labels), labelsText(current.meta.labels));
  add("Expires", mine.meta.expires_at ? formatDate(mine.meta.expires_at) : "never", current.meta.expires_at ? formatDate(current.meta.expires_at) : "never");
  add("Write-only", mine.meta.write_only ? "yes" : "no", current.meta.write_only ? "yes" : "no");
  if (mine.version === current.version) add("Public fields", publicText(mine.meta.public_fields), publicText(current.meta.public_fields));
  return out;
}

const CHANGE_TEXT: Record<PendingChange["kind"], string> = {
  value: "your new value",
  metadata: "your change of the details",
  status: "your status change",
};

/**
 * Another member wrote first: who, when, which version, what changed.
 * Nothing was overwritten; the user reapplies on top of the current
 * revision, or drops the change.
 */
export function ConflictView({
  mine,
  current,
  change,
  busy,
  onReapply,
  onDiscard,
}: {
  mine: SharedSecretInfo;
  current: SharedSecretInfo | null;
  change: PendingChange;
  busy: boolean;
  onReapply: () => void;
  onDiscard: () => void;
}) {
  const diff = current ? differences(mine, current) : [];
  return (
    <section className="notice notice-error conflict" role="alert" aria-labelledby="conflict-title">
      <Icon name="alert" />
      <div className="stack conflict-body">
        <h2 id="conflict-title">Someone else changed this secret first</h2>
        {current ? (
          <p>
            <strong>{current.author_name}</strong> saved revision {current.revision} (value version {current.version}) on{" "}
            {formatDateTime(current.updated_at)}, after you opened revision {mine.revision} (value version {mine.version}).{" "}
            <strong>Nothing was overwritten:</strong> {CHANGE_TEXT[change.kind]} was not saved.
          </p>
        ) : (
          <p>
            The secret changed on the server after you opened revision {mine.revision}. <strong>Nothing was overwritten.</strong> Reload to see
            the current version.
          </p>
        )}
        {diff.length ? (
          <table className="conflict-table">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">When you opened it</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {diff.map((d) => (
                <tr key={d.what}>
                  <th scope="row">{d.what}</th>
                  <td>{d.before}</td>
                  <td>{d.now}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={busy || !current} onClick={onReapply}>
            Reapply my change on revision {current?.revision ?? "…"}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={onDiscard}>
            Keep theirs, drop my change
          </button>
        </div>
      </div>
    </section>
  );
}
