import { useId, useState } from "react";

import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { api, errorMessage, type SecretMeta } from "../../ipc/client";
import { useOrganizations, useSettings } from "../../lib/queries";
import { UsageSummary, type SecretUsage } from "./UsedBy";

const NAME_CHARS = /^[A-Za-z0-9._/-]+$/;

/** Confirms moving a secret to the trash, saying where it is used and how long the trash keeps it. */
export function DeleteDialog({
  meta,
  usage,
  busy,
  onConfirm,
  onClose,
}: {
  meta: SecretMeta;
  usage: SecretUsage;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const settings = useSettings();
  const days = settings.data?.trash_retention_days;
  return (
    <ConfirmDialog open title={`Move ${meta.name} to the trash?`} confirmLabel="Move to trash" danger busy={busy} onConfirm={onConfirm} onClose={onClose}>
      <UsageSummary usage={usage} consequence="Their runs will be refused until it is restored from the trash." />
      <p>
        The trash keeps it for {days ?? "…"} day{days === 1 ? "" : "s"}, then destroys it for good. Until then you can
        restore it from the trash.
      </p>
    </ConfirmDialog>
  );
}

/** Confirms deactivation: jobs that use the secret fail until it is activated again. */
export function DeactivateDialog({
  meta,
  usage,
  busy,
  onConfirm,
  onClose,
}: {
  meta: SecretMeta;
  usage: SecretUsage;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog open title={`Deactivate ${meta.name}?`} confirmLabel="Deactivate" busy={busy} onConfirm={onConfirm} onClose={onClose}>
      <UsageSummary usage={usage} consequence="Their runs will be refused until it is activated again." />
      <p>
        Anything that tries to use a deactivated secret fails with an error naming it. Its value and history are kept,
        and you can activate it again at any time.
      </p>
    </ConfirmDialog>
  );
}

/** Moves a secret to another organization (an existing one, or a new name). */
export function MoveDialog({
  meta,
  onClose,
  onMoved,
}: {
  meta: SecretMeta;
  onClose: () => void;
  onMoved: (meta: SecretMeta) => void;
}) {
  const orgs = useOrganizations();
  const formId = useId();
  const listId = useId();
  const [org, setOrg] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = (orgs.data ?? []).filter((o) => o.name !== meta.org);

  const submit = async () => {
    const name = org.trim();
    setFailure(null);
    if (!name) return setError("Name the organization.");
    if (name.length > 128 || !NAME_CHARS.test(name)) return setError("Use 1–128 letters, digits, '.', '_', '/', '-'.");
    if (name === meta.org) return setError(`${meta.name} is already in ${meta.org}.`);
    setError(undefined);
    setBusy(true);
    try {
      onMoved(await api.moveSecret(meta.id, name));
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={`Move ${meta.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            Move
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
        <p className="muted">
          It is now in <strong>{meta.org}</strong>
          {meta.project ? (
            <>
              {" "}
              (project <strong>{meta.project}</strong>; the project restriction is removed by the move)
            </>
          ) : null}
          . Names are unique per organization; placeholders that name the organization need updating.
        </p>
        <Field label="Organization" hint="Pick one or type a new name." error={error}>
          <input className="input mono" list={listId} value={org} onChange={(e) => setOrg(e.target.value)} />
        </Field>
        <datalist id={listId}>
          {others.map((o) => (
            <option key={o.name} value={o.name} />
          ))}
        </datalist>
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
