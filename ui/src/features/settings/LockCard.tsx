import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage } from "../../ipc/client";

const APP_STATUS = ["app-status"] as const;
const PIN_MIN = 4;

/**
 * The lock, said honestly, and the quick-unlock PIN: what a lock defends
 * against, and a PIN for this session that unlocks after a lock instead of
 * the recovery passphrase.
 */
export function LockCard({ usesKeyring }: { usesKeyring: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const status = useQuery({ queryKey: APP_STATUS, queryFn: api.appStatus });
  const [pin, setPin] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<{ pin?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const enabled = status.data?.quick_unlock ?? false;

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setFailure(null);
    try {
      await action();
      toast.info(done);
      setPin("");
      setConfirm("");
      await client.invalidateQueries({ queryKey: APP_STATUS });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: React.SyntheticEvent) => {
    event.preventDefault();
    const found: { pin?: string; confirm?: string } = {};
    if (Array.from(pin).length < PIN_MIN) found.pin = `At least ${PIN_MIN} characters.`;
    else if (confirm !== pin) found.confirm = "The two PINs differ.";
    setErrors(found);
    if (found.pin || found.confirm) return;
    void run(() => api.setQuickUnlock(pin), "Quick unlock is on: after a lock, your PIN unlocks Coffer.");
  };

  return (
    <section className="card stack" aria-labelledby="lock-title">
      <div className="card-head">
        <Icon name="lock" />
        <h2 id="lock-title">Lock and quick unlock</h2>
      </div>
      <p className="small">
        <strong>What the lock defends against.</strong> Locking (Lock now, the tray, the idle lock) drops the keys from
        this window; unlocking again asks for the recovery passphrase or your quick-unlock PIN, never the OS keyring,
        which unlocks silently only when Coffer starts.
      </p>
      <p className="small muted">
        {usesKeyring
          ? "The lock guards the open window, not your session: while the master key sits in your unlocked OS keyring, any program running as you (secret-tool, the coffer CLI) can still read it. Stop using the keyring for a lock that holds against them too."
          : "This vault's master key is not in the OS keyring: while Coffer is locked, only the recovery passphrase (or your PIN, while this Coffer runs) opens it."}
      </p>
      {enabled ? (
        <div className="notice notice-ok" role="status">
          <Icon name="check" />
          <p>
            A quick-unlock PIN is set for this session. It is kept nowhere: while locked, the master key stays in memory
            only, sealed under a key derived from the PIN. Quitting Coffer forgets it, and three wrong PINs turn it off.
          </p>
        </div>
      ) : null}
      <form className="stack" onSubmit={submit} noValidate>
        <div className="row" style={{ alignItems: "flex-start", flexWrap: "wrap" }}>
          <Field label={enabled ? "New PIN" : "Quick-unlock PIN"} error={errors.pin}>
            <input className="input" type="password" inputMode="numeric" autoComplete="new-password" value={pin} onChange={(e) => setPin(e.target.value)} />
          </Field>
          <Field label="Repeat the PIN" error={errors.confirm}>
            <input className="input" type="password" inputMode="numeric" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </Field>
        </div>
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {enabled ? "Change the PIN" : "Set the PIN"}
          </button>
          {enabled ? (
            <button type="button" className="btn" disabled={busy} onClick={() => void run(() => api.clearQuickUnlock(), "Quick unlock is off.")}>
              Turn quick unlock off
            </button>
          ) : (
            <span className="muted small">Without a PIN, every unlock after a lock needs the recovery passphrase.</span>
          )}
        </div>
      </form>
    </section>
  );
}
