import { useQuery } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type ManagerTest } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { navigate, routeHref } from "../../lib/router";
import { formatDateTime, relative } from "../../lib/time";
import { ClearAllCacheButton } from "./CachePanel";
import { authText, CLASS_LABEL, KIND_LABEL, whereText } from "./model";
import "../../components/data-table.css";
import "./keyvaults.css";

/** The last test of a connection as a badge: ok with latency, the failure class, or not tested. */
export function TestBadge({ test }: { test: ManagerTest | null }) {
  if (!test) return <span className="muted small">not tested</span>;
  const when = `${formatDateTime(test.tested_at)}: ${test.ok ? test.checked : (test.message ?? "")}`;
  return test.ok ? (
    <span className="badge badge-dot badge-active" title={when}>
      ok · {test.latency_ms} ms
    </span>
  ) : (
    <span className="badge badge-dot badge-expired" title={when}>
      {test.class ? CLASS_LABEL[test.class] : "failed"}
    </span>
  );
}

/** Connections to AWS Secrets Manager and Azure Key Vault, with the result of their last test. */
export function KeyVaultsPage() {
  const managers = useQuery({ queryKey: keys.managers, queryFn: api.listManagers });
  const list = managers.data ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Key vaults</h1>
          <p className="muted">
            Connections to cloud key vaults: placeholders <code>${"{"}secret:CONNECTION:NAME{"}"}</code> read from them, secrets deploy to them.
          </p>
        </div>
        <span className="spacer" />
        <ClearAllCacheButton />
        <a className="btn btn-primary" href={routeHref({ view: "keyvault-new" })}>
          <Icon name="plus" /> New connection
        </a>
      </div>
      {managers.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(managers.error)}</p>
        </div>
      ) : null}
      {managers.isPending ? (
        <p className="muted" aria-busy="true">
          Loading connections…
        </p>
      ) : null}
      {managers.isSuccess && list.length === 0 ? (
        <div className="empty">
          <Icon name="vault" size={28} />
          <h2>No connections yet</h2>
          <p className="muted">
            Connect an AWS Secrets Manager region or an Azure Key Vault. Credentials stay in a Coffer secret (or come from the platform); the
            connection stores none.
          </p>
          <a className="btn btn-primary" href={routeHref({ view: "keyvault-new" })}>
            <Icon name="plus" /> Connect a key vault
          </a>
        </div>
      ) : null}
      {list.length > 0 ? (
        <table className="data-table kv-table kv-managers">
          <thead>
            <tr>
              <th>Name</th>
              <th>Service</th>
              <th>Where</th>
              <th>Credentials</th>
              <th>Last test</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.spec.name} onClick={() => navigate({ view: "keyvault", name: m.spec.name })}>
                <td className="cell-name">
                  <a href={routeHref({ view: "keyvault", name: m.spec.name })} onClick={(e) => e.stopPropagation()}>
                    {m.spec.name}
                  </a>
                  {m.spec.org !== "Default" ? <span className="small muted"> · {m.spec.org}</span> : null}
                </td>
                <td>{KIND_LABEL[m.spec.settings.kind]}</td>
                <td className="mono small kv-where">{whereText(m.spec)}</td>
                <td className="small">{authText(m.spec)}</td>
                <td className="small">
                  <TestBadge test={m.last_test} />
                  {m.last_test ? <span className="muted"> {relative(m.last_test.tested_at)}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
