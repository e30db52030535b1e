import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage, secretMeta, SECRET_TYPES } from "../../components/testing";
import type { SharedOrg, SharedSecretInfo, SyncStatus } from "../../ipc/client";
import { differences } from "./ConflictView";
import { choiceOf, ORG_CHOICE_KEY, syncSummary } from "./model";
import { OrgSelect } from "./OrgSwitcher";
import { SharedDetail } from "./SharedDetail";
import { parseLabels } from "./SharedMetadataDialog";
import { SyncState } from "./SyncState";

const ID = "0b0e4a9e-0000-4000-8000-0000000000aa";
const PLATFORM: SharedOrg = { id: "org-1", name: "Platform", secrets: 2, team_id: "t1", team: "127.0.0.1:5433/team" };
const INFO: SharedSecretInfo = {
  meta: secretMeta({ id: ID, name: "db/primary", org: "Platform", description: "Primary", labels: {}, owner: "Bo" }),
  org_id: "org-1",
  revision: 3,
  version: 2,
  status: "active",
  author: "b2",
  author_name: "Bo",
  updated_at: "2026-12-08T09:00:00Z",
  team: "127.0.0.1:5433/team",
};
const CURRENT: SharedSecretInfo = {
  ...INFO,
  meta: { ...INFO.meta, description: "Rotated by Cy" },
  revision: 4,
  author: "c3",
  author_name: "Cy",
  updated_at: "2026-12-08T09:05:00Z",
};
const STATUS: SyncStatus = {
  state: "current",
  team_id: "t1",
  server: "127.0.0.1:5433/team",
  revision: 12,
  as_of: "2026-12-08T09:00:00Z",
  code: null,
  message: null,
  retry_in: null,
};

beforeEach(() => window.localStorage.clear());

describe("the organization switcher", () => {
  it("lists local organizations and the team vault's, marked shared with the team vault's name", () => {
    renderPage(<OrgSelect choice="all" local={[{ name: "Default", secrets: 3, projects: [] }]} shared={[PLATFORM]} ready />);
    const select = screen.getByRole("combobox", { name: "Organization" });
    expect(within(select).getByRole("option", { name: "Platform · shared (2)" })).toBeInTheDocument();
    expect(within(select).getByRole("group", { name: "Shared in team vault 127.0.0.1:5433/team" })).toBeInTheDocument();
  });

  it("remembers the choice and falls back when the organization is gone", async () => {
    const user = userEvent.setup();
    const { rerender } = renderPage(<OrgSelect choice="all" local={[]} shared={[PLATFORM]} ready />);
    await user.selectOptions(screen.getByRole("combobox", { name: "Organization" }), "shared:org-1");
    expect(JSON.parse(window.localStorage.getItem(ORG_CHOICE_KEY) ?? "null")).toEqual({ kind: "shared", name: "Platform", id: "org-1" });
    rerender(<OrgSelect choice="shared:gone" local={[]} shared={[PLATFORM]} ready />);
    await waitFor(() => expect(JSON.parse(window.localStorage.getItem(ORG_CHOICE_KEY) ?? "null")).toEqual({ kind: "all" }));
    expect(choiceOf("shared:unknown", [PLATFORM])).toEqual({ kind: "all" });
    expect(choiceOf("local:Ops", [])).toEqual({ kind: "local", name: "Ops" });
  });
});

describe("the sync state", () => {
  it("says offline, as of the last sync, and offers a retry", async () => {
    const user = userEvent.setup();
    const shell = mockShell({
      shared_status: () => ({ ...STATUS, state: "offline", code: "unreachable", message: "cannot be reached", retry_in: 8 }),
      sync_shared_now: () => null,
    });
    renderPage(<SyncState />);
    expect(await screen.findByText(/^Offline, as of/)).toBeInTheDocument();
    expect(screen.getByText(/The list shows the last sync/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Retry now/ }));
    expect(shell.of("sync_shared_now")).toHaveLength(1);
  });

  it("gives the Team page's advice for an error code", () => {
    const summary = syncSummary({ ...STATUS, state: "error", code: "tampered", message: "member b2 does not verify" });
    expect(summary.tone).toBe("error");
    expect(summary.detail).toMatch(/does not verify: someone changed it/);
    expect(syncSummary(STATUS).title).toBe("Connected, up to date");
  });

  it("shows nothing without a team vault", () => {
    mockShell({ shared_status: () => ({ ...STATUS, state: "none", server: null }) });
    const { container } = renderPage(<SyncState />);
    expect(container.querySelector(".sync-state")).toBeNull();
  });
});

