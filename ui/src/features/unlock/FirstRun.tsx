import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";

import { Field } from "../../components/Field";
import { api, errorMessage, type KeyringState } from "../../ipc/client";
import { passphraseStrength } from "../../lib/strength";

const schema = z
  .object({
    passphrase: z
      .string()
      .min(8, "Use at least 8 characters.")
      .refine((v) => passphraseStrength(v).score >= 2, "Too easy to guess: add words, length or variety."),
    confirm: z.string(),
    useKeyring: z.boolean(),
  })
  .refine((v) => v.passphrase === v.confirm, { path: ["confirm"], message: "The two entries differ." });

type Form = z.infer<typeof schema>;

/** Creating the vault: the recovery passphrase, typed twice, and the keyring choice. */
export function FirstRun({ vaultPath, onCreated }: { vaultPath: string; onCreated: () => void }) {
  const [failure, setFailure] = useState<string | null>(null);
  const [keyring, setKeyring] = useState<KeyringState | null>(null);
  const { register, handleSubmit, control, formState } = useForm<Form>({
    resolver: zodResolver(schema),
    defaultValues: { passphrase: "", confirm: "", useKeyring: true },
  });
  const passphrase = useWatch({ control, name: "passphrase" });
  const strength = passphraseStrength(passphrase);

  const submit = handleSubmit(async (form) => {
    setFailure(null);
    try {
      const state = await api.createVault(form.passphrase, form.useKeyring);
      if (state.state === "unavailable") setKeyring(state);
      else onCreated();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  if (keyring?.state === "unavailable") {
    return (
      <div className="gate">
        <div className="gate-card">
          <h1>Your vault is ready</h1>
          <div className="notice notice-warn" role="status">
            <p>
              The OS keyring could not store the master key ({keyring.reason}). Coffer will ask for the recovery
              passphrase each time it starts.
            </p>
          </div>
          <button type="button" className="btn btn-primary" onClick={onCreated}>
            Continue
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} noValidate>
        <img className="logo" src="/coffer.svg" alt="" />
        <div className="stack">
          <h1>Create your vault</h1>
          <p className="muted">
            Coffer keeps your secrets encrypted in <code>{vaultPath}</code>.
          </p>
        </div>
        <div className="notice notice-info">
          <p>
            Choose a <strong>recovery passphrase</strong>. It unlocks the vault where the OS keyring is not available
            and after a keyring is lost. Coffer cannot recover it for you: write it down somewhere safe.
          </p>
        </div>
        <Field label="Recovery passphrase" error={formState.errors.passphrase?.message}>
          <input className="input" type="password" autoComplete="new-password" {...register("passphrase")} />
        </Field>
        <div className="stack" style={{ gap: 4 }}>
          <div className="strength" data-score={strength.score} aria-hidden="true">
            <span />
            <span />
            <span />
            <span />
          </div>
          <span className="small muted" aria-live="polite">
            Strength: {strength.label}
          </span>
        </div>
        <Field label="Type it again" error={formState.errors.confirm?.message}>
          <input className="input" type="password" autoComplete="new-password" {...register("confirm")} />
        </Field>
        <label className="check">
          <input type="checkbox" {...register("useKeyring")} />
          <span>
            Keep the master key in the OS keyring, so Coffer unlocks without the passphrase on this computer.
          </span>
        </label>
        {failure ? (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? "Creating… (deriving the key)" : "Create vault"}
        </button>
      </form>
    </div>
  );
}
