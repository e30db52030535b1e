// Two processes on one vault: the app stays open and unlocked while the CLI
// adds and edits secrets; the app shows each change within a few seconds,
// without a restart or a reload. After the CLI rotates the master key, the
// app drops its old key and asks to unlock again, saying why.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { PASSPHRASE, cli, control, guarded, heading, initVault, launch, listRows, nav, scenario, settle, shot, typeInto, until } from "../lib/app.js";

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];

/** Sets the window so that the page itself is `width` × `height`. */
async function pageSize(browser, width, height) {
  for (let i = 0; i < 5; i++) {
    const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
    if (inner[0] === width && inner[1] === height) return;
    const outer = await browser.getWindowSize();
    await browser.setWindowSize(outer.width + width - inner[0], outer.height + height - inner[1]);
    await settle(browser, 300);
  }
  const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
  assert.deepEqual(inner, [width, height], "the page has the asked size");
}

describe("the app and the CLI on one vault at once", { timeout: 180_000 }, () => {
  const dir = scenario("two-processes");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    cli(dir, ["secret", "add", "basic_auth", "e2e/first", "--field", "username=ann", "--field", "password=@-"], { input: "pw-1" });
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
    await until(async () => (await listRows(browser)).some((r) => r.name === "e2e/first"), { message: "the first secret" });
  });
  after(async () => {
    await app?.quit();
  });

  it(
    "shows a secret the CLI adds while the app is open",
    step("cli-add", async () => {
      const started = Date.now();
      cli(dir, [
        "secret", "add", "basic_auth", "e2e/from-cli", "--field", "username=bob", "--field", "password=@-",
        "--description", "Added by the CLI beside the app",
      ], { input: "pw-2" });
      await until(async () => (await listRows(browser)).some((r) => r.name === "e2e/from-cli"), {
        timeout: 5_000,
        message: "the CLI's secret in the list",
      });
      console.log(`the app showed the CLI's new secret ${Date.now() - started} ms after the CLI started`);
      for (const [w, h] of SIZES) {
        await pageSize(browser, w, h);
        await shot(browser, `desk-two-processes-list-${w}.png`);
      }
    }),
  );

  it(
    "shows the CLI's edit on the open detail page",
    step("cli-edit", async () => {
      await browser.$('[data-testid="secret-row-e2e/from-cli"] .cell-name').click();
      await until(async () => /Added by the CLI/.test(await browser.$(".detail-description").getText()), { message: "the detail" });
      cli(dir, ["secret", "update", "e2e/from-cli", "--description", "Edited by the CLI while the page was open"]);
      await until(async () => /Edited by the CLI/.test(await browser.$(".detail-description").getText()), {
        timeout: 5_000,
        message: "the CLI's edit on the page",
      });
      await shot(browser, "desk-two-processes-detail.png");
    }),
  );

  it(
    "drops its key and asks to unlock again after the CLI rotates the master key",
    step("cli-rotate", async () => {
      cli(dir, ["--passphrase-file", path.join(dir, "passphrase"), "vault", "rotate-key"]);
      await until(async () => (await browser.$("h1").getText()) === "Coffer is locked", {
        timeout: 5_000,
        message: "the unlock screen",
      });
      assert.match(await browser.$(".gate-card").getText(), /replaced the master key/);
      for (const [w, h] of SIZES) {
        await pageSize(browser, w, h);
        await shot(browser, `desk-key-replaced-${w}.png`);
      }
      await pageSize(browser, 1280, 800);
      if (!(await (await browser.$("aria/Recovery passphrase")).isExisting())) {
        await browser.$("button=Use the recovery passphrase").click();
      }
      await typeInto(browser, await control(browser, "Recovery passphrase"), PASSPHRASE);
      await browser.$('form button[type="submit"]').click();
      // Back where it was, with the new key.
      await until(async () => (await browser.$("h1").getText()) === "e2e/from-cli", { timeout: 30_000, message: "the detail again" });
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      // Written with the new key: the CLI reads it.
      await until(async () => (await listRows(browser)).some((r) => r.name === "e2e/from-cli"), { message: "the list again" });
      const audit = JSON.parse(cli(dir, ["--json", "audit", "verify"]));
      assert.equal(audit.ok, true, JSON.stringify(audit));
    }),
  );
});
