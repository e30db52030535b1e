// A secret expiring within 7 days produces exactly one desktop notification
// (dunst), naming it; a relaunch and a later change do not repeat it.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import {
  cli,
  daysFromNow,
  guarded,
  heading,
  initVault,
  launch,
  notificationBaseline,
  notificationsSince,
  scenario,
  until,
} from "../lib/app.js";

const NAME = "payments/stripe-key";

describe("expiry notifications", { timeout: 180_000 }, () => {
  const dir = scenario("notify");
  let browser;
  let app;
  let baseline;
  const step = guarded(() => browser);

  before(() => {
    initVault(dir);
    cli(dir, ["secret", "add", "api_key", NAME, "--field", "header_name=Authorization", "--field", "value=@-", "--expires", daysFromNow(5.05)], {
      input: "sk_live_example",
    });
    // Secrets that must not notify: no expiry, and an expiry beyond every threshold.
    cli(dir, ["secret", "add", "bearer_token", "ci/token", "--field", "token=@-"], { input: "t" });
    cli(dir, ["secret", "add", "bearer_token", "ci/later", "--field", "token=@-", "--expires", daysFromNow(90)], { input: "t" });
    baseline = notificationBaseline();
  });
  after(async () => {
    await app?.quit();
  });

  it(
    "notifies once at start, naming the secret",
    step("notify-once", async (t) => {
      ({ browser, app } = await launch(dir));
      await heading(browser, "Secrets", 30_000);
      const shown = await until(() => {
        const list = notificationsSince(baseline);
        return list.length > 0 ? list : null;
      }, { timeout: 15_000, interval: 250, message: "a notification" });
      // Give a duplicate time to arrive before counting.
      await sleep(2_000);
      const all = notificationsSince(baseline);
      assert.equal(all.length, 1, `exactly one notification: ${JSON.stringify(all)}`);
      const [n] = all;
      t.diagnostic(`notification: ${JSON.stringify(n)}`);
      assert.equal(n.summary, "Secret expiring soon");
      assert.match(n.body, new RegExp(NAME.replace("/", "\\/")), "the body names the secret");
      assert.match(n.body, /5 days|in 5 day/);
      assert.deepEqual(shown.map((x) => x.id), [n.id]);
    }),
  );

  it(
    "does not repeat it after a relaunch, nor after a change",
    step("no-repeat", async () => {
      await app.quit();
      app = undefined;
      ({ browser, app } = await launch(dir));
      await heading(browser, "Secrets", 30_000);
      await until(async () => (await browser.$$(".table-body [data-testid]")).length === 3, { message: "three rows" });
      // The start check has run by now; a change wakes the checker once more.
      await sleep(3_000);
      await browser.$("aria/Select ci/token").click();
      await browser.$('[role="toolbar"][aria-label="Actions on selected secrets"]').$("button=Deactivate").click();
      await until(async () => (await browser.$('[data-testid="secret-row-ci/token"]').getText()).includes("deactivated"), {
        message: "ci/token deactivated",
      });
      await sleep(3_000);
      const all = notificationsSince(baseline);
      assert.equal(all.length, 1, `still exactly one notification: ${JSON.stringify(all)}`);
    }),
  );
});
