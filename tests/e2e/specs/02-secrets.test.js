// The secrets list, filter, sort, deactivate/activate, reveal and re-mask,
// trash and restore, and the expiry and settings pages, on a vault seeded
// with the CLI (one secret of each type).
import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import {
  cli,
  daysFromNow,
  guarded,
  heading,
  initVault,
  launch,
  listRows,
  nav,
  scenario,
  settle,
  shot,
  toasts,
  until,
  typeInto,
} from "../lib/app.js";
import { caBundle, selfSigned, sshKey } from "../lib/fixtures.js";

const REGISTRY_PASSWORD = "s3cret-registry-pw";

function seed(dir) {
  initVault(dir);
  const files = path.join(dir, "files");
  const add = (args, input) => cli(dir, ["secret", "add", ...args], { input });
  add(
    ["basic_auth", "prod/registry", "--field", "username=deploy", "--field", "password=@-", "--label", "env=prod",
      "--label", "team=platform", "--description", "Harbor registry push account", "--expires", daysFromNow(5.001)],
    REGISTRY_PASSWORD,
  );
  add(["bearer_token", "ci/github-token", "--field", "token=@-", "--label", "env=ci", "--expires", daysFromNow(45.001)], "ghp_example");
  add(["api_key", "weather/api", "--field", "header_name=X-Api-Key", "--field", "value=@-", "--write-only", "--label", "env=prod"], "k-123");
  add(
    ["client_credentials", "idp/orders-service", "--field", "client_id=orders", "--field", "client_secret=@-",
      "--field", "scopes=orders.read orders.write", "--field", "token_url=https://idp.example.com/oauth/token",
      "--expires", daysFromNow(200.001)],
    "cs-456",
  );
  const tls = selfSigned(files, "client", { cn: "orders.example.com", days: 90 });
  add(["certificate", "tls/client", "--file", `certificate=${tls.cert}`, "--file", `private_key=${tls.key}`, "--label", "env=prod"]);
  add(["ca_bundle", "tls/roots", "--file", `certificates=${caBundle(files, "roots")}`]);
  const ssh = sshKey(files, "deploy");
  add(["ssh_key_pair", "ops/deploy-key", "--file", `private_key=${ssh.key}`]);
  add(["key_value", "db/app-env", "--field", "DB_USER=@-", "--label", "env=staging"], "app");
  add(["data", "licenses/acme", "--field", "data=@-", "--allow-past-expiry", "--expires", daysFromNow(-3.001)], "license text");
  add(["basic_auth", "legacy/ftp", "--field", "username=ftp", "--field", "password=@-"], "ftp-pw");
  cli(dir, ["secret", "deactivate", "legacy/ftp"]);
}

const ALL = [
  "ci/github-token",
  "db/app-env",
  "idp/orders-service",
  "legacy/ftp",
  "licenses/acme",
  "ops/deploy-key",
  "prod/registry",
  "tls/client",
  "tls/roots",
  "weather/api",
];

