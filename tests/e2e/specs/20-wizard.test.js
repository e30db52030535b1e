// The job wizard on a 10,000-secret vault: "Use in a job…" from svc-005000's
// page pre-selects it; the picker searches the whole vault as one types and
// is driven with the keyboard; a command job with problems is not created
// without the problems listed. Screenshots at 1024×700, 1280×800, 1920×1080.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Key } from "webdriverio";

import { bigVault, chooseSecret, control, guarded, heading, launch, scenario, shot, typeInto, until, viewport } from "../lib/app.js";

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];

describe("the job wizard on a 10,000-secret vault", { timeout: 300_000 }, () => {
  const dir = scenario("wizard");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    bigVault(dir, 10_000);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
  });

  const stepTitle = () => browser.$("#job-step-title").getText();
  const atStep = (title) => until(async () => (await stepTitle()) === title, { message: `the step "${title}"` });
  const button = async (text) => {
    const el = await browser.$(`button*=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };
  const shots = async (name) => {
    for (const [w, h] of SIZES) {
      await viewport(browser, w, h);
      await shot(browser, `wizard-${name}-${w}.png`);
    }
    await viewport(browser, 1280, 800);
  };

  it(
    "pre-selects svc-005000 when a job is started from its page",
    step("use-in-job", async () => {
      await viewport(browser, 1280, 800);
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-005000");
      const row = await browser.$('[data-testid="secret-row-svc-005000"] .cell-name');
      await row.waitForClickable({ timeout: 15_000 });
      await row.click();
      await heading(browser, "svc-005000");
      await (await browser.$("a*=Use in a job")).click();
      await heading(browser, "New job");
      await (await button("HTTP fetch")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "nightly/svc-5000");
      await typeInto(browser, await control(browser, "URL"), "https://repo.example.com/a.tgz");
      await typeInto(browser, await control(browser, "Target file"), "/tmp/coffer-e2e-never-written.tgz");
      await (await button("Next")).click();
      await atStep("Secrets it uses");
      const credentials = await control(browser, "Credentials");
      await until(async () => (await credentials.getValue()) === "svc-005000", { message: "svc-005000 pre-selected" });
    }),
  );

  it(
    "searches the whole vault as one types and chooses with the keyboard",
    step("picker-search", async () => {
      const credentials = await control(browser, "Credentials");
      await typeInto(browser, credentials, "svc-00987");
      const foot = await until(
        async () => {
          const text = await browser.$(".picker-foot").getText();
          return text.startsWith("10 secrets match") ? text : null;
        },
        { message: "the ten matches of svc-00987" },
      );
      assert.match(foot, /svc-00987/);
      const names = await browser.execute(() => [...document.querySelectorAll('[role="listbox"] .picker-name')].map((n) => n.textContent));
      assert.deepEqual(names.slice(0, 3), ["None", "svc-009870", "svc-009871"]);
      // The first match is active; one down, Enter.
      await browser.keys([Key.ArrowDown]);
      await shots("picker");
      await browser.keys([Key.Enter]);
      await until(async () => (await credentials.getValue()) === "svc-009871", { message: "svc-009871 chosen" });
      // The open list without a filter shows the whole vault, a window of it in the page.
      await credentials.click();
      await browser.keys([Key.ArrowDown]);
      await until(async () => /^10,?000 secrets/.test(await browser.$(".picker-foot").getText()), { message: "all 10,000 offered" });
      const shown = await browser.execute(() => document.querySelectorAll('[role="listbox"] [role="option"]').length);
      assert.ok(shown < 60, `virtualized: ${shown} options in the page`);
      await browser.keys([Key.Escape]);
      await until(async () => (await credentials.getAttribute("aria-expanded")) === "false", { message: "the list closed" });
      assert.equal(await credentials.getValue(), "svc-009871");
      await heading(browser, "New job");
      await chooseSecret(browser, "Credentials", "svc-005000");
      await shots("security");
    }),
  );

  it(
    "lists a command job's problems in Review and creates it only when confirmed",
    step("command-problems", async () => {
      await (await button("Cancel")).click();
      await (await browser.$("button=Discard")).click();
      await heading(browser, "Jobs");
      await browser.$("a*=New job").click();
      await heading(browser, "New job");
      await (await button("Command")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "db/dump");
      await typeInto(browser, await control(browser, "Program"), "/usr/bin/env");
      for (const [i, arg] of ["--user=${secret:svc-000001#usernme}", "/tmp/a b.sql", "${secret:no/such}"].entries()) {
        await (await button("Add an argument")).click();
        await typeInto(browser, await control(browser, `Argument ${i + 1}`), arg);
      }
      await until(async () => (await browser.$$(".ph-bad")).length === 2, { message: "two placeholders marked red" });
      await (await button("Next")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      const listed = await dialog.getText();
      assert.match(listed, /Argument 1: .*usernme/);
      assert.match(listed, /Argument 3: .*no\/such/);
      await (await dialog.$("button=Go on anyway")).click();
      await atStep("Secrets it uses");
      await (await button("Next")).click();
      await atStep("When it runs");
      await (await button("Next")).click();
      await atStep("Review");
      const args = await browser.execute(() => [...document.querySelectorAll('[aria-label="Arguments, as passed"] code')].map((c) => c.textContent));
      assert.deepEqual(args, ["--user=${secret:svc-000001#usernme}", "/tmp/a b.sql", "${secret:no/such}"]);
      assert.match(await browser.$(".reg-card").getText(), /2 problems/);
      await shots("command-review");
      await (await button("Create job")).click();
      await browser.$("dialog[open]").waitForDisplayed({ timeout: 10_000 });
      await shots("command-confirm");
      await (await browser.$("dialog[open]").$("button=Create anyway")).click();
      await heading(browser, "db/dump");
    }),
  );

  it(
    "sets a new value with the wizard's password generator and show toggle",
    step("set-new-value", async () => {
      await browser.$('nav[aria-label="Main"]').$("a*=Secrets").click();
      await heading(browser, "Secrets");
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-000002");
      const row = await browser.$('[data-testid="secret-row-svc-000002"] .cell-name');
      await row.waitForClickable({ timeout: 15_000 });
      await row.click();
      await heading(browser, "svc-000002");
      await (await button("Set new value")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      await (await dialog.$("button*=Generate a strong password")).click();
      await (await dialog.$('button[aria-label="Show password"]')).click();
      const value = await (await control(browser, "Password")).getValue();
      assert.match(value, /^\S{24}$/);
      await shots("set-new-value");
      await (await dialog.$("button=Save new value")).click();
      await until(async () => !(await browser.$("dialog[open]").isExisting()), { message: "the dialog to close" });
    }),
  );
});
