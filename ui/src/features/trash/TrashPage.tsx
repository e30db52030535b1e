import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import "../../components/data-table.css";
import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type SecretMeta } from "../../ipc/client";
import { keys, useInvalidateSecrets, useSettings } from "../../lib/queries";
import { routeHref } from "../../lib/router";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, formatDateTime, parseTime, relative } from "../../lib/time";
import "./trash.css";

const TRASH_QUERY = { scope: "trash", sort: "updated", descending: true, limit: 1000, offset: 0 } as const;

type Confirm = { kind: "purge"; meta: SecretMeta } | { kind: "empty" } | null;

/** Deleted secrets, kept until the retention runs out: restore or destroy them. */
export function TrashPage() {
  const trash = useQuery({ queryKey: [...keys.secrets, "trash"], queryFn: () => api.listSecrets(TRASH_QUERY) });
  const settings = useSettings();
  const invalidate = useInvalidateSecrets();
  const toast = useToast();
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (key: string, action: () => Promise<string>) => {
    setBusy(key);
    try {
      toast.info(await action());
      await invalidate();
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(null);
      setConfirm(null);
    }
  };

  const restore = (meta: SecretMeta) =>
    void act(meta.id, async () => {
      await api.restoreFromTrash(meta.id);
      return `${meta.name} restored.`;
    });
  const purge = (meta: SecretMeta) =>
    void act(meta.id, async () => {
      await api.purgeSecret(meta.id);
      return `${meta.name} destroyed.`;
    });
  const empty = () =>
    void act("all", async () => {
      const n = await api.emptyTrash();
      return `Trash emptied: ${n} secret${n === 1 ? "" : "s"} destroyed.`;
    });

  const items = trash.data?.items ?? [];
  const total = trash.data?.total ?? 0;
  const retention = settings.data?.trash_retention_days;
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Trash</h1>
          <p>
            {trash.isPending
              ? "Loading…"
              : `${total.toLocaleString()} deleted secret${total === 1 ? "" : "s"}` +
                (retention ? ` · destroyed ${retention} day${retention === 1 ? "" : "s"} after deletion` : "")}
          </p>
        </div>
        <span className="spacer" />
        {total > 0 ? (
          <button type="button" className="btn btn-danger" disabled={busy !== null} onClick={() => setConfirm({ kind: "empty" })}>
            <Icon name="trash" /> Empty trash…
          </button>
        ) : null}
      </div>
      {trash.error ? (
        <div className="notice notice-error" role="alert">
          {errorMessage(trash.error)}
        </div>
      ) : null}
      {!trash.isPending && !trash.error && total === 0 ? (
        <div className="empty">
          <Icon name="trash" size={48} />
          <h2>The trash is empty</h2>
          <p className="muted">
            Deleted secrets wait here for {retention ?? 30} days before they are destroyed, so a mistake can be undone.
          </p>
        </div>
      ) : null}
      {items.length > 0 ? (
        <table className="data-table trash-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Deleted</th>
              <th scope="col">Destroyed in</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((meta) => (
              <tr key={meta.id}>
                <td className="trash-name">
                  <a href={routeHref({ view: "secret", id: meta.id })}>
                    {meta.org !== "Default" ? <span className="muted">{meta.org}:</span> : null}
                    {meta.name}
                  </a>
                </td>
                <td className="type-tag">{typeLabel(meta.type)}</td>
                <td title={formatDateTime(meta.deleted_at)}>{relative(meta.deleted_at)}</td>
                <td title={formatDate(meta.purge_at)}>
                  <DaysLeft purgeAt={meta.purge_at} />
                </td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="btn btn-sm"
                    disabled={busy !== null}
                    aria-label={`Restore ${meta.name}`}
                    onClick={() => restore(meta)}
                  >
                    Restore
                  </button>
                  <button
                    type="button"
                    className="btn btn-sm btn-ghost text-danger-btn"
                    disabled={busy !== null}
                    aria-label={`Delete ${meta.name} permanently`}
                    onClick={() => setConfirm({ kind: "purge", meta })}
                  >
                    Delete permanently…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {total > items.length ? (
        <p className="muted small">
          Showing the {items.length} most recently deleted of {total.toLocaleString()}.
        </p>
      ) : null}
      <ConfirmDialog
        open={confirm?.kind === "purge"}
        title={confirm?.kind === "purge" ? `Destroy ${confirm.meta.name} now?` : ""}
        confirmLabel="Delete permanently"
        danger
        busy={busy !== null}
        onClose={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm?.kind === "purge") purge(confirm.meta);
        }}
      >
        <p>Its keys are destroyed, so no copy or backup of the vault can open it again. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "empty"}
        title="Empty the trash?"
        confirmLabel={`Destroy ${total} secret${total === 1 ? "" : "s"}`}
        danger
        busy={busy !== null}
        onClose={() => setConfirm(null)}
        onConfirm={empty}
      >
        <p>
          All {total} secret{total === 1 ? "" : "s"} in the trash are destroyed now, with their keys. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** Whole days until the purge, counting a started day as one (deleted just now: the full retention). */
export function daysLeft(purgeAt: string | null, now: number): number | null {
  const at = parseTime(purgeAt);
  return at ? Math.ceil((at.getTime() - now) / 86_400_000) : null;
}

function DaysLeft({ purgeAt }: { purgeAt: string | null }) {
  const [now] = useState(() => Date.now());
  const days = daysLeft(purgeAt, now);
  if (days === null) return <span className="muted">—</span>;
  if (days <= 0) return <span className="badge badge-expired">today</span>;
  const kind = days <= 3 ? "badge-expired" : days <= 7 ? "badge-expiring" : "badge-neutral";
  return (
    <span className={`badge ${kind}`}>
      {days} day{days === 1 ? "" : "s"} left
    </span>
  );
}
