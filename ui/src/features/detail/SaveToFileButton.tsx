import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useToast } from "../../components/Toasts";
import { api, errorMessage, type SecretMeta } from "../../ipc/client";
import { keys } from "../../lib/queries";
import type { PasswordGate } from "./useStorePassword";

/** Whether a secret can be saved back to a file: data secrets and certificates that may be revealed. */
export function canSaveToFile(meta: SecretMeta): boolean {
  return (meta.type === "data" || meta.type === "certificate") && !meta.write_only;
}

/**
 * "Save to file…": the native save dialog, then the original bytes (data) or
 * the PEM chain (certificate), audited like a reveal and written for the
 * owner only.
 */
export function SaveToFileButton({ meta, gate }: { meta: SecretMeta; gate: PasswordGate }) {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      const path = await gate.run("Save to file", (password) => api.saveSecretToFile(meta.id, password));
      if (path) {
        toast.info(`Saved to ${path} (readable by you only).`);
        await client.invalidateQueries({ queryKey: keys.audit(meta.id) });
      }
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn" disabled={busy} onClick={() => void save()}>
      Save to file…
    </button>
  );
}
