// The Import wizard's state: one reducer, so every step's move is a plain
// function the tests drive without a screen.
import type { SecretType } from "../../ipc/client";
import type {
  CsvColumn,
  CsvMapping,
  CsvSample,
  GroupsAs,
  ImportChoices,
  ImportFile,
  ImportFormat,
  ImportOptions,
  ImportOutcome,
  ImportPreview,
  OnConflict,
  PreviewItem,
  PreviewJob,
} from "./types";

export type Step = "source" | "options" | "mapping" | "preview" | "import" | "done";

export const STEP_LABEL: Record<Step, string> = {
  source: "Source",
  options: "Options",
  mapping: "Columns",
  preview: "Preview",
  import: "Import",
  done: "Done",
};

/** The formats, in the order the source step lists them. */
export const FORMATS: { format: ImportFormat; label: string; hint: string }[] = [
  { format: "kdbx", label: "KeePass (.kdbx)", hint: "KDBX 4 or 3.1, opened with its password and/or key file" },
  { format: "bitwarden", label: "Bitwarden (.json)", hint: "An unencrypted JSON export: logins, notes, custom fields" },
  { format: "one_password", label: "1Password (.1pux)", hint: "1Password's export file" },
  { format: "one_password_csv", label: "1Password (.csv)", hint: "1Password's CSV export" },
  { format: "csv", label: "CSV spreadsheet", hint: "Any CSV: you map its columns in the next steps" },
  { format: "env", label: ".env file", hint: "KEY=value lines: one key/value secret, or one secret per variable" },
  { format: "coffer", label: "Coffer export (.coffer)", hint: "An encrypted export of a Coffer vault, opened with its passphrase" },
];

export function formatLabel(format: ImportFormat): string {
  return FORMATS.find((f) => f.format === format)?.label ?? format;
}

/** The steps a format goes through (only a CSV has its columns mapped). */
export function stepsFor(format: ImportFormat | null): Step[] {
  return format === "csv"
    ? ["source", "options", "mapping", "preview", "import", "done"]
    : ["source", "options", "preview", "import", "done"];
}

/** Whether the format is opened with a password (KDBX) or passphrase (a Coffer export). */
export function needsPassword(format: ImportFormat | null): boolean {
  return format === "kdbx" || format === "coffer";
}

export type OptionsDraft = {
  password: string;
  keyFile: { name: string; size: number; value: ImportOptions["key_file"] } | null;
  groups: GroupsAs;
  envMode: "one_secret" | "per_variable";
  envName: string;
  org: string;
  project: string;
};

export type Problem = { code: string; message: string; why: string | null; afterImport?: boolean };

export type State = {
  step: Step;
  file: ImportFile | null;
  format: ImportFormat | null;
  options: OptionsDraft;
  sample: CsvSample | null;
  mapping: CsvMapping | null;
  preview: ImportPreview | null;
  conflictDefault: OnConflict;
  perItem: Record<number, OnConflict>;
  /** Choices for conflicting jobs (a Coffer export with jobs), by job index. */
  jobPerItem: Record<number, OnConflict>;
  /** Values typed for items that need one (write-only in a Coffer export), by item then field. */
  values: Record<number, Record<string, string>>;
  tag: boolean;
  progress: { done: number; total: number } | null;
  outcome: ImportOutcome | null;
  /** A failure, shown on the step it belongs to. */
  problem: Problem | null;
};

export function emptyOptions(fileName = ""): OptionsDraft {
  const stem = fileName.replace(/\.[^.]*$/, "").replace(/^\./, "");
  return { password: "", keyFile: null, groups: "labels", envMode: "one_secret", envName: stem || "env", org: "", project: "" };
}

export const START: State = {
  step: "source",
  file: null,
  format: null,
  options: emptyOptions(),
  sample: null,
  mapping: null,
  preview: null,
  conflictDefault: "skip",
  perItem: {},
  jobPerItem: {},
  values: {},
  tag: true,
  progress: null,
  outcome: null,
  problem: null,
};

export type Action =
  | { type: "opened"; file: ImportFile }
  | { type: "format"; format: ImportFormat }
  | { type: "go"; step: Step }
  | { type: "back" }
  | { type: "options"; patch: Partial<OptionsDraft> }
  | { type: "sampled"; sample: CsvSample }
  | { type: "column"; index: number; column: CsvColumn }
  | { type: "mapping"; patch: Partial<Omit<CsvMapping, "columns">> }
  | { type: "previewed"; preview: ImportPreview }
  | { type: "conflictDefault"; choice: OnConflict }
  | { type: "conflictItem"; index: number; choice: OnConflict | null }
  | { type: "conflictJob"; index: number; choice: OnConflict | null }
  | { type: "value"; index: number; field: string; value: string }
  | { type: "tag"; tag: boolean }
  | { type: "importing"; total: number }
  | { type: "progress"; done: number; total: number }
  | { type: "imported"; outcome: ImportOutcome }
  | { type: "failed"; problem: Problem }
  | { type: "reset" };

