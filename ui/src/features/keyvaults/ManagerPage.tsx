import * as Tabs from "@radix-ui/react-tabs";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";

import { ConfirmDialog } from "../../components/Dialog";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, events, hasCode, type ImportResult, type ManagerView, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { navigate, routeHref } from "../../lib/router";
import { typeLabel } from "../../lib/secretTypes";
import { KIND_LABEL, authText, durationText, whereText } from "./model";
import { useDeploymentActions } from "./DeploymentActions";
import { TestBadge } from "./KeyVaultsPage";
import { TestResult } from "./ManagerWizard";
import { CacheTab } from "./CachePanel";
import { DeploymentsTable, RemoteSecretsTable } from "./tables";
import "./keyvaults.css";

/** Rows per page of remote secrets. */
export const REMOTE_PAGE = 50;

/** One connection: its settings and last test, and tabs for remote secrets, cache, deployments and jobs. */
export function ManagerPage({ name }: { name: string }) {
  const managers = useQuery({ queryKey: keys.managers, queryFn: api.listManagers });
  const manager = managers.data?.find((m) => m.spec.name === name);
  return (
    <div className="page">
      <a className="back-link" href={routeHref({ view: "keyvaults" })}>
        <Icon name="chevronRight" /> Key vaults
      </a>
      {managers.isPending ? <p className="muted" aria-busy="true">Loading…</p> : null}
      {managers.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(managers.error)}</p>
        </div>
      ) : null}
      {managers.isSuccess && !manager ? (
        <div className="empty">
          <Icon name="search" size={40} />
          <h2>No connection named {name}</h2>
          <a className="btn" href={routeHref({ view: "keyvaults" })}>
            Back to the key vaults
          </a>
        </div>
      ) : null}
      {manager ? <Connection manager={manager} /> : null}
    </div>
  );
}