describe("secrets list, detail, trash, expiry, settings", { timeout: 300_000 }, () => {
  const dir = scenario("secrets");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    seed(dir);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  const names = async () => (await listRows(browser)).map((r) => r.name);
  const rowsNamed = async () => Object.fromEntries((await listRows(browser)).map((r) => [r.name, r]));
  const countLine = () => browser.$(".page-head p").getText();
  const openSecret = async (name) => {
    await browser.$(`[data-testid="secret-row-${name}"] .cell-name`).click();
    await until(async () => (await browser.$("h1.detail-name").getText()) === name, { message: `the detail of ${name}` });
  };
  const backToList = async () => {
    await nav(browser, "Secrets");
    await heading(browser, "Secrets");
    await until(async () => (await names()).length > 0, { message: "list rows" });
  };

  it(
    "lists every secret with its type, status and expiry",
    step("list", async () => {
      await until(async () => (await names()).length === ALL.length, { message: "ten rows" });
      assert.deepEqual(await names(), ALL, "sorted by name");
      assert.equal(await countLine(), "10 in the vault");
      const rows = await rowsNamed();
      const types = Object.fromEntries(Object.entries(rows).map(([n, r]) => [n, r.type]));
      assert.deepEqual(types, {
        "ci/github-token": "Bearer token",
        "db/app-env": "Key/value",
        "idp/orders-service": "Client credentials",
        "legacy/ftp": "Basic auth",
        "licenses/acme": "Data",
        "ops/deploy-key": "SSH key pair",
        "prod/registry": "Basic auth",
        "tls/client": "Certificate",
        "tls/roots": "CA bundle",
        "weather/api": "API key",
      });
      assert.equal(rows["prod/registry"].status, "expires in 5 days");
      assert.match(rows["prod/registry"].expires, /\(in 5 days\)$/);
      assert.equal(rows["licenses/acme"].status, "expired");
      assert.match(rows["licenses/acme"].expires, /\(3 days ago\)$/);
      assert.equal(rows["legacy/ftp"].status, "deactivated");
      assert.equal(rows["ci/github-token"].status, "active");
      assert.match(rows["ci/github-token"].expires, /\(in 45 days\)$/);
      // Calendar days in local time: a 90-day certificate made today ends in 90 days.
      assert.match(rows["tls/client"].expires, /\(in 90 days\)$/, "a certificate's expiry comes from its leaf");
      assert.equal(rows["db/app-env"].expires, "—");
      // Labels that do not fit the column show as "+N" (the tooltip has them all).
      assert.ok(
        ["env=prod,team=platform", "env=prod,+1"].includes(rows["prod/registry"].labels.join(",")),
        rows["prod/registry"].labels.join(","),
      );
      assert.equal(await browser.$('[data-testid="secret-row-weather/api"]').$("span=write-only").isExisting(), true);
      await shot(browser, "e2e-list.png");
    }),
  );

  it(
    "filters as you type, and clears the filter",
    step("filter", async () => {
      const filter = await browser.$("aria/Filter by name or description");
      await typeInto(browser, filter, "regi");
      await until(async () => JSON.stringify(await names()) === JSON.stringify(["prod/registry"]), { message: "one match" });
      assert.equal(await countLine(), "1 matching");
      // Descriptions match too.
      await typeInto(browser, filter, "harbor");
      await until(async () => JSON.stringify(await names()) === JSON.stringify(["prod/registry"]), { message: "a description match" });
      await typeInto(browser, filter, "tls/");
      await until(async () => JSON.stringify(await names()) === JSON.stringify(["tls/client", "tls/roots"]), { message: "two tls matches" });
      await typeInto(browser, filter, "no-such-secret");
      await browser.$("h2=No secrets match").waitForDisplayed();
      await browser.$("button=Clear filters").click();
      await until(async () => (await names()).length === ALL.length, { message: "all rows again" });
      assert.equal(await filter.getValue(), "");
      // The status filter narrows too.
      await browser.$("aria/Status").selectByAttribute("value", "deactivated");
      await until(async () => JSON.stringify(await names()) === JSON.stringify(["legacy/ftp"]), { message: "the deactivated one" });
      await browser.$("aria/Status").selectByAttribute("value", "");
      await until(async () => (await names()).length === ALL.length, { message: "all rows again" });
    }),
  );

  it(
    "sorts by a column when its header is clicked",
    step("sort", async () => {
      const header = (label) => browser.$(".table-head").$(`button=${label}`);
      const sortState = (label) =>
        browser.execute(
          (l) => [...document.querySelectorAll('.table-head [role="columnheader"]')].find((h) => h.textContent.trim() === l)?.getAttribute("aria-sort"),
          label,
        );
      assert.equal(await sortState("Name"), "ascending");
      await (await header("Name")).click();
      await until(async () => (await names())[0] === "weather/api", { message: "descending by name" });
      assert.deepEqual(await names(), [...ALL].reverse());
      assert.equal(await sortState("Name"), "descending");

      await (await header("Expires")).click();
      await until(async () => (await names())[0] === "licenses/acme", { message: "ascending by expiry" });
      assert.equal(await sortState("Expires"), "ascending");
      const withExpiry = (await names()).slice(0, 5);
      assert.deepEqual(withExpiry, ["licenses/acme", "prod/registry", "ci/github-token", "tls/client", "idp/orders-service"]);

      await (await header("Name")).click();
      await until(async () => JSON.stringify(await names()) === JSON.stringify(ALL), { message: "ascending by name again" });
    }),
  );

  it(
    "deactivates and activates from the bulk bar and the detail page",
    step("deactivate-activate", async () => {
      await browser.$("aria/Select ci/github-token").click();
      await browser.$("aria/Select db/app-env").click();
      const bar = await browser.$('[role="toolbar"][aria-label="Actions on selected secrets"]');
      await bar.waitForDisplayed();
      assert.match(await bar.getText(), /2 selected/);
      await bar.$("button=Deactivate").click();
      await until(
        async () => {
          const rows = await rowsNamed();
          return rows["ci/github-token"].status === "deactivated" && rows["db/app-env"].status === "deactivated";
        },
        { message: "both deactivated" },
      );
      await until(async () => (await toasts(browser)).includes("Deactivated: 2 secrets."), { message: "the toast" });
      assert.equal(await bar.isExisting(), false, "the selection is cleared");

      // Activate one from its detail page.
      await openSecret("db/app-env");
      assert.equal(await browser.$(".detail-head .badge-dot").getText(), "deactivated");
      await browser.$('[aria-label="Secret actions"]').$("button=Activate").click();
      await until(async () => (await browser.$(".detail-head .badge-dot").getText()) === "active", { message: "active on the detail page" });
      await browser.$('[aria-label="Secret actions"]').$("button=Deactivate").waitForDisplayed();

      // And the other from the bulk bar.
      await backToList();
      await browser.$("aria/Select ci/github-token").click();
      await browser.$('[role="toolbar"][aria-label="Actions on selected secrets"]').$("button=Activate").click();
      await until(
        async () => {
          const rows = await rowsNamed();
          return rows["ci/github-token"].status === "active" && rows["db/app-env"].status === "active";
        },
        { message: "both active again" },
      );
    }),
  );

  it(
    "reveals a field and masks it again after 30 seconds",
    step("reveal", async () => {
      await openSecret("prod/registry");
      await browser.$("h2=Public fields").waitForDisplayed();
      assert.match(await browser.$(".detail-description").getText(), /Harbor registry push account/);
      await shot(browser, "e2e-detail.png");

      const masked = await browser.$("aria/Password (hidden)");
      assert.equal(await masked.getText(), "••••••••••••");
      await browser.$("aria/Reveal Password").click();
      const revealed = await browser.$("aria/Password (revealed)");
      await revealed.waitForDisplayed();
      const shownAt = Date.now();
      assert.equal(await revealed.getText(), REGISTRY_PASSWORD);
      assert.match(await browser.$(".secret-value[data-revealed='true']").parentElement().getText(), /Hidden again after 30 s\./);
      // The username is a public field, shown as it is.
      assert.match(await browser.$('section[aria-labelledby="public-title"]').getText(), /Username\s*deploy/);

      // Still shown well before 30 s, masked again after (real time).
      await sleep(Math.max(0, 25_000 - (Date.now() - shownAt)));
      assert.equal(await browser.$("aria/Password (revealed)").isExisting(), true, "still revealed after 25 s");
      await until(async () => browser.$("aria/Password (hidden)").isExisting(), { timeout: 10_000, interval: 200, message: "the value masked again" });
      const after = (Date.now() - shownAt) / 1000;
      assert.ok(after >= 29, `masked after ${after.toFixed(1)} s`);
      assert.equal(await browser.$("aria/Password (revealed)").isExisting(), false);
      assert.equal(await browser.$(`pre=${REGISTRY_PASSWORD}`).isExisting(), false, "the value left the page");
    }),
  );

  it(
    "moves a secret to the trash and restores it",
    step("trash", async () => {
      await backToList();
      await openSecret("tls/roots");
      await browser.$("aria/More actions").click();
      const item = await browser.$('[role="menuitem"]*=Move to trash');
      await item.waitForDisplayed();
      await item.click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed();
      assert.match(await dialog.$("h2").getText(), /^Move tls\/roots to the trash\?$/);
      await dialog.$("button=Move to trash").click();
      await heading(browser, "Secrets");
      await until(async () => (await names()).length === ALL.length - 1, { message: "nine rows" });
      assert.equal((await names()).includes("tls/roots"), false);

      await nav(browser, "Trash");
      await heading(browser, "Trash");
      const row = await browser.$("td.trash-name=tls/roots");
      await row.waitForDisplayed();
      const cells = await browser.execute(() =>
        [...document.querySelectorAll(".trash-table tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
      );
      assert.equal(cells.length, 1);
      assert.deepEqual(cells[0].slice(0, 2), ["tls/roots", "CA bundle"]);
      assert.equal(cells[0][3], "30 days left");
      await shot(browser, "e2e-trash.png");

      await browser.$("aria/Restore tls/roots").click();
      await browser.$("h2=The trash is empty").waitForDisplayed();
      await until(async () => (await toasts(browser)).includes("tls/roots restored."), { message: "the toast" });
      await backToList();
      await until(async () => JSON.stringify(await names()) === JSON.stringify(ALL), { message: "all ten again" });
      assert.equal((await rowsNamed())["tls/roots"].status, "active");
    }),
  );

  it(
    "shows the expiry timeline",
    step("expiry", async () => {
      await nav(browser, "Expiry");
      await heading(browser, "Expiry");
      await browser.$("section.timeline-group").waitForDisplayed();
      const groups = await browser.execute(() =>
        Object.fromEntries(
          [...document.querySelectorAll("section.timeline-group")].map((g) => [
            g.dataset.group,
            [...g.querySelectorAll(".timeline-name")].map((n) => n.textContent.trim()),
          ]),
        ),
      );
      const all = Object.values(groups).flat();
      assert.ok(all.includes("licenses/acme") && all.includes("prod/registry"), JSON.stringify(groups));
      const groupOf = (name) => Object.keys(groups).find((k) => groups[k].includes(name));
      assert.notEqual(groupOf("licenses/acme"), groupOf("prod/registry"), "expired and this week are apart");
      assert.equal(all.indexOf("licenses/acme") < all.indexOf("prod/registry"), true);
      assert.equal(all.includes("legacy/ftp"), false, "nothing without an expiry");
      await shot(browser, "e2e-expiry.png");
    }),
  );

  it(
    "shows the settings",
    step("settings", async () => {
      await nav(browser, "Settings");
      await heading(browser, "Settings");
      await browser.$("h2=Vault settings").waitForDisplayed();
      await browser.$("h2=OS keyring").waitForDisplayed();
      await settle(browser, 500);
      await shot(browser, "e2e-settings.png");
    }),
  );
});
