// Jobs: an http_fetch job created through the wizard, binding a basic-auth
// secret and a CA bundle secret, tested from the wizard, run for real
// against an HTTPS server on 127.0.0.1 (certificate from a private CA made
// here), its result on the job's page, and the "used by" link on the secret.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { chooseSecret, cli, control, guarded, heading, initVault, launch, nav, scenario, shot, until, typeInto } from "../lib/app.js";
import { selfSigned } from "../lib/fixtures.js";

const USER = "deploy";
const PASSWORD = "e2e-job-password-7731";
const BODY = "artifact body from the private server\n";

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

describe("a job that really runs with a secret", { timeout: 300_000 }, () => {
  const dir = scenario("jobs");
  const files = path.join(dir, "files");
  const target = path.join(dir, "out", "artifact.txt");
  const requests = [];
  let server;
  let url;
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const ca = selfSigned(files, "e2e-ca", { cn: "Coffer E2E Private CA", ca: true, days: 30 });
    server = https.createServer(serverCert(files, ca), (req, res) => {
      requests.push({ url: req.url, authorization: req.headers.authorization ?? null });
      const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="e2e"' }).end("who are you?");
        return;
      }
      res.writeHead(200, { "Content-Type": "text/plain" }).end(BODY);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${server.address().port}/artifacts/app.txt`;
    cli(dir, ["secret", "add", "basic_auth", "e2e/registry", "--field", `username=${USER}`, "--field", "password=@-"], {
      input: PASSWORD,
    });
    cli(dir, ["secret", "add", "ca_bundle", "e2e/private-ca", "--file", `certificates=${ca.cert}`]);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
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

  it(
    "shows the empty jobs list",
    step("jobs-empty", async () => {
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      await browser.$("h2=No jobs yet").waitForDisplayed({ timeout: 10_000 });
    }),
  );

  it(
    "creates an http_fetch job through the wizard, binding the secret",
    step("job-wizard", async () => {
      await browser.$("a*=New job").click();
      await heading(browser, "New job");
      await atStep("What should the job do?");
      assert.equal((await browser.$$("button.type-card")).length, 4);
      await shot(browser, "e2e-job-kind.png");
      await (await button("HTTP fetch")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "e2e/fetch-artifact");
      const urlField = await control(browser, "URL");
      await typeInto(browser, urlField, url);
      await typeInto(browser, await control(browser, "Target file"), target);
      await shot(browser, "e2e-job-settings.png");
      await (await button("Next")).click();

      await atStep("Secrets it uses");
      // Only compatible types are offered: the CA bundle is not a credential.
      await (await control(browser, "Credentials")).click();
      const offered = await until(
        async () => {
          const names = await browser.execute(() => [...document.querySelectorAll('[role="listbox"] .picker-name')].map((n) => n.textContent));
          return names.includes("e2e/registry") ? names : null;
        },
        { message: "the credentials offered" },
      );
      assert.ok(!offered.includes("e2e/private-ca"), `a CA bundle is not offered as credentials: ${offered}`);
      await chooseSecret(browser, "Credentials", "e2e/registry");
      await chooseSecret(browser, "CA bundle", "e2e/private-ca");
      // The Test action: one authenticated request, status and TLS facts, never the value.
      await (await button("Test the credentials")).click();
      const report = await until(
        async () => {
          const status = await browser.$(".job-test [role='status']");
          return (await status.isExisting()) ? status.getText() : null;
        },
        { message: "the test's report" },
      );
      assert.match(report, /HTTP 200/);
      assert.match(report, /TLSv1\.[23]/);
      assert.ok(!report.includes(PASSWORD), "the test never shows the value");
      await shot(browser, "e2e-job-security.png");
      await (await button("Next")).click();

      await atStep("When it runs");
      await browser.$("label*=At a fixed interval").click();
      const every = await control(browser, "Every");
      await typeInto(browser, every, "6h");
      await until(async () => (await browser.$(".reg-card").getText()).includes("every 6h; next:"), {
        message: "the schedule preview",
      });
      await (await button("Next")).click();

      await atStep("Review");
      const review = await browser.$(".reg-card").getText();
      for (const text of ["e2e/fetch-artifact", "HTTP fetch", url, target, "e2e/registry", "e2e/private-ca"]) {
        assert.ok(review.includes(text), `the review shows ${text}`);
      }
      await shot(browser, "e2e-job-review.png");
      await (await button("Create job")).click();
      await heading(browser, "e2e/fetch-artifact");
    }),
  );

  it(
    "runs the job: the file is fetched with the bound credentials, the run is recorded",
    step("job-run", async () => {
      const before = requests.length;
      await (await button("Run now")).click();
      await until(async () => (await browser.$(".run-item summary").isExisting()) && (await browser.$(".run-item summary").getText()).includes("succeeded"), {
        timeout: 30_000,
        message: "a succeeded run",
      });
      assert.equal(fs.readFileSync(target, "utf8"), BODY);
      assert.equal((fs.statSync(target).mode & 0o777).toString(8), "600");
      const seen = requests.slice(before);
      assert.equal(seen.length, 1, "one request");
      assert.ok(seen[0].authorization?.startsWith("Basic "), "sent with the bound credentials");
      const run = await until(
        async () => {
          const text = await browser.$(".run-item").getText();
          return /HTTP status\s*200/.test(text) ? text : null;
        },
        { message: "the run's result" },
      );
      assert.ok(run.includes(String(Buffer.byteLength(BODY))), "the size is shown");
      assert.ok(!run.includes(PASSWORD), "the value is never shown");
      await shot(browser, "e2e-job-detail.png");
    }),
  );

  it(
    "lists the job with its secrets badge and last result",
    step("jobs-list", async () => {
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      const row = await browser.$("tr*=e2e/fetch-artifact");
      await row.waitForDisplayed({ timeout: 10_000 });
      const text = await row.getText();
      assert.match(text, /HTTP fetch/);
      assert.match(text, /every 6h/);
      assert.match(text, /succeeded/);
      assert.equal((await row.$(".job-secret-badge").getText()).trim(), "2");
      await shot(browser, "e2e-jobs-list.png");
    }),
  );

  it(
    "shows the job under 'Used by' on the secret, with a link back",
    step("used-by", async () => {
      await browser.$("a=e2e/fetch-artifact").click();
      await heading(browser, "e2e/fetch-artifact");
      await browser.$("a=e2e/registry").click();
      await heading(browser, "e2e/registry");
      const usedBy = await browser.$("section[aria-labelledby='used-by-title']");
      await until(async () => (await usedBy.getText()).includes("e2e/fetch-artifact"), { message: "the job under Used by" });
      await shot(browser, "e2e-secret-used-by.png");
      await usedBy.$("a*=e2e/fetch-artifact").click();
      await heading(browser, "e2e/fetch-artifact");
    }),
  );

  it(
    "checks placeholders as they are typed, then runs a command with its output redacted",
    step("job-command", async () => {
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      await browser.$("a*=New job").click();
      await atStep("What should the job do?");
      await (await button("Command")).click();
      await atStep("Settings");
      await typeInto(browser, await control(browser, "Name"), "e2e/print-login");
      await typeInto(browser, await control(browser, "Program"), "/bin/sh");
      await (await button("Add an argument")).click();
      await typeInto(browser, await control(browser, "Argument 1"), "-c");
      await (await button("Add an argument")).click();
      await typeInto(browser, await control(browser, "Argument 2"), 'echo "user=$LOGIN_USER pass=$LOGIN_PASS"');
      await (await button("Add a variable")).click();
      await typeInto(browser, await control(browser, "Variable 1"), "LOGIN_USER");
      await typeInto(browser, await control(browser, "Value"), "${secret:e2e/registry#username}");
      await (await button("Add a variable")).click();
      await typeInto(browser, await control(browser, "Variable 2"), "LOGIN_PASS");
      // A typo in the field name: marked in the text and explained, as typed.
      const passInput = await until(
        async () => {
          for (const el of await browser.$$(".ph-field input")) if ((await el.getValue()) === "") return el;
          return null;
        },
        { message: "the second value field" },
      );
      await typeInto(browser, passInput, "${secret:e2e/registry#pasword}");
      await until(async () => (await browser.$$(".ph-bad")).length === 1, { message: "the typo marked" });
      const problem = await browser.$(".ph-problems").getText();
      assert.match(problem, /no field "pasword"/);
      await shot(browser, "e2e-job-placeholders.png");
      await typeInto(browser, passInput, "${secret:e2e/registry#password}");
      await until(async () => (await browser.$$(".ph-bad")).length === 0 && (await browser.$$(".ph-ok")).length === 2, {
        message: "both placeholders resolving",
      });
      await (await button("Next")).click();
      await atStep("Secrets it uses");
      assert.match(await browser.$(".reg-card").getText(), /Also used through placeholders:\s*e2e\/registry/);
      await (await button("Next")).click();
      await atStep("When it runs");
      await (await button("Next")).click();
      await atStep("Review");
      await (await button("Create job")).click();
      await heading(browser, "e2e/print-login");
      await (await button("Run now")).click();
      const log = await until(
        async () => {
          const el = await browser.$(".run-log");
          return (await el.isExisting()) ? el.getText() : null;
        },
        { timeout: 30_000, message: "the run's log" },
      );
      // Every secret value is redacted; the public user name is not a secret.
      assert.match(log, new RegExp(`user=${USER} pass=\\*\\*\\*`));
      assert.ok(!log.includes(PASSWORD), "the password is redacted");
      await shot(browser, "e2e-job-command-run.png");
    }),
  );

  it(
    "the CLI sees the same job, run and usage",
    step("jobs-cli", async () => {
      await app.quit();
      app = undefined;
      const runs = JSON.parse(cli(dir, ["job", "runs", "e2e/fetch-artifact", "--json"]));
      assert.equal(runs.length, 1);
      assert.equal(runs[0].status, "succeeded");
      assert.equal(runs[0].trigger, "manual");
      assert.ok(!JSON.stringify(runs).includes(PASSWORD), "no value in the run history");
      const usage = JSON.parse(cli(dir, ["secret", "usage", "e2e/registry", "--json"]));
      assert.deepEqual(usage.map((u) => u.name).sort(), ["e2e/fetch-artifact", "e2e/print-login"]);
    }),
  );
});
