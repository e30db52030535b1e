// Save to file through the real GTK save dialog: xdotool (no window manager
// under Xvfb) focuses the dialog, types the full path into its name field
// and presses Enter, or Escape to cancel. Checked: the file's exact bytes
// (a data secret's bytes; a certificate's DER leaf against openssl's own
// conversion), its mode 0600, and one `secret.export` audit entry per save
// (none for a cancelled one).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, guarded, heading, initVault, launch, nav, scenario, shot, until } from "../lib/app.js";
import { selfSigned } from "../lib/fixtures.js";

const DIALOG_TITLE = "Save to a file";

function xdotool(args) {
  return execFileSync("xdotool", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The GTK save dialog's window, once it is mapped. */
async function saveDialog() {
  return until(
    () => {
      try {
        return xdotool(["search", "--onlyvisible", "--name", `^${DIALOG_TITLE}$`]).split("\n")[0] || null;
      } catch {
        return null; // xdotool exits 1 while no window matches
      }
    },
    { timeout: 20_000, message: "the GTK save dialog" },
  );
}

/** Types `keys` into the dialog (focused first: there is no window manager to do it). */
async function answerDialog(window, keys) {
  xdotool(["windowfocus", "--sync", window]);
  await new Promise((r) => setTimeout(r, 500));
  keys(window);
  await until(
    () => {
      try {
        return xdotool(["search", "--onlyvisible", "--name", `^${DIALOG_TITLE}$`]) === "";
      } catch {
        return true;
      }
    },
    { timeout: 15_000, message: "the save dialog to close" },
  );
}

/** Saves to `target`: the name field has the focus with the offered name selected. */
const saveAs = (target) => (window) => {
  xdotool(["key", "--clearmodifiers", "ctrl+a"]);
  xdotool(["type", "--delay", "15", target]);
  xdotool(["key", "Return"]);
  void window;
};
const cancel = () => xdotool(["key", "Escape"]);

describe("save to file through the GTK dialog", { timeout: 240_000 }, () => {
  const dir = scenario("save-file");
  const out = path.join(dir, "saved");
  const blob = Buffer.from([0x00, 0xff, 0x10, 0x0a, 0x80, 0x41, 0x42, 0x00, 0xfe]);
  let tls;
  let browser;
  let app;
  const step = guarded(() => browser);

  const exports = (name) =>
    JSON.parse(cli(dir, ["--json", "audit", "list", "--secret", name, "--action", "secret.export"])).filter((e) => e.action === "secret.export");

  before(async () => {
    initVault(dir);
    fs.mkdirSync(out);
    const blobFile = path.join(dir, "blob.bin");
    fs.writeFileSync(blobFile, blob);
    cli(dir, ["secret", "add", "data", "files/blob", "--file", `data=${blobFile}`]);
    tls = selfSigned(path.join(dir, "files"), "client", { cn: "save.example.com", days: 90 });
    cli(dir, ["secret", "add", "certificate", "tls/client", "--file", `certificate=${tls.cert}`, "--file", `private_key=${tls.key}`]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
  });

  async function open(name) {
    await nav(browser, "Secrets");
    await browser.$(`[data-testid="secret-row-${name}"] .cell-name`).click();
    await heading(browser, name);
  }

  it(
    "saves a data secret's exact bytes; a cancelled dialog writes and audits nothing",
    step("save-data", async () => {
      await open("files/blob");
      await (await browser.$("button=Save to file…")).click();
      await answerDialog(await saveDialog(), cancel);
      await until(async () => browser.$("button=Save to file…").isEnabled(), { message: "the button back" });
      assert.deepEqual(fs.readdirSync(out), [], "a cancelled save wrote a file");

      const target = path.join(out, "blob-copy.bin");
      await (await browser.$("button=Save to file…")).click();
      await answerDialog(await saveDialog(), saveAs(target));
      await until(async () => (await browser.$(".page").getText()).includes(`Saved to ${target}`) || fs.existsSync(target), {
        timeout: 15_000,
        message: "the saved file",
      });
      await until(() => fs.existsSync(target) && fs.statSync(target).size === blob.length, { message: "the file's bytes" });
      assert.deepEqual(fs.readFileSync(target), blob);
      assert.equal(fs.statSync(target).mode & 0o777, 0o600);
      // The CLI reads beside the open app between two of its saves (issue
      // 14): the app's next commit must not be lost when the CLI closes.
      assert.equal(exports("files/blob").length, 1, "the data save, read beside the app");
    }),
  );

  it(
    "saves a certificate's leaf as DER (as openssl converts it) after choosing the format",
    step("save-cert-der", async () => {
      await open("tls/client");
      await (await browser.$("button=Save to file…")).click();
      const choose = await browser.$("dialog[open]");
      await choose.waitForDisplayed({ timeout: 10_000 });
      await (await choose.$("input[value='der']")).click();
      await shot(browser, "e2e-save-cert-format.png");
      await (await choose.$("button=Choose where…")).click();
      const target = path.join(out, "client.der");
      await answerDialog(await saveDialog(), saveAs(target));
      await until(() => fs.existsSync(target) && fs.statSync(target).size > 0, { timeout: 15_000, message: "the DER file" });
      const der = execFileSync("openssl", ["x509", "-in", tls.cert, "-outform", "DER"]);
      assert.deepEqual(fs.readFileSync(target), der);
      assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    }),
  );

  // The certificate save came after a CLI run beside the app: its entry is
  // read first with the app still open, then again once the app quits.
  it(
    "audited each save once as secret.export, the cancelled one not at all, and no value",
    step("save-audit", async () => {
      assert.equal(exports("tls/client").length, 1, "the certificate save, read beside the app");
      await app.quit();
      app = undefined;
      assert.equal(exports("files/blob").length, 1, "the data save (and not the cancelled one)");
      const audit = exports("tls/client");
      assert.equal(audit.length, 1, "the certificate save");
      assert.deepEqual(audit[0].detail.fields, ["certificate"]);
      assert.doesNotMatch(JSON.stringify(audit), /BEGIN|PRIVATE/, "the audit holds no value");
    }),
  );
});
