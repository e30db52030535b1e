// The Import wizard on real files made at test time. A CSV: its columns are
// mapped over the first rows (the password column masked by the shell), then
// previewed and imported. A KeePass database that keepassxc-cli writes from a
// KeePass XML: the wizard detects it, refuses a wrong password on the options
// step, previews what it holds (a conflict with a secret the CLI registered
// first), imports it, and the list and the detail page show an entry whose
// password reveals as the database had it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, listRows, scenario, setFileInput, shot, typeInto, until } from "../lib/app.js";

const KDBX_PASSWORD = "e2e kdbx password 7";
const DB_PASSWORD = "kp-e2e-Secret-42";

/** A KeePass XML with three entries in two groups (one with a custom field). */
function keepassXml() {
  const uuid = (n) => Buffer.from(n.toString(16).padStart(32, "0"), "hex").toString("base64");
  const entry = (id, fields) =>
    `<Entry><UUID>${uuid(id)}</UUID>${Object.entries(fields)
      .map(([k, v]) => `<String><Key>${k}</Key><Value${k === "Password" ? ' ProtectInMemory="True"' : ""}>${v}</Value></String>`)
      .join("")}</Entry>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<KeePassFile><Meta><Generator>coffer-e2e</Generator><DatabaseName>Team</DatabaseName></Meta><Root>
<Group><UUID>${uuid(1)}</UUID><Name>Root</Name>
 <Group><UUID>${uuid(2)}</UUID><Name>Servers</Name>
  ${entry(10, { Title: "prod-db", UserName: "dba", Password: DB_PASSWORD, URL: "postgres://db.example.com", Notes: "the main database" })}
  ${entry(11, { Title: "build-server", UserName: "ci", Password: "kp-e2e-build-7", Region: "eu-west-1" })}
 </Group>
 <Group><UUID>${uuid(3)}</UUID><Name>Web</Name>
  ${entry(12, { Title: "shop", UserName: "admin", Password: "kp-e2e-shop-9", URL: "https://shop.example.com" })}
 </Group>
</Group></Root></KeePassFile>
`;
}

/** Writes `team.kdbx` with keepassxc-cli (password on stdin, asked twice). */
function makeKdbx(dir) {
  const xml = path.join(dir, "team.xml");
  const kdbx = path.join(dir, "team.kdbx");
  fs.writeFileSync(xml, keepassXml());
  fs.rmSync(kdbx, { force: true });
  execFileSync("keepassxc-cli", ["import", "-q", "-p", xml, kdbx], { input: `${KDBX_PASSWORD}\n${KDBX_PASSWORD}\n`, stdio: ["pipe", "ignore", "pipe"] });
  fs.rmSync(xml);
  return kdbx;
}

const CSV_PASSWORD = "csv-e2e-Secret-1";

