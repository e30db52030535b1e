import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";

import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import {
  api,
  errorMessage,
  type AuditEntry,
  type AuditExportFormat,
  type AuditFilter,
  type AuditVerification,
} from "../../ipc/client";
import { routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { actionLabel, detailText } from "../detail/AuditTab";
import "./audit.css";

/** Entries per request: the table asks for the next page as its end scrolls into view. */
export const AUDIT_PAGE_SIZE = 200;
const ROW_HEIGHT = 40;
const COLUMNS = "64px 170px 110px minmax(150px, 1fr) minmax(160px, 1.4fr) minmax(160px, 2fr)";

/** Vault and job actions in words (secret actions come from the secret's Audit tab). */
const VAULT_ACTIONS: Record<string, string> = {
  "vault.create": "Vault created",
  "vault.unlock": "Unlocked",
  "vault.backup": "Backed up",
  "vault.change_passphrase": "Changed the passphrase",
  "vault.rotate_key": "Rotated the master key",
  "vault.keyring": "Changed the keyring setting",
  "vault.settings": "Changed settings",
  "vault.seal_rows": "Sealed the rows",
  "vault.restore_accepted": "Accepted a restore",
  "job.create": "Created a job",
  "job.update": "Edited a job",
  "job.delete": "Deleted a job",
  "job.run": "Started a run",
  "job.run_finish": "Finished a run",
  "job.run_interrupted": "Run interrupted",
};

/** An action in words; unknown actions as they are logged. */
export function auditActionLabel(action: string): string {
  return VAULT_ACTIONS[action] ?? actionLabel(action);
}

export type AuditForm = {
  target: string;
  actor: string;
  action: string;
  /** Local dates, `YYYY-MM-DD`, both days included. */
  from: string;
  to: string;
};

export const NO_AUDIT_FILTERS: AuditForm = { target: "", actor: "", action: "", from: "", to: "" };

/** Local midnight of a `YYYY-MM-DD` date plus `days`, as RFC 3339 (UTC). */
function localDay(date: string, days = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return day.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The core's filter: dates are whole local days, "to" included. */
export function toFilter(form: AuditForm, secretId: string | null): AuditFilter {
  return {
    secret_id: secretId,
    target: form.target.trim() || null,
    actor: form.actor || null,
    action: form.action || null,
    since: form.from ? localDay(form.from) : null,
    until: form.to ? localDay(form.to, 1) : null,
  };
}

/** The vault-wide audit log: filter, scroll (paged from the shell), verify, export. */
export function AuditPage({ secretId = null }: { secretId?: string | null }) {
  const [form, setForm] = useState<AuditForm>(NO_AUDIT_FILTERS);
  const deferred = useDeferredValue(form);
  const rangeError = form.from && form.to && form.to < form.from ? "The range ends before it starts." : null;
  const filter = useMemo(() => toFilter(deferred, secretId), [deferred, secretId]);
  const facets = useQuery({ queryKey: ["audit", "facets"], queryFn: api.auditFacets });
  const pages = useInfiniteQuery({
    queryKey: ["audit", "log", filter],
    queryFn: ({ pageParam }) => api.auditPage(filter, pageParam, AUDIT_PAGE_SIZE),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
    // Keep the rows on screen while the next filter's first page loads: no empty flash.
    placeholderData: keepPreviousData,
    enabled: rangeError === null,
  });
  const entries = useMemo(() => pages.data?.pages.flatMap((p) => p.entries) ?? [], [pages.data]);
  const total = pages.data?.pages[0]?.total ?? null;
  const [verify, runVerify] = useVerify();
  const set = (patch: Partial<AuditForm>) => setForm((f) => ({ ...f, ...patch }));
  const filtered = secretId !== null || Object.values(form).some((v) => v !== "");

  return (
    <div className="page audit-page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Audit log</h1>
          <p>Everything done in this vault, newest first. Entries never hold secret values.</p>
        </div>
        <div className="spacer" />
        <button type="button" className="btn" disabled={verify.busy} onClick={() => void runVerify()}>
          <Icon name="shield" /> {verify.busy ? "Verifying…" : "Verify"}
        </button>
        <ExportButtons filter={filter} disabled={rangeError !== null || total === 0} />
      </div>
      <VerifyNotice state={verify} />
      <form className="audit-filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <label className="field audit-filter-target">
          <span className="field-label">Secret or target</span>
          <span className="search">
            <Icon name="search" />
            <input
              className="input"
              type="search"
              placeholder="Name contains…"
              value={form.target}
              onChange={(e) => set({ target: e.target.value })}
            />
          </span>
        </label>
        <label className="field">
          <span className="field-label">Actor</span>
          <select className="select" value={form.actor} onChange={(e) => set({ actor: e.target.value })}>
            <option value="">Anyone</option>
            {facets.data?.actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Action</span>
          <select className="select" value={form.action} onChange={(e) => set({ action: e.target.value })}>
            <option value="">Any action</option>
            {facets.data?.actions.map((a) => (
              <option key={a} value={a}>
                {auditActionLabel(a) === a ? a : `${auditActionLabel(a)} (${a})`}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">From</span>
          <input className="input" type="date" value={form.from} max={form.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">To (included)</span>
          <input
            className="input"
            type="date"
            value={form.to}
            min={form.from || undefined}
            aria-invalid={rangeError ? true : undefined}
            onChange={(e) => set({ to: e.target.value })}
          />
        </label>
        {filtered ? (
          <button type="button" className="btn btn-ghost audit-clear" onClick={() => setForm(NO_AUDIT_FILTERS)}>
            Clear
          </button>
        ) : null}
      </form>
      {secretId ? (
        <p className="small">
          Only entries about one secret.{" "}
          <a href={routeHref({ view: "audit", secret: null })}>Show the whole log</a>
        </p>
      ) : null}
      {rangeError ? (
        <p className="error" role="alert">
          {rangeError}
        </p>
      ) : null}
      {pages.error ? (
        <div className="notice notice-error" role="alert">
          {errorMessage(pages.error)}
        </div>
      ) : null}
      <AuditTable
        entries={entries}
        hasMore={pages.hasNextPage}
        loading={pages.isPending}
        onMore={() => {
          if (!pages.isFetchingNextPage) void pages.fetchNextPage();
        }}
      />
      <p className="table-foot-line muted small" role="status">
        {total === null
          ? "Loading…"
          : `${total.toLocaleString()} entr${total === 1 ? "y" : "ies"}${filtered ? " match" : ""}` +
            (entries.length < total ? `; ${entries.length.toLocaleString()} loaded, more as you scroll` : "")}
      </p>
    </div>
  );
}

/** The virtualized rows; asks for more when the last loaded row comes into view. */
function AuditTable({
  entries,
  hasMore,
  loading,
  onMore,
}: {
  entries: AuditEntry[];
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const count = entries.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (hasMore && lastShown >= entries.length - 1) onMore();
  }, [hasMore, lastShown, entries.length, onMore]);
  const now = new Date();

  return (
    <div className="table-wrap audit-table" style={{ ["--cols" as string]: COLUMNS }} role="table" aria-label="Audit entries" aria-rowcount={count + 1}>
      <div className="table-head" role="row">
        {["#", "When", "Who", "Action", "Target", "Details"].map((h) => (
          <span key={h} role="columnheader">
            {h}
          </span>
        ))}
      </div>
      <div className="table-body" ref={scroller}>
        {!loading && entries.length === 0 ? <p className="empty muted">No entries match.</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const entry = entries[item.index];
            return (
              <div
                key={item.key}
                className="table-row audit-row"
                role="row"
                aria-rowindex={item.index + 2}
                data-seq={entry?.seq}
                style={{ top: item.start, height: item.size }}
              >
                {entry ? <AuditCells entry={entry} now={now} /> : <span className="muted">Loading…</span>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function AuditCells({ entry, now }: { entry: AuditEntry; now: Date }) {
  const detail = detailText(entry.detail);
  return (
    <>
      <span role="cell" className="cell muted mono">
        {entry.seq}
      </span>
      <span role="cell" className="cell" title={`${formatDateTime(entry.at)} (${relative(entry.at, now)})`}>
        {formatDateTime(entry.at)}
      </span>
      <span role="cell" className="cell" title={entry.actor}>
        {entry.actor}
      </span>
      <span role="cell" className="cell" title={entry.action}>
        {auditActionLabel(entry.action)}
      </span>
      <span role="cell" className="cell" title={entry.target}>
        {entry.secret_id ? <a href={routeHref({ view: "secret", id: entry.secret_id })}>{entry.target}</a> : entry.target}
      </span>
      <span role="cell" className="cell muted small" title={detail}>
        {detail || "—"}
      </span>
    </>
  );
}

type Verify = { busy: boolean; result: AuditVerification | null; failure: string | null };
const NOT_VERIFIED: Verify = { busy: false, result: null, failure: null };

/** The MAC-chain check over the whole log, for the button in the page head. */
function useVerify(): [Verify, () => Promise<void>] {
  const [state, setState] = useState<Verify>(NOT_VERIFIED);
  const run = async () => {
    setState({ busy: true, result: null, failure: null });
    try {
      setState({ busy: false, result: await api.verifyAudit(), failure: null });
    } catch (error) {
      setState({ busy: false, result: null, failure: errorMessage(error) });
    }
  };
  return [state, run];
}

/** Intact, or the first broken entry. */
function VerifyNotice({ state }: { state: Verify }) {
  const { result, failure } = state;
  if (failure) {
    return (
      <div className="notice notice-error" role="alert">
        {failure}
      </div>
    );
  }
  if (!result) return null;
  if (result.ok) {
    return (
      <div className="notice notice-ok" role="status">
        <Icon name="check" />
        <span>
          The chain is intact: {result.entries.toLocaleString()} entr{result.entries === 1 ? "y" : "ies"} verified.
        </span>
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" />
      <span>
        The chain is broken at entry {result.first_broken ?? "?"}
        {result.reason ? `: ${result.reason}` : ""}. That entry and those after it cannot be trusted;{" "}
        {result.entries.toLocaleString()} entries were checked.
      </span>
    </div>
  );
}

/** Saves the entries that the filters match, through the save dialog. */
function ExportButtons({ filter, disabled }: { filter: AuditFilter; disabled: boolean }) {
  const toast = useToast();
  const [busy, setBusy] = useState<AuditExportFormat | null>(null);
  const run = async (format: AuditExportFormat) => {
    setBusy(format);
    try {
      const done = await api.exportAudit(filter, format);
      if (done) toast.info(`Exported ${done.entries.toLocaleString()} entr${done.entries === 1 ? "y" : "ies"} to ${done.path}`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <button type="button" className="btn" disabled={disabled || busy !== null} onClick={() => void run("csv")}>
        <Icon name="upload" /> {busy === "csv" ? "Exporting…" : "Export CSV"}
      </button>
      <button type="button" className="btn" disabled={disabled || busy !== null} onClick={() => void run("json")}>
        {busy === "json" ? "Exporting…" : "Export JSON"}
      </button>
    </>
  );
}
