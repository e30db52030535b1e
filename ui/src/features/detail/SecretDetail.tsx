import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import * as Tabs from "@radix-ui/react-tabs";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { Icon } from "../../components/Icon";
import { StatusBadge } from "../../components/StatusBadge";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, hasCode, type BulkResult, type SecretMeta, type ValueOutcome } from "../../ipc/client";
import { keys, useInvalidateSecrets } from "../../lib/queries";
import { navigate } from "../../lib/router";
import { typeLabel } from "../../lib/secretTypes";
import { formatDate, formatDateTime, relative, relativeDay } from "../../lib/time";
import { AuditTab } from "./AuditTab";
import "../../components/data-table.css";
import "./detail.css";
import { EditMetadataDialog } from "./EditMetadataDialog";
import { EditValueDialog } from "./EditValueDialog";
import { secretFieldNames } from "./fieldNames";
import { DeactivateDialog, DeleteDialog, MoveDialog } from "./LifecycleDialogs";
import { PublicFields } from "./PublicFields";
import { CloneDialog, RenameDialog } from "./RenameCloneDialogs";
import { SecretFields } from "./SecretFields";
import { canTest, TestDialog } from "./TestDialog";
import { TrashedBanner } from "./TrashedBanner";
import { UsedBy, useSecretUsage } from "./UsedBy";
import { SaveToFileButton, canSaveToFile } from "./SaveToFileButton";
import { useStorePassword } from "./useStorePassword";
import { VersionsTab } from "./VersionsTab";
import { DeployDialog, DeploymentPanel } from "../keyvaults/DeploymentPanel";

type Open = "metadata" | "value" | "test" | "deactivate" | "move" | "rename" | "clone" | "deploy" | "delete" | null;

/** One secret: metadata, public fields, reveal/copy, edits, versions, audit. */
export function SecretDetail({ id }: { id: string }) {
  // A new id is a new page: nothing revealed, no remembered password, carries over.
  return <Detail key={id} id={id} />;
}

function Detail({ id }: { id: string }) {
  const secret = useQuery({ queryKey: keys.secret(id), queryFn: () => api.getSecret(id) });
  if (secret.isPending) {
    return (
      <div className="page" aria-busy="true">
        <BackLink />
        <p className="muted">Loading…</p>
      </div>
    );
  }
  if (secret.error) {
    const missing = hasCode(secret.error, "not_found");
    return (
      <div className="page">
        <BackLink />
        <div className="empty">
          <Icon name={missing ? "search" : "alert"} size={40} />
          <h2>{missing ? "This secret does not exist" : "The secret could not be loaded"}</h2>
          <p className="muted">
            {missing
              ? "It may have been destroyed, or the link is out of date."
              : errorMessage(secret.error)}
          </p>
          <a className="btn" href="#/secrets">
            Back to the secrets
          </a>
        </div>
      </div>
    );
  }
  return <DetailPage meta={secret.data} />;
}

function BackLink() {
  return (
    <a className="back-link" href="#/secrets">
      <Icon name="chevronRight" /> Secrets
    </a>
  );
}

