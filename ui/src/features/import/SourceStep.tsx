import { useState } from "react";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type FieldValue, type HandedFile } from "../../ipc/client";
import { useDrops } from "../../lib/drops";
import { formatBytes } from "../detail/fieldNames";
import { readBytes, toBase64 } from "../register/sources";
import { FORMATS } from "./model";
import type { ImportFile, ImportFormat } from "./types";

/** The most the page reads itself (IPC carries 6 MiB); bigger files go through the native dialog or a drop. */
const MAX_PAGE_READ = 4 * 1024 * 1024;

/** The page's own file input (tests drive it; people use the native dialog). */
export async function fromBrowserFile(file: File): Promise<FieldValue> {
  if (file.size > MAX_PAGE_READ) throw new Error(`${file.name} is larger than 4 MiB: choose it with "Choose file…" or drop it on the window.`);
  return { kind: "base64", data: toBase64(await readBytes(file)) };
}

export function fromHandedFile(file: HandedFile): FieldValue {
  return { kind: "file", token: file.token };
}

/** The file to import (dropped, chosen, or read by the page) and its format (detected, changeable). */
export function SourceStep({
  file,
  format,
  busy,
  onSource,
  onFormat,
  onError,
}: {
  file: ImportFile | null;
  format: ImportFormat | null;
  busy: boolean;
  /** The file: a token (its name known to the shell), or bytes the page read and their file's name. */
  onSource: (source: FieldValue, name: string | null) => void;
  onFormat: (format: ImportFormat) => void;
  onError: (message: string) => void;
}) {
  const drops = useDrops();
  const [picking, setPicking] = useState(false);

  const choose = async () => {
    setPicking(true);
    try {
      const [picked] = await api.pickFiles("Choose the file to import", false);
      if (picked) onSource(fromHandedFile(picked), null);
    } catch (e) {
      onError(errorMessage(e));
    } finally {
      setPicking(false);
    }
  };

  const read = async (picked: File | undefined) => {
    if (!picked) return;
    try {
      onSource(await fromBrowserFile(picked), picked.name);
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  return (
    <div className="stack reg-form">
      <div className="dropzone reg-dropzone" data-active={drops.hovering ? "true" : undefined}>
        <Icon name="upload" size={22} />
        {file ? (
          <span>
            <strong className="imp-file-name">{file.name}</strong> <span className="muted small">{formatBytes(file.size)}</span>
          </span>
        ) : (
          <span>Drop a KeePass, Bitwarden, 1Password, CSV, .env or Coffer export file here, or choose it</span>
        )}
        <div className="row reg-drop-actions">
          <button type="button" className={file ? "btn btn-sm" : "btn btn-sm btn-primary"} disabled={busy || picking} onClick={() => void choose()}>
            {file ? "Choose another file…" : "Choose file…"}
          </button>
          {/* The page's own file input stays for tests (WebDriver drives it); people use the native dialog. */}
          <label className="visually-hidden">
            <input
              type="file"
              tabIndex={-1}
              aria-label="File to import"
              onChange={(e) => {
                void read(e.target.files?.[0]);
                e.target.value = "";
              }}
            />
          </label>
        </div>
        <span className="muted small">The file is read by Coffer itself; nothing is written until you confirm the preview.</span>
      </div>
      {file ? (
        <fieldset className="imp-formats">
          <legend>Format</legend>
          {file.format ? (
            <p className="small muted" role="status">
              Detected from the file: {FORMATS.find((f) => f.format === file.format)?.label}. Change it if that is wrong.
            </p>
          ) : (
            <p className="small" role="status">
              Coffer could not tell this file&apos;s format: choose it.
            </p>
          )}
          <div role="radiogroup" aria-label="Format" className="imp-format-list">
            {FORMATS.map((f) => (
              <label key={f.format} className="reg-segment">
                <input type="radio" name="import-format" checked={format === f.format} onChange={() => onFormat(f.format)} />
                <span>
                  {f.label}
                  {file.format === f.format ? <span className="badge badge-active imp-detected">detected</span> : null}
                  <span className="small muted">{f.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
    </div>
  );
}
