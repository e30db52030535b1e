import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { mockShell, renderPage } from "../../components/testing";
import type { CachedSecret } from "../../ipc/client";
import { CachedSecretsTable, CacheTab, ClearAllCacheButton } from "./CachePanel";

function at<T>(list: T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i} of ${list.length}`);
  return item;
}

const FRESH: CachedSecret = { manager: "moto", name: "db/password", version: "v-1", fetched_at: "2026-12-07T15:00:00Z", expires_at: "2099-01-01T00:00:00Z", expired: false };
const OLD: CachedSecret = { manager: "moto", name: "api/token", version: "v-9", fetched_at: "2026-12-07T14:00:00Z", expires_at: "2026-12-07T14:30:00Z", expired: true };

describe("CachedSecretsTable", () => {
  it("lists name, version and times, and marks expired entries", () => {
    render(<CachedSecretsTable entries={[FRESH, OLD]} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(within(at(rows, 0)).getByText("db/password")).toBeInTheDocument();
    expect(within(at(rows, 0)).queryByText("expired")).not.toBeInTheDocument();
    expect(within(at(rows, 1)).getByText("expired")).toBeInTheDocument();
    expect(rows[1]).toHaveClass("kv-expired");
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Name", "Version", "Fetched", "Expires"]);
  });
});

describe("Cache actions", () => {
  it("clears one connection's cache and shows it empty", async () => {
    const user = userEvent.setup();
    let cached = [FRESH];
    const mock = mockShell({
      cached_secrets: () => cached,
      clear_cache: () => {
        const n = cached.length;
        cached = [];
        return n;
      },
    });
    renderPage(<CacheTab name="moto" />);
    expect(await screen.findByText("db/password")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear cache for this connection" }));
    expect(await screen.findByText("Nothing cached.")).toBeInTheDocument();
    expect(mock.of("clear_cache")).toEqual([{ name: "moto" }]);
  });

  it("clears every connection's cache from the section header", async () => {
    const user = userEvent.setup();
    const mock = mockShell({ clear_cache: () => 3 });
    renderPage(<ClearAllCacheButton />);
    await user.click(screen.getByRole("button", { name: /Clear all cache/ }));
    await waitFor(() => expect(mock.of("clear_cache")).toEqual([{ name: null }]));
    expect(await screen.findByText("Cleared 3 cached values.")).toBeInTheDocument();
  });
});
