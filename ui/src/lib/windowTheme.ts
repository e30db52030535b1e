import { commands } from "../ipc/client";
import { appliedTheme } from "./theme";

/**
 * Keeps the native window (its title bar and the background painted behind
 * the page) in the page's palette, and shows the window once the page has
 * rendered: the window starts hidden so that no white frame shows before a
 * dark page. Follows every palette change (the setting, or the desktop's
 * when the choice is "system"). Returns a function that stops following.
 */
export function followThemeInWindow(): () => void {
  let last: boolean | null = null;
  const tell = () => {
    const dark = appliedTheme() === "dark";
    if (dark === last) return;
    last = dark;
    commands.windowTheme(dark).catch(() => undefined);
  };
  // Once the first render is done. (Not requestAnimationFrame: a hidden
  // window draws no frames.)
  const first = setTimeout(tell, 0);
  const observer = new MutationObserver(tell);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => {
    clearTimeout(first);
    observer.disconnect();
  };
}
