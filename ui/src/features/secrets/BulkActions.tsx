import { useState } from "react";

import { Combobox } from "../../components/Combobox";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type BulkResult, type SecretMeta, type Selection } from "../../ipc/client";
import { useInvalidateSecrets, useSettings } from "../../lib/queries";
import { ExportDialog } from "../export/ExportDialog";
import { BulkUsageSummary, useBulkUsage } from "./BulkUsage";
import { labelKeyOptions, labelPairOptions, useLabelCounts } from "./labels";

/**
 * Actions on the selected secrets: deactivate, activate, add or remove a
 * label, trash. They apply to the whole selection, "all N matching"
 * included (the shell resolves the filter, so unloaded rows count too).
 * Deactivating or trashing secrets that jobs use first names those jobs.
 */
export function BulkActions({
  selection,
  count,
  total,
  allMatching,
  canSelectAllMatching,
  onSelectAllMatching,
  secrets,
  onDone,
}: {
  selection: Selection;
  /** How many are selected. */
  count: number;
  /** How many match the filter. */
  total: number;
  /** The selection is "all matching" (but any unticked). */
  allMatching: boolean;
  /** Every loaded row is selected and more match: offer them all. */
  canSelectAllMatching: boolean;
  onSelectAllMatching: () => void;
  /** The selected rows that are loaded (for the jobs that use them, unless all matching are selected). */
  secrets: SecretMeta[];
  onDone: () => void;
}) {
  const toast = useToast();
  const invalidate = useInvalidateSecrets();
  const settings = useSettings();
  const [busy, setBusy] = useState(false);
  const [confirmTrash, setConfirmTrash] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const [labelDialog, setLabelDialog] = useState<"add" | "remove" | null>(null);
  const [exporting, setExporting] = useState(false);
  const [label, setLabel] = useState("");
  const [labelError, setLabelError] = useState<string | undefined>();
  const labelCounts = useLabelCounts(labelDialog !== null);
  // Unloaded rows may be used by jobs too: "all matching" always confirms.
  const usedByJobs = allMatching || secrets.some((s) => s.used_by > 0);
  const usage = useBulkUsage(secrets, confirmTrash || confirmDeactivate, allMatching ? selection : undefined);

  const run = async (what: string, action: () => Promise<BulkResult>) => {
    setBusy(true);
    try {
      const result = await action();
      await invalidate();
      const failed = result.failed.length;
      if (failed) toast.error(`${what}: ${result.done} done, ${failed} failed (${result.failed[0]?.error.message ?? ""})`);
      else toast.info(`${what}: ${result.done.toLocaleString()} secret${result.done === 1 ? "" : "s"}.`);
      onDone();
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const openLabel = (which: "add" | "remove") => {
    setLabel("");
    setLabelError(undefined);
    setLabelDialog(which);
  };
  const submitLabel = () => {
    if (labelDialog === "add") {
      const [key, ...rest] = label.split("=");
      if (!key?.trim() || rest.length === 0) {
        setLabelError("Write the label as key=value.");
        return;
      }
      setLabelDialog(null);
      void run("Labelled", () => api.labelSecrets(selection, { [key.trim()]: rest.join("=").trim() }, []));
    } else {
      const key = label.split("=")[0]?.trim() ?? "";
      if (!key) {
        setLabelError("Write the label's key, e.g. env.");
        return;
      }
      setLabelDialog(null);
      void run(`Removed the label ${key}`, () => api.labelSecrets(selection, {}, [key]));
    }
  };

  const n = count;
  const secretsWord = `${n.toLocaleString()} secret${n === 1 ? "" : "s"}`;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Actions on selected secrets">
      <strong aria-live="polite">
        {n.toLocaleString()} selected of {total.toLocaleString()}
      </strong>
      {canSelectAllMatching ? (
        <button type="button" className="btn btn-sm btn-link" onClick={onSelectAllMatching}>
          Select all {total.toLocaleString()} matching
        </button>
      ) : null}
      <span className="bulk-actions">
        <button
          type="button"
          className="btn btn-sm"
          disabled={busy}
          onClick={() => (usedByJobs ? setConfirmDeactivate(true) : void run("Deactivated", () => api.setActive(selection, false)))}
        >
          {usedByJobs ? "Deactivate…" : "Deactivate"}
        </button>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void run("Activated", () => api.setActive(selection, true))}>
          Activate
        </button>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => openLabel("add")}>
          Add label…
        </button>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => openLabel("remove")}>
          Remove label…
        </button>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => setExporting(true)}>
          Export…
        </button>
        <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => setConfirmTrash(true)}>
          Move to trash…
        </button>
      </span>
      <span className="spacer" />
      <button type="button" className="btn btn-sm btn-ghost" onClick={onDone}>
        Clear selection
      </button>
      {exporting ? (
        <ExportDialog
          choices={[
            {
              label: allMatching ? `All ${secretsWord} matching the filter` : `The ${secretsWord} selected`,
              target: { selection },
            },
          ]}
          onClose={() => setExporting(false)}
        />
      ) : null}
      <ConfirmDialog
        open={confirmTrash}
        title={`Move ${secretsWord} to the trash?`}
        confirmLabel="Move to trash"
        danger
        busy={busy}
        onClose={() => setConfirmTrash(false)}
        onConfirm={() => {
          setConfirmTrash(false);
          void run("Moved to the trash", () => api.trashSecrets(selection));
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
        title={`Deactivate ${secretsWord}?`}
        confirmLabel="Deactivate"
        busy={busy}
        onClose={() => setConfirmDeactivate(false)}
        onConfirm={() => {
          setConfirmDeactivate(false);
          void run("Deactivated", () => api.setActive(selection, false));
        }}
      >
        <BulkUsageSummary usage={usage} consequence="Their runs will be refused until the secrets are activated again." />
        <p>Their values and history are kept, and you can activate them again at any time.</p>
      </ConfirmDialog>
      <Dialog
        open={labelDialog !== null}
        title={labelDialog === "remove" ? `Remove a label from ${secretsWord}` : `Label ${secretsWord}`}
        onClose={() => setLabelDialog(null)}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setLabelDialog(null)}>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" onClick={submitLabel}>
              {labelDialog === "remove" ? "Remove label" : "Add label"}
            </button>
          </>
        }
      >
        {labelDialog === "remove" ? (
          <Field label="Label key" hint="Secrets without this label are left as they are." error={labelError}>
            <Combobox
              className="input mono"
              value={label}
              onChange={setLabel}
              options={(typed) => labelKeyOptions(labelCounts.data, typed)}
              listLabel="Label keys in use"
            />
          </Field>
        ) : (
          <Field label="Label" hint="key=value, e.g. env=prod" error={labelError}>
            <Combobox
              className="input mono"
              value={label}
              onChange={setLabel}
              options={(typed) => labelPairOptions(labelCounts.data, typed)}
              listLabel="Labels in use"
              keepOpen="="
            />
          </Field>
        )}
      </Dialog>
    </div>
  );
}
