// The vault-wide audit log page (filter, verify) and the theme switch: dark
// chosen in Settings applies at once, survives a restart and paints the
// unlock screen; screenshots of the main screens in dark, and of the touched
// screens at 1024×700, 1280×800 and 1920×1080.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { cli, guarded, heading, initVault, launch, nav, scenario, settle, shot, until } from "../lib/app.js";

const PASSWORD = "pw-AUDIT-e2e-5f1d";
const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];

/** Resizes the window until the page itself (the viewport) is `width`×`height`. */
async function pageSize(browser, width, height) {
  await browser.setWindowSize(width, height);
  for (let i = 0; i < 3; i++) {
    await settle(browser, 200);
    const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
    if (inner[0] === width && inner[1] === height) return;
    const outer = await browser.getWindowSize();
    await browser.setWindowSize(outer.width + width - inner[0], outer.height + height - inner[1]);
  }
  const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
  assert.deepEqual(inner, [width, height], "the page has the asked size");
}

/** A screenshot at each of the three sizes, named `${base}-${width}.png`; back to 1280×800. */
async function shotsAtSizes(browser, base) {
  for (const [w, h] of SIZES) {
    await pageSize(browser, w, h);
    await shot(browser, `${base}-${w}.png`);
  }
  await pageSize(browser, 1280, 800);
}

const theme = (browser) =>
  browser.execute(() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]);

describe("audit log page and theme", { timeout: 300_000 }, () => {
  const dir = scenario("audit-theme");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    const add = (args, input) => cli(dir, ["secret", "add", ...args], { input });
    add(["basic_auth", "prod/db", "--field", "username=app", "--field", "password=@-", "--label", "env=prod"], PASSWORD);
    add(["bearer_token", "ci/token", "--field", "token=@-", "--expires", new Date(Date.now() + 9 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z")], "tok-1");
    add(["api_key", "weather/api", "--field", "header_name=X-Api-Key", "--field", "value=@-"], "k-1");
    cli(dir, ["secret", "reveal", "prod/db"]);
    cli(dir, ["job", "add", "command", "ops/backup", "--every", "1h", "--env", "PW=${secret:prod/db#password}", "--", "/bin/true"]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
    await pageSize(browser, 1280, 800);
  });
  after(async () => {
    await app?.quit();
  });

  const rows = () =>
    browser.execute(() =>
      [...document.querySelectorAll(".audit-row[data-seq]")].map((r) => [...r.querySelectorAll('[role="cell"]')].map((c) => c.textContent.trim())),
    );
  const footLine = () => browser.$(".table-foot-line").getText();

  it(
    "lists the whole log, filters by action, verifies the chain",
    step("audit", async () => {
      await nav(browser, "Audit log");
      await heading(browser, "Audit log");
      await until(async () => (await rows()).length > 5, { message: "audit rows" });
      const all = await rows();
      const seqs = all.map((r) => Number(r[0]));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), "newest first");
      assert.ok(all.some((r) => r[3] === "Revealed" && r[4] === "Default:prod/db"), JSON.stringify(all));
      assert.ok(!JSON.stringify(all).includes(PASSWORD), "no value in the log");
      const total = Number((await footLine()).match(/^(\d+) entries/)[1]);
      assert.equal(total, all.length);

      await browser.$("label*=Action").$("select").selectByAttribute("value", "secret.reveal");
      await until(async () => (await footLine()) === "1 entry match", { message: "one reveal" });
      const [reveal] = await rows();
      assert.equal(reveal[3], "Revealed");
      assert.equal(reveal[4], "Default:prod/db");

      await browser.$("button=Clear").click();
      await until(async () => (await rows()).length === total, { message: "the whole log again" });
      await browser.$("button*=Verify").click();
      const notice = await browser.$(".notice-ok");
      await notice.waitForDisplayed();
      assert.match(await notice.getText(), new RegExp(`The chain is intact: ${total} entries verified`));
      await shotsAtSizes(browser, "audit");
    }),
  );

  it(
    "switches to dark in Settings at once",
    step("dark", async () => {
      const [initial] = await theme(browser);
      assert.equal(initial, "light", "the desktop under Xvfb is light");
      await nav(browser, "Settings");
      await heading(browser, "Settings");
      await browser.$("label=Dark").click();
      await until(async () => (await theme(browser))[0] === "dark", { message: "the dark theme" });
      assert.equal((await theme(browser))[1], "rgb(15, 20, 27)", "the dark background");
      await shotsAtSizes(browser, "dark-settings");
    }),
  );

  it(
    "shows every main screen in dark",
    step("dark screens", async () => {
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      await until(() => browser.$('[data-testid="secret-row-prod/db"]').isDisplayed(), { message: "the list" });
      await shotsAtSizes(browser, "dark-list");
      await browser.$('[data-testid="secret-row-prod/db"] .cell-name').click();
      await until(async () => (await browser.$("h1").getText()) === "prod/db", { message: "the detail" });
      await shot(browser, "dark-detail-1280.png");
      await browser.execute(() => {
        window.location.hash = "#/register/basic_auth";
      });
      await until(() => browser.$("h1*=Register").isDisplayed(), { message: "the register wizard" });
      await shot(browser, "dark-register-1280.png");
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      await until(() => browser.$("*=ops/backup").isDisplayed(), { message: "the job" });
      await shot(browser, "dark-jobs-1280.png");
      await nav(browser, "Expiry");
      await heading(browser, "Expiry");
      await shot(browser, "dark-expiry-1280.png");
      await nav(browser, "Audit log");
      await heading(browser, "Audit log");
      await until(async () => (await rows()).length > 5, { message: "audit rows" });
      await shotsAtSizes(browser, "dark-audit");
    }),
  );

  it(
    "keeps dark after a restart, from the first frame, and on the unlock screen",
    step("restart", async () => {
      await app.quit();
      ({ browser, app } = await launch(dir));
      // The boot script ran before the stylesheet: the first document we can see is dark.
      const [first] = await theme(browser);
      assert.equal(first, "dark");
      await heading(browser, "Secrets", 30_000);
      await pageSize(browser, 1280, 800);
      await browser.$("button*=Lock now").click();
      await browser.$("button=Unlock").waitForDisplayed();
      assert.deepEqual(await theme(browser), ["dark", "rgb(15, 20, 27)"]);
      await shot(browser, "dark-unlock-1280.png");
    }),
  );
});
