import { errorMessage } from "../../ipc/client";
import { useSettings, useVaultStatus } from "../../lib/queries";
import { KeyringCard } from "./KeyringCard";
import { LockCard } from "./LockCard";
import { PassphraseCard, RotateKeyCard } from "./KeyCards";
import { AuditCard, BackupCard, VaultCard } from "./MaintenanceCards";
import "./settings.css";
import { SettingsForm } from "./SettingsForm";
import { ThemeCard } from "./ThemeCard";

/** Settings, appearance, keys, backup and the audit log's check. */
export function SettingsPage() {
  const settings = useSettings();
  const status = useVaultStatus();
  const error = settings.error ?? status.error;
  return (
    <div className="page">
      <div className="page-head">
        <div className="stack" style={{ gap: 2 }}>
          <h1>Settings</h1>
          <p>Settings are stored in the vault, so the desktop app and the command line agree.</p>
        </div>
      </div>
      {error ? (
        <div className="notice notice-error" role="alert">
          {errorMessage(error)}
        </div>
      ) : null}
      <div className="settings-columns">
        <div className="stack settings-column">
          {settings.data ? <SettingsForm settings={settings.data} /> : <p className="muted">Loading settings…</p>}
          <PassphraseCard />
          <RotateKeyCard />
        </div>
        <div className="stack settings-column">
          <ThemeCard />
          {status.data ? <VaultCard status={status.data} /> : null}
          {status.data ? <KeyringCard keyring={status.data.keyring} /> : null}
          {status.data ? <LockCard usesKeyring={status.data.keyring.state !== "disabled"} /> : null}
          <BackupCard />
          <AuditCard />
        </div>
      </div>
    </div>
  );
}
