// The registration wizard: one secret of each of the nine types, through the
// window (the certificate and the CA bundle through the wizard's file input),
// then checked in the list, on a detail page, and with the CLI.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, control, guarded, heading, initVault, launch, listRows, nav, scenario, setFileInput, shot, until, typeInto } from "../lib/app.js";
import { caBundle, selfSigned } from "../lib/fixtures.js";

describe("registering one secret of each type", { timeout: 300_000 }, () => {
  const dir = scenario("register");
  const files = path.join(dir, "files");
  let browser;
  let app;
  let tls;
  let bundle;
  const step = guarded(() => browser);

  before(async () => {
    initVault(dir);
    tls = selfSigned(files, "api-client", { cn: "api-client.example.com", days: 120 });
    bundle = caBundle(files, "corp-roots");
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 30_000);
  });
  after(async () => {
    await app?.quit();
  });

  /** The one displayed element among those matching (hidden steps stay in the DOM). */
  const shown = async (selector) =>
    until(
      async () => {
        for (const el of await browser.$$(selector)) if (await el.isDisplayed()) return el;
        return null;
      },
      { message: `a displayed ${selector}` },
    );
  const stepTitle = () => browser.$("#reg-step-title").getText();
  const atStep = (title) => until(async () => (await stepTitle()) === title, { message: `the step "${title}"` });
  const type = async (label, text) => typeInto(browser, await control(browser, label), text);
  const next = async () => (await shown("form.reg-form:not([hidden]) button[type='submit']")).click();

  async function chooseType(label) {
    await atStep("Choose the type");
    const cards = await browser.$$("button.type-card");
    for (const card of cards) {
      if ((await card.$("strong").getText()) === label) {
        await card.click();
        await atStep(`${label}: the value`);
        return;
      }
    }
    throw new Error(`no type card ${label}`);
  }

  /**
   * The label from the suggestions of the labels in use (a combobox, no
   * native datalist): "e", ↓ Enter picks the key "env", ↓ Enter its value
   * "e2e"; then Enter (nothing highlighted) adds it, as the wizard's Enter.
   */
  async function labelFromSuggestions(labels) {
    await typeInto(browser, labels, "e");
    const list = browser.$("[role='listbox'][aria-label='Labels in use']");
    await list.waitForDisplayed({ timeout: 10_000 });
    const options = () =>
      browser.execute(() =>
        [...document.querySelectorAll("[role='listbox'][aria-label='Labels in use'] [role='option'] .combo-label")].map((o) => o.textContent).join(","),
      );
    await until(async () => (await options()) === "env", { message: "the key env suggested" });
    await browser.keys("ArrowDown");
    await browser.keys("Enter");
    await until(async () => (await labels.getValue()) === "env=", { message: "the key picked" });
    await until(async () => (await options()) === "env=e2e", { message: "the values of env suggested" });
    await browser.keys("ArrowDown");
    await shot(browser, "e2e-register-label-suggestions.png");
    await browser.keys("Enter");
    await until(async () => (await labels.getValue()) === "env=e2e", { message: "the value picked" });
    assert.equal(await list.isDisplayed(), false, "the list closed");
    assert.equal(await stepTitle(), "Name and details", "Enter on a suggestion did not move the wizard on");
  }

  /** Name, description and a label (typed, or picked from the suggestions), then review and register. */
  async function details({ name, description, label, expires, suggested = false }) {
    await atStep("Name and details");
    const nameField = await control(browser, "Name");
    await typeInto(browser, nameField, name);
    await type("Description (optional)", description);
    if (expires) {
      // WebKitGTK's date field has month, day and year segments (en-US order):
      // type each, with Tab to move to the next.
      const field = await control(browser, "Expires (optional)");
      await field.click();
      const [y, m, d] = expires.split("-");
      for (const [i, part] of [m, d, y].entries()) {
        if (i > 0) await browser.keys(["Tab"]);
        await browser.keys([...part]);
      }
      await until(async () => (await field.getValue()) === expires, { message: `the date ${expires}` });
    }
    const labels = await control(browser, "Labels (optional)");
    if (suggested) await labelFromSuggestions(labels);
    else await typeInto(browser, labels, label);
    await browser.keys("Enter");
    await until(async () => (await browser.$("ul.reg-labels").getText()).includes(label), { message: "the label chip" });
    await next();
    await atStep("Review and register");
    const review = await browser.$(".reg-card").getText();
    assert.ok(review.includes(name), `the review names ${name}`);
    await (await shown("button*=Register")).click();
    await atStep("Registered");
    const done = await browser.$(".reg-done [role='status']").getText();
    assert.match(done, new RegExp(`Registered\\.[\\s\\S]*${name.replace(/[/.]/g, "\\$&")}`));
    return done;
  }

  async function another() {
    await (await shown("button*=Register another")).click();
    await atStep("Choose the type");
  }

  it(
    "opens the wizard from the empty list",
    step("wizard-open", async () => {
      await browser.$("a=Register your first secret").click();
      await heading(browser, "Register a secret");
      await atStep("Choose the type");
      assert.equal((await browser.$$("button.type-card")).length, 9);
    }),
  );

  it(
    "basic auth",
    step("reg-basic_auth", async () => {
      await chooseType("Basic auth");
      await type("Username", "deploy");
      await type("Password", "registry-pass-1");
      await next();
      await details({ name: "e2e/basic", description: "Registry push", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "bearer token, with an expiry",
    step("reg-bearer_token", async () => {
      await chooseType("Bearer token");
      await type("Token", "tok-abc-123");
      await next();
      const expires = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
      const done = await details({ name: "e2e/bearer", description: "CI token", label: "env=e2e", expires });
      assert.match(done, /expiring/);
    }),
  );

  it(
    "API key",
    step("reg-api_key", async () => {
      await another();
      await chooseType("API key");
      const header = await control(browser, "Header name");
      await typeInto(browser, header, "X-Weather-Key");
      await type("Key value", "wk-42");
      await next();
      await details({ name: "e2e/api", description: "Weather API", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "client credentials",
    step("reg-client_credentials", async () => {
      await chooseType("Client credentials");
      await type("Client ID", "orders");
      await type("Client secret", "cs-789");
      await type("Scopes (optional)", "orders.read orders.write");
      await type("Token URL (optional)", "https://idp.example.com/oauth/token");
      await until(async () => (await browser.$("ul[aria-label='Scopes']").getText()).includes("orders.write"), { message: "scope chips" });
      await next();
      await details({ name: "e2e/client", description: "Orders service", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "certificate, from the file input, inspected before saving",
    step("reg-certificate", async () => {
      await chooseType("Certificate");
      await setFileInput(browser, "Certificate file", tls.cert);
      await until(async () => (await browser.$$(".reg-findings")).length > 0, { timeout: 20_000, message: "the certificate report" });
      await setFileInput(browser, "Private key file (optional)", tls.key);
      await until(async () => /matches/i.test(await browser.$(".reg-findings").getText()), { timeout: 20_000, message: "the key check" });
      const findings = await browser.$(".reg-findings").getText();
      assert.match(findings, /api-client\.example\.com/);
      assert.match(findings, /The secret will expire with the leaf/);
      await shot(browser, "e2e-register.png");
      await next();
      await atStep("Name and details");
      // The name is proposed from the leaf's common name; the expiry is the leaf's, locked.
      assert.equal(await (await control(browser, "Name")).getValue(), "api-client.example.com");
      assert.equal(await (await control(browser, "Expires")).getAttribute("readonly"), "true");
      await details({ name: "e2e/cert", description: "mTLS client", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "CA bundle, from the file input",
    step("reg-ca_bundle", async () => {
      await chooseType("CA bundle");
      await setFileInput(browser, "CA bundle file", bundle);
      await until(async () => /Example Root CA B/.test(await browser.$(".reg-findings").getText()), { timeout: 20_000, message: "the bundle's CAs" });
      await next();
      await details({ name: "e2e/roots", description: "Corporate roots", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "SSH key pair, generated",
    step("reg-ssh_key_pair", async () => {
      await chooseType("SSH key pair");
      const generate = await browser.$('input[type="radio"][value="generate"]');
      assert.equal(await generate.isSelected(), true, "generate is the default");
      await type("Comment (optional)", "deploy@e2e");
      await next();
      await details({ name: "e2e/ssh", description: "Deploy key", label: "env=e2e" });
      const key = await browser.$('pre[aria-label="Public key"]').getText();
      assert.match(key, /^ssh-ed25519 AAAA\S+ deploy@e2e$/);
      fs.writeFileSync(path.join(dir, "e2e-ssh.pub"), `${key}\n`);
      await another();
    }),
  );

  it(
    "key/value",
    step("reg-key_value", async () => {
      await chooseType("Key/value");
      await type("Key 1", "DB_USER");
      await type("Value 1", "app");
      await (await shown("button*=Add key")).click();
      await type("Key 2", "DB_PASSWORD");
      await type("Value 2", "kv-secret");
      await next();
      await details({ name: "e2e/env", description: "App environment", label: "env=e2e" });
      await another();
    }),
  );

  it(
    "data, typed as text",
    step("reg-data", async () => {
      await chooseType("Data");
      await browser.$('input[type="radio"][value="text"]').click();
      await type("Text", "license-line-1");
      await type("File name (optional)", "license.txt");
      await next();
      await details({ name: "e2e/data", description: "License", label: "env=e2e", suggested: true });
    }),
  );

  it(
    "lists the nine, each with its type",
    step("reg-list", async () => {
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      await until(async () => (await listRows(browser)).length === 9, { message: "nine rows" });
      const types = Object.fromEntries((await listRows(browser)).map((r) => [r.name, r.type]));
      assert.deepEqual(types, {
        "e2e/api": "API key",
        "e2e/basic": "Basic auth",
        "e2e/bearer": "Bearer token",
        "e2e/cert": "Certificate",
        "e2e/client": "Client credentials",
        "e2e/data": "Data",
        "e2e/env": "Key/value",
        "e2e/roots": "CA bundle",
        "e2e/ssh": "SSH key pair",
      });
      for (const row of await listRows(browser)) assert.deepEqual(row.labels, ["env=e2e"], row.name);
      await browser.$('[data-testid="secret-row-e2e/cert"] .cell-name').click();
      await browser.$(".cert-card").waitForDisplayed();
      assert.equal(await browser.$(".cert-card strong").getText(), "api-client.example.com");
    }),
  );

  it(
    "stored what was entered (checked with the CLI)",
    step("reg-cli", async () => {
      await app.quit();
      app = undefined;
      const reveal = (name, field) => cli(dir, ["secret", "reveal", name, "--field", field]).replace(/\n$/, "");
      assert.equal(reveal("e2e/basic", "password"), "registry-pass-1");
      assert.equal(reveal("e2e/bearer", "token"), "tok-abc-123");
      assert.equal(reveal("e2e/api", "value"), "wk-42");
      assert.equal(reveal("e2e/client", "client_secret"), "cs-789");
      assert.equal(reveal("e2e/env", "DB_PASSWORD"), "kv-secret");
      assert.equal(reveal("e2e/data", "data"), "license-line-1");
      const show = (name) => JSON.parse(cli(dir, ["secret", "show", name, "--json"]));
      assert.equal(show("e2e/api").public_fields.header_name, "X-Weather-Key");
      assert.deepEqual(show("e2e/client").public_fields.scopes, ["orders.read", "orders.write"]);
      const cert = show("e2e/cert");
      assert.equal(cert.public_fields.key_matches_leaf, true);
      assert.equal(cert.public_fields.certificates[0].subject_cn, "api-client.example.com");
      assert.equal(show("e2e/roots").public_fields.certificates.length, 2);
      const pub = cli(dir, ["secret", "public-key", "e2e/ssh"]).trim();
      assert.equal(pub, fs.readFileSync(path.join(dir, "e2e-ssh.pub"), "utf8").trim());
      assert.equal(show("e2e/basic").description, "Registry push");
    }),
  );
});
