/**
 * The person's theme: "system" follows the desktop's light/dark setting.
 *
 * The choice is kept in the WebView's localStorage rather than in the vault,
 * because it must be known before the vault is unlocked and before the first
 * paint: public/theme.js reads it synchronously in <head> and sets
 * <html data-theme>. This module writes it and asks that script to re-apply.
 */
export type ThemeChoice = "system" | "light" | "dark";

export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];
export const THEME_KEY = "coffer.theme";

function isChoice(value: unknown): value is ThemeChoice {
  return value === "system" || value === "light" || value === "dark";
}

/** The stored choice; anything unreadable or unknown is "system". */
export function readTheme(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(THEME_KEY);
    return isChoice(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

/** The palette in use now, as set on <html>. */
export function appliedTheme(): "light" | "dark" {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** The desktop's setting; false where it cannot be asked (no matchMedia). */
function systemIsDark(): boolean {
  if (!("matchMedia" in window)) return false;
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

/** Stores the choice and applies it at once (the boot script listens for "coffer-theme"). */
export function setTheme(choice: ThemeChoice): void {
  if (!isChoice(choice)) throw new Error(`Unknown theme: ${String(choice)}`);
  window.localStorage.setItem(THEME_KEY, choice);
  const root = document.documentElement;
  const dark = choice === "dark" || (choice === "system" && systemIsDark());
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.themeChoice = choice;
  window.dispatchEvent(new Event("coffer-theme"));
}
