// Export and restore from the app, through the real GTK file dialogs
// (xdotool types the path: there is no window manager under Xvfb).
// Export: two selected secrets (one write-only: metadata only) to an age
// file that Debian's `age -d` opens, and that the CLI imports into a fresh
// vault with the same values; a wrong recovery passphrase is refused before
// any dialog opens and writes nothing. Restore: a backup (made before two
// more secrets came) is verified and shown beside this vault (counts
// checked), then restored into a new file that the CLI opens.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { CLI, PASSPHRASE, cli, control, guarded, heading, initVault, launch, nav, scenario, shot, typeInto, until } from "../lib/app.js";

const EXPORT_PASS = "tangerine orbit velvet 93 lantern";

function xdotool(args) {
  return execFileSync("xdotool", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function gtkWindow(title) {
  try {
    return xdotool(["search", "--onlyvisible", "--name", `^${title}$`]).split("\n")[0] || null;
  } catch {
    return null; // xdotool exits 1 while no window matches
  }
}

/** Waits for the GTK dialog titled `title`, types `target` as its path and presses Enter. */
async function answerFileDialog(title, target) {
  const window = await until(() => gtkWindow(title), { timeout: 20_000, message: `the GTK dialog "${title}"` });
  xdotool(["windowfocus", "--sync", window]);
  await new Promise((r) => setTimeout(r, 500));
  // Ctrl+L opens the location field in both the open and the save chooser.
  xdotool(["key", "--clearmodifiers", "ctrl+l"]);
  await new Promise((r) => setTimeout(r, 200));
  xdotool(["key", "--clearmodifiers", "ctrl+a"]);
  xdotool(["type", "--delay", "15", target]);
  xdotool(["key", "Return"]);
  await until(() => gtkWindow(title) === null, { timeout: 15_000, message: `the dialog "${title}" to close` });
}

/** Decrypts an age passphrase file with Debian's `age` (it reads the passphrase from a terminal: `script` gives it one). */
function ageDecrypt(file, passphrase) {
  const out = `${file}.json`;
  execFileSync("script", ["-qec", `age -d -o '${out}' '${file}'`, "/dev/null"], { input: `${passphrase}\n`, stdio: ["pipe", "ignore", "ignore"] });
  const bytes = fs.readFileSync(out);
  fs.rmSync(out);
  return JSON.parse(bytes.toString("utf8"));
}

const dialogText = (browser) => browser.$("dialog[open]").getText();

describe("export and restore from the app", { timeout: 400_000 }, () => {
  const dir = scenario("export");
  const out = path.join(dir, "home", "out");
  const backupFile = path.join(dir, "home", "out", "before.db");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    fs.mkdirSync(out, { recursive: true });
    cli(dir, ["secret", "add", "basic_auth", "db/admin", "--field", "username=dba", "--field", "password=@-"], { input: "pw-äö-1 \"quoted\"" });
    cli(dir, ["secret", "add", "basic_auth", "robot/deploy", "--field", "username=robot", "--field", "password=@-", "--write-only"], {
      input: "never-leaves-wo",
    });
    cli(dir, ["vault", "backup", backupFile]);
    cli(dir, ["secret", "add", "basic_auth", "api/gateway", "--field", "username=gw", "--field", "password=@-"], { input: "gw-secret-2" });
    cli(dir, ["secret", "add", "basic_auth", "other/unselected", "--field", "username=o", "--field", "password=@-"], { input: "not-exported" });
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
  });

  async function openExportOfTwo() {
    await nav(browser, "Secrets");
    await heading(browser, "Secrets");
    await browser.$('[aria-label="Select db/admin"]').click();
    await browser.$('[aria-label="Select robot/deploy"]').click();
    await until(async () => /^2 selected of 4$/.test(await browser.$(".bulk-bar strong").getText()), { message: "two selected" });
    await browser.$(".bulk-bar").$("button=Export…").click();
    await browser.$("dialog[open]").waitForDisplayed({ timeout: 10_000 });
    await until(async () => (await dialogText(browser)).includes("2 secrets, 1 value"), { message: "the export's counts" });
  }

  it(
    "refuses a wrong recovery passphrase before any dialog opens, and writes nothing",
    step("export-wrong-recovery", async () => {
      await openExportOfTwo();
      const text = await dialogText(browser);
      assert.match(text, /The 2 secrets selected/);
      assert.match(text, /Default:robot\/deploy\s+metadata only/);
      await typeInto(browser, await control(browser, "Recovery passphrase"), "not the passphrase at all");
      await typeInto(browser, await control(browser, "File passphrase"), EXPORT_PASS);
      await typeInto(browser, await control(browser, "File passphrase again"), EXPORT_PASS);
      await shot(browser, "e2e-export-dialog.png");
      await browser.$("dialog[open]").$("button=Export…").click();
      await until(async () => (await dialogText(browser)).includes("Wrong recovery passphrase."), { message: "the refusal" });
      assert.equal(gtkWindow("Export secrets"), null, "the save dialog opened after a wrong recovery passphrase");
      assert.deepEqual(fs.readdirSync(out), ["before.db"], "a refused export wrote a file");
      await shot(browser, "e2e-export-wrong-recovery.png");
      // The plaintext option: off by default, red, and needs its own tick.
      await browser.$("summary=Other options").click();
      await browser.$("label*=Export without encryption").click();
      await until(async () => (await browser.$("dialog[open]").$("button=Export in plaintext…").isExisting()), { message: "the plaintext button" });
      await shot(browser, "e2e-export-plaintext.png");
      await browser.$("dialog[open]").$("button=Export in plaintext…").click();
      await until(async () => (await dialogText(browser)).includes("Tick this to export without encryption."), { message: "the second confirmation" });
      assert.equal(gtkWindow("Export secrets"), null);
      await browser.$("label*=Export without encryption").click();
      await browser.$("dialog[open]").$("button=Cancel").click();
      await browser.$(".bulk-bar").$("button=Clear selection").click();
    }),
  );

  it(
    "exports the two through the GTK save dialog to an age file that age -d opens and the CLI imports",
    step("export-age", async () => {
      await openExportOfTwo();
      await typeInto(browser, await control(browser, "Recovery passphrase"), PASSPHRASE);
      await typeInto(browser, await control(browser, "File passphrase"), EXPORT_PASS);
      await typeInto(browser, await control(browser, "File passphrase again"), EXPORT_PASS);
      await browser.$("dialog[open]").$("button=Export…").click();
      const target = path.join(out, "two.coffer");
      await answerFileDialog("Export secrets", target);
      await until(async () => (await dialogText(browser)).includes(target), { timeout: 60_000, message: "the export's result" });
      const result = await dialogText(browser);
      assert.match(result, /2 secrets \(1 value, 1 metadata only\) exported, encrypted, to/);
      await shot(browser, "e2e-export-done.png");
      await browser.$("dialog[open]").$("button=Close").click();
      assert.equal(fs.statSync(target).mode & 0o777, 0o600);
      const raw = fs.readFileSync(target);
      assert.ok(raw.subarray(0, 32).toString().startsWith("age-encryption.org/"), "an age file");
      assert.ok(!raw.includes(Buffer.from("pw-äö-1")), "the value is not in the clear");

      const doc = ageDecrypt(target, EXPORT_PASS);
      assert.equal(doc.format, "coffer-export");
      assert.deepEqual(
        doc.secrets.map((s) => s.name),
        ["db/admin", "robot/deploy"],
      );
      const db = doc.secrets[0].versions.at(-1).fields;
      assert.equal(db.find((f) => f.name === "password").text, 'pw-äö-1 "quoted"');
      assert.equal(doc.secrets[1].value_withheld, "write_only");
      assert.doesNotMatch(JSON.stringify(doc), /never-leaves-wo|not-exported|gw-secret-2/);

      // Imported back with the CLI into a fresh vault: the same value.
      const fresh = scenario("export-import");
      initVault(fresh);
      const passFile = path.join(fresh, "export-pass");
      fs.writeFileSync(passFile, EXPORT_PASS, { mode: 0o600 });
      cli(fresh, ["import", "coffer", target, "--export-passphrase-file", passFile, "--yes"]);
      assert.equal(cli(fresh, ["secret", "reveal", "db/admin", "--field", "password"]).replace(/\n$/, ""), 'pw-äö-1 "quoted"');
      // The audit names the export, never a value.
      const audit = JSON.parse(cli(dir, ["--json", "audit", "list", "--action", "vault.export"]));
      assert.equal(audit.filter((e) => e.action === "vault.export").length, 1, "one export, the refused one not audited");
      assert.doesNotMatch(JSON.stringify(audit), /pw-äö-1/);
    }),
  );

  it(
    "verifies a backup, shows both vaults' counts side by side, and restores it into a new file",
    step("restore-into", async () => {
      await nav(browser, "Settings");
      await browser.$("button=Restore…").click();
      await typeInto(browser, await control(browser, "The backup's recovery passphrase"), PASSPHRASE);
      await shot(browser, "e2e-restore-ask.png");
      await browser.$("dialog[open]").$("button=Choose the backup…").click();
      await answerFileDialog("Restore from a backup", backupFile);
      await until(async () => (await dialogText(browser)).includes("The backup verified"), { timeout: 60_000, message: "the verified preview" });
      const cells = await browser.execute(() =>
        Object.fromEntries(
          [...document.querySelectorAll("dialog[open] .restore-compare tbody tr")].map((tr) => [
            tr.dataset.row,
            [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()),
          ]),
        ),
      );
      assert.deepEqual(cells.Secrets, ["4", "2"]);
      assert.deepEqual(cells.Versions, ["4", "2"]);
      assert.deepEqual(cells.Jobs, ["0", "0"]);
      // Both dates are shown (to the minute, so they may read the same); the
      // vault has logged more since the backup than the backup holds.
      assert.ok(cells["Last change"].every((d) => /\d{4}/.test(d)), `${cells["Last change"]}`);
      assert.ok(Number(cells["Audit entries"][0].replace(/\D/g, "")) > Number(cells["Audit entries"][1].replace(/\D/g, "")), `${cells["Audit entries"]}`);
      await shot(browser, "e2e-restore-preview.png");
      await browser.$("dialog[open]").$("button=Replace this vault…").click();
      await until(async () => (await dialogText(browser)).includes("is lost"), { message: "the replace confirmation" });
      await shot(browser, "e2e-restore-confirm-replace.png");
      await browser.$("dialog[open]").$("button=Back").click();

      const restored = path.join(out, "restored.db");
      await browser.$("dialog[open]").$("button=Restore into a new file…").click();
      await answerFileDialog("Restore into a new vault file", restored);
      await until(async () => (await dialogText(browser)).includes("The backup was restored into"), { timeout: 60_000, message: "the restore" });
      assert.match(await dialogText(browser), /now holds 2 secrets, 2 versions, 0 jobs/);
      await shot(browser, "e2e-restore-done.png");
      await browser.$("dialog[open]").$("button=Close").click();

      // The new file opens with the recovery passphrase and holds the backup's secrets.
      const passFile = path.join(dir, "passphrase");
      const list = execFileSync(CLI(), ["--vault", restored, "--passphrase-file", passFile, "--json", "secret", "list"], {
        env: { ...process.env, HOME: path.join(dir, "home"), XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") },
        encoding: "utf8",
      });
      const names = JSON.parse(list).items.map((s) => s.name).sort();
      assert.deepEqual(names, ["db/admin", "robot/deploy"]);
      // This vault is unchanged.
      assert.equal(JSON.parse(cli(dir, ["--json", "secret", "list"])).items.length, 4);
    }),
  );

  it(
    "replaces this vault by its backup after the confirmation, and the app shows the restored vault",
    step("restore-replace", async () => {
      await nav(browser, "Settings");
      await browser.$("button=Restore…").click();
      await typeInto(browser, await control(browser, "The backup's recovery passphrase"), PASSPHRASE);
      await browser.$("dialog[open]").$("button=Choose the backup…").click();
      await answerFileDialog("Restore from a backup", backupFile);
      await until(async () => (await dialogText(browser)).includes("The backup verified"), { timeout: 60_000, message: "the verified preview" });
      await browser.$("dialog[open]").$("button=Replace this vault…").click();
      await browser.$("dialog[open]").$("button=Replace this vault").click();
      await until(async () => (await dialogText(browser)).includes("This vault was replaced by the backup"), {
        timeout: 60_000,
        message: "the replace",
      });
      await shot(browser, "e2e-restore-replaced.png");
      await browser.$("dialog[open]").$("button=Go to the secrets").click();
      await heading(browser, "Secrets");
      await until(async () => /^2 in the vault$/.test(await browser.$(".page-head p").getText()), { message: "the restored vault's 2 secrets" });
      await app.quit();
      app = undefined;
      const names = JSON.parse(cli(dir, ["--json", "secret", "list"]))
        .items.map((s) => s.name)
        .sort();
      assert.deepEqual(names, ["db/admin", "robot/deploy"]);
      const restores = JSON.parse(cli(dir, ["--json", "audit", "list", "--action", "vault.restore"])).filter((e) => e.action === "vault.restore");
      assert.equal(restores.length, 1);
      assert.equal(restores[0].detail.mode, "replace");
    }),
  );
});
