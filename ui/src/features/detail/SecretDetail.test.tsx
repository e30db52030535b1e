import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage, SECRET_TYPES, secretMeta, type CommandHandler } from "../../components/testing";
import type { JobUsage, SecretMeta } from "../../ipc/client";
import { parseRoute } from "../../lib/router";
import { SecretDetail } from "./SecretDetail";

const SETTINGS = {
  trash_retention_days: 21,
  keep_versions: 10,
  expired_use: "warn",
  notify_days_before: [30, 7, 1, 0],
  idle_lock_minutes: 15,
  clipboard_clear_seconds: 30,
};

function shell(meta: SecretMeta, extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    get_secret: () => meta,
    secret_types: () => SECRET_TYPES,
    get_settings: () => SETTINGS,
    organizations: () => [{ name: "Default", secrets: 3, projects: ["payments"] }],
    audit_entries: () => [],
    secret_versions: () => [],
    list_secrets: () => ({ total: 0, items: [] }),
    vault_status: () => ({}),
    secret_usage: () => [],
    label_values: () => [
      { key: "env", value: "prod", count: 2 },
      { key: "team", value: "ops", count: 1 },
      { key: "team", value: "data", count: 1 },
    ],
    ...extra,
  });
}

async function openPage(meta: SecretMeta) {
  renderPage(<SecretDetail id={meta.id} />);
  await screen.findByRole("heading", { level: 1, name: meta.name });
  await waitFor(() => expect(screen.queryByText("Loading fields…")).not.toBeInTheDocument());
}

function usage(overrides: Partial<JobUsage> = {}): JobUsage {
  return {
    job_id: "job-1",
    name: "nightly-backup",
    org: "Default",
    kind: "http_fetch",
    roles: ["auth"],
    placeholder_fields: [],
    by_placeholder: false,
    enabled: true,
    ...overrides,
  };
}

const TWO_JOBS = [
  usage(),
  usage({
    job_id: "job-2",
    name: "render-config",
    kind: "template",
    roles: [],
    placeholder_fields: ["password", null],
    by_placeholder: true,
    enabled: false,
  }),
];

beforeEach(() => {
  window.location.hash = "";
});

afterEach(() => {
  vi.useRealTimers();
});

