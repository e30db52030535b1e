import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { api, CofferError, errorMessage, type TeamAuditEntry, type TeamMember } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { formatDateTime } from "../../lib/time";
import { actionLabel } from "./model";

/** Rows shown before "Show all". */
const FIRST_ROWS = 200;

/**
 * The team vault's audit: the whole chain verified (from this desktop's checkpoint) before
 * anything is listed; a chain that does not verify is shown as tampered, with no entries.
 */
export function AuditPanel({ team }: { team: string }) {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [all, setAll] = useState(false);
  const members = useQuery({ queryKey: keys.teamMembers(team), queryFn: () => api.teamMembers(team), retry: false });
  const audit = useQuery({
    queryKey: keys.teamAudit(team, actor, action),
    queryFn: () => api.teamAudit(team, actor || null, action || null),
    retry: false,
  });
  const people = members.data ?? [];
  const tampered = audit.error instanceof CofferError && audit.error.code === "tampered";
  const data = audit.data;
  const rows = data ? (all ? data.entries : data.entries.slice(0, FIRST_ROWS)) : [];
  return (
    <section className="card stack" aria-labelledby="team-audit-title">
      <div className="card-head" style={{ marginBottom: 0 }}>
        <h2 id="team-audit-title">Audit</h2>
        {data?.verified_seq != null ? (
          <span className="badge badge-dot badge-active" data-testid="audit-verified">
            chain verified up to entry {data.verified_seq}
            {data.verified_at ? `, ${formatDateTime(data.verified_at)}` : ""}
          </span>
        ) : null}
        {tampered ? (
          <span className="badge badge-dot badge-expired" data-testid="audit-tampered">
            tampered
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={() => void audit.refetch()} disabled={audit.isFetching}>
          <Icon name="refresh" /> Verify again
        </button>
      </div>
      <p className="small muted">
        Every change and every reveal is an entry, chained to the one before and signed by its author. Coffer checks the chain before it shows
        any of it.
      </p>
      <div className="team-two team-audit-filters">
        <label className="field">
          <span>Member</span>
          <select className="input" value={actor} onChange={(e) => setActor(e.target.value)} aria-label="Filter by member">
            <option value="">All members</option>
            {people.map((m) => (
              <option key={m.id} value={m.id}>
                {m.display_name ?? m.id.slice(0, 8)}
                {m.status === "removed" ? " (removed)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Action</span>
          <select className="input" value={action} onChange={(e) => setAction(e.target.value)} aria-label="Filter by action">
            <option value="">All actions</option>
            {(data?.actions ?? (action ? [action] : [])).map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)} ({a})
              </option>
            ))}
          </select>
        </label>
      </div>
      {audit.isPending ? (
        <p className="muted" aria-busy="true">
          Verifying the audit chain…
        </p>
      ) : null}
      {audit.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <div className="stack" style={{ gap: 4 }}>
            <p>{tampered ? "The audit chain does not verify: an entry was changed, removed or forged on the server." : errorMessage(audit.error)}</p>
            {tampered ? <p className="small">{errorMessage(audit.error)} Nothing is shown.</p> : null}
          </div>
        </div>
      ) : null}
      {data ? (
        rows.length === 0 ? (
          <p className="muted">{data.total === 0 ? "No entries yet." : "No entry matches these filters."}</p>
        ) : (
          <>
            <table className="data-table team-audit">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Time</th>
                  <th>Member</th>
                  <th>Action</th>
                  <th>Target</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.seq} data-action={e.action}>
                    <td className="mono small muted">{e.seq}</td>
                    <td className="small">{formatDateTime(e.at)}</td>
                    <td>{e.actor_name ?? <span className="mono small">{e.actor.slice(0, 8)}</span>}</td>
                    <td>
                      {actionLabel(e.action)}
                      <div className="mono small muted">{e.action}</div>
                    </td>
                    <td className="small">{target(e, people)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="small muted">
              {data.entries.length === data.total ? `${data.total} entries` : `${data.entries.length} of ${data.total} entries`}
              {!all && data.entries.length > FIRST_ROWS ? (
                <>
                  {" "}
                  <button type="button" className="btn btn-sm" onClick={() => setAll(true)}>
                    Show all {data.entries.length}
                  </button>
                </>
              ) : null}
            </p>
          </>
        )
      ) : null}
    </section>
  );
}

/** A member target by name where readable; other targets (secrets, invitations) by short id. */
function target(e: TeamAuditEntry, people: TeamMember[]) {
  const member = people.find((m) => m.id === e.target);
  if (member?.display_name) return member.display_name;
  return (
    <span className="mono" title={e.target}>
      {e.target.slice(0, 8)}
    </span>
  );
}
