// The screens this work touched, in the real app at 1024×700, 1280×800 and
// 1920×1080: a data secret's page (Save to file…, a copy audited as
// "Copied"), a job's runs numbered per job with their measured duration,
// Settings' lock card with a quick-unlock PIN, and the PIN unlock after
// "Lock now".
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, nav, scenario, settle, shot, typeInto, until } from "../lib/app.js";

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];
const PIN = "2468";

async function pageSize(browser, width, height) {
  for (let i = 0; i < 5; i++) {
    const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
    if (inner[0] === width && inner[1] === height) return;
    const outer = await browser.getWindowSize();
    await browser.setWindowSize(outer.width + width - inner[0], outer.height + height - inner[1]);
    await settle(browser, 300);
  }
  assert.deepEqual(await browser.execute(() => [window.innerWidth, window.innerHeight]), [width, height], "the page has the asked size");
}

async function shots(browser, name, before = async () => {}) {
  for (const [w, h] of SIZES) {
    await pageSize(browser, w, h);
    await before();
    await shot(browser, `${name}-${w}.png`);
  }
  await pageSize(browser, 1280, 800);
}

describe("the screens of the desk work", { timeout: 240_000 }, () => {
  const dir = scenario("desk-screens");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    const file = path.join(dir, "kubeconfig.yaml");
    fs.writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters: []\n");
    cli(dir, ["secret", "add", "data", "prod/kubeconfig", "--file", `data=${file}`, "--description", "Cluster access for the deploy job"]);
    cli(dir, ["job", "add", "command", "e2e/warm-up", "--", "/bin/sh", "-c", "echo warm"]);
    cli(dir, ["job", "run", "e2e/warm-up"]);
    cli(dir, ["job", "run", "e2e/warm-up"]);
    cli(dir, ["job", "add", "command", "e2e/hello", "--", "/bin/sh", "-c", "sleep 0.4; echo hello"]);
    cli(dir, ["job", "run", "e2e/hello"]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  it(
    "a data secret offers Save to file…, and a copy is audited as Copied",
    step("desk-detail", async () => {
      await browser.$('[data-testid="secret-row-prod/kubeconfig"] .cell-name').click();
      await until(async () => (await browser.$("h1").getText()) === "prod/kubeconfig", { message: "the detail" });
      await browser.$("button=Save to file…").waitForDisplayed();
      await browser.$("button*=Copy").click();
      await browser.$("button=Audit").click();
      await until(async () => (await browser.$("main").getText()).includes("Copied"), { message: "the Copied entry" });
      assert.ok(!(await browser.$("main").getText()).includes("Revealed"), "a copy is not a reveal");
      await shots(browser, "desk-detail-copied");
    }),
  );

  it(
    "a new job's first run is #1, with its measured duration",
    step("desk-runs", async () => {
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      await browser.$("a=e2e/hello").click();
      await until(async () => (await browser.$("h1").getText()) === "e2e/hello", { message: "the job" });
      const summary = await browser.$(".run-item summary").getText();
      assert.match(summary, /#1(?!\d)/, summary);
      assert.match(summary, /\d+ ms|\d+\.\d s/, summary);
      assert.doesNotMatch(summary, /0\.0 s/, summary);
      await shots(browser, "desk-job-runs");
    }),
  );

  it(
    "Settings says what the lock defends against and sets a PIN",
    step("desk-settings", async () => {
      await nav(browser, "Settings");
      await heading(browser, "Settings");
      await typeInto(browser, await control(browser, "Quick-unlock PIN"), PIN);
      await typeInto(browser, await control(browser, "Repeat the PIN"), PIN);
      await browser.$("button=Set the PIN").click();
      await until(async () => (await browser.$("main").getText()).includes("A quick-unlock PIN is set for this session"), { message: "the PIN set" });
      await shots(browser, "desk-settings-lock", () =>
        browser.execute(() => document.getElementById("lock-title")?.scrollIntoView({ block: "start" })),
      );
    }),
  );

  it(
    "after Lock now, the PIN unlocks",
    step("desk-pin", async () => {
      await browser.$("button*=Lock now").click();
      await heading(browser, "Coffer is locked");
      await control(browser, "PIN");
      assert.equal(await browser.$("button*=keyring").isExisting(), false);
      await shots(browser, "desk-unlock-pin");
      await typeInto(browser, await control(browser, "PIN"), PIN);
      await browser.$("button=Unlock").click();
      await until(async () => (await browser.$("h1").getText()) === "Settings", { timeout: 20_000, message: "back in Settings" });
    }),
  );
});
