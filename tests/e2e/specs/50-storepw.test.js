// Run now on a job that uses a store-password secret: the app asks for the
// password (one named field), a wrong one is said in the dialog and runs or
// records nothing, the right one runs the job with its output redacted.
// Screenshots at 1024×700, 1280×800, 1920×1080.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, scenario, shot, typeInto, until, viewport } from "../lib/app.js";

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];
const VALUE = "e2e-storepw-canary-4471";

describe("Run now asks for store passwords", { timeout: 180_000 }, () => {
  const dir = scenario("storepw");
  const marker = path.join(dir, "ran");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    const pw = path.join(dir, "store-pw");
    fs.writeFileSync(pw, "e2e store pw\n", { mode: 0o600 });
    cli(dir, ["secret", "add", "bearer_token", "deploy/token", "--field", "token=@-", "--store-password-file", pw], { input: VALUE });
    cli(dir, ["job", "add", "command", "deploy/push", "--env", "T=${secret:deploy/token}", "--", "/bin/sh", "-c", `echo "token=$T"; touch '${marker}'`]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
  });

  const shots = async (name) => {
    for (const [w, h] of SIZES) {
      await viewport(browser, w, h);
      await shot(browser, `5x-${name}-${w}.png`);
    }
    await viewport(browser, 1280, 800);
  };

  it(
    "asks, says a wrong password without running, and runs with the right one",
    step("run-now", async () => {
      await viewport(browser, 1280, 800);
      await browser.$('nav[aria-label="Main"]').$("a*=Jobs").click();
      await heading(browser, "Jobs");
      await (await browser.$("a*=deploy/push")).click();
      await heading(browser, "deploy/push");
      await (await browser.$("button*=Run now")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      const field = await control(browser, "Store password of deploy/token");
      await typeInto(browser, field, "not the password");
      await (await dialog.$("button=Run now")).click();
      await until(async () => /Wrong store password for deploy\/token; nothing was run or recorded/.test(await dialog.getText()), { message: "the wrong-password error" });
      assert.equal(fs.existsSync(marker), false, "the program ran");
      // Checked before the run starts: no failed run in the history.
      assert.match(await browser.$(".page").getText(), /No runs yet/);
      await shots("run-store-password");
      await field.clearValue();
      await typeInto(browser, field, "e2e store pw");
      await (await dialog.$("button=Run now")).click();
      await until(async () => !(await browser.$("dialog[open]").isExisting()), { message: "the dialog closed" });
      await until(async () => /token=\*\*\*/.test(await browser.$(".page").getText()), { timeout: 30_000, message: "the redacted log" });
      assert.ok(fs.existsSync(marker), "the program did not run");
      assert.doesNotMatch(await browser.$(".page").getText(), new RegExp(VALUE));
      // The one run recorded is the right one: #1, succeeded.
      const runs = JSON.parse(cli(dir, ["--json", "job", "runs", "deploy/push"]));
      assert.deepEqual(runs.map((r) => [r.number, r.status]), [[1, "succeeded"]]);
    }),
  );
});
