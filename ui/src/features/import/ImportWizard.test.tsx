import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage, SECRET_TYPES, type CommandHandler } from "../../components/testing";
import { dropForTest } from "../../lib/drops";
import { ImportWizard } from "./ImportWizard";
import type { CsvSample, ImportChoices, ImportOptions, ImportPreview } from "./types";

const PREVIEW: ImportPreview = {
  format: "kdbx",
  by_type: { basic_auth: 2, key_value: 1 },
  items: [
    { index: 0, org: "Default", source: "Root/Servers/db", name: "Servers-db", original_name: "Servers / db", kind: "basic_auth", versions: 1, needs_value: false, conflict: null, renamed_to: "Servers-db-2" },
    { index: 1, org: "Default", source: "Root/Web/shop", name: "shop", original_name: null, kind: "basic_auth", versions: 3, needs_value: false, conflict: "shop", renamed_to: "shop-2" },
    { index: 2, org: "Default", source: "Root/Cloud/aws", name: "aws", original_name: null, kind: "key_value", versions: 1, needs_value: false, conflict: null, renamed_to: "aws-2" },
  ],
  unreadable: [{ source: "Root/Broken", code: "malformed", reason: "the entry has no title and no fields" }],
  skipped: { attachment: 2 },
  jobs: [],
};

const SAMPLE: CsvSample = {
  headers: ["title", "login", "secret", "env"],
  rows: [
    ["db", "app", "••••••", "prod"],
    ["cache", "svc", "••••••", "dev"],
  ],
  columns: 4,
  suggested: {
    columns: [
      { role: "name", key: null },
      { role: "field", key: "username" },
      { role: "field", key: "password" },
      { role: "ignore", key: null },
    ],
    has_header: true,
    kind: "basic_auth",
  },
  masked: [false, false, true, false],
};

function shell(overrides: Record<string, CommandHandler> = {}) {
  return mockShell({
    organizations: () => [{ name: "Default", secrets: 3, projects: ["web"] }],
    secret_types: () => SECRET_TYPES,
    import_open: () => ({ name: "team.kdbx", size: 2048, format: "kdbx" }),
    import_read: (args) => ((args.options as ImportOptions).password === "right" ? PREVIEW : ipcError("wrong_password", "The database's password (or key file) is wrong.")),
    import_csv_sample: () => SAMPLE,
    import_apply: () => ({ report: { created: 2, new_versions: 0, renamed: 1, skipped: 0, jobs_created: 0, jobs_renamed: 0, jobs_skipped: 0 }, label: "import=2026-12-07T18:55:00" }),
    import_close: () => null,
    ...overrides,
  });
}

const file = (name: string, text: string) => new File([text], name);

async function openFile(user: ReturnType<typeof userEvent.setup>, name = "team.kdbx") {
  await user.upload(screen.getByLabelText("File to import"), file(name, "not really a database"));
}

beforeEach(() => {
  window.location.hash = "#/import";
});

