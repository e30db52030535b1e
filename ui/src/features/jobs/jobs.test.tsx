import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, mockShell, renderPage, secretMeta } from "../../components/testing";
import type { Job, JobKindInfo, JobRun, SecretMeta, TextCheck } from "../../ipc/client";
import { JobDetail } from "./JobDetail";
import { JobsPage } from "./JobsPage";
import { JobWizard } from "./JobWizard";
import { splitPlaceholders } from "./PlaceholderField";

const KINDS: JobKindInfo[] = [
  {
    kind: "http_fetch",
    roles: [
      { role: "auth", accepts: ["basic_auth", "bearer_token", "api_key", "client_credentials"] },
      { role: "ca_bundle", accepts: ["ca_bundle", "certificate"] },
      { role: "client_certificate", accepts: ["certificate"] },
    ],
  },
  { kind: "git_fetch", roles: [{ role: "auth", accepts: ["basic_auth", "bearer_token"] }, { role: "ssh_key", accepts: ["ssh_key_pair"] }] },
  { kind: "template", roles: [] },
  { kind: "command", roles: [] },
];

const REGISTRY = secretMeta({ id: "s-1", name: "prod/registry", type: "basic_auth" });
const CA = secretMeta({ id: "s-2", name: "corp/ca", type: "ca_bundle", public_fields: {} });

/** Answers list_secrets like the vault: type, organization and text filter, sorted by name, paged. */
function listed(all: SecretMeta[], args: Record<string, unknown>) {
  const query = args.query as { types?: string[]; text?: string | null; limit?: number; offset?: number };
  const text = (query.text ?? "").toLowerCase();
  const matching = all
    .filter((s) => (!query.types?.length || query.types.includes(s.type)) && (text === "" || s.name.toLowerCase().includes(text) || s.description.toLowerCase().includes(text)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const offset = query.offset ?? 0;
  return { total: matching.length, items: matching.slice(offset, offset + (query.limit ?? 100)) };
}

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: "j-1",
    name: "nightly/artifact",
    org: "Default",
    project: null,
    description: "Nightly artifact",
    kind: "http_fetch",
    spec: { kind: "http_fetch", url: "https://repo.example.com/a.tgz", target: "/srv/a.tgz" },
    schedule: { type: "cron", expression: "0 3 * * *" },
    enabled: true,
    bindings: [
      {
        source: { source: "role", role: "auth" },
        manager: null,
        secret: "prod/registry",
        field: null,
        secret_id: "s-1",
        secret_type: "basic_auth",
        secret_status: "active",
        in_trash: false,
      },
    ],
    uses_secrets: true,
    state: {},
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    last_run_at: "2026-11-21T03:00:00Z",
    last_status: "failed",
    next_run_at: "2026-11-23T03:00:00Z",
    ...overrides,
  };
}

function run(overrides: Partial<JobRun> = {}): JobRun {
  return {
    id: 7,
    number: 1,
    duration_ms: 420,
    job_id: "j-1",
    job_name: "nightly/artifact",
    trigger: "manual",
    status: "succeeded",
    started_at: "2026-11-22T10:00:00Z",
    finished_at: "2026-11-22T10:00:01Z",
    log: "GET repo.example.com (with credentials)\nHTTP 200: 12 bytes",
    error: null,
    result: { status: 200, size: 12, sha256: "ab".repeat(32), changed: true },
    ...overrides,
  };
}

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  // jsdom lays nothing out: give elements a size so the picker's virtualized list renders rows.
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(280);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(400);
});
afterEach(() => {
  vi.restoreAllMocks();
  window.location.hash = "";
});

describe("placeholders", () => {
  it("split like the runner: placeholders with positions, $${ escapes, other ${…} as text", () => {
    const pieces = splitPlaceholders("a=${secret:db#password}\n$${secret:x} ${HOME} b=${secret:tok}");
    expect(pieces.filter((p) => p.kind !== "text").map((p) => [p.kind, p.text, p.line, p.column])).toEqual([
      ["placeholder", "${secret:db#password}", 1, 3],
      ["escape", "$${", 2, 1],
      ["placeholder", "${secret:tok}", 2, 24],
    ]);
  });
});

