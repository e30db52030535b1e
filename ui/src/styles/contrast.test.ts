import { describe, expect, it } from "vitest";

import css from "./app.css?raw";

/** The custom properties of the block that starts with `selector {`, as written in app.css. */
function palette(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no block ${selector} in app.css`);
  const body = css.slice(start, css.indexOf("}", start));
  const vars = new Map<string, string>();
  for (const match of body.matchAll(/--([a-z0-9-]+):\s*([^;]+);/g)) vars.set(match[1] ?? "", (match[2] ?? "").trim());
  return vars;
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((part) => {
    const c = parseInt(part ?? "0", 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Every text colour on every background it is drawn on in the stylesheets
 * (text, muted text, links, badges, buttons, notices, sidebar, toasts).
 */
const PAIRS: [text: string, background: string][] = [
  ["text", "bg"],
  ["text", "surface"],
  ["text", "surface-2"],
  ["text", "surface-3"],
  ["text", "accent-soft"],
  ["text", "warn-soft"],
  ["text", "danger-soft"],
  ["text", "ok-soft"],
  ["text-2", "bg"],
  ["text-2", "surface"],
  ["text-2", "surface-2"],
  ["text-2", "surface-3"],
  ["text-3", "bg"],
  ["text-3", "surface"],
  ["text-3", "surface-2"],
  ["text-3", "muted-soft"],
  ["accent", "bg"],
  ["accent", "surface"],
  ["accent-2", "accent-soft"],
  ["on-accent", "accent"],
  ["on-danger", "danger"],
  ["danger", "surface"],
  ["danger", "danger-soft"],
  ["warn", "surface"],
  ["warn", "warn-soft"],
  ["ok", "surface"],
  ["ok", "ok-soft"],
  ["surface", "text"],
  ["sidebar-text", "sidebar"],
  ["sidebar-text", "sidebar-active"],
  ["sidebar-strong", "sidebar"],
  ["sidebar-strong", "sidebar-active"],
];

const THEMES = {
  light: palette(':root, :root[data-theme="light"]'),
  dark: palette(':root[data-theme="dark"]'),
};

describe("the palettes", () => {
  it("define the same colours in light and dark", () => {
    expect([...THEMES.dark.keys()].sort()).toEqual([...THEMES.light.keys()].sort());
    expect(THEMES.light.size).toBeGreaterThan(20);
  });

  for (const [name, vars] of Object.entries(THEMES)) {
    it(`meet WCAG AA (4.5:1) for every text/background pair in ${name}`, () => {
      const failing: string[] = [];
      for (const [fg, bg] of PAIRS) {
        const a = vars.get(fg);
        const b = vars.get(bg);
        if (a === undefined || b === undefined) throw new Error(`${name} lacks --${a === undefined ? fg : bg}`);
        const ratio = contrast(a, b);
        if (ratio < 4.5) failing.push(`--${fg} on --${bg}: ${ratio.toFixed(2)}`);
      }
      expect(failing).toEqual([]);
    });
  }

  it("computes contrast as WCAG defines it", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
  });
});