/**
 * Where a failure with `code` sends the wizard: a wrong password back to it;
 * a failed import to the step before the preview (the shell's batch went with
 * the transaction: previewing again reads the file again); the rest stay put.
 */
export function stepOfProblem(code: string, at: Step, format: ImportFormat | null): Step {
  if (code === "wrong_password" || code === "wrong_passphrase" || code === "password_required" || code === "wrong_key") return "options";
  if (at === "import") return format === "csv" ? "mapping" : "options";
  return at;
}

export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case "opened":
      return { ...START, file: action.file, format: action.file.format, options: emptyOptions(action.file.name), tag: state.tag };
    case "format":
      // Another format reads the file afresh: what was read for the old one goes.
      return action.format === state.format
        ? state
        : { ...state, format: action.format, sample: null, mapping: null, preview: null, perItem: {}, jobPerItem: {}, values: {}, problem: null };
    case "go":
      return { ...state, step: action.step, problem: null };
    case "back": {
      const steps = stepsFor(state.format);
      const at = steps.indexOf(state.step);
      if (state.step === "import" || state.step === "done" || at <= 0) return state;
      return { ...state, step: steps[at - 1] ?? "source", problem: null };
    }
    case "options":
      return { ...state, options: { ...state.options, ...action.patch }, preview: null, problem: state.problem?.code === "wrong_password" && "password" in action.patch ? null : state.problem };
    case "sampled":
      return { ...state, sample: action.sample, mapping: state.mapping ?? action.sample.suggested, step: "mapping", problem: null };
    case "column": {
      if (!state.mapping) return state;
      const columns = state.mapping.columns.map((c, i) => (i === action.index ? action.column : c));
      return { ...state, mapping: { ...state.mapping, columns }, preview: null };
    }
    case "mapping":
      return state.mapping ? { ...state, mapping: { ...state.mapping, ...action.patch }, preview: null } : state;
    case "previewed":
      return { ...state, preview: action.preview, step: "preview", perItem: {}, jobPerItem: {}, values: {}, problem: null };
    case "conflictDefault":
      return { ...state, conflictDefault: action.choice };
    case "conflictItem": {
      const { choice, index } = action;
      const perItem = Object.fromEntries(Object.entries(state.perItem).filter(([i]) => Number(i) !== index)) as Record<number, OnConflict>;
      return { ...state, perItem: choice === null ? perItem : { ...perItem, [index]: choice } };
    }
    case "conflictJob": {
      const { choice, index } = action;
      const jobPerItem = Object.fromEntries(Object.entries(state.jobPerItem).filter(([i]) => Number(i) !== index)) as Record<number, OnConflict>;
      return { ...state, jobPerItem: choice === null ? jobPerItem : { ...jobPerItem, [index]: choice } };
    }
    case "value":
      return { ...state, values: { ...state.values, [action.index]: { ...state.values[action.index], [action.field]: action.value } } };
    case "tag":
      return { ...state, tag: action.tag };
    case "importing":
      // Only from the preview: a second click while importing changes nothing.
      return state.step === "preview" ? { ...state, step: "import", progress: { done: 0, total: action.total }, problem: null } : state;
    case "progress":
      return state.step === "import" ? { ...state, progress: { done: action.done, total: action.total } } : state;
    case "imported":
      return { ...state, step: "done", outcome: action.outcome, progress: null };
    case "failed":
      return { ...state, step: stepOfProblem(action.problem.code, state.step, state.format), problem: action.problem, progress: null };
    case "reset":
      return START;
  }
}

/** What stops the options step from going on, or null. */
export function optionsProblem(state: State): string | null {
  const o = state.options;
  if (needsPassword(state.format) && !o.password && !(state.format === "kdbx" && o.keyFile)) {
    return state.format === "kdbx" ? "Enter the database's password or choose its key file." : "Enter the export's passphrase.";
  }
  if (state.format === "env" && o.envMode === "one_secret" && !o.envName.trim()) return "Name the secret the variables go in.";
  return null;
}

/** What stops the column mapping from going on, or null. */
export function mappingProblem(mapping: CsvMapping | null): string | null {
  if (!mapping) return "The columns are not read yet.";
  const roles = mapping.columns.map((c) => c.role);
  if (!roles.includes("name")) return "Choose the column that holds each secret's name.";
  if (roles.filter((r) => r === "name").length > 1) return "Only one column can be the name.";
  if (!roles.includes("field")) return "Choose at least one column that holds a value (a field).";
  const keys = mapping.columns.filter((c) => c.role === "field" || c.role === "label").map((c) => `${c.role}:${c.key ?? ""}`);
  if (mapping.columns.some((c) => (c.role === "field" || c.role === "label") && !c.key?.trim())) return "Every field or label column needs its name.";
  if (new Set(keys).size !== keys.length) return "Two columns go to the same field or label.";
  return null;
}

