// The import commands, unwrapped like the rest of `api` (ipc/client).
import { commands, events, unwrap, type FieldValue } from "../../ipc/client";
import type { ImportChoices, ImportOptions } from "./types";

export const importApi = {
  /** The format a dropped or picked file holds, when it is one the wizard reads (nothing is kept). */
  detect: (token: string) => unwrap(commands.importDetect(token)),
  /** Reads the file (a dropped or picked token, or bytes the page read) into the shell and detects its format. */
  open: (source: FieldValue, name: string | null) => unwrap(commands.importOpen(source, name)),
  /** The CSV's first rows (secret columns masked) and a suggested mapping. */
  csvSample: () => unwrap(commands.importCsvSample()),
  /** Reads the file with the options and returns what an import would do. */
  read: (options: ImportOptions) => unwrap(commands.importRead(options)),
  /** Writes the batch read last (one transaction). */
  apply: (choices: ImportChoices) => unwrap(commands.importApply(choices)),
  /** Forgets the file and what was read from it. */
  close: () => commands.importClose(),
  /** How far `apply` is. */
  onProgress: (f: (done: number, total: number) => void) =>
    events.importApplyProgress.listen((event) => f(event.payload.done, event.payload.total)),
};
