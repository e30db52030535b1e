// The import commands' shapes (issue 13's contract), until the generated
// bindings carry them. Replaced by re-exports from ipc/client.
import type { FieldValue, SecretType } from "../../ipc/client";

/** A format the wizard reads. */
export type ImportFormat = "kdbx" | "bitwarden" | "one_password" | "one_password_csv" | "csv" | "env" | "coffer";

/** The file handed to the wizard, as the shell read it. */
export type ImportFile = { name: string; size: number; format: ImportFormat | null };

/** What one CSV column becomes. */
export type CsvColumnRole = "ignore" | "name" | "type" | "description" | "expiry" | "labels" | "label" | "field";
export type CsvColumn = { role: CsvColumnRole; key: string | null };
export type CsvMapping = { columns: CsvColumn[]; has_header: boolean; kind: SecretType };
/** The first rows (cells of secret columns masked by the shell) and a suggested mapping. */
export type CsvSample = { headers: string[]; rows: string[][]; columns: number; suggested: CsvMapping; masked: boolean[] };

export type GroupsAs = "labels" | "project";
export type EnvMode = { mode: "one_secret"; name: string } | { mode: "per_variable" };

/** How the shell reads the file. */
export type ImportOptions = {
  format: ImportFormat;
  password: string | null;
  key_file: FieldValue | null;
  groups: GroupsAs;
  env: EnvMode;
  csv: CsvMapping | null;
  org: string | null;
  project: string | null;
};

export type Unreadable = { source: string; code: string; reason: string };
export type PreviewItem = {
  index: number;
  source: string;
  name: string;
  original_name: string | null;
  kind: SecretType;
  versions: number;
  needs_value: boolean;
  conflict: string | null;
  renamed_to: string;
};
export type ImportPreview = {
  format: string;
  by_type: Partial<Record<SecretType, number>>;
  items: PreviewItem[];
  unreadable: Unreadable[];
  skipped: Record<string, number>;
};

export type OnConflict = "skip" | "rename" | "new_version";
/** What to do with conflicts, and the values write-only items need (fields by name). */
export type ImportChoices = {
  default: OnConflict;
  per_item: Record<number, OnConflict>;
  values: Record<number, { name: string; value: FieldValue }[]>;
  /** Label what this import writes `import=<date-time>`, so the list can show just them. */
  tag: boolean;
};
export type ImportReport = { created: number; new_versions: number; renamed: number; skipped: number };
export type ImportOutcome = { report: ImportReport; label: string | null };