describe("a shared secret's page", () => {
  it("reveals through the server and says the team vault's audit records it", async () => {
    const user = userEvent.setup();
    const shell = mockShell({
      get_shared_secret: () => INFO,
      shared_status: () => STATUS,
      secret_types: () => SECRET_TYPES,
      reveal_shared_field: () => ({ field: "password", secret: true, text: "pa55-word", base64: null }),
    });
    renderPage(<SharedDetail id={ID} />);
    expect(await screen.findByRole("heading", { name: "db/primary" })).toBeInTheDocument();
    expect(screen.getByText(/recorded in the team vault's audit/)).toBeInTheDocument();
    expect(screen.getAllByText("shared").length).toBeGreaterThan(0);
    await user.click(await screen.findByRole("button", { name: "Reveal Password" }));
    expect(await screen.findByText("pa55-word")).toBeInTheDocument();
    expect(shell.of("reveal_shared_field")).toEqual([{ id: ID, field: "password" }]);
  });

  it("shows who changed what on a conflict, overwrites nothing, and reapplies on the new revision", async () => {
    const user = userEvent.setup();
    let calls = 0;
    const shell = mockShell({
      get_shared_secret: () => INFO,
      shared_status: () => STATUS,
      secret_types: () => SECRET_TYPES,
      update_shared_metadata: (args) => {
        calls += 1;
        if (calls === 1) return ipcError("conflict", "secret changed since you read it", JSON.stringify(CURRENT));
        return { ...CURRENT, revision: (args.expectedRevision as number) + 1, meta: { ...CURRENT.meta, description: "Mine" } };
      },
    });
    renderPage(<SharedDetail id={ID} />);
    await user.click(await screen.findByRole("button", { name: "Edit details" }));
    const description = screen.getByRole("textbox", { name: "Description" });
    await user.clear(description);
    await user.type(description, "Mine");
    await user.click(screen.getByRole("button", { name: "Save in the team vault" }));
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText(/Someone else changed this secret first/)).toBeInTheDocument();
    expect(alert).toHaveTextContent(/Cy saved revision 4 \(value version 2\)/);
    expect(alert).toHaveTextContent(/Nothing was overwritten/);
    expect(within(alert).getByRole("row", { name: /Description Primary Rotated by Cy/ })).toBeInTheDocument();
    expect(shell.of("update_shared_metadata")[0]).toMatchObject({ expectedRevision: 3, description: "Mine" });
    await user.click(within(alert).getByRole("button", { name: /Reapply my change on revision 4/ }));
    await waitFor(() => expect(shell.of("update_shared_metadata")).toHaveLength(2));
    expect(shell.of("update_shared_metadata")[1]).toMatchObject({ expectedRevision: 4, description: "Mine" });
    await waitFor(() => expect(screen.queryByText(/Someone else changed this secret first/)).toBeNull());
  });

  it("disables changes while offline and says so", async () => {
    mockShell({
      get_shared_secret: () => INFO,
      shared_status: () => ({ ...STATUS, state: "offline", code: "unreachable", message: "no answer" }),
      secret_types: () => SECRET_TYPES,
    });
    renderPage(<SharedDetail id={ID} />);
    expect(await screen.findByText(/this is the replica as of/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Set new value" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Edit details" })).toBeDisabled();
  });
});

describe("conflict and label helpers", () => {
  it("lists only what differs", () => {
    expect(differences(INFO, CURRENT)).toEqual([{ what: "Description", before: "Primary", now: "Rotated by Cy" }]);
    const newValue = { ...CURRENT, version: 3 };
    expect(differences(INFO, newValue).map((d) => d.what)).toEqual(["Value", "Description"]);
  });

  it("reads labels one per line and names a bad one", () => {
    expect(parseLabels("env=prod\n\nteam=core")).toEqual({ labels: { env: "prod", team: "core" } });
    expect(parseLabels("=oops")).toEqual({ problem: '"=oops" is not a label (key=value).' });
  });
});