describe("importing a CSV in the app", { timeout: 300_000 }, () => {
  const dir = scenario("import-csv");
  let browser;
  let app;
  let csv;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    csv = path.join(dir, "logins.csv");
    // A BOM, CRLF, quoting and non-ASCII, as spreadsheets write them.
    fs.writeFileSync(csv, `\uFEFFname,username,password,env\r\nbilling-db,"dba, main",${CSV_PASSWORD},prod\r\ncache,svc,"csv-e2e-""q""-2",dév\r\n`);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  const stepTitle = () => browser.$("#imp-step-title").getText();
  const atStep = (title) => until(async () => (await stepTitle()) === title, { timeout: 30_000, message: `the step "${title}"` });
  const button = async (text) => {
    const el = await browser.$(".reg-card").$(`button*=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };

  it(
    "maps the columns over masked rows, previews and imports",
    step("csv", async () => {
      await (await browser.$("a*=Import…")).click();
      await heading(browser, "Import");
      await setFileInput(browser, "File to import", csv);
      await until(async () => (await browser.$(".imp-file-name").isExisting()) && (await browser.$(".imp-file-name").getText()) === "logins.csv", { message: "the file's name" });
      assert.match(await browser.$("input[name='import-format']:checked").parentElement().getText(), /CSV spreadsheet\s*detected/);
      await (await button("Next")).click();
      await atStep("How to read it");
      await (await button("Next")).click();
      await atStep("Map the columns");
      const table = await browser.execute(() => document.querySelector("table.imp-sample tbody")?.textContent ?? "");
      assert.ok(!table.includes(CSV_PASSWORD), "the password cells are masked");
      assert.match(table, /billing-db/);
      assert.match(table, /••••••/);
      // env becomes a label.
      await browser.$("select[aria-label^='Column 4']").selectByAttribute("value", "label:env");
      await shot(browser, "import-csv-columns.png");
      await (await button("Preview")).click();
      await atStep("Preview");
      assert.match(await browser.$(".imp-counts").getText(), /2\s+Basic auth/);
      await (await button("Import")).click();
      await atStep("Imported");
      assert.match(await browser.$("ul[aria-label='Import report']").getText(), /2\s+created/);
      const shown = cli(dir, ["secret", "reveal", "billing-db", "--field", "password"]).trim();
      assert.equal(shown, CSV_PASSWORD);
    }),
  );
});

describe("importing a KeePass database in the app", { timeout: 300_000 }, () => {
  const dir = scenario("import");
  let browser;
  let app;
  let kdbx;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    kdbx = makeKdbx(dir);
    // Already in the vault: the import's "shop" conflicts with it.
    cli(dir, ["secret", "add", "basic_auth", "shop", "--field", "username=old", "--field", "password=@-"], { input: "old-shop-password" });
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  const stepTitle = () => browser.$("#imp-step-title").getText();
  const atStep = (title) => until(async () => (await stepTitle()) === title, { timeout: 30_000, message: `the step "${title}"` });
  const button = async (text) => {
    const el = await browser.$(".reg-card").$(`button*=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };
  /** The preview's rows: name, type, source, conflict cell. */
  const previewRows = () =>
    browser.execute(() =>
      [...document.querySelectorAll("table.imp-items tbody tr")].map((tr) => {
        const cells = [...tr.querySelectorAll("td")];
        return { name: cells[0]?.querySelector(".mono")?.textContent ?? "", type: cells[1]?.textContent ?? "", source: cells[2]?.textContent ?? "", conflict: tr.dataset.conflict === "true" };
      }),
    );

  it(
    "detects the file and its format",
    step("source", async () => {
      await (await browser.$("a*=Import…")).click();
      await heading(browser, "Import");
      await atStep("Choose the file");
      await setFileInput(browser, "File to import", kdbx);
      await until(async () => (await browser.$(".imp-file-name").isExisting()) && (await browser.$(".imp-file-name").getText()) === "team.kdbx", { message: "the file's name" });
      const detected = await browser.$("input[name='import-format']:checked").parentElement().getText();
      assert.match(detected, /KeePass \(\.kdbx\)\s*detected/);
      await shot(browser, "import-1-source.png");
      await (await button("Next")).click();
      await atStep("How to read it");
    }),
  );

  it(
    "keeps the password step open after a wrong password",
    step("wrong password", async () => {
      await typeInto(browser, await control(browser, "Database password"), "not the password");
      await (await button("Preview")).click();
      await until(async () => (await browser.$(".field .error").isExisting()) && (await browser.$(".field .error").getText()).length > 0, { timeout: 30_000, message: "the password's error" });
      assert.match(await browser.$(".field .error").getText(), /password/i);
      assert.equal(await stepTitle(), "How to read it");
      await shot(browser, "import-2-wrong-password.png");
    }),
  );

  it(
    "previews what the database holds, with the conflict",
    step("preview", async () => {
      await typeInto(browser, await control(browser, "Database password"), KDBX_PASSWORD);
      await (await button("Preview")).click();
      await atStep("Preview");
      const rows = await previewRows();
      assert.equal(rows.length, 3, JSON.stringify(rows));
      const db = rows.find((r) => r.source.includes("prod-db"));
      assert.ok(db, JSON.stringify(rows));
      assert.equal(db.type.trim(), "Basic auth");
      const shop = rows.find((r) => r.source.includes("shop"));
      assert.equal(shop?.conflict, true, "shop is already in the vault");
      // build-server's custom field makes it a key/value secret (issue 13's mapping).
      const counts = await browser.$(".imp-counts").getText();
      assert.match(counts, /2\s+Basic auth/);
      assert.match(counts, /1\s+Key\/value/);
      // The conflicting one gets a new version instead of being skipped.
      const select = await browser.$("select[aria-label='If shop is taken']");
      await select.selectByAttribute("value", "new_version");
      await until(async () => (await browser.$(".imp-plan").getText()).includes("1 new version"), { message: "the plan to say one new version" });
      await shot(browser, "import-3-preview.png");
    }),
  );

  it(
    "imports, and says what it did",
    step("import", async () => {
      await (await button("Import")).click();
      await atStep("Imported");
      const report = await browser.$("ul[aria-label='Import report']").getText();
      assert.match(report, /2\s+created/);
      assert.match(report, /1\s+new versions/);
      assert.match(report, /0\s+skipped/);
      await shot(browser, "import-4-done.png");
      await (await browser.$("a=Show them in the list")).click();
      await heading(browser, "Secrets");
      // The link lists what the import wrote (the import label): the two it
      // created and shop, which got a new version and the label beside its own.
      await until(async () => (await listRows(browser)).length === 3, { message: "the two created secrets and shop listed" });
      assert.deepEqual((await listRows(browser)).map((r) => r.name).sort(), ["build-server", "prod-db", "shop"]);
    }),
  );

  it(
    "reveals an imported entry's password",
    step("reveal", async () => {
      const rows = await listRows(browser);
      const db = rows.find((r) => r.name.includes("prod-db"));
      assert.ok(db, JSON.stringify(rows));
      await browser.$(`[data-testid="secret-row-${db.name}"] .cell-name`).click();
      await until(async () => (await browser.$("h1.detail-name").getText()) === db.name, { message: `the detail of ${db.name}` });
      await browser.$("aria/Reveal Password").click();
      const revealed = await browser.$("aria/Password (revealed)");
      await revealed.waitForDisplayed();
      assert.equal(await revealed.getText(), DB_PASSWORD);
      // And the CLI sees the conflict's new version.
      const shop = cli(dir, ["secret", "reveal", "shop", "--field", "password"]).trim();
      assert.equal(shop, "kp-e2e-shop-9");
    }),
  );
});
