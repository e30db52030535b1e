import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type FileForm, type SecretMeta } from "../../ipc/client";
import { keys } from "../../lib/queries";
import type { PasswordGate } from "./useStorePassword";

/** Whether a secret can be saved back to a file: data secrets and certificates that may be revealed. */
export function canSaveToFile(meta: SecretMeta): boolean {
  return (meta.type === "data" || meta.type === "certificate") && !meta.write_only;
}

const CERT_FORMS: { form: FileForm; label: string; hint: string }[] = [
  { form: "pem", label: "PEM chain (.pem)", hint: "Every certificate of the chain, leaf first, as Coffer keeps it. The private key is not included." },
  { form: "der", label: "DER leaf (.der)", hint: "The leaf certificate alone, binary DER (Java keytool, Windows)." },
];

/**
 * "Save to file…": the native save dialog, then a data secret's original
 * bytes, or a certificate as its PEM chain or DER leaf (chosen first),
 * audited like a reveal and written for the owner only.
 */
export function SaveToFileButton({ meta, gate }: { meta: SecretMeta; gate: PasswordGate }) {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [form, setForm] = useState<FileForm>("pem");
  const save = async (chosen: FileForm) => {
    setChoosing(false);
    setBusy(true);
    try {
      const path = await gate.run("Save to file", (password) => api.saveSecretToFile(meta.id, chosen, password));
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
  const certificate = meta.type === "certificate";
  return (
    <>
      <button type="button" className="btn" disabled={busy} onClick={() => (certificate ? setChoosing(true) : void save("bytes"))}>
        Save to file…
      </button>
      {choosing ? (
        <Dialog
          open
          title={`Save ${meta.name} to a file`}
          onClose={() => setChoosing(false)}
          footer={
            <>
              <button type="button" className="btn" onClick={() => setChoosing(false)}>
                Cancel
              </button>
              <button type="button" className="btn btn-primary" onClick={() => void save(form)}>
                Choose where…
              </button>
            </>
          }
        >
          <div className="fieldset" role="radiogroup" aria-label="Format">
            {CERT_FORMS.map((f) => (
              <label key={f.form} className="check">
                <input type="radio" name="save-form" value={f.form} checked={form === f.form} onChange={() => setForm(f.form)} />
                <span>
                  {f.label}
                  <span className="hint" style={{ display: "block" }}>
                    {f.hint}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <p className="muted small">
            Coffer does not keep the file the certificate was registered from (a PKCS#12, DER or PEM file with its key): it keeps the chain as
            PEM and the key apart. Saving is recorded in the audit log like a reveal.
          </p>
        </Dialog>
      ) : null}
    </>
  );
}
