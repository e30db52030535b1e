import { zodResolver } from "@hookform/resolvers/zod";
import { useCallback, useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import { Field } from "../../components/Field";
import { api, errorMessage, hasCode } from "../../ipc/client";

const schema = z.object({ passphrase: z.string().min(1, "Enter the recovery passphrase.") });
type Form = z.infer<typeof schema>;

type Phase = { kind: "trying" } | { kind: "locked" } | { kind: "passphrase"; reason: string | null };

/**
 * Unlocking. At start the OS keyring is tried silently; after a lock the
 * user unlocks with a click (keyring) or the recovery passphrase.
 */
export function Unlock({
  auto,
  reason = null,
  onUnlocked,
}: {
  auto: boolean;
  /** Why the vault locked: `idle`, `tray`, `manual`, `key_replaced`, or null at start. */
  reason?: string | null;
  onUnlocked: () => void;
}) {
  const [phase, setPhase] = useState<Phase>(auto ? { kind: "trying" } : { kind: "locked" });
  const [failure, setFailure] = useState<string | null>(null);
  const tried = useRef(false);
  const { register, handleSubmit, formState, setError } = useForm<Form>({
    resolver: zodResolver(schema),
    defaultValues: { passphrase: "" },
  });

  const tryKeyring = useCallback(async () => {
    setPhase({ kind: "trying" });
    setFailure(null);
    try {
      const outcome = await api.unlockWithKeyring();
      if (outcome.outcome === "unlocked") onUnlocked();
      else setPhase({ kind: "passphrase", reason: outcome.reason });
    } catch (error) {
      setPhase({ kind: "passphrase", reason: hasCode(error, "wrong_key") ? errorMessage(error) : null });
      if (!hasCode(error, "wrong_key")) setFailure(errorMessage(error));
    }
  }, [onUnlocked]);

  useEffect(() => {
    if (auto && !tried.current) {
      tried.current = true;
      void tryKeyring();
    }
  }, [auto, tryKeyring]);

  const submit = handleSubmit(async ({ passphrase }) => {
    setFailure(null);
    try {
      await api.unlockWithPassphrase(passphrase);
      onUnlocked();
    } catch (error) {
      if (hasCode(error, "wrong_passphrase")) setError("passphrase", { message: "That passphrase is not right." });
      else setFailure(errorMessage(error));
    }
  });

  return (
    <div className="gate">
      <div className="gate-card">
        <img className="logo" src="/coffer.svg" alt="" />
        <h1>{phase.kind === "trying" ? "Unlocking…" : "Coffer is locked"}</h1>
        {phase.kind === "trying" ? <p className="muted">Asking the OS keyring for the master key.</p> : null}
        {reason === "key_replaced" && phase.kind !== "trying" ? (
          <div className="notice notice-info" role="status">
            <p>
              Another process (the <code>coffer</code> CLI or another Coffer) replaced the master key. This window
              dropped the old key instead of writing with it: unlock again to continue with the new one.
            </p>
          </div>
        ) : null}
        {phase.kind === "locked" ? (
          <>
            <p className="muted">Your secrets stay encrypted until you unlock the vault.</p>
            <button type="button" className="btn btn-primary" onClick={() => void tryKeyring()}>
              Unlock
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => setPhase({ kind: "passphrase", reason: null })}
            >
              Use the recovery passphrase
            </button>
          </>
        ) : null}
        {phase.kind === "passphrase" ? (
          <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
            {phase.reason ? (
              <div className="notice notice-warn" role="status">
                <p>
                  The OS keyring cannot unlock this vault: {phase.reason}. Enter the recovery passphrase instead.
                </p>
              </div>
            ) : null}
            <Field label="Recovery passphrase" error={formState.errors.passphrase?.message}>
              <input className="input" type="password" autoComplete="current-password" {...register("passphrase")} />
            </Field>
            <button type="submit" className="btn btn-primary" disabled={formState.isSubmitting}>
              {formState.isSubmitting ? "Unlocking… (deriving the key)" : "Unlock"}
            </button>
          </form>
        ) : null}
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
      </div>
    </div>
  );
}
