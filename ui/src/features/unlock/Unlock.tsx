import { zodResolver } from "@hookform/resolvers/zod";
import { useCallback, useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import { Field } from "../../components/Field";
import { api, errorMessage, hasCode } from "../../ipc/client";
import { markOnce } from "../../lib/startMarks";

const passphraseSchema = z.object({ passphrase: z.string().min(1, "Enter the recovery passphrase.") });
const pinSchema = z.object({ pin: z.string().min(1, "Enter your PIN.") });

type Phase =
  | { kind: "trying" }
  | { kind: "pin" }
  /** `notice`: why the passphrase is needed, when that is news (amber only when something failed). */
  | { kind: "passphrase"; notice: { text: string; warn: boolean } | null };

/** What the unlock screen knows about the vault and how it locked. */
export type UnlockProps = {
  /** At start: the OS keyring may be tried silently. */
  auto: boolean;
  /** Why the vault locked: `idle`, `tray`, `manual`, `key_replaced`, or null at start. */
  reason?: string | null;
  /** Whether the shell allows a keyring unlock now (only at start). */
  keyringAllowed: boolean;
  /** Whether the vault keeps its master key in the OS keyring. */
  usesKeyring: boolean;
  /** Whether a quick-unlock PIN is set for this session. */
  quickUnlock: boolean;
  onUnlocked: () => void;
};

function firstPhase({ auto, keyringAllowed, usesKeyring, quickUnlock, reason }: UnlockProps): Phase {
  if (auto && keyringAllowed && usesKeyring) return { kind: "trying" };
  if (quickUnlock && reason !== "key_replaced") return { kind: "pin" };
  return { kind: "passphrase", notice: null };
}

/**
 * Unlocking. At start the OS keyring is tried silently (when the vault uses
 * it). After a lock, only something the person knows unlocks: the
 * quick-unlock PIN set in Settings, or the recovery passphrase.
 */
export function Unlock(props: UnlockProps) {
  const { auto, reason = null, onUnlocked } = props;
  const [phase, setPhase] = useState<Phase>(() => firstPhase(props));
  const [failure, setFailure] = useState<string | null>(null);
  const tried = useRef(false);
  const passphraseForm = useForm<z.infer<typeof passphraseSchema>>({
    resolver: zodResolver(passphraseSchema),
    defaultValues: { passphrase: "" },
  });
  const pinForm = useForm<z.infer<typeof pinSchema>>({ resolver: zodResolver(pinSchema), defaultValues: { pin: "" } });

  const tryKeyring = useCallback(async () => {
    setFailure(null);
    try {
      const outcome = await api.unlockWithKeyring();
      markOnce("coffer:unlocked");
      if (outcome.outcome === "unlocked") onUnlocked();
      else setPhase({ kind: "passphrase", notice: { text: `The OS keyring cannot unlock this vault: ${outcome.reason}.`, warn: true } });
    } catch (error) {
      setPhase({ kind: "passphrase", notice: hasCode(error, "wrong_key") ? { text: errorMessage(error), warn: true } : null });
      if (!hasCode(error, "wrong_key")) setFailure(errorMessage(error));
    }
  }, [onUnlocked]);

  useEffect(() => {
    if (phase.kind === "trying" && auto && !tried.current) {
      tried.current = true;
      void tryKeyring();
    }
  }, [auto, phase.kind, tryKeyring]);

  const submitPassphrase = passphraseForm.handleSubmit(async ({ passphrase }) => {
    setFailure(null);
    try {
      await api.unlockWithPassphrase(passphrase);
      onUnlocked();
    } catch (error) {
      if (hasCode(error, "wrong_passphrase")) passphraseForm.setError("passphrase", { message: "That passphrase is not right." });
      else setFailure(errorMessage(error));
    }
  });

  const submitPin = pinForm.handleSubmit(async ({ pin }) => {
    setFailure(null);
    try {
      const outcome = await api.unlockWithPin(pin);
      if (outcome.outcome === "unlocked") onUnlocked();
      else if (outcome.outcome === "wrong_pin") {
        pinForm.reset({ pin: "" });
        pinForm.setError("pin", {
          message: `That PIN is not right: ${outcome.tries_left} ${outcome.tries_left === 1 ? "try" : "tries"} left before the recovery passphrase is needed.`,
        });
      } else {
        setPhase({ kind: "passphrase", notice: { text: `Quick unlock is off: ${outcome.reason}. Enter the recovery passphrase.`, warn: true } });
      }
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  const busy = passphraseForm.formState.isSubmitting || pinForm.formState.isSubmitting;

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
        {phase.kind === "pin" ? (
          <form className="stack" onSubmit={(e) => void submitPin(e)} noValidate>
            <p className="muted">Enter the quick-unlock PIN you set for this session.</p>
            <Field label="PIN" error={pinForm.formState.errors.pin?.message}>
              <input className="input" type="password" inputMode="numeric" autoComplete="off" {...pinForm.register("pin")} />
            </Field>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {pinForm.formState.isSubmitting ? "Unlocking…" : "Unlock"}
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                setFailure(null);
                setPhase({ kind: "passphrase", notice: null });
              }}
            >
              Use the recovery passphrase
            </button>
          </form>
        ) : null}
        {phase.kind === "passphrase" ? (
          <form className="stack" onSubmit={(e) => void submitPassphrase(e)} noValidate>
            {phase.notice ? (
              <div className={`notice ${phase.notice.warn ? "notice-warn" : "notice-info"}`} role="status">
                <p>{phase.notice.text}</p>
              </div>
            ) : (
              <p className="muted">
                {auto ? "Enter the recovery passphrase to open the vault." : "Enter the recovery passphrase to unlock again."}
              </p>
            )}
            <Field label="Recovery passphrase" error={passphraseForm.formState.errors.passphrase?.message}>
              <input className="input" type="password" autoComplete="current-password" {...passphraseForm.register("passphrase")} />
            </Field>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {passphraseForm.formState.isSubmitting ? "Unlocking… (deriving the key)" : "Unlock"}
            </button>
            {props.quickUnlock && reason !== "key_replaced" && phase.notice === null ? (
              <button type="button" className="btn btn-ghost" onClick={() => setPhase({ kind: "pin" })}>
                Use the PIN
              </button>
            ) : null}
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
