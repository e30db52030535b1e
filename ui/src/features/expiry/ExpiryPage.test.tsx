import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { mockShell, renderPage, secretMeta } from "../../components/testing";
import type { SecretMeta } from "../../ipc/client";
import { ExpiryPage } from "./ExpiryPage";
import { statusView } from "../../components/StatusBadge";
import { expiryGroup, groupByExpiry } from "./groups";

const NOW = new Date("2026-03-01T12:00:00Z");

// The groups follow the local calendar: pin the zone these dates are written for.
beforeAll(() => {
  vi.stubEnv("TZ", "UTC");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function expiring(name: string, expires_at: string, extra: Partial<SecretMeta> = {}): SecretMeta {
  return secretMeta({ id: name, name, expires_at, ...extra });
}

const ITEMS = [
  expiring("old/cert", "2026-02-20T00:00:00Z", { status: "expired", type: "certificate" }),
  expiring("ci/token", "2026-03-04T00:00:00Z", { type: "bearer_token" }),
  expiring("edge/week", "2026-03-08T12:00:00Z"),
  expiring("idp/client", "2026-03-20T00:00:00Z", { type: "client_credentials" }),
  expiring("far/key", "2027-01-01T00:00:00Z", { type: "api_key" }),
  expiring("legacy/ftp", "2026-03-05T00:00:00Z", { status: "deactivated" }),
];

function shell(items: SecretMeta[]) {
  return mockShell({
    list_secrets: () => ({ total: items.length, items }),
    get_settings: () => ({ notify_days_before: [30, 7, 1, 0] }),
  });
}

describe("expiry groups", () => {
  it("puts each expiry in expired, today, tomorrow, this week, this month or later, by calendar day", () => {
    expect(expiryGroup("2026-03-01T12:00:00Z", NOW)).toBe("expired");
    expect(expiryGroup("2026-03-01T12:00:01Z", NOW)).toBe("today");
    expect(expiryGroup("2026-03-01T23:59:59Z", NOW)).toBe("today");
    expect(expiryGroup("2026-03-02T00:00:00Z", NOW)).toBe("tomorrow");
    expect(expiryGroup("2026-03-02T23:59:59Z", NOW)).toBe("tomorrow");
    expect(expiryGroup("2026-03-03T00:00:00Z", NOW)).toBe("week");
    expect(expiryGroup("2026-03-08T23:59:59Z", NOW)).toBe("week");
    expect(expiryGroup("2026-03-09T00:00:00Z", NOW)).toBe("month");
    expect(expiryGroup("2026-03-31T23:59:59Z", NOW)).toBe("month");
    expect(expiryGroup("2026-04-01T00:00:00Z", NOW)).toBe("later");
  });

  it("groups an expiry tomorrow morning under Tomorrow late tonight, as the chip says", () => {
    const late = new Date("2026-03-01T23:00:00Z");
    expect(expiryGroup("2026-03-02T09:00:00Z", late)).toBe("tomorrow");
    expect(statusView("active", "2026-03-02T09:00:00Z", late).text).toBe("expires tomorrow");
  });

  it("sorts each group soonest first and skips secrets without expiry", () => {
    const groups = groupByExpiry(
      [expiring("b", "2026-03-06T00:00:00Z"), expiring("a", "2026-03-02T00:00:00Z"), secretMeta({ name: "none" })],
      NOW,
    );
    expect(groups.map((g) => [g.key, g.items.map((i) => i.name)])).toEqual([
      ["expired", []],
      ["today", []],
      ["tomorrow", ["a"]],
      ["week", ["b"]],
      ["month", []],
      ["later", []],
    ]);
  });
});

describe("ExpiryPage", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("groups secrets by when they expire, with counts", async () => {
    const ipc = shell(ITEMS);
    renderPage(<ExpiryPage />);
    const expired = await screen.findByRole("region", { name: /Expired/ });
    const week = screen.getByRole("region", { name: /This week/ });
    const month = screen.getByRole("region", { name: /This month/ });
    const later = screen.getByRole("region", { name: /Later/ });
    expect(within(expired).getAllByRole("link").map((a) => a.textContent)).toEqual([expect.stringContaining("old/cert")]);
    expect(within(week).getAllByRole("link").map((a) => a.textContent)).toEqual([
      expect.stringContaining("ci/token"),
      expect.stringContaining("edge/week"),
    ]);
    expect(within(month).getAllByRole("link")).toHaveLength(1);
    expect(within(later).getAllByRole("link")).toHaveLength(1);
    expect(within(week).getByLabelText("2 secrets")).toBeInTheDocument();
    expect(within(week).getByText("in 3 days")).toBeInTheDocument(); // calendar days, as the status badge counts
    expect(within(week).getByText("expires in 3 days")).toBeInTheDocument();
    expect(within(expired).getByText("9 days ago")).toBeInTheDocument();
    expect(within(month).getByRole("link", { name: /idp\/client/ })).toHaveAttribute("href", "#/secrets/idp%2Fclient");
    expect(ipc.of("list_secrets")).toEqual([
      { query: { expiring_within_days: 36500, sort: "expires", limit: 1000, offset: 0, scope: "live" } },
    ]);
  });

  it("leaves deactivated secrets out unless asked, then shows them", async () => {
    const user = userEvent.setup();
    shell(ITEMS);
    renderPage(<ExpiryPage />);
    await screen.findByRole("region", { name: /This week/ });
    expect(screen.queryByText("legacy/ftp")).not.toBeInTheDocument();
    await user.click(screen.getByLabelText("Show deactivated (1)"));
    const week = screen.getByRole("region", { name: /This week/ });
    expect(within(week).getByText("legacy/ftp")).toBeInTheDocument();
  });

  it("says when nothing expires", async () => {
    shell([]);
    renderPage(<ExpiryPage />);
    expect(await screen.findByText("Nothing expires")).toBeInTheDocument();
  });
});
