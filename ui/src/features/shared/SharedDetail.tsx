import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { StatusBadge } from "../../components/StatusBadge";
import { useToast } from "../../components/Toasts";
import { api, CofferError, errorMessage, hasCode, type FieldInput, type SharedSecretInfo, type ValueOutcome } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, formatDateTime, relative } from "../../lib/time";
import { EditValueDialog } from "../detail/EditValueDialog";
import { secretFieldNames } from "../detail/fieldNames";
import { PublicFields } from "../detail/PublicFields";
import { SecretFields, type FieldSource } from "../detail/SecretFields";
import type { PasswordGate } from "../detail/useStorePassword";
import { publicValue } from "../detail/valueForm";
import { ConflictView, type PendingChange } from "./ConflictView";
import { SharedMetadataDialog } from "./SharedMetadataDialog";
import { sharedApi, sharedKeys, useSyncStatus } from "./model";
import "./shared.css";

/** Shared secrets need no store password: the gate runs the action as is. */
const NO_GATE: PasswordGate = { run: (_purpose, action) => action(null), dialog: null };

/** Reveals and copies go through the team vault's server (and its audit). */
const SHARED_FIELDS: FieldSource = {
  reveal: (id, field) => sharedApi.reveal(id, field),
  copy: (id, field) => sharedApi.copy(id, field),
};

/** A shared secret: metadata from the replica, values through the server. */
export function SharedDetail({ id }: { id: string }) {
  const secret = useQuery({ queryKey: sharedKeys.secret(id), queryFn: () => sharedApi.get(id) });
  if (secret.isPending) {
    return (
      <div className="page" aria-busy="true">
        <BackLink />
        <p className="muted">Loading…</p>
      </div>
    );
  }
  if (secret.error) {
    const missing = hasCode(secret.error, "not_found");
    return (
      <div className="page">
        <BackLink />
        <div className="empty">
          <Icon name={missing ? "search" : "alert"} size={40} />
          <h2>{missing ? "This shared secret is not here" : "The shared secret could not be loaded"}</h2>
          <p className="muted">{errorMessage(secret.error)}</p>
          <a className="btn" href="#/secrets">
            Back to the secrets
          </a>
        </div>
      </div>
    );
  }
  // A new id is a new page: nothing revealed carries over.
  return <SharedPage key={id} info={secret.data} />;
}

function BackLink() {
  return (
    <a className="back-link" href="#/secrets">
      <Icon name="chevronRight" /> Secrets
    </a>
  );
}

type Open = null | "metadata" | "value" | "deactivate" | "trash";

/** What a conflict error carries: the secret as it is now (JSON in `detail`). */
export function conflictCurrent(error: unknown): SharedSecretInfo | null {
  if (!(error instanceof CofferError) || error.code !== "conflict" || !error.detail) return null;
  try {
    return JSON.parse(error.detail) as SharedSecretInfo;
  } catch {
    return null;
  }
}

