import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { PasswordInput } from "../../components/PasswordInput";
import { api, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { TYPE_ORDER, typeLabel } from "../../lib/secretTypes";
import { choiceFor, jobChoiceFor, LINES, missingValues, planCounts, type State } from "./model";
import type { OnConflict, PreviewItem, PreviewJob } from "./types";

/** Rows shown before "Show all". */
const PAGE = 100;

const CHOICE_LABEL: Record<OnConflict, string> = { skip: "Skip", rename: "Rename", new_version: "Add a new version" };

function plural(n: number, one: string, many = `${one}s`) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** The values an item that needs one takes: its type's secret fields, or KEY=value lines for a key/value secret. */
function ValueInputs({
  item,
  fields,
  values,
  onValue,
}: {
  item: PreviewItem;
  fields: { name: string; secret: boolean }[];
  values: Record<string, string>;
  onValue: (field: string, value: string) => void;
}) {
  if (item.kind === "key_value") {
    return (
      <textarea
        className="textarea mono"
        rows={3}
        spellCheck={false}
        aria-label={`Value of ${item.name} (KEY=value lines)`}
        placeholder="KEY=value"
        value={values[LINES] ?? ""}
        onChange={(e) => onValue(LINES, e.target.value)}
      />
    );
  }
  return (
    <div className="stack" style={{ gap: 6 }}>
      {fields
        .filter((f) => f.secret)
        .map((f) => (
          <PasswordInput
            key={f.name}
            className="input"
            what={`${f.name} of ${item.name}`}
            aria-label={`${f.name} of ${item.name}`}
            placeholder={f.name}
            value={values[f.name] ?? ""}
            onChange={(e) => onValue(f.name, e.target.value)}
          />
        ))}
    </div>
  );
}

const JOB_KIND_LABEL: Record<PreviewJob["kind"], string> = {
  http_fetch: "Fetch a URL",
  git_fetch: "Git fetch",
  template: "Template",
  command: "Command",
};

/** The jobs of a Coffer export: kind, the secrets each uses, and its name conflict (skip or rename). */
function JobsTable({
  state,
  jobs,
  onJob,
}: {
  state: State;
  jobs: PreviewJob[];
  onJob: (index: number, choice: OnConflict | null) => void;
}) {
  const asForAll = state.conflictDefault === "skip" ? "skip" : "rename";
  return (
    <section aria-labelledby="imp-jobs" className="stack" style={{ gap: 8 }}>
      <h3 id="imp-jobs" className="imp-subtitle">
        {plural(jobs.length, "job")}
      </h3>
      <p className="small muted" role="note">
        Jobs arrive with their schedules off: switch each on once you have checked what it runs. A job follows a secret this import renames.
      </p>
      <div className="imp-table-scroll">
        <table className="data-table imp-items" aria-label="Jobs that will be imported">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Kind</th>
              <th scope="col">Uses</th>
              <th scope="col">If the name is taken</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => {
              const choice = jobChoiceFor(state, job);
              return (
                <tr key={job.index} data-conflict={job.conflict ? "true" : undefined}>
                  <td>
                    <span className="mono">{job.name}</span>
                    <div className="small muted">
                      {job.org}
                      {job.scheduled ? " · scheduled (off after import)" : ""}
                    </div>
                  </td>
                  <td>{JOB_KIND_LABEL[job.kind]}</td>
                  <td className="small mono">{job.secrets.length ? job.secrets.join(", ") : <span className="muted">no secret</span>}</td>
                  <td>
                    {job.conflict ? (
                      <select
                        className="select"
                        aria-label={`If job ${job.name} is taken`}
                        value={state.jobPerItem[job.index] ?? ""}
                        onChange={(e) => onJob(job.index, e.target.value ? (e.target.value as OnConflict) : null)}
                      >
                        <option value="">As for all ({asForAll})</option>
                        <option value="skip">Skip</option>
                        <option value="rename">Rename to {job.renamed_to}</option>
                      </select>
                    ) : (
                      <span className="muted small">New</span>
                    )}
                    {choice === "rename" ? <div className="small muted">→ {job.renamed_to}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * What the import will do, before anything is written: counts per type, rows
 * that cannot be imported and why, what the file held that Coffer skips, and
 * each item with its conflict (skip, rename or a new version, per item or for all),
 * and the jobs a Coffer export brings with their conflicts.
 */
export function PreviewStep({
  state,
  onDefault,
  onItem,
  onJob,
  onValue,
  onTag,
}: {
  state: State;
  onDefault: (choice: OnConflict) => void;
  onItem: (index: number, choice: OnConflict | null) => void;
  onJob: (index: number, choice: OnConflict | null) => void;
  onValue: (index: number, field: string, value: string) => void;
  onTag: (tag: boolean) => void;
}) {
  const preview = state.preview;
  const types = useQuery({ queryKey: keys.types, queryFn: api.secretTypes, staleTime: Infinity });
  const [all, setAll] = useState(false);
  const [conflictsOnly, setConflictsOnly] = useState(false);
  if (!preview) return null;
  const conflicts = preview.items.filter((i) => i.conflict !== null);
  const needing = preview.items.filter((i) => i.needs_value);
  const missing = missingValues(state).length;
  const plan = planCounts(state);
  const listed = conflictsOnly ? conflicts : preview.items;
  const shown = all ? listed : listed.slice(0, PAGE);
  const skipped = Object.entries(preview.skipped).filter(([, n]) => n > 0);
  const fieldsOf = (kind: SecretType) => types.data?.find((t) => t.type === kind)?.fields ?? [];

  return (
    <div className="stack reg-form imp-preview">
      <section aria-labelledby="imp-found" className="stack" style={{ gap: 8 }}>
        <h3 id="imp-found" className="imp-subtitle">
          {plural(preview.items.length, "secret")} found
        </h3>
        <ul className="imp-counts" aria-label="Secrets by type">
          {TYPE_ORDER.filter((t) => (preview.by_type[t] ?? 0) > 0).map((t) => (
            <li key={t}>
              <strong>{(preview.by_type[t] ?? 0).toLocaleString()}</strong> {typeLabel(t)}
            </li>
          ))}
        </ul>
        {skipped.length ? (
          <p className="small muted" role="note">
            Not imported (Coffer keeps no such items): {skipped.map(([what, n]) => `${n.toLocaleString()} ${what}`).join(", ")}.
          </p>
        ) : null}
      </section>

      {preview.unreadable.length ? (
        <details className="notice notice-warn imp-unreadable" open={preview.unreadable.length <= 5}>
          <summary>
            <Icon name="alert" /> {plural(preview.unreadable.length, "entry", "entries")} cannot be imported
          </summary>
          <ul>
            {preview.unreadable.map((u, i) => (
              <li key={i}>
                <span className="mono">{u.source}</span>: {u.reason} <span className="muted small">({u.code})</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}

      {conflicts.length ? (
        <fieldset className="job-fieldset">
          <legend>
            {plural(conflicts.length, "name is", "names are")} already in the vault
          </legend>
          <div role="radiogroup" aria-label="For all conflicts" className="row wrap" style={{ gap: 16 }}>
            {(Object.keys(CHOICE_LABEL) as OnConflict[]).map((choice) => (
              <label key={choice} className="check">
                <input type="radio" name="conflict-default" checked={state.conflictDefault === choice} onChange={() => onDefault(choice)} />
                <span>
                  {CHOICE_LABEL[choice]}
                  <span className="hint">
                    {" "}
                    — {choice === "skip" ? "keep the vault's secret as it is" : choice === "rename" ? "import under a free name" : "the imported value becomes the current version"}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={conflictsOnly} onChange={(e) => setConflictsOnly(e.target.checked)} />
            <span>List only the conflicts</span>
          </label>
        </fieldset>
      ) : null}

      {needing.length ? (
        <div className="notice notice-info" role="note">
          <Icon name="lock" />
          <p>
            {plural(needing.length, "secret was", "secrets were")} write-only: the export holds no value for them. Type a value below, or they are skipped
            {missing ? ` (${missing.toLocaleString()} still without one)` : ""}.
          </p>
        </div>
      ) : null}

      <div className="imp-table-scroll">
        <table className="data-table imp-items" aria-label="What will be imported">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">From</th>
              <th scope="col">If the name is taken</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => {
              const choice = choiceFor(state, item);
              return (
                <tr key={item.index} data-conflict={item.conflict ? "true" : undefined}>
                  <td>
                    <span className="mono">{item.name}</span>
                    {item.original_name ? <div className="small muted">was “{item.original_name}”</div> : null}
                    {item.versions > 1 ? <div className="small muted">{plural(item.versions, "version")}</div> : null}
                    {item.needs_value ? <ValueInputs item={item} fields={fieldsOf(item.kind)} values={state.values[item.index] ?? {}} onValue={(f, v) => onValue(item.index, f, v)} /> : null}
                  </td>
                  <td>{typeLabel(item.kind)}</td>
                  <td className="small muted mono">{item.source}</td>
                  <td>
                    {item.conflict ? (
                      <select
                        className="select"
                        aria-label={`If ${item.name} is taken`}
                        value={state.perItem[item.index] ?? ""}
                        onChange={(e) => onItem(item.index, e.target.value ? (e.target.value as OnConflict) : null)}
                      >
                        <option value="">As for all ({CHOICE_LABEL[state.conflictDefault].toLowerCase()})</option>
                        <option value="skip">Skip</option>
                        <option value="rename">Rename to {item.renamed_to}</option>
                        <option value="new_version">Add a new version</option>
                      </select>
                    ) : (
                      <span className="muted small">New</span>
                    )}
                    {choice === "rename" ? <div className="small muted">→ {item.renamed_to}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {listed.length > shown.length ? (
        <div>
          <button type="button" className="btn btn-sm" onClick={() => setAll(true)}>
            Show all {listed.length.toLocaleString()}
          </button>
        </div>
      ) : null}

      {preview.jobs.length ? <JobsTable state={state} jobs={preview.jobs} onJob={onJob} /> : null}

      <label className="check">
        <input type="checkbox" checked={state.tag} onChange={(e) => onTag(e.target.checked)} />
        <span>
          Label the secrets this import creates or gives a new version <span className="mono">import=…</span> (its date and time), so the list can show
          just them
        </span>
      </label>
      <p className="imp-plan" role="status">
        {plan.create + plan.rename + plan.newVersion === 0
          ? "Nothing will be written."
          : `${plural(plan.create, "new secret")}${plan.rename ? `, ${plan.rename.toLocaleString()} renamed` : ""}${plan.newVersion ? `, ${plural(plan.newVersion, "new version")}` : ""}${plan.skip ? `; ${plan.skip.toLocaleString()} skipped` : ""}.`}
      </p>
    </div>
  );
}