describe("ImportWizard", () => {
  it("reads a KDBX: detected format, wrong password kept on the options step, preview, import, done", async () => {
    const user = userEvent.setup();
    const mock = shell();
    renderPage(<ImportWizard />);
    expect(screen.getByRole("heading", { level: 2, name: "Choose the file" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Next/ })).toBeDisabled();
    await openFile(user);
    // The page's own file input sends the bytes it read; the shell keeps them.
    await waitFor(() => expect(mock.of("import_open")).toHaveLength(1));
    expect(mock.of("import_open")[0]).toEqual({ source: { kind: "base64", data: btoa("not really a database") }, name: "team.kdbx" });
    const formats = await screen.findByRole("radiogroup", { name: "Format" });
    expect(within(formats).getByRole("radio", { name: /KeePass.*detected/ })).toBeChecked();
    await user.click(screen.getByRole("button", { name: /Next/ }));

    expect(await screen.findByRole("heading", { level: 2, name: "How to read it" })).toHaveFocus();
    const preview = screen.getByRole("button", { name: /Preview/ });
    expect(preview).toBeDisabled();
    expect(screen.getByText(/password or choose its key file/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Database password"), "wrong");
    await user.click(screen.getByRole("radio", { name: /Projects/ }));
    await user.click(preview);
    expect(await screen.findByText("The database's password (or key file) is wrong.")).toBeInTheDocument();
    expect(screen.getByLabelText("Database password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("heading", { level: 2, name: "How to read it" })).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Database password"));
    await user.type(screen.getByLabelText("Database password"), "right");
    expect(screen.queryByText("The database's password (or key file) is wrong.")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Preview/ }));

    expect(await screen.findByRole("heading", { level: 2, name: "Preview" })).toBeInTheDocument();
    const sent = mock.of("import_read").at(-1)?.options as ImportOptions;
    expect(sent).toMatchObject({ format: "kdbx", password: "right", groups: "project", key_file: null });
    expect(screen.getByRole("heading", { name: "3 secrets found" })).toBeInTheDocument();
    expect(within(screen.getByRole("list", { name: "Secrets by type" })).getByText("Basic auth").parentElement).toHaveTextContent("2 Basic auth");
    expect(screen.getByText(/the entry has no title and no fields/)).toBeInTheDocument();
    expect(screen.getByText(/2 attachment/)).toBeInTheDocument();
    expect(screen.getByText(/was “Servers \/ db”/)).toBeInTheDocument();
    expect(screen.getByText("1 name is already in the vault")).toBeInTheDocument();
    expect(screen.getByText("2 new secrets; 1 skipped.")).toBeInTheDocument();
    await user.selectOptions(screen.getByRole("combobox", { name: "If shop is taken" }), "rename");
    expect(screen.getByText("→ shop-2")).toBeInTheDocument();
    expect(screen.getByText("2 new secrets, 1 renamed.")).toBeInTheDocument();

    const importButton = screen.getByRole("button", { name: "Import" });
    await user.dblClick(importButton);
    expect(await screen.findByRole("heading", { level: 2, name: "Imported" })).toBeInTheDocument();
    expect(mock.of("import_apply")).toHaveLength(1);
    expect(mock.of("import_apply")[0]?.choices).toEqual<ImportChoices>({ default: "skip", per_item: { 1: "rename" }, values: {}, tag: true, job_per_item: {} });
    const report = screen.getByRole("list", { name: "Import report" });
    expect(report).toHaveTextContent("2 created");
    expect(report).toHaveTextContent("1 renamed");
    expect(screen.getByRole("link", { name: "Show them in the list" })).toHaveAttribute("href", `#/labels/${encodeURIComponent("import=2026-12-07T18:55:00")}`);
  });

  it("maps a CSV's columns over masked cells, and sends the mapping", async () => {
    const user = userEvent.setup();
    const mock = shell({ import_open: () => ({ name: "logins.csv", size: 80, format: "csv" }), import_read: () => PREVIEW });
    renderPage(<ImportWizard />);
    await openFile(user, "logins.csv");
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    expect(await screen.findByRole("heading", { level: 2, name: "Map the columns" })).toBeInTheDocument();
    const steps = screen.getByRole("navigation", { name: "Import steps" });
    expect(within(steps).getByText("Columns").closest("li")).toHaveAttribute("aria-current", "step");
    const table = screen.getByRole("table");
    expect(within(table).getAllByText("••••••")).toHaveLength(2);
    expect(within(table).getByText("prod")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: /Column 3 \(secret\)/ })).toHaveValue("field:password");
    // env becomes a label; the login column a secret field, masked from now on.
    await user.selectOptions(screen.getByRole("combobox", { name: /Column 4 \(env\)/ }), "label:env");
    await user.selectOptions(screen.getByRole("combobox", { name: /Column 2 \(login\)/ }), "field:password");
    expect(await screen.findByText("Two columns go to the same field or label.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Preview/ })).toBeDisabled();
    expect(within(table).queryByText("app")).not.toBeInTheDocument();
    await user.selectOptions(screen.getByRole("combobox", { name: /Column 2 \(login\)/ }), "field:username");
    await user.click(screen.getByRole("button", { name: /Preview/ }));
    await screen.findByRole("heading", { level: 2, name: "Preview" });
    const sent = mock.of("import_read")[0]?.options as ImportOptions;
    expect(sent.csv?.columns).toEqual([
      { role: "name", key: null },
      { role: "field", key: "username" },
      { role: "field", key: "password" },
      { role: "label", key: "env" },
    ]);
  });

  it("says why a hostile file is refused, and keeps the user where they are", async () => {
    const user = userEvent.setup();
    shell({
      import_open: () => ({ name: "huge.csv", size: 80, format: "csv" }),
      import_csv_sample: () => ipcError("invalid_input", "huge.csv has 1000000 columns.", "too_many_columns"),
    });
    renderPage(<ImportWizard />);
    await openFile(user, "huge.csv");
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("huge.csv has 1000000 columns.");
    expect(alert).toHaveTextContent("more columns than Coffer reads (256)");
    expect(screen.getByRole("heading", { level: 2, name: "How to read it" })).toBeInTheDocument();
  });

  it("a failed import says nothing was written and returns to the options to preview again", async () => {
    const user = userEvent.setup();
    const mock = shell({ import_apply: () => ipcError("io", "The disk is full.") });
    renderPage(<ImportWizard />);
    await openFile(user);
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.type(await screen.findByLabelText("Database password"), "right");
    await user.click(screen.getByRole("button", { name: /Preview/ }));
    await user.click(await screen.findByRole("button", { name: "Import" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The disk is full.");
    expect(alert).toHaveTextContent("Nothing was written");
    expect(screen.getByRole("heading", { level: 2, name: "How to read it" })).toBeInTheDocument();
    expect(mock.of("import_apply")).toHaveLength(1);
    // The password is still there: preview again reads the file again.
    await user.click(screen.getByRole("button", { name: /Preview/ }));
    await screen.findByRole("heading", { level: 2, name: "Preview" });
    expect(mock.of("import_read")).toHaveLength(2);
  });

  it("asks a value for write-only items of a Coffer export", async () => {
    const user = userEvent.setup();
    const needing: ImportPreview = {
      ...PREVIEW,
      format: "coffer",
      items: [{ index: 0, org: "Default", source: "Default/ci-token", name: "ci-token", original_name: null, kind: "bearer_token", versions: 1, needs_value: true, conflict: null, renamed_to: "ci-token-2" }],
      unreadable: [],
      skipped: {},
    };
    const mock = shell({ import_open: () => ({ name: "vault.coffer", size: 900, format: "coffer" }), import_read: () => needing });
    renderPage(<ImportWizard />);
    await openFile(user, "vault.coffer");
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.type(await screen.findByLabelText("Export passphrase"), "export pass");
    await user.click(screen.getByRole("button", { name: /Preview/ }));
    expect(await screen.findByText(/1 secret was write-only.*\(1 still without one\)/)).toBeInTheDocument();
    expect(screen.getByText("Nothing will be written.")).toBeInTheDocument();
    await user.type(await screen.findByLabelText("token of ci-token"), "tok-123");
    expect(screen.getByText("1 new secret.")).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: /Label the secrets this import creates or gives a new version/ }));
    await user.click(screen.getByRole("button", { name: "Import" }));
    await screen.findByRole("heading", { level: 2, name: "Imported" });
    expect(mock.of("import_apply")[0]?.choices).toEqual<ImportChoices>({ default: "skip", per_item: {}, values: { 0: [{ name: "token", value: { kind: "text", text: "tok-123" } }] }, tag: false, job_per_item: {} });
  });

  it("takes a file dropped on the window, and forgets it when closed", async () => {
    const mock = shell();
    const page = renderPage(<ImportWizard />);
    dropForTest([{ token: "tok-1", name: "team.kdbx", size: 2048 }]);
    await waitFor(() => expect(mock.of("import_open")).toEqual([{ source: { kind: "file", token: "tok-1" }, name: null }]));
    expect(await screen.findByText("team.kdbx")).toBeInTheDocument();
    page.unmount();
    await waitFor(() => expect(mock.of("import_close")).toHaveLength(1));
  });
  it("lists a Coffer export's jobs with their conflicts, and sends the per-job choice", async () => {
    const user = userEvent.setup();
    const withJobs: ImportPreview = {
      ...PREVIEW,
      format: "coffer",
      jobs: [
        { index: 0, name: "deploy", org: "Default", kind: "command", scheduled: true, secrets: ["db", "tls"], conflict: "deploy", renamed_to: "deploy-2" },
        { index: 1, name: "fetch", org: "ops", kind: "http_fetch", scheduled: false, secrets: [], conflict: null, renamed_to: "fetch" },
      ],
    };
    const mock = shell({
      import_open: () => ({ name: "all.coffer", size: 900, format: "coffer" }),
      import_read: () => withJobs,
      import_apply: () => ({
        report: { created: 2, new_versions: 0, renamed: 0, skipped: 1, jobs_created: 2, jobs_renamed: 1, jobs_skipped: 0 },
        label: null,
      }),
    });
    renderPage(<ImportWizard />);
    await openFile(user, "all.coffer");
    await user.click(await screen.findByRole("button", { name: /Next/ }));
    await user.type(await screen.findByLabelText("Export passphrase"), "export passphrase");
    await user.click(screen.getByRole("button", { name: /Preview/ }));
    expect(await screen.findByRole("heading", { name: "2 jobs" })).toBeInTheDocument();
    const jobs = screen.getByRole("table", { name: "Jobs that will be imported" });
    expect(within(jobs).getByText("db, tls")).toBeInTheDocument();
    expect(within(jobs).getByText(/scheduled \(off after import\)/)).toBeInTheDocument();
    expect(within(jobs).getByText("no secret")).toBeInTheDocument();
    expect(screen.getByText(/Jobs arrive with their schedules off/)).toBeInTheDocument();
    await user.selectOptions(screen.getByRole("combobox", { name: "If job deploy is taken" }), "rename");
    expect(within(jobs).getByText("→ deploy-2")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Import" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Imported" })).toBeInTheDocument();
    expect(mock.of("import_apply")[0]?.choices).toMatchObject({ job_per_item: { 0: "rename" } });
    expect(screen.getByText(/their schedules are off until you switch them on/)).toBeInTheDocument();
  });
});
