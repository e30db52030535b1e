import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type CachedSecret } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { When } from "./tables";
import "../../components/data-table.css";

/** Clears every connection's cached values (the section header's action). */
export function ClearAllCacheButton() {
  const client = useQueryClient();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const clear = async () => {
    setBusy(true);
    try {
      const n = await api.clearCache(null);
      toast.info(n === 0 ? "The cache was already empty." : `Cleared ${n} cached value${n === 1 ? "" : "s"}.`);
      await client.invalidateQueries({ queryKey: ["cache"] });
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn" disabled={busy} onClick={() => void clear()}>
      <Icon name="refresh" /> Clear all cache
    </button>
  );
}

/** What the cache holds: names, versions and times, never values. */
export function CachedSecretsTable({ entries, showManager = false }: { entries: CachedSecret[]; showManager?: boolean }) {
  return (
    <table className="data-table kv-table">
      <thead>
        <tr>
          {showManager ? <th>Connection</th> : null}
          <th>Name</th>
          <th>Version</th>
          <th>Fetched</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={`${e.manager}\u0000${e.name}`} className={e.expired ? "kv-expired" : undefined}>
            {showManager ? <td>{e.manager}</td> : null}
            <td className="cell-name mono">{e.name}</td>
            <td className="mono small kv-version" title={e.version}>
              {e.version}
            </td>
            <td className="small">
              <When value={e.fetched_at} />
            </td>
            <td className="small">
              {e.expired ? <span className="badge badge-expired">expired</span> : <When value={e.expires_at} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A connection's Cached secrets tab: names, versions and times, never values. */
export function CacheTab({ name }: { name: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const cache = useQuery({ queryKey: keys.cache(name), queryFn: () => api.cachedSecrets(name), refetchInterval: 10_000 });
  const clear = async () => {
    try {
      const n = await api.clearCache(name);
      toast.info(n === 0 ? "Nothing was cached." : `Cleared ${n} cached value${n === 1 ? "" : "s"} of ${name}.`);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      await client.invalidateQueries({ queryKey: ["cache"] });
    }
  };
  const entries = cache.data ?? [];
  return (
    <div className="stack">
      <div className="row">
        <p className="muted small">
          Values read through placeholders stay in this app's memory until they expire or the vault locks; this list shows names and times only.
        </p>
        <span className="spacer" />
        <button type="button" className="btn" disabled={entries.length === 0} onClick={() => void clear()}>
          Clear cache for this connection
        </button>
      </div>
      {cache.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(cache.error)}</p>
        </div>
      ) : null}
      {cache.isSuccess && entries.length === 0 ? <p className="muted">Nothing cached.</p> : null}
      {entries.length > 0 ? <CachedSecretsTable entries={entries} /> : null}
    </div>
  );
}