function DetailPage({ meta }: { meta: SecretMeta }) {
  const client = useQueryClient();
  const invalidate = useInvalidateSecrets();
  const toast = useToast();
  const types = useQuery({ queryKey: keys.types, queryFn: api.secretTypes, staleTime: Infinity });
  const gate = useStorePassword(meta.protection === "password", meta.name);
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState(false);
  const usage = useSecretUsage(meta.id);
  const trashed = meta.deleted_at !== null;
  const specs = types.data?.find((t) => t.type === meta.type)?.fields ?? [];
  const names = meta.type === "key_value" || types.data ? secretFieldNames(meta, types.data) : null;

  const updated = async (next: SecretMeta) => {
    client.setQueryData(keys.secret(meta.id), next);
    await invalidate();
  };

  const bulk = async (what: string, action: () => Promise<BulkResult>, after?: () => void) => {
    setBusy(true);
    try {
      const result = await action();
      const failure = result.failed[0];
      if (failure) {
        toast.error(failure.error.message);
      } else {
        toast.info(what);
        after?.();
      }
      await invalidate();
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
      setOpen(null);
    }
  };

  const valueSaved = async (outcome: ValueOutcome | null) => {
    setOpen(null);
    if (!outcome) return;
    toast.info(
      outcome.outcome === "new_version"
        ? `Saved as version ${outcome.version}.`
        : "The value is unchanged; no new version was made.",
    );
    await invalidate();
  };

  return (
    <div className="page detail-page">
      <BackLink />
      {trashed ? <TrashedBanner meta={meta} /> : null}
      <header className="detail-head">
        <div className="detail-title">
          <div className="row wrap">
            <h1 className="detail-name">{meta.name}</h1>
            <StatusBadge status={meta.status} expiresAt={meta.expires_at} />
            {meta.write_only ? <span className="badge badge-neutral">write-only</span> : null}
            {meta.protection === "password" ? (
              <span className="badge badge-neutral">
                <Icon name="lock" size={12} /> store password
              </span>
            ) : null}
          </div>
          <p className="muted">
            {typeLabel(meta.type)} · {meta.org}
            {meta.project ? ` / ${meta.project}` : ""} · version {meta.current_version}
            {meta.last_used_at ? (
              <span title={formatDateTime(meta.last_used_at)}> · last used {relative(meta.last_used_at)}</span>
            ) : null}
          </p>
          {meta.description ? <p className="detail-description">{meta.description}</p> : null}
          {Object.keys(meta.labels).length ? (
            <div className="chips" aria-label="Labels">
              {Object.entries(meta.labels).map(([k, v]) => (
                <button
                  key={k}
                  type="button"
                  className="label-chip label-link"
                  title={`Show the secrets labelled ${k}=${v}`}
                  onClick={() => navigate({ view: "secrets", label: `${k}=${v}` })}
                >
                  {k}={v}
                </button>
              ))}
            </div>
          ) : null}
        </div>
        {trashed ? null : (
          <div className="detail-actions" role="toolbar" aria-label="Secret actions">
            <button type="button" className="btn" onClick={() => setOpen("metadata")}>
              Edit details
            </button>
            <button type="button" className="btn" disabled={types.isPending} onClick={() => setOpen("value")}>
              Set new value
            </button>
            {canTest(meta) ? (
              <button type="button" className="btn" onClick={() => setOpen("test")}>
                <Icon name="shield" /> Test…
              </button>
            ) : null}
            {canSaveToFile(meta) ? <SaveToFileButton meta={meta} gate={gate} /> : null}
            {meta.status === "deactivated" ? (
              <button
                type="button"
                className="btn"
                disabled={busy}
                onClick={() => void bulk("Activated.", () => api.setActive([meta.id], true))}
              >
                Activate
              </button>
            ) : (
              <button type="button" className="btn" disabled={busy} onClick={() => setOpen("deactivate")}>
                Deactivate
              </button>
            )}
            <DropdownMenu.Root modal={false}>
              <DropdownMenu.Trigger asChild>
                <button type="button" className="btn btn-icon" aria-label="More actions">
                  <Icon name="more" />
                </button>
              </DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
                  <DropdownMenu.Item className="menu-item" onSelect={() => setOpen("rename")}>
                    Rename…
                  </DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => setOpen("clone")}>
                    Clone…
                  </DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => setOpen("move")}>
                    Move to another organization…
                  </DropdownMenu.Item>
                  <DropdownMenu.Item className="menu-item" onSelect={() => setOpen("deploy")}>
                    Deploy to key vault…
                  </DropdownMenu.Item>
                  <DropdownMenu.Separator className="menu-sep" />
                  <DropdownMenu.Item className="menu-item menu-item-danger" onSelect={() => setOpen("delete")}>
                    Move to trash…
                  </DropdownMenu.Item>
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
          </div>
        )}
      </header>

      <Tabs.Root defaultValue="overview" className="stack">
        <Tabs.List className="tabs-list" aria-label="Secret">
          <Tabs.Trigger className="tab" value="overview">
            Overview
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="versions">
            Versions
          </Tabs.Trigger>
          <Tabs.Trigger className="tab" value="audit">
            Audit
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="overview" className="detail-grid">
          <div className="stack">
            <section className="card" aria-labelledby="value-title">
              <div className="card-head">
                <Icon name="key" />
                <h2 id="value-title">Value</h2>
                <span className="spacer" />
                <span className="muted small">masked until revealed; every reveal is audited</span>
              </div>
              <SecretFields key={meta.current_version} meta={meta} names={names} gate={gate} />
            </section>
            <section className="card" aria-labelledby="public-title">
              <div className="card-head">
                <Icon name="file" />
                <h2 id="public-title">Public fields</h2>
              </div>
              <PublicFields meta={meta} />
            </section>
          </div>
          <div className="stack">
            <section className="card" aria-labelledby="about-title">
              <div className="card-head">
                <h2 id="about-title">Details</h2>
              </div>
              <About meta={meta} />
            </section>
            <UsedBy meta={meta} usage={usage} />
            <DeploymentPanel meta={meta} />
          </div>
        </Tabs.Content>
        <Tabs.Content value="versions">
          <VersionsTab meta={meta} gate={gate} readOnly={trashed} />
        </Tabs.Content>
        <Tabs.Content value="audit">
          <AuditTab id={meta.id} />
        </Tabs.Content>
      </Tabs.Root>

      {open === "metadata" ? (
        <EditMetadataDialog
          meta={meta}
          usage={usage}
          onClose={() => setOpen(null)}
          onSaved={(next) => {
            setOpen(null);
            if (next) {
              toast.info("Saved.");
              void updated(next);
            } else {
              toast.info("Nothing changed.");
            }
          }}
        />
      ) : null}
      {open === "value" ? (
        <EditValueDialog
          meta={meta}
          specs={specs}
          usage={usage}
          gate={gate}
          onClose={() => setOpen(null)}
          onSaved={(outcome) => void valueSaved(outcome)}
        />
      ) : null}
      {open === "deploy" ? <DeployDialog meta={meta} onClose={() => setOpen(null)} /> : null}
      {open === "test" ? <TestDialog meta={meta} onClose={() => setOpen(null)} /> : null}
      {open === "deactivate" ? (
        <DeactivateDialog
          meta={meta}
          usage={usage}
          busy={busy}
          onClose={() => setOpen(null)}
          onConfirm={() => void bulk("Deactivated.", () => api.setActive([meta.id], false))}
        />
      ) : null}
      {open === "move" ? (
        <MoveDialog
          meta={meta}
          onClose={() => setOpen(null)}
          onMoved={(next) => {
            setOpen(null);
            toast.info(`Moved to ${next.org}.`);
            void updated(next);
          }}
        />
      ) : null}
      {open === "rename" ? (
        <RenameDialog
          meta={meta}
          usage={usage}
          onClose={() => setOpen(null)}
          onRenamed={(result) => {
            setOpen(null);
            const jobs = result.jobs.length ? ` ${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"} now use the new name.` : "";
            const templates = result.templates.length ? ` Edit the template file of ${result.templates.join(", ")}.` : "";
            toast.info(`Renamed to ${result.meta.name}.${jobs}${templates}`);
            void updated(result.meta);
          }}
        />
      ) : null}
      {open === "clone" ? (
        <CloneDialog
          meta={meta}
          gate={gate}
          onClose={() => setOpen(null)}
          onCloned={(copy) => {
            setOpen(null);
            toast.info(`Cloned as ${copy.name}.`);
            void invalidate();
            navigate({ view: "secret", id: copy.id });
          }}
        />
      ) : null}
      {open === "delete" ? (
        <DeleteDialog
          meta={meta}
          usage={usage}
          busy={busy}
          onClose={() => setOpen(null)}
          onConfirm={() =>
            void bulk("Moved to the trash.", () => api.trashSecrets([meta.id]), () => navigate({ view: "secrets" }))
          }
        />
      ) : null}
      {gate.dialog}
    </div>
  );
}

