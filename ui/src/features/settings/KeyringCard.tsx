import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type KeyringState } from "../../ipc/client";
import { keys } from "../../lib/queries";

function describe(state: KeyringState): { title: string; text: string; kind: "ok" | "warn" | "info" } {
  switch (state.state) {
    case "stored":
      return {
        title: "Stored in the OS keyring",
        text: "Coffer unlocks on this computer without the recovery passphrase.",
        kind: "ok",
      };
    case "missing":
      return {
        title: "Not in the keyring",
        text: "The keyring works but holds no key for this vault, so Coffer asks for the recovery passphrase at every start.",
        kind: "warn",
      };
    case "unavailable":
      return { title: "Keyring unavailable", text: state.reason, kind: "warn" };
    case "disabled":
      return {
        title: "Not used",
        text: "This vault does not keep its master key in the OS keyring; it opens with the recovery passphrase.",
        kind: "info",
      };
  }
}

/** Where the master key is kept: the OS keyring's state, with enable/disable. */
export function KeyringCard({ keyring }: { keyring: KeyringState }) {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const view = describe(keyring);
  const enabled = keyring.state === "stored";

  const change = async (enable: boolean) => {
    setBusy(true);
    setFailure(null);
    try {
      const state = await api.setKeyring(enable);
      if (state.state === "unavailable") setFailure(`The keyring could not store the key: ${state.reason}`);
      else toast.info(enable ? "The master key is now in the OS keyring." : "The master key was removed from the OS keyring.");
      await client.invalidateQueries({ queryKey: keys.status });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="keyring-title">
      <div className="card-head">
        <Icon name="key" />
        <h2 id="keyring-title">OS keyring</h2>
      </div>
      <div className={`notice notice-${view.kind}`} role="status">
        <Icon name={view.kind === "ok" ? "check" : view.kind === "warn" ? "alert" : "lock"} />
        <div className="stack" style={{ gap: 2 }}>
          <strong>{view.title}</strong>
          <span>{view.text}</span>
        </div>
      </div>
      {failure ? (
        <div className="notice notice-error" role="alert">
          {failure}
        </div>
      ) : null}
      <div className="row">
        {enabled ? (
          <button type="button" className="btn" disabled={busy} onClick={() => void change(false)}>
            Stop using the keyring
          </button>
        ) : (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void change(true)}>
            {keyring.state === "unavailable" ? "Try the keyring again" : "Keep the key in the keyring"}
          </button>
        )}
        <span className="muted small">
          {enabled
            ? "Without it, every unlock needs the recovery passphrase."
            : "Anyone who can log in as you on this computer can then open the vault."}
        </span>
      </div>
    </section>
  );
}
