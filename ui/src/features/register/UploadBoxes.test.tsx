// The register wizard's upload boxes (issue 14, item 11): errors that go with
// the file, messages in words and once, days counted by the calendar, expired
// said as expired, the same certificate recognized, one visible picker.
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { secretMeta } from "../../components/testing";
import type { RegisterRequest } from "../../ipc/client";
import { calendarDaysBetween } from "./CertificateReport";
import { certificate, details, file, next, openWizard, registerNow, report, shell } from "./testSupport";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const DAY = 86_400_000;

beforeEach(() => {
  window.location.hash = "";
});

describe("the register wizard's upload boxes", () => {
  it("shows one visible picker per box, the native dialog", async () => {
    shell();
    await openWizard("certificate");
    expect(screen.getAllByRole("button", { name: /^Choose file…/ })).toHaveLength(2);
    expect(screen.queryByText(/or read it in the page/)).not.toBeInTheDocument();
    // The page's own input is kept for WebDriver, out of sight and out of the tab order.
    const input = screen.getByLabelText("Certificate file");
    expect(input).toHaveAttribute("tabindex", "-1");
    expect(input.closest("label")).toHaveClass("visually-hidden");
  });

  it("clears a refused file's error when the next, valid file comes", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("data");
    const big = new File([new Uint8Array(2 * 1024 * 1024)], "huge.bin");
    await user.upload(screen.getByLabelText("Data file"), big);
    expect(await screen.findByText("huge.bin is larger than 1 MiB, the most one field may hold.")).toBeInTheDocument();
    await user.upload(screen.getByLabelText("Data file"), file("small.txt", "hello"));
    expect(await screen.findByText("small.txt")).toBeInTheDocument();
    expect(screen.queryByText(/huge.bin is larger/)).not.toBeInTheDocument();
  });

  it("says a key mismatch once, in words, without internal codes", async () => {
    const user = userEvent.setup();
    shell({
      inspect_input: (args) =>
        report({
          private_key: args.privateKey ? { algorithm: "rsa", bits: 2048, encrypted: false } : null,
          key_matches_leaf: args.privateKey ? false : null,
          warnings: [
            { code: "key_mismatch", message: 'the private key does not belong to certificate "api.example.com"' },
            { code: "self_signed_leaf", message: 'certificate "api.example.com" is self-signed' },
          ],
        }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    await user.upload(screen.getByLabelText("Private key file (optional)"), file("other.key", KEY));
    expect(await screen.findByText("The private key does not match the leaf certificate.")).toBeInTheDocument();
    expect(screen.queryByText(/Key mismatch:/)).not.toBeInTheDocument();
    expect(screen.queryByText(/does not belong to certificate/)).not.toBeInTheDocument();
    expect(screen.getByText(/Self-signed: peers must be told/)).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/\((key_mismatch|self_signed_leaf)\)/);
  });

  it("counts a 20-day certificate as 20 days left, by calendar days", async () => {
    const user = userEvent.setup();
    const now = Date.now();
    shell({
      inspect_input: () =>
        report({
          certificates: [certificate({ not_before: new Date(now - 60_000).toISOString(), not_after: new Date(now + 20 * DAY - 60_000).toISOString() })],
        }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("short.pem", PEM));
    const card = await screen.findByRole("article");
    expect(within(card).getByText("20 days left")).toBeInTheDocument();
    // The helper: today 0, tomorrow 1, whatever the hour.
    const noon = new Date(2026, 11, 7, 12).getTime();
    expect(calendarDaysBetween(noon, new Date(2026, 11, 7, 23, 59).getTime())).toBe(0);
    expect(calendarDaysBetween(noon, new Date(2026, 11, 8, 0, 1).getTime())).toBe(1);
    expect(calendarDaysBetween(noon, new Date(2026, 11, 27, 11).getTime())).toBe(20);
  });

  it("says an expired certificate is expired, in the review and once registered", async () => {
    const user = userEvent.setup();
    const past = new Date(Date.now() - 3 * DAY).toISOString();
    shell({
      inspect_input: () => report({ certificates: [certificate({ not_before: "2020-01-01T00:00:00Z", not_after: past })] }),
      register_secret: (args) => ({
        secret: secretMeta({ name: (args.request as RegisterRequest).name, type: "certificate", expires_at: past, public_fields: {} }),
        generated_password: null,
      }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("old.pem", PEM));
    expect(await screen.findByText("Expired 3 days ago")).toBeInTheDocument();
    await next(user);
    await details(user, "old/cert", async () => {
      const allow = screen.queryByRole("checkbox", { name: /past/i });
      if (allow) await user.click(allow);
    });
    expect(screen.getByText("Expired")).toBeInTheDocument();
    await registerNow(user);
    expect(await screen.findByText(/already expired \(on/)).toBeInTheDocument();
    expect(screen.queryByText(/expiring/)).not.toBeInTheDocument();
  });

  it("says when the same certificate is already in the vault, by fingerprint", async () => {
    const user = userEvent.setup();
    const stored = secretMeta({
      id: "c-9",
      name: "api/tls",
      type: "certificate",
      public_fields: { certificates: [{ subject: "CN=api.example.com", sha256: "AB".repeat(32) }] },
    });
    const other = secretMeta({ id: "c-8", name: "other/tls", type: "certificate", public_fields: { certificates: [{ sha256: "99".repeat(32) }] } });
    const ipc = shell({ inspect_input: () => report(), list_secrets: () => ({ total: 2, items: [other, stored] }) });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    const note = await screen.findByText(/This certificate is already in the vault as/);
    expect(within(note).getByRole("link", { name: "api/tls" })).toHaveAttribute("href", "#/secrets/c-9");
    expect(within(note).queryByText("other/tls")).not.toBeInTheDocument();
    expect(ipc.of("list_secrets").at(-1)?.query).toMatchObject({ types: ["certificate"], scope: "live" });
  });
});