describe("the jobs list", () => {
  it("shows kind, schedule, last result and the secrets badge; links to the job", async () => {
    mockShell({ list_jobs: () => [job(), job({ id: "j-2", name: "render", kind: "template", uses_secrets: false, bindings: [], schedule: null, last_status: null, last_run_at: null })] });
    renderPage(<JobsPage />);
    const row = (await screen.findByRole("link", { name: "nightly/artifact" })).closest("tr");
    if (!row) throw new Error("no row");
    expect(within(row).getByText("HTTP fetch")).toBeInTheDocument();
    expect(within(row).getByText("cron 0 3 * * *")).toBeInTheDocument();
    expect(within(row).getByText("failed")).toBeInTheDocument();
    expect(within(row).getByTitle("prod/registry")).toHaveTextContent("1");
    expect(screen.getByRole("link", { name: "nightly/artifact" })).toHaveAttribute("href", "#/jobs/j-1");
    const other = screen.getByRole("link", { name: "render" }).closest("tr");
    if (!other) throw new Error("no row");
    expect(within(other).getByText("Never run")).toBeInTheDocument();
    expect(within(other).getByText("Manual")).toBeInTheDocument();
    expect(within(other).getByText("none")).toBeInTheDocument();
  });

  it("explains jobs when there are none", async () => {
    mockShell({ list_jobs: () => [] });
    renderPage(<JobsPage />);
    expect(await screen.findByRole("heading", { name: "No jobs yet" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Create a job/ })).toHaveAttribute("href", "#/jobs/new");
  });
});

