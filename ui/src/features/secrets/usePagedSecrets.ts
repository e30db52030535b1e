import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useMemo } from "react";

import { api, type SecretMeta, type SecretQuery } from "../../ipc/client";
import { keys } from "../../lib/queries";

export const PAGE_SIZE = 100;

export type ListQuery = Omit<SecretQuery, "limit" | "offset">;

/**
 * Secrets fetched page by page for the rows on screen, so a vault of 100,000
 * secrets never crosses IPC at once. Page 0 carries the total; it keeps the
 * previous result while a new filter loads, so the table never flashes empty.
 */
export function usePagedSecrets(query: ListQuery, firstRow: number, lastRow: number) {
  const first = Math.floor(Math.max(0, firstRow) / PAGE_SIZE);
  const last = Math.max(first, Math.floor(Math.max(0, lastRow) / PAGE_SIZE));
  const pages = useMemo(() => {
    const list = [0];
    for (let p = first; p <= last; p++) if (p !== 0) list.push(p);
    return list;
  }, [first, last]);
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: [...keys.secrets, query, page] as const,
      queryFn: () => api.listSecrets({ ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
      placeholderData: page === 0 ? keepPreviousData : undefined,
      staleTime: 5_000,
    })),
  });
  const head = results[0];
  const total = head?.data?.total ?? 0;
  const byPage = new Map<number, SecretMeta[]>();
  pages.forEach((page, i) => {
    const items = results[i]?.data?.items;
    if (items) byPage.set(page, items);
  });
  return {
    total,
    loading: head?.isPending ?? true,
    fetching: head?.isFetching ?? false,
    error: head?.error ?? null,
    row: (index: number): SecretMeta | undefined => byPage.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    loadedRows: (): SecretMeta[] => [...byPage.values()].flat(),
  };
}
