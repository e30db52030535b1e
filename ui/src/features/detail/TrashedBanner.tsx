import { useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type SecretMeta } from "../../ipc/client";
import { useInvalidateSecrets } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { daysUntil, formatDate, relative } from "../../lib/time";

/** Shown instead of the edit actions while a secret is in the trash. */
export function TrashedBanner({ meta }: { meta: SecretMeta }) {
  const toast = useToast();
  const invalidate = useInvalidateSecrets();
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const left = daysUntil(meta.purge_at);

  const act = async (action: () => Promise<unknown>, done: string, after?: () => void) => {
    setBusy(true);
    try {
      await action();
      toast.info(done);
      after?.();
      await invalidate();
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  return (
    <div className="notice notice-warn trashed-banner" role="status">
      <Icon name="trash" />
      <div className="stack" style={{ gap: 4, flex: 1 }}>
        <strong>This secret is in the trash.</strong>
        <span>
          Deleted {relative(meta.deleted_at)}. It is destroyed for good on {formatDate(meta.purge_at)}
          {left !== null ? ` (${left <= 0 ? "today" : `${left} day${left === 1 ? "" : "s"} left`})` : ""}. Restore it to
          edit or use it again.
        </span>
      </div>
      <div className="row">
        <button
          type="button"
          className="btn btn-primary btn-sm"
          disabled={busy}
          onClick={() => void act(() => api.restoreFromTrash(meta.id), `${meta.name} restored.`)}
        >
          Restore
        </button>
        <button type="button" className="btn btn-danger btn-sm" disabled={busy} onClick={() => setConfirm(true)}>
          Delete permanently…
        </button>
      </div>
      <ConfirmDialog
        open={confirm}
        title={`Destroy ${meta.name} now?`}
        confirmLabel="Delete permanently"
        danger
        busy={busy}
        onClose={() => setConfirm(false)}
        onConfirm={() =>
          void act(() => api.purgeSecret(meta.id), `${meta.name} destroyed.`, () => navigate({ view: "trash" }))
        }
      >
        <p>Its keys are destroyed, so no copy of the vault can open it again. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
