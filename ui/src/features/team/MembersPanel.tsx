import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, type TeamInvitation, type TeamMember, type TeamRemoved } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { formatDateTime } from "../../lib/time";
import { Fingerprint } from "./Fingerprint";
import { EXPIRY_CHOICES, fingerprintProblem, roleLabel } from "./model";
import { ErrorNotice } from "./TeamStart";

const STATUS_BADGE: Record<string, string> = {
  active: "badge-active",
  pending: "badge-expiring",
  removed: "badge-deactivated",
};

/** Members with roles, status and fingerprints; administrators invite and confirm. */
export function MembersPanel({ team, admin, me }: { team: string; admin: boolean; me: string }) {
  const members = useQuery({ queryKey: keys.teamMembers(team), queryFn: () => api.teamMembers(team), retry: false });
  const [inviting, setInviting] = useState(false);
  const [confirming, setConfirming] = useState<TeamMember | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const list = members.data ?? [];
  const pending = list.filter((m) => m.status === "pending").length;
  return (
    <section className="card stack" aria-labelledby="team-members-title">
      <div className="card-head" style={{ marginBottom: 0 }}>
        <h2 id="team-members-title">Members</h2>
        {pending > 0 ? <span className="badge badge-expiring">{pending} waiting for confirmation</span> : null}
        <span className="spacer" />
        {admin ? (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setInviting(true)}>
            <Icon name="plus" /> Invite…
          </button>
        ) : null}
      </div>
      {members.isError ? <ErrorNotice error={members.error} /> : null}
      {members.isPending ? (
        <p className="muted" aria-busy="true">
          Loading members…
        </p>
      ) : null}
      {list.length > 0 ? (
        <table className="data-table team-members">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th>Fingerprint</th>
              <th>Confirmed by</th>
              {admin ? <th aria-label="Actions" /> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.id} data-member={m.id}>
                <td className="cell-name">
                  {m.display_name ?? <span className="muted">(name not readable)</span>}
                  <div className="mono small muted" title={m.id}>
                    {m.id.slice(0, 8)}
                  </div>
                </td>
                <td>{roleLabel(m.role)}</td>
                <td>
                  <span className={`badge badge-dot ${STATUS_BADGE[m.status] ?? "badge-neutral"}`}>{m.status}</span>
                </td>
                <td>
                  <Fingerprint value={m.fingerprint} />
                </td>
                <td className="small">{confirmer(m, list)}</td>
                {admin ? (
                  <td>
                    {m.status === "pending" ? (
                      <button type="button" className="btn btn-sm" onClick={() => setConfirming(m)} aria-label={`Confirm ${m.display_name ?? m.id}`}>
                        <Icon name="check" /> Confirm…
                      </button>
                    ) : null}
                    {m.status === "active" && m.id !== me ? (
                      <button type="button" className="btn btn-sm" onClick={() => setRemoving(m)} aria-label={`Remove ${m.display_name ?? m.id}`}>
                        <Icon name="trash" /> Remove…
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {inviting ? <InviteDialog team={team} onClose={() => setInviting(false)} /> : null}
      {removing ? <RemoveMemberDialog team={team} member={removing} onClose={() => setRemoving(null)} /> : null}
      {confirming ? <ConfirmMemberDialog team={team} member={confirming} onClose={() => setConfirming(null)} /> : null}
    </section>
  );
}

function confirmer(m: TeamMember, list: TeamMember[]): string {
  if (!m.confirmed_by) return "—";
  if (m.confirmed_by === m.id) return "self (creator)";
  return list.find((x) => x.id === m.confirmed_by)?.display_name ?? m.confirmed_by.slice(0, 8);
}

/** Role and lifetime, then the ticket, shown once. */
function InviteDialog({ team, onClose }: { team: string; onClose: () => void }) {
  const client = useQueryClient();
  const [role, setRole] = useState("member");
  const [hours, setHours] = useState(24);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invitation, setInvitation] = useState<TeamInvitation | null>(null);
  const ticketId = useId();
  const invite = async () => {
    setBusy(true);
    setError(null);
    try {
      setInvitation(await api.inviteTeamMember(team, role, hours));
      await client.invalidateQueries({ queryKey: keys.teamStatus(team) });
      await client.invalidateQueries({ queryKey: keys.teamInvitations(team) });
      await client.invalidateQueries({ queryKey: ["team-audit", team] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (invitation) {
    return (
      <Dialog open wide title="Invitation ticket" onClose={onClose} footer={<button type="button" className="btn btn-primary" onClick={onClose}>Done</button>}>
        <div className="notice notice-warn" role="note">
          <Icon name="alert" />
          <p>
            This ticket is a credential: whoever holds it can join once, as a pending {roleLabel(role).toLowerCase()}, until{" "}
            {formatDateTime(invitation.expires_at)}. Hand it over out of band. It is shown only now.
          </p>
        </div>
        <div className="field">
          <label htmlFor={ticketId}>Ticket</label>
          <textarea id={ticketId} className="input mono team-ticket" rows={5} readOnly value={invitation.ticket} onFocus={(e) => e.currentTarget.select()} />
        </div>
        <div>
          <CopyButton text={invitation.ticket} label="Copy ticket" done="Ticket copied." />
        </div>
        <p className="small muted">When the member has joined, compare the fingerprint they read out before you confirm them.</p>
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      title="Invite a member"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void invite()}>
            {busy ? "Creating…" : "Create invitation"}
          </button>
        </>
      }
    >
      <Field label="Role" hint="Administrators manage members, organizations, connections and settings.">
        <select className="input" value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="member">Member</option>
          <option value="administrator">Administrator</option>
        </select>
      </Field>
      <Field label="Expires after">
        <select className="input" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.hours} value={c.hours}>
              {c.label}
            </option>
          ))}
        </select>
      </Field>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

/** The administrator types the fingerprint the member reads out; coffer-team compares it. */
function ConfirmMemberDialog({ team, member, onClose }: { team: string; member: TeamMember; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const formId = useId();
  const [typed, setTyped] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problem = fingerprintProblem(typed);
  const name = member.display_name ?? member.id;
  const confirm = async () => {
    setTried(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      const done = await api.confirmTeamMember(team, member.id, typed);
      await client.invalidateQueries({ queryKey: keys.teamMembers(team) });
      await client.invalidateQueries({ queryKey: keys.teamStatus(team) });
      await client.invalidateQueries({ queryKey: ["team-audit", team] });
      toast.info(`${done.display_name ?? done.id} is confirmed.`);
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
      title={`Confirm ${name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Confirming…" : "Confirm"}
          </button>
        </>
      }
    >
      <p>
        Ask {name} to read out the fingerprint on their own screen, over a channel you trust (in person, a call), and type it here. Coffer compares
        it with the keys this member published; only a match grants the organization key.
      </p>
      <form
        id={formId}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <Field label="Fingerprint read out by the member" hint="Five groups of four characters; spaces and dashes do not matter." error={tried ? problem : undefined}>
          <input className="input mono" value={typed} spellCheck={false} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
        </Field>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

/** Removal: warns that what was read stays read, then lists the secrets to rotate. */
function RemoveMemberDialog({ team, member, onClose }: { team: string; member: TeamMember; onClose: () => void }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removed, setRemoved] = useState<TeamRemoved | null>(null);
  const name = member.display_name ?? member.id;
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      setRemoved(await api.removeTeamMember(team, member.id));
      await client.invalidateQueries({ queryKey: keys.teamMembers(team) });
      await client.invalidateQueries({ queryKey: ["team-audit", team] });
      await client.invalidateQueries({ queryKey: keys.teamStatus(team) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (removed) {
    return (
      <Dialog open wide title={`${name} is removed`} onClose={onClose} footer={<button type="button" className="btn btn-primary" onClick={onClose}>Done</button>}>
        <p>
          Their login is revoked and {removed.organizations_rekeyed} organization{removed.organizations_rekeyed === 1 ? "" : "s"} moved to a new key
          (epoch {removed.epoch}): they can decrypt nothing new.
        </p>
        {removed.to_rotate.length > 0 ? (
          <>
            <p>Rotate the values of these secrets — {name} could read them:</p>
            <ul className="team-rotate" aria-label="Secrets to rotate">
              {removed.to_rotate.map((t) => (
                <li key={t.secret_id} className="mono">
                  {t.name}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">No shared secret was readable by {name}: nothing to rotate.</p>
        )}
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      title={`Remove ${name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void remove()}>
            {busy ? "Removing…" : "Remove"}
          </button>
        </>
      }
    >
      <p>
        {name}&apos;s login is revoked and every organization moves to a new key for the remaining members, so they can decrypt nothing new.
      </p>
      <div className="notice notice-warn" role="note">
        <Icon name="alert" />
        <p>A key that was read cannot be taken back: whatever {name} could read before may have been kept. Coffer lists those secrets so you can rotate their values.</p>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}
