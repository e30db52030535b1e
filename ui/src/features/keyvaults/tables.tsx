// The key-vault tables: remote secrets (names only), cached entries (never
// values), deployments. Presentational: the pages fetch and act.
import type { DeploymentView, RemoteSecret } from "../../ipc/client";
import { routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { canDecommission, canRetry, needsAdopt, STATE_LABEL, stateBadge } from "./model";
import "../../components/data-table.css";

export function When({ value }: { value: string | null }) {
  if (!value) return <span className="muted">—</span>;
  return <span title={formatDateTime(value)}>{relative(value)}</span>;
}

function tagsText(tags: Partial<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v ?? ""}`)
    .join(", ");
}

/** Remote secrets with a checkbox each (deleted ones cannot be picked). */
export function RemoteSecretsTable({
  items,
  selected,
  onToggle,
  onToggleAll,
}: {
  items: RemoteSecret[];
  selected: ReadonlySet<string>;
  onToggle: (name: string) => void;
  onToggleAll: (names: string[], on: boolean) => void;
}) {
  const pickable = items.filter((s) => !s.deleted).map((s) => s.name);
  const all = pickable.length > 0 && pickable.every((n) => selected.has(n));
  return (
    <table className="data-table kv-table">
      <thead>
        <tr>
          <th className="cell-check">
            <input
              type="checkbox"
              aria-label="Select all on this page"
              checked={all}
              disabled={pickable.length === 0}
              onChange={(e) => onToggleAll(pickable, e.target.checked)}
            />
          </th>
          <th>Name</th>
          <th>Last changed</th>
          <th>Versions</th>
          <th>Tags</th>
          <th>Managed</th>
        </tr>
      </thead>
      <tbody>
        {items.map((s) => (
          <tr key={s.remote_id}>
            <td className="cell-check">
              <input
                type="checkbox"
                aria-label={`Select ${s.name}`}
                checked={selected.has(s.name)}
                disabled={s.deleted}
                onChange={() => onToggle(s.name)}
              />
            </td>
            <td className="cell-name mono">
              {s.name}
              {s.deleted ? <span className="badge badge-deactivated kv-inline">deleted</span> : null}
            </td>
            <td className="small">
              <When value={s.updated_at} />
            </td>
            <td className="small">{s.versions ?? "—"}</td>
            <td className="small muted kv-tags" title={tagsText(s.tags)}>
              {tagsText(s.tags) || "—"}
            </td>
            <td className="small">{s.managed ? <span className="badge badge-active">Coffer</span> : <span className="muted">no</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Deployments with their state, last error and the actions each state allows. */
export function DeploymentsTable({
  deployments,
  busy,
  onRetry,
  onAdopt,
  onDecommission,
  showSecret = true,
}: {
  deployments: DeploymentView[];
  busy: string | null;
  onRetry: (d: DeploymentView) => void;
  onAdopt: (d: DeploymentView) => void;
  onDecommission: (d: DeploymentView) => void;
  showSecret?: boolean;
}) {
  return (
    <table className="data-table kv-table">
      <thead>
        <tr>
          {showSecret ? <th>Secret</th> : <th>Connection</th>}
          <th>Remote name</th>
          <th>State</th>
          <th>Versions</th>
          <th>Last error</th>
          <th className="cell-actions">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => {
          const last = d.versions.find((v) => v.last);
          return (
            <tr key={d.id}>
              <td className="cell-name">
                {showSecret ? (
                  d.secret_id ? (
                    <a href={routeHref({ view: "secret", id: d.secret_id })}>{d.secret}</a>
                  ) : (
                    d.secret
                  )
                ) : (
                  <a href={routeHref({ view: "keyvault", name: d.manager })}>{d.manager}</a>
                )}
                {d.brownfield ? <span className="badge badge-neutral kv-inline">imported</span> : null}
              </td>
              <td className="mono small">{d.remote_name}</td>
              <td>
                <span className={stateBadge(d.state)}>{STATE_LABEL[d.state]}</span>
              </td>
              <td className="small">
                {d.versions.length}
                {last ? <span className="muted"> · last v{last.version}</span> : null}
              </td>
              <td className="small kv-error">{d.last_error ?? <span className="muted">—</span>}</td>
              <td className="cell-actions">
                {canRetry(d.state) ? (
                  <button type="button" className="btn btn-sm" disabled={busy === d.id} onClick={() => onRetry(d)} aria-label={`Retry ${d.remote_name}`}>
                    Retry
                  </button>
                ) : null}
                {needsAdopt(d) ? (
                  <button type="button" className="btn btn-sm" disabled={busy === d.id} onClick={() => onAdopt(d)} aria-label={`Adopt ${d.remote_name}`}>
                    Adopt
                  </button>
                ) : null}
                {canDecommission(d.state) && !d.brownfield ? (
                  <button
                    type="button"
                    className="btn btn-sm btn-danger"
                    disabled={busy === d.id}
                    onClick={() => onDecommission(d)}
                    aria-label={`Decommission ${d.remote_name}`}
                  >
                    Decommission
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
