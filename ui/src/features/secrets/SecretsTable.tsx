import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";

import { Icon } from "../../components/Icon";
import { StatusBadge } from "../../components/StatusBadge";
import type { SecretMeta, SortKey } from "../../ipc/client";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, formatDateTime, relativeDay } from "../../lib/time";
import { COLUMNS, gridTemplate, type ColumnKey } from "./columns";
import { markOnce } from "../../lib/startMarks";

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
  markOnce("coffer:list-commit");
  // After this frame is painted: a task queued from the next animation frame.
  window.requestAnimationFrame(() =>
    window.setTimeout(() => {
      performance.mark("coffer:list-rendered");
      document.documentElement.dataset.listRenderedAt = String(performance.timeOrigin + performance.now());
    }, 0),
  );
}

/** Whether the header checkbox shows all, some or none of the rows selected. */
export type HeaderCheck = "all" | "some" | "none";

/** The virtualized secrets table: only the rows on screen exist in the DOM. */
export function SecretsTable({
  total,
  row,
  sort,
  onSort,
  columns,
  isSelected,
  onToggle,
  onToggleAll,
  onSelectAll,
  headerCheck,
  onOpen,
  onRange,
  onLabel,
  busy = false,
  sharedIn = null,
}: {
  total: number;
  row: (index: number) => SecretMeta | undefined;
  sort: Sort;
  onSort: (key: SortKey) => void;
  columns: ColumnKey[];
  isSelected: (meta: SecretMeta) => boolean;
  /** A row's checkbox; `range` when Shift was held (select from the last one clicked). */
  onToggle: (meta: SecretMeta, index: number, range: boolean) => void;
  onToggleAll: () => void;
  /** Ctrl+A in the list. */
  onSelectAll: () => void;
  headerCheck: HeaderCheck;
  onOpen: (id: string) => void;
  onRange: (first: number, last: number) => void;
  /** A label chip was clicked: filter by it. */
  onLabel: (term: string) => void;
  /** The rows shown answer the previous filter; the next one is loading. */
  busy?: boolean;
  /** The rows are shared secrets of this team vault: each gets a "shared" badge. */
  sharedIn?: string | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const headBox = useRef<HTMLInputElement>(null);
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
  useEffect(() => {
    if (headBox.current) headBox.current.indeterminate = headerCheck === "some";
  }, [headerCheck]);
  const shown = COLUMNS.filter((c) => columns.includes(c.key));

  const onKey = (event: KeyboardEvent<HTMLDivElement>, index: number, meta: SecretMeta | undefined) => {
    const move = (to: number) => {
      const target = Math.max(0, Math.min(total - 1, to));
      if (total === 0) return;
      virtualizer.scrollToIndex(target, { align: "auto" });
      const focus = (tries: number) =>
        window.requestAnimationFrame(() => {
          const el = scroller.current?.querySelector<HTMLElement>(`[data-index="${target}"]`);
          if (el) el.focus();
          else if (tries > 0) focus(tries - 1);
        });
      focus(3);
    };
    const perPage = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const ctrl = event.ctrlKey || event.metaKey;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      move(index + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(index - 1);
    } else if (event.key === "PageDown") {
      event.preventDefault();
      move(index + perPage);
    } else if (event.key === "PageUp") {
      event.preventDefault();
      move(index - perPage);
    } else if (event.key === "Home") {
      event.preventDefault();
      move(0);
    } else if (event.key === "End") {
      event.preventDefault();
      move(total - 1);
    } else if (ctrl && event.key.toLowerCase() === "a") {
      event.preventDefault();
      onSelectAll();
    } else if (event.key === "Enter" && meta) {
      onOpen(meta.id);
    } else if (event.key === " " && meta) {
      event.preventDefault();
      onToggle(meta, index, event.shiftKey);
    }
  };

  return (
    <div
      className="table-wrap"
      style={{ ["--cols" as string]: gridTemplate(columns) }}
      role="grid"
      aria-rowcount={total + 1}
      aria-label="Secrets"
      aria-busy={busy}
      aria-multiselectable="true"
    >
      <div className="table-head" role="row">
        <span role="columnheader">
          <input
            ref={headBox}
            type="checkbox"
            aria-label="Select all loaded secrets"
            checked={headerCheck === "all"}
            onChange={onToggleAll}
          />
        </span>
        {[{ key: "name", label: "Name", sort: "name" as SortKey | null }, ...shown].map((h) => (
          <span
            key={h.key}
            role="columnheader"
            className="cell"
            aria-sort={h.sort && sort.key === h.sort ? (sort.descending ? "descending" : "ascending") : undefined}
          >
            {h.sort ? (
              <button type="button" onClick={() => onSort(h.sort as SortKey)}>
                {h.label}
                {sort.key === h.sort ? <Icon name={sort.descending ? "chevronDown" : "chevronUp"} size={12} /> : null}
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
            const selected = meta ? isSelected(meta) : false;
            return (
              <div
                key={item.key}
                className="table-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                tabIndex={0}
                data-index={item.index}
                data-testid={meta ? `secret-row-${meta.name}` : undefined}
                style={{ top: item.start, height: item.size }}
                onClick={() => meta && onOpen(meta.id)}
                onKeyDown={(e) => onKey(e, item.index, meta)}
              >
                {meta ? (
                  <Cells
                    meta={meta}
                    columns={columns}
                    selected={selected}
                    onToggle={(range) => onToggle(meta, item.index, range)}
                    onLabel={onLabel}
                    sharedIn={sharedIn}
                  />
                ) : (
                  <span className="muted">Loading…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * A row's labels: as many chips as fit the column (measured after layout,
 * again when the column's width changes), then "+N" with every label in its
 * tooltip. A chip is a button: it filters the list by that label.
 */
function LabelsCell({ labels, onLabel }: { labels: [string, string][]; onLabel: (term: string) => void }) {
  const box = useRef<HTMLSpanElement>(null);
  const [width, setWidth] = useState(0);
  const [measured, setMeasured] = useState<{ key: string; width: number; fit: number } | null>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const key = labels.map(([k, v]) => `${k}=${v}`).join("\n");
  const current = measured && measured.key === key && measured.width === width ? measured : null;
  // Until measured for these labels and this width, every chip shows.
  const fit = current ? current.fit : labels.length;
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || current) return;
    // Natural widths (a chip may be shrunk to fit, so not its box), 4 px apart.
    const widths = [...el.querySelectorAll<HTMLElement>("[data-label]")].map((c) => c.scrollWidth + 1);
    const room = el.clientWidth;
    const ends = widths.map((_, i) => widths.slice(0, i + 1).reduce((a, b) => a + b, 0) + 4 * i);
    let n = widths.length;
    if (room && (ends[ends.length - 1] ?? 0) > room) {
      // Leave room for "+N"; the first chip always shows (shortened when it must be).
      const more = 34;
      n = Math.max(1, ends.filter((end) => end <= room - more).length);
    }
    // Layout is only known after rendering: measuring is what this effect is for.
    setMeasured({ key, width, fit: n });
  }, [current, key, width]);
  const all = key;
  return (
    <span role="gridcell" className="cell cell-labels" data-col="labels" ref={box} title={all || undefined}>
      {labels.slice(0, fit).map(([k, v]) => (
        <button
          type="button"
          key={k}
          data-label
          className="label-chip label-chip-button"
          title={`Filter by ${k}=${v}`}
          onClick={(e) => {
            e.stopPropagation();
            onLabel(`${k}=${v}`);
          }}
        >
          {k}={v}
        </button>
      ))}
      {labels.length > fit ? (
        <span className="label-chip label-more" title={all} aria-label={`${labels.length - fit} more labels: ${all}`}>
          +{labels.length - fit}
        </span>
      ) : null}
    </span>
  );
}

function Cells({
  meta,
  columns,
  selected,
  onToggle,
  onLabel,
  sharedIn,
}: {
  meta: SecretMeta;
  columns: ColumnKey[];
  selected: boolean;
  onToggle: (range: boolean) => void;
  onLabel: (term: string) => void;
  sharedIn: string | null;
}) {
  const labels = Object.entries(meta.labels);
  const fullName = meta.org !== "Default" ? `${meta.org}:${meta.name}` : meta.name;
  return (
    <>
      <span role="gridcell">
        <input
          type="checkbox"
          aria-label={`Select ${meta.name}`}
          checked={selected}
          onClick={(e) => {
            e.stopPropagation();
            // Shift-click selects the range from the last row clicked.
            onToggle(e.shiftKey);
          }}
          // The click above changes the selection, which sets `checked`.
          onChange={() => undefined}
        />
      </span>
      <span role="gridcell" className="cell cell-name" data-col="name">
        <span className="cell-name-text" title={fullName}>
          {meta.org !== "Default" ? <span className="muted">{meta.org}:</span> : null}
          {meta.name}
        </span>
        {sharedIn ? (
          <span className="badge badge-shared" title={`Shared in team vault ${sharedIn}`}>
            shared
          </span>
        ) : null}
        {meta.write_only ? <span className="badge badge-neutral">write-only</span> : null}
        {meta.used_by > 0 ? <UsedByBadge count={meta.used_by} /> : null}
      </span>
      {columns.includes("type") ? (
        <span role="gridcell" className="cell type-tag" data-col="type">
          {typeLabel(meta.type)}
        </span>
      ) : null}
      {columns.includes("status") ? (
        <span role="gridcell" className="cell cell-status" data-col="status">
          <StatusBadge status={meta.status} expiresAt={meta.expires_at} />
        </span>
      ) : null}
      {columns.includes("created") ? (
        <span role="gridcell" className="cell muted" data-col="created" title={formatDateTime(meta.created_at)}>
          {formatDate(meta.created_at)}
        </span>
      ) : null}
      {columns.includes("expires") ? (
        <span role="gridcell" className="cell cell-date" data-col="expires" title={meta.expires_at ? `${formatDateTime(meta.expires_at)} (${relativeDay(meta.expires_at)})` : "No expiry"}>
          {meta.expires_at ? (
            <>
              {formatDate(meta.expires_at)} <span className="muted small cell-date-relative">({relativeDay(meta.expires_at)})</span>
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </span>
      ) : null}
      {columns.includes("labels") ? <LabelsCell labels={labels} onLabel={onLabel} /> : null}
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
