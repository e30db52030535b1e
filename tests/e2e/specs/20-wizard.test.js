// The job wizard on a 10,000-secret vault: "Use in a job…" from svc-005000's
// page pre-selects it; the picker searches the whole vault as one types and
// is driven with the keyboard; a command job with problems is not created
// without the problems listed. Screenshots at 1024×700, 1280×800, 1920×1080.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Key } from "webdriverio";

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";

import { bigVault, chooseSecret, cli, control, guarded, heading, launch, listRows, scenario, setFileInput, settle, shot, typeInto, until, viewport } from "../lib/app.js";
import { selfSigned } from "../lib/fixtures.js";

/** A server certificate for 127.0.0.1 signed by `ca`. */
function serverCert(dir, ca) {
  const key = path.join(dir, "server.key");
  const csr = path.join(dir, "server.csr");
  const cert = path.join(dir, "server.crt");
  const ext = path.join(dir, "server.ext");
  fs.writeFileSync(ext, "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n");
  const run = (args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"]);
  run(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", "30", "-extfile", ext]);
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];

describe("the job wizard on a 10,000-secret vault", { timeout: 300_000 }, () => {
  const dir = scenario("wizard");
  let browser;
  let app;
  const step = guarded(() => browser);

  const files = path.join(dir, "files");
  let leaf;
  let stranger;
  let server;
  let serverUrl;

  before(async () => {
    bigVault(dir, 10_000);
    leaf = selfSigned(files, "short", { cn: "short.example.com", days: 20 });
    stranger = selfSigned(files, "stranger", { cn: "stranger.example.com", days: 20 });
    cli(dir, ["secret", "add", "basic_auth", "vaulted/db", "--field", "username=dba", "--field", "password=@-", "--generate-store-password"], {
      input: "e2e-vaulted-password-1",
    });
    cli(dir, ["secret", "add", "certificate", "tls/short", "--file", `certificate=${leaf.cert}`, "--file", `private_key=${leaf.key}`]);
    // An HTTPS server that never asks for a client certificate, and answers 401.
    const ca = selfSigned(files, "server-ca", { cn: "Coffer E2E Server CA", ca: true, days: 30 });
    cli(dir, ["secret", "add", "ca_bundle", "e2e/server-ca", "--file", `certificates=${ca.cert}`]);
    server = https.createServer(serverCert(files, ca), (_req, res) => res.writeHead(401, { "WWW-Authenticate": "Basic" }).end("who are you?"));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    serverUrl = `https://127.0.0.1:${server.address().port}/api`;
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
    server?.close();
  });

  const stepTitle = () => browser.$("#job-step-title").getText();
  const atStep = (title) => until(async () => (await stepTitle()) === title, { message: `the step "${title}"` });
  const button = async (text) => {
    const el = await browser.$(`button*=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };
  const shots = async (name) => {
    for (const [w, h] of SIZES) {
      await viewport(browser, w, h);
      await shot(browser, `wizard-${name}-${w}.png`);
    }
    await viewport(browser, 1280, 800);
  };

  it(
    "pre-selects svc-005000 when a job is started from its page",
    step("use-in-job", async () => {
      await viewport(browser, 1280, 800);
      await until(async () => (await listRows(browser)).length > 0, { timeout: 30_000, message: "the first rows" });
      await settle(browser, 300);
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-005000");
      const row = await browser.$('[data-testid="secret-row-svc-005000"] .cell-name');
      await row.waitForClickable({ timeout: 15_000 });
      await row.click();
      await heading(browser, "svc-005000");
      await (await browser.$("a*=Use in a job")).click();
      await heading(browser, "New job");
      await (await button("HTTP fetch")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "nightly/svc-5000");
      await typeInto(browser, await control(browser, "URL"), "https://repo.example.com/a.tgz");
      await typeInto(browser, await control(browser, "Target file"), "/tmp/coffer-e2e-never-written.tgz");
      await (await button("Next")).click();
      await atStep("Secrets it uses");
      const credentials = await control(browser, "Credentials");
      await until(async () => (await credentials.getValue()) === "svc-005000", { message: "svc-005000 pre-selected" });
    }),
  );

  it(
    "searches the whole vault as one types and chooses with the keyboard",
    step("picker-search", async () => {
      const credentials = await control(browser, "Credentials");
      await typeInto(browser, credentials, "svc-00987");
      const foot = await until(
        async () => {
          const text = await browser.$(".picker-foot").getText();
          return text.startsWith("10 secrets match") ? text : null;
        },
        { message: "the ten matches of svc-00987" },
      );
      assert.match(foot, /svc-00987/);
      const names = await browser.execute(() => [...document.querySelectorAll('[role="listbox"] .picker-name')].map((n) => n.textContent));
      assert.deepEqual(names.slice(0, 3), ["None", "svc-009870", "svc-009871"]);
      // The first match is active; one down, Enter.
      await browser.keys([Key.ArrowDown]);
      await shots("picker");
      await browser.keys([Key.Enter]);
      await until(async () => (await credentials.getValue()) === "svc-009871", { message: "svc-009871 chosen" });
      // The open list without a filter shows the whole vault, a window of it in the page.
      await credentials.click();
      await browser.keys([Key.ArrowDown]);
      await until(async () => /^10,?001 secrets/.test(await browser.$(".picker-foot").getText()), { message: "all 10,001 offered (the 10,000 and vaulted/db, bindable: manual runs ask for its store password)" });
      const shown = await browser.execute(() => document.querySelectorAll('[role="listbox"] [role="option"]').length);
      assert.ok(shown < 60, `virtualized: ${shown} options in the page`);
      await browser.keys([Key.Escape]);
      await until(async () => (await credentials.getAttribute("aria-expanded")) === "false", { message: "the list closed" });
      assert.equal(await credentials.getValue(), "svc-009871");
      await heading(browser, "New job");
      await chooseSecret(browser, "Credentials", "svc-005000");
      await shots("security");
    }),
  );

  it(
    "lists a command job's problems in Review and creates it only when confirmed",
    step("command-problems", async () => {
      await (await button("Cancel")).click();
      await (await browser.$("button=Discard")).click();
      await heading(browser, "Jobs");
      await browser.$("a*=New job").click();
      await heading(browser, "New job");
      await (await button("Command")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "db/dump");
      await typeInto(browser, await control(browser, "Program"), "/usr/bin/env");
      for (const [i, arg] of ["--user=${secret:svc-000001#usernme}", "/tmp/a b.sql", "${secret:no/such}"].entries()) {
        await (await button("Add an argument")).click();
        await typeInto(browser, await control(browser, `Argument ${i + 1}`), arg);
      }
      await until(async () => (await browser.$$(".ph-bad")).length === 2, { message: "two placeholders marked red" });
      await (await button("Next")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      const listed = await dialog.getText();
      assert.match(listed, /Argument 1: .*usernme/);
      assert.match(listed, /Argument 3: .*no\/such/);
      await (await dialog.$("button=Go on anyway")).click();
      await atStep("Secrets it uses");
      await (await button("Next")).click();
      await atStep("When it runs");
      await (await button("Next")).click();
      await atStep("Review");
      const args = await browser.execute(() => [...document.querySelectorAll('[aria-label="Arguments, as passed"] code')].map((c) => c.textContent));
      assert.deepEqual(args, ["--user=${secret:svc-000001#usernme}", "/tmp/a b.sql", "${secret:no/such}"]);
      assert.match(await browser.$(".reg-card").getText(), /2 problems/);
      await shots("command-review");
      await (await button("Create job")).click();
      await browser.$("dialog[open]").waitForDisplayed({ timeout: 10_000 });
      await shots("command-confirm");
      await (await browser.$("dialog[open]").$("button=Create anyway")).click();
      await heading(browser, "db/dump");
    }),
  );

  it(
    "says manual runs ask for a store password, and where the schedule is set that scheduled runs cannot",
    step("store-password-schedule", async () => {
      await browser.$('nav[aria-label="Main"]').$("a*=Jobs").click();
      await heading(browser, "Jobs");
      await browser.$("a*=New job").click();
      await heading(browser, "New job");
      await (await button("Command")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "db/vaulted");
      await typeInto(browser, await control(browser, "Program"), "/usr/bin/env");
      await (await button("Add an argument")).click();
      await typeInto(browser, await control(browser, "Argument 1"), "--password=${secret:vaulted/db#password}");
      await (await button("Next")).click();
      // No problem to confirm: manual runs ask for the store password.
      await atStep("Secrets it uses");
      await until(async () => /vaulted\/db has its own store password: manual runs .* will ask for it; scheduled runs are refused/.test(await browser.$(".reg-card").getText()), {
        message: "the note that manual runs ask",
      });
      await (await button("Next")).click();
      await atStep("When it runs");
      await browser.$("label*=At a fixed interval").click();
      await until(async () => /Scheduled runs cannot ask for a store password/.test(await browser.$(".reg-card").getText()), {
        message: "the note on scheduled runs",
      });
      await shots("store-password-schedule");
      await (await button("Cancel")).click();
      await (await browser.$("button=Discard")).click();
      await heading(browser, "Jobs");
    }),
  );

  it(
    "sets a new value with the wizard's password generator and show toggle",
    step("set-new-value", async () => {
      await browser.$('nav[aria-label="Main"]').$("a*=Secrets").click();
      await heading(browser, "Secrets");
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-000002");
      const row = await browser.$('[data-testid="secret-row-svc-000002"] .cell-name');
      await row.waitForClickable({ timeout: 15_000 });
      await row.click();
      await heading(browser, "svc-000002");
      await (await button("Set new value")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      await (await dialog.$("button*=Generate a strong password")).click();
      await (await dialog.$('button[aria-label="Show password"]')).click();
      const value = await (await control(browser, "Password")).getValue();
      assert.match(value, /^\S{24}$/);
      await shots("set-new-value");
      await (await dialog.$("button=Save new value")).click();
      await until(async () => !(await browser.$("dialog[open]").isExisting()), { message: "the dialog to close" });
    }),
  );

  it(
    "shows one picker per upload box; a 20-day certificate already stored, with a key that does not match",
    step("upload-boxes", async () => {
      await browser.execute(() => {
        window.location.hash = "#/register/certificate";
      });
      await until(async () => (await browser.$("#reg-step-title").getText()) === "Certificate: the value", { message: "the certificate form" });
      // What a person can see and click in the boxes: the native dialog's button, once per box.
      const pickers = await browser.execute(() =>
        [...document.querySelectorAll(".reg-drop button, .reg-drop input[type=file]")]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            if (r.width < 4 || r.height < 4) return false;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit !== null && (hit === e || e.contains(hit));
          })
          .map((e) => (e.tagName === "INPUT" ? "file input" : e.textContent.trim())),
      );
      assert.deepEqual(pickers, ["Choose file…", "Choose file…"], "one visible picker per box");
      await shots("upload-empty");
      await setFileInput(browser, "Certificate file", leaf.cert);
      await setFileInput(browser, "Private key file (optional)", stranger.key);
      const findings = await until(
        async () => {
          const text = await browser.$(".reg-findings").getText();
          return /does not match/.test(text) && /already in the vault/.test(text) ? text : null;
        },
        { timeout: 20_000, message: "the findings" },
      );
      assert.match(findings, /already in the vault as tls\/short/);
      assert.match(await browser.$(".reg-validity-text").getText(), /^20 days left$/);
      assert.equal(findings.match(/does not match/g).length, 1, "the mismatch is said once");
      assert.ok(!/\(key_mismatch\)/.test(findings), "no internal codes");
      await shots("upload-findings");
    }),
  );

  it(
    "tests a certificate against a server that never asks for one: says so, and explains the 401",
    step("certificate-test", async () => {
      await (await button("Cancel")).click();
      await (await browser.$("button=Discard")).click();
      await heading(browser, "Secrets");
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "tls/short");
      const row = await browser.$('[data-testid="secret-row-tls/short"] .cell-name');
      await row.waitForClickable({ timeout: 15_000 });
      await row.click();
      await heading(browser, "tls/short");
      await (await button("Test…")).click();
      const dialog = await browser.$("dialog[open]");
      await dialog.waitForDisplayed({ timeout: 10_000 });
      await typeInto(browser, await control(browser, "URL"), serverUrl);
      await (await control(browser, "CA bundle (optional)")).selectByVisibleText("e2e/server-ca");
      await (await dialog.$("button=Test")).click();
      const report = await until(
        async () => {
          const region = await browser.$('section[aria-label="Test result"]');
          return (await region.isExisting()) ? region.getText() : null;
        },
        { timeout: 30_000, message: "the test's report" },
      );
      assert.match(report, /HTTP 401/);
      assert.match(report, /not asked for by the server, so not sent/);
      assert.match(report, /did not ask for a client certificate, so none was sent; it answered 401/);
      assert.ok(!/presented|did not accept these credentials/.test(report), report);
      await shots("certificate-test");
    }),
  );
});
