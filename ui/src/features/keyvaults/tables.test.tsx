import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { mockShell, renderPage, secretMeta } from "../../components/testing";
import type { DeploymentView, ManagerView, RemoteSecret } from "../../ipc/client";
import { DeploymentPanel, defaultRemoteName, remoteNameProblem } from "./DeploymentPanel";
import { KeyVaultsPage } from "./KeyVaultsPage";
import { ManagerPage } from "./ManagerPage";
import { DeploymentsTable, RemoteSecretsTable } from "./tables";

const MOTO: ManagerView = {
  spec: {
    name: "moto",
    org: "Default",
    settings: { kind: "aws", region: "us-east-1", endpoint: "http://127.0.0.1:5000", auth: { method: "access_key", secret: "aws/ci-key" } },
    cache_ttl_secs: 3600,
    stale_if_error_secs: 300,
    writes_per_sec: 20,
  },
  created_at: "2026-12-07T15:00:00Z",
  updated_at: "2026-12-07T15:00:00Z",
  last_test: { ok: true, checked: "ListSecrets", latency_ms: 14, class: null, message: null, hint: null, tested_at: "2026-12-07T15:00:00Z" },
};

function remote(name: string, overrides: Partial<RemoteSecret> = {}): RemoteSecret {
  return {
    name,
    remote_id: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    updated_at: "2026-12-06T10:00:00Z",
    expires_at: null,
    tags: { team: "ops" },
    versions: 2,
    managed: false,
    deleted: false,
    ...overrides,
  };
}

function deployment(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id: "7",
    secret_id: "s-1",
    org: "Default",
    secret: "prod/db",
    manager: "moto",
    remote_name: "prod/db",
    remote_id: null,
    state: "available",
    brownfield: false,
    managed: true,
    last_error: null,
    attempts: 0,
    versions: [
      { version: 1, remote_version: "v-one", pushed_at: "2026-12-07T15:00:00Z", last: false },
      { version: 2, remote_version: "v-two", pushed_at: "2026-12-07T15:05:00Z", last: true },
    ],
    created_at: "2026-12-07T15:00:00Z",
    updated_at: "2026-12-07T15:05:00Z",
    ...overrides,
  };
}

