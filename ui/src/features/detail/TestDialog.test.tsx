import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, mockShell, renderPage, SECRET_TYPES, secretMeta, type CommandHandler } from "../../components/testing";
import type { SecretMeta, TestReport, TlsFacts } from "../../ipc/client";
import { SecretDetail } from "./SecretDetail";
import { testUrlProblem } from "./TestDialog";

const CORP_CA = secretMeta({ id: "ca-1", name: "corp-ca", type: "ca_bundle", project: null });
const OTHER_CA = secretMeta({ id: "ca-2", name: "other-ca", type: "ca_bundle", project: "elsewhere" });

const REPORT: TestReport = {
  url: "https://registry.example.com/v2/",
  status: 200,
  reason: "OK",
  ok: true,
  location: null,
  sent: "basic auth as deploy",
  elapsed_ms: 142,
  tls: {
    protocol: "TLSv1.3",
    cipher: "TLS13_AES_256_GCM_SHA384",
    peer_subject: "CN=registry.example.com",
    peer_issuer: "CN=Corp Issuing CA",
    peer_not_after: "2099-03-01T00:00:00Z",
    peer_san: ["registry.example.com", "*.registry.example.com"],
    chain_length: 2,
    client_certificate_requested: false,
    client_certificate_sent: false,
    client_certificate_available: false,
  },
};

function shell(meta: SecretMeta, extra: Record<string, CommandHandler> = {}) {
  return mockShell({
    get_secret: () => meta,
    secret_types: () => SECRET_TYPES,
    get_settings: () => ({ trash_retention_days: 30 }),
    organizations: () => [{ name: "Default", secrets: 3, projects: ["payments"] }],
    audit_entries: () => [],
    secret_versions: () => [],
    secret_usage: () => [],
    list_secrets: () => ({ total: 2, items: [CORP_CA, OTHER_CA] }),
    vault_status: () => ({}),
    ...extra,
  });
}

async function openTest(meta: SecretMeta) {
  const user = userEvent.setup();
  renderPage(<SecretDetail id={meta.id} />);
  await screen.findByRole("heading", { level: 1, name: meta.name });
  await user.click(screen.getByRole("button", { name: "Test…" }));
  const dialog = await screen.findByRole("dialog", { name: `Test ${meta.name}` });
  return { user, dialog };
}

beforeEach(() => {
  window.sessionStorage.clear();
});

