import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { mockShell, renderPage, secretMeta, type CommandHandler } from "../../components/testing";
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
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ ids: ["a", "b", "c"], active: false }]));
  });

  it("deactivates secrets no job uses without asking", async () => {
    const user = userEvent.setup();
    const ipc = shell({ set_active: () => ({ done: 1, failed: [] }) });
    renderPage(<SecretsPage />);
    await user.click(within(await row("scratch/note")).getByRole("checkbox"));
    await user.click(screen.getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(ipc.of("set_active")).toEqual([{ ids: ["c"], active: false }]));
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
    await waitFor(() => expect(ipc.of("trash_secrets")).toEqual([{ ids: ["b"] }]));
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
});
