import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@testing-library/react";

import { mockShell } from "../components/testing";
import { followThemeInWindow } from "./windowTheme";

describe("followThemeInWindow", () => {
  let stop: (() => void) | null = null;
  afterEach(() => {
    stop?.();
    document.documentElement.removeAttribute("data-theme");
  });

  it("shows the window in the page's palette after the first render, then follows each change once", async () => {
    const ipc = mockShell({ window_theme: () => null });
    document.documentElement.dataset.theme = "dark";
    stop = followThemeInWindow();
    await waitFor(() => expect(ipc.of("window_theme")).toEqual([{ dark: true }]));
    document.documentElement.dataset.theme = "light";
    await waitFor(() => expect(ipc.of("window_theme")).toEqual([{ dark: true }, { dark: false }]));
    // The same palette again is not news.
    document.documentElement.dataset.theme = "light";
    document.documentElement.setAttribute("data-theme-choice", "light");
    await new Promise((r) => setTimeout(r, 50));
    expect(ipc.of("window_theme")).toHaveLength(2);
  });
});
