import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type KeyboardEvent } from "react";

import { Icon } from "../../components/Icon";
import { StatusBadge } from "../../components/StatusBadge";
import type { SecretMeta, SortKey } from "../../ipc/client";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, relativeDay } from "../../lib/time";

const COLUMNS = "28px minmax(160px, 2fr) 120px 140px 100px 180px minmax(90px, 1fr)";
const ROW_HEIGHT = 44;

type Sort = { key: SortKey; descending: boolean };

let markedRendered = false;

/**
 * Notes once per page load when the first rows were painted, as the
 * wall-clock time in ms in `<html data-list-rendered-at>` (and a performance
 * mark), so the start-up benchmark (tests/e2e/perf) can time start → list.
 */
function markListRendered() {
  if (markedRendered) return;
  markedRendered = true;
  // After this frame is painted: a task queued from the next animation frame.
  window.requestAnimationFrame(() =>
    window.setTimeout(() => {
      performance.mark("coffer:list-rendered");
      document.documentElement.dataset.listRenderedAt = String(performance.timeOrigin + performance.now());
    }, 0),
  );
}

const HEADERS: { key: SortKey | null; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "type", label: "Type" },
  { key: "status", label: "Status" },
  { key: "created", label: "Created" },
  { key: "expires", label: "Expires" },
  { key: null, label: "Labels" },
];

/** The virtualized secrets table: only the rows on screen exist in the DOM. */
export function SecretsTable({
  total,
  row,
  sort,
  onSort,
  selected,
  onToggle,
  onToggleAll,
  allSelected,
  onOpen,
  onRange,
  busy = false,
}: {
  total: number;
  row: (index: number) => SecretMeta | undefined;
  sort: Sort;
  onSort: (key: SortKey) => void;
  selected: ReadonlyMap<string, unknown>;
  onToggle: (meta: SecretMeta) => void;
  onToggleAll: () => void;
  allSelected: boolean;
  onOpen: (id: string) => void;
  onRange: (first: number, last: number) => void;
  /** The rows shown answer the previous filter; the next one is loading. */
  busy?: boolean;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => onRange(first, last), [first, last, onRange]);
  const showsRows = items.length > 0 && row(first) !== undefined;
  useEffect(() => {
    if (showsRows) markListRendered();
  }, [showsRows]);

  const onKey = (event: KeyboardEvent<HTMLDivElement>, index: number, meta: SecretMeta | undefined) => {
    const move = (to: number) => {
      if (to < 0 || to >= total) return;
      virtualizer.scrollToIndex(to);
      window.requestAnimationFrame(() => {
        scroller.current?.querySelector<HTMLElement>(`[data-index="${to}"]`)?.focus();
      });
    };
    if (event.key === "ArrowDown") {
      event.preventDefault();
      move(index + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(index - 1);
    } else if (event.key === "Enter" && meta) {
      onOpen(meta.id);
    } else if (event.key === " " && meta) {
      event.preventDefault();
      onToggle(meta);
    }
  };

  return (
    <div className="table-wrap" style={{ ["--cols" as string]: COLUMNS }} role="grid" aria-rowcount={total + 1} aria-label="Secrets" aria-busy={busy}>
      <div className="table-head" role="row">
        <span role="columnheader">
          <input type="checkbox" aria-label="Select all loaded secrets" checked={allSelected} onChange={onToggleAll} />
        </span>
        {HEADERS.map((h) => (
          <span
            key={h.label}
            role="columnheader"
            aria-sort={h.key && sort.key === h.key ? (sort.descending ? "descending" : "ascending") : undefined}
          >
            {h.key ? (
              <button type="button" onClick={() => onSort(h.key as SortKey)}>
                {h.label}
                {sort.key === h.key ? <Icon name={sort.descending ? "chevronDown" : "chevronUp"} size={12} /> : null}
              </button>
            ) : (
              h.label
            )}
          </span>
        ))}
      </div>
      <div className="table-body" ref={scroller}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const meta = row(item.index);
            const isSelected = meta ? selected.has(meta.id) : false;
            return (
              <div
                key={item.key}
                className="table-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                tabIndex={0}
                data-index={item.index}
                data-testid={meta ? `secret-row-${meta.name}` : undefined}
                style={{ top: item.start, height: item.size }}
                onClick={() => meta && onOpen(meta.id)}
                onKeyDown={(e) => onKey(e, item.index, meta)}
              >
                {meta ? <Cells meta={meta} selected={isSelected} onToggle={onToggle} /> : <span className="muted">Loading…</span>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Cells({ meta, selected, onToggle }: { meta: SecretMeta; selected: boolean; onToggle: (meta: SecretMeta) => void }) {
  const labels = Object.entries(meta.labels);
  return (
    <>
      <span role="gridcell">
        <input
          type="checkbox"
          aria-label={`Select ${meta.name}`}
          checked={selected}
          onClick={(e) => e.stopPropagation()}
          onChange={() => onToggle(meta)}
        />
      </span>
      <span role="gridcell" className="cell cell-name" title={meta.description || meta.name}>
        {meta.org !== "Default" ? <span className="muted">{meta.org}:</span> : null}
        {meta.name}
        {meta.write_only ? <span className="badge badge-neutral" style={{ marginLeft: 6 }}>write-only</span> : null}
        {meta.used_by > 0 ? <UsedByBadge count={meta.used_by} /> : null}
      </span>
      <span role="gridcell" className="cell type-tag">
        {typeLabel(meta.type)}
      </span>
      <span role="gridcell" className="cell">
        <StatusBadge status={meta.status} expiresAt={meta.expires_at} />
      </span>
      <span role="gridcell" className="cell muted" title={meta.created_at}>
        {formatDate(meta.created_at)}
      </span>
      <span role="gridcell" className="cell" title={meta.expires_at ?? "No expiry"}>
        {meta.expires_at ? (
          <>
            {formatDate(meta.expires_at)} <span className="muted small">({relativeDay(meta.expires_at)})</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </span>
      <span role="gridcell" className="cell cell-labels">
        {labels.map(([k, v]) => (
          <span key={k} className="label-chip">
            {k}={v}
          </span>
        ))}
      </span>
    </>
  );
}

/** How many jobs use the secret, from the row itself (no query per row). */
function UsedByBadge({ count }: { count: number }) {
  const text = `Used by ${count} job${count === 1 ? "" : "s"}`;
  return (
    <span className="badge badge-neutral used-by-badge" title={text}>
      <Icon name="layers" size={12} />
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
