import { describe, expect, it } from "vitest";

import {
  jobChoiceFor,
  keyValueLines,
  mappingProblem,
  missingValues,
  optionsProblem,
  planCounts,
  reduce,
  START,
  stepsFor,
  toChoices,
  toOptions,
  type Action,
  type State,
} from "./model";
import type { CsvSample, ImportPreview, PreviewItem } from "./types";

const run = (actions: Action[], from: State = START) => actions.reduce(reduce, from);

const KDBX = { name: "team.kdbx", size: 4096, format: "kdbx" as const };

function item(index: number, overrides: Partial<PreviewItem> = {}): PreviewItem {
  return { index, org: "Default", source: `Root/Servers/e${index}`, name: `servers/e${index}`, original_name: null, kind: "basic_auth", versions: 1, needs_value: false, conflict: null, renamed_to: `servers/e${index}-2`, ...overrides };
}

const PREVIEW: ImportPreview = {
  format: "kdbx",
  by_type: { basic_auth: 3 },
  items: [item(0), item(1, { conflict: "servers/e1" }), item(2, { conflict: "servers/e2" })],
  unreadable: [{ source: "Root/broken", code: "malformed", reason: "the entry has no title" }],
  skipped: {},
  jobs: [],
};

const SAMPLE: CsvSample = {
  headers: ["name", "user", "password"],
  rows: [["db", "app", "••••••"]],
  columns: 3,
  suggested: { columns: [{ role: "name", key: null }, { role: "field", key: "username" }, { role: "field", key: "password" }], has_header: true, kind: "basic_auth" },
  masked: [false, false, true],
};

