import { useCallback, useDeferredValue, useMemo, useState } from "react";

import { Icon } from "../../components/Icon";
import type { SecretMeta, SortKey } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { BulkActions } from "./BulkActions";
import { Filters, NO_FILTERS, hasFilters, type FilterState } from "./Filters";
import { SecretsTable } from "./SecretsTable";
import { usePagedSecrets, type ListQuery } from "./usePagedSecrets";

function toQuery(f: FilterState, sort: { key: SortKey; descending: boolean }): ListQuery {
  const [labelKey, ...labelValue] = f.label.trim().split("=");
  return {
    text: f.text.trim() || null,
    types: f.type ? [f.type] : [],
    statuses: f.status === "expiring" ? ["active"] : f.status ? [f.status] : [],
    labels: labelKey ? [[labelKey.trim(), labelValue.length ? labelValue.join("=").trim() : null]] : [],
    org: f.org || null,
    project: f.project || null,
    expiring_within_days: f.status === "expiring" ? 30 : null,
    scope: "live",
    sort: sort.key,
    descending: sort.descending,
  };
}

/** The secrets list: filter, sort, select, open. */
export function SecretsPage() {
  const [filters, setFilters] = useState<FilterState>(NO_FILTERS);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "name", descending: false });
  const [range, setRange] = useState<[number, number]>([0, 40]);
  // The selected rows as they were when picked: bulk confirmations read their used_by counts.
  const [selected, setSelected] = useState<Map<string, SecretMeta>>(new Map());
  const deferred = useDeferredValue(filters);
  const query = useMemo(() => toQuery(deferred, sort), [deferred, sort]);
  const orgs = useOrganizations();
  const data = usePagedSecrets(query, range[0], range[1]);
  const onRange = useCallback((a: number, b: number) => setRange([a, b]), []);

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: false }));
  const toggle = (meta: SecretMeta) =>
    setSelected((s) => {
      const next = new Map(s);
      if (next.has(meta.id)) next.delete(meta.id);
      else next.set(meta.id, meta);
      return next;
    });
  const loaded = data.loadedRows();
  const allSelected = loaded.length > 0 && loaded.every((m) => selected.has(m.id));
  const toggleAll = () => setSelected(allSelected ? new Map() : new Map(loaded.map((m) => [m.id, m])));

  const empty = !data.loading && data.total === 0;
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Secrets</h1>
          <p>{data.loading ? "Loading…" : `${data.total.toLocaleString()} ${hasFilters(filters) ? "matching" : "in the vault"}`}</p>
        </div>
        <span className="spacer" />
        <a className="btn btn-primary" href="#/register">
          <Icon name="plus" /> Register secret
        </a>
      </div>
      <Filters value={filters} onChange={setFilters} orgs={orgs.data ?? []} />
      {selected.size > 0 ? <BulkActions secrets={[...selected.values()]} onDone={() => setSelected(new Map())} /> : null}
      {data.error ? (
        <div className="notice notice-error" role="alert">
          {data.error.message}
        </div>
      ) : null}
      {empty && !hasFilters(filters) ? (
        <div className="empty">
          <Icon name="vault" size={48} />
          <h2>No secrets yet</h2>
          <p className="muted">
            Register the credentials your jobs need: passwords, tokens, API keys, certificates, SSH keys and more.
            They are encrypted before they touch the disk.
          </p>
          <a className="btn btn-primary" href="#/register">
            <Icon name="plus" /> Register your first secret
          </a>
        </div>
      ) : empty ? (
        <div className="empty">
          <Icon name="search" size={40} />
          <h2>No secrets match</h2>
          <button type="button" className="btn" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        </div>
      ) : (
        <SecretsTable
          total={data.total}
          row={data.row}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onToggle={toggle}
          onToggleAll={toggleAll}
          allSelected={allSelected}
          onOpen={(id) => navigate({ view: "secret", id })}
          onRange={onRange}
          busy={data.stale}
        />
      )}
    </div>
  );
}
