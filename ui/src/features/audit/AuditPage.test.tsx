import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage } from "../../components/testing";
import type { AuditEntry, AuditFilter, AuditPage as Page } from "../../ipc/client";
import { AuditPage, toFilter, NO_AUDIT_FILTERS } from "./AuditPage";

function entry(seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    at: `2026-03-0${(seq % 9) + 1}T10:00:00Z`,
    actor: "alice",
    action: "secret.reveal",
    secret_id: "0b0e4a9e-0000-4000-8000-000000000001",
    target: `Default:svc-${seq}`,
    detail: { field: "password", version: 1 },
    ...overrides,
  };
}

/** A log of `n` entries served newest first in pages, filtered by action like the core. */
function shell(
  n: number,
  extra: Record<string, (args: Record<string, unknown>) => unknown> = {},
  overrides: Record<number, Partial<AuditEntry>> = {},
) {
  const all = Array.from({ length: n }, (_, i) => entry(n - i, { ...(i % 2 ? { action: "secret.use", actor: "bob" } : {}), ...overrides[n - i] }));
  return mockShell({
    audit_facets: () => ({ actors: ["alice", "bob"], actions: ["secret.reveal", "secret.use", "vault.unlock"] }),
    audit_page: (args) => {
      const filter = args.filter as AuditFilter;
      const before = args.before as number | null;
      const limit = args.limit as number;
      const matching = all.filter((e) => (!filter.action || e.action === filter.action) && (!filter.actor || e.actor === filter.actor));
      const older = matching.filter((e) => before === null || e.seq < before);
      const entries = older.slice(0, limit);
      const page: Page = {
        entries,
        total: before === null ? matching.length : null,
        next_before: entries.length === limit && older.length > limit ? (entries[entries.length - 1]?.seq ?? null) : null,
      };
      return page;
    },
    ...extra,
  });
}

