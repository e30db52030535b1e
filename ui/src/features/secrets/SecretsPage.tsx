import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";

import { Icon } from "../../components/Icon";
import type { SecretMeta, Selection, SortKey } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { BulkActions } from "./BulkActions";
import { COLUMNS, useColumns } from "./columns";
import { Filters, NO_FILTERS, hasFilters, withLabel, type FilterState } from "./Filters";
import { parseLabel } from "./labels";
import { SecretsTable, type HeaderCheck } from "./SecretsTable";
import { LOCAL_SOURCE, usePagedSecrets, type ListQuery, type SecretSource } from "./usePagedSecrets";
import { sharedApi, sharedKeys, useOrgChoice, useSharedOrgs, type OrgChoice } from "../shared/model";
import "./secrets.css";

const SHARED_SOURCE: SecretSource = { key: sharedKeys.secrets, list: sharedApi.list };

function toQuery(f: FilterState, sort: { key: SortKey; descending: boolean }, choice: OrgChoice): ListQuery {
  const labels = f.labels.map(parseLabel).filter((l): l is [string, string | null] => l !== null);
  return {
    text: f.text.trim() || null,
    types: f.type ? [f.type] : [],
    statuses: f.status === "expiring" ? ["active"] : f.status ? [f.status] : [],
    labels,
    // The sidebar's switcher chooses the organization.
    org: choice.kind === "all" ? f.org || null : choice.name,
    project: f.project || null,
    expiring_within_days: f.status === "expiring" ? 30 : null,
    scope: "live",
    sort: sort.key,
    descending: sort.descending,
  };
}

/**
 * What is selected: rows picked one by one (kept with their metadata, which
 * bulk confirmations read), or every secret the filter matches but a few
 * ("Select all N matching", resolved by the shell when the action runs).
 */
type Picked =
  | { mode: "rows"; rows: Map<string, SecretMeta> }
  | { mode: "matching"; query: ListQuery; key: string; except: Set<string> };

const NOTHING: Picked = { mode: "rows", rows: new Map() };

/** The secrets list: filter, sort, select, open; `label` starts it
 * filtered by that label (`key` or `key=value`). */
