import { afterEach, describe, expect, it, vi } from "vitest";

import { calendarDaysUntil, expiryDay, expiryText, fromDateInput, relativeDay, toDateInput } from "./time";

// Node reads TZ again whenever it changes, so each test picks its zone.
function inZone(zone: string) {
  vi.stubEnv("TZ", zone);
}
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the expiry rule (calendar days, local time)", () => {
  it("calls an expiry tomorrow morning 'tomorrow' late tonight, not 'in 10 hours' or 'today'", () => {
    inZone("Europe/Berlin");
    const now = new Date("2026-03-10T22:30:00+01:00");
    const at = "2026-03-11T08:30:00+01:00";
    expect(calendarDaysUntil(at, now)).toBe(1);
    expect(relativeDay(at, now)).toBe("tomorrow");
    expect(expiryText(at, now)).toBe("expires tomorrow");
  });

  it("counts by the local date, not by 24-hour periods", () => {
    inZone("America/New_York");
    // 23:59 local today and 00:01 local tomorrow are two minutes apart but on different days.
    const now = new Date("2026-06-01T23:59:00-04:00");
    expect(relativeDay("2026-06-02T00:01:00-04:00", now)).toBe("tomorrow");
    expect(relativeDay("2026-06-01T23:59:30-04:00", now)).toBe("today");
    expect(expiryText("2026-06-01T23:59:30-04:00", now)).toBe("expires today");
    // Just after midnight, an expiry late the same day is still today.
    const early = new Date("2026-06-02T00:00:30-04:00");
    expect(expiryText("2026-06-02T23:00:00-04:00", early)).toBe("expires today");
    expect(expiryText("2026-06-05T01:00:00-04:00", early)).toBe("expires in 3 days");
  });

  it("uses the user's zone: the same instant is tomorrow in one zone and today in another", () => {
    const now = new Date("2026-03-10T20:00:00Z");
    const at = "2026-03-11T02:00:00Z";
    inZone("UTC");
    expect(relativeDay(at, now)).toBe("tomorrow");
    inZone("America/Los_Angeles"); // 12:00 and 18:00 on March 10
    expect(relativeDay(at, now)).toBe("today");
    inZone("Asia/Tokyo"); // 05:00 and 11:00 on March 11
    expect(relativeDay(at, now)).toBe("today");
  });

  it("is not thrown off by a daylight saving change", () => {
    inZone("Europe/Berlin");
    // Clocks go forward on 2026-03-29: that day has 23 hours.
    const now = new Date("2026-03-28T12:00:00+01:00");
    expect(calendarDaysUntil("2026-03-30T00:30:00+02:00", now)).toBe(2);
    expect(calendarDaysUntil("2026-03-29T23:30:00+02:00", now)).toBe(1);
    inZone("America/New_York");
    // Clocks go back on 2026-11-01: that day has 25 hours.
    const fall = new Date("2026-10-31T23:30:00-04:00");
    expect(calendarDaysUntil("2026-11-01T23:30:00-05:00", fall)).toBe(1);
  });

  it("says past expiries in the past tense", () => {
    inZone("UTC");
    const now = new Date("2026-03-10T12:00:00Z");
    expect(expiryDay("2026-03-10T11:00:00Z", now)).toEqual({ past: true, days: 0 });
    expect(expiryText("2026-03-10T11:00:00Z", now)).toBe("expired today");
    expect(expiryText("2026-03-09T23:00:00Z", now)).toBe("expired yesterday");
    expect(expiryText("2026-03-01T00:00:00Z", now)).toBe("expired 9 days ago");
    expect(relativeDay("2026-03-01T00:00:00Z", now)).toBe("9 days ago");
    expect(expiryText(null, now)).toBe("");
  });
});

describe("date inputs", () => {
  it("round-trips a typed date as local midnight", () => {
    inZone("America/New_York");
    expect(fromDateInput("2027-01-31")).toBe("2027-01-31T05:00:00Z");
    expect(toDateInput("2027-01-31T05:00:00Z")).toBe("2027-01-31");
    inZone("Asia/Tokyo");
    expect(fromDateInput("2027-01-31")).toBe("2027-01-30T15:00:00Z");
    expect(toDateInput("2027-01-30T15:00:00Z")).toBe("2027-01-31");
    inZone("UTC");
    expect(fromDateInput("2027-01-31")).toBe("2027-01-31T00:00:00Z");
  });

  it("refuses what is not a real date", () => {
    expect(fromDateInput("")).toBeNull();
    expect(fromDateInput("2027-02-30")).toBeNull();
    expect(fromDateInput("31.01.2027")).toBeNull();
    expect(toDateInput(null)).toBe("");
  });
});
