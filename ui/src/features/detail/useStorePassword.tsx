import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { hasCode } from "../../ipc/client";

type Pending = {
  action: (password: string) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

export type PasswordGate = {
  /**
   * Runs `action` with the store password: asked in a dialog the first time
   * (a wrong one is reported in the dialog), then remembered while this page
   * is open. Resolves to `undefined` when the user cancels.
   */
  run: <T>(purpose: string, action: (password: string | null) => Promise<T>) => Promise<T | undefined>;
  dialog: ReactNode;
};

/** The store password of a password-protected secret (Concord `storePassword`). */
export function useStorePassword(needed: boolean, secretName: string): PasswordGate {
  const remembered = useRef<string | null>(null);
  const pending = useRef<Pending | null>(null);
  const [prompt, setPrompt] = useState<{ purpose: string; error: string | null; busy: boolean } | null>(null);

  // The password lives only as long as the page.
  useEffect(
    () => () => {
      remembered.current = null;
    },
    [],
  );

  const run = useCallback(
    async <T,>(purpose: string, action: (password: string | null) => Promise<T>): Promise<T | undefined> => {
      if (!needed) return action(null);
      const known = remembered.current;
      if (known !== null) {
        try {
          return await action(known);
        } catch (error) {
          if (!hasCode(error, "wrong_password", "password_required")) throw error;
          remembered.current = null;
        }
      }
      return new Promise<T | undefined>((resolve, reject) => {
        pending.current = { action, resolve: resolve as (value: unknown) => void, reject };
        setPrompt({ purpose, error: null, busy: false });
      });
    },
    [needed],
  );

  const submit = async (password: string) => {
    const current = pending.current;
    if (!current) return;
    setPrompt((p) => (p ? { ...p, busy: true, error: null } : p));
    try {
      const result = await current.action(password);
      remembered.current = password;
      pending.current = null;
      setPrompt(null);
      current.resolve(result);
    } catch (error) {
      if (hasCode(error, "wrong_password", "password_required")) {
        setPrompt((p) => (p ? { ...p, busy: false, error: "Wrong store password. Try again." } : p));
        return;
      }
      pending.current = null;
      setPrompt(null);
      current.reject(error);
    }
  };

  const cancel = () => {
    pending.current?.resolve(undefined);
    pending.current = null;
    setPrompt(null);
  };

  const dialog = prompt ? (
    <PasswordPrompt
      secretName={secretName}
      purpose={prompt.purpose}
      error={prompt.error}
      busy={prompt.busy}
      onSubmit={(password) => void submit(password)}
      onCancel={cancel}
    />
  ) : null;
  return { run, dialog };
}

function PasswordPrompt({
  secretName,
  purpose,
  error,
  busy,
  onSubmit,
  onCancel,
}: {
  secretName: string;
  purpose: string;
  error: string | null;
  busy: boolean;
  onSubmit: (password: string) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState("");
  const [empty, setEmpty] = useState(false);
  const formId = useId();
  return (
    <Dialog
      open
      title="Store password"
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? "Checking…" : purpose}
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
          if (!password) {
            setEmpty(true);
            return;
          }
          onSubmit(password);
        }}
      >
        <p className="muted">
          <strong className="detail-name-inline">{secretName}</strong> is protected by a store password of its own.
          Coffer never stores it; it is kept in memory only while this page is open.
        </p>
        <Field label="Store password" error={error ?? (empty ? "Enter the store password." : undefined)}>
          <input
            className="input"
            type="password"
            autoComplete="off"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setEmpty(false);
            }}
          />
        </Field>
      </form>
    </Dialog>
  );
}
