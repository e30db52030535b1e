// Helpers for driving the real Coffer desktop app through tauri-driver.
//
// The runner (tests/e2e/run) starts Xvfb, a private D-Bus session with an
// unlocked gnome-keyring (dunst is D-Bus-activated for notifications) and
// tauri-driver, then runs the specs with:
//   COFFER_E2E_APP          the coffer-desktop binary
//   COFFER_E2E_CLI          the coffer CLI binary
//   COFFER_E2E_DRIVER_PORT  tauri-driver's port
//   COFFER_E2E_WORK         a scratch directory for this run
//   COFFER_E2E_SHOTS        where screenshots go
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import { Key, remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(here, "..");
export const ROOT = path.resolve(E2E_DIR, "../..");

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through tests/e2e/run`);
  return value;
}

export const APP = () => need("COFFER_E2E_APP");
export const CLI = () => need("COFFER_E2E_CLI");
export const WORK = () => need("COFFER_E2E_WORK");
export const SHOTS = () => need("COFFER_E2E_SHOTS");

export const PASSPHRASE = "correct horse battery staple 42";

/** A fresh scenario directory: the app's HOME, XDG dirs and vault live in it. */
export function scenario(name) {
  fs.mkdirSync(WORK(), { recursive: true });
  const dir = fs.mkdtempSync(path.join(WORK(), `${name}-`));
  for (const sub of ["home", "data", "config", "cache"]) fs.mkdirSync(path.join(dir, sub));
  return dir;
}

function scenarioEnv(dir) {
  return {
    ...process.env,
    HOME: path.join(dir, "home"),
    XDG_DATA_HOME: path.join(dir, "data"),
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_CACHE_HOME: path.join(dir, "cache"),
    COFFER_VAULT: path.join(dir, "vault.db"),
    // Owners are named after the OS user; CI shells may not set it.
    USER: process.env.USER || "e2e",
  };
}

/** Runs the coffer CLI on the scenario's vault; returns stdout. */
export function cli(dir, args, { input } = {}) {
  try {
    return execFileSync(CLI(), args, {
      env: scenarioEnv(dir),
      input: input ?? "",
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    throw new Error(`coffer ${args.join(" ")} failed: ${error.stderr || error.message}`);
  }
}

/** Creates the scenario's vault with the CLI, its master key in the OS keyring. */
export function initVault(dir) {
  const file = path.join(dir, "passphrase");
  fs.writeFileSync(file, PASSPHRASE, { mode: 0o600 });
  cli(dir, ["init", "--passphrase-file", file]);
}

/** An RFC 3339 time `days` from now (UTC, whole seconds). */
export function daysFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the app on the scenario directory's vault and connects WebDriver to
 * it. Returns the browser, with `app.pid` and `app.quit()`.
 */
export async function launch(dir) {
  const pidFile = path.join(dir, "app.pid");
  fs.rmSync(pidFile, { force: true });
  const browser = await remote({
    hostname: "127.0.0.1",
    port: Number(need("COFFER_E2E_DRIVER_PORT")),
    logLevel: "silent",
    connectionRetryTimeout: 60_000,
    connectionRetryCount: 1,
    waitforTimeout: 15_000,
    capabilities: {
      "tauri:options": { application: path.join(E2E_DIR, "lib/launch-app"), args: [dir] },
    },
  });
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  const app = {
    pid,
    dir,
    /** Ends the WebDriver session (which ends the app) and waits for the process to go. */
    async quit() {
      try {
        await browser.deleteSession();
      } catch {
        // The session may already be gone; the process check below decides.
      }
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
      if (alive(pid)) {
        process.kill(pid, "SIGKILL");
        throw new Error(`the app (pid ${pid}) did not exit within 10 s of closing the session`);
      }
    },
  };
  return { browser, app };
}

/** Lets React and WebKit finish a frame: two animation frames and a short pause. */
export async function settle(browser, ms = 150) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await sleep(ms);
}

/** Saves a screenshot of the window's page to the screenshots directory, once no toast shows. */
export async function shot(browser, name) {
  await until(async () => (await toasts(browser)).length === 0, { timeout: 10_000, message: "toasts to go" });
  await settle(browser, 400);
  fs.mkdirSync(SHOTS(), { recursive: true });
  const file = path.join(SHOTS(), name);
  await browser.saveScreenshot(file);
  return file;
}

/** Saves a screenshot and the page's markup after a failure, for diagnosis. */
export async function failureReport(browser, name) {
  if (!browser) return;
  const dir = path.join(WORK(), "failures");
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, name.replace(/[^A-Za-z0-9_-]+/g, "_"));
  try {
    await browser.saveScreenshot(`${base}.png`);
    fs.writeFileSync(`${base}.html`, await browser.getPageSource());
    console.error(`failure screenshot: ${base}.png`);
  } catch (error) {
    console.error(`no failure screenshot: ${error.message}`);
  }
}

/** Waits for `fn` to return a truthy value; returns it. */
export async function until(fn, { timeout = 15_000, interval = 100, message = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(interval);
  }
}

/** Waits until the page's main heading (h1) reads `text`. */
export async function heading(browser, text, timeout = 15_000) {
  await until(async () => (await browser.$("h1").getText()) === text, { timeout, message: `the heading "${text}"` });
}

/**
 * The displayed form control labelled exactly `text` (a <label for>, or an
 * aria-label), like a person finds it; hidden steps and near names don't match.
 */
export async function control(browser, text) {
  const ref = await until(
    () =>
      browser.execute((wanted) => {
        const shown = (e) => e && e.getClientRects().length > 0;
        for (const label of document.querySelectorAll("label[for]")) {
          const c = document.getElementById(label.htmlFor);
          if (label.textContent.trim() === wanted && shown(c)) return c;
        }
        for (const c of document.querySelectorAll("input[aria-label], textarea[aria-label], select[aria-label]")) {
          if (c.getAttribute("aria-label") === wanted && shown(c)) return c;
        }
        return null;
      }, text),
    { message: `a field labelled "${text}"` },
  );
  return browser.$(ref);
}

/**
 * Replaces the text of an input or textarea with `text` the way a person does:
 * focus, select all, Backspace, type. WebDriver's own clear (used by
 * setValue/clearValue) resets the value without an input event, so React can
 * re-render the old value over it and the new text lands after the old one.
 * Waits until the field holds exactly `text`.
 */
export async function typeInto(browser, element, text) {
  await element.click();
  if ((await element.getValue()) !== "") {
    await browser.execute((e) => e.select(), element);
    await browser.keys(Key.Backspace);
    await until(async () => (await element.getValue()) === "", { message: "the field to be empty" });
  }
  if (text !== "") await element.addValue(text);
  await until(async () => (await element.getValue()) === text, { message: `the field to read ${JSON.stringify(text)}` });
}

/** Texts of the visible secrets-list rows, by column. */
export async function listRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('.table-body [role="row"][data-testid]')]
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((row) => {
        const cell = (col) => row.querySelector(`[role="gridcell"][data-col="${col}"]`)?.textContent.trim();
        // The chips shown (a "+N" chip stands for the ones that do not fit).
        const labels = [...row.querySelectorAll(".label-chip[data-label]")].map((c) => c.textContent.trim());
        const more = row.querySelector(".label-more")?.textContent.trim();
        return {
          name: row.dataset.testid.replace(/^secret-row-/, ""),
          type: cell("type"),
          status: cell("status"),
          expires: cell("expires"),
          labels: more ? [...labels, more] : labels,
        };
      }),
  );
}

/** Navigates with the sidebar link named `label` ("Secrets", "Expiry", "Trash", "Settings"). */
export async function nav(browser, label) {
  const link = await browser.$(`nav[aria-label="Main"]`).$(`a*=${label}`);
  await link.click();
}

/** The toast texts currently shown. */
export async function toasts(browser) {
  return browser.execute(() => [...document.querySelectorAll(".toasts > *")].map((t) => t.textContent.trim()));
}

/** Whether a JavaScript alert is open (WebDriver's "no such alert" means none). */
export async function alertOpen(browser) {
  try {
    await browser.getAlertText();
    return true;
  } catch {
    return false;
  }
}

// ---- notifications (dunst) ----

function dunstctl(args) {
  return execFileSync("dunstctl", args, { encoding: "utf8" });
}

/** Closes shown notifications (dunst moves them to its history) and returns the history. */
export function notificationHistory() {
  dunstctl(["close-all"]);
  const json = JSON.parse(dunstctl(["history"]));
  return (json.data?.[0] ?? []).map((n) => ({
    id: n.id?.data,
    appname: n.appname?.data,
    summary: n.summary?.data,
    body: n.body?.data,
  }));
}

/** Notifications received since `baseline` (the highest id seen before). */
export function notificationsSince(baseline) {
  return notificationHistory().filter((n) => n.id > baseline);
}

/** The highest notification id so far (0 when none). */
export function notificationBaseline() {
  return Math.max(0, ...notificationHistory().map((n) => n.id));
}

/**
 * Steps of one scenario: each runs only if the ones before it passed (later
 * steps build on earlier ones); a failure saves a screenshot and the markup.
 */
export function guarded(getBrowser) {
  let failed = null;
  return (name, fn) => async (t) => {
    if (failed) {
      t.skip(`after the failed step "${failed}"`);
      return;
    }
    try {
      await fn(t);
    } catch (error) {
      failed = name;
      await failureReport(getBrowser(), name);
      throw error;
    }
  };
}

/**
 * Fills the scenario's vault (not yet created) with `count` basic-auth secrets
 * named svc-000000, svc-000001, … through coffer-core (tests/e2e/vaultgen), the
 * master key in the OS keyring and the recovery passphrase PASSPHRASE.
 */
export function bigVault(dir, count) {
  execFileSync(need("COFFER_E2E_VAULTGEN"), [path.join(dir, "vault.db"), String(count)], {
    env: { ...scenarioEnv(dir), COFFER_VAULTGEN_PASSPHRASE: PASSPHRASE },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/**
 * Resizes the window so that the page (the viewport) is `width` × `height`,
 * checks that it really is, and returns the size.
 */
export async function viewport(browser, width, height) {
  const inner = () => browser.execute(() => [window.innerWidth, window.innerHeight]);
  let frame = [0, 0];
  const size = await until(
    async () => {
      // Window decorations (if any) take the difference: grow the window by it.
      await browser.setWindowSize(width + frame[0], height + frame[1]);
      await settle(browser, 100);
      const [w, h] = await inner();
      if (w === width && h === height) return [w, h];
      frame = [frame[0] + width - w, frame[1] + height - h];
      return null;
    },
    { timeout: 30_000, interval: 200, message: `a ${width}×${height} page` },
  );
  await settle(browser, 300);
  return size;
}

/**
 * Chooses `name` in the secret picker (a search-as-you-type combobox) labelled
 * `label`: types the name, then clicks the option that is exactly it.
 */
export async function chooseSecret(browser, label, name) {
  const input = await control(browser, label);
  await typeInto(browser, input, name);
  const option = await until(
    () =>
      browser.execute((wanted) => {
        for (const o of document.querySelectorAll('[role="listbox"] [role="option"]')) {
          if (o.querySelector(".picker-name")?.textContent === wanted) return o;
        }
        return null;
      }, name),
    { message: `the option ${name}` },
  );
  await browser.$(option).click();
  await until(async () => (await input.getValue()) === name && (await input.getAttribute("aria-expanded")) === "false", {
    message: `${name} chosen`,
  });
  return input;
}

/**
 * Gives `file` to the page's own file input labelled `label` (kept out of sight
 * for people, who use the native dialog): WebKit's driver types only into an
 * element it can see, so the input is shown for the moment it takes the file.
 */
export async function setFileInput(browser, label, file) {
  const input = await browser.$(`input[type="file"][aria-label="${label}"]`);
  await browser.execute((el) => {
    el.dataset.e2eHidden = el.parentElement.className;
    el.parentElement.className = "";
    el.style.cssText = "position:fixed;left:0;top:0;width:240px;height:32px;z-index:99999";
  }, input);
  await input.setValue(file);
  try {
    await browser.execute((el) => {
      el.style.cssText = "";
      el.parentElement.className = el.dataset.e2eHidden ?? "";
    }, input);
  } catch {
    // The box took the file and no longer shows its input.
  }
}
