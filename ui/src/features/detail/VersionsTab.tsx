import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type DeploymentView, type SecretMeta, type VersionInfo } from "../../ipc/client";
import { keys, useInvalidateSecrets, useSettings } from "../../lib/queries";
import { formatDate, formatDateTime, relative } from "../../lib/time";
import type { PasswordGate } from "./useStorePassword";

/** Where a local version was deployed: each key vault and the remote version id it became there. */
export function RemoteVersions({ version, deployments }: { version: number; deployments: DeploymentView[] }) {
  const pushed = deployments.flatMap((d) => d.versions.filter((v) => v.version === version).map((v) => ({ d, v })));
  if (pushed.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="version-remotes">
      {pushed.map(({ d, v }) => (
        <li key={`${d.id}-${v.remote_version}`}>
          <span className="mono">
            {d.manager}:{d.remote_name}
          </span>{" "}
          as <span className="mono" title="Remote version id">{v.remote_version}</span>
          {v.last ? <span className="badge badge-active version-current">last</span> : null}
          {d.brownfield && v.version === 1 ? <span className="muted small"> (imported)</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** Kept versions, newest first, with Restore (which makes a new version) and where each was deployed. */
export function VersionsTab({ meta, gate, readOnly }: { meta: SecretMeta; gate: PasswordGate; readOnly: boolean }) {
  const versions = useQuery({ queryKey: keys.versions(meta.id), queryFn: () => api.secretVersions(meta.id) });
  const deployments = useQuery({ queryKey: keys.secretDeployments(meta.id), queryFn: () => api.secretDeployments(meta.id) });
  const settings = useSettings();
  const invalidate = useInvalidateSecrets();
  const toast = useToast();
  const [restoring, setRestoring] = useState<VersionInfo | null>(null);
  const [busy, setBusy] = useState(false);

  const restore = async (version: VersionInfo) => {
    setBusy(true);
    try {
      const made = await gate.run("Restore", (password) => api.restoreVersion(meta.id, version.version, password));
      if (made !== undefined) {
        toast.info(`Version ${version.version} restored as version ${made}.`);
        await invalidate();
      }
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
      setRestoring(null);
    }
  };

  if (versions.isPending) return <p className="muted">Loading versions…</p>;
  if (versions.error) {
    return (
      <div className="notice notice-error" role="alert">
        {errorMessage(versions.error)}
      </div>
    );
  }
  const keep = settings.data?.keep_versions;
  return (
    <div className="stack">
      <p className="muted small">
        Every change of value makes a new, immutable version.
        {keep ? ` The newest ${keep} are kept; older ones are destroyed.` : ""}
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">Note</th>
            <th scope="col">Expiry</th>
            <th scope="col">Key vaults</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.data.map((v) => (
            <tr key={v.version} aria-current={v.current ? "true" : undefined}>
              <td>
                <strong>v{v.version}</strong>
                {v.current ? <span className="badge badge-active version-current">current</span> : null}
              </td>
              <td title={formatDateTime(v.created_at)}>
                {formatDateTime(v.created_at)} <span className="muted small">({relative(v.created_at)})</span>
              </td>
              <td>{v.note}</td>
              <td>{v.expires_at ? formatDate(v.expires_at) : <span className="muted">—</span>}</td>
              <td>
                <RemoteVersions version={v.version} deployments={deployments.data ?? []} />
              </td>
              <td className="cell-actions">
                {v.current || readOnly ? null : (
                  <button type="button" className="btn btn-sm" disabled={busy} onClick={() => setRestoring(v)}>
                    Restore…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={restoring !== null}
        title={`Restore version ${restoring?.version ?? ""}?`}
        confirmLabel="Restore"
        busy={busy}
        onClose={() => setRestoring(null)}
        onConfirm={() => {
          if (restoring) void restore(restoring);
        }}
      >
        <p>
          The value of version {restoring?.version} becomes current again as a new version (v{meta.current_version + 1}).
          The history stays as it is. Jobs use the restored value from their next run.
        </p>
      </ConfirmDialog>
    </div>
  );
}
