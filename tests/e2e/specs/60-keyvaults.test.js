// Key vaults in the real app, against a moto server (AWS Secrets Manager's
// stand-in) on 127.0.0.1: a connection with an access-key secret, browse,
// import two secrets, a deployment of a local secret, a new version pushed
// until the state is `available` again with two remote versions.
// Screenshots (kv-*) at 1280×800; the connection page also at 1024×700.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, nav, scenario, shot, typeInto, until, viewport } from "../lib/app.js";
import { secretsManager, startMoto } from "../lib/moto.js";

const DB_PASSWORD = "e2e-remote-canary-5521";
const TOKEN = "e2e-remote-token-8830";
const LOCAL_V1 = "e2e-deployed-value-v1-1177";
const LOCAL_V2 = "e2e-deployed-value-v2-2288";

describe("Key vaults against moto", { timeout: 180_000 }, () => {
  const dir = scenario("keyvaults");
  let browser;
  let app;
  let moto;
  const step = guarded(() => browser);

  const button = async (text, scope = browser) => {
    const el = await scope.$(`button*=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };
  const tab = async (name) => {
    const el = await browser.$(`button[role="tab"]=${name}`);
    await el.click();
    await until(async () => (await el.getAttribute("aria-selected")) === "true", { message: `the ${name} tab` });
  };
  const file = (name, text) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text, { mode: 0o600 });
    return p;
  };

  before(async () => {
    moto = await startMoto();
    await secretsManager(moto.endpoint, "CreateSecret", { Name: "db/creds", SecretString: JSON.stringify({ username: "app", password: DB_PASSWORD }) });
    await secretsManager(moto.endpoint, "CreateSecret", { Name: "api/token", SecretString: TOKEN });
    initVault(dir);
    cli(dir, [
      "secret",
      "add",
      "key_value",
      "aws/e2e-key",
      "--field",
      `aws_access_key_id=@${file("akid", "AKIAE2EMOTOKEY000001")}`,
      "--field",
      `aws_secret_access_key=@${file("sak", "e2e-moto-secret-access-key")}`,
    ]);
    cli(dir, ["secret", "add", "api_key", "deploy/me", "--field", "header_name=X-Api-Key", "--field", "value=@-"], { input: LOCAL_V1 });
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
    await viewport(browser, 1280, 800);
  });
  after(async () => {
    await app?.quit();
    await moto?.stop();
  });

  it(
    "connects to moto with an access-key secret, tested before it is saved",
    step("connect", async () => {
      await nav(browser, "Key vaults");
      await heading(browser, "Key vaults");
      await shot(browser, "kv-empty.png");
      await (await browser.$("a*=New connection")).click();
      await heading(browser, "New connection");
      await typeInto(browser, await control(browser, "Name"), "moto");
      await typeInto(browser, await control(browser, "Region"), "us-east-1");
      await typeInto(browser, await control(browser, "Endpoint (optional)"), moto.endpoint);
      const picker = await control(browser, "Access key secret");
      await picker.click();
      await typeInto(browser, picker, "aws/e2e");
      const option = await browser.$('[role="option"]*=aws/e2e-key');
      await option.waitForDisplayed({ timeout: 10_000 });
      await option.click();
      await until(async () => (await picker.getValue()) === "aws/e2e-key", { message: "the chosen credential" });
      const test = await browser.$("button=Test");
      await test.waitForClickable({ timeout: 10_000 });
      await test.scrollIntoView({ block: "center" });
      await test.click();
      const notice = await until(
        async () => {
          const el = await browser.$(".kv-wizard .notice");
          return (await el.isExisting()) ? el.getText() : null;
        },
        { timeout: 30_000, message: "the test's result" },
      );
      assert.match(notice, /Connected in \d+ ms/);
      await shot(browser, "kv-wizard.png");
      await (await browser.$("button=Save")).click();
      await heading(browser, "moto", 20_000);
    }),
  );

  it(
    "browses the remote names and imports two secrets",
    step("browse-import", async () => {
      const row = await browser.$("td*=db/creds");
      await row.waitForDisplayed({ timeout: 20_000 });
      const text = await browser.$("main").getText();
      assert.ok(text.includes("api/token"), "both remote secrets are listed");
      assert.ok(!text.includes(DB_PASSWORD) && !text.includes(TOKEN), "browsing shows no values");
      await shot(browser, "kv-connection.png");
      await viewport(browser, 1024, 700);
      await shot(browser, "kv-connection-1024.png");
      await viewport(browser, 1280, 800);
      await (await browser.$('input[aria-label="Select db/creds"]')).click();
      await (await browser.$('input[aria-label="Select api/token"]')).click();
      await (await button("Import 2 selected")).click();
      const done = await browser.$(".notice-ok*=Imported");
      await done.waitForDisplayed({ timeout: 30_000 });
      await shot(browser, "kv-imported.png");
      const listed = cli(dir, ["secret", "list", "--json"]);
      const names = JSON.parse(listed).items.map((s) => s.name);
      assert.ok(names.includes("db/creds") && names.includes("api/token"), `imported as local secrets: ${names.join(", ")}`);
    }),
  );

  it(
    "deploys a local secret, and a new version reaches available with two remote versions",
    step("deploy", async () => {
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      const row = await browser.$('[data-testid="secret-row-deploy/me"] .cell-name');
      await row.waitForDisplayed({ timeout: 10_000 });
      await row.click();
      await heading(browser, "deploy/me");
      await (await browser.$('button[aria-label="More actions"]')).click();
      await (await browser.$('[role="menuitem"]*=Deploy to key vault')).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      assert.equal(await (await control(browser, "Remote name")).getValue(), "deploy/me");
      await shot(browser, "kv-deploy.png");
      await (await dialog.$("button=Deploy")).click();
      const state = () => browser.$(".kv-deployment .badge-dot").getText();
      await until(async () => (await state()) === "available", { timeout: 30_000, message: "the deployment to be available" });
      await shot(browser, "kv-deployment.png");

      await (await button("Set new value")).click();
      const edit = await browser.$("dialog[open]");
      await edit.waitForDisplayed({ timeout: 10_000 });
      await typeInto(browser, await control(browser, "Value"), LOCAL_V2);
      await (await edit.$("button=Save new value")).click();
      await until(async () => !(await browser.$("dialog[open]").isExisting()), { message: "the dialog to close" });
      await until(
        async () => (await state()) === "available" && (await browser.$$(".kv-versions tbody tr")).length === 2,
        { timeout: 30_000, message: "available again with two versions" },
      );
      const versions = await browser.$(".kv-versions").getText();
      assert.match(versions, /v2[\s\S]*last/);
      await shot(browser, "kv-deployment-v2.png");

      const remote = await secretsManager(moto.endpoint, "ListSecretVersionIds", { SecretId: "deploy/me" });
      assert.equal(remote.Versions.length, 2, "two remote versions");
      const current = await secretsManager(moto.endpoint, "GetSecretValue", { SecretId: "deploy/me", VersionStage: "AWSCURRENT" });
      assert.ok(current.SecretString.includes(LOCAL_V2), "the remote holds the new version");

      // The Versions tab says where each local version went, as which remote version.
      await tab("Versions");
      await until(
        async () => {
          const text = await browser.$(".version-remotes").isExisting() ? await browser.$("main").getText() : "";
          return remote.Versions.every((v) => text.includes(v.VersionId));
        },
        { timeout: 15_000, message: "the remote version ids on the Versions tab" },
      );
      const rows = await browser.$('[role="tabpanel"][data-state="active"]').$$("tbody tr");
      assert.match(await rows[0].getText(), /moto:deploy\/me[\s\S]*last/, "v2 is the remote's last");
      await shot(browser, "kv-versions-tab.png");

      await nav(browser, "Key vaults");
      await (await browser.$("a=moto")).click();
      await heading(browser, "moto");
      await tab("Deployments");
      await browser.$("td*=deploy/me").waitForDisplayed({ timeout: 10_000 });
      await shot(browser, "kv-deployments.png");

      // Edit opens the wizard prefilled; the edit is tested, then saved.
      await (await browser.$("a=Edit")).click();
      await heading(browser, "Edit connection moto");
      assert.equal(await (await control(browser, "Endpoint (optional)")).getValue(), moto.endpoint);
      assert.equal(await (await control(browser, "Access key secret")).getValue(), "aws/e2e-key");
      const ttl = await control(browser, "Cache lifetime (seconds)");
      await ttl.clearValue();
      await typeInto(browser, ttl, "120");
      await (await browser.$("button=Test")).click();
      await until(
        async () => {
          const el = await browser.$(".kv-wizard .notice");
          return (await el.isExisting()) && /Connected in/.test(await el.getText());
        },
        { timeout: 30_000, message: "the edit's test" },
      );
      await shot(browser, "kv-edit.png");
      await (await browser.$("button=Save")).click();
      await heading(browser, "moto", 20_000);
      const shown = JSON.parse(cli(dir, ["--json", "manager", "show", "moto"]));
      assert.equal(shown.manager.cache_ttl_secs, 120, "the edit is saved");
      await nav(browser, "Key vaults");
      await heading(browser, "Key vaults");
      await browser.$("td*=us-east-1").waitForDisplayed({ timeout: 10_000 });
      await shot(browser, "kv-list.png");
    }),
  );
});
