// Markup in a description, a label and a certificate's subject is shown as
// text: no element is made from it and no script runs.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { alertOpen, cli, guarded, heading, initVault, launch, listRows, nav, scenario, settle, until } from "../lib/app.js";
import { selfSigned } from "../lib/fixtures.js";

const ALERT = "<img src=x onerror=alert(1)>";
const FLAG = "<img src=x onerror=window.__xss=1>";

describe("markup in secrets is text", { timeout: 180_000 }, () => {
  const dir = scenario("xss");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    const files = path.join(dir, "files");
    for (const [name, payload] of [
      ["xss/alert", ALERT],
      ["xss/flag", FLAG],
    ]) {
      const tls = selfSigned(files, name.replace("/", "-"), { cn: payload, org: payload, days: 60 });
      cli(dir, [
        "secret", "add", "certificate", name,
        "--file", `certificate=${tls.cert}`, "--file", `private_key=${tls.key}`,
        "--description", payload, "--label", `note=${payload}`,
      ]);
    }
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  const noScript = async (where) => {
    await settle(browser, 300);
    const dom = await browser.execute(() => ({
      xImages: [...document.images].filter((img) => img.getAttribute("src") === "x" || img.src.endsWith("/x")).length,
      handlers: document.querySelectorAll("[onerror]").length,
      flag: typeof window.__xss,
    }));
    assert.deepEqual(dom, { xImages: 0, handlers: 0, flag: "undefined" }, `no element or script from markup (${where})`);
    assert.equal(await alertOpen(browser), false, `no alert (${where})`);
  };

  it(
    "in the list",
    step("xss-list", async () => {
      await until(async () => (await listRows(browser)).length === 2, { message: "two rows" });
      const rows = await listRows(browser);
      assert.deepEqual(rows.map((r) => r.labels), [[`note=${ALERT}`], [`note=${FLAG}`]]);
      // A name's tooltip is the name (the description, where the markup is, shows on the detail page).
      const titles = await browser.execute(() => [...document.querySelectorAll(".cell-name-text")].map((c) => c.getAttribute("title")));
      assert.deepEqual(titles, ["xss/alert", "xss/flag"], "the names as their tooltips");
      await noScript("list");
    }),
  );

  for (const [name, payload] of [
    ["xss/alert", ALERT],
    ["xss/flag", FLAG],
  ]) {
    it(
      `on the detail page of ${name}`,
      step(`xss-detail-${name}`, async () => {
        await nav(browser, "Secrets");
        await heading(browser, "Secrets");
        await browser.$(`[data-testid="secret-row-${name}"] .cell-name`).click();
        await until(async () => (await browser.$("h1.detail-name").getText()) === name, { message: "the detail page" });
        await browser.$(".cert-card").waitForDisplayed();
        assert.equal(await browser.$(".detail-description").getText(), payload);
        assert.equal(await browser.$('[aria-label="Labels"] .label-chip').getText(), `note=${payload}`);
        assert.equal(await browser.$(".cert-card strong").getText(), payload, "the subject CN as the card title");
        const card = await browser.$(".cert-card").getText();
        assert.ok(card.includes(payload.replace(/[<>]/g, (c) => `\\${c}`)), `the escaped subject and issuer: ${card}`);
        await noScript(name);
      }),
    );
  }

  it(
    "on the expiry page",
    step("xss-expiry", async () => {
      await nav(browser, "Expiry");
      await heading(browser, "Expiry");
      await browser.$(".timeline-item").waitForDisplayed();
      await noScript("expiry");
    }),
  );
});
