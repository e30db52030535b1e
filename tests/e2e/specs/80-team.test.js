// The team vault in the real app against a real PostgreSQL (Debian's, started
// here on 127.0.0.1 with password authentication): a wrong password is
// refused with a clear error, then the app creates the team vault, invites a
// member, a second local vault joins with the CLI (`coffer shared-vault
// join`), the app refuses a wrong fingerprint and confirms the one the CLI's
// `status` printed, and the member list shows the member active; removing
// the member warns that a key read cannot be taken back. Then a
// third vault joins in the app (its fingerprint shown large), and with the
// server stopped the section says it is unreachable.
// Screenshots (team-*) at 1280×800, the members and a ticket also in dark.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { chooseSecret, cli, control, guarded, heading, initVault, launch, nav, scenario, shot, typeInto, until, viewport } from "../lib/app.js";
import { startPostgres } from "../lib/postgres.js";

const PG_PASSWORD = "e2e-pg-password-6173";

describe("Team vault on PostgreSQL", { timeout: 300_000 }, () => {
  const dir = scenario("team-admin");
  const member = scenario("team-member");
  const joiner = scenario("team-joiner");
  let browser;
  let app;
  let pg;
  let memberFingerprint;
  let firstTicket;
  let secondTicket;
  const step = guarded(() => browser);

  const dialogButton = async (text) => {
    const el = await browser.$(".dialog-foot").$(`button=${text}`);
    await el.waitForClickable({ timeout: 10_000 });
    return el;
  };
  const dialogError = () =>
    until(
      async () => {
        const el = await browser.$("dialog .notice-error");
        return (await el.isExisting()) ? el.getText() : null;
      },
      { timeout: 30_000, message: "the dialog's error" },
    );
  const memberStatus = (vaultDir) => JSON.parse(cli(vaultDir, ["--json", "shared-vault", "status"]));
  const invite = async () => {
    await (await browser.$("button*=Invite")).click();
    await until(async () => (await browser.$("h2=Invite a member").isDisplayed()), { message: "the invite dialog" });
    await (await dialogButton("Create invitation")).click();
    const ticket = await control(browser, "Ticket");
    const text = await until(async () => ticket.getValue(), { message: "the ticket" });
    assert.match(text, /^coffer-invite-v1\./);
    return text;
  };

  before(async () => {
    pg = await startPostgres({ password: PG_PASSWORD });
    initVault(dir);
    const add = (name, pw) => cli(dir, ["secret", "add", "basic_auth", name, "--field", "username=coffer", "--field", "password=@-"], { input: pw });
    add("pg/coffer", PG_PASSWORD);
    add("pg/stale", "not-the-password");
    initVault(member);
    initVault(joiner);
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
    await viewport(browser, 1280, 800);
  });
  after(async () => {
    await app?.quit();
    await pg?.stop();
  });

  it(
    "refuses a wrong database password, then creates the team vault",
    step("create", async () => {
      await nav(browser, "Team vault");
      await heading(browser, "Team vault");
      await until(async () => (await browser.$("h2=Join with an invitation").isDisplayed()), { message: "the two cards" });
      await shot(browser, "team-start.png");
      await (await browser.$("button*=Create a team vault")).click();
      await typeInto(browser, await control(browser, "Connection string"), pg.url);
      await chooseSecret(browser, "Password secret (optional)", "pg/stale");
      await typeInto(browser, await control(browser, "Your display name"), "Ann Admin");
      await typeInto(browser, await control(browser, "First organization"), "Platform");
      await (await dialogButton("Create")).click();
      const refused = await dialogError();
      assert.match(refused, /refused the login/);
      assert.match(refused, /wrong password is refused/);
      assert.ok(!refused.includes("not-the-password") && !refused.includes(PG_PASSWORD), "no password in the error");
      await shot(browser, "team-create-refused.png");
      await chooseSecret(browser, "Password secret (optional)", "pg/coffer");
      await (await dialogButton("Create")).click();
      await until(async () => !(await browser.$("dialog").isExisting()), { timeout: 30_000, message: "the dialog to close" });
      const card = await browser.$(".team-status");
      await until(async () => (await card.getText()).includes("connected"), { timeout: 30_000, message: "connected" });
      const text = await card.getText();
      assert.match(text, /Administrator/);
      assert.match(text, new RegExp(`127\\.0\\.0\\.1:${pg.port}/team`));
      await until(async () => (await browser.$(".team-members").getText()).includes("Ann Admin"), { message: "the creator listed" });
      await shot(browser, "team-status.png");
    }),
  );

  it(
    "invites a member; the ticket is shown once with a copy button",
    step("invite", async () => {
      const ticket = await invite();
      const text = await browser.$("dialog").getText();
      assert.match(text, /This ticket is a credential/);
      assert.ok(await browser.$("button*=Copy ticket").isDisplayed());
      await shot(browser, "team-invite.png");
      await (await dialogButton("Done")).click();
      firstTicket = ticket;
      const file = path.join(member, "ticket");
      fs.writeFileSync(file, ticket, { mode: 0o600 });
      const joined = JSON.parse(cli(member, ["--json", "shared-vault", "join", "--ticket-file", file, "--name", "Bo Member"]));
      assert.equal(joined.state, "pending");
      const status = memberStatus(member);
      assert.equal(status.state, "pending");
      memberFingerprint = status.fingerprint;
      assert.match(memberFingerprint, /^[0-9a-f]{4}(-[0-9a-f]{4}){4}$/);
    }),
  );

  it(
    "refuses a wrong fingerprint, then confirms the one the member's CLI shows",
    step("confirm", async () => {
      await (await browser.$("button*=Refresh")).click();
      const confirm = await browser.$('button[aria-label="Confirm Bo Member"]');
      await confirm.waitForClickable({ timeout: 30_000 });
      const row = await browser.$("tr*=Bo Member");
      assert.match(await row.getText(), /pending/);
      await shot(browser, "team-pending-member.png");
      await confirm.click();
      const field = await control(browser, "Fingerprint read out by the member");
      const last = memberFingerprint.at(-1);
      const wrong = memberFingerprint.slice(0, -1) + (last === "0" ? "1" : "0");
      await typeInto(browser, field, wrong);
      await (await dialogButton("Confirm")).click();
      const refused = await dialogError();
      assert.match(refused, /does not match/);
      assert.match(refused, /nothing was granted/i);
      await shot(browser, "team-confirm-mismatch.png");
      assert.equal(memberStatus(member).state, "pending", "a mismatch grants nothing");
      // Read out by a person: upper case, spaces instead of dashes.
      await typeInto(browser, field, memberFingerprint.toUpperCase().replaceAll("-", " "));
      await (await dialogButton("Confirm")).click();
      await until(async () => !(await browser.$("dialog").isExisting()), { timeout: 30_000, message: "the dialog to close" });
      await until(async () => /active/.test(await browser.$("tr*=Bo Member").getText()), { timeout: 30_000, message: "Bo active" });
      assert.ok(!(await browser.$('button[aria-label="Confirm Bo Member"]').isExisting()));
      const status = memberStatus(member);
      assert.equal(status.state, "active");
      assert.equal(status.role, "member");
      await shot(browser, "team-members.png");
      // The same screens in the dark theme.
      await nav(browser, "Settings");
      await heading(browser, "Settings");
      await browser.$("label=Dark").click();
      await until(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === "dark", { message: "the dark theme" });
      await nav(browser, "Team vault");
      await heading(browser, "Team vault");
      await until(async () => /Bo Member/.test(await browser.$(".team-members").getText()), { timeout: 30_000, message: "the members" });
      await shot(browser, "team-members-dark.png");
      secondTicket = await invite();
      await shot(browser, "team-invite-dark.png");
      await (await dialogButton("Done")).click();
    }),
  );

  it(
    "removes a member: warned that a key read cannot be taken back, nothing to rotate yet",
    step("remove", async () => {
      await (await browser.$('button[aria-label="Remove Bo Member"]')).click();
      await until(async () => /cannot be taken back/.test(await browser.$("dialog").getText()), { message: "the warning" });
      await shot(browser, "team-remove.png");
      await (await dialogButton("Remove")).click();
      await until(async () => (await browser.$("h2=Bo Member is removed").isExisting()), { timeout: 30_000, message: "the removal" });
      assert.match(await browser.$("dialog").getText(), /nothing to rotate/);
      await shot(browser, "team-removed.png");
      await (await dialogButton("Done")).click();
      await until(async () => /removed/.test(await browser.$("tr*=Bo Member").getText()), { timeout: 30_000, message: "Bo removed" });
      assert.ok(!(await browser.$('button[aria-label="Remove Bo Member"]').isExisting()));
    }),
  );

  it(
    "joins from another vault in the app: the fingerprint shown large; a stopped server is unreachable",
    step("join-in-app", async () => {
      await app.quit();
      ({ browser, app } = await launch(joiner));
      await heading(browser, "Secrets", 60_000);
      await viewport(browser, 1280, 800);
      await nav(browser, "Team vault");
      await heading(browser, "Team vault");
      await (await browser.$("button*=Join with an invitation")).click();
      await typeInto(browser, await control(browser, "Invitation ticket"), "coffer-invite-v1.bogus");
      await typeInto(browser, await control(browser, "Your display name"), "Cy Joiner");
      await (await dialogButton("Join")).click();
      const bad = await dialogError();
      assert.match(bad, /invalid|ticket/i);
      await shot(browser, "team-join-bad-ticket.png");
      // Bo's ticket again: used already, refused by the server; nothing is kept.
      await typeInto(browser, await control(browser, "Invitation ticket"), firstTicket);
      await (await dialogButton("Join")).click();
      await until(async () => /not valid/.test(await dialogError()), { timeout: 30_000, message: "invitation_invalid" });
      assert.match(await dialogError(), /Ask your administrator for a new invitation/);
      await shot(browser, "team-join-used-ticket.png");
      await typeInto(browser, await control(browser, "Invitation ticket"), secondTicket);
      await (await dialogButton("Join")).click();
      await until(async () => (await browser.$("h2=Read this to your administrator").isExisting()), {
        timeout: 30_000,
        message: "the joiner's fingerprint",
      });
      const shown = await browser.$(".fingerprint-large").getAttribute("aria-label");
      const cliFingerprint = memberStatus(joiner).fingerprint;
      assert.equal(shown, `Fingerprint ${cliFingerprint.replaceAll("-", " ")}`);
      await shot(browser, "team-joined-pending.png");
      await pg.stop();
      await (await browser.$("button*=Refresh")).click();
      await until(async () => (await browser.$(".team-status").getText()).includes("unreachable"), {
        timeout: 30_000,
        message: "unreachable",
      });
      const text = await browser.$(".team-status").getText();
      assert.match(text, /cannot be reached/);
      assert.match(text, /did not answer/);
      await shot(browser, "team-unreachable.png");
    }),
  );
});
