import { fireEvent, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ACTIVITY_REPORT_MS, useActivityReport } from "./activity";

function Reporter({ report }: { report: () => void }) {
  useActivityReport(report);
  return <p>page</p>;
}

describe("useActivityReport", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-07T05:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports keys, pointer presses and the wheel, at most once per interval", () => {
    const report = vi.fn();
    render(<Reporter report={report} />);
    expect(report).not.toHaveBeenCalled();

    fireEvent.keyDown(window, { key: "a" });
    expect(report).toHaveBeenCalledTimes(1);
    fireEvent.pointerDown(window);
    fireEvent.wheel(window);
    expect(report).toHaveBeenCalledTimes(1);

    vi.setSystemTime(Date.now() + ACTIVITY_REPORT_MS);
    fireEvent.pointerDown(document.body);
    expect(report).toHaveBeenCalledTimes(2);
    vi.setSystemTime(Date.now() + ACTIVITY_REPORT_MS);
    fireEvent.wheel(document.body);
    expect(report).toHaveBeenCalledTimes(3);
  });

  it("ignores what happens without a person: moves under a resting pointer, focus, time", () => {
    const report = vi.fn();
    render(<Reporter report={report} />);
    for (let minute = 0; minute < 5; minute++) {
      vi.setSystemTime(Date.now() + 60_000);
      fireEvent.pointerMove(document.body);
      fireEvent.mouseMove(document.body);
      fireEvent.focus(window);
      fireEvent.scroll(window);
    }
    expect(report).not.toHaveBeenCalled();
  });

  it("stops reporting when unmounted (the vault locked)", () => {
    const report = vi.fn();
    const { unmount } = render(<Reporter report={report} />);
    unmount();
    fireEvent.keyDown(window, { key: "a" });
    expect(report).not.toHaveBeenCalled();
  });
});
