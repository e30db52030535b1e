import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, hasCode } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { passphraseStrength } from "../../lib/strength";

/** Replaces the vault master key; needs the recovery passphrase. */
export function RotateKeyCard() {
  const [open, setOpen] = useState(false);
  return (
    <section className="card stack" aria-labelledby="rotate-title">
      <div className="card-head">
        <Icon name="refresh" />
        <h2 id="rotate-title">Master key</h2>
      </div>
      <p>
        Rotating makes a new random master key and re-wraps every secret&apos;s data key with it in one transaction. The
        values and their history stay as they are, the recovery passphrase stays the same, and the keyring copy is
        replaced. Rotate when a copy of the vault and its key may have leaked.
      </p>
      <div>
        <button type="button" className="btn" onClick={() => setOpen(true)}>
          Rotate master key…
        </button>
      </div>
      {open ? <RotateDialog onClose={() => setOpen(false)} /> : null}
    </section>
  );
}

function RotateDialog({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const formId = useId();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!passphrase) return setError("Enter the recovery passphrase.");
    setBusy(true);
    setError(undefined);
    try {
      const keyring = await api.rotateMasterKey(passphrase);
      toast.info(
        keyring.state === "unavailable"
          ? `Master key rotated. The keyring could not store the new key: ${keyring.reason}`
          : "Master key rotated.",
      );
      await client.invalidateQueries({ queryKey: keys.status });
      onClose();
    } catch (e) {
      setError(hasCode(e, "wrong_passphrase") ? "Wrong recovery passphrase." : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title="Rotate the master key"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Rotating… (deriving the key)" : "Rotate"}
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
        <p className="muted">The recovery passphrase proves it is you, and wraps the new key.</p>
        <Field label="Recovery passphrase" error={error}>
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}

const passphraseSchema = z
  .object({
    current: z.string().min(1, "Enter the current passphrase."),
    next: z
      .string()
      .min(8, "Use at least 8 characters.")
      .refine((v) => passphraseStrength(v).score >= 2, "Too easy to guess: add words, length or variety."),
    confirm: z.string(),
  })
  .refine((v) => v.next === v.confirm, { path: ["confirm"], message: "The two entries differ." })
  .refine((v) => v.next !== v.current, { path: ["next"], message: "The new passphrase is the same as the current one." });

type PassphraseForm = z.infer<typeof passphraseSchema>;

/** Changes the recovery passphrase: the current one, then the new one twice. */
export function PassphraseCard() {
  const toast = useToast();
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, control, formState, setError, reset } = useForm<PassphraseForm>({
    resolver: zodResolver(passphraseSchema),
    defaultValues: { current: "", next: "", confirm: "" },
  });
  const next = useWatch({ control, name: "next" });
  const strength = passphraseStrength(next);
  const errors = formState.errors;

  const submit = handleSubmit(async (form) => {
    setFailure(null);
    try {
      await api.changePassphrase(form.current, form.next);
      reset();
      toast.info("Recovery passphrase changed.");
    } catch (error) {
      if (hasCode(error, "wrong_passphrase")) setError("current", { message: "Wrong passphrase." });
      else setFailure(errorMessage(error));
    }
  });

  return (
    <form className="card stack" aria-labelledby="passphrase-title" noValidate onSubmit={(e) => void submit(e)}>
      <div className="card-head">
        <Icon name="lock" />
        <h2 id="passphrase-title">Recovery passphrase</h2>
      </div>
      <p className="muted">
        It opens the vault where the keyring cannot, and after a keyring is lost. Coffer cannot recover it for you.
      </p>
      <Field label="Current passphrase" error={errors.current?.message}>
        <input className="input" type="password" autoComplete="current-password" {...register("current")} />
      </Field>
      <div className="grid-2">
        <div className="stack" style={{ gap: 6 }}>
          <Field label="New passphrase" error={errors.next?.message}>
            <input className="input" type="password" autoComplete="new-password" {...register("next")} />
          </Field>
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
        <Field label="New passphrase again" error={errors.confirm?.message}>
          <input className="input" type="password" autoComplete="new-password" {...register("confirm")} />
        </Field>
      </div>
      {failure ? (
        <div className="notice notice-error" role="alert">
          {failure}
        </div>
      ) : null}
      <div>
        <button type="submit" className="btn" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? "Changing… (deriving the key)" : "Change passphrase"}
        </button>
      </div>
    </form>
  );
}
