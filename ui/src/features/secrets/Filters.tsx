import { Icon } from "../../components/Icon";
import type { OrgSummary, SecretType } from "../../ipc/client";
import { TYPE_ORDER, typeLabel } from "../../lib/secretTypes";

export type StatusChoice = "" | "active" | "expiring" | "expired" | "deactivated";

export type FilterState = {
  text: string;
  type: SecretType | "";
  status: StatusChoice;
  label: string;
  org: string;
  project: string;
};

export const NO_FILTERS: FilterState = { text: "", type: "", status: "", label: "", org: "", project: "" };

export function hasFilters(f: FilterState): boolean {
  return Object.values(f).some((v) => v !== "");
}

/** The filter bar: text, type, status, label, organization, project. */
export function Filters({
  value,
  onChange,
  orgs,
}: {
  value: FilterState;
  onChange: (next: FilterState) => void;
  orgs: OrgSummary[];
}) {
  const set = <K extends keyof FilterState>(key: K, v: FilterState[K]) => onChange({ ...value, [key]: v });
  const projects = orgs
    .filter((o) => !value.org || o.name === value.org)
    .flatMap((o) => o.projects)
    .filter((p, i, all) => all.indexOf(p) === i);
  return (
    <div className="row wrap" role="search">
      <div className="search">
        <Icon name="search" />
        <input
          className="input"
          type="search"
          placeholder="Filter by name or description"
          aria-label="Filter by name or description"
          value={value.text}
          onChange={(e) => set("text", e.target.value)}
        />
      </div>
      <select className="select" style={{ width: 170 }} aria-label="Type" value={value.type} onChange={(e) => set("type", e.target.value as SecretType | "")}>
        <option value="">All types</option>
        {TYPE_ORDER.map((t) => (
          <option key={t} value={t}>
            {typeLabel(t)}
          </option>
        ))}
      </select>
      <select className="select" style={{ width: 170 }} aria-label="Status" value={value.status} onChange={(e) => set("status", e.target.value as StatusChoice)}>
        <option value="">All statuses</option>
        <option value="active">Active</option>
        <option value="expiring">Expiring within 30 days</option>
        <option value="expired">Expired</option>
        <option value="deactivated">Deactivated</option>
      </select>
      <input
        className="input"
        style={{ width: 170 }}
        placeholder="label key=value"
        aria-label="Label (key or key=value)"
        value={value.label}
        onChange={(e) => set("label", e.target.value)}
      />
      {orgs.length > 1 ? (
        <select className="select" style={{ width: 150 }} aria-label="Organization" value={value.org} onChange={(e) => onChange({ ...value, org: e.target.value, project: "" })}>
          <option value="">All organizations</option>
          {orgs.map((o) => (
            <option key={o.name} value={o.name}>
              {o.name}
            </option>
          ))}
        </select>
      ) : null}
      {projects.length > 0 ? (
        <select className="select" style={{ width: 150 }} aria-label="Project" value={value.project} onChange={(e) => set("project", e.target.value)}>
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
    </div>
  );
}