describe("the Test action", () => {
  it("tests against a URL with an optional CA bundle and shows the status, what was sent and the TLS facts", async () => {
    const meta = secretMeta({ project: "payments" });
    let answer: (report: TestReport) => void = () => undefined;
    const ipc = shell(meta, { test_secret: () => new Promise<TestReport>((resolve) => (answer = resolve)) });
    const { user, dialog } = await openTest(meta);

    // Only active CA bundles are offered, and only those this secret's project may use.
    expect(ipc.of("list_secrets")).toContainEqual({
      query: { types: ["ca_bundle"], statuses: ["active"], scope: "live", sort: "name", limit: 1000, offset: 0 },
    });
    const picker = within(dialog).getByLabelText("CA bundle (optional)");
    await waitFor(() => expect(within(picker).getByRole("option", { name: "corp-ca" })).toBeInTheDocument());
    expect(within(picker).queryByRole("option", { name: "other-ca" })).not.toBeInTheDocument();

    const url = within(dialog).getByLabelText("URL");
    await user.type(url, "http://registry.example.com/v2/");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    expect(within(dialog).getByText(/Use https: the test sends credentials/)).toBeInTheDocument();
    expect(ipc.of("test_secret")).toEqual([]);

    await user.clear(url);
    await user.type(url, "https://registry.example.com/v2/");
    await user.selectOptions(picker, "corp-ca");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    const busy = await within(dialog).findByRole("button", { name: "Testing…" });
    expect(busy).toBeDisabled();
    expect(ipc.of("test_secret")).toEqual([
      { id: meta.id, url: "https://registry.example.com/v2/", caBundle: "ca-1", project: "payments", storePassword: null },
    ]);

    answer(REPORT);
    const result = await within(dialog).findByRole("region", { name: "Test result" });
    expect(result).toHaveAttribute("data-status", "ok");
    expect(within(result).getByText("HTTP 200 OK")).toHaveClass("badge-active");
    expect(within(result).getByText("The server accepted the request.")).toBeInTheDocument();
    expect(within(result).getByText("basic auth as deploy")).toBeInTheDocument();
    expect(within(result).getByText("142 ms")).toBeInTheDocument();
    expect(within(result).getByText("TLSv1.3")).toBeInTheDocument();
    expect(within(result).getByText("TLS13_AES_256_GCM_SHA384")).toBeInTheDocument();
    expect(within(result).getByText("CN=registry.example.com")).toBeInTheDocument();
    expect(within(result).getByText("CN=Corp Issuing CA")).toBeInTheDocument();
    expect(within(result).getByText("registry.example.com, *.registry.example.com")).toBeInTheDocument();
    expect(within(result).getByText("2 certificates sent by the server")).toBeInTheDocument();
    expect(within(result).getByText("not asked for")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Test" })).toBeEnabled();
    // Nothing reveals or copies the value.
    expect(ipc.of("reveal_field")).toEqual([]);
    expect(ipc.of("copy_field")).toEqual([]);

    // The URL is remembered for this secret while the app runs.
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await user.click(screen.getByRole("button", { name: "Test…" }));
    const again = await screen.findByRole("dialog", { name: `Test ${meta.name}` });
    expect(within(again).getByLabelText("URL")).toHaveValue("https://registry.example.com/v2/");
  });

  it("marks refused credentials, and shows where a redirect points", async () => {
    const meta = secretMeta();
    const answers: TestReport[] = [
      { ...REPORT, status: 401, reason: "Unauthorized", ok: false },
      { ...REPORT, status: 302, reason: "Found", ok: false, location: "https://login.example.com/" },
    ];
    shell(meta, { test_secret: () => answers.shift() });
    const { user, dialog } = await openTest(meta);
    await user.type(within(dialog).getByLabelText("URL"), "https://registry.example.com/v2/");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    let result = await within(dialog).findByRole("region", { name: "Test result" });
    expect(within(result).getByText("HTTP 401 Unauthorized")).toHaveClass("badge-expired");
    expect(within(result).getByText("The server did not accept these credentials (basic auth as deploy): check the value, or that it is meant for this server.")).toBeInTheDocument();
    expect(within(result).queryByText("Redirects to")).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    await within(dialog).findByText("HTTP 302 Found");
    result = within(dialog).getByRole("region", { name: "Test result" });
    expect(within(result).getByText("HTTP 302 Found")).toHaveClass("badge-neutral");
    expect(within(result).getByText("Redirects to")).toBeInTheDocument();
    expect(within(result).getByText("https://login.example.com/")).toBeInTheDocument();
    expect(within(result).getByText(/Redirects are not followed/)).toBeInTheDocument();
  });

  it("says whether the server asked for the client certificate, and explains a 401 by what was sent", async () => {
    const meta = secretMeta({ type: "certificate", public_fields: {} });
    const mtls = (requested: boolean, sent: boolean, status: number): TestReport => ({
      ...REPORT,
      status,
      reason: status === 200 ? "OK" : status === 401 ? "Unauthorized" : "Forbidden",
      ok: status === 200,
      sent: requested ? "client certificate CN=deploy" : "nothing: the server did not ask for the client certificate CN=deploy",
      tls: { ...(REPORT.tls as TlsFacts), client_certificate_requested: requested, client_certificate_sent: sent, client_certificate_available: true },
    });
    const answers = [mtls(false, false, 401), mtls(true, true, 403), mtls(true, true, 200)];
    shell(meta, { test_secret: () => answers.shift() });
    const { user, dialog } = await openTest(meta);
    await user.type(within(dialog).getByLabelText("URL"), "https://api.example.com/");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    let result = await within(dialog).findByRole("region", { name: "Test result" });
    expect(within(result).getByText("not asked for by the server, so not sent")).toBeInTheDocument();
    expect(within(result).getByText(/The server did not ask for a client certificate, so none was sent; it answered 401\./)).toBeInTheDocument();
    expect(within(result).queryByText(/did not accept these credentials/)).not.toBeInTheDocument();
    expect(within(result).queryByText(/presented/)).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    await within(dialog).findByText("HTTP 403 Forbidden");
    result = within(dialog).getByRole("region", { name: "Test result" });
    expect(within(result).getByText("asked for by the server; sent")).toBeInTheDocument();
    expect(within(result).getByText(/The client certificate was sent and accepted as an identity/)).toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    await within(dialog).findByText("HTTP 200 OK");
    expect(within(dialog).getByText("asked for by the server; sent")).toBeInTheDocument();
  });

  it("asks for a store-password secret's store password before testing it", async () => {
    const meta = secretMeta({ protection: "password" });
    const ipc = shell(meta, {
      test_secret: (args) =>
        args.storePassword === "open sesame" ? REPORT : ipcError("password_required", "this secret needs its store password"),
    });
    const { user, dialog } = await openTest(meta);
    await user.type(within(dialog).getByLabelText("URL"), "https://registry.example.com/v2/");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    const ask = await screen.findByRole("dialog", { name: "Store password" });
    await user.type(within(ask).getByLabelText("Store password"), "open sesame");
    await user.click(within(ask).getByRole("button", { name: /Test|Unlock|OK|Continue/ }));
    expect(await within(dialog).findByRole("region", { name: "Test result" })).toBeInTheDocument();
    expect(ipc.of("test_secret").map((c) => c.storePassword)).toEqual(["open sesame"]);
  });

  it("shows a TLS failure with a hint, and no result", async () => {
    const meta = secretMeta({ type: "certificate", public_fields: {} });
    const ipc = shell(meta, {
      test_secret: () =>
        ipcError("internal", "TLS with internal.example.com: invalid peer certificate: UnknownIssuer", "tls"),
    });
    const { user, dialog } = await openTest(meta);
    expect(within(dialog).getByText(/as the client certificate \(mutual TLS\)/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("URL"), "https://internal.example.com/");
    await user.click(within(dialog).getByRole("button", { name: "Test" }));
    const alert = await within(dialog).findByRole("alert");
    expect(within(alert).getByText("The TLS handshake failed")).toBeInTheDocument();
    expect(within(alert).getByText("TLS with internal.example.com: invalid peer certificate: UnknownIssuer")).toBeInTheDocument();
    expect(within(alert).getByText(/pick its CA bundle and test again/)).toBeInTheDocument();
    expect(within(alert).getByText(/refused the client certificate/)).toBeInTheDocument();
    expect(within(dialog).queryByRole("region", { name: "Test result" })).not.toBeInTheDocument();
    expect(ipc.of("test_secret")).toEqual([{ id: meta.id, url: "https://internal.example.com/", caBundle: null, project: null, storePassword: null }]);
  });

  it("offers the test for write-only secrets, but not for types it cannot send", async () => {
    const writeOnly = secretMeta({ write_only: true });
    shell(writeOnly);
    const { dialog } = await openTest(writeOnly);
    expect(within(dialog).getByText(/never shown \(it is write-only\)/)).toBeInTheDocument();
  });

  it("has no Test action for an SSH key", async () => {
    const meta = secretMeta({ type: "ssh_key_pair", public_fields: {} });
    shell(meta);
    renderPage(<SecretDetail id={meta.id} />);
    await screen.findByRole("heading", { level: 1, name: meta.name });
    expect(screen.getByRole("button", { name: "Edit details" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Test…" })).not.toBeInTheDocument();
  });

  it("accepts https, and http only to this machine", () => {
    expect(testUrlProblem("https://example.com/")).toBeNull();
    expect(testUrlProblem("http://127.0.0.1:8080/")).toBeNull();
    expect(testUrlProblem("http://localhost/")).toBeNull();
    expect(testUrlProblem("http://[::1]/")).toBeNull();
    expect(testUrlProblem("http://example.com/")).toMatch(/Use https/);
    expect(testUrlProblem("registry.example.com")).toMatch(/full URL/);
  });
});