function About({ meta }: { meta: SecretMeta }) {
  const rows: [string, ReactNode][] = [
    [
      "Expires",
      meta.expires_at ? (
        <>
          {formatDate(meta.expires_at)} <span className="muted small">({relativeDay(meta.expires_at)})</span>
        </>
      ) : (
        <span className="muted">never</span>
      ),
    ],
    ["Organization", meta.org],
    ["Project", meta.project ?? <span className="muted">any project</span>],
    ["Owner", meta.owner],
    ["Visibility", meta.visibility === "public" ? "public" : "private (owner only)"],
    ["Protection", meta.protection === "password" ? "store password" : "vault key"],
    ["Write-only", meta.write_only ? "yes" : "no"],
    ["Created", <Time key="c" value={meta.created_at} />],
    ["Updated", <Time key="u" value={meta.updated_at} />],
    ["Last used", meta.last_used_at ? <Time key="l" value={meta.last_used_at} /> : <span className="muted">never</span>],
    ["ID", <span key="id" className="mono small">{meta.id}</span>],
  ];
  return (
    <dl className="kv kv-compact">
      {rows.map(([label, value]) => (
        <div className="kv-row" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Time({ value }: { value: string }) {
  return (
    <span title={formatDateTime(value)}>
      {formatDate(value)} <span className="muted small">({relative(value)})</span>
    </span>
  );
}
