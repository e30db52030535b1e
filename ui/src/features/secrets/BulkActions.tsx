import { useState } from "react";

import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type BulkResult, type SecretMeta } from "../../ipc/client";
import { useInvalidateSecrets, useSettings } from "../../lib/queries";
import { BulkUsageSummary, useBulkUsage } from "./BulkUsage";

/**
 * Actions on the selected secrets: deactivate, activate, label, trash.
 * Deactivating or trashing secrets that jobs use first names those jobs.
 */
export function BulkActions({ secrets, onDone }: { secrets: SecretMeta[]; onDone: () => void }) {
  const toast = useToast();
  const invalidate = useInvalidateSecrets();
  const settings = useSettings();
  const [busy, setBusy] = useState(false);
  const [confirmTrash, setConfirmTrash] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const [labelOpen, setLabelOpen] = useState(false);
  const [label, setLabel] = useState("");
  const [labelError, setLabelError] = useState<string | undefined>();
  const ids = secrets.map((s) => s.id);
  const usedByJobs = secrets.some((s) => s.used_by > 0);
  const usage = useBulkUsage(secrets, confirmTrash || confirmDeactivate);

  const run = async (what: string, action: () => Promise<BulkResult>) => {
    setBusy(true);
    try {
      const result = await action();
      await invalidate();
      const failed = result.failed.length;
      if (failed) toast.error(`${what}: ${result.done} done, ${failed} failed (${result.failed[0]?.error.message ?? ""})`);
      else toast.info(`${what}: ${result.done} secret${result.done === 1 ? "" : "s"}.`);
      onDone();
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const addLabel = () => {
    const [key, ...rest] = label.split("=");
    if (!key || rest.length === 0) {
      setLabelError("Write the label as key=value.");
      return;
    }
    setLabelOpen(false);
    void run("Labelled", () => api.labelSecrets(ids, { [key.trim()]: rest.join("=").trim() }, []));
  };

  const n = ids.length;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Actions on selected secrets">
      <strong>{n} selected</strong>
      <button
        type="button"
        className="btn btn-sm"
        disabled={busy}
        onClick={() => (usedByJobs ? setConfirmDeactivate(true) : void run("Deactivated", () => api.setActive(ids, false)))}
      >
        {usedByJobs ? "Deactivate…" : "Deactivate"}
      </button>
      <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void run("Activated", () => api.setActive(ids, true))}>
        Activate
      </button>
      <button type="button" className="btn btn-sm" disabled={busy} onClick={() => setLabelOpen(true)}>
        Add label…
      </button>
      <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => setConfirmTrash(true)}>
        Move to trash…
      </button>
      <span className="spacer" />
      <button type="button" className="btn btn-sm btn-ghost" onClick={onDone}>
        Clear selection
      </button>
      <ConfirmDialog
        open={confirmTrash}
        title={`Move ${n} secret${n === 1 ? "" : "s"} to the trash?`}
        confirmLabel="Move to trash"
        danger
        busy={busy}
        onClose={() => setConfirmTrash(false)}
        onConfirm={() => {
          setConfirmTrash(false);
          void run("Moved to the trash", () => api.trashSecrets(ids));
        }}
      >
        <BulkUsageSummary usage={usage} consequence="Their runs will be refused until the secrets are restored from the trash." />
        <p>
          The trash keeps them for {settings.data?.trash_retention_days ?? 30} days, then destroys them. Until then you can
          restore them from the trash.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirmDeactivate}
        title={`Deactivate ${n} secret${n === 1 ? "" : "s"}?`}
        confirmLabel="Deactivate"
        busy={busy}
        onClose={() => setConfirmDeactivate(false)}
        onConfirm={() => {
          setConfirmDeactivate(false);
          void run("Deactivated", () => api.setActive(ids, false));
        }}
      >
        <BulkUsageSummary usage={usage} consequence="Their runs will be refused until the secrets are activated again." />
        <p>Their values and history are kept, and you can activate them again at any time.</p>
      </ConfirmDialog>
      <Dialog
        open={labelOpen}
        title={`Label ${n} secret${n === 1 ? "" : "s"}`}
        onClose={() => setLabelOpen(false)}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setLabelOpen(false)}>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" onClick={addLabel}>
              Add label
            </button>
          </>
        }
      >
        <Field label="Label" hint="key=value, e.g. env=prod" error={labelError}>
          <input className="input" value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
      </Dialog>
    </div>
  );
}
