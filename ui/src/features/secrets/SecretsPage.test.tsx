import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage, secretMeta, type CommandHandler } from "../../components/testing";
import type { JobUsage, SecretMeta } from "../../ipc/client";
import { SecretsPage } from "./SecretsPage";

const ROWS: SecretMeta[] = [
  secretMeta({ id: "a", name: "prod/registry", used_by: 2 }),
  secretMeta({ id: "b", name: "prod/api-token", type: "bearer_token", used_by: 1 }),
  secretMeta({ id: "c", name: "scratch/note", type: "data", used_by: 0 }),
];

function job(id: string, name: string, overrides: Partial<JobUsage> = {}): JobUsage {
  return {
    job_id: id,
    name,
    org: "Default",
    kind: "http_fetch",
    roles: ["auth"],
    placeholder_fields: [],
    by_placeholder: false,
    enabled: true,
    ...overrides,
  };
}

const USAGE: Record<string, JobUsage[]> = {
  a: [job("j1", "pull-images"), job("j2", "render-config", { kind: "template", roles: [], by_placeholder: true })],
  b: [job("j2", "render-config", { kind: "template", roles: [], by_placeholder: true })],
};

function shell(extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    list_secrets: () => ({ total: ROWS.length, items: ROWS }),
    organizations: () => [{ name: "Default", secrets: 3, projects: [] }],
    get_settings: () => ({ trash_retention_days: 30 }),
    vault_status: () => ({}),
    secret_usage: (args) => USAGE[args.id as string] ?? [],
    label_values: () => [
      { key: "env", value: "prod", count: 2 },
      { key: "team", value: "data", count: 1 },
    ],
    ...extra,
  });
}

// jsdom lays nothing out: give elements a size so the virtualizer renders rows.
beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(1000);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function row(name: string) {
  return screen.findByTestId(`secret-row-${name}`);
}