/** The read options the shell gets. */
export function toOptions(state: State): ImportOptions {
  const o = state.options;
  return {
    format: state.format ?? "csv",
    password: o.password || null,
    key_file: o.keyFile?.value ?? null,
    groups: o.groups,
    env: o.envMode === "one_secret" ? { mode: "one_secret", name: o.envName.trim() } : { mode: "per_variable" },
    csv: state.format === "csv" ? state.mapping : null,
    org: o.org.trim() || null,
    project: o.project.trim() || null,
  };
}

/** What the user chose for one item (its own choice, or the default). */
export function choiceFor(state: State, item: PreviewItem): OnConflict | null {
  if (!item.conflict) return null;
  return state.perItem[item.index] ?? state.conflictDefault;
}

/** The items that need a value and have none typed yet (they are skipped). */
export function missingValues(state: State): PreviewItem[] {
  return (state.preview?.items ?? []).filter(
    (item) => item.needs_value && !Object.values(state.values[item.index] ?? {}).some((v) => v !== ""),
  );
}

/** How many items the import will write, by what happens to them. */
export function planCounts(state: State): { create: number; rename: number; newVersion: number; skip: number } {
  const counts = { create: 0, rename: 0, newVersion: 0, skip: 0 };
  const missing = new Set(missingValues(state).map((i) => i.index));
  for (const item of state.preview?.items ?? []) {
    const choice = choiceFor(state, item);
    if (missing.has(item.index) || choice === "skip") counts.skip += 1;
    else if (choice === "rename") counts.rename += 1;
    else if (choice === "new_version") counts.newVersion += 1;
    else counts.create += 1;
  }
  return counts;
}

/** The pseudo-field a key/value item's value is typed in, as KEY=value lines. */
export const LINES = "__lines";

/** KEY=value lines (blank lines and # comments skipped). */
export function keyValueLines(text: string): (readonly [string, string])[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return at < 0 ? ([line, ""] as const) : ([line.slice(0, at).trim(), line.slice(at + 1)] as const);
    });
}

/**
 * What happens to a conflicting job: skip, or rename (a job has no versions,
 * so "add a new version" renames it); `null` without a conflict.
 */
export function jobChoiceFor(state: State, job: PreviewJob): "skip" | "rename" | null {
  if (job.conflict === null) return null;
  const choice = state.jobPerItem[job.index] ?? state.conflictDefault;
  return choice === "skip" ? "skip" : "rename";
}

/** The choices the shell applies. */
export function toChoices(state: State): ImportChoices {
  const values: ImportChoices["values"] = {};
  for (const [index, fields] of Object.entries(state.values)) {
    const filled = Object.entries(fields)
      .flatMap(([name, value]) => (name === LINES ? keyValueLines(value) : [[name, value] as const]))
      .filter(([, v]) => v !== "");
    if (filled.length) values[Number(index)] = filled.map(([name, value]) => ({ name, value: { kind: "text", text: value } }));
  }
  return { default: state.conflictDefault, per_item: state.perItem, values, tag: state.tag, job_per_item: state.jobPerItem };
}

/** The roles a CSV column can take, for the select. */
export const COLUMN_ROLES: { role: CsvColumn["role"]; label: string }[] = [
  { role: "ignore", label: "Ignore" },
  { role: "name", label: "Name" },
  { role: "type", label: "Type" },
  { role: "description", label: "Description" },
  { role: "expiry", label: "Expiry" },
  { role: "labels", label: "Labels (k=v;k2=v2)" },
  { role: "label", label: "A label…" },
  { role: "field", label: "A field…" },
];

/** The fields a type's CSV column can fill (a key/value secret takes any key). */
export function fieldChoices(kind: SecretType, types: { type: SecretType; fields: { name: string; secret: boolean }[] }[]): { name: string; secret: boolean }[] {
  return types.find((t) => t.type === kind)?.fields ?? [];
}

/** The select's value for a column: its role, or `field:NAME` / `label:KEY`. */
export function columnValue(column: CsvColumn): string {
  return column.role === "field" || column.role === "label" ? `${column.role}:${column.key ?? ""}` : column.role;
}

export function columnFrom(value: string): CsvColumn {
  const [role, ...rest] = value.split(":");
  if (role === "field" || role === "label") return { role, key: rest.join(":") };
  return { role: (role ?? "ignore") as CsvColumn["role"], key: null };
}