describe("SecretDetail", () => {
  it("keeps values masked until revealed, and masks them again after 30 s", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
    const ipc = shell(secretMeta(), {
      reveal_field: () => ({ field: "password", secret: true, text: "s3cret-value", base64: null }),
    });
    await openPage(secretMeta());

    expect(screen.getByLabelText("Password (hidden)")).toBeInTheDocument();
    expect(screen.queryByText("s3cret-value")).not.toBeInTheDocument();
    // Public fields are shown as they are.
    expect(screen.getByText("deploy")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Reveal Password" }));
    expect(await screen.findByText("s3cret-value")).toBeInTheDocument();
    expect(ipc.of("reveal_field")).toEqual([{ id: secretMeta().id, field: "password", storePassword: null }]);

    act(() => {
      vi.advanceTimersByTime(29_000);
    });
    expect(screen.getByText("s3cret-value")).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(1_000);
    });
    expect(screen.queryByText("s3cret-value")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Password (hidden)")).toBeInTheDocument();
  });

  it("hides a revealed value when asked", async () => {
    const user = userEvent.setup();
    shell(secretMeta(), {
      reveal_field: () => ({ field: "password", secret: true, text: "s3cret-value", base64: null }),
    });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Reveal Password" }));
    await screen.findByText("s3cret-value");
    await user.click(screen.getByRole("button", { name: "Hide Password" }));
    expect(screen.queryByText("s3cret-value")).not.toBeInTheDocument();
  });

  it("says a binary value is binary, with its size", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({
      type: "data",
      public_fields: { content_type: "application/octet-stream", size: 4, file_name: "blob.bin" },
    });
    shell(meta, { reveal_field: () => ({ field: "data", secret: true, text: null, base64: "AAECAw==" }) });
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "Reveal Data" }));
    expect(await screen.findByText(/Binary value, 4 bytes/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Show as base64" }));
    expect(screen.getByText("AAECAw==")).toBeInTheDocument();
  });

  it("copies through the shell and says when the clipboard is cleared", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta(), { copy_field: () => 45 });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Copy Password" }));
    expect(await screen.findByText("Copied; the clipboard is cleared in 45 s.")).toBeInTheDocument();
    expect(ipc.of("copy_field")).toEqual([{ id: secretMeta().id, field: "password", storePassword: null }]);
    expect(ipc.of("reveal_field")).toEqual([]);
  });

  it("offers no reveal or copy for a write-only secret", async () => {
    const meta = secretMeta({ write_only: true });
    shell(meta);
    await openPage(meta);
    expect(screen.getByText(/can never be shown or copied again/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Reveal/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Copy/ })).not.toBeInTheDocument();
  });

  it("lists each key of a key/value secret as its own secret field", async () => {
    const meta = secretMeta({ type: "key_value", public_fields: { keys: ["DB_USER", "DB_PASS"] } });
    shell(meta);
    await openPage(meta);
    expect(screen.getByRole("button", { name: "Reveal DB_USER" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reveal DB_PASS" })).toBeInTheDocument();
  });

  it("asks for the store password, reports a wrong one, then reveals", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ protection: "password" });
    const ipc = shell(meta, {
      reveal_field: (args) =>
        args.storePassword === "right"
          ? { field: "password", secret: true, text: "guarded", base64: null }
          : ipcError("wrong_password", "wrong store password for \"prod/registry\""),
    });
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "Reveal Password" }));
    const dialog = await screen.findByRole("dialog", { name: "Store password" });
    await user.type(within(dialog).getByLabelText("Store password"), "wrong");
    await user.click(within(dialog).getByRole("button", { name: "Reveal" }));
    expect(await within(dialog).findByText("Wrong store password. Try again.")).toBeInTheDocument();
    expect(screen.queryByText("guarded")).not.toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText("Store password"));
    await user.type(within(dialog).getByLabelText("Store password"), "right");
    await user.click(within(dialog).getByRole("button", { name: "Reveal" }));
    expect(await screen.findByText("guarded")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Store password" })).not.toBeInTheDocument();
    expect(ipc.of("reveal_field").map((a) => a.storePassword)).toEqual(["wrong", "right"]);
  });

  it("refuses a bad label before saving the details", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta());
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Edit details" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit prod/registry" });
    await user.click(within(dialog).getByRole("button", { name: "Add label" }));
    await user.type(within(dialog).getByLabelText("Label 2 key"), "bad key");
    await user.type(within(dialog).getByLabelText("Label 2 value"), "x");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("Label keys are letters, digits, '.', '_', '/', '-'.")).toBeInTheDocument();
    expect(ipc.of("update_metadata")).toEqual([]);
  });

  it("saves only what changed in the details", async () => {
    const user = userEvent.setup();
    const meta = secretMeta();
    const ipc = shell(meta, { update_metadata: () => ({ ...meta, description: "New text", labels: { env: "prod", team: "ops" } }) });
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "Edit details" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit prod/registry" });
    const description = within(dialog).getByLabelText("Description");
    await user.clear(description);
    await user.type(description, "New text");
    await user.click(within(dialog).getByRole("button", { name: "Add label" }));
    // The vault's label keys, and the values the typed key has, are suggested
    // (a combobox: Enter on a highlighted suggestion picks it and does not save).
    const key = within(dialog).getByRole("combobox", { name: "Label 2 key" });
    await user.type(key, "te");
    const keys = within(dialog).getByRole("listbox", { name: "Label keys in use" });
    expect(within(keys).getAllByRole("option").map((o) => o.textContent)).toEqual(["team2 secrets"]);
    await user.keyboard("{ArrowDown}{Enter}");
    expect(key).toHaveValue("team");
    expect(key).toHaveAttribute("aria-expanded", "false");
    expect(ipc.of("update_metadata")).toEqual([]);
    const value = within(dialog).getByRole("combobox", { name: "Label 2 value" });
    await user.click(value);
    await user.keyboard("{ArrowDown}");
    const values = within(dialog).getByRole("listbox", { name: "Values of team in use" });
    expect(within(values).getAllByRole("option").map((o) => o.firstChild?.textContent)).toEqual(["data", "ops"]);
    expect(value).toHaveAttribute("aria-activedescendant", within(values).getAllByRole("option")[0]?.id);
    await user.keyboard("{ArrowDown}{Enter}");
    expect(value).toHaveValue("ops");
    expect(ipc.of("update_metadata")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(ipc.of("update_metadata")).toHaveLength(1));
    expect(ipc.of("update_metadata")[0]).toEqual({
      id: meta.id,
      patch: { description: "New text", set_labels: { team: "ops" } },
    });
  }, 15_000);

  it("warns that write-only is one way", async () => {
    const user = userEvent.setup();
    shell(secretMeta());
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Edit details" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit prod/registry" });
    await user.click(within(dialog).getByLabelText(/Make write-only/));
    expect(within(dialog).getByText("This cannot be undone.")).toBeInTheDocument();
  });

  it("sets a new value and shows the new version", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta({ current_version: 3 }), {
      update_value: () => ({ outcome: "new_version", version: 4 }),
    });
    await openPage(secretMeta({ current_version: 3 }));
    await user.click(screen.getByRole("button", { name: "Set new value" }));
    const dialog = await screen.findByRole("dialog", { name: "New value for prod/registry" });
    const password = within(dialog).getByLabelText("Password");
    expect(password).toHaveValue("");
    expect(password).toHaveAttribute("type", "password");
    expect(within(dialog).getByLabelText("Username")).toHaveValue("deploy");
    await user.type(password, "n3w");
    await user.click(within(dialog).getByRole("button", { name: "Save new value" }));
    expect(await screen.findByText("Saved as version 4.")).toBeInTheDocument();
    expect(ipc.of("update_value")).toEqual([
      {
        id: secretMeta().id,
        set: [{ name: "password", value: { kind: "text", text: "n3w" } }],
        remove: [],
        storePassword: null,
        keyPassword: null,
      },
    ]);
  });

  it("warns, without blocking, while a new secret value is under 6 characters", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta(), { update_value: () => ({ outcome: "new_version", version: 2 }) });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Set new value" }));
    const dialog = await screen.findByRole("dialog", { name: "New value for prod/registry" });
    const warning = "Password is shorter than 6 characters: redacting a value this short will mangle job output.";
    expect(within(dialog).queryByText(warning)).not.toBeInTheDocument();
    const password = within(dialog).getByLabelText("Password");
    await user.type(password, "abcde");
    expect(within(dialog).getByText(warning)).toBeInTheDocument();
    await user.type(password, "f");
    expect(within(dialog).queryByText(warning)).not.toBeInTheDocument();
    await user.type(password, "{Backspace}");
    await user.click(within(dialog).getByRole("button", { name: "Save new value" }));
    expect(await screen.findByText("Saved as version 2.")).toBeInTheDocument();
    expect(ipc.of("update_value")[0]?.set).toEqual([{ name: "password", value: { kind: "text", text: "abcde" } }]);
  });

  it("says so when a new value equals the old one", async () => {
    const user = userEvent.setup();
    shell(secretMeta(), { update_value: () => ({ outcome: "unchanged" }) });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Set new value" }));
    const dialog = await screen.findByRole("dialog", { name: "New value for prod/registry" });
    await user.type(within(dialog).getByLabelText("Password"), "same");
    await user.click(within(dialog).getByRole("button", { name: "Save new value" }));
    expect(await screen.findByText("The value is unchanged; no new version was made.")).toBeInTheDocument();
  });

  it("restores an old version after confirmation", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta({ current_version: 2 }), {
      secret_versions: () => [
        { version: 2, created_at: "2026-01-12T10:00:00Z", public_fields: {}, expires_at: null, note: "updated", current: true },
        { version: 1, created_at: "2026-01-10T10:00:00Z", public_fields: {}, expires_at: null, note: "created", current: false },
      ],
      restore_version: () => 3,
    });
    await openPage(secretMeta({ current_version: 2 }));
    await user.click(screen.getByRole("tab", { name: "Versions" }));
    const rows = await screen.findAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(rows[1] as HTMLElement).getByText("current")).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).queryByRole("button", { name: "Restore…" })).not.toBeInTheDocument();
    await user.click(within(rows[2] as HTMLElement).getByRole("button", { name: "Restore…" }));
    const dialog = await screen.findByRole("dialog", { name: "Restore version 1?" });
    await user.click(within(dialog).getByRole("button", { name: "Restore" }));
    expect(await screen.findByText("Version 1 restored as version 3.")).toBeInTheDocument();
    expect(ipc.of("restore_version")).toEqual([{ id: secretMeta().id, version: 1, storePassword: null }]);
  });

  it("shows on the Versions tab where each version was deployed, as which remote version", async () => {
    const user = userEvent.setup();
    const deployment = {
      id: "4",
      secret_id: secretMeta().id,
      org: "Default",
      secret: "prod/registry",
      manager: "moto",
      remote_name: "prod/registry",
      remote_id: "arn:aws:secretsmanager:us-east-1:123:secret:prod/registry-AbC",
      state: "available",
      brownfield: false,
      managed: true,
      last_error: null,
      attempts: 0,
      versions: [
        { version: 1, remote_version: "rv-one-1111", pushed_at: "2026-01-10T10:00:00Z", last: false },
        { version: 2, remote_version: "rv-two-2222", pushed_at: "2026-01-12T10:00:00Z", last: true },
      ],
      created_at: "2026-01-10T10:00:00Z",
      updated_at: "2026-01-12T10:00:00Z",
    };
    shell(secretMeta({ current_version: 3 }), {
      secret_versions: () => [
        { version: 3, created_at: "2026-01-13T10:00:00Z", public_fields: {}, expires_at: null, note: "updated", current: true },
        { version: 2, created_at: "2026-01-12T10:00:00Z", public_fields: {}, expires_at: null, note: "updated", current: false },
        { version: 1, created_at: "2026-01-10T10:00:00Z", public_fields: {}, expires_at: null, note: "created", current: false },
      ],
      secret_deployments: () => [deployment],
    });
    await openPage(secretMeta({ current_version: 3 }));
    await user.click(screen.getByRole("tab", { name: "Versions" }));
    const rows = await screen.findAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(screen.getByRole("columnheader", { name: "Key vaults" })).toBeInTheDocument();
    await waitFor(() => expect(within(rows[2] as HTMLElement).getByText("rv-two-2222")).toBeInTheDocument());
    expect(within(rows[2] as HTMLElement).getByText("moto:prod/registry")).toBeInTheDocument();
    expect(within(rows[2] as HTMLElement).getByText("last")).toBeInTheDocument();
    expect(within(rows[3] as HTMLElement).getByText("rv-one-1111")).toBeInTheDocument();
    expect(within(rows[3] as HTMLElement).queryByText("last")).not.toBeInTheDocument();
    // v3 is not deployed yet.
    expect(within(rows[1] as HTMLElement).queryByText(/moto:/)).not.toBeInTheDocument();
  });

  it("shows the audit entries", async () => {
    const user = userEvent.setup();
    shell(secretMeta(), {
      audit_entries: () => [
        {
          seq: 7,
          at: "2026-01-12T10:00:00Z",
          actor: "alice",
          action: "secret.reveal",
          secret_id: secretMeta().id,
          target: "Default:prod/registry",
          detail: { version: 1, fields: ["password"] },
        },
        {
          seq: 8,
          at: "2026-01-12T10:01:00Z",
          actor: "alice",
          action: "secret.copy",
          secret_id: secretMeta().id,
          target: "Default:prod/registry",
          detail: { version: 1, fields: ["password"] },
        },
        {
          seq: 9,
          at: "2026-01-12T10:02:00Z",
          actor: "alice",
          action: "secret.export",
          secret_id: secretMeta().id,
          target: "Default:prod/registry",
          detail: { version: 1, fields: ["password"] },
        },
      ],
    });
    await openPage(secretMeta());
    await user.click(screen.getByRole("tab", { name: "Audit" }));
    expect(await screen.findByText("Revealed")).toBeInTheDocument();
    // A copy and a save are their own actions, not reveals.
    expect(screen.getByText("Copied")).toBeInTheDocument();
    expect(screen.getByText("Saved to a file")).toBeInTheDocument();
    expect(screen.getAllByText("alice")).toHaveLength(3);
    expect(screen.getAllByText("version: 1 · fields: password")).toHaveLength(3);
  });

  it("confirms a delete with where it is used and the retention, then goes back to the list", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta(), { trash_secrets: () => ({ done: 1, failed: [] }) });
    await openPage(secretMeta());
    expect(await screen.findByText("Not used by any job.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "More actions" }));
    await user.click(await screen.findByRole("menuitem", { name: "Move to trash…" }));
    const dialog = await screen.findByRole("dialog", { name: "Move prod/registry to the trash?" });
    expect(within(dialog).getByText("Not used by any job.")).toBeInTheDocument();
    expect(within(dialog).getByText(/keeps it for 21 days/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Move to trash" }));
    await waitFor(() => expect(window.location.hash).toBe("#/secrets"));
    expect(ipc.of("trash_secrets")).toEqual([{ selection: { ids: [secretMeta().id] } }]);
  });

  it("deactivates after confirmation", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta(), { set_active: () => ({ done: 1, failed: [] }) });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "Deactivate" }));
    const dialog = await screen.findByRole("dialog", { name: "Deactivate prod/registry?" });
    await user.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ selection: { ids: [secretMeta().id] }, active: false }]));
  });

  it("shows a trashed secret with restore and permanent delete instead of edits", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ deleted_at: "2026-01-20T10:00:00Z", purge_at: "2099-02-10T10:00:00Z" });
    const ipc = shell(meta, { restore_from_trash: () => ({ ...meta, deleted_at: null, purge_at: null }) });
    await openPage(meta);
    expect(screen.getByText("This secret is in the trash.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit details" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete permanently…" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(ipc.of("restore_from_trash")).toEqual([{ id: meta.id }]));
  });

  it("says clearly when the secret does not exist", async () => {
    shell(secretMeta(), { get_secret: () => ipcError("not_found", "secret not found") });
    renderPage(<SecretDetail id="nope" />);
    expect(await screen.findByText("This secret does not exist")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to the secrets" })).toHaveAttribute("href", "#/secrets");
  });

  it("renders markup in a description and labels as text", async () => {
    const evil = "<img src=x onerror=alert(1)>";
    const meta = secretMeta({ description: evil, labels: { note: evil } });
    shell(meta);
    const { container } = renderPage(<SecretDetail id={meta.id} />);
    await screen.findByRole("heading", { level: 1, name: meta.name });
    expect(screen.getByText(evil)).toBeInTheDocument();
    expect(screen.getByText(`note=${evil}`)).toBeInTheDocument();
    expect(container.querySelector("img")).toBeNull();
  });

  it("opens the list filtered by a label when its chip is clicked", async () => {
    const user = userEvent.setup();
    const meta = secretMeta({ labels: { env: "prod", "owner/team": "a b" } });
    shell(meta);
    await openPage(meta);
    await user.click(screen.getByRole("button", { name: "owner/team=a b" }));
    expect(window.location.hash).toBe("#/labels/owner%2Fteam%3Da%20b");
    expect(parseRoute(window.location.hash)).toEqual({ view: "secrets", label: "owner/team=a b" });
  });

  it("lists the jobs that use the secret, each linking to its page", async () => {
    const ipc = shell(secretMeta({ used_by: 2 }), { secret_usage: () => TWO_JOBS });
    await openPage(secretMeta({ used_by: 2 }));
    const list = await screen.findByRole("list", { name: "Jobs that use it" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const [first, second] = items as [HTMLElement, HTMLElement];
    expect(within(first).getByRole("link", { name: "nightly-backup" })).toHaveAttribute("href", "#/jobs/job-1");
    expect(within(first).getByText("HTTP fetch")).toBeInTheDocument();
    expect(within(first).getByText("credentials")).toBeInTheDocument();
    expect(within(first).queryByText("schedule off")).not.toBeInTheDocument();
    expect(within(second).getByRole("link", { name: "render-config" })).toHaveAttribute("href", "#/jobs/job-2");
    expect(within(second).getByText("Template")).toBeInTheDocument();
    expect(within(second).getByText("placeholder #password, main value")).toBeInTheDocument();
    expect(within(second).getByText("schedule off")).toBeInTheDocument();
    expect(screen.getByText("2 jobs")).toBeInTheDocument();
    expect(ipc.of("secret_usage")).toEqual([{ id: secretMeta().id }]);
  });

  it("offers to use an unused secret in a new job", async () => {
    shell(secretMeta());
    await openPage(secretMeta());
    expect(await screen.findByText("Not used by any job.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Use in a job…" })).toHaveAttribute("href", "#/jobs/new/prod%2Fregistry");
  });

  it("says when the secret was last used", async () => {
    const lastUsed = new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString();
    shell(secretMeta({ last_used_at: lastUsed }));
    await openPage(secretMeta({ last_used_at: lastUsed }));
    expect(screen.getByText(/· last used 3 days ago/)).toBeInTheDocument();
  });

  it("lists the jobs a deactivation affects, and says their runs will be refused", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta({ used_by: 2 }), {
      secret_usage: () => TWO_JOBS,
      set_active: () => ({ done: 1, failed: [] }),
    });
    await openPage(secretMeta({ used_by: 2 }));
    await screen.findByRole("list", { name: "Jobs that use it" });
    await user.click(screen.getByRole("button", { name: "Deactivate" }));
    const dialog = await screen.findByRole("dialog", { name: "Deactivate prod/registry?" });
    expect(within(dialog).getByText("Used by 2 jobs:")).toBeInTheDocument();
    const affected = within(dialog).getByRole("list", { name: "Affected jobs" });
    expect(within(affected).getAllByRole("listitem").map((li) => li.querySelector("strong")?.textContent)).toEqual([
      "nightly-backup",
      "render-config",
    ]);
    expect(within(dialog).getByText("Their runs will be refused until it is activated again.")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ selection: { ids: [secretMeta().id] }, active: false }]));
  });

  it("does not hold a confirmation up while it checks which jobs use the secret", async () => {
    const user = userEvent.setup();
    const ipc = shell(secretMeta(), {
      secret_usage: () => new Promise(() => undefined),
      trash_secrets: () => ({ done: 1, failed: [] }),
    });
    await openPage(secretMeta());
    await user.click(screen.getByRole("button", { name: "More actions" }));
    await user.click(await screen.findByRole("menuitem", { name: "Move to trash…" }));
    const dialog = await screen.findByRole("dialog", { name: "Move prod/registry to the trash?" });
    expect(within(dialog).getByText("Checking which jobs use it…")).toBeInTheDocument();
    const confirm = within(dialog).getByRole("button", { name: "Move to trash" });
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await waitFor(() => expect(ipc.of("trash_secrets")).toEqual([{ selection: { ids: [secretMeta().id] } }]));
  });
});