function SharedPage({ info }: { info: SharedSecretInfo }) {
  const client = useQueryClient();
  const toast = useToast();
  const sync = useSyncStatus();
  const types = useQuery({ queryKey: keys.types, queryFn: api.secretTypes, staleTime: Infinity });
  const [open, setOpenState] = useState<Open>(null);
  // What a dialog's change is based on: the revision shown when it opened
  // (a change that arrives meanwhile makes it a conflict, never an overwrite).
  const [base, setBase] = useState<SharedSecretInfo>(info);
  const setOpen = (next: Open) => {
    if (next) setBase(info);
    setOpenState(next);
  };
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<{ mine: SharedSecretInfo; current: SharedSecretInfo | null; change: PendingChange } | null>(null);
  const meta = info.meta;
  const trashed = info.status === "trashed";
  const offline = sync.data?.state === "offline";
  const specs = types.data?.find((t) => t.type === meta.type)?.fields ?? [];
  const names = meta.type === "key_value" || types.data ? secretFieldNames(meta, types.data) : null;

  const refresh = async (next: SharedSecretInfo | null) => {
    if (next) client.setQueryData(sharedKeys.secret(info.meta.id), next);
    await Promise.all([
      client.invalidateQueries({ queryKey: sharedKeys.secrets }),
      client.invalidateQueries({ queryKey: sharedKeys.orgs }),
      client.invalidateQueries({ queryKey: ["shared-secret"] }),
    ]);
  };

  /** Runs a change at `revision`; a conflict opens the conflict view instead of a toast. */
  const apply = async (change: PendingChange, revision: number, base: SharedSecretInfo): Promise<boolean> => {
    setBusy(true);
    try {
      const next = await runChange(info.meta.id, change, revision);
      setConflict(null);
      toast.info(doneText(change, next));
      await refresh(next);
      return true;
    } catch (error) {
      if (hasCode(error, "conflict")) {
        const current = conflictCurrent(error);
        setConflict({ mine: base, current, change });
        await refresh(current);
      } else {
        toast.error(errorMessage(error));
      }
      return false;
    } finally {
      setBusy(false);
    }
  };

  const saveValue = async (change: { set: FieldInput[]; remove: string[] }, keyPassword: string | null): Promise<ValueOutcome | null> => {
    if (change.remove.length) throw new Error("A shared secret takes a whole new value: fill in every field instead of removing one.");
    // A shared secret's new value is whole: unchanged public fields go with it.
    const set = [...change.set];
    for (const spec of specs) {
      if (spec.secret || set.some((f) => f.name === spec.name)) continue;
      const kept = publicValue(meta, spec.name);
      if (kept) set.push({ name: spec.name, value: { kind: "text", text: kept } });
    }
    setOpen(null);
    await apply({ kind: "value", set, keyPassword }, base.revision, base);
    return null;
  };

  return (
    <div className="page detail-page shared-detail">
      <BackLink />
      {trashed ? (
        <div className="notice notice-warn" role="note">
          <Icon name="trash" />
          <p>
            <strong>In the trash of the team vault.</strong> Moved there by {info.author_name} on {formatDateTime(info.updated_at)}. Restore it
            to use it again.
          </p>
          <button type="button" className="btn btn-sm" disabled={busy || offline} onClick={() => void apply({ kind: "status", status: "active" }, info.revision, info)}>
            Restore
          </button>
        </div>
      ) : null}
      {conflict ? (
        <ConflictView
          mine={conflict.mine}
          current={conflict.current}
          change={conflict.change}
          busy={busy}
          onReapply={() => {
            const current = conflict.current;
            if (current) void apply(conflict.change, current.revision, current);
          }}
          onDiscard={() => {
            setConflict(null);
            toast.info("Your change was discarded; the page shows the current version.");
          }}
        />
      ) : null}
      <header className="detail-head">
        <div className="detail-title">
          <div className="row wrap">
            <h1 className="detail-name">{meta.name}</h1>
            <span className="badge badge-shared" title={`Shared in team vault ${info.team}`}>
              shared
            </span>
            <StatusBadge status={meta.status} expiresAt={meta.expires_at} />
            {meta.write_only ? <span className="badge badge-neutral">write-only</span> : null}
          </div>
          <p className="muted">
            {typeLabel(meta.type)} · {meta.org} · shared in team vault <span className="mono">{info.team}</span> · version {info.version}
          </p>
          <p className="muted small">
            Last changed by <strong>{info.author_name}</strong> <span title={formatDateTime(info.updated_at)}>{relative(info.updated_at)}</span>{" "}
            (revision {info.revision})
          </p>
          {meta.description ? <p className="detail-description">{meta.description}</p> : null}
          {Object.keys(meta.labels).length ? (
            <div className="chips" aria-label="Labels">
              {Object.entries(meta.labels).map(([k, v]) => (
                <span key={k} className="label-chip">
                  {k}={v}
                </span>
              ))}
            </div>
          ) : null}
        </div>
        {trashed ? null : (
          <div className="detail-actions" role="toolbar" aria-label="Secret actions">
            <button type="button" className="btn" disabled={offline} onClick={() => setOpen("metadata")}>
              Edit details
            </button>
            <button type="button" className="btn" disabled={types.isPending || offline} onClick={() => setOpen("value")}>
              Set new value
            </button>
            {info.status === "deactivated" ? (
              <button
                type="button"
                className="btn"
                disabled={busy || offline}
                onClick={() => void apply({ kind: "status", status: "active" }, info.revision, info)}
              >
                Activate
              </button>
            ) : (
              <button type="button" className="btn" disabled={busy || offline} onClick={() => setOpen("deactivate")}>
                Deactivate
              </button>
            )}
            <button type="button" className="btn" disabled={busy || offline} onClick={() => setOpen("trash")}>
              <Icon name="trash" /> Move to trash
            </button>
          </div>
        )}
      </header>
      {offline ? (
        <div className="notice notice-warn" role="note">
          <Icon name="alert" />
          <p>
            The team vault does not answer: this is the replica as of {formatDateTime(sync.data?.as_of ?? null)}. Reveals and changes need the
            server.
          </p>
        </div>
      ) : null}

      <div className="detail-grid">
        <div className="stack">
          <section className="card" aria-labelledby="value-title">
            <div className="card-head">
              <Icon name="key" />
              <h2 id="value-title">Value</h2>
              <span className="spacer" />
              <span className="muted small">masked; every reveal and copy is recorded in the team vault&apos;s audit</span>
            </div>
            {meta.write_only ? (
              <p className="muted small">
                Write-only is enforced by Coffer clients only: a member&apos;s key opens the value, so a modified client could read it.
              </p>
            ) : null}
            <SecretFields key={info.revision} meta={meta} names={names} gate={NO_GATE} source={SHARED_FIELDS} />
          </section>
          <section className="card" aria-labelledby="public-title">
            <div className="card-head">
              <Icon name="file" />
              <h2 id="public-title">Public fields</h2>
            </div>
            <PublicFields meta={meta} />
          </section>
        </div>
        <div className="stack">
          <section className="card" aria-labelledby="about-title">
            <div className="card-head">
              <h2 id="about-title">Details</h2>
            </div>
            <dl className="kv">
              <Row label="Organization" value={`${meta.org} (shared)`} />
              <Row label="Team vault" value={info.team} mono />
              <Row label="Expires" value={meta.expires_at ? formatDate(meta.expires_at) : "Never"} />
              <Row label="Value version" value={String(info.version)} />
              <Row label="Revision" value={String(info.revision)} />
              <Row label="Written by" value={`${info.author_name}, ${formatDateTime(info.updated_at)}`} />
            </dl>
            <p className="muted small">
              The server keeps only sealed records: it sees ids, sizes, times and who wrote, never a name or a value.
            </p>
          </section>
        </div>
      </div>

      {open === "metadata" ? (
        <SharedMetadataDialog
          info={base}
          onClose={() => setOpen(null)}
          onSave={(change) => {
            setOpen(null);
            void apply(change, base.revision, base);
          }}
        />
      ) : null}
      {open === "value" ? (
        <EditValueDialog
          meta={meta}
          specs={specs}
          usage={{ state: "known", jobs: [] }}
          gate={NO_GATE}
          onClose={() => setOpen(null)}
          onSaved={() => setOpen(null)}
          save={saveValue}
          whole
          note={
            <p className="muted small">
              A shared secret takes a whole new value: type every secret field (empty ones are refused). Every member sees version{" "}
              {info.version + 1} at their next sync.
            </p>
          }
        />
      ) : null}
      {open === "deactivate" ? (
        <ConfirmDialog
          open
          title={`Deactivate ${meta.name}?`}
          confirmLabel="Deactivate"
          onClose={() => setOpen(null)}
          onConfirm={() => {
            setOpen(null);
            void apply({ kind: "status", status: "deactivated" }, base.revision, base);
          }}
        >
          <p>Every member of the team vault sees it deactivated. You can activate it again.</p>
        </ConfirmDialog>
      ) : null}
      {open === "trash" ? (
        <ConfirmDialog
          open
          danger
          title={`Move ${meta.name} to the trash?`}
          confirmLabel="Move to trash"
          onClose={() => setOpen(null)}
          onConfirm={() => {
            setOpen(null);
            void apply({ kind: "status", status: "trashed" }, base.revision, base).then((ok) => {
              if (ok) navigate({ view: "secrets" });
            });
          }}
        >
          <p>It leaves every member&apos;s list (the team vault keeps its history and audit). It can be restored from its page.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function Row({ label, value, mono = false }: { label: string; value: string; mono?: boolean }) {
  return (
    <div className="kv-row">
      <dt>{label}</dt>
      <dd className={mono ? "mono" : undefined}>{value}</dd>
    </div>
  );
}

async function runChange(id: string, change: PendingChange, revision: number): Promise<SharedSecretInfo> {
  switch (change.kind) {
    case "value":
      return sharedApi.updateValue(id, revision, change.set, change.keyPassword);
    case "metadata":
      return sharedApi.updateMetadata(id, revision, change.change);
    case "status":
      return sharedApi.setStatus(id, revision, change.status);
  }
}

function doneText(change: PendingChange, next: SharedSecretInfo): string {
  switch (change.kind) {
    case "value":
      return `Saved as version ${next.version} in the team vault.`;
    case "metadata":
      return "Saved in the team vault.";
    case "status":
      return change.status === "trashed" ? "Moved to the trash of the team vault." : change.status === "active" ? "Activated." : "Deactivated.";
  }
}
