import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { api, errorMessage, hasCode, type TeamCreated } from "../../ipc/client";
import { keys, useOrganizations } from "../../lib/queries";
import { SecretPicker } from "../jobs/SecretPicker";
import { advice, emptyCreate, emptyJoin, secretRef, validateCreate, validateJoin, type CreateForm, type JoinForm } from "./model";
import "../jobs/jobs.css";

/** No team vault yet: create one, or join with an invitation. */
export function TeamStart() {
  const [open, setOpen] = useState<"create" | "join" | null>(null);
  return (
    <div className="team-start">
      <section className="card stack" aria-labelledby="team-create-title">
        <h2 id="team-create-title">Create a team vault</h2>
        <p className="muted">
          On a PostgreSQL server (14 or newer). You become its first administrator; the password and CA come from secrets in this vault.
        </p>
        <div>
          <button type="button" className="btn btn-primary" onClick={() => setOpen("create")}>
            <Icon name="plus" /> Create a team vault…
          </button>
        </div>
      </section>
      <section className="card stack" aria-labelledby="team-join-title">
        <h2 id="team-join-title">Join with an invitation</h2>
        <p className="muted">Paste the ticket an administrator gave you, then read your fingerprint to them so they can confirm you.</p>
        <div>
          <button type="button" className="btn" onClick={() => setOpen("join")}>
            <Icon name="key" /> Join with an invitation…
          </button>
        </div>
      </section>
      {open === "create" ? <CreateDialog onClose={() => setOpen(null)} /> : null}
      {open === "join" ? <JoinDialog onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

function ErrorNotice({ error }: { error: unknown }) {
  const hint = advice(error);
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" />
      <div className="stack" style={{ gap: 4 }}>
        <p>{errorMessage(error)}</p>
        {hint ? <p className="small">{hint}</p> : null}
      </div>
    </div>
  );
}

function OrgSelect({ value, onChange }: { value: string; onChange: (org: string) => void }) {
  const orgs = useOrganizations();
  return (
    <Field label="Organization of the secrets">
      <select className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        {(orgs.data ?? [{ name: "Default" }]).map((o) => (
          <option key={o.name} value={o.name}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

function SecretField({ label, hint, org, types, value, onChange }: { label: string; hint: string; org: string; types: ("basic_auth" | "ca_bundle" | "certificate")[]; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <SecretPicker key={org} id={id} types={types} org={org} value={value} onChange={onChange} describedBy={`${id}-hint`} />
      <span id={`${id}-hint`} className="hint">
        {hint}
      </span>
    </div>
  );
}

/** A TLS client certificate (a certificate secret with its private key), as the CLI's `--client-cert`. */
function ClientCertField({ org, value, onChange }: { org: string; value: string; onChange: (v: string) => void }) {
  return (
    <SecretField
      label="Client certificate secret (optional)"
      hint="A certificate with its private key, for servers that ask for one (TLS only); each connection uses it, audited."
      org={org}
      types={["certificate"]}
      value={value}
      onChange={onChange}
    />
  );
}

function CreateDialog({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const formId = useId();
  const [form, setForm] = useState<CreateForm>(emptyCreate);
  const [printSql, setPrintSql] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<TeamCreated | null>(null);
  const errors = validateCreate(form);
  const shown = tried ? errors : {};
  const set = (patch: Partial<CreateForm>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (asSql: boolean) => {
    setTried(true);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.createTeamVault(
        form.connection.trim(),
        secretRef(form.org, form.passwordSecret),
        secretRef(form.org, form.caSecret),
        secretRef(form.org, form.clientCert),
        form.displayName.trim(),
        form.orgName.trim(),
        asSql,
      );
      setCreated(result);
      await client.invalidateQueries({ queryKey: keys.teamVaults });
      if (!result.sql) onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (created?.sql) {
    return (
      <Dialog open wide title="SQL for a database administrator" onClose={onClose} footer={<button type="button" className="btn btn-primary" onClick={onClose}>Done</button>}>
        <p>
          Hand this script to a database administrator of <span className="mono">{created.server}</span>. It creates the schema and roles and makes
          you the first administrator. Your identity is kept in this vault; your fingerprint is <span className="mono">{created.fingerprint}</span>.
        </p>
        <pre className="team-sql" aria-label="SQL script">
          {created.sql}
        </pre>
        <div>
          <CopyButton text={created.sql} label="Copy SQL" done="SQL copied." />
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      wide
      title="Create a team vault"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Creating…" : printSql ? "Show the SQL" : "Create"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit(printSql);
        }}
      >
        <Field label="Connection string" hint="postgres://USER@HOST:PORT/DATABASE?sslmode=require — no password in it." error={shown.connection}>
          <input className="input mono" value={form.connection} spellCheck={false} autoComplete="off" onChange={(e) => set({ connection: e.target.value })} />
        </Field>
        <OrgSelect value={form.org} onChange={(org) => set({ org, passwordSecret: "", caSecret: "", clientCert: "" })} />
        <div className="team-two">
          <SecretField label="Password secret (optional)" hint="A basic_auth secret; its use is audited." org={form.org} types={["basic_auth"]} value={form.passwordSecret} onChange={(v) => set({ passwordSecret: v })} />
          <SecretField label="CA bundle secret (optional)" hint="Trusted instead of the system's roots for TLS." org={form.org} types={["ca_bundle"]} value={form.caSecret} onChange={(v) => set({ caSecret: v })} />
        </div>
        <ClientCertField org={form.org} value={form.clientCert} onChange={(v) => set({ clientCert: v })} />
        <div className="team-two">
          <Field label="Your display name" hint="Encrypted: the server never sees it." error={shown.displayName}>
            <input className="input" value={form.displayName} onChange={(e) => set({ displayName: e.target.value })} />
          </Field>
          <Field label="First organization" hint="The shared organization's name (encrypted)." error={shown.orgName}>
            <input className="input" value={form.orgName} onChange={(e) => set({ orgName: e.target.value })} />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={printSql} onChange={(e) => setPrintSql(e.target.checked)} />
          <span>Only show the SQL for a database administrator (when this role may not create roles and schemas)</span>
        </label>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
      {error && hasCode(error, "needs_dba") && !printSql ? (
        <div>
          <button type="button" className="btn" disabled={busy} onClick={() => { setPrintSql(true); void submit(true); }}>
            Show the SQL for a database administrator
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}

function JoinDialog({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const formId = useId();
  const [form, setForm] = useState<JoinForm>(emptyJoin);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = validateJoin(form);
  const shown = tried ? errors : {};
  const set = (patch: Partial<JoinForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async () => {
    setTried(true);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.joinTeamVault(form.ticket.trim(), form.displayName.trim(), secretRef(form.org, form.caSecret), secretRef(form.org, form.clientCert));
      await client.invalidateQueries({ queryKey: keys.teamVaults });
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
      wide
      title="Join a team vault"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Joining…" : "Join"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Invitation ticket" hint="It works once, until it expires. Treat it like a password." error={shown.ticket}>
          <textarea className="input mono team-ticket-input" rows={4} value={form.ticket} spellCheck={false} autoComplete="off" onChange={(e) => set({ ticket: e.target.value })} />
        </Field>
        <Field label="Your display name" hint="Encrypted: administrators see it, the server does not." error={shown.displayName}>
          <input className="input" value={form.displayName} onChange={(e) => set({ displayName: e.target.value })} />
        </Field>
        <OrgSelect value={form.org} onChange={(org) => set({ org, caSecret: "", clientCert: "" })} />
        <div className="team-two">
          <SecretField label="CA bundle secret (optional)" hint="When the server's certificate comes from a private CA." org={form.org} types={["ca_bundle"]} value={form.caSecret} onChange={(v) => set({ caSecret: v })} />
          <ClientCertField org={form.org} value={form.clientCert} onChange={(v) => set({ clientCert: v })} />
        </div>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

export { ErrorNotice };