describe("SecretsPage", () => {
  it("marks rows that jobs use with a badge, from the list alone", async () => {
    const ipc = shell();
    renderPage(<SecretsPage />);
    const registry = await row("prod/registry");
    expect(within(registry).getByTitle("Used by 2 jobs")).toHaveTextContent("2");
    expect(within(await row("prod/api-token")).getByTitle("Used by 1 job")).toBeInTheDocument();
    expect(within(await row("scratch/note")).queryByTitle(/Used by/)).not.toBeInTheDocument();
    // No query per row: the count comes with the list.
    expect(ipc.of("secret_usage")).toEqual([]);
  });

  it("names the jobs a bulk deactivation affects before doing it", async () => {
    const user = userEvent.setup();
    const ipc = shell({ set_active: () => ({ done: 3, failed: [] }) });
    renderPage(<SecretsPage />);
    for (const name of ["prod/registry", "prod/api-token", "scratch/note"]) {
      await user.click(within(await row(name)).getByRole("checkbox"));
    }
    await user.click(screen.getByRole("button", { name: "Deactivate…" }));
    const dialog = await screen.findByRole("dialog", { name: "Deactivate 3 secrets?" });
    const affected = await within(dialog).findByRole("list", { name: "Affected jobs" });
    const items = within(affected).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector("strong")?.textContent)).toEqual(["pull-images", "render-config"]);
    expect(items[1]).toHaveTextContent("uses prod/registry, prod/api-token");
    expect(within(dialog).getByText("Used by 2 jobs:")).toBeInTheDocument();
    expect(within(dialog).getByText("Their runs will be refused until the secrets are activated again.")).toBeInTheDocument();
    // Only secrets whose row says jobs use them are asked about.
    expect(ipc.of("secret_usage").map((a) => a.id).sort()).toEqual(["a", "b"]);
    expect(ipc.of("set_active")).toEqual([]);

    await user.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ selection: { ids: ["a", "b", "c"] }, active: false }]));
  });

  it("deactivates secrets no job uses without asking", async () => {
    const user = userEvent.setup();
    const ipc = shell({ set_active: () => ({ done: 1, failed: [] }) });
    renderPage(<SecretsPage />);
    await user.click(within(await row("scratch/note")).getByRole("checkbox"));
    await user.click(screen.getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ selection: { ids: ["c"] }, active: false }]));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("confirms a bulk trash with the affected jobs, while still checking", async () => {
    const user = userEvent.setup();
    let answer: (jobs: JobUsage[]) => void = () => undefined;
    const ipc = shell({
      secret_usage: () => new Promise<JobUsage[]>((resolve) => (answer = resolve)),
      trash_secrets: () => ({ done: 1, failed: [] }),
    });
    renderPage(<SecretsPage />);
    await user.click(within(await row("prod/api-token")).getByRole("checkbox"));
    await user.click(screen.getByRole("button", { name: "Move to trash…" }));
    const dialog = await screen.findByRole("dialog", { name: "Move 1 secret to the trash?" });
    expect(await within(dialog).findByText("Checking which jobs use them…")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Move to trash" })).toBeEnabled();
    answer(USAGE.b ?? []);
    expect(await within(dialog).findByText("Their runs will be refused until the secrets are restored from the trash.")).toBeInTheDocument();
    expect(within(dialog).getByText("render-config")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Move to trash" }));
    await waitFor(() => expect(ipc.of("trash_secrets")).toEqual([{ selection: { ids: ["b"] } }]));
  });

  it("keeps the previous rows on screen while the next filter's page is pending", async () => {
    const user = userEvent.setup();
    let answer: (page: { total: number; items: SecretMeta[] }) => void = () => undefined;
    shell({
      list_secrets: (args) => {
        const query = args.query as { text: string | null };
        if (!query.text) return { total: ROWS.length, items: ROWS };
        return new Promise((resolve) => (answer = resolve));
      },
    });
    renderPage(<SecretsPage />);
    await row("scratch/note");
    await user.type(screen.getByRole("searchbox", { name: "Filter by name or description" }), "prod");
    // Pending: the old rows stay, none turns into a "Loading…" placeholder.
    await waitFor(() => expect(screen.getByRole("grid", { name: "Secrets" })).toHaveAttribute("aria-busy", "true"));
    expect(screen.getByTestId("secret-row-scratch/note")).toBeInTheDocument();
    expect(screen.getByTestId("secret-row-prod/registry")).toBeInTheDocument();
    expect(screen.queryByText("Loading…")).not.toBeInTheDocument();
    answer({ total: 2, items: ROWS.slice(0, 2) });
    await waitFor(() => expect(screen.queryByTestId("secret-row-scratch/note")).not.toBeInTheDocument());
    expect(screen.getByTestId("secret-row-prod/api-token")).toBeInTheDocument();
    expect(screen.getByRole("grid", { name: "Secrets" })).toHaveAttribute("aria-busy", "false");
  });

  describe("selection over a filter", () => {
    const MANY: SecretMeta[] = Array.from({ length: 250 }, (_, i) =>
      secretMeta({ id: `id-${i}`, name: `svc-${String(i).padStart(3, "0")}`, used_by: 0, labels: {} }),
    );
    function manyShell(extra: Record<string, CommandHandler> = {}) {
      return shell({
        list_secrets: (args) => {
          const q = args.query as { offset: number; limit: number };
          return { total: MANY.length, items: MANY.slice(q.offset, q.offset + q.limit) };
        },
        ...extra,
      });
    }

    it("offers every matching secret once the loaded page is selected, and acts on all of them by filter", async () => {
      const user = userEvent.setup();
      const ipc = manyShell({ label_secrets: () => ({ done: 249, failed: [] }) });
      renderPage(<SecretsPage />);
      await row("svc-000");
      await user.type(screen.getByRole("searchbox", { name: "Filter by name or description" }), "svc");
      await user.click(screen.getByRole("checkbox", { name: "Select all loaded secrets" }));
      const bar = screen.getByRole("toolbar", { name: "Actions on selected secrets" });
      expect(within(bar).getByText("100 selected of 250")).toBeInTheDocument();
      await user.click(within(bar).getByRole("button", { name: "Select all 250 matching" }));
      expect(within(bar).getByText("250 selected of 250")).toBeInTheDocument();
      // Unticking one row leaves it out.
      await user.click(within(await row("svc-001")).getByRole("checkbox"));
      expect(within(bar).getByText("249 selected of 250")).toBeInTheDocument();
      expect(screen.getByRole("checkbox", { name: "Select all loaded secrets" })).toHaveProperty("indeterminate", true);
      await user.click(within(bar).getByRole("button", { name: "Add label…" }));
      const dialog = await screen.findByRole("dialog", { name: "Label 249 secrets" });
      await user.type(within(dialog).getByRole("combobox", { name: "Label" }), "batch=q3{Enter}");
      await waitFor(() => expect(ipc.of("label_secrets")).toHaveLength(1));
      const [call] = ipc.of("label_secrets") as { selection: { matching: { query: { text: string }; except: string[] } } }[];
      // No ids shipped: the shell resolves the filter, less the unticked one.
      expect(call?.selection.matching.query.text).toBe("svc");
      expect(call?.selection.matching.except).toEqual(["id-1"]);
      expect(ipc.of("label_secrets")[0]).toMatchObject({ set: { batch: "q3" }, remove: [] });
    });

    it("confirms a trash of all matching with the jobs of every match, loaded on screen or not", async () => {
      const user = userEvent.setup();
      const ipc = manyShell({
        // svc-200 is past the loaded rows: only the shell knows its job.
        matching_usage: () => [
          { job: job("j1", "pull-images"), secrets: ["svc-002", "svc-200"] },
          { job: job("j3", "nightly-export", { enabled: false }), secrets: ["svc-249"] },
        ],
        trash_secrets: () => ({ done: 249, failed: [] }),
      });
      renderPage(<SecretsPage />);
      await row("svc-000");
      await user.type(screen.getByRole("searchbox", { name: "Filter by name or description" }), "svc");
      await user.click(screen.getByRole("checkbox", { name: "Select all loaded secrets" }));
      const bar = screen.getByRole("toolbar", { name: "Actions on selected secrets" });
      await user.click(within(bar).getByRole("button", { name: "Select all 250 matching" }));
      await user.click(within(await row("svc-001")).getByRole("checkbox"));
      await user.click(within(bar).getByRole("button", { name: "Move to trash…" }));
      const dialog = await screen.findByRole("dialog", { name: "Move 249 secrets to the trash?" });
      const affected = await within(dialog).findByRole("list", { name: "Affected jobs" });
      expect([...affected.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
        "pull-images HTTP fetch · uses svc-002, svc-200",
        "nightly-export HTTP fetch · schedule off · uses svc-249",
      ]);
      expect(within(dialog).getByText("Used by 2 jobs:")).toBeInTheDocument();
      // One question for the whole filter (less the unticked row), none per row.
      expect(ipc.of("matching_usage")).toHaveLength(1);
      expect(ipc.of("matching_usage")[0]).toMatchObject({ query: { text: "svc", limit: 0, offset: 0 }, except: ["id-1"] });
      expect(ipc.of("secret_usage")).toEqual([]);
      expect(ipc.of("trash_secrets")).toEqual([]);
      await user.click(within(dialog).getByRole("button", { name: "Move to trash" }));
      await waitFor(() => expect(ipc.of("trash_secrets")).toHaveLength(1));
      expect(ipc.of("trash_secrets")[0]).toMatchObject({ selection: { matching: { query: { text: "svc" }, except: ["id-1"] } } });
    });

    it("says so when the jobs of all matching cannot be checked, and still lets the person decide", async () => {
      const user = userEvent.setup();
      const ipc = manyShell({ matching_usage: () => ipcError("locked", "The vault is locked.") });
      renderPage(<SecretsPage />);
      await row("svc-000");
      await user.click(screen.getByRole("checkbox", { name: "Select all loaded secrets" }));
      const bar = screen.getByRole("toolbar", { name: "Actions on selected secrets" });
      await user.click(within(bar).getByRole("button", { name: "Select all 250 matching" }));
      await user.click(within(bar).getByRole("button", { name: "Deactivate…" }));
      const dialog = await screen.findByRole("dialog", { name: "Deactivate 250 secrets?" });
      expect(await within(dialog).findByText(/Could not check which jobs use them \(The vault is locked\.\)/)).toBeInTheDocument();
      await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
      expect(ipc.of("set_active")).toEqual([]);
    });

    it("selects ranges with Shift-click and everything with Ctrl+A; moves with Home and End", async () => {
      const user = userEvent.setup();
      manyShell();
      renderPage(<SecretsPage />);
      await user.click(within(await row("svc-002")).getByRole("checkbox"));
      await user.keyboard("{Shift>}");
      await user.click(within(await row("svc-006")).getByRole("checkbox"));
      await user.keyboard("{/Shift}");
      const bar = screen.getByRole("toolbar", { name: "Actions on selected secrets" });
      expect(within(bar).getByText("5 selected of 250")).toBeInTheDocument();
      for (const n of ["002", "004", "006"]) expect(await row(`svc-${n}`)).toHaveAttribute("aria-selected", "true");
      expect(await row("svc-007")).toHaveAttribute("aria-selected", "false");
      (await row("svc-003")).focus();
      await user.keyboard("{Control>}a{/Control}");
      expect(within(bar).getByText("250 selected of 250")).toBeInTheDocument();
      (await row("svc-003")).focus();
      await user.keyboard("{Home}");
      await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("secret-row-svc-000")));
    });
  });

  it("filters by several labels, from the field (with suggestions) and by clicking a chip", async () => {
    const user = userEvent.setup();
    const rows = [
      secretMeta({ id: "a", name: "a", labels: { env: "prod", region: "eu-west-1", team: "data", tier: "gold" } }),
    ];
    const ipc = shell({ list_secrets: () => ({ total: 1, items: rows }) });
    // Lay the labels out: chips 80 px wide, 4 px apart, in a 200 px column.
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockImplementation(function (this: HTMLElement) {
      return this.classList.contains("cell-labels") ? 200 : 1000;
    });
    vi.spyOn(HTMLElement.prototype, "scrollWidth", "get").mockReturnValue(80);
    renderPage(<SecretsPage />);
    const a = await row("a");
    // Labels that do not fit show "+N", with every label in the tooltip.
    // Two fit beside the "+N" chip's room (80 + 4 + 80 ≤ 200 − 34).
    const more = await within(a).findByText("+2");
    expect(within(a).getAllByRole("button").map((b) => b.textContent)).toEqual(["env=prod", "region=eu-west-1"]);
    expect(more).toHaveAttribute("title", "env=prod\nregion=eu-west-1\nteam=data\ntier=gold");
    await user.click(within(a).getByRole("button", { name: "env=prod" }));
    // The label filter is the register wizard's combobox: keys first (most used first), then that key's values.
    const input = screen.getByRole("combobox", { name: /Add a label filter/ });
    expect(input).not.toHaveAttribute("list");
    const suggestions = () => screen.getByRole("listbox", { name: "Labels in use", hidden: true });
    await user.type(input, "t");
    expect(input).toHaveAttribute("aria-expanded", "true");
    expect(within(suggestions()).getAllByRole("option").map((o) => o.textContent)).toEqual(["team1 secret"]);
    await user.keyboard("{ArrowDown}{Enter}");
    // A key goes on to its values; the values already filtered by are not offered.
    expect(input).toHaveValue("team=");
    expect(within(suggestions()).getAllByRole("option").map((o) => o.textContent)).toEqual(["team=data1 secret"]);
    await user.keyboard("{ArrowDown}{Enter}");
    // Picking a whole key=value adds it at once.
    expect(input).toHaveValue("");
    expect(screen.getByRole("list", { name: "Label filters" })).toHaveTextContent("env=prod");
    expect(screen.getByRole("list", { name: "Label filters" })).toHaveTextContent("team=data");
    await waitFor(() =>
      expect(ipc.of("list_secrets").at(-1)).toMatchObject({
        query: { labels: [["env", "prod"], ["team", "data"]] },
      }),
    );
    await user.type(input, "env=");
    expect(input).toHaveAttribute("aria-expanded", "false");
    // Enter with no suggestion highlighted adds what is typed (a key alone: has the label).
    await user.clear(input);
    await user.type(input, "region{Enter}");
    expect(screen.getByRole("list", { name: "Label filters" })).toHaveTextContent("region");
    await waitFor(() =>
      expect(ipc.of("list_secrets").at(-1)).toMatchObject({
        query: { labels: [["env", "prod"], ["team", "data"], ["region", null]] },
      }),
    );
    await user.click(screen.getByRole("button", { name: "Remove the label filter env=prod" }));
    await user.click(screen.getByRole("button", { name: "Remove the label filter region" }));
    await waitFor(() => expect(ipc.of("list_secrets").at(-1)).toMatchObject({ query: { labels: [["team", "data"]] } }));
    // Once removed, env=prod is offered again.
    await user.type(input, "env=");
    expect(within(suggestions()).getAllByRole("option").map((o) => o.textContent)).toEqual(["env=prod2 secrets"]);
  });

  it("starts filtered by the label it was opened with", async () => {
    const ipc = shell();
    renderPage(<SecretsPage label="env=prod" />);
    expect(await screen.findByRole("list", { name: "Label filters" })).toHaveTextContent("env=prod");
    await waitFor(() => expect(ipc.of("list_secrets").at(-1)).toMatchObject({ query: { labels: [["env", "prod"]] } }));
  });

  it("shows the columns chosen, remembered across visits", async () => {
    const user = userEvent.setup();
    window.localStorage.clear();
    shell();
    const first = renderPage(<SecretsPage />);
    await row("prod/registry");
    // The creation date is off until chosen.
    expect(screen.queryByRole("columnheader", { name: "Created" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Columns/ }));
    await user.click(await screen.findByRole("menuitemcheckbox", { name: "Created" }));
    await user.click(await screen.findByRole("menuitemcheckbox", { name: "Type" }));
    await waitFor(() => expect(screen.getByRole("columnheader", { name: "Created" })).toBeInTheDocument());
    expect(screen.queryByRole("columnheader", { name: "Type" })).not.toBeInTheDocument();
    first.unmount();
    renderPage(<SecretsPage />);
    await row("prod/registry");
    expect(screen.getByRole("columnheader", { name: "Created" })).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Type" })).not.toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: "Expires" })).toBeInTheDocument();
    window.localStorage.clear();
  });

  it("focuses the filter on Ctrl+F and names a row by its name on hover", async () => {
    const user = userEvent.setup();
    shell();
    renderPage(<SecretsPage />);
    const registry = await row("prod/registry");
    expect(within(registry).getByTitle("prod/registry")).toBeInTheDocument();
    expect(within(registry).queryByTitle("Registry push account")).not.toBeInTheDocument();
    await user.keyboard("{Control>}f{/Control}");
    expect(screen.getByRole("searchbox", { name: "Filter by name or description" })).toHaveFocus();
  });
});
