import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";

import { Icon, type IconName } from "./components/Icon";
import { useToast } from "./components/Toasts";
import { SecretsPage } from "./features/secrets/SecretsPage";
import { SHARED_CONTENT } from "./features/shared/model";
import { OrgSwitcher } from "./features/shared/OrgSwitcher";
import { SyncState } from "./features/shared/SyncState";
import { Unlock } from "./features/unlock/Unlock";
import { api, errorMessage, events } from "./ipc/client";
import { useActivityReport } from "./lib/activity";
import { importApi } from "./features/import/api";
import { listenForDrops, peekDroppedFiles, useDrops } from "./lib/drops";
import { refreshAfterOtherProcess, useVaultStatus } from "./lib/queries";
import { navigate, routeHref, useRoute, type Route } from "./lib/router";
import { useGlobalShortcuts } from "./lib/shortcuts";
import { markOnce } from "./lib/startMarks";

// The first screen is the secrets list (or the unlock screen): only they are
// in the entry chunk. Every other route is its own chunk, fetched when first
// opened, so start-up parses and compiles less (docs/benchmarks.md).
const AuditPage = lazy(() => import("./features/audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const ExpiryPage = lazy(() => import("./features/expiry/ExpiryPage").then((m) => ({ default: m.ExpiryPage })));
const FirstRun = lazy(() => import("./features/unlock/FirstRun").then((m) => ({ default: m.FirstRun })));
const ImportWizard = lazy(() => import("./features/import/ImportWizard").then((m) => ({ default: m.ImportWizard })));
const JobDetail = lazy(() => import("./features/jobs/JobDetail").then((m) => ({ default: m.JobDetail })));
const JobEdit = lazy(() => import("./features/jobs/JobEdit").then((m) => ({ default: m.JobEdit })));
const JobsPage = lazy(() => import("./features/jobs/JobsPage").then((m) => ({ default: m.JobsPage })));
const KeyVaultsPage = lazy(() => import("./features/keyvaults/KeyVaultsPage").then((m) => ({ default: m.KeyVaultsPage })));
const ManagerPage = lazy(() => import("./features/keyvaults/ManagerPage").then((m) => ({ default: m.ManagerPage })));
const TeamPage = lazy(() => import("./features/team/TeamPage").then((m) => ({ default: m.TeamPage })));
const ManagerWizard = lazy(() => import("./features/keyvaults/ManagerWizard").then((m) => ({ default: m.ManagerWizard })));
const JobWizard = lazy(() => import("./features/jobs/JobWizard").then((m) => ({ default: m.JobWizard })));
const RegisterWizard = lazy(() => import("./features/register/RegisterWizard").then((m) => ({ default: m.RegisterWizard })));
const SecretDetail = lazy(() => import("./features/detail/SecretDetail").then((m) => ({ default: m.SecretDetail })));
const SharedDetail = lazy(() => import("./features/shared/SharedDetail").then((m) => ({ default: m.SharedDetail })));
const SettingsPage = lazy(() => import("./features/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const TrashPage = lazy(() => import("./features/trash/TrashPage").then((m) => ({ default: m.TrashPage })));

const APP_STATUS = ["app-status"] as const;

/**
 * Where files dropped on the window go: the register or import wizard on
 * screen takes them; elsewhere one file the shell recognises as an import
 * (KDBX, .1pux, Bitwarden JSON, CSV, .env, a Coffer export) opens the Import
 * wizard, anything else the register wizard (certificate intake).
 */
export async function routeDrop(): Promise<void> {
  const hash = window.location.hash;
  if (hash.startsWith("#/register") || hash.startsWith("#/import")) return;
  const files = peekDroppedFiles();
  const [first] = files;
  if (files.length === 1 && first) {
    const format = await importApi.detect(first.token).catch(() => null);
    if (format) {
      navigate({ view: "import" });
      return;
    }
  }
  navigate({ view: "register", type: null });
}

/**
 * After a lock: drops every cached answer but the app status, then refetches
 * that, so the gate shows the unlock screen. (Clearing the whole cache would
 * orphan the status query: invalidating it then refetches nothing, and the
 * console stays on screen over a locked vault.)
 */
function forgetAfterLock(client: QueryClient): Promise<void> {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== APP_STATUS[0] });
  return client.invalidateQueries({ queryKey: APP_STATUS });
}

/** Decides between first run, a vault error, unlock, and the console. */
export function App() {
  const client = useQueryClient();
  const status = useQuery({
    queryKey: APP_STATUS,
    queryFn: () =>
      api.appStatus().then((s) => {
        markOnce("coffer:status");
        return s;
      }),
  });
  const [autoUnlock, setAutoUnlock] = useState(true);
  const [lockReason, setLockReason] = useState<string | null>(null);
  const toast = useToast();

  const refresh = useCallback(() => void client.invalidateQueries(), [client]);

  useEffect(() => {
    const stops: Promise<() => void>[] = [
      events.vaultLocked.listen((event) => {
        setAutoUnlock(false);
        setLockReason(event.payload.reason);
        void forgetAfterLock(client);
        if (event.payload.reason !== "key_replaced") {
          toast.info(event.payload.reason === "idle" ? "Locked after inactivity." : "Locked.");
        }
      }),
      events.vaultChanged.listen(() => void refreshAfterOtherProcess(client)),
      // The team vault's sync brought changes (or the connection came or went).
      events.sharedChanged.listen(
        () =>
          void client.invalidateQueries({
            predicate: (query) => typeof query.queryKey[0] === "string" && SHARED_CONTENT.includes(query.queryKey[0]),
          }),
      ),
      events.openSecret.listen((event) => navigate({ view: "secret", id: event.payload.id })),
      events.openJob.listen((event) => navigate({ view: "job", id: event.payload.id })),
      events.jobRunFinished.listen((event) => {
        void client.invalidateQueries({ queryKey: ["jobs"] });
        void client.invalidateQueries({ queryKey: ["job", event.payload.job_id] });
        void client.invalidateQueries({ queryKey: ["job-runs", event.payload.job_id] });
      }),
      events.deploymentChanged.listen((event) => {
        void client.invalidateQueries({ queryKey: ["deployments", event.payload.manager] });
        if (event.payload.secret_id) void client.invalidateQueries({ queryKey: ["secret-deployments", event.payload.secret_id] });
      }),
      events.openView.listen((event) => {
        const view = event.payload.view;
        // A shared secret's expiry notification opens its page.
        if (view.startsWith("shared/")) navigate({ view: "shared", id: view.slice("shared/".length) });
        else navigate({ view: view === "expiry" ? "expiry" : "secrets" });
      }),
      listenForDrops(() => void routeDrop()),
    ];
    return () => {
      for (const stop of stops) void stop.then((f) => f()).catch(() => undefined);
    };
  }, [client, toast]);

  if (status.isPending) return <div className="gate" aria-busy="true" />;
  if (status.error) return <div className="gate">{errorMessage(status.error)}</div>;
  const s = status.data;
  if (s.open_error) {
    return (
      <div className="gate">
        <div className="gate-card">
          <h1>{s.open_error.code === "in_use" ? "The vault is in use" : "The vault cannot be opened"}</h1>
          <p>{s.open_error.message}</p>
          <p className="muted small">
            <code>{s.vault_path}</code>
          </p>
          <button type="button" className="btn btn-primary" onClick={refresh}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  if (!s.exists) {
    return (
      <Suspense fallback={<div className="gate" aria-busy="true" />}>
        <FirstRun vaultPath={s.vault_path} onCreated={refresh} />
      </Suspense>
    );
  }
  if (!s.unlocked) {
    return (
      <Unlock
        // A new lock (another reason) starts the screen afresh.
        key={lockReason ?? "start"}
        auto={autoUnlock}
        reason={lockReason}
        keyringAllowed={s.keyring_allowed}
        usesKeyring={s.uses_keyring}
        quickUnlock={s.quick_unlock}
        onUnlocked={refresh}
      />
    );
  }
  return (
    <Console
      vaultPath={s.vault_path}
      onLocked={() => {
        setAutoUnlock(false);
        setLockReason("manual");
      }}
    />
  );
}

/** Tells the shell a person used the window; a failure only means no vault to keep open. */
function reportActivity() {
  void api.touch().catch(() => undefined);
}

function Console({ vaultPath, onLocked }: { vaultPath: string; onLocked: () => void }) {
  const [route] = useRoute();
  const client = useQueryClient();
  const status = useVaultStatus();
  const drops = useDrops();
  const toast = useToast();

  // The idle lock counts from a person's last input; refetches do not count.
  useActivityReport(reportActivity);
  useGlobalShortcuts(route.view);

  const lock = async () => {
    try {
      await api.lockVault();
      onLocked();
      await forgetAfterLock(client);
    } catch (error) {
      toast.error(errorMessage(error));
    }
  };

  const counts = status.data?.counts;
  const nav: { route: Route; label: string; icon: IconName; count?: number | undefined }[] = [
    { route: { view: "secrets" }, label: "Secrets", icon: "key", count: counts?.total },
    { route: { view: "jobs" }, label: "Jobs", icon: "layers" },
    { route: { view: "keyvaults" }, label: "Key vaults", icon: "vault" },
    { route: { view: "team" }, label: "Team vault", icon: "users" },
    { route: { view: "expiry" }, label: "Expiry", icon: "clock", count: counts ? counts.expired + counts.expiring_30_days : undefined },
    { route: { view: "trash" }, label: "Trash", icon: "trash", count: counts?.trash },
    { route: { view: "audit", secret: null }, label: "Audit log", icon: "shield" },
    { route: { view: "settings" }, label: "Settings", icon: "settings" },
  ];
  const current =
    route.view === "secret" || route.view === "shared" || route.view === "register" || route.view === "import"
      ? "secrets"
      : route.view === "job" || route.view === "job-new" || route.view === "job-edit"
        ? "jobs"
        : route.view === "keyvault" || route.view === "keyvault-new" || route.view === "keyvault-edit"
          ? "keyvaults"
          : route.view;

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <img src="/coffer.svg" alt="" />
          Coffer
        </div>
        <OrgSwitcher />
        {nav.map((item) => (
          <a
            key={item.label}
            className="nav-link"
            href={routeHref(item.route)}
            aria-current={current === item.route.view ? "page" : undefined}
          >
            <Icon name={item.icon} />
            {item.label}
            {item.count !== undefined && item.count > 0 ? <span className="count">{item.count.toLocaleString()}</span> : null}
          </a>
        ))}
        <div className="sidebar-foot">
          <SyncState />
          <button type="button" className="btn btn-sm" onClick={() => void lock()}>
            <Icon name="lock" /> Lock now
          </button>
          <span className="small" style={{ opacity: 0.6, overflowWrap: "anywhere" }} title={vaultPath}>
            {vaultPath}
          </span>
        </div>
      </nav>
      <main className="main">
        {route.view === "secrets" ? <SecretsPage key={route.label ?? ""} label={route.label} /> : null}
        <Suspense fallback={<div className="page" aria-busy="true" />}>
        {route.view === "secret" ? <SecretDetail id={route.id} /> : null}
        {route.view === "shared" ? <SharedDetail id={route.id} /> : null}
        {route.view === "register" ? <RegisterWizard initialType={route.type} /> : null}
        {route.view === "import" ? <ImportWizard /> : null}
        {route.view === "jobs" ? <JobsPage /> : null}
        {route.view === "job" ? <JobDetail key={route.id} id={route.id} /> : null}
        {route.view === "job-new" ? <JobWizard key={`new-${route.secret ?? ""}`} secret={route.secret} /> : null}
        {route.view === "job-edit" ? <JobEdit key={route.id} id={route.id} /> : null}
        {route.view === "keyvaults" ? <KeyVaultsPage /> : null}
        {route.view === "keyvault" ? <ManagerPage key={route.name} name={route.name} /> : null}
        {route.view === "keyvault-new" ? <ManagerWizard /> : null}
        {route.view === "keyvault-edit" ? <ManagerWizard key={route.name} editing={route.name} /> : null}
        {route.view === "team" ? <TeamPage /> : null}
        {route.view === "expiry" ? <ExpiryPage /> : null}
        {route.view === "trash" ? <TrashPage /> : null}
        {route.view === "settings" ? <SettingsPage /> : null}
        {route.view === "audit" ? <AuditPage key={route.secret ?? ""} secretId={route.secret} /> : null}
        </Suspense>
      </main>
      {drops.hovering ? <div className="drop-overlay">Drop certificates, keys or files to register them, or a file to import</div> : null}
    </div>
  );
}