describe("the job wizard", () => {
  function shell(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
    return mockShell({
      job_kinds: () => KINDS,
      list_secrets: (args) => listed([REGISTRY, CA], args),
      preview_schedule: () => ({ description: "every 6h", next_runs: ["2026-11-22T16:00:00Z"] }),
      test_secret: () => ({
        url: "https://repo.example.com/a.tgz",
        status: 200,
        reason: "OK",
        ok: true,
        location: null,
        tls: null,
        sent: "basic auth as deploy",
        elapsed_ms: 12,
      }),
      create_job: (args) => job({ id: "j-new", name: (args.input as { name: string }).name }),
      list_jobs: () => [],
      ...extra,
    });
  }

  it("creates an http_fetch job: settings checked, secrets offered by compatible type, tested, scheduled, reviewed", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /HTTP fetch/ }));
    // Settings are checked before going on.
    await user.click(screen.getByRole("button", { name: /Next/ }));
    expect(await screen.findByText(/A name of 1–128 letters/)).toBeInTheDocument();
    expect(screen.getByText(/The target file is required/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Name"), "nightly/artifact");
    const url = screen.getByLabelText("URL");
    await user.clear(url);
    await user.type(url, "https://user:pw@repo.example.com/a.tgz");
    await user.type(screen.getByLabelText("Target file"), "relative/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    expect(await screen.findByText(/Put no credentials in the URL/)).toBeInTheDocument();
    expect(screen.getByText(/must be an absolute path/)).toBeInTheDocument();
    await user.clear(url);
    await user.type(url, "https://repo.example.com/a.tgz");
    const target = screen.getByLabelText("Target file");
    await user.clear(target);
    await user.type(target, "/srv/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));

    // Security: each role offers only secrets of its types.
    await user.click(await screen.findByLabelText("Credentials"));
    let list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getByRole("option", { name: /prod\/registry/ })).toBeInTheDocument());
    expect(within(list).queryByRole("option", { name: /corp\/ca/ })).not.toBeInTheDocument();
    await user.click(within(list).getByRole("option", { name: /prod\/registry/ }));
    expect(screen.getByLabelText("Credentials")).toHaveValue("prod/registry");
    await user.click(screen.getByLabelText("CA bundle"));
    list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getByRole("option", { name: /corp\/ca/ })).toBeInTheDocument());
    await user.click(within(list).getByRole("option", { name: /corp\/ca/ }));
    await user.click(screen.getByRole("button", { name: /Test the credentials/ }));
    expect(await screen.findByText("HTTP 200 OK")).toBeInTheDocument();
    expect(ipc.of("test_secret")[0]).toEqual({ id: "s-1", url: "https://repo.example.com/a.tgz", caBundle: "s-2", project: null, storePassword: null });
    await user.click(screen.getByRole("button", { name: /Next/ }));

    // Schedule with a preview.
    await user.click(await screen.findByRole("radio", { name: /At a fixed interval/ }));
    const every = screen.getByLabelText("Every");
    await user.clear(every);
    await user.type(every, "6h");
    expect(await screen.findByText(/every 6h; next:/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Next/ }));

    await screen.findByRole("heading", { name: "Review" });
    await user.click(screen.getByRole("button", { name: "Create job" }));
    await waitFor(() => expect(ipc.of("create_job")).toHaveLength(1));
    expect(ipc.of("create_job")[0]?.input).toEqual({
      name: "nightly/artifact",
      org: null,
      project: null,
      description: "",
      spec: { kind: "http_fetch", url: "https://repo.example.com/a.tgz", target: "/srv/a.tgz" },
      schedule: { type: "interval", seconds: 21_600 },
      enabled: true,
      roles: [
        { role: "auth", secret: "prod/registry" },
        { role: "ca_bundle", secret: "corp/ca" },
      ],
    });
    await waitFor(() => expect(window.location.hash).toBe("#/jobs/j-new"));
  });

  it("offers as client certificate only certificates whose key mutual TLS can use", async () => {
    const user = userEvent.setup();
    const cert = (id: string, name: string, key_algorithm: string) =>
      secretMeta({ id, name, type: "certificate", public_fields: { certificates: [{ subject: `CN=${name}`, key_algorithm }] } });
    const rsa = cert("c-1", "mtls/rsa", "rsa");
    const dsa = cert("c-2", "legacy/dsa", "dsa");
    shell({ list_secrets: (args) => listed([REGISTRY, CA, rsa, dsa], args) });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /HTTP fetch/ }));
    await user.type(screen.getByLabelText("Name"), "nightly/mtls");
    const url = screen.getByLabelText("URL");
    await user.clear(url);
    await user.type(url, "https://repo.example.com/a.tgz");
    await user.type(screen.getByLabelText("Target file"), "/srv/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(await screen.findByLabelText("Client certificate"));
    let list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getByRole("option", { name: /mtls\/rsa/ })).toBeInTheDocument());
    expect(within(list).queryByRole("option", { name: /legacy\/dsa/ })).not.toBeInTheDocument();
    expect(screen.getByText(/1 not usable: key type not usable for mutual TLS/)).toBeInTheDocument();
    await user.keyboard("{Escape}");
    // A CA bundle may hold such a CA: the CA picker still offers it.
    await user.click(screen.getByLabelText("CA bundle"));
    list = await screen.findByRole("listbox");
    await waitFor(() => expect(within(list).getByRole("option", { name: /legacy\/dsa/ })).toBeInTheDocument());
  });

  it("searches a 10,000-secret vault as it is typed, type-filtered, and chooses with the keyboard", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 10_000 }, (_, i) =>
      secretMeta({ id: `b-${i}`, name: `svc-${String(i).padStart(5, "0")}`, type: i % 2 ? "bearer_token" : "basic_auth", description: "" }),
    );
    const ipc = shell({ list_secrets: (args) => listed([...many, CA], args) });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /HTTP fetch/ }));
    await user.type(screen.getByLabelText("Name"), "nightly/big");
    await user.type(screen.getByLabelText("URL"), "repo.example.com/a.tgz");
    await user.type(screen.getByLabelText("Target file"), "/srv/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    const input = await screen.findByRole("combobox", { name: "Credentials" });
    await user.click(input);
    const list = await screen.findByRole("listbox");
    expect(await screen.findByText("10,000 secrets")).toBeInTheDocument();
    // Virtualized: only a window of the rows is in the page.
    expect(within(list).getAllByRole("option").length).toBeLessThan(40);
    expect(within(list).queryByRole("option", { name: /corp\/ca/ })).not.toBeInTheDocument();
    await user.type(input, "svc-0500");
    expect(await screen.findByText("10 secrets match “svc-0500”")).toBeInTheDocument();
    const sent = ipc.of("list_secrets").at(-1)?.query as { text: string; types: string[] };
    expect(sent.text).toBe("svc-0500");
    expect(sent.types).toEqual(["basic_auth", "bearer_token", "api_key", "client_credentials"]);
    // The first match is active; arrows move, Enter chooses.
    expect(input).toHaveAttribute("aria-activedescendant", expect.stringMatching(/-opt-1$/));
    await user.keyboard("{ArrowDown}{ArrowUp}{Enter}");
    expect(input).toHaveValue("svc-05000");
    expect(input).toHaveAttribute("aria-expanded", "false");
    // Escape closes without changing the choice.
    await user.clear(input);
    await user.type(input, "svc-09");
    await screen.findByText(/1,000 secrets match “svc-09”/);
    await user.keyboard("{ArrowDown}{Escape}");
    expect(input).toHaveValue("svc-05000");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
  });

  it("pre-selects the secret it was opened for, even far down a big vault", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 10_000 }, (_, i) => secretMeta({ id: `b-${i}`, name: `svc-${String(i).padStart(5, "0")}`, type: "basic_auth" }));
    shell({ list_secrets: (args) => listed(many, args) });
    renderPage(<JobWizard secret="svc-05000" />);
    await user.click(await screen.findByRole("button", { name: /HTTP fetch/ }));
    await user.type(screen.getByLabelText("Name"), "nightly/one");
    await user.type(screen.getByLabelText("URL"), "repo.example.com/a.tgz");
    await user.type(screen.getByLabelText("Target file"), "/srv/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Credentials" })).toHaveValue("svc-05000"));
    expect(screen.queryByText(/no secret of this name/)).not.toBeInTheDocument();
  });

  it("marks a placeholder that does not resolve as it is typed, with the reason", async () => {
    const user = userEvent.setup();
    const check: TextCheck = {
      placeholders: 1,
      secrets: ["prod/db"],
      problems: [{ line: 1, column: 1, placeholder: "${secret:prod/db#pasword}", message: 'secret "prod/db" has no field "pasword"', code: "not_found" }],
    };
    const ipc = shell({ check_placeholders: () => check });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /Command/ }));
    await user.click(screen.getByRole("button", { name: /Add a variable/ }));
    await user.type(screen.getByLabelText("Variable 1"), "PGPASSWORD");
    await user.click(screen.getByLabelText("Value"));
    await user.paste("${secret:prod/db#pasword}");
    expect(await screen.findByText(/has no field "pasword"/)).toBeInTheDocument();
    expect(screen.getByLabelText("Value")).toHaveAttribute("aria-invalid", "true");
    const mark = screen.getByText("${secret:prod/db#pasword}", { selector: "mark" });
    expect(mark).toHaveAttribute("data-state", "bad");
    const sent = ipc.of("check_placeholders").at(-1)?.input as { text: string; to_disk: boolean };
    expect(sent).toMatchObject({ text: "${secret:prod/db#pasword}", to_disk: false });
  });

  it("lists a command's placeholder problems and creates it only when confirmed; shows the arguments as passed", async () => {
    const user = userEvent.setup();
    const bad: TextCheck = {
      placeholders: 1,
      secrets: ["prod/db"],
      problems: [{ line: 1, column: 1, placeholder: "${secret:prod/db#pasword}", message: 'secret "prod/db" has no field "pasword"', code: "not_found" }],
    };
    const ipc = shell({ check_placeholders: (args) => ((args.input as { text: string }).text.includes("pasword") ? bad : { placeholders: 0, secrets: [], problems: [] }) });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /Command/ }));
    await user.type(screen.getByLabelText("Name"), "db/dump");
    await user.type(screen.getByLabelText("Program"), "/usr/bin/pg_dump");
    for (const arg of ["--file", "/tmp/a b.sql", "it's", ""]) {
      await user.click(screen.getByRole("button", { name: /Add an argument/ }));
      const field = screen.getAllByLabelText(/^Argument \d+$/).at(-1);
      if (!field) throw new Error("no argument field");
      if (arg) {
        await user.click(field);
        await user.paste(arg);
      }
    }
    await user.click(screen.getByRole("button", { name: /Add a variable/ }));
    await user.type(screen.getByLabelText("Variable 1"), "PGPASSWORD");
    await user.click(screen.getByLabelText("Value"));
    await user.paste("${secret:prod/db#pasword}");
    expect(await screen.findByText(/has no field "pasword"/)).toBeInTheDocument();

    // Next: the problems are listed and must be confirmed.
    await user.click(screen.getByRole("button", { name: /Next/ }));
    let dialog = await screen.findByRole("dialog", { name: "Go on with these problems?" });
    expect(within(dialog).getByText('Variable PGPASSWORD: ${secret:prod/db#pasword} — secret "prod/db" has no field "pasword"')).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Fix them" }));
    expect(screen.getByRole("heading", { name: "Settings" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Go on anyway" }));
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("button", { name: /Next/ }));

    // Review: the problems stay in view; the arguments one per line, exactly, and shell-quoted.
    await screen.findByRole("heading", { name: "Review" });
    expect(screen.getByText("1 problem")).toBeInTheDocument();
    const args = screen.getByRole("list", { name: "Arguments, as passed" });
    expect(within(args).getAllByRole("listitem").map((li) => li.querySelector("code")?.textContent)).toEqual(["--file", "/tmp/a b.sql", "it's", ""]);
    expect(within(args).getByText("(empty)")).toBeInTheDocument();
    expect(screen.getByText(`/usr/bin/pg_dump --file '/tmp/a b.sql' 'it'\\''s' ''`)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create job" }));
    dialog = await screen.findByRole("dialog", { name: "Create the job with these problems?" });
    expect(ipc.of("create_job")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Create anyway" }));
    await waitFor(() => expect(ipc.of("create_job")).toHaveLength(1));
    expect((ipc.of("create_job")[0]?.input as { spec: { args: string[] } }).spec.args).toEqual(["--file", "/tmp/a b.sql", "it's", ""]);
  });

  it("offers store-password secrets for binding and says manual runs will ask for the password", async () => {
    const user = userEvent.setup();
    const vaulted = secretMeta({ id: "s-9", name: "vaulted/db", type: "basic_auth", protection: "password" });
    shell({
      list_secrets: (args) => listed([REGISTRY, CA, vaulted], args),
      check_placeholders: () => ({ placeholders: 1, secrets: ["vaulted/db"], problems: [] }),
    });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /HTTP fetch/ }));
    await user.type(screen.getByLabelText("Name"), "nightly/x");
    await user.type(screen.getByLabelText("URL"), "repo.example.com/a.tgz");
    await user.type(screen.getByLabelText("Target file"), "/srv/a.tgz");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("combobox", { name: "Credentials" }));
    const list = await screen.findByRole("listbox");
    await user.click(await within(list).findByRole("option", { name: /vaulted\/db/ }));
    expect(
      await screen.findByText(/vaulted\/db has its own store password: manual runs \(Run now, .*\) will ask for it; scheduled runs are refused/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("radio", { name: /At a fixed interval/ }));
    expect(await screen.findByText(/Scheduled runs cannot ask for a store password: with vaulted\/db/)).toBeInTheDocument();
  });

  it("takes a placeholder naming a store-password secret without a problem, and warns where the schedule is set", async () => {
    const user = userEvent.setup();
    const vaulted = secretMeta({ id: "s-9", name: "vaulted/db", type: "basic_auth", protection: "password" });
    shell({
      list_secrets: (args) => listed([REGISTRY, CA, vaulted], args),
      check_placeholders: () => ({ placeholders: 1, secrets: ["vaulted/db"], problems: [] }),
    });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /Command/ }));
    await user.type(screen.getByLabelText("Name"), "db/dump");
    await user.type(screen.getByLabelText("Program"), "/usr/bin/pg_dump");
    await user.click(screen.getByRole("button", { name: /Add an argument/ }));
    await user.click(screen.getByLabelText("Argument 1"));
    await user.paste("--password=${secret:vaulted/db#password}");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    expect(await screen.findByText(/vaulted\/db has its own store password: manual runs/)).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Go on with these problems?" })).not.toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("radio", { name: /At a fixed interval/ }));
    expect(await screen.findByText(/Scheduled runs cannot ask for a store password: with vaulted\/db/)).toBeInTheDocument();
  });

  it("sends a refused save back to the step that can fix it", async () => {
    const user = userEvent.setup();
    shell({
      create_job: () => ipcError("already_exists", 'a job named "nightly/artifact" already exists in Default'),
      check_template_file: () => ({ placeholders: 0, secrets: [], problems: [] }),
    });
    renderPage(<JobWizard />);
    await user.click(await screen.findByRole("button", { name: /Template/ }));
    await user.type(screen.getByLabelText("Name"), "nightly/artifact");
    await user.type(screen.getByLabelText("Template file"), "/etc/app.tmpl");
    await user.type(screen.getByLabelText("Output file"), "/etc/app.conf");
    await user.click(screen.getByRole("button", { name: /Next/ }));
    expect(await screen.findByText(/nothing to bind by role/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("button", { name: "Create job" }));
    expect(await screen.findByText(/already exists/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Settings" })).toBeInTheDocument();
  });
});

describe("the job detail", () => {
  it("runs the job now and shows the run with its result and redacted log; links the secrets", async () => {
    const user = userEvent.setup();
    let runs: JobRun[] = [];
    const ipc = mockShell({
      get_job: () => job(),
      job_runs: () => runs,
      job_store_passwords: () => [],
      run_job_now: () => {
        runs = [run({ log: "user=*** pass=***" })];
        return runs[0];
      },
      list_jobs: () => [job()],
      list_secrets: () => ({ total: 0, items: [] }),
      vault_status: () => ({}),
      organizations: () => [],
    });
    renderPage(<JobDetail id="j-1" />);
    expect(await screen.findByRole("heading", { level: 1, name: "nightly/artifact" })).toBeInTheDocument();
    expect(screen.getByText(/No runs yet/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "prod/registry" })).toHaveAttribute("href", "#/secrets/s-1");
    await user.click(screen.getByRole("button", { name: /Run now/ }));
    // Numbered per job (#1, whatever the run's id in the vault), with its measured duration.
    expect(await screen.findByLabelText("Log of run #1")).toHaveTextContent("user=*** pass=***");
    expect(screen.getByText("#1")).toBeInTheDocument();
    expect(screen.getByText("420 ms")).toBeInTheDocument();
    expect(ipc.of("run_job_now")).toEqual([{ id: "j-1", storePasswords: null }]);
    expect(screen.getByText("HTTP status").nextElementSibling).toHaveTextContent("200");
    expect(screen.getByText("12 B")).toBeInTheDocument();
  });

  it("shows a failed run's error and switches the schedule off", async () => {
    const user = userEvent.setup();
    let enabled = true;
    const ipc = mockShell({
      get_job: () => job({ enabled }),
      job_runs: () => [run({ status: "refused", error: 'argument 1, line 1, column 1: ${secret:prod/db}: secret "prod/db" is deactivated', log: "", result: {} })],
      set_job_enabled: (args) => {
        enabled = args.enabled as boolean;
        return job({ enabled });
      },
      list_jobs: () => [job()],
    });
    renderPage(<JobDetail id="j-1" />);
    expect(await screen.findByText(/is deactivated/)).toBeInTheDocument();
    const toggle = screen.getByRole("checkbox", { name: "Schedule on" });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(ipc.of("set_job_enabled")).toEqual([{ id: "j-1", enabled: false }]));
    await waitFor(() => expect(screen.getByText("The schedule is off.")).toBeInTheDocument());
  });
});
