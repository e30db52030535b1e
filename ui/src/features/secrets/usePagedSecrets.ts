import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { api, type SecretMeta, type SecretPage, type SecretQuery } from "../../ipc/client";
import { keys } from "../../lib/queries";

export const PAGE_SIZE = 100;

export type ListQuery = Omit<SecretQuery, "limit" | "offset">;

type Snapshot = { total: number; byPage: Map<number, SecretMeta[]> };

/** Where pages come from: the local vault, or the team vault's replica. */
export type SecretSource = { key: readonly string[]; list: (query: SecretQuery) => Promise<SecretPage> };

export const LOCAL_SOURCE: SecretSource = { key: keys.secrets, list: (query) => api.listSecrets(query) };

/**
 * Secrets fetched page by page for the rows on screen, so a vault of 100,000
 * secrets never crosses IPC at once. Page 0 carries the total.
 *
 * While a new filter or sort loads, the rows of the previous one stay on
 * screen (no empty flash per keystroke): page 0 is its own query with
 * `keepPreviousData` (which `useQueries` cannot do, as it makes a fresh
 * observer per key), and the other pages of the last settled result are
 * kept until the new page 0 arrives.
 */
export function usePagedSecrets(query: ListQuery, firstRow: number, lastRow: number, source: SecretSource = LOCAL_SOURCE) {
  const first = Math.floor(Math.max(0, firstRow) / PAGE_SIZE);
  const last = Math.max(first, Math.floor(Math.max(0, lastRow) / PAGE_SIZE));
  const pages = useMemo(() => {
    const list: number[] = [];
    for (let p = first; p <= last; p++) if (p !== 0) list.push(p);
    return list;
  }, [first, last]);
  const head = useQuery({
    queryKey: [...source.key, query, 0] as const,
    queryFn: () => source.list({ ...query, limit: PAGE_SIZE, offset: 0 }),
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  const rest = useQueries({
    queries: pages.map((page) => ({
      queryKey: [...source.key, query, page] as const,
      queryFn: () => source.list({ ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
      staleTime: 5_000,
      // Only once the filter's first page is in: its total says which pages exist.
      enabled: !head.isPlaceholderData,
    })),
  });
  // The last settled result, kept (as state from an earlier render) for while
  // the next one loads.
  const [settled, setSettled] = useState<Snapshot>({ total: 0, byPage: new Map() });
  const previous = head.isPlaceholderData;
  const byPageNow = new Map<number, SecretMeta[]>();
  if (head.data) byPageNow.set(0, head.data.items);
  pages.forEach((page, i) => {
    const items = rest[i]?.data?.items;
    if (items) byPageNow.set(page, items);
  });
  const current: Snapshot = { total: head.data?.total ?? 0, byPage: byPageNow };
  if (!previous && head.data && !sameSnapshot(current, settled)) setSettled(current);
  const snapshot = previous ? settled : current;
  const { byPage, total } = snapshot;
  return {
    total,
    /** The query these rows answer (the previous one while a new one loads). */
    stale: previous,
    loading: head.isPending,
    fetching: head.isFetching,
    error: head.error ?? null,
    row: (index: number): SecretMeta | undefined => byPage.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    loadedRows: (): SecretMeta[] => [...byPage.values()].flat(),
  };
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.total !== b.total || a.byPage.size !== b.byPage.size) return false;
  for (const [page, items] of a.byPage) if (b.byPage.get(page) !== items) return false;
  return true;
}
