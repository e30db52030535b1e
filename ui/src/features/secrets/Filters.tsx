import { useState, type Ref } from "react";

import { Combobox } from "../../components/Combobox";
import { Icon } from "../../components/Icon";
import type { OrgSummary, SecretType } from "../../ipc/client";
import { TYPE_ORDER, typeLabel } from "../../lib/secretTypes";
import { labelPairOptions, parseLabel, useLabelCounts } from "./labels";

export type StatusChoice = "" | "active" | "expiring" | "expired" | "deactivated";

export type FilterState = {
  text: string;
  type: SecretType | "";
  status: StatusChoice;
  /** Label terms (`key=value` or `key`), all of which must match. */
  labels: string[];
  org: string;
  project: string;
};

export const NO_FILTERS: FilterState = { text: "", type: "", status: "", labels: [], org: "", project: "" };

export function hasFilters(f: FilterState): boolean {
  return f.text !== "" || f.type !== "" || f.status !== "" || f.labels.length > 0 || f.org !== "" || f.project !== "";
}

/** Adds a label term (once). */
export function withLabel(f: FilterState, term: string): FilterState {
  return f.labels.includes(term) ? f : { ...f, labels: [...f.labels, term] };
}

/** The filter bar: text, type, status, labels (several), organization, project. */
export function Filters({
  value,
  onChange,
  orgs,
  searchRef,
  orgSelect = true,
}: {
  value: FilterState;
  onChange: (next: FilterState) => void;
  orgs: OrgSummary[];
  /** Whether to offer the organization (the sidebar's switcher chooses it instead). */
  orgSelect?: boolean;
  /** The text filter, for Ctrl+F. */
  searchRef?: Ref<HTMLInputElement>;
}) {
  const set = <K extends keyof FilterState>(key: K, v: FilterState[K]) => onChange({ ...value, [key]: v });
  const [draft, setDraft] = useState("");
  const labels = useLabelCounts();
  const projects = orgs
    .filter((o) => !value.org || o.name === value.org)
    .flatMap((o) => o.projects)
    .filter((p, i, all) => all.indexOf(p) === i);
  const addLabel = (text: string) => {
    const parsed = parseLabel(text);
    if (!parsed) return;
    const term = parsed[1] === null ? parsed[0] : `${parsed[0]}=${parsed[1]}`;
    onChange(withLabel(value, term));
    setDraft("");
  };
  // The same suggestions as the register wizard's label field (keys, then
  // that key's values), less the terms already filtered by.
  const suggestions = (typed: string) => labelPairOptions(labels.data, typed).filter((o) => !value.labels.includes(o.text));
  return (
    <div className="filters" role="search">
      <div className="search">
        <Icon name="search" />
        <input
          ref={searchRef}
          className="input"
          type="search"
          placeholder="Filter by name or description"
          aria-label="Filter by name or description"
          aria-keyshortcuts="Control+F"
          value={value.text}
          onChange={(e) => set("text", e.target.value)}
        />
      </div>
      <select className="select filter-select" aria-label="Type" value={value.type} onChange={(e) => set("type", e.target.value as SecretType | "")}>
        <option value="">All types</option>
        {TYPE_ORDER.map((t) => (
          <option key={t} value={t}>
            {typeLabel(t)}
          </option>
        ))}
      </select>
      <select className="select filter-select" aria-label="Status" value={value.status} onChange={(e) => set("status", e.target.value as StatusChoice)}>
        <option value="">All statuses</option>
        <option value="active">Active</option>
        <option value="expiring">Expiring within 30 days</option>
        <option value="expired">Expired</option>
        <option value="deactivated">Deactivated</option>
      </select>
      <Combobox
        className="input filter-label"
        placeholder="label key=value"
        aria-label="Add a label filter (key or key=value, Enter)"
        value={draft}
        onChange={setDraft}
        options={suggestions}
        listLabel="Labels in use"
        keepOpen="="
        // Picking a whole key=value adds it at once; a key ("env=") goes on to its values.
        onPick={(option) => {
          if (!option.text.endsWith("=")) addLabel(option.text);
        }}
        onKeyDown={(e) => {
          // Enter on a highlighted suggestion picks it (the Combobox); otherwise it adds what is typed.
          if (e.key === "Enter") {
            e.preventDefault();
            addLabel(draft);
          } else if (e.key === "Backspace" && draft === "" && value.labels.length) {
            set("labels", value.labels.slice(0, -1));
          }
        }}
        onBlur={() => draft.trim() && addLabel(draft)}
      />
      {orgSelect && orgs.length > 1 ? (
        <select className="select filter-select" aria-label="Organization" value={value.org} onChange={(e) => onChange({ ...value, org: e.target.value, project: "" })}>
          <option value="">All organizations</option>
          {orgs.map((o) => (
            <option key={o.name} value={o.name}>
              {o.name}
            </option>
          ))}
        </select>
      ) : null}
      {projects.length > 0 ? (
        <select className="select filter-select" aria-label="Project" value={value.project} onChange={(e) => set("project", e.target.value)}>
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      ) : null}
      {hasFilters(value) ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      ) : null}
      {value.labels.length ? (
        <ul className="filter-chips" aria-label="Label filters">
          {value.labels.map((term) => (
            <li key={term}>
              <span className="label-chip label-chip-filter">
                {term}
                <button
                  type="button"
                  aria-label={`Remove the label filter ${term}`}
                  onClick={() => set("labels", value.labels.filter((l) => l !== term))}
                >
                  <Icon name="x" size={11} />
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
