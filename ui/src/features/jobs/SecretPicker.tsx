import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import { api, type SecretMeta, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { typeLabel } from "../../lib/secretTypes";

/** Rows fetched per page while the list is scrolled. */
const PAGE = 100;
const ROW_HEIGHT = 34;
/** Height of the open list: about eight rows. */
const LIST_HEIGHT = 280;

/**
 * One secret of the given types in an organization, by its exact name (or null when there is none).
 * Searches the whole vault through the paged list, so it finds a secret however many there are.
 */
export function useSecretByName(name: string | null | undefined, types: SecretType[], org: string) {
  const wanted = name?.trim() ?? "";
  return useQuery({
    queryKey: [...keys.secrets, "by-name", org, wanted, ...types],
    queryFn: async () => {
      const page = await api.listSecrets({ text: wanted, types, org, sort: "name", limit: 1000, scope: "live" });
      return page.items.find((s) => s.name === wanted) ?? null;
    },
    enabled: wanted !== "" && types.length > 0,
  });
}

/** The secrets of the given types whose name or description holds `text`, page by page. */
function useSecretSearch(types: SecretType[], org: string, text: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...keys.secrets, "picker", org, text, ...types],
    queryFn: ({ pageParam }) => api.listSecrets({ text: text || null, types, org, sort: "name", limit: PAGE, offset: pageParam, scope: "live" }),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.items.length, 0);
      return last.items.length > 0 && loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
    enabled: enabled && types.length > 0,
  });
}

/** `value` once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function stateOf(meta: SecretMeta): string {
  return meta.status === "active" ? "" : ` — ${meta.status}`;
}

/**
 * A combobox over the secrets that can play a role: typing searches the whole vault (only compatible
 * types), arrows move, Enter chooses, Escape closes; the list is virtualized and loads more as it scrolls.
 */
export function SecretPicker({
  id,
  types,
  org,
  value,
  onChange,
  describedBy,
  usable,
}: {
  id: string;
  types: SecretType[];
  org: string;
  value: string;
  onChange: (name: string) => void;
  describedBy?: string;
  /** Secrets of the right type that cannot play the role (e.g. a DSA certificate for mTLS) are left out. */
  usable?: { accepts: (meta: SecretMeta) => boolean; reason: string };
}) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(value);
  const [active, setActive] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  // While the text is the chosen name, the list shows everything (with the choice marked).
  const filter = useSettled(text.trim() === value ? "" : text.trim(), 150);
  const search = useSecretSearch(types, org, filter, open);
  const chosen = useSecretByName(value, types, org);

  useEffect(() => {
    if (!open) setText(value);
  }, [value, open]);

  const loaded = search.data?.pages.flatMap((p) => p.items) ?? [];
  const rows = usable ? loaded.filter(usable.accepts) : loaded;
  const total = search.data?.pages[0]?.total ?? 0;
  // Index 0 is "None"; secrets follow.
  const count = rows.length + 1;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = search;
  useEffect(() => {
    if (open && hasNextPage && !isFetchingNextPage && lastShown >= count - 10) void fetchNextPage();
  }, [open, hasNextPage, isFetchingNextPage, lastShown, count, fetchNextPage]);

  const refused = usable && chosen.data && !usable.accepts(chosen.data) ? chosen.data : undefined;
  const missing = value !== "" && chosen.isSuccess && chosen.data === null;

  const listId = `${id}-list`;
  const optionId = (index: number) => `${id}-opt-${index}`;

  const show = (index: number) => {
    setActive(index);
    virtualizer.scrollToIndex(index, { align: "auto" });
  };
  const openList = () => {
    if (open) return;
    setOpen(true);
    setActive(0);
  };
  const close = () => {
    setOpen(false);
    setText(value);
  };
  const choose = (index: number) => {
    const meta = index === 0 ? null : rows[index - 1];
    if (meta && meta.status === "deactivated") return;
    const name = meta?.name ?? "";
    onChange(name);
    setText(name);
    setOpen(false);
  };

  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) openList();
        else show(Math.min(active + 1, count - 1));
        break;
      case "ArrowUp":
        event.preventDefault();
        if (open) show(Math.max(active - 1, 0));
        break;
      case "PageDown":
        if (open) {
          event.preventDefault();
          show(Math.min(active + 8, count - 1));
        }
        break;
      case "PageUp":
        if (open) {
          event.preventDefault();
          show(Math.max(active - 8, 0));
        }
        break;
      case "Enter":
        if (open) {
          event.preventDefault();
          choose(active);
        }
        break;
      case "Escape":
        if (open) {
          // Closing the list must not also close a dialog or cancel the wizard.
          event.preventDefault();
          event.stopPropagation();
          close();
        }
        break;
      default:
    }
  };

  const pending = open && search.isPending;
  const searching = filter !== text.trim() && text.trim() !== value;
  return (
    <div className="picker">
      <input
        ref={input}
        id={id}
        className="input"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active < count ? optionId(active) : undefined}
        aria-describedby={describedBy}
        aria-invalid={missing || Boolean(refused) || undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder="None — type a name to search"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(e.target.value.trim() ? 1 : 0);
          setOpen(true);
        }}
        onClick={openList}
        onKeyDown={onKey}
        onBlur={() => {
          // An emptied field means "None"; anything else typed but not chosen is dropped.
          if (open && text.trim() === "" && value !== "") onChange("");
          close();
        }}
      />
      {open ? (
        <div className="picker-pop">
          <div ref={scroller} className="picker-scroll" style={{ maxHeight: LIST_HEIGHT }}>
            <div id={listId} role="listbox" aria-label="Secrets" aria-busy={pending || searching} style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {items.map((item) => {
                const meta = item.index === 0 ? null : rows[item.index - 1];
                const selected = meta ? meta.name === value : value === "";
                const disabled = meta?.status === "deactivated";
                return (
                  // The keyboard stays in the combobox input, which points at the active option (aria-activedescendant).
                  // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/interactive-supports-focus
                  <div
                    key={item.key}
                    id={optionId(item.index)}
                    role="option"
                    aria-selected={selected}
                    aria-disabled={disabled || undefined}
                    data-active={item.index === active || undefined}
                    className="picker-option"
                    style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseEnter={() => setActive(item.index)}
                    onClick={() => choose(item.index)}
                  >
                    {meta ? (
                      <>
                        <span className="picker-name">{meta.name}</span>
                        <span className="picker-meta">
                          {typeLabel(meta.type)}
                          {stateOf(meta)}
                        </span>
                      </>
                    ) : (
                      <span className="picker-name muted">None</span>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
          <div className="picker-foot small muted" aria-live="polite">
            {pending
              ? "Searching…"
              : rows.length === 0
                ? filter
                  ? `No compatible secret matches “${filter}”.`
                  : "No compatible secret yet."
                : `${total.toLocaleString()} ${total === 1 ? "secret" : "secrets"}${filter ? ` match “${filter}”` : ""}${usable && loaded.length !== rows.length ? ` (${loaded.length - rows.length} not usable: ${usable.reason})` : ""}`}
          </div>
        </div>
      ) : null}
      {missing ? (
        <span className="error">
          <code>{value}</code>: no secret of this name and type ({types.map(typeLabel).join(", ")}) in {org}.
        </span>
      ) : null}
      {refused && usable ? (
        <span className="error">
          <code>{value}</code>: {usable.reason}.
        </span>
      ) : null}
    </div>
  );
}