/** The item at `i`, or a failure naming it. */
function at<T>(list: T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i} of ${list.length}`);
  return item;
}

afterEach(() => {
  vi.restoreAllMocks();
  window.location.hash = "";
});

describe("RemoteSecretsTable", () => {
  it("shows names, versions, tags and ownership, never values; deleted ones cannot be picked", async () => {
    const user = userEvent.setup();
    const onToggle = vi.fn();
    const onToggleAll = vi.fn();
    const items = [remote("db/password"), remote("api/token", { managed: true, tags: { "coffer:managed-by": "coffer" } }), remote("old", { deleted: true })];
    render(<RemoteSecretsTable items={items} selected={new Set(["api/token"])} onToggle={onToggle} onToggleAll={onToggleAll} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[1]?.textContent)).toEqual(["db/password", "api/token", "olddeleted"]);
    expect(within(at(rows, 0)).getByText("team=ops")).toBeInTheDocument();
    expect(within(at(rows, 1)).getByText("Coffer")).toBeInTheDocument();
    expect(screen.getByLabelText("Select api/token")).toBeChecked();
    expect(screen.getByLabelText("Select old")).toBeDisabled();
    await user.click(screen.getByLabelText("Select db/password"));
    expect(onToggle).toHaveBeenCalledWith("db/password");
    await user.click(screen.getByLabelText("Select all on this page"));
    expect(onToggleAll).toHaveBeenCalledWith(["db/password", "api/token"], true);
  });
});

describe("DeploymentsTable", () => {
  it("offers the actions each state allows", async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const onAdopt = vi.fn();
    const onDecommission = vi.fn();
    const list = [
      deployment(),
      deployment({ id: "8", remote_name: "taken", state: "stalled", managed: false, last_error: "taken exists and is not managed by Coffer", versions: [] }),
      deployment({ id: "9", remote_name: "gone", state: "end" }),
      deployment({ id: "10", remote_name: "flaky", state: "updating_error", last_error: "moto: writing flaky failed: throttled" }),
    ];
    render(<DeploymentsTable deployments={list} busy={null} onRetry={onRetry} onAdopt={onAdopt} onDecommission={onDecommission} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(within(at(rows, 0)).getByText("available")).toBeInTheDocument();
    expect(within(at(rows, 0)).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
    expect(within(at(rows, 0)).getByText(/last v2/)).toBeInTheDocument();
    expect(within(at(rows, 1)).getByText(/not managed by Coffer/)).toBeInTheDocument();
    await user.click(within(at(rows, 1)).getByRole("button", { name: "Adopt taken" }));
    expect(onAdopt).toHaveBeenCalledWith(list[1]);
    expect(within(at(rows, 2)).queryByRole("button")).not.toBeInTheDocument();
    await user.click(within(at(rows, 3)).getByRole("button", { name: "Retry flaky" }));
    expect(onRetry).toHaveBeenCalledWith(list[3]);
    await user.click(within(at(rows, 0)).getByRole("button", { name: "Decommission prod/db" }));
    expect(onDecommission).toHaveBeenCalledWith(list[0]);
  });
});

describe("remote names", () => {
  it("follow each service's rules", () => {
    expect(remoteNameProblem("aws", "prod/db")).toBeNull();
    expect(remoteNameProblem("aws", "a b")).toMatch(/AWS names/);
    expect(remoteNameProblem("azure", "prod/db")).toMatch(/Azure Key Vault names/);
    expect(remoteNameProblem("azure", "")).toMatch(/needed/);
    expect(defaultRemoteName("azure", "prod/db.main")).toBe("prod-db-main");
    expect(remoteNameProblem("azure", defaultRemoteName("azure", "prod/db.main"))).toBeNull();
  });
});

describe("KeyVaultsPage", () => {
  it("lists connections with their last test", async () => {
    const failing: ManagerView = {
      ...MOTO,
      spec: { ...MOTO.spec, name: "prod-aws", settings: { kind: "aws", region: "eu-west-1", auth: { method: "implicit", profile: "prod" } } },
      last_test: { ok: false, checked: "ListSecrets", latency_ms: 3, class: "dns", message: "no such host", hint: "check the region", tested_at: "2026-12-07T15:00:00Z" },
    };
    mockShell({ list_managers: () => [MOTO, failing] });
    renderPage(<KeyVaultsPage />);
    const rows = (await screen.findAllByRole("row")).slice(1);
    expect(within(at(rows, 0)).getByText("ok · 14 ms")).toBeInTheDocument();
    expect(within(at(rows, 0)).getByText("access key in aws/ci-key")).toBeInTheDocument();
    expect(within(at(rows, 1)).getByText("name not resolved")).toBeInTheDocument();
    expect(within(at(rows, 1)).getByText("profile prod")).toBeInTheDocument();
  });
});

describe("ManagerPage", () => {
  it("browses by prefix, pages, and imports the selection with its failures kept selected", async () => {
    const user = userEvent.setup();
    const mock = mockShell({
      list_managers: () => [MOTO],
      browse_manager: (args) =>
        args.page === "p2"
          ? { items: [remote("db/zeta")], next: null }
          : { items: [remote(`${String(args.prefix)}alpha`), remote(`${String(args.prefix)}beta`)], next: "p2" },
      import_remote: () => ({
        imported: [{ remote_name: "db/alpha", id: "s-9", name: "db/alpha" }],
        failed: [{ remote_name: "db/beta", error: { code: "not_found", message: "moto: reading db/beta failed: no such secret", detail: null } }],
      }),
      list_secrets: () => ({ total: 0, items: [] }),
      vault_status: () => ({}),
    });
    renderPage(<ManagerPage name="moto" />);
    expect(await screen.findByRole("heading", { name: "moto" })).toBeInTheDocument();
    await screen.findByText("alpha");
    await user.type(screen.getByLabelText("Name starts with"), "db/");
    await screen.findByText("db/alpha");
    expect(mock.of("browse_manager").at(-1)).toEqual({ name: "moto", prefix: "db/", page: null });
    await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByText("db/zeta");
    expect(mock.of("browse_manager").at(-1)).toEqual({ name: "moto", prefix: "db/", page: "p2" });
    await user.click(screen.getByRole("button", { name: "Previous" }));
    await user.click(await screen.findByLabelText("Select db/alpha"));
    await user.click(screen.getByLabelText("Select db/beta"));
    await user.click(screen.getByRole("button", { name: "Import 2 selected" }));
    expect(await screen.findByText(/1 not imported \(still selected\); 1 imported/)).toBeInTheDocument();
    expect(mock.of("import_remote")).toEqual([{ name: "moto", remoteNames: ["db/alpha", "db/beta"], secretType: null }]);
    expect(screen.getByLabelText("Select db/beta")).toBeChecked();
    expect(screen.getByLabelText("Select db/alpha")).not.toBeChecked();
    expect(screen.getByRole("link", { name: "db/alpha" })).toHaveAttribute("href", "#/secrets/s-9");
  });

  it("lists the jobs that use the connection", async () => {
    const user = userEvent.setup();
    mockShell({
      list_managers: () => [MOTO],
      browse_manager: () => ({ items: [], next: null }),
      manager_usage: () => [{ job_id: "j-1", job: "deploy/app", org: "Default", remote_names: ["db/password"] }],
    });
    renderPage(<ManagerPage name="moto" />);
    await user.click(await screen.findByRole("tab", { name: "Used by" }));
    expect(await screen.findByRole("link", { name: "deploy/app" })).toHaveAttribute("href", "#/jobs/j-1");
    expect(screen.getByText("db/password")).toBeInTheDocument();
  });

  it("says when the connection does not exist", async () => {
    mockShell({ list_managers: () => [MOTO] });
    renderPage(<ManagerPage name="nope" />);
    expect(await screen.findByText("No connection named nope")).toBeInTheDocument();
  });
});

describe("DeploymentPanel", () => {
  it("shows remote version ids with the last one marked, and decommissions after naming the remote", async () => {
    const user = userEvent.setup();
    let state: DeploymentView = deployment();
    const mock = mockShell({
      secret_deployments: () => [state],
      decommission_deployment: () => {
        state = { ...state, state: "end" };
        return state;
      },
    });
    renderPage(<DeploymentPanel meta={secretMeta({ id: "s-1", name: "prod/db" })} />);
    const table = await screen.findByRole("table", { name: "Versions in moto" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(within(at(rows, 0)).getByText("v-two")).toBeInTheDocument();
    expect(within(at(rows, 0)).getByText("last")).toBeInTheDocument();
    expect(within(at(rows, 1)).queryByText("last")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Decommission…" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText(/Coffer deletes/)).toHaveTextContent("Coffer deletes prod/db from moto");
    expect(mock.of("decommission_deployment")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Delete prod/db remotely" }));
    await waitFor(() => expect(mock.of("decommission_deployment")).toEqual([{ id: "7", confirm: "moto:prod/db" }]));
    expect(await screen.findByText("end")).toBeInTheDocument();
  });

  it("offers Adopt on a deployment stalled by an untagged remote, and Retry", async () => {
    const user = userEvent.setup();
    const stalled = deployment({ state: "stalled", managed: false, last_error: "prod/db exists and is not managed by Coffer", versions: [] });
    const mock = mockShell({
      secret_deployments: () => [stalled],
      adopt_deployment: () => ({ ...stalled, state: "available", managed: true, last_error: null }),
      retry_deployment: () => stalled,
    });
    renderPage(<DeploymentPanel meta={secretMeta({ id: "s-1", name: "prod/db" })} />);
    expect(await screen.findByText(/exists and is not managed by Coffer/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(mock.of("retry_deployment")).toEqual([{ id: "7" }]));
    await user.click(screen.getByRole("button", { name: "Adopt" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Adopt and overwrite prod/db" }));
    await waitFor(() => expect(mock.of("adopt_deployment")).toEqual([{ id: "7" }]));
  });

  it("shows nothing for a secret that is not deployed", async () => {
    const mock = mockShell({ secret_deployments: () => [] });
    const { container } = renderPage(<DeploymentPanel meta={secretMeta()} />);
    await waitFor(() => expect(mock.of("secret_deployments")).toHaveLength(1));
    expect(container.querySelector("section")).toBeNull();
  });
});