describe("AuditPage", () => {
  // jsdom lays nothing out: give the scrolling table a viewport, as the app has.
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  });

  it("shows the newest entries with labels, and how many there are", async () => {
    shell(3, {}, { 2: { action: "vault.unlock", secret_id: null, target: "/home/alice/vault.db" } });
    renderPage(<AuditPage />);
    expect(await screen.findByText("3 entries")).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Audit entries" });
    expect(within(table).getByText("Default:svc-3")).toBeInTheDocument();
    expect(within(table).getAllByText("Revealed").length).toBe(2);
    expect(within(table).getByText("Unlocked")).toHaveAttribute("title", "vault.unlock");
    expect(within(table).getAllByText("field: password · version: 1")).toHaveLength(3);
    // The target of an entry about a secret links to it.
    expect(within(table).getByRole("link", { name: "Default:svc-3" })).toHaveAttribute("href", expect.stringContaining("#/secrets/"));
  });

  it("filters by action, actor and text, keeping the rows until the new page arrives", async () => {
    const user = userEvent.setup();
    const ipc = shell(6);
    renderPage(<AuditPage />);
    await screen.findByText("6 entries");
    await user.selectOptions(screen.getByLabelText("Action"), "secret.use");
    expect(await screen.findByText("3 entries match")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Actor"), "bob");
    await user.type(screen.getByLabelText("Secret or target"), "svc-");
    await waitFor(() => {
      const last = ipc.of("audit_page").at(-1);
      expect(last?.filter).toMatchObject({ action: "secret.use", actor: "bob", target: "svc-" });
    });
    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(await screen.findByText("6 entries")).toBeInTheDocument();
  });

  it("turns the date range into whole local days, the last one included", async () => {
    const user = userEvent.setup();
    const ipc = shell(2);
    renderPage(<AuditPage />);
    await screen.findByText("2 entries");
    await user.type(screen.getByLabelText("From"), "2026-03-01");
    await user.type(screen.getByLabelText("To (included)"), "2026-03-02");
    await waitFor(() => {
      const last = ipc.of("audit_page").at(-1)?.filter as AuditFilter;
      expect(last.since).toBe(new Date(2026, 2, 1).toISOString().replace(/\.\d{3}Z$/, "Z"));
      expect(last.until).toBe(new Date(2026, 2, 3).toISOString().replace(/\.\d{3}Z$/, "Z"));
    });
  });

  it("refuses a range that ends before it starts, without asking the shell", async () => {
    const user = userEvent.setup();
    const ipc = shell(2);
    renderPage(<AuditPage />);
    await screen.findByText("2 entries");
    await user.type(screen.getByLabelText("From"), "2026-03-05");
    await user.type(screen.getByLabelText("To (included)"), "2026-03-01");
    expect(await screen.findByRole("alert")).toHaveTextContent("The range ends before it starts.");
    expect(ipc.of("audit_page").filter((a) => (a.filter as AuditFilter).until)).toEqual([]);
    expect(screen.getByRole("button", { name: /Export CSV/ })).toBeDisabled();
  });

  it("loads the next page by keyset when the end of the loaded rows is reached", async () => {
    const ipc = shell(250);
    renderPage(<AuditPage />);
    expect(await screen.findByText("250 entries; 200 loaded, more as you scroll")).toBeInTheDocument();
    expect(ipc.of("audit_page")).toHaveLength(1);
    // Scrolled to the end of the loaded rows: the next page starts below entry 51 (250 down to 51).
    const body = document.querySelector(".table-body") as HTMLElement;
    fireEvent.scroll(body, { target: { scrollTop: 200 * 40 - 600 } });
    await waitFor(() => expect(ipc.of("audit_page").some((a) => a.before === 51)).toBe(true));
    expect(ipc.of("audit_page")[0]).toMatchObject({ before: null, limit: 200 });
    expect(await screen.findByText("250 entries")).toBeInTheDocument();
  });

  it("verifies the chain: intact, or the first broken entry", async () => {
    const user = userEvent.setup();
    let ok = true;
    shell(2, {
      verify_audit: () =>
        ok
          ? { entries: 2, ok: true, first_broken: null, reason: null }
          : { entries: 9, ok: false, first_broken: 7, reason: "the entry was changed" },
    });
    renderPage(<AuditPage />);
    await screen.findByText("2 entries");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByText(/The chain is intact: 2 entries verified/)).toBeInTheDocument();
    ok = false;
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The chain is broken at entry 7: the entry was changed");
  });

  it("exports what the filters match, as CSV or JSON", async () => {
    const user = userEvent.setup();
    const ipc = shell(4, {
      export_audit: (args) =>
        args.format === "json" ? null : { path: "/home/alice/coffer-audit.csv", entries: 2 },
    });
    renderPage(<AuditPage />);
    await screen.findByText("4 entries");
    await user.selectOptions(screen.getByLabelText("Action"), "secret.use");
    await screen.findByText("2 entries match");
    await user.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(await screen.findByText("Exported 2 entries to /home/alice/coffer-audit.csv")).toBeInTheDocument();
    expect(ipc.of("export_audit")[0]).toMatchObject({ format: "csv", filter: { action: "secret.use" } });
    // Cancelling the dialog says nothing.
    await user.click(screen.getByRole("button", { name: /Export JSON/ }));
    await waitFor(() => expect(ipc.of("export_audit")).toHaveLength(2));
  });

  it("says why an export failed", async () => {
    const user = userEvent.setup();
    shell(1, { export_audit: () => ipcError("io", "creating /ro/x.csv: permission denied") });
    renderPage(<AuditPage />);
    await screen.findByText("1 entry");
    await user.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(await screen.findByText("creating /ro/x.csv: permission denied")).toBeInTheDocument();
  });

  it("a page opened for one secret filters by its id", async () => {
    const ipc = shell(2);
    renderPage(<AuditPage secretId="0b0e4a9e-0000-4000-8000-000000000001" />);
    await screen.findByText("2 entries match");
    expect(ipc.of("audit_page")[0]?.filter).toMatchObject({ secret_id: "0b0e4a9e-0000-4000-8000-000000000001" });
    expect(screen.getByRole("link", { name: "Show the whole log" })).toHaveAttribute("href", "#/audit");
  });

  it("leaves out empty parts of the filter", () => {
    expect(toFilter(NO_AUDIT_FILTERS, null)).toEqual({ secret_id: null, target: null, actor: null, action: null, since: null, until: null });
  });
});
