// The secrets list in daily use (issue 14, items 8, 9, 10, 14, 15, 20): the
// list, its status chips, dates and labels at 1024×700, 1280×800 and
// 1920×1080; several label filters and a label chip as a filter; the column
// chooser; the keyboard; "expires tomorrow" the same in the chip, the list
// and the Expiry page; rename (with the job that names the secret) and a
// revealed kubeconfig; then "select all matching" on a 10,000-secret vault,
// labelling every match, loaded or not.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { Key } from "webdriverio";

import {
  APP,
  cli,
  daysFromNow,
  E2E_DIR,
  guarded,
  heading,
  initVault,
  launch,
  listRows,
  nav,
  PASSPHRASE,
  scenario,
  settle,
  shot,
  toasts,
  typeInto,
  until,
} from "../lib/app.js";

const SIZES = [
  [1024, 700],
  [1280, 800],
  [1920, 1080],
];

const LONG_NAME = "payments/reconciliation/nightly-settlement-batch-service-account";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmw=
    server: https://k8s-prod.example.com:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: deployer
  name: prod
current-context: prod
`;

/** Local tomorrow at 09:00, RFC 3339: "tomorrow" at any time of today. */
function tomorrowMorning() {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0).toISOString().replace(/\.\d+Z$/, "Z");
}

function seed(dir) {
  initVault(dir);
  const add = (args, input) => cli(dir, ["secret", "add", ...args], { input });
  add(
    ["basic_auth", "prod/registry", "--field", "username=deploy", "--field", "password=@-", "--description", "Harbor registry push account",
      "--label", "env=prod", "--label", "team=platform", "--label", "tier=gold", "--label", "region=eu-west-1", "--expires", daysFromNow(19.001)],
    "registry-pw",
  );
  add(["bearer_token", "ci/deploy-token", "--field", "token=@-", "--label", "env=ci", "--expires", tomorrowMorning()], "t0k3n");
  add(["api_key", LONG_NAME, "--field", "header_name=X-Key", "--field", "value=@-", "--label", "env=prod", "--description", "Not the name"], "k");
  add(["data", "k8s/kubeconfig", "--field", "data=@-", "--label", "env=prod", "--label", "team=platform"], KUBECONFIG);
  add(["basic_auth", "legacy/ftp", "--field", "username=ftp", "--field", "password=@-", "--label", "env=staging"], "ftp-pw");
  const template = path.join(dir, "app.tmpl");
  fs.writeFileSync(template, "password=${secret:prod/registry}\n");
  cli(dir, ["job", "add", "template", "render-registry", "--template", template, "--output", path.join(dir, "app.conf")]);
  cli(dir, ["job", "add", "command", "rotate-check", "--", "/bin/true", "${secret:prod/registry#username}"]);
}

/** Resizes the window and checks the page really has that size. */
async function resize(browser, width, height) {
  await browser.setWindowSize(width, height);
  await until(
    async () => {
      const [w, h] = await browser.execute(() => [window.innerWidth, window.innerHeight]);
      return w === width && h === height;
    },
    { message: `the page to be ${width}×${height}` },
  );
  await settle(browser, 250);
}

/** What is cut or out of view in the list at this size. */
async function listLayout(browser) {
  return browser.execute(() => {
    const wrap = document.querySelector(".table-wrap").getBoundingClientRect();
    const cut = [];
    for (const row of document.querySelectorAll(".table-body [role=row][data-testid]")) {
      const name = row.dataset.testid;
      const chip = row.querySelector("[data-col=status] .badge");
      const status = row.querySelector("[data-col=status]").getBoundingClientRect();
      if (chip && (chip.scrollWidth > chip.clientWidth || chip.getBoundingClientRect().right > status.right + 0.5)) cut.push(`${name}: status`);
      const date = row.querySelector("[data-col=expires]");
      if (date && date.scrollWidth > date.clientWidth) cut.push(`${name}: expires`);
      const labels = row.querySelector("[data-col=labels]");
      if (labels && labels.getBoundingClientRect().right > wrap.right) cut.push(`${name}: labels out of view`);
      for (const label of row.querySelectorAll("[data-col=labels] .label-chip")) {
        if (label.getBoundingClientRect().right > labels.getBoundingClientRect().right + 0.5) cut.push(`${name}: label clipped`);
      }
    }
    const bar = ["Filter by name or description", "Type", "Status", "Add a label filter (key or key=value, Enter)"].map(
      (l) => Math.round(document.querySelector(`[aria-label="${l}"]`).getBoundingClientRect().top),
    );
    return { cut, barOnOneLine: new Set(bar).size === 1 };
  });
}

describe("the secrets list in daily use", { timeout: 300_000 }, () => {
  const dir = scenario("list-daily");
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

  const rowsNamed = async () => Object.fromEntries((await listRows(browser)).map((r) => [r.name, r]));
  const countLine = () => browser.$(".page-head p").getText();
  const openSecret = async (name) => {
    await browser.$(`[data-testid="secret-row-${name}"] .cell-name-text`).click();
    await until(async () => (await browser.$("h1.detail-name").getText()) === name, { message: `the detail of ${name}` });
  };

  it(
    "shows chips, dates and labels uncut at 1024, 1280 and 1920 wide, and names a row by its name",
    step("sizes", async () => {
      await until(async () => (await listRows(browser)).length === 5, { message: "five rows" });
      const rows = await rowsNamed();
      assert.equal(rows["ci/deploy-token"].status, "expires tomorrow");
      assert.match(rows["ci/deploy-token"].expires, /\(tomorrow\)$/);
      assert.equal(rows["prod/registry"].status, "expires in 19 days");
      assert.match(rows["prod/registry"].expires, /\(in 19 days\)$/);
      const title = await browser.$(`[data-testid="secret-row-${LONG_NAME}"] .cell-name-text`).getAttribute("title");
      assert.equal(title, LONG_NAME, "hovering a name shows the name, not the description");
      for (const [width, height] of SIZES) {
        await resize(browser, width, height);
        const layout = await listLayout(browser);
        assert.deepEqual(layout.cut, [], `nothing cut at ${width}`);
        assert.ok(layout.barOnOneLine, `the filter bar stays on one line at ${width}`);
        // Labels that do not fit show "+N" with all of them in the tooltip.
        const more = await browser.$('[data-testid="secret-row-prod/registry"] .label-more');
        if (await more.isExisting()) {
          assert.equal(await more.getAttribute("title"), "env=prod\nregion=eu-west-1\nteam=platform\ntier=gold");
        }
        await shot(browser, `list-secrets-${width}.png`);
      }
      await resize(browser, 1280, 800);
    }),
  );

  it(
    "filters by several labels, from a chip and from the field, and remembers the columns chosen",
    step("labels", async () => {
      await browser.$('[data-testid="secret-row-k8s/kubeconfig"]').$("button=env=prod").click();
      await until(async () => (await countLine()) === "3 matching", { message: "env=prod: three" });
      const field = await browser.$('[aria-label="Add a label filter (key or key=value, Enter)"]');
      await field.click();
      await browser.keys([..."team=platform", Key.Enter]);
      await until(async () => (await countLine()) === "2 matching", { message: "env=prod and team=platform: two" });
      const chips = await browser.execute(() => [...document.querySelectorAll('[aria-label="Label filters"] li')].map((li) => li.textContent.trim()));
      assert.deepEqual(chips, ["env=prod", "team=platform"]);
      await shot(browser, "list-label-filters.png");
      await browser.$("button=Clear filters").click();
      await until(async () => (await countLine()) === "5 in the vault", { message: "all five again" });

      assert.equal(await browser.$('[role="columnheader"]*=Created').isExisting(), false, "off until chosen");
      await browser.$("button*=Columns").click();
      await browser.$('[role="menuitemcheckbox"]*=Created').click();
      await shot(browser, "list-columns.png");
      await browser.keys(Key.Escape);
      await until(async () => browser.$('[role="columnheader"]*=Created').isExisting(), { message: "the Created column" });
      await browser.refresh();
      await heading(browser, "Secrets", 30_000);
      await until(async () => (await listRows(browser)).length === 5, { message: "rows after reload" });
      assert.equal(await browser.$('[role="columnheader"]*=Created').isExisting(), true, "the choice is kept");
      assert.equal(await browser.$('[role="columnheader"]*=Expires').isExisting(), true);
      await browser.$("button*=Columns").click();
      await browser.$('[role="menuitemcheckbox"]*=Created').click();
      await browser.keys(Key.Escape);
      await until(async () => !(await browser.$('[role="columnheader"]*=Created').isExisting()), { message: "Created off again" });
    }),
  );

  it(
    "works from the keyboard: Ctrl+F, Home/End, Ctrl+A, Ctrl+N and Escape",
    step("keyboard", async () => {
      await browser.$('[data-testid="secret-row-ci/deploy-token"]').click();
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      await browser.keys([Key.Ctrl, "f"]);
      await browser.keys(Key.Ctrl);
      assert.equal(await browser.execute(() => document.activeElement.getAttribute("aria-label")), "Filter by name or description");
      await browser.execute(() => document.querySelector('.table-body [role=row][data-index="0"]').focus());
      await browser.keys(Key.End);
      await until(async () => (await browser.execute(() => document.activeElement.dataset.index)) === "4", { message: "End: the last row" });
      await browser.keys(Key.Home);
      await until(async () => (await browser.execute(() => document.activeElement.dataset.index)) === "0", { message: "Home: the first row" });
      await browser.keys([Key.Ctrl, "a"]);
      await browser.keys(Key.Ctrl);
      await until(async () => (await browser.$(".bulk-bar strong").getText()) === "5 selected of 5", { message: "Ctrl+A selects all" });
      await browser.$("button=Clear selection").click();
      await browser.keys([Key.Ctrl, "n"]);
      await browser.keys(Key.Ctrl);
      await heading(browser, "Register a secret");
      await browser.keys(Key.Escape);
      await heading(browser, "Secrets");
    }),
  );

  it(
    "says tomorrow everywhere, and groups it under Tomorrow on the Expiry page",
    step("tomorrow", async () => {
      await nav(browser, "Expiry");
      await heading(browser, "Expiry");
      const groupText = (key) => browser.execute((k) => document.querySelector(`section[data-group="${k}"]`)?.textContent ?? "", key);
      const group = await until(async () => {
        const text = await groupText("tomorrow");
        return text.includes("ci/deploy-token") && text;
      }, { message: "ci/deploy-token under Tomorrow" });
      assert.match(group, /expires tomorrow/);
      assert.match(await groupText("month"), /prod\/registry[\s\S]*in 19 days/);
      for (const [width, height] of SIZES) {
        await resize(browser, width, height);
        await shot(browser, `list-expiry-${width}.png`);
      }
      await resize(browser, 1280, 800);
    }),
  );

  it(
    "renames a secret with the jobs that name it, and keeps the jobs table's words whole",
    step("rename", async () => {
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      await openSecret("prod/registry");
      await browser.$('button[aria-label="More actions"]').click();
      await browser.$('[role="menuitem"]=Rename…').click();
      const dialog = await browser.$("dialog[open]");
      await until(async () => (await dialog.getText()).includes("render-registry"), { message: "the jobs that name it" });
      assert.match(await dialog.getText(), /rotate-check/);
      await shot(browser, "list-rename.png");
      const field = await dialog.$('input[autocomplete="off"]');
      await typeInto(browser, field, "prod/registry-main");
      await browser.keys(Key.Enter);
      await until(async () => (await browser.$("h1.detail-name").getText()) === "prod/registry-main", { message: "the new name" });
      const said = (await toasts(browser)).join(" ");
      assert.match(said, /2 jobs now use the new name/);

      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      // The command job's placeholder and binding name the new name.
      await browser.$("a=rotate-check").click();
      await heading(browser, "rotate-check");
      await until(async () => (await browser.$("main").getText()).includes("${secret:prod/registry-main#username}"), {
        message: "the rewritten placeholder",
      });
      await nav(browser, "Jobs");
      await heading(browser, "Jobs");
      for (const [width, height] of SIZES) {
        await resize(browser, width, height);
        const broken = await browser.execute(() =>
          [...document.querySelectorAll(".jobs-table tbody td:not(.cell-name)")]
            .filter((td) => {
              // The lines its text sits on (icons aside), 4 px apart at least.
              const tops = [];
              const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.textContent.trim()) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                for (const rect of range.getClientRects()) if (!tops.some((t) => Math.abs(t - rect.top) < 4)) tops.push(rect.top);
              }
              return tops.length > 1;
            })
            .map((td) => td.textContent),
        );
        assert.deepEqual(broken, [], `no cell breaks over lines at ${width}`);
        await shot(browser, `list-jobs-${width}.png`);
      }
      await resize(browser, 1280, 800);
    }),
  );

  it(
    "shows a revealed kubeconfig full width, unwrapped, with a copy button",
    step("kubeconfig", async () => {
      await nav(browser, "Secrets");
      await heading(browser, "Secrets");
      await openSecret("k8s/kubeconfig");
      await browser.$("button*=Reveal").click();
      const pre = await browser.$("pre[aria-label$='(revealed)']");
      await pre.waitForDisplayed();
      const layout = await browser.execute(() => {
        const p = document.querySelector("pre[aria-label$='(revealed)']");
        const card = p.closest(".card").getBoundingClientRect();
        return { whiteSpace: getComputedStyle(p).whiteSpace, font: getComputedStyle(p).fontFamily, width: p.getBoundingClientRect().width, card: card.width, text: p.textContent };
      });
      assert.equal(layout.whiteSpace, "pre");
      assert.match(layout.font, /mono/i);
      assert.ok(layout.width > layout.card * 0.8, `full width (${layout.width} of ${layout.card})`);
      assert.equal(layout.text, KUBECONFIG);
      assert.equal(await browser.$('button[aria-label^="Copy"]').isDisplayed(), true);
      await shot(browser, "list-kubeconfig.png");
      await browser.$('button[aria-label^="Hide"]').click();
    }),
  );

  it(
    "leaves an empty expiry date blank",
    step("empty-date", async () => {
      await browser.$("button=Edit details").click();
      const input = await browser.$('dialog[open] input[type="date"]');
      await input.waitForDisplayed();
      assert.equal(await input.getAttribute("data-empty"), "true");
      const color = await browser.execute((e) => getComputedStyle(e).color, input);
      assert.match(color, /rgba\(0, 0, 0, 0\)|transparent/);
      await shot(browser, "list-empty-date.png");
      await browser.keys(Key.Escape);
    }),
  );
});

/** The vault generator of tests/e2e/perf, built (debug) next to the app when missing. */
function vaultgen() {
  const target = path.dirname(path.dirname(APP()));
  const bin = path.join(target, "vaultgen", "debug", "coffer-vaultgen");
  execFileSync("cargo", ["build", "--locked", "-q"], {
    cwd: path.join(E2E_DIR, "vaultgen"),
    env: { ...process.env, CARGO_TARGET_DIR: path.join(target, "vaultgen") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return bin;
}

describe("select all matching on a 10,000-secret vault", { timeout: 300_000 }, () => {
  const dir = scenario("list-10k");
  let browser;
  let app;
  const step = guarded(() => browser);

  before(async () => {
    execFileSync(vaultgen(), [path.join(dir, "vault.db"), "10000"], {
      env: { ...process.env, HOME: path.join(dir, "home"), XDG_DATA_HOME: path.join(dir, "data"), COFFER_VAULTGEN_PASSPHRASE: PASSPHRASE },
      stdio: ["ignore", "inherit", "inherit"],
    });
    ({ browser, app } = await launch(dir));
    await heading(browser, "Secrets", 60_000);
  });
  after(async () => {
    await app?.quit();
  });

  const countLine = () => browser.$(".page-head p").getText();

  it(
    "selects the 1,000 matches beyond the loaded page and labels every one",
    step("select-all-matching", async () => {
      await until(async () => /^10,?000 in the vault$/.test(await countLine()), { message: "10,000 secrets" });
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-001");
      await until(async () => /^1,?000 matching$/.test(await countLine()), { message: "1,000 matches" });
      await browser.$('[aria-label="Select all loaded secrets"]').click();
      await until(async () => /^100 selected of 1,?000$/.test(await browser.$(".bulk-bar strong").getText()), { message: "the loaded page" });
      await shot(browser, "list-select-page.png");
      await browser.$("button*=matching").click();
      await until(async () => /^1,?000 selected of 1,?000$/.test(await browser.$(".bulk-bar strong").getText()), { message: "all matching" });
      await shot(browser, "list-select-all-matching.png");
      await browser.$("button=Add label…").click();
      const input = await browser.$("dialog[open] input");
      await input.waitForDisplayed();
      await input.addValue("batch=e2e");
      const started = Date.now();
      await browser.keys(Key.Enter);
      await until(async () => (await toasts(browser)).some((t) => /Labelled: 1,?000 secrets\./.test(t)), {
        timeout: 120_000,
        message: "every match labelled",
      });
      console.log(`labelled 1,000 of 10,000 secrets (selected by filter) in ${Date.now() - started} ms`);
      await browser.$("button=Clear filters").click();
      const labels = await browser.$('[aria-label="Add a label filter (key or key=value, Enter)"]');
      await labels.click();
      await browser.keys([..."batch=e2e", Key.Enter]);
      await until(async () => /^1,?000 matching$/.test(await countLine()), { message: "1,000 carry the label, loaded or not" });
      // The last match was never loaded (the list showed its first page only): labelled too.
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-001999");
      await until(async () => (await countLine()) === "1 matching", { message: "svc-001999 labelled" });
      await typeInto(browser, await browser.$('[aria-label="Filter by name or description"]'), "svc-002000");
      await until(async () => (await countLine()) === "0 matching" || (await browser.$("h2=No secrets match").isExisting()), {
        message: "svc-002000 not labelled",
      });
    }),
  );
});
