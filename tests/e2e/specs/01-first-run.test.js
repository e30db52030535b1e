// First run in the window, then a relaunch that unlocks from the OS keyring,
// then "Lock now" and unlocking again.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";

import { PASSPHRASE, guarded, heading, launch, nav, scenario, shot, until, typeInto } from "../lib/app.js";

describe("first run, keyring unlock, lock", { timeout: 180_000 }, () => {
  const dir = scenario("first-run");
  let browser;
  let app;
  const step = guarded(() => browser);

  after(async () => {
    await app?.quit();
  });

  it(
    "creates the vault in the window and lands on the empty list",
    step("first-run", async () => {
      ({ browser, app } = await launch(dir));
      await heading(browser, "Create your vault");
      assert.match(await browser.$(".gate-card").getText(), new RegExp(path.join(dir, "vault.db").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      await shot(browser, "e2e-first-run.png");

      const first = await browser.$("aria/Recovery passphrase");
      const again = await browser.$("aria/Type it again");
      const keyring = await browser.$('input[type="checkbox"]');
      await typeInto(browser, first, PASSPHRASE);
      await typeInto(browser, again, "something else entirely 42");
      await browser.$("button=Create vault").click();
      // Differing entries are refused in the form.
      await until(async () => (await browser.$('[role="alert"]').getText()) === "The two entries differ.", {
        message: "the mismatch error",
      });
      await typeInto(browser, again, PASSPHRASE);
      assert.equal(await keyring.isSelected(), true, "the keyring box is checked by default");
      await browser.$("button=Create vault").click();

      await heading(browser, "Secrets", 30_000);
      await browser.$("h2=No secrets yet").waitForDisplayed();
      const register = await browser.$("a=Register your first secret");
      assert.equal(await register.isDisplayed(), true);
      assert.ok(fs.existsSync(path.join(dir, "vault.db")), "the vault file exists");
      await app.quit();
      app = undefined;
    }),
  );

  it(
    "unlocks from the keyring on relaunch, without the passphrase screen",
    step("keyring-relaunch", async () => {
      ({ browser, app } = await launch(dir));
      // Watch every frame until the list shows: the passphrase field must never appear.
      let sawPassphrase = false;
      await until(
        async () => {
          const state = await browser.execute(() => ({
            h1: document.querySelector("h1")?.textContent ?? "",
            passphrase: Boolean(document.querySelector('input[type="password"]')),
          }));
          sawPassphrase ||= state.passphrase;
          return state.h1 === "Secrets";
        },
        { interval: 20, timeout: 30_000, message: "the secrets list after a keyring unlock" },
      );
      assert.equal(sawPassphrase, false, "no passphrase field was shown");
      await browser.$("h2=No secrets yet").waitForDisplayed();
    }),
  );

  it(
    "locks now, shows the unlock screen, and unlocks again with the passphrase only",
    step("lock-now", async () => {
      await browser.$("button*=Lock now").click();
      await heading(browser, "Coffer is locked");
      await browser.$("button=Unlock").waitForDisplayed();
      assert.equal(await browser.$("aside, nav[aria-label='Main']").isExisting(), false, "the console is gone");
      await shot(browser, "e2e-unlock.png");

      // After a lock the keyring no longer unlocks: the recovery passphrase does (no PIN is set).
      const field = await browser.$("aria/Recovery passphrase");
      await typeInto(browser, field, "not the passphrase");
      await browser.$("button=Unlock").click();
      await until(async () => (await browser.$('[role="alert"]').getText()) === "That passphrase is not right.", {
        timeout: 30_000,
        message: "the wrong-passphrase error",
      });
      await typeInto(browser, field, PASSPHRASE);
      await browser.$("button=Unlock").click();
      await heading(browser, "Secrets", 30_000);

      // Lock again: still the passphrase, never a keyring button.
      await browser.$("button*=Lock now").click();
      await heading(browser, "Coffer is locked");
      assert.equal(await browser.$("button*=keyring").isExisting(), false, "no keyring button after a lock");
      await typeInto(browser, await browser.$("aria/Recovery passphrase"), PASSPHRASE);
      await browser.$("button=Unlock").click();
      await heading(browser, "Secrets", 30_000);
      await nav(browser, "Settings");
      await heading(browser, "Settings");
    }),
  );
});
