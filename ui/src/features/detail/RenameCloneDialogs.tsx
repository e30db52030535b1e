import { useState, type ReactNode } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { api, errorMessage, type Renamed, type SecretMeta } from "../../ipc/client";
import { AffectedJobs, CHECKING_USAGE, jobsText, type SecretUsage } from "./UsedBy";
import type { PasswordGate } from "./useStorePassword";

const NAME_CHARS = /^[A-Za-z0-9._/-]+$/;

function nameProblem(name: string, current: string, same: string): string | undefined {
  if (!name) return "Give it a name.";
  if (name.length > 128 || !NAME_CHARS.test(name)) return "Use 1–128 letters, digits, '.', '_', '/', '-'.";
  if (name === current) return same;
  return undefined;
}

/** A one-field dialog: a name, checked here, then `action`. */
function NameDialog({
  title,
  label,
  hint,
  initial,
  current,
  same,
  action,
  onClose,
  onDone,
  children,
}: {
  title: string;
  label: string;
  hint: string;
  initial: string;
  current: string;
  same: string;
  action: string;
  onClose: () => void;
  onDone: (name: string) => Promise<void>;
  children?: ReactNode;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const trimmed = name.trim();
    const problem = nameProblem(trimmed, current, same);
    setError(problem);
    setFailure(null);
    if (problem) return;
    setBusy(true);
    try {
      await onDone(trimmed);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void submit()}>
            {action}
          </button>
        </>
      }
    >
      {/* Enter in the field presses the footer's action (see Dialog). */}
      <div className="stack">
        <Field label={label} hint={hint} error={error}>
          <input
            className="input mono"
            autoComplete="off"
            spellCheck={false}
            // eslint-disable-next-line jsx-a11y/no-autofocus -- the dialog's one field
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}

          />
        </Field>
        {children}
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}

/**
 * Renames a secret. The jobs that name it are listed first: their bindings
 * and `${secret:NAME}` placeholders follow in the same change.
 */
export function RenameDialog({
  meta,
  usage,
  onClose,
  onRenamed,
}: {
  meta: SecretMeta;
  usage: SecretUsage;
  onClose: () => void;
  onRenamed: (result: Renamed) => void;
}) {
  return (
    <NameDialog
      title={`Rename ${meta.name}`}
      label="New name"
      hint="Letters, digits and . _ / - (unique in its organization)."
      initial={meta.name}
      current={meta.name}
      same="That is its name now."
      action="Rename"
      onClose={onClose}
      onDone={async (name) => onRenamed(await api.renameSecret(meta.id, name))}
    >
      {usage.state === "loading" ? (
        <p className="usage-summary small" role="status" aria-busy="true">
          <Icon name="layers" /> {CHECKING_USAGE}
        </p>
      ) : usage.state === "failed" ? (
        <p className="usage-summary small" role="status">
          <Icon name="alert" /> Could not check which jobs use it ({usage.message}).
        </p>
      ) : usage.jobs.length === 0 ? (
        <p className="usage-summary small">
          <Icon name="layers" /> No job names it.
        </p>
      ) : (
        <div className="notice notice-info usage-affected" role="status">
          <Icon name="layers" />
          <div className="stack usage-affected-body">
            <span>
              {jobsText(usage.jobs.length)} name{usage.jobs.length === 1 ? "s" : ""} it; their bindings and placeholders
              will use the new name:
            </span>
            <AffectedJobs jobs={usage.jobs} label="Jobs that follow the rename" />
            {usage.jobs.some((j) => j.kind === "template") ? (
              <span className="small">Template files are outside the vault: edit the ones that name it.</span>
            ) : null}
          </div>
        </div>
      )}
    </NameDialog>
  );
}

/** Copies a secret's current value into a new secret (its own key; jobs not copied). */
export function CloneDialog({
  meta,
  gate,
  onClose,
  onCloned,
}: {
  meta: SecretMeta;
  gate: PasswordGate;
  onClose: () => void;
  onCloned: (copy: SecretMeta) => void;
}) {
  return (
    <NameDialog
      title={`Clone ${meta.name}`}
      label="Name of the copy"
      hint="The copy gets the current value, description, labels and expiry; not the history or the jobs."
      initial={`${meta.name}-copy`}
      current={meta.name}
      same="Pick a name other than the original's."
      action="Clone"
      onClose={onClose}
      onDone={async (name) => {
        const copy = await gate.run("clone it", (password) => api.cloneSecret(meta.id, name, password));
        if (copy) onCloned(copy);
      }}
    />
  );
}
