import { useQuery } from "@tanstack/react-query";

import { api, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { TYPE_ORDER, typeLabel } from "../../lib/secretTypes";
import { COLUMN_ROLES, columnFrom, columnValue, fieldChoices } from "./model";
import type { CsvColumn, CsvMapping, CsvSample } from "./types";

const MASK = "••••••";

/** One column's select: a role, a field of the type, or a label key. */
function ColumnSelect({
  index,
  header,
  column,
  fields,
  onChange,
}: {
  index: number;
  header: string;
  column: CsvColumn;
  fields: { name: string; secret: boolean }[];
  onChange: (column: CsvColumn) => void;
}) {
  const value = columnValue(column);
  // A key of a key/value secret, or a label, keeps the header as its name.
  const key = header.trim() || `column_${index + 1}`;
  const fieldOptions = fields.length ? fields.map((f) => f.name) : [key];
  if (column.role === "field" && column.key && !fieldOptions.includes(column.key)) fieldOptions.push(column.key);
  return (
    <select className="select imp-column" aria-label={`Column ${index + 1} (${header || "no header"}) becomes`} value={value} onChange={(e) => onChange(columnFrom(e.target.value))}>
      {COLUMN_ROLES.filter((r) => r.role !== "field" && r.role !== "label").map((r) => (
        <option key={r.role} value={r.role}>
          {r.label}
        </option>
      ))}
      <optgroup label="Field">
        {fieldOptions.map((name) => (
          <option key={name} value={`field:${name}`}>
            Field: {name}
          </option>
        ))}
      </optgroup>
      <optgroup label="Label">
        <option value={`label:${column.role === "label" && column.key ? column.key : key}`}>Label: {column.role === "label" && column.key ? column.key : key}</option>
      </optgroup>
    </select>
  );
}

/** The CSV's first rows with a select per column (the shell's suggestion first). */
export function MappingStep({
  sample,
  mapping,
  onColumn,
  onMapping,
}: {
  sample: CsvSample;
  mapping: CsvMapping;
  onColumn: (index: number, column: CsvColumn) => void;
  onMapping: (patch: Partial<Omit<CsvMapping, "columns">>) => void;
}) {
  const types = useQuery({ queryKey: keys.types, queryFn: api.secretTypes, staleTime: Infinity });
  const fields = fieldChoices(mapping.kind, types.data ?? []);
  const secretFields = new Set(fields.filter((f) => f.secret).map((f) => f.name));
  const masked = (i: number) => {
    const c = mapping.columns[i];
    return Boolean(sample.masked[i]) || (c?.role === "field" && c.key !== null && secretFields.has(c.key));
  };
  const headers = Array.from({ length: sample.columns }, (_, i) => (mapping.has_header ? (sample.headers[i] ?? "") : ""));
  // Without a header row, the names the shell read as headers are the first row of data.
  const rows = !mapping.has_header && sample.headers.length ? [sample.headers, ...sample.rows] : sample.rows;
  return (
    <div className="stack reg-form">
      <div className="row wrap imp-mapping-head">
        <label className="select-label">
          <span className="field-label">Type of each row</span>
          <select className="select" value={mapping.kind} onChange={(e) => onMapping({ kind: e.target.value as SecretType })}>
            {TYPE_ORDER.map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={mapping.has_header} onChange={(e) => onMapping({ has_header: e.target.checked })} />
          <span>The first row holds the column names</span>
        </label>
      </div>
      <p className="small muted">
        The first {rows.length} rows. Cells that look secret are hidden: Coffer masks them before they reach this window.
      </p>
      <div className="imp-table-scroll">
        <table className="data-table imp-sample">
          <thead>
            <tr>
              {headers.map((h, i) => (
                <th key={i} scope="col">
                  <span className="imp-col-header">{h || `Column ${i + 1}`}</span>
                  <ColumnSelect index={i} header={h} column={mapping.columns[i] ?? { role: "ignore", key: null }} fields={fields} onChange={(c) => onColumn(i, c)} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                {headers.map((_, i) => (
                  <td key={i} className={masked(i) ? "mono muted" : "mono"}>
                    {masked(i) ? MASK : (row[i] ?? "")}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
