import { useQuery, useQueryClient } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type TeamStatus, type TeamVaultEntry } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { formatDateTime } from "../../lib/time";
import { AuditPanel } from "./AuditPanel";
import { Fingerprint } from "./Fingerprint";
import { InvitationsPanel } from "./InvitationsPanel";
import { MembersPanel } from "./MembersPanel";
import { advice, roleLabel } from "./model";
import { TeamStart } from "./TeamStart";
import "../../components/data-table.css";
import "./team.css";

/** The team vault section: start (create or join), or this member's status and the members. */
export function TeamPage() {
  const vaults = useQuery({ queryKey: keys.teamVaults, queryFn: api.teamVaults });
  const team = vaults.data?.[0];
  return (
    <div className="page team-page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Team vault</h1>
          <p className="muted">Share organizations with other administrators through PostgreSQL. The server stores only what it cannot read.</p>
        </div>
      </div>
      {vaults.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(vaults.error)}</p>
        </div>
      ) : null}
      {vaults.isPending ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : null}
      {vaults.isSuccess && !team ? <TeamStart /> : null}
      {team ? <TeamOverview team={team} /> : null}
    </div>
  );
}

function TeamOverview({ team }: { team: TeamVaultEntry }) {
  const client = useQueryClient();
  const status = useQuery({ queryKey: keys.teamStatus(team.team_id), queryFn: () => api.teamStatus(team.team_id), retry: false });
  const retry = () => {
    void client.invalidateQueries({ queryKey: keys.teamStatus(team.team_id) });
    void client.invalidateQueries({ queryKey: keys.teamMembers(team.team_id) });
    void client.invalidateQueries({ queryKey: keys.teamInvitations(team.team_id) });
    void client.invalidateQueries({ queryKey: ["team-audit", team.team_id] });
  };
  if (status.isPending) {
    return (
      <section className="card" aria-busy="true">
        <p className="muted">Connecting to {team.server}…</p>
      </section>
    );
  }
  if (status.isError) {
    const hint = advice(status.error);
    return (
      <section className="card team-status" aria-labelledby="team-status-title">
        <div className="card-head">
          <h2 id="team-status-title">{team.server}</h2>
          <span className="badge badge-dot badge-expired">unreachable</span>
          <span className="spacer" />
          <button type="button" className="btn btn-sm" onClick={retry}>
            <Icon name="refresh" /> Try again
          </button>
        </div>
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <div className="stack" style={{ gap: 4 }}>
            <p>{errorMessage(status.error)}</p>
            {hint ? <p className="small">{hint}</p> : null}
          </div>
        </div>
        <p className="small muted">
          Team vault <span className="mono">{team.team_id}</span>, joined {formatDateTime(team.joined_at)}.
        </p>
      </section>
    );
  }
  const s = status.data;
  return (
    <>
      <StatusCard status={s} onRefresh={retry} refreshing={status.isFetching} />
      {s.state === "pending" ? <PendingPanel status={s} /> : null}
      {s.state === "active" ? <MembersPanel team={team.team_id} admin={s.role === "administrator"} me={s.member_id} /> : null}
      {s.state === "active" && s.role === "administrator" ? <InvitationsPanel team={team.team_id} /> : null}
      {s.state === "active" ? <AuditPanel team={team.team_id} /> : null}
      {s.state === "removed" ? (
        <div className="notice notice-warn" role="status">
          <Icon name="alert" />
          <p>You are no longer a member of this team vault.</p>
        </div>
      ) : null}
    </>
  );
}

function StatusCard({ status, onRefresh, refreshing }: { status: TeamStatus; onRefresh: () => void; refreshing: boolean }) {
  const connected = status.state === "active";
  return (
    <section className="card team-status" aria-labelledby="team-status-title">
      <div className="card-head">
        <h2 id="team-status-title">{status.server}</h2>
        {connected ? (
          <span className="badge badge-dot badge-active">connected</span>
        ) : (
          <span className="badge badge-dot badge-expiring">{status.state === "pending" ? "waiting for confirmation" : status.state}</span>
        )}
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={onRefresh} disabled={refreshing}>
          <Icon name="refresh" /> Refresh
        </button>
      </div>
      <dl className="team-facts">
        <dt>My role</dt>
        <dd>{roleLabel(status.role)}</dd>
        <dt>My fingerprint</dt>
        <dd>
          <Fingerprint value={status.fingerprint} />
        </dd>
        <dt>Schema version</dt>
        <dd>{status.schema_version ?? "—"}</dd>
        <dt>Revision</dt>
        <dd>{status.revision ?? "—"}</dd>
        <dt>Team vault</dt>
        <dd className="mono small">{status.team_id}</dd>
        <dt>Member id</dt>
        <dd className="mono small">{status.member_id}</dd>
      </dl>
    </section>
  );
}

/** After joining: the fingerprint, large, for the administrator to compare. */
function PendingPanel({ status }: { status: TeamStatus }) {
  return (
    <section className="card team-pending" aria-labelledby="team-pending-title">
      <h2 id="team-pending-title">Read this to your administrator</h2>
      <p className="muted">
        Your administrator confirms you by typing this fingerprint, read out by you over a channel you both trust (in person, a call). Until then
        the server keeps you pending and you can read nothing.
      </p>
      <Fingerprint value={status.fingerprint} large />
    </section>
  );
}