export function SecretsPage({ label }: { label?: string } = {}) {
  const [filters, setFilters] = useState<FilterState>(() => (label ? withLabel(NO_FILTERS, label) : NO_FILTERS));
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "name", descending: false });
  const [range, setRange] = useState<[number, number]>([0, 40]);
  const [picked, setPicked] = useState<Picked>(NOTHING);
  const [columns, setColumn] = useColumns();
  const anchor = useRef<number | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const deferred = useDeferredValue(filters);
  const choice = useOrgChoice();
  const query = useMemo(() => toQuery(deferred, sort, choice), [deferred, sort, choice]);
  const queryKey = JSON.stringify(query);
  const orgs = useOrganizations();
  const sharedOrgs = useSharedOrgs();
  const shared = choice.kind === "shared" ? (sharedOrgs.data?.find((o) => o.id === choice.id) ?? null) : null;
  const data = usePagedSecrets(query, range[0], range[1], choice.kind === "shared" ? SHARED_SOURCE : LOCAL_SOURCE);
  const onRange = useCallback((a: number, b: number) => setRange([a, b]), []);

  // "All matching" means this filter: another one drops that selection.
  if (picked.mode === "matching" && picked.key !== queryKey) setPicked(NOTHING);

  // Ctrl+F focuses the filter (instead of the WebView's find bar).
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "f") {
        event.preventDefault();
        search.current?.focus();
        search.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: false }));
  const loaded = data.loadedRows();
  const isSelected = (meta: SecretMeta) =>
    picked.mode === "matching" ? !picked.except.has(meta.id) : picked.rows.has(meta.id);
  const count = picked.mode === "matching" ? Math.max(0, data.total - picked.except.size) : picked.rows.size;

  const setRows = (change: (rows: Map<string, SecretMeta>) => void) =>
    setPicked((p) => {
      if (p.mode !== "rows") return p;
      const rows = new Map(p.rows);
      change(rows);
      return { mode: "rows", rows };
    });
  const toggle = (meta: SecretMeta, index: number, shift: boolean) => {
    if (picked.mode === "matching") {
      const except = new Set(picked.except);
      if (except.has(meta.id)) except.delete(meta.id);
      else except.add(meta.id);
      setPicked({ ...picked, except });
      anchor.current = index;
      return;
    }
    const from = anchor.current;
    if (shift && from !== null) {
      // Shift-click: the rows between the last one clicked and this one take its new state.
      const on = !picked.rows.has(meta.id);
      setRows((rows) => {
        for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
          const m = data.row(i);
          if (!m) continue;
          if (on) rows.set(m.id, m);
          else rows.delete(m.id);
        }
      });
    } else {
      setRows((rows) => {
        if (rows.has(meta.id)) rows.delete(meta.id);
        else rows.set(meta.id, meta);
      });
    }
    anchor.current = index;
  };
  const allLoaded = loaded.length > 0 && loaded.every(isSelected);
  const headerCheck: HeaderCheck =
    picked.mode === "matching" ? (picked.except.size ? "some" : "all") : allLoaded ? "all" : count > 0 ? "some" : "none";
  const toggleAll = () =>
    setPicked(headerCheck === "all" || picked.mode === "matching" ? NOTHING : { mode: "rows", rows: new Map(loaded.map((m) => [m.id, m])) });
  const selectAllMatching = () => setPicked({ mode: "matching", query, key: queryKey, except: new Set() });
  const selection: Selection =
    picked.mode === "matching"
      ? { matching: { query: { ...picked.query, limit: 0, offset: 0 }, except: [...picked.except] } }
      : { ids: [...picked.rows.keys()] };
  // Rows known to be selected (their used_by counts feed the confirmations).
  const knownSelected = picked.mode === "matching" ? loaded.filter(isSelected) : [...picked.rows.values()];

  const empty = !data.loading && data.total === 0;
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>{choice.kind === "all" ? "Secrets" : choice.name}</h1>
          <p>
            {data.loading
              ? "Loading…"
              : `${data.total.toLocaleString()} ${
                  hasFilters(filters) ? "matching" : choice.kind === "shared" ? `shared in team vault ${shared?.team ?? ""}` : "in the vault"
                }`}
          </p>
        </div>
        <span className="spacer" />
        <ColumnChooser shown={columns} onChange={setColumn} />
        <a className="btn" href="#/import" title="Import from KeePass, Bitwarden, 1Password, CSV, .env or a Coffer export">
          <Icon name="upload" /> Import…
        </a>
        <a className="btn btn-primary" href="#/register" aria-keyshortcuts="Control+N" title="Register a secret (Ctrl+N)">
          <Icon name="plus" /> Register secret
        </a>
      </div>
      <Filters
        value={filters}
        onChange={setFilters}
        orgs={choice.kind === "shared" ? [] : (orgs.data ?? []).filter((o) => choice.kind === "all" || o.name === choice.name)}
        orgSelect={choice.kind === "all"}
        searchRef={search}
      />
      {count > 0 && choice.kind !== "shared" ? (
        <BulkActions
          selection={selection}
          count={count}
          total={data.total}
          allMatching={picked.mode === "matching"}
          canSelectAllMatching={picked.mode === "rows" && allLoaded && data.total > count}
          onSelectAllMatching={selectAllMatching}
          secrets={knownSelected}
          onDone={() => setPicked(NOTHING)}
        />
      ) : null}
      {data.error ? (
        <div className="notice notice-error" role="alert">
          {data.error.message}
        </div>
      ) : null}
      {empty && !hasFilters(filters) ? (
        <div className="empty">
          <Icon name="vault" size={48} />
          <h2>{choice.kind === "shared" ? `No shared secrets in ${choice.name} yet` : "No secrets yet"}</h2>
          <p className="muted">
            Register the credentials your jobs need: passwords, tokens, API keys, certificates, SSH keys and more.
            They are encrypted before they touch the disk.
          </p>
          <div className="row">
            <a className="btn btn-primary" href="#/register">
              <Icon name="plus" /> Register your first secret
            </a>
            <a className="btn" href="#/import">
              <Icon name="upload" /> Import from KeePass, Bitwarden, 1Password, CSV…
            </a>
          </div>
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
          columns={columns}
          isSelected={isSelected}
          onToggle={toggle}
          onToggleAll={toggleAll}
          onSelectAll={selectAllMatching}
          headerCheck={headerCheck}
          onOpen={(id) => navigate(choice.kind === "shared" ? { view: "shared", id } : { view: "secret", id })}
          onRange={onRange}
          onLabel={(term) => setFilters((f) => withLabel(f, term))}
          busy={data.stale}
          sharedIn={choice.kind === "shared" ? (shared?.team ?? "the team vault") : null}
        />
      )}
    </div>
  );
}

/** Which optional columns the table shows (remembered on this computer). */
function ColumnChooser({ shown, onChange }: { shown: string[]; onChange: (key: (typeof COLUMNS)[number]["key"], on: boolean) => void }) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>
        <button type="button" className="btn">
          Columns <Icon name="chevronDown" size={12} />
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={4} aria-label="Columns">
          {COLUMNS.map((c) => (
            <DropdownMenu.CheckboxItem
              key={c.key}
              className="menu-item menu-check"
              checked={shown.includes(c.key)}
              onCheckedChange={(on) => onChange(c.key, on)}
              onSelect={(e) => e.preventDefault()}
            >
              <span className="menu-check-box" aria-hidden="true">
                {shown.includes(c.key) ? <Icon name="check" size={12} /> : null}
              </span>
              {c.label}
            </DropdownMenu.CheckboxItem>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