describe("the import wizard's steps", () => {
  it("maps columns only for a CSV", () => {
    expect(stepsFor("csv")).toContain("mapping");
    expect(stepsFor("kdbx")).not.toContain("mapping");
    expect(stepsFor(null)).toEqual(["source", "options", "preview", "import", "done"]);
  });

  it("takes the detected format, and a new file starts afresh", () => {
    const opened = run([{ type: "opened", file: KDBX }]);
    expect(opened.format).toBe("kdbx");
    expect(opened.options.envName).toBe("team");
    const changed = run([{ type: "format", format: "csv" }, { type: "sampled", sample: SAMPLE }], opened);
    expect(changed.step).toBe("mapping");
    const again = run([{ type: "opened", file: { name: "prod.env", size: 10, format: "env" } }], changed);
    expect(again).toMatchObject({ format: "env", mapping: null, sample: null, step: "source" });
    expect(again.options.envName).toBe("prod");
  });

  it("an unknown file waits for the user to choose a format", () => {
    const opened = run([{ type: "opened", file: { name: "x.bin", size: 3, format: null } }]);
    expect(opened.format).toBeNull();
  });

  it("wants a KDBX password or key file, a .env secret's name", () => {
    const kdbx = run([{ type: "opened", file: KDBX }, { type: "go", step: "options" }]);
    expect(optionsProblem(kdbx)).toMatch(/password or choose its key file/);
    expect(optionsProblem(run([{ type: "options", patch: { password: "pw" } }], kdbx))).toBeNull();
    expect(optionsProblem(run([{ type: "options", patch: { keyFile: { name: "k.key", size: 64, value: { kind: "file", token: "t" } } } }], kdbx))).toBeNull();
    const env = run([{ type: "opened", file: { name: "a.env", size: 9, format: "env" } }, { type: "options", patch: { envName: " " } }]);
    expect(optionsProblem(env)).toMatch(/Name the secret/);
    expect(optionsProblem(run([{ type: "options", patch: { envMode: "per_variable" } }], env))).toBeNull();
    const coffer = run([{ type: "opened", file: { name: "v.coffer", size: 9, format: "coffer" } }]);
    expect(optionsProblem(coffer)).toMatch(/passphrase/);
  });

  it("sends the read options the contract names", () => {
    const s = run([{ type: "opened", file: KDBX }, { type: "options", patch: { password: "pw", groups: "project", org: "Ops", project: " " } }]);
    expect(toOptions(s)).toEqual({ format: "kdbx", password: "pw", key_file: null, groups: "project", env: { mode: "one_secret", name: "team" }, csv: null, org: "Ops", project: null });
    const csv = run([{ type: "format", format: "csv" }, { type: "sampled", sample: SAMPLE }], s);
    expect(toOptions(csv).csv).toEqual(SAMPLE.suggested);
  });

  it("a wrong password goes back to the options with the message; typing clears it", () => {
    const at = run([{ type: "opened", file: KDBX }, { type: "options", patch: { password: "nope" } }, { type: "go", step: "options" }]);
    const failed = reduce(at, { type: "failed", problem: { code: "wrong_password", message: "The password is wrong.", why: null } });
    expect(failed.step).toBe("options");
    expect(failed.problem?.code).toBe("wrong_password");
    expect(reduce(failed, { type: "options", patch: { password: "nope2" } }).problem).toBeNull();
    // Other failures stay on their step; a failed import returns to the step before the preview.
    const preview = run([{ type: "previewed", preview: PREVIEW }], at);
    const importing = reduce(preview, { type: "importing", total: 3 });
    expect(reduce(importing, { type: "failed", problem: { code: "io", message: "disk full", why: null } }).step).toBe("options");
    expect(reduce(at, { type: "failed", problem: { code: "invalid_input", message: "too big", why: "too_large" } }).step).toBe("options");
  });

  it("checks the column mapping", () => {
    expect(mappingProblem(SAMPLE.suggested)).toBeNull();
    expect(mappingProblem({ ...SAMPLE.suggested, columns: [{ role: "ignore", key: null }, { role: "field", key: "password" }] })).toMatch(/name/);
    expect(mappingProblem({ ...SAMPLE.suggested, columns: [{ role: "name", key: null }, { role: "name", key: null }, { role: "field", key: "password" }] })).toMatch(/Only one/);
    expect(mappingProblem({ ...SAMPLE.suggested, columns: [{ role: "name", key: null }, { role: "description", key: null }] })).toMatch(/at least one/);
    expect(mappingProblem({ ...SAMPLE.suggested, columns: [{ role: "name", key: null }, { role: "field", key: "password" }, { role: "field", key: "password" }] })).toMatch(/same field/);
    expect(mappingProblem({ ...SAMPLE.suggested, columns: [{ role: "name", key: null }, { role: "field", key: "" }] })).toMatch(/needs its name/);
    const edited = run([{ type: "sampled", sample: SAMPLE }, { type: "column", index: 1, column: { role: "label", key: "user" } }, { type: "mapping", patch: { kind: "key_value" } }]);
    expect(edited.mapping?.columns[1]).toEqual({ role: "label", key: "user" });
    expect(edited.mapping?.kind).toBe("key_value");
  });

  it("plans conflicts per item or for all, and imports once", () => {
    const preview = run([{ type: "opened", file: KDBX }, { type: "previewed", preview: PREVIEW }]);
    expect(planCounts(preview)).toEqual({ create: 1, rename: 0, newVersion: 0, skip: 2 });
    const chosen = run([{ type: "conflictDefault", choice: "rename" }, { type: "conflictItem", index: 2, choice: "new_version" }], preview);
    expect(planCounts(chosen)).toEqual({ create: 1, rename: 1, newVersion: 1, skip: 0 });
    expect(toChoices(chosen)).toEqual({ default: "rename", per_item: { 2: "new_version" }, values: {}, tag: true, job_per_item: {} });
    expect(reduce(chosen, { type: "conflictItem", index: 2, choice: null }).perItem).toEqual({});
    const importing = reduce(chosen, { type: "importing", total: 3 });
    expect(importing).toMatchObject({ step: "import", progress: { done: 0, total: 3 } });
    // A second submit changes nothing.
    expect(reduce(importing, { type: "importing", total: 3 })).toBe(importing);
    const moved = reduce(importing, { type: "progress", done: 2, total: 3 });
    expect(moved.progress).toEqual({ done: 2, total: 3 });
    const done = reduce(moved, { type: "imported", outcome: { report: { created: 1, new_versions: 1, renamed: 1, skipped: 0, jobs_created: 0, jobs_renamed: 0, jobs_skipped: 0 }, label: "import=2026-12-07T18:50" } });
    expect(done.step).toBe("done");
    expect(reduce(done, { type: "back" })).toBe(done);
  });

  it("chooses per job: skip or rename, and new version renames a job", () => {
    const job = { index: 0, name: "deploy", org: "Default", kind: "command" as const, scheduled: false, secrets: [], conflict: "deploy", renamed_to: "deploy-2" };
    const free = { ...job, index: 1, name: "fetch", conflict: null, renamed_to: "fetch" };
    const s = run([{ type: "previewed", preview: { ...PREVIEW, jobs: [job, free] } }]);
    expect(jobChoiceFor(s, job)).toBe("skip");
    expect(jobChoiceFor(s, free)).toBeNull();
    const all = reduce(s, { type: "conflictDefault", choice: "new_version" });
    expect(jobChoiceFor(all, job)).toBe("rename");
    const one = reduce(all, { type: "conflictJob", index: 0, choice: "skip" });
    expect(jobChoiceFor(one, job)).toBe("skip");
    expect(toChoices(one).job_per_item).toEqual({ 0: "skip" });
    expect(reduce(one, { type: "conflictJob", index: 0, choice: null }).jobPerItem).toEqual({});
    // A new preview forgets the choices.
    expect(reduce(one, { type: "previewed", preview: PREVIEW }).jobPerItem).toEqual({});
  });

  it("asks values for write-only items and skips those left empty", () => {
    const p: ImportPreview = { ...PREVIEW, items: [item(0, { needs_value: true }), item(1, { needs_value: true, kind: "key_value" })] };
    const s = run([{ type: "previewed", preview: p }]);
    expect(missingValues(s).map((i) => i.index)).toEqual([0, 1]);
    const typed = run([{ type: "value", index: 0, field: "password", value: "s3cret" }, { type: "value", index: 1, field: "__lines", value: "A=1\n# note\n\nB = two=2\n" }], s);
    expect(missingValues(typed)).toEqual([]);
    expect(toChoices(typed).values).toEqual({
      0: [{ name: "password", value: { kind: "text", text: "s3cret" } }],
      1: [
        { name: "A", value: { kind: "text", text: "1" } },
        { name: "B", value: { kind: "text", text: " two=2" } },
      ],
    });
    expect(keyValueLines("X")).toEqual([["X", ""]]);
  });

  it("goes back one step at a time, never past the source", () => {
    const s = run([{ type: "opened", file: { name: "a.csv", size: 9, format: "csv" } }, { type: "go", step: "options" }, { type: "sampled", sample: SAMPLE }]);
    expect(reduce(s, { type: "back" }).step).toBe("options");
    expect(run([{ type: "back" }, { type: "back" }, { type: "back" }], s).step).toBe("source");
  });
});
