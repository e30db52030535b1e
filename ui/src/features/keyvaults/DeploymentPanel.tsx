import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, type DeploymentView, type SecretMeta } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { useDeploymentActions } from "./DeploymentActions";
import { canDecommission, canRetry, KIND_LABEL, needsAdopt, STATE_LABEL, stateBadge } from "./model";
import "./keyvaults.css";

/** Names each service accepts: AWS letters, digits and /_+=.@-; Azure letters, digits and '-'. */
export function remoteNameProblem(kind: "aws" | "azure", name: string): string | null {
  const n = name.trim();
  if (n === "") return "A remote name is needed";
  if (kind === "azure") {
    if (!/^[0-9A-Za-z-]{1,127}$/.test(n)) return "Azure Key Vault names use letters, digits and '-' only (at most 127)";
  } else if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(n)) {
    return "AWS names use letters, digits and / _ + = . @ - (at most 512)";
  }
  return null;
}

/** The name a local secret gets remotely by default (Azure has no '/' or '.'). */
export function defaultRemoteName(kind: "aws" | "azure", local: string): string {
  return kind === "azure" ? local.replace(/[^0-9A-Za-z-]/g, "-") : local;
}

/** Deploy a local secret to a connection under a remote name. */
export function DeployDialog({ meta, onClose }: { meta: SecretMeta; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const managers = useQuery({ queryKey: keys.managers, queryFn: api.listManagers });
  const managerId = useId();
  const nameId = useId();
  const [manager, setManager] = useState("");
  const [remoteName, setRemoteName] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = managers.data ?? [];
  const chosen = list.find((m) => m.spec.name === manager) ?? list[0];
  const kind = chosen?.spec.settings.kind ?? "aws";
  const name = remoteName ?? defaultRemoteName(kind, meta.name);
  const problem = chosen ? remoteNameProblem(kind, name) : null;

  const deploy = async () => {
    if (!chosen || problem) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await api.deploySecret(meta.id, chosen.spec.name, name.trim());
      toast.info(`Deploying to ${d.manager} as ${d.remote_name}.`);
      await client.invalidateQueries({ queryKey: keys.secretDeployments(meta.id) });
      await client.invalidateQueries({ queryKey: keys.deployments(d.manager) });
      onClose();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title="Deploy to key vault"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={!chosen || problem !== null || busy} onClick={() => void deploy()}>
            {busy ? "Deploying…" : "Deploy"}
          </button>
        </>
      }
    >
      {managers.isSuccess && list.length === 0 ? (
        <p>
          No key vault is connected yet. <a href={routeHref({ view: "keyvault-new" })}>Connect one</a> first.
        </p>
      ) : (
        <div className="stack">
          <p className="muted small">
            Coffer writes the current version of <strong>{meta.name}</strong> to the key vault, tags it as its own, and pushes every new version
            after it. {meta.write_only ? "The remote secret is tagged write-only: importing it back keeps it write-only." : ""}
          </p>
          <div className="field">
            <label htmlFor={managerId}>Connection</label>
            <select
              id={managerId}
              className="input"
              value={chosen?.spec.name ?? ""}
              onChange={(e) => {
                setManager(e.target.value);
                setRemoteName(null);
              }}
            >
              {list.map((m) => (
                <option key={m.spec.name} value={m.spec.name}>
                  {m.spec.name} ({KIND_LABEL[m.spec.settings.kind]})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={nameId}>Remote name</label>
            <input
              id={nameId}
              className="input mono"
              value={name}
              spellCheck={false}
              aria-invalid={problem !== null}
              aria-describedby={`${nameId}-hint`}
              onChange={(e) => setRemoteName(e.target.value)}
            />
            <span id={`${nameId}-hint`} className={problem ? "error" : "hint"}>
              {problem ?? "A remote secret of that name that Coffer did not create is never overwritten without Adopt."}
            </span>
          </div>
          {failure ? (
            <div className="notice notice-error" role="alert">
              <Icon name="alert" />
              <p>{failure}</p>
            </div>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}

function DeploymentCard({ d, actions }: { d: DeploymentView; actions: ReturnType<typeof useDeploymentActions> }) {
  const versions = [...d.versions].reverse();
  return (
    <li className="kv-deployment">
      <div className="row wrap">
        <a href={routeHref({ view: "keyvault", name: d.manager })}>{d.manager}</a>
        <Icon name="chevronRight" size={12} />
        <span className="mono">{d.remote_name}</span>
        <span className={stateBadge(d.state)}>{STATE_LABEL[d.state]}</span>
        {d.brownfield ? <span className="badge badge-neutral">imported</span> : null}
        <span className="spacer" />
        {canRetry(d.state) && !d.brownfield ? (
          <button type="button" className="btn btn-sm" disabled={actions.busy === d.id} onClick={() => actions.retry(d)}>
            Retry
          </button>
        ) : null}
        {needsAdopt(d) ? (
          <button type="button" className="btn btn-sm" disabled={actions.busy === d.id} onClick={() => actions.adopt(d)}>
            Adopt
          </button>
        ) : null}
        {canDecommission(d.state) && !d.brownfield ? (
          <button type="button" className="btn btn-sm btn-danger" disabled={actions.busy === d.id} onClick={() => actions.decommission(d)}>
            Decommission…
          </button>
        ) : null}
      </div>
      {d.last_error ? (
        <p className="small kv-error" role="note">
          <Icon name="alert" size={12} /> {d.last_error}
        </p>
      ) : null}
      {versions.length > 0 ? (
        <table className="data-table kv-versions" aria-label={`Versions in ${d.manager}`}>
          <thead>
            <tr>
              <th>Local version</th>
              <th>Remote version id</th>
              <th>Pushed</th>
              <th>
                <span className="visually-hidden">Current</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.remote_version}>
                <td>v{v.version}</td>
                <td className="mono small kv-version" title={v.remote_version}>
                  {v.remote_version}
                </td>
                <td className="small" title={formatDateTime(v.pushed_at)}>
                  {relative(v.pushed_at)}
                </td>
                <td>{v.last ? <span className="badge badge-active">last</span> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </li>
  );
}

/** The secret page's card: where it is deployed or imported from, with state, versions and actions. */
export function DeploymentPanel({ meta }: { meta: SecretMeta }) {
  const deployments = useQuery({
    queryKey: keys.secretDeployments(meta.id),
    queryFn: () => api.secretDeployments(meta.id),
    // While a deployment moves, follow it.
    refetchInterval: (query) => (query.state.data?.some((d) => !["available", "end", "stalled", "updating_error"].includes(d.state)) ? 1_000 : 15_000),
  });
  const actions = useDeploymentActions();
  const list = deployments.data ?? [];
  // Most secrets are deployed nowhere: the card appears only when there is something to show.
  if (!deployments.isError && list.length === 0) return null;
  return (
    <section className="card" aria-labelledby="kv-deployments-title">
      <div className="card-head">
        <Icon name="vault" />
        <h2 id="kv-deployments-title">Key vaults</h2>
      </div>
      {deployments.isError ? <p className="error">{errorMessage(deployments.error)}</p> : null}
      <ul className="kv-deployments">
        {list.map((d) => (
          <DeploymentCard key={d.id} d={d} actions={actions} />
        ))}
      </ul>
      {actions.dialogs}
    </section>
  );
}
