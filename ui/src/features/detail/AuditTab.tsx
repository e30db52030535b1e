import { useQuery } from "@tanstack/react-query";

import { api, errorMessage, type AuditEntry } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { jsonText } from "./textRules";

const ACTIONS: Record<string, string> = {
  "secret.create": "Registered",
  "secret.reveal": "Revealed",
  "secret.copy": "Copied",
  "secret.export": "Saved to a file",
  "secret.use": "Used",
  "secret.update": "Edited details",
  "secret.update_value": "Changed value",
  "secret.change_password": "Changed store password",
  "secret.deactivate": "Deactivated",
  "secret.activate": "Activated",
  "secret.delete": "Moved to the trash",
  "secret.undelete": "Restored from the trash",
  "secret.purge": "Destroyed",
  "secret.move": "Moved organization",
  "secret.prune_versions": "Destroyed old versions",
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** An entry's details (never values) as one line of text. */
export function detailText(detail: AuditEntry["detail"]): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => {
      const shown = Array.isArray(v) ? v.map(jsonText).join(", ") : jsonText(v);
      return `${k.replace(/_/g, " ")}: ${shown}`;
    })
    .join(" · ");
}

/** The newest 100 audit entries about this secret. */
export function AuditTab({ id }: { id: string }) {
  const entries = useQuery({ queryKey: keys.audit(id), queryFn: () => api.auditEntries(id, 100) });
  if (entries.isPending) return <p className="muted">Loading the audit log…</p>;
  if (entries.error) {
    return (
      <div className="notice notice-error" role="alert">
        {errorMessage(entries.error)}
      </div>
    );
  }
  if (entries.data.length === 0) return <p className="muted">No audit entries.</p>;
  return (
    <div className="stack">
      <p className="muted small">
        The newest {entries.data.length === 100 ? "100 " : ""}entries, newest first. Values are never written to the log.{" "}
        <a href={routeHref({ view: "audit", secret: id })}>Filter, verify or export them in the audit log</a>
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.data.map((entry) => (
            <tr key={entry.seq}>
              <td className="nowrap" title={entry.at}>
                {formatDateTime(entry.at)}
                <div className="muted small">{relative(entry.at)}</div>
              </td>
              <td>{entry.actor}</td>
              <td title={entry.action}>{actionLabel(entry.action)}</td>
              <td className="small">{detailText(entry.detail) || <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
