import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { mockShell, renderPage, secretMeta } from "../../components/testing";
import type { SecretMeta } from "../../ipc/client";
import { daysLeft, TrashPage } from "./TrashPage";

const DAY = 86_400_000;

function trashed(name: string, id: string, purgeInDays: number): SecretMeta {
  return secretMeta({
    id,
    name,
    deleted_at: new Date(Date.now() - 2 * DAY).toISOString(),
    purge_at: new Date(Date.now() + purgeInDays * DAY - 60_000).toISOString(),
  });
}

function shell(items: SecretMeta[], extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockShell({
    list_secrets: () => ({ total: items.length, items }),
    get_settings: () => ({ trash_retention_days: 30 }),
    vault_status: () => ({}),
    organizations: () => [],
    ...extra,
  });
}

describe("TrashPage", () => {
  it("lists the trash with the days left before purge", async () => {
    const ipc = shell([trashed("old/token", "a", 28), trashed("db/pass", "b", 2)]);
    renderPage(<TrashPage />);
    const row = (await screen.findByRole("link", { name: "old/token" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("28 days left")).toBeInTheDocument();
    expect(within(row).getByText("2 days ago")).toBeInTheDocument();
    expect(screen.getByText("2 days left")).toBeInTheDocument();
    expect(ipc.of("list_secrets")).toEqual([
      { query: { scope: "trash", sort: "updated", descending: true, limit: 1000, offset: 0 } },
    ]);
  });

  it("restores a secret", async () => {
    const user = userEvent.setup();
    const ipc = shell([trashed("old/token", "a", 28)], { restore_from_trash: () => secretMeta({ id: "a" }) });
    renderPage(<TrashPage />);
    await user.click(await screen.findByRole("button", { name: "Restore old/token" }));
    expect(await screen.findByText("old/token restored.")).toBeInTheDocument();
    expect(ipc.of("restore_from_trash")).toEqual([{ id: "a" }]);
  });

  it("destroys a secret only after confirmation", async () => {
    const user = userEvent.setup();
    const ipc = shell([trashed("old/token", "a", 28)], { purge_secret: () => null });
    renderPage(<TrashPage />);
    await user.click(await screen.findByRole("button", { name: "Delete old/token permanently" }));
    const dialog = await screen.findByRole("dialog", { name: "Destroy old/token now?" });
    expect(ipc.of("purge_secret")).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "Delete permanently" }));
    await waitFor(() => expect(ipc.of("purge_secret")).toEqual([{ id: "a" }]));
  });

  it("empties the trash after confirmation", async () => {
    const user = userEvent.setup();
    const ipc = shell([trashed("a1", "a", 28), trashed("b1", "b", 3)], { empty_trash: () => 2 });
    renderPage(<TrashPage />);
    await user.click(await screen.findByRole("button", { name: "Empty trash…" }));
    const dialog = await screen.findByRole("dialog", { name: "Empty the trash?" });
    await user.click(within(dialog).getByRole("button", { name: "Destroy 2 secrets" }));
    expect(await screen.findByText("Trash emptied: 2 secrets destroyed.")).toBeInTheDocument();
    expect(ipc.of("empty_trash")).toHaveLength(1);
  });

  it("says when the trash is empty", async () => {
    shell([]);
    renderPage(<TrashPage />);
    expect(await screen.findByText("The trash is empty")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Empty trash…" })).not.toBeInTheDocument();
  });

  it("counts a started day as a day left", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(daysLeft("2026-03-31T12:00:00Z", now)).toBe(30);
    expect(daysLeft("2026-03-31T11:00:00Z", now)).toBe(30);
    expect(daysLeft("2026-03-01T13:00:00Z", now)).toBe(1);
    expect(daysLeft(null, now)).toBeNull();
  });
});
