import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, hasCode, type RestorePreview, type RestoreReport, type VaultSummary } from "../../ipc/client";
import { formatDateTime } from "../../lib/time";
import "./export.css";

const plural = (n: number, word: string) =>
  `${n.toLocaleString()} ${n === 1 ? word : word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;

/** Both vaults side by side: counts and dates. */
export function VaultsSideBySide({ current, backup }: { current: VaultSummary; backup: VaultSummary }) {
  const rows: [string, (v: VaultSummary) => string][] = [
    ["Secrets", (v) => v.counts.total.toLocaleString()],
    ["Versions", (v) => v.versions.toLocaleString()],
    ["Jobs", (v) => v.jobs.toLocaleString()],
    ["In the trash", (v) => v.counts.trash.toLocaleString()],
    ["Created", (v) => formatDateTime(v.created_at)],
    ["Last change", (v) => formatDateTime(v.last_activity)],
    ["Audit entries", (v) => v.audit_entries.toLocaleString()],
  ];
  return (
    <table className="data-table restore-compare" aria-label="This vault and the backup">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">This vault</th>
          <th scope="col">Backup</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label} data-row={label}>
            <th scope="row">{label}</th>
            <td>{value(current)}</td>
            <td>{value(backup)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Step =
  | { kind: "ask" }
  | { kind: "preview"; preview: RestorePreview }
  | { kind: "confirm"; preview: RestorePreview }
  | { kind: "done"; report: RestoreReport; replaced: boolean };

/**
 * Restores a backup: the recovery passphrase, then the file (native open
 * dialog); the shell verifies it whole before both vaults are shown side by
 * side; then into a new file (save dialog) or in place of this vault after a
 * confirmation naming what is lost. Errors leave everything as it was.
 */
export function RestoreDialog({ onClose }: { onClose: () => void }) {
  const formId = useId();
  const client = useQueryClient();
  const toast = useToast();
  const [step, setStep] = useState<Step>({ kind: "ask" });
  const [recovery, setRecovery] = useState("");
  const [recoveryError, setRecoveryError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    setNote(null);
    try {
      await action();
    } catch (e) {
      if (hasCode(e, "wrong_passphrase")) {
        setRecoveryError("Wrong recovery passphrase for this backup.");
        setStep({ kind: "ask" });
      } else setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const pick = () => {
    if (!recovery) return setRecoveryError("Enter the backup's recovery passphrase.");
    setRecoveryError(undefined);
    void act(async () => {
      const preview = await api.pickBackup(recovery);
      if (preview) setStep({ kind: "preview", preview });
      else setNote("No file chosen.");
    });
  };
  const intoNewFile = (preview: RestorePreview) =>
    void act(async () => {
      const report = await api.restoreIntoNewFile(preview.backup.path, recovery);
      if (report) setStep({ kind: "done", report, replaced: false });
      else setNote("No file chosen: nothing was restored.");
    });
  const replace = (preview: RestorePreview) =>
    void act(async () => {
      const report = await api.restoreReplaceVault(preview.backup.path, recovery);
      // The app now runs on the restored vault: everything is read again.
      await client.invalidateQueries();
      toast.info(`Restored: the vault is now the backup (${plural(report.restored.counts.total, "secret")}).`);
      setStep({ kind: "done", report, replaced: true });
    });

  const closeButton = (label = "Cancel") => (
    <button type="button" className="btn" onClick={onClose}>
      {label}
    </button>
  );
  const messages = (
    <>
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
      {failure ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <span>{failure}</span>
        </div>
      ) : null}
    </>
  );

  if (step.kind === "done") {
    const r = step.report;
    return (
      <Dialog
        open
        title="Restored"
        onClose={onClose}
        footer={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              if (step.replaced) window.location.hash = "#/";
              onClose();
            }}
          >
            {step.replaced ? "Go to the secrets" : "Close"}
          </button>
        }
      >
        <div className="notice notice-ok" role="status">
          <Icon name="check" />
          <span>
            {step.replaced ? "This vault was replaced by the backup:" : "The backup was restored into"}{" "}
            <code className="path">{r.restored.path}</code> now holds {plural(r.restored.counts.total, "secret")},{" "}
            {plural(r.restored.versions, "version")}, {plural(r.restored.jobs, "job")}; {plural(r.audit_entries_verified, "audit entry")}{" "}
            verified.
          </span>
        </div>
        {step.replaced ? null : (
          <p className="muted small">
            It opens with the backup&apos;s recovery passphrase (<code>COFFER_VAULT</code> or <code>--vault</code> names it); this vault is
            unchanged.
          </p>
        )}
      </Dialog>
    );
  }

  if (step.kind === "confirm") {
    const { current, backup } = step.preview;
    return (
      <Dialog
        open
        title="Replace this vault?"
        onClose={onClose}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setStep({ kind: "preview", preview: step.preview })}>
              Back
            </button>
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => replace(step.preview)}>
              {busy ? "Replacing…" : "Replace this vault"}
            </button>
          </>
        }
      >
        <p>
          This vault ({plural(current.counts.total, "secret")}, {plural(current.versions, "version")}, {plural(current.jobs, "job")}, last
          change {formatDateTime(current.last_activity)}) is replaced by the backup ({plural(backup.counts.total, "secret")},{" "}
          {plural(backup.versions, "version")}, {plural(backup.jobs, "job")}, last change {formatDateTime(backup.last_activity)}).
        </p>
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <span>
            Everything done since {formatDateTime(backup.last_activity)} is lost: secrets, versions and jobs added or changed since, and their
            audit entries. The restore itself is audited.
          </span>
        </div>
        {messages}
      </Dialog>
    );
  }

  if (step.kind === "preview") {
    const p = step.preview;
    return (
      <Dialog
        open
        wide
        title="Restore from a backup"
        onClose={onClose}
        footer={
          <>
            {closeButton()}
            <button type="button" className="btn" disabled={busy} onClick={() => intoNewFile(p)}>
              Restore into a new file…
            </button>
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy || !p.same_vault}
              title={p.same_vault ? undefined : "Another vault's backup can only be restored into a new file"}
              onClick={() => setStep({ kind: "confirm", preview: p })}
            >
              Replace this vault…
            </button>
          </>
        }
      >
        <p className="muted small">
          <code className="path">{p.backup.path}</code>
        </p>
        <div className="notice notice-ok" role="status">
          <Icon name="shield" />
          <span>
            The backup verified: its file, its key check, every row&apos;s integrity tag and its audit chain (
            {plural(p.audit_entries_verified, "entry")}).
          </span>
        </div>
        {p.same_vault ? null : (
          <div className="notice notice-info" role="note">
            <Icon name="alert" />
            <span>
              This is a backup of another vault (<span className="mono small">{p.backup.vault_id}</span>): it can be restored into a new file,
              not in place of this one.
            </span>
          </div>
        )}
        <VaultsSideBySide current={p.current} backup={p.backup} />
        {messages}
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      title="Restore from a backup"
      onClose={onClose}
      footer={
        <>
          {closeButton()}
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Verifying the backup…" : "Choose the backup…"}
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
          pick();
        }}
      >
        <p className="muted">
          Pick a backup made by <code>coffer vault backup</code> or the Back up button. It is verified whole before anything is offered, and
          nothing changes until you choose.
        </p>
        <Field label="The backup's recovery passphrase" hint="The one the vault had when the backup was made." error={recoveryError}>
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            value={recovery}
            onChange={(e) => setRecovery(e.target.value)}
          />
        </Field>
        {messages}
      </form>
    </Dialog>
  );
}
