import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, type TeamInvitationInfo } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { formatDateTime } from "../../lib/time";
import { invitationLabel, roleLabel } from "./model";
import { ErrorNotice } from "./TeamStart";

const STATE_BADGE: Record<string, string> = {
  open: "badge-expiring",
  used: "badge-active",
  expired: "badge-neutral",
  revoked: "badge-deactivated",
};

/** Invitations (administrators): pending, used, expired or revoked; a pending one can be revoked. */
export function InvitationsPanel({ team }: { team: string }) {
  const invitations = useQuery({ queryKey: keys.teamInvitations(team), queryFn: () => api.teamInvitations(team), retry: false });
  const members = useQuery({ queryKey: keys.teamMembers(team), queryFn: () => api.teamMembers(team), retry: false });
  const [revoking, setRevoking] = useState<TeamInvitationInfo | null>(null);
  const list = invitations.data ?? [];
  const name = (id: string) => members.data?.find((m) => m.id === id)?.display_name ?? id.slice(0, 8);
  return (
    <section className="card stack" aria-labelledby="team-invitations-title">
      <div className="card-head" style={{ marginBottom: 0 }}>
        <h2 id="team-invitations-title">Invitations</h2>
        <span className="spacer" />
      </div>
      {invitations.isError ? <ErrorNotice error={invitations.error} /> : null}
      {invitations.isPending ? (
        <p className="muted" aria-busy="true">
          Loading invitations…
        </p>
      ) : null}
      {invitations.isSuccess && list.length === 0 ? <p className="muted">No invitations yet.</p> : null}
      {list.length > 0 ? (
        <table className="data-table team-invitations">
          <thead>
            <tr>
              <th>Invitation</th>
              <th>Role</th>
              <th>State</th>
              <th>Expires</th>
              <th>Made by</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id} data-invitation={i.id} data-state={i.state}>
                <td className="mono small" title={i.id}>
                  {i.id.slice(0, 8)}
                </td>
                <td>{roleLabel(i.role)}</td>
                <td>
                  <span className={`badge badge-dot ${STATE_BADGE[i.state] ?? "badge-neutral"}`}>{invitationLabel(i.state)}</span>
                  {i.used_at ? <div className="small muted">used {formatDateTime(i.used_at)}</div> : null}
                  {i.revoked_at ? <div className="small muted">revoked {formatDateTime(i.revoked_at)}</div> : null}
                </td>
                <td className="small">{formatDateTime(i.expires_at)}</td>
                <td className="small">{name(i.created_by)}</td>
                <td>
                  {i.state === "open" ? (
                    <button type="button" className="btn btn-sm" onClick={() => setRevoking(i)} aria-label={`Revoke invitation ${i.id.slice(0, 8)}`}>
                      <Icon name="trash" /> Revoke…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? <RevokeDialog team={team} invitation={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}

function RevokeDialog({ team, invitation, onClose }: { team: string; invitation: TeamInvitationInfo; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.revokeTeamInvitation(team, invitation.id);
      await client.invalidateQueries({ queryKey: keys.teamInvitations(team) });
      await client.invalidateQueries({ queryKey: ["team-audit", team] });
      toast.info("The invitation is revoked: its ticket no longer works.");
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      title="Revoke the invitation"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void revoke()}>
            {busy ? "Revoking…" : "Revoke"}
          </button>
        </>
      }
    >
      <p>
        Invitation <span className="mono">{invitation.id.slice(0, 8)}</span> ({roleLabel(invitation.role).toLowerCase()}, until{" "}
        {formatDateTime(invitation.expires_at)}) stops working: whoever holds its ticket can no longer join with it. This is recorded in the audit.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}
