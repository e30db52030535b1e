import { useState } from "react";

import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type BulkResult } from "../../ipc/client";
import { useInvalidateSecrets, useSettings } from "../../lib/queries";

/** Actions on the selected secrets: deactivate, activate, label, trash. */
export function BulkActions({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const toast = useToast();
  const invalidate = useInvalidateSecrets();
  const settings = useSettings();
  const [busy, setBusy] = useState(false);
  const [confirmTrash, setConfirmTrash] = useState(false);
  const [labelOpen, setLabelOpen] = useState(false);
  const [label, setLabel] = useState("");
  const [labelError, setLabelError] = useState<string | undefined>();

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
      <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void run("Deactivated", () => api.setActive(ids, false))}>
        Deactivate
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
        <p>
          Jobs that use them will fail until they are restored. The trash keeps them for{" "}
          {settings.data?.trash_retention_days ?? 30} days, then destroys them.
        </p>
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
