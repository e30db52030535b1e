import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { hasCode, type CofferError } from "../../ipc/client";

/**
 * The secret a refused "Run now" needs a (right) store password for: the
 * shell's `wrong_password` / `password_required` errors name it in `detail`.
 */
export function storePasswordSecret(error: unknown): string | null {
  if (!hasCode(error, "wrong_password", "password_required")) return null;
  return (error as CofferError).detail;
}

/**
 * Asks for the store password of each store-password secret a manual run
 * uses, one named field each. The passwords live only in this dialog's
 * state: they go to the one run and are gone when it closes.
 */
export function RunPasswordsDialog({
  jobName,
  secrets,
  busy,
  wrong,
  onRun,
  onCancel,
}: {
  jobName: string;
  secrets: string[];
  busy: boolean;
  /** The secret whose password the last try got wrong. */
  wrong: string | null;
  onRun: (passwords: Record<string, string>) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const formId = useId();
  const single = secrets.length === 1;
  return (
    <Dialog
      open
      title={single ? "Store password" : "Store passwords"}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? "Running…" : "Run now"}
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
          const empty = secrets.filter((s) => !values[s]);
          setMissing(empty);
          if (empty.length === 0) onRun(Object.fromEntries(secrets.map((s) => [s, values[s] ?? ""])));
        }}
      >
        <p className="muted">
          <strong>{jobName}</strong> uses {single ? "a secret" : "secrets"} protected by a store password of {single ? "its" : "their"} own.
          Coffer never stores {single ? "it" : "them"}: {single ? "it is" : "they are"} used for this run only. Scheduled runs cannot
          ask and are refused.
        </p>
        {secrets.map((secret) => (
          <Field
            key={secret}
            label={`Store password of ${secret}`}
            error={
              wrong === secret
                ? `Wrong store password for ${secret}; nothing was run or recorded.`
                : missing.includes(secret)
                  ? `Enter the store password of ${secret}.`
                  : undefined
            }
          >
            <input
              className="input"
              type="password"
              autoComplete="off"
              value={values[secret] ?? ""}
              onChange={(e) => {
                const value = e.target.value;
                setValues((v) => ({ ...v, [secret]: value }));
                setMissing((m) => m.filter((s) => s !== secret));
              }}
            />
          </Field>
        ))}
      </form>
    </Dialog>
  );
}
