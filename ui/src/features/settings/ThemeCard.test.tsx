import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import boot from "../../../public/theme.js?raw";
import { readTheme, THEME_KEY } from "../../lib/theme";
import { ThemeCard } from "./ThemeCard";

/** Runs the real boot script that index.html loads before the stylesheet. */
function runBootScript() {
  // The script is a file of this repository, run as the WebView runs it.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
  new Function(boot)();
}

/** jsdom has no matchMedia: a real MediaQueryList-shaped object whose state the test drives. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    matches: dark,
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  Object.defineProperty(window, "matchMedia", { configurable: true, value: () => query });
  return {
    set(next: boolean) {
      query.matches = next;
      for (const listener of listeners) listener();
    },
  };
}

beforeEach(() => {
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
  delete document.documentElement.dataset.themeChoice;
});
afterEach(() => {
  Reflect.deleteProperty(window, "matchMedia");
});

describe("theme", () => {
  it("the boot script applies the stored choice before anything renders", () => {
    fakeSystem(false);
    window.localStorage.setItem(THEME_KEY, "dark");
    runBootScript();
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(document.documentElement.dataset.themeChoice).toBe("dark");
  });

  it("the boot script follows the system when nothing (or nonsense) is stored", () => {
    const system = fakeSystem(true);
    window.localStorage.setItem(THEME_KEY, "purple");
    runBootScript();
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(document.documentElement.dataset.themeChoice).toBe("system");
    system.set(false);
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(readTheme()).toBe("system");
  });

  it("Settings switches system / light / dark, applies it at once and keeps it", async () => {
    const user = userEvent.setup();
    const system = fakeSystem(false);
    runBootScript();
    render(<ThemeCard />);
    expect(screen.getByRole("radio", { name: "System" })).toBeChecked();
    expect(document.documentElement.dataset.theme).toBe("light");

    await user.click(screen.getByRole("radio", { name: "Dark" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(window.localStorage.getItem(THEME_KEY)).toBe("dark");
    // A forced theme ignores the system changing.
    system.set(false);
    expect(document.documentElement.dataset.theme).toBe("dark");

    await user.click(screen.getByRole("radio", { name: "Light" }));
    expect(document.documentElement.dataset.theme).toBe("light");
    system.set(true);
    expect(document.documentElement.dataset.theme).toBe("light");

    await user.click(screen.getByRole("radio", { name: "System" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(window.localStorage.getItem(THEME_KEY)).toBe("system");
    expect(screen.getByText(/Follows the desktop/)).toBeInTheDocument();
  });

  it("a new card shows the stored choice", () => {
    fakeSystem(false);
    window.localStorage.setItem(THEME_KEY, "light");
    render(<ThemeCard />);
    expect(screen.getByRole("radio", { name: "Light" })).toBeChecked();
  });
});
