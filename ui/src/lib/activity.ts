import { useEffect } from "react";

/**
 * At most one report per this many milliseconds: input is frequent, the idle
 * lock is counted in minutes.
 */
export const ACTIVITY_REPORT_MS = 5_000;

/**
 * What a person does. Not pointer moves: WebKit fakes them when content
 * under a resting pointer changes (a refetch after a job run), and nothing
 * the app does on its own may postpone the idle lock.
 */
const INPUT_EVENTS = ["keydown", "pointerdown", "wheel"] as const;

/**
 * Calls `report` on a person's input anywhere in the window, at most once per
 * `everyMs` (the first input reports at once).
 */
export function useActivityReport(report: () => unknown, everyMs = ACTIVITY_REPORT_MS) {
  useEffect(() => {
    let last: number | null = null;
    const onInput = () => {
      const now = Date.now();
      if (last !== null && now - last < everyMs) return;
      last = now;
      report();
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
    };
  }, [report, everyMs]);
}
