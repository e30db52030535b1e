// The import commands, until the generated bindings carry them (then these
// become re-exports of `api` in ipc/client).
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import { unwrap, type FieldValue, type IpcError } from "../../ipc/client";
import type { CsvSample, ImportChoices, ImportFile, ImportFormat, ImportOptions, ImportOutcome, ImportPreview } from "./types";

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return unwrap(
    invoke<T>(cmd, args).then(
      (data) => ({ status: "ok" as const, data }),
      (error: unknown) => ({ status: "error" as const, error: error as IpcError }),
    ),
  );
}

export const importApi = {
  /** The format a dropped or picked file holds, when it is one the wizard reads (nothing is kept). */
  detect: (token: string) => call<ImportFormat | null>("import_detect", { token }),
  /** Reads the file (a dropped or picked token, or bytes the page read) into the shell and detects its format. */
  open: (source: FieldValue, name: string | null) => call<ImportFile>("import_open", { source, name }),
  /** The CSV's first rows (secret columns masked) and a suggested mapping. */
  csvSample: () => call<CsvSample>("import_csv_sample"),
  /** Reads the file with the options and returns what an import would do. */
  read: (options: ImportOptions) => call<ImportPreview>("import_read", { options }),
  /** Writes the batch read last (one transaction). */
  apply: (choices: ImportChoices) => call<ImportOutcome>("import_apply", { choices }),
  /** Forgets the file and what was read from it. */
  close: () => call<null>("import_close"),
  /** How far `apply` is. */
  onProgress: (f: (done: number, total: number) => void) =>
    listen<{ done: number; total: number }>("import-apply-progress", (event) => f(event.payload.done, event.payload.total)),
};
