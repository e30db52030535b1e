import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import type { SharedSecretInfo } from "../../ipc/client";
import { fromDateInput, toDateInput } from "../../lib/time";
import { parseLabel } from "../secrets/labels";
import type { PendingChange } from "./ConflictView";

/** Labels as typed, one `key=value` per line; a problem names the line. */
export function parseLabels(text: string): { labels: Record<string, string> } | { problem: string } {
  const labels: Record<string, string> = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const parsed = parseLabel(line);
    if (!parsed) return { problem: `"${line}" is not a label (key=value).` };
    labels[parsed[0]] = parsed[1] ?? "";
  }
  return { labels };
}

/** Description, labels and expiry of a shared secret (saved as a new revision). */
export function SharedMetadataDialog({
  info,
  onClose,
  onSave,
}: {
  info: SharedSecretInfo;
  onClose: () => void;
  onSave: (change: PendingChange) => void;
}) {
  const formId = useId();
  const meta = info.meta;
  const [description, setDescription] = useState(meta.description);
  const [labels, setLabels] = useState(
    Object.entries(meta.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  const [expires, setExpires] = useState(toDateInput(meta.expires_at));
  const [problem, setProblem] = useState<string | null>(null);

  const submit = () => {
    const parsed = parseLabels(labels);
    if ("problem" in parsed) {
      setProblem(parsed.problem);
      return;
    }
    const before = toDateInput(meta.expires_at);
    const change: Extract<PendingChange, { kind: "metadata" }>["change"] = {};
    if (description !== meta.description) change.description = description;
    if (JSON.stringify(parsed.labels) !== JSON.stringify(Object.fromEntries(Object.entries(meta.labels)))) change.labels = parsed.labels;
    if (expires !== before) {
      if (expires === "") change.clearExpiry = true;
      else change.expiresAt = fromDateInput(expires);
    }
    if (Object.keys(change).length === 0) {
      setProblem("Nothing changed.");
      return;
    }
    onSave({ kind: "metadata", change });
  };

  return (
    <Dialog
      open
      title={`Details of ${meta.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary">
            Save in the team vault
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
          submit();
        }}
      >
        <Field label="Description">
          <textarea className="textarea textarea-prose" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <Field label="Labels" hint="One key=value per line.">
          <textarea className="textarea mono" rows={4} spellCheck={false} value={labels} onChange={(e) => setLabels(e.target.value)} />
        </Field>
        <Field label="Expires" hint="Leave empty for no expiry.">
          <input className="input" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </Field>
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
