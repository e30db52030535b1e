import { useState } from "react";

import { Icon } from "../../components/Icon";
import { api, errorMessage, type AuditVerification, type VaultStatus } from "../../ipc/client";
import { useOrganizations } from "../../lib/queries";
import { toDateInput } from "../../lib/time";
import { ExportDialog } from "../export/ExportDialog";
import { RestoreDialog } from "../export/RestoreDialog";

/** Writes a consistent copy of the vault where the user chooses. */
export function BackupCard() {
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<"export" | "restore" | null>(null);
  const orgs = useOrganizations();
  const [result, setResult] = useState<{ kind: "saved"; path: string } | { kind: "cancelled" } | { kind: "failed"; message: string } | null>(null);

  const backup = async () => {
    setBusy(true);
    setResult(null);
    try {
      const path = await api.backupVault(toDateInput(new Date().toISOString()));
      setResult(path === null ? { kind: "cancelled" } : { kind: "saved", path });
    } catch (error) {
      setResult({ kind: "failed", message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="backup-title">
      <div className="card-head">
        <Icon name="upload" />
        <h2 id="backup-title">Back up, export, restore</h2>
      </div>
      <p>
        A backup is a consistent copy of the vault file, still encrypted. Opening it needs the recovery passphrase (or
        this computer&apos;s keyring). An export is a passphrase-encrypted file of secrets that Coffer (or{" "}
        <code>age -d</code>) opens.
      </p>
      <div className="row">
        <button type="button" className="btn" disabled={busy} onClick={() => void backup()}>
          {busy ? "Backing up…" : "Back up the vault…"}
        </button>
        <button type="button" className="btn" onClick={() => setDialog("export")}>
          Export…
        </button>
        <button type="button" className="btn" onClick={() => setDialog("restore")}>
          Restore…
        </button>
      </div>
      {dialog === "export" ? (
        <ExportDialog
          choices={[
            { label: "The whole vault", target: "all" },
            ...(orgs.data ?? []).map((o) => ({
              label: `Organization ${o.name}`,
              target: { organization: o.name },
            })),
          ]}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === "restore" ? <RestoreDialog onClose={() => setDialog(null)} /> : null}
      {result?.kind === "saved" ? (
        <div className="notice notice-ok" role="status">
          <Icon name="check" />
          <span>
            Saved to <code className="path">{result.path}</code>
          </span>
        </div>
      ) : null}
      {result?.kind === "cancelled" ? (
        <p className="muted small" role="status">
          Backup cancelled.
        </p>
      ) : null}
      {result?.kind === "failed" ? (
        <div className="notice notice-error" role="alert">
          {result.message}
        </div>
      ) : null}
    </section>
  );
}

/** Checks the audit log's hash chain. */
export function AuditCard() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const verify = async () => {
    setBusy(true);
    setResult(null);
    setFailure(null);
    try {
      setResult(await api.verifyAudit());
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="audit-title">
      <div className="card-head">
        <Icon name="shield" />
        <h2 id="audit-title">Audit log</h2>
      </div>
      <p>Every action is logged, hash-chained so that a changed or removed entry shows. Verifying checks the whole chain.</p>
      <div>
        <button type="button" className="btn" disabled={busy} onClick={() => void verify()}>
          {busy ? "Verifying…" : "Verify the audit log"}
        </button>
      </div>
      {result?.ok ? (
        <div className="notice notice-ok" role="status">
          <Icon name="check" />
          <span>
            The audit log is intact: {result.entries.toLocaleString()} entr{result.entries === 1 ? "y" : "ies"} verified.
          </span>
        </div>
      ) : null}
      {result && !result.ok ? (
        <div className="notice notice-error" role="alert">
          <Icon name="alert" />
          <span>
            The audit log is broken at entry {result.first_broken ?? "?"}
            {result.reason ? `: ${result.reason}` : ""}. {result.entries.toLocaleString()} entries were checked.
          </span>
        </div>
      ) : null}
      {failure ? (
        <div className="notice notice-error" role="alert">
          {failure}
        </div>
      ) : null}
    </section>
  );
}

/** Where the vault is and what it holds. */
export function VaultCard({ status }: { status: VaultStatus }) {
  const c = status.counts;
  const counts: [string, number][] = [
    ["Secrets", c.total],
    ["Active", c.active],
    ["Expiring in 30 days", c.expiring_30_days],
    ["Expired", c.expired],
    ["Deactivated", c.deactivated],
    ["In the trash", c.trash],
  ];
  return (
    <section className="card stack" aria-labelledby="vault-title">
      <div className="card-head">
        <Icon name="vault" />
        <h2 id="vault-title">Vault</h2>
      </div>
      <dl className="kv settings-kv">
        <dt>File</dt>
        <dd>
          <code className="path">{status.path}</code>
        </dd>
        <dt>Vault ID</dt>
        <dd className="mono small">{status.vault_id}</dd>
        <dt>Schema</dt>
        <dd>version {status.schema_version}</dd>
      </dl>
      <ul className="count-tiles" aria-label="Secret counts">
        {counts.map(([label, n]) => (
          <li key={label} className="count-tile">
            <span className="count-value">{n.toLocaleString()}</span>
            <span className="muted small">{label}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
