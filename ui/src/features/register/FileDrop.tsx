import { useId, useState } from "react";

import { Icon } from "../../components/Icon";
import { api, errorMessage } from "../../ipc/client";
import { useDrops } from "../../lib/drops";
import { formatBytes } from "../detail/fieldNames";
import { fromBrowserFile, fromHandedFile, fromText, type Source } from "./sources";

/**
 * Where a file comes in: dropped on the window (the form routes drops here),
 * chosen in the native dialog (the bytes stay in the shell), or read by the
 * page through a plain file input.
 */
export function FileDrop({
  label,
  what,
  hint,
  accept,
  paste,
  secondary,
  source,
  error,
  onSource,
  onClear,
  onError,
}: {
  /** The file input's accessible name, e.g. "Certificate file". */
  label: string;
  /** What to drop, e.g. "the certificate". */
  what: string;
  hint?: string;
  accept?: string;
  /** Offers to paste text instead, under this summary (e.g. "Paste PEM text instead"). */
  paste?: string;
  /** An optional file: a plain button rather than the primary one. */
  secondary?: boolean;
  source: Source | null;
  error?: string | undefined;
  onSource: (source: Source) => void;
  onClear: () => void;
  onError: (message: string) => void;
}) {
  const errorId = useId();
  const drops = useDrops();
  const [busy, setBusy] = useState(false);
  const [pasted, setPasted] = useState("");

  const choose = async () => {
    setBusy(true);
    try {
      const [file] = await api.pickFiles(`Choose ${what}`, false);
      if (file) onSource(fromHandedFile(file));
    } catch (e) {
      onError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const read = async (file: File | undefined) => {
    if (!file) return;
    try {
      onSource(await fromBrowserFile(file));
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  return (
    <div className="reg-drop">
      <span className="field-label" aria-hidden="true">
        {label}
      </span>
      {source ? (
        <div className="picked-file reg-picked" data-invalid={error ? "true" : undefined}>
          <Icon name="file" />
          <span className="reg-picked-name">{source.name}</span>
          <span className="muted small">{formatBytes(source.size)}</span>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            aria-label={`Remove ${label.toLowerCase()}`}
            onClick={onClear}
          >
            <Icon name="x" /> Remove
          </button>
        </div>
      ) : (
        <div
          className="dropzone reg-dropzone"
          data-active={drops.hovering ? "true" : undefined}
          aria-describedby={error ? errorId : undefined}
        >
          <Icon name="upload" size={22} />
          <span>
            Drop {what} here or choose a file
          </span>
          <div className="row reg-drop-actions">
            <button
              type="button"
              className={secondary ? "btn btn-sm" : "btn btn-sm btn-primary"}
              disabled={busy}
              aria-label={`Choose file… (${label.toLowerCase()})`}
              onClick={() => void choose()}
            >
              Choose file…
            </button>
            {/* The page's own file input stays for tests (WebDriver drives it); people use the native dialog. */}
            <label className="visually-hidden">
              <input
                type="file"
                tabIndex={-1}
                aria-label={label}
                accept={accept}
                onChange={(e) => {
                  void read(e.target.files?.[0]);
                  e.target.value = "";
                }}
              />
            </label>
          </div>
          {hint ? <span className="muted small">{hint}</span> : null}
        </div>
      )}
      {paste && !source ? (
        <details className="reg-paste">
          <summary>{paste}</summary>
          <textarea
            className="textarea"
            rows={5}
            spellCheck={false}
            aria-label={`${label}: pasted text`}
            placeholder="-----BEGIN ...-----"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
          />
          <div>
            <button
              type="button"
              className="btn btn-sm"
              disabled={!pasted.trim()}
              onClick={() => {
                onSource(fromText(pasted.trim() + "\n", "Pasted text"));
                setPasted("");
              }}
            >
              Use the pasted text
            </button>
          </div>
        </details>
      ) : null}
      {error ? (
        <span id={errorId} className="error small" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
