import { useEffect, useRef, useState } from "react";

import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type RevealedValue, type SecretMeta } from "../../ipc/client";
import { fieldLabel, formatBytes } from "./fieldNames";
import type { PasswordGate } from "./useStorePassword";

/** How long a revealed value stays on screen. */
export const REVEAL_SECONDS = 30;

/**
 * The secret fields, masked. Reveal fetches one value for 30 s; Copy has the
 * shell put it on the clipboard without it passing through the page.
 * Revealed values live in this component's state only, never in a cache.
 */
/** Where a field's value comes from: the local vault, or a team vault's server. */
export type FieldSource = {
  reveal: (id: string, field: string, password: string | null) => Promise<RevealedValue>;
  copy: (id: string, field: string, password: string | null) => Promise<number>;
};

const LOCAL_FIELDS: FieldSource = { reveal: api.revealField, copy: api.copyField };

export function SecretFields({
  meta,
  names,
  gate,
  source = LOCAL_FIELDS,
}: {
  meta: SecretMeta;
  names: string[] | null;
  gate: PasswordGate;
  source?: FieldSource;
}) {
  if (names === null) return <p className="muted">Loading fields…</p>;
  if (meta.write_only) {
    return (
      <div className="stack">
        <div className="notice notice-info" role="note">
          <Icon name="shield" />
          <p>
            <strong>Write-only.</strong> Jobs can use this secret, but its value can never be shown or copied again,
            not even by its owner. To change it, set a new value.
          </p>
        </div>
        <dl className="kv">
          {names.map((name) => (
            <div className="kv-row" key={name}>
              <dt>{fieldLabel(meta.type, name)}</dt>
              <dd>
                <div className="secret-value">
                  <span className="masked" aria-label={`${fieldLabel(meta.type, name)} is write-only`}>
                    ••••••••••••
                  </span>
                </div>
              </dd>
            </div>
          ))}
        </dl>
      </div>
    );
  }
  if (names.length === 0) return <p className="muted">This secret has no secret fields.</p>;
  return (
    <dl className="kv">
      {names.map((name) => (
        <FieldRow key={name} meta={meta} name={name} gate={gate} source={source} />
      ))}
    </dl>
  );
}

function FieldRow({ meta, name, gate, source }: { meta: SecretMeta; name: string; gate: PasswordGate; source: FieldSource }) {
  const toast = useToast();
  const [revealed, setRevealed] = useState<RevealedValue | null>(null);
  const [showBase64, setShowBase64] = useState(false);
  const [busy, setBusy] = useState<"reveal" | "copy" | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const label = fieldLabel(meta.type, name);

  const hide = () => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    setRevealed(null);
    setShowBase64(false);
  };

  // Nothing revealed outlives the page.
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const reveal = async () => {
    setBusy("reveal");
    try {
      const value = await gate.run("Reveal", (password) => source.reveal(meta.id, name, password));
      if (value) {
        setRevealed(value);
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(hide, REVEAL_SECONDS * 1000);
      }
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  const copy = async () => {
    setBusy("copy");
    try {
      const seconds = await gate.run("Copy", (password) => source.copy(meta.id, name, password));
      if (seconds !== undefined) toast.info(`Copied; the clipboard is cleared in ${seconds} s.`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  // A multi-line value (a kubeconfig, a PEM) gets the card's full width, unwrapped.
  const multiline = revealed?.text?.includes("\n") ? "true" : undefined;
  return (
    <div className="kv-row" data-multiline={multiline}>
      <dt className={meta.type === "key_value" ? "mono" : undefined}>{label}</dt>
      <dd>
        <div className="secret-value" data-revealed={revealed ? "true" : "false"} data-multiline={multiline}>
          {revealed ? (
            <RevealedText value={revealed} showBase64={showBase64} onShowBase64={() => setShowBase64(true)} label={label} />
          ) : (
            <span className="masked" aria-label={`${label} (hidden)`}>
              ••••••••••••
            </span>
          )}
          <span className="secret-actions">
            {revealed ? (
              <button type="button" className="btn btn-sm btn-ghost" onClick={hide} aria-label={`Hide ${label}`}>
                <Icon name="eyeOff" /> Hide
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                disabled={busy !== null}
                onClick={() => void reveal()}
                aria-label={`Reveal ${label}`}
              >
                <Icon name="eye" /> Reveal
              </button>
            )}
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              disabled={busy !== null}
              onClick={() => void copy()}
              aria-label={`Copy ${label}`}
            >
              <Icon name="copy" /> Copy
            </button>
          </span>
        </div>
        {revealed ? <span className="small muted">Hidden again after {REVEAL_SECONDS} s.</span> : null}
      </dd>
    </div>
  );
}

function RevealedText({
  value,
  showBase64,
  onShowBase64,
  label,
}: {
  value: RevealedValue;
  showBase64: boolean;
  onShowBase64: () => void;
  label: string;
}) {
  if (value.text !== null) {
    return (
      <pre aria-label={`${label} (revealed)`}>
        {value.text === "" ? <span className="muted">(empty)</span> : value.text}
      </pre>
    );
  }
  const base64 = value.base64 ?? "";
  const bytes = Math.floor((base64.length * 3) / 4) - (base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0);
  if (showBase64) {
    return (
      <pre aria-label={`${label} (revealed, base64)`}>
        {base64}
      </pre>
    );
  }
  return (
    <span className="binary-note" aria-label={`${label} (revealed)`}>
      Binary value, {formatBytes(bytes)}.{" "}
      <button type="button" className="link-button" onClick={onShowBase64}>
        Show as base64
      </button>
    </span>
  );
}
