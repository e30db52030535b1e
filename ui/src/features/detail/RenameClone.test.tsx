import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage, SECRET_TYPES, secretMeta, type CommandHandler } from "../../components/testing";
import type { JobUsage, SecretMeta } from "../../ipc/client";
import { SecretDetail } from "./SecretDetail";

const JOBS: JobUsage[] = [
  {
    job_id: "job-1",
    name: "pull-images",
    org: "Default",
    kind: "http_fetch",
    roles: ["auth"],
    placeholder_fields: [],
    by_placeholder: false,
    enabled: true,
  },
  {
    job_id: "job-2",
    name: "render-config",
    org: "Default",
    kind: "template",
    roles: [],
    placeholder_fields: [null],
    by_placeholder: true,
    enabled: true,
  },
];

function shell(meta: SecretMeta, extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    get_secret: () => meta,
    secret_types: () => SECRET_TYPES,
    get_settings: () => ({ trash_retention_days: 30 }),
    organizations: () => [{ name: "Default", secrets: 3, projects: [] }],
    audit_entries: () => [],
    secret_versions: () => [],
    list_secrets: () => ({ total: 0, items: [] }),
    vault_status: () => ({}),
    secret_usage: () => JOBS,
    ...extra,
  });
}

async function openMenuItem(user: ReturnType<typeof userEvent.setup>, meta: SecretMeta, item: string) {
  renderPage(<SecretDetail id={meta.id} />);
  await screen.findByRole("heading", { level: 1, name: meta.name });
  await user.click(screen.getByRole("button", { name: "More actions" }));
  await user.click(await screen.findByRole("menuitem", { name: item }));
}

beforeEach(() => {
  window.location.hash = "";
});

describe("rename and clone", () => {
  it("names the jobs a rename rewrites, refuses a bad name, and renames with Enter", async () => {
    const user = userEvent.setup();
    const meta = secretMeta();
    const ipc = shell(meta, {
      rename_secret: (args) => ({
        meta: { ...meta, name: args.name as string },
        jobs: ["pull-images", "render-config"],
        templates: ["render-config"],
      }),
    });
    await openMenuItem(user, meta, "Rename…");
    const dialog = await screen.findByRole("dialog", { name: "Rename prod/registry" });
    const list = await within(dialog).findByRole("list", { name: "Jobs that follow the rename" });
    expect(within(list).getAllByRole("listitem").map((li) => li.querySelector("strong")?.textContent)).toEqual([
      "pull-images",
      "render-config",
    ]);
    expect(within(dialog).getByText(/Template files are outside the vault/)).toBeInTheDocument();
    const field = within(dialog).getByRole("textbox", { name: "New name" });
    await user.clear(field);
    await user.type(field, "bad name{Enter}");
    expect(await within(dialog).findByText("Use 1–128 letters, digits, '.', '_', '/', '-'.")).toBeInTheDocument();
    expect(ipc.of("rename_secret")).toEqual([]);
    await user.clear(field);
    await user.type(field, "prod/registry-main{Enter}");
    await waitFor(() => expect(ipc.of("rename_secret")).toEqual([{ id: meta.id, name: "prod/registry-main" }]));
    expect(await screen.findByText(/Renamed to prod\/registry-main\. 2 jobs now use the new name\. Edit the template file of render-config\./)).toBeInTheDocument();
  });

  it("shows why a rename was refused, in the dialog", async () => {
    const user = userEvent.setup();
    const meta = secretMeta();
    shell(meta, { rename_secret: () => ipcError("already_exists", "Default:other already exists.") });
    await openMenuItem(user, meta, "Rename…");
    const dialog = await screen.findByRole("dialog", { name: "Rename prod/registry" });
    const field = within(dialog).getByRole("textbox", { name: "New name" });
    await user.clear(field);
    await user.type(field, "other");
    await user.click(within(dialog).getByRole("button", { name: "Rename" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Default:other already exists.");
  });

  it("clones under a new name (asking a store password when it has one) and opens the copy", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ protection: "password" });
    const ipc = shell(meta, {
      clone_secret: (args) => ({ ...meta, id: "copy-id", name: args.name as string, protection: "password" }),
    });
    await openMenuItem(user, meta, "Clone…");
    const dialog = await screen.findByRole("dialog", { name: "Clone prod/registry" });
    expect(within(dialog).getByRole("textbox", { name: "Name of the copy" })).toHaveValue("prod/registry-copy");
    await user.click(within(dialog).getByRole("button", { name: "Clone" }));
    const promptDialog = await screen.findByRole("dialog", { name: "Store password" });
    await user.type(within(promptDialog).getByLabelText("Store password"), "store-pass-123{Enter}");
    await waitFor(() =>
      expect(ipc.of("clone_secret")).toEqual([{ id: meta.id, name: "prod/registry-copy", storePassword: "store-pass-123" }]),
    );
    await waitFor(() => expect(window.location.hash).toBe("#/secrets/copy-id"));
  });
});
