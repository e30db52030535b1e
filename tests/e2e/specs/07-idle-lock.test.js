// The idle lock locks while the app keeps itself busy: an interval job runs
// every minute with the Jobs page open and untouched (each run makes the page
// refetch), the idle lock is set to 2 minutes; the unlock screen shows within
// 3 minutes of the last input and the shell has dropped the keys (a reveal
// asks to unlock). Unlocking then asks for the quick-unlock PIN set in
// Settings, never the OS keyring.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, nav, scenario, toasts, typeInto, until } from "../lib/app.js";

const TOKEN = "e2e-idle-token-5521";
const PIN = "2468";

describe("the idle lock with a job running every minute", { timeout: 420_000 }, () => {
  const dir = scenario("idle");
  const ticks = path.join(dir, "ticks.txt");
  let secretId;
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    cli(dir, ["secret", "add", "bearer_token", "e2e/idle-token", "--field", "token=@-"], { input: TOKEN });
    secretId = JSON.parse(cli(dir, ["--json", "secret", "show", "e2e/idle-token"])).id;
    // The job decrypts the secret at each run and leaves a line per run.
    cli(dir, [
      "job", "add", "command", "e2e/tick", "--every", "1m",
      "--env", "TOKEN=${secret:e2e/idle-token}",
      "--", "/bin/sh", "-c", `date >> '${ticks}'`,
    ]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  it(
    "sets the idle lock to 2 minutes and a quick-unlock PIN",
    step("idle-settings", async () => {
      await nav(browser, "Settings");
      await browser.$("h2=Vault settings").waitForDisplayed();
      await typeInto(browser, await control(browser, "Quick-unlock PIN"), PIN);
      await typeInto(browser, await control(browser, "Repeat the PIN"), PIN);
      await browser.$("button=Set the PIN").click();
      await until(async () => (await browser.$("main").getText()).includes("A quick-unlock PIN is set for this session"), {
        message: "the PIN set",
      });
      await typeInto(browser, await control(browser, "Lock after idle (minutes)"), "2");
      await browser.$("button=Save settings").click();
      await until(async () => (await toasts(browser)).some((t) => /saved/i.test(t)), { message: "the settings saved" });
    }),
  );

  let lastInput;
  it(
    "locks within 3 minutes while the Jobs page stays open and the job keeps running",
    step("idle-lock", async () => {
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      await browser.$("a=e2e/tick").waitForDisplayed();
      lastInput = Date.now();
      // Only reads from here on: WebDriver scripts are no input.
      const left = 180_000 - (Date.now() - lastInput);
      await until(async () => (await browser.$("h1").getText()) === "Coffer is locked", {
        timeout: left,
        interval: 2_000,
        message: "the unlock screen",
      });
      const runs = fs.existsSync(ticks) ? fs.readFileSync(ticks, "utf8").trim().split("\n").length : 0;
      assert.ok(runs >= 1, `the job ran while the page was open (${runs} runs)`);
      assert.ok((await toasts(browser)).includes("Locked after inactivity."), "the lock says why");
    }),
  );

  it(
    "has dropped the keys: a reveal asks to unlock",
    step("idle-reveal", async () => {
      // The shell itself, as the page asks it (execute waits for the promise).
      const outcome = JSON.parse(
        await browser.execute(
          (id) =>
            window.__TAURI_INTERNALS__
              .invoke("reveal_field", { id, field: "token", storePassword: null })
              .then(
                (value) => JSON.stringify({ ok: true, value }),
                (error) => JSON.stringify({ ok: false, error }),
              ),
          secretId,
        ),
      );
      assert.equal(outcome.ok, false, "the reveal was refused");
      assert.equal(outcome.error.code, "locked", JSON.stringify(outcome.error));
      assert.ok(!JSON.stringify(outcome).includes(TOKEN), "no value came back");
      // The secret's page asks to unlock as well.
      await browser.execute((id) => {
        window.location.hash = `#/secrets/${id}`;
      }, secretId);
      await browser.$("button=Unlock").waitForDisplayed();
      assert.equal(await browser.$("h1").getText(), "Coffer is locked");
    }),
  );

  it(
    "unlocks with the PIN, not the keyring",
    step("idle-pin", async () => {
      // The shell refuses a keyring unlock after a lock, whatever the page asks.
      const keyring = JSON.parse(
        await browser.execute(() =>
          window.__TAURI_INTERNALS__.invoke("unlock_with_keyring").then(
            (value) => JSON.stringify({ ok: true, value }),
            (error) => JSON.stringify({ ok: false, error }),
          ),
        ),
      );
      assert.equal(keyring.ok, false, JSON.stringify(keyring));
      assert.equal(keyring.error.code, "locked");
      await typeInto(browser, await control(browser, "PIN"), "0000");
      await browser.$("button=Unlock").click();
      await until(async () => (await browser.$(".gate-card").getText()).includes("That PIN is not right: 2 tries left"), {
        timeout: 20_000,
        message: "the wrong-PIN error",
      });
      await typeInto(browser, await control(browser, "PIN"), PIN);
      await browser.$("button=Unlock").click();
      await until(async () => (await browser.$("h1").getText()) === "e2e/idle-token", { timeout: 20_000, message: "the secret's page again" });
    }),
  );
});