function Connection({ manager }: { manager: ManagerView }) {
  const client = useQueryClient();
  const toast = useToast();
  const spec = manager.spec;
  const [testing, setTesting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  const test = async () => {
    setTesting(true);
    setFailure(null);
    try {
      await api.testManager(spec.name);
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setTesting(false);
      await client.invalidateQueries({ queryKey: keys.managers });
    }
  };
  const remove = async () => {
    try {
      await api.deleteManager(spec.name);
      toast.info(`Connection ${spec.name} deleted.`);
      await client.invalidateQueries({ queryKey: keys.managers });
      navigate({ view: "keyvaults" });
    } catch (error) {
      toast.error(errorMessage(error));
      setDeleting(false);
    }
  };

  return (
    <>
      <header className="detail-head">
        <div className="detail-title">
          <div className="row wrap">
            <h1 className="detail-name">{spec.name}</h1>
            <TestBadge test={manager.last_test} />
          </div>
          <p className="muted">
            {KIND_LABEL[spec.settings.kind]} · <span className="mono">{whereText(spec)}</span> · {authText(spec)}
            {spec.org !== "Default" ? ` · ${spec.org}` : ""}
          </p>
          <p className="muted small">
            Cache {durationText(spec.cache_ttl_secs)} · stale-if-error {durationText(spec.stale_if_error_secs)} · {spec.writes_per_sec} writes/s
          </p>
        </div>
        <div className="detail-actions" role="toolbar" aria-label="Connection actions">
          <button type="button" className="btn" disabled={testing} onClick={() => void test()}>
            <Icon name="shield" /> {testing ? "Testing…" : "Test"}
          </button>
          <a className="btn" href={routeHref({ view: "keyvault-edit", name: spec.name })}>
            Edit
          </a>
          <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
            Delete…
          </button>
        </div>
      </header>
      {manager.last_test && !manager.last_test.ok ? <TestResult test={manager.last_test} /> : null}
      {failure ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{failure}</p>
        </div>
      ) : null}

      <Tabs.Root defaultValue="remote" className="stack">
        <Tabs.List className="tabs-list" aria-label="Connection">
          <Tabs.Trigger className="tab" value="remote">
            Remote secrets
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="cache">
            Cached secrets
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="deployments">
            Deployments
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="used-by">
            Used by
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="remote">
          <RemoteTab manager={manager} />
        </Tabs.Content>
        <Tabs.Content value="cache">
          <CacheTab name={spec.name} />
        </Tabs.Content>
        <Tabs.Content value="deployments">
          <DeploymentsTab name={spec.name} />
        </Tabs.Content>
        <Tabs.Content value="used-by">
          <UsedByTab name={spec.name} />
        </Tabs.Content>
      </Tabs.Root>

      <ConfirmDialog
        open={deleting}
        danger
        title={`Delete the connection ${spec.name}?`}
        confirmLabel="Delete connection"
        onClose={() => setDeleting(false)}
        onConfirm={() => void remove()}
      >
        <p>
          Coffer forgets the connection and its cached values. Nothing is deleted in the key vault. Jobs whose placeholders name{" "}
          <code>{spec.name}</code> fail until a connection of that name exists again.
        </p>
      </ConfirmDialog>
    </>
  );
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

/** Types a remote secret can be imported as: JSON objects map to key/value; text to data or a type whose fields match. */
const IMPORT_TYPES: (SecretType | "auto")[] = ["auto", "key_value", "data", "basic_auth", "api_key", "bearer_token", "client_credentials"];

function RemoteTab({ manager }: { manager: ManagerView }) {
  const name = manager.spec.name;
  const client = useQueryClient();
  const toast = useToast();
  const prefixId = useId();
  const typeId = useId();
  const [prefix, setPrefix] = useState("");
  const settled = useSettled(prefix.trim(), 250);
  // Tokens of the pages up to this one (null: the first page), for the prefix they belong to.
  const [paging, setPaging] = useState<{ prefix: string; pages: (string | null)[] }>({ prefix: "", pages: [null] });
  const pages = paging.prefix === settled ? paging.pages : [null];
  const setPages = (f: (p: (string | null)[]) => (string | null)[]) => setPaging({ prefix: settled, pages: f(pages) });
  const token = pages[pages.length - 1] ?? null;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [importType, setImportType] = useState<SecretType | "auto">("auto");
  const [importing, setImporting] = useState<number | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  useEffect(() => {
    const stop = events.importProgress.listen((event) => {
      if (event.payload.manager === name) setProgress({ done: event.payload.done, total: event.payload.total });
    });
    return () => void stop.then((f) => f()).catch(() => undefined);
  }, [name]);
  const [result, setResult] = useState<ImportResult | null>(null);

  const page = useQuery({
    queryKey: [...keys.remote(name, settled), token],
    queryFn: () => api.browseManager(name, settled, token),
    placeholderData: keepPreviousData,
    retry: false,
  });

  const toggle = (n: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(n)) next.delete(n);
      else next.add(n);
      return next;
    });
  const toggleAll = (names: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const n of names) {
        if (on) next.add(n);
        else next.delete(n);
      }
      return next;
    });

  const runImport = async () => {
    const names = [...selected];
    setImporting(names.length);
    setProgress(null);
    setResult(null);
    try {
      const done = await api.importRemote(name, names, importType === "auto" ? null : importType);
      setResult(done);
      setSelected(new Set(done.failed.map((f) => f.remote_name)));
      if (done.imported.length) toast.info(`Imported ${done.imported.length} secret${done.imported.length === 1 ? "" : "s"}.`);
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.secrets }),
        client.invalidateQueries({ queryKey: keys.status }),
        client.invalidateQueries({ queryKey: ["remote", name] }),
        client.invalidateQueries({ queryKey: keys.deployments(name) }),
      ]);
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setImporting(null);
    }
  };

  const items = page.data?.items ?? [];
  return (
    <div className="stack">
      <div className="row wrap kv-toolbar">
        <div className="field kv-prefix">
          <label htmlFor={prefixId}>Name starts with</label>
          <input id={prefixId} className="input mono" value={prefix} spellCheck={false} placeholder="prod/" onChange={(e) => setPrefix(e.target.value)} />
        </div>
        <span className="spacer" />
        <div className="field">
          <label htmlFor={typeId}>Import as</label>
          <select id={typeId} className="input" value={importType} onChange={(e) => setImportType(e.target.value as SecretType | "auto")}>
            {IMPORT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t === "auto" ? "By content (JSON object: key/value; text: data)" : typeLabel(t)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="btn btn-primary kv-import" disabled={selected.size === 0 || importing !== null} onClick={() => void runImport()}>
          {importing !== null ? `Importing ${importing}…` : `Import ${selected.size || ""} selected`.replace("  ", " ")}
        </button>
      </div>
      {importing !== null ? (
        <div className="stack" style={{ gap: 4 }}>
          {progress ? (
            <progress className="kv-progress" max={progress.total} value={progress.done} aria-label="Import progress" />
          ) : (
            <progress className="kv-progress" aria-label="Import progress" />
          )}
          <span className="small muted" role="status">
            {progress ? `${progress.done} of ${progress.total} read` : `Importing ${importing}…`}
          </span>
        </div>
      ) : null}
      {result && result.failed.length > 0 ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <div className="stack" style={{ gap: 2 }}>
            <p>
              {result.failed.length} not imported (still selected); {result.imported.length} imported.
            </p>
            <ul className="kv-failures">
              {result.failed.map((f) => (
                <li key={f.remote_name}>
                  <span className="mono">{f.remote_name}</span>: {f.error.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      {result && result.imported.length > 0 ? (
        <div className="notice notice-ok" role="status">
          <Icon name="check" />
          <p>
            Imported:{" "}
            {result.imported.map((s, i) => (
              <span key={s.id}>
                {i > 0 ? ", " : ""}
                <a href={routeHref({ view: "secret", id: s.id })}>{s.name}</a>
              </span>
            ))}
          </p>
        </div>
      ) : null}
      {page.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(page.error)}</p>
        </div>
      ) : null}
      {page.isPending ? <p className="muted" aria-busy="true">Listing remote secrets…</p> : null}
      {page.isSuccess && items.length === 0 ? (
        <p className="muted">{settled ? `No remote secret starts with ${settled}.` : "The key vault holds no secrets."}</p>
      ) : null}
      {items.length > 0 ? <RemoteSecretsTable items={items} selected={selected} onToggle={toggle} onToggleAll={toggleAll} /> : null}
      <div className="row kv-pager">
        <span className="muted small">
          Page {pages.length}
          {selected.size > 0 ? ` · ${selected.size} selected` : ""} · names only: values are read only when used or imported
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" disabled={pages.length === 1} onClick={() => setPages((p) => p.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!page.data?.next || page.isPlaceholderData}
          onClick={() => setPages((p) => [...p, page.data?.next ?? null])}
        >
          Next
        </button>
      </div>
    </div>
  );
}

function DeploymentsTab({ name }: { name: string }) {
  const deployments = useQuery({ queryKey: keys.deployments(name), queryFn: () => api.managerDeployments(name), refetchInterval: 5_000 });
  const actions = useDeploymentActions();
  const list = deployments.data ?? [];
  return (
    <div className="stack">
      {deployments.isError ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <p>{errorMessage(deployments.error)}</p>
        </div>
      ) : null}
      {deployments.isSuccess && list.length === 0 ? (
        <p className="muted">No secret is deployed here. Use “Deploy to key vault…” on a secret's page.</p>
      ) : null}
      {list.length > 0 ? (
        <DeploymentsTable deployments={list} busy={actions.busy} onRetry={actions.retry} onAdopt={actions.adopt} onDecommission={actions.decommission} />
      ) : null}
      {actions.dialogs}
    </div>
  );
}

function UsedByTab({ name }: { name: string }) {
  const usage = useQuery({ queryKey: keys.managerUsage(name), queryFn: () => api.managerUsage(name) });
  if (usage.isError && !hasCode(usage.error, "not_found")) {
    return (
      <div className="notice notice-error" role="alert">
        <Icon name="alert" />
        <p>{errorMessage(usage.error)}</p>
      </div>
    );
  }
  const list = usage.data ?? [];
  if (usage.isSuccess && list.length === 0) return <p className="muted">No job names this connection in a placeholder.</p>;
  return (
    <ul className="job-bindings">
      {list.map((u) => (
        <li key={u.job_id}>
          <Icon name="layers" />
          <a href={routeHref({ view: "job", id: u.job_id })}>{u.job}</a>
          {u.org !== "Default" ? <span className="muted small">{u.org}</span> : null}
          <span className="muted small">reads</span>
          {u.remote_names.map((r) => (
            <code key={r} className="small">
              {r}
            </code>
          ))}
        </li>
      ))}
    </ul>
  );
}
