import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, secretMeta } from "../../components/testing";
import { dropForTest } from "../../lib/drops";
import {
  base64,
  certificate,
  defaults,
  details,
  file,
  next,
  openWizard,
  registerNow,
  report,
  sentRequest,
  shell,
} from "./testSupport";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

beforeEach(() => {
  window.location.hash = "";
});

describe("RegisterWizard: certificate", () => {
  it("inspects the file at once and shows the chain as cards with warnings, before anything is saved", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      inspect_input: () =>
        report({
          warnings: [
            { code: "incomplete_chain", message: 'the chain stops at "Example Issuing CA"' },
            { code: "expired", message: 'certificate "api.example.com" expired on 2025-01-01' },
          ],
        }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    const chain = await screen.findByRole("region", { name: "Certificate chain" });
    const cards = within(chain).getAllByRole("article");
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveAccessibleName("Leaf: api.example.com");
    expect(within(cards[0] as HTMLElement).getByText("CN=api.example.com,O=Example,C=FR")).toBeInTheDocument();
    expect(within(cards[0] as HTMLElement).getByText("DNS:www.example.com")).toBeInTheDocument();
    expect(within(cards[0] as HTMLElement).getByText("ab".repeat(32))).toBeInTheDocument();
    expect(within(cards[0] as HTMLElement).getByText("cd".repeat(20))).toBeInTheDocument();
    expect(within(cards[0] as HTMLElement).getByText("sha256WithRSAEncryption")).toBeInTheDocument();
    expect(within(cards[0] as HTMLElement).getByRole("img", { name: /Validity .* days left/ })).toBeInTheDocument();
    expect(cards[1]).toHaveAccessibleName("Intermediate CA: Example Issuing CA");
    expect(within(cards[1] as HTMLElement).getByText("yes, path length 0")).toBeInTheDocument();
    const warnings = screen.getByRole("note", { name: "Warnings" });
    expect(within(warnings).getByText(/Incomplete chain: an issuer is missing/)).toBeInTheDocument();
    expect(within(warnings).getByText(/Expired: past its end date/)).toBeInTheDocument();
    expect(within(warnings).getByText('the chain stops at "Example Issuing CA"')).toBeInTheDocument();
    expect(screen.getByText(/No private key/)).toBeInTheDocument();
    expect(ipc.of("inspect_input")).toEqual([
      { kind: "certificate", input: { kind: "base64", data: base64(PEM) }, privateKey: null, password: null },
    ]);
    expect(ipc.of("register_secret")).toEqual([]);
  });

  it("fills the expiry from the leaf and locks it, proposes the CN as name, and lets the vault set it", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      inspect_input: (args) =>
        args.privateKey ? report({ private_key: { algorithm: "rsa", bits: 2048, encrypted: false }, key_matches_leaf: true }) : report(),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    await user.upload(screen.getByLabelText("Private key file (optional)"), file("client.key", KEY));
    expect(await screen.findByText(/matches the leaf certificate/)).toBeInTheDocument();
    await next(user);
    await screen.findByRole("heading", { level: 2, name: "Name and details" });
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveValue("api.example.com");
    const expires = screen.getByLabelText("Expires");
    expect(expires).toHaveAttribute("readonly");
    expect(expires).toHaveValue("2099-03-01");
    await details(user, "mtls/api");
    expect(screen.getByText("Mar 1, 2099 (from the leaf certificate)")).toBeInTheDocument();
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("certificate", "mtls/api"),
      fields: [
        { name: "certificate", value: { kind: "base64", data: base64(PEM) } },
        { name: "private_key", value: { kind: "base64", data: base64(KEY) } },
      ],
    });
    expect(ipc.of("inspect_input").at(-1)).toEqual({
      kind: "certificate",
      input: { kind: "base64", data: base64(PEM) },
      privateKey: { kind: "base64", data: base64(KEY) },
      password: null,
    });
  });

  it("asks for the password of a PKCS#12 file, reports a wrong one inline, then inspects again", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      inspect_input: (args) => {
        if (args.password === null) return ipcError("password_required", "certificate: the key is encrypted; give its password");
        if (args.password !== "s3cret") return ipcError("wrong_password", "certificate: wrong password for the key");
        return report({ private_key: { algorithm: "rsa", bits: 2048, encrypted: true }, key_matches_leaf: true });
      },
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("client.p12", "\u0030\u0082binary"));
    const password = await screen.findByLabelText("Password of the certificate file");
    await waitFor(() => expect(password).toHaveFocus());
    await user.type(password, "nope{Enter}");
    expect(await screen.findByText("Wrong password. Try again.")).toBeInTheDocument();
    await user.clear(password);
    await user.type(password, "s3cret");
    await user.click(screen.getByRole("button", { name: "Unlock" }));
    expect(await screen.findByText(/was encrypted\) matches the leaf certificate/)).toBeInTheDocument();
    expect(screen.queryByLabelText("Password of the certificate file")).not.toBeInTheDocument();
    expect(ipc.of("inspect_input").map((a) => a.password)).toEqual([null, "nope", "s3cret"]);
    await next(user);
    await details(user, "mtls/p12");
    await registerNow(user);
    const request = await sentRequest(ipc);
    expect(request.key_password).toBe("s3cret");
    expect(request.fields).toHaveLength(1);
  });

  it("refuses a key that does not match unless the user stores it anyway", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      inspect_input: (args) =>
        !args.privateKey ? report() : report({
          private_key: { algorithm: "rsa", bits: 2048, encrypted: false },
          key_matches_leaf: false,
          warnings: [{ code: "key_mismatch", message: 'the private key does not belong to certificate "api.example.com"' }],
        }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    await user.upload(screen.getByLabelText("Private key file (optional)"), file("other.key", KEY));
    expect(await screen.findByText("The private key does not match the leaf certificate.")).toBeInTheDocument();
    await next(user);
    expect(await screen.findByText(/give the right key, or store it anyway/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: /Store anyway/ }));
    await next(user);
    await details(user, "mtls/odd");
    expect(screen.getByText(/it will be stored anyway, as you asked/)).toBeInTheDocument();
    expect(within(screen.getByRole("note", { name: "Warnings" })).getByText(/Key mismatch/)).toBeInTheDocument();
    await registerNow(user);
    expect((await sentRequest(ipc)).allow_key_mismatch).toBe(true);
  });

  it("shows a file the shell cannot read on its drop zone, and maps a register error to the key", async () => {
    const user = userEvent.setup();
    let readable = false;
    shell({
      inspect_input: (args) =>
        readable && args.privateKey
          ? report({ private_key: { algorithm: "rsa", bits: 2048, encrypted: false }, key_matches_leaf: true })
          : readable
          ? report()
          : ipcError("invalid_input", "certificate: no certificate, key or PKCS#12 data found (not_pem)"),
      register_secret: () => ipcError("invalid_input", "private_key: does not match the certificate's leaf"),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("notes.pem", "hello"));
    expect(await screen.findByText("No certificate, key or PKCS#12 data found")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove certificate file" }));
    readable = true;
    await user.upload(screen.getByLabelText("Certificate file"), file("chain.pem", PEM));
    await user.upload(screen.getByLabelText("Private key file (optional)"), file("client.key", KEY));
    await screen.findByText(/matches the leaf certificate/);
    await next(user);
    await details(user, "mtls/api");
    await registerNow(user);
    expect(await screen.findByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    expect(await screen.findByText("Does not match the certificate's leaf.")).toBeInTheDocument();
  });

  it("renders certificate text as text, never as markup", async () => {
    const user = userEvent.setup();
    const evil = "<img src=x onerror=alert(1)>";
    shell({
      inspect_input: () =>
        report({
          certificates: [certificate({ subject: `CN=${evil}`, subject_cn: evil, san: [`DNS:${evil}`] })],
          warnings: [{ code: "self_signed_leaf", message: `certificate "${evil}" is self-signed` }],
        }),
    });
    await openWizard("certificate");
    await user.upload(screen.getByLabelText("Certificate file"), file("evil.pem", PEM));
    const card = await screen.findByRole("article");
    expect(within(card).getByText(evil)).toBeInTheDocument();
    expect(within(card).getByText(`CN=${evil}`)).toBeInTheDocument();
    expect(screen.getByText(`certificate "${evil}" is self-signed`)).toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
  });

  it("takes files dropped on the window: the certificate and, by its name, the key", async () => {
    const ipc = shell({ inspect_input: () => report({ key_matches_leaf: true, private_key: { algorithm: "ec", bits: 256, encrypted: false } }) });
    await openWizard("certificate");
    dropForTest([
      { token: "t-cert", name: "api.crt", size: 1200 },
      { token: "t-key", name: "api.key", size: 300 },
    ]);
    expect(await screen.findByText(/matches the leaf certificate/)).toBeInTheDocument();
    expect(ipc.of("inspect_input").at(-1)).toEqual({
      kind: "certificate",
      input: { kind: "file", token: "t-cert" },
      privateKey: { kind: "file", token: "t-key" },
      password: null,
    });
  });

  it("opens a certificate dropped before a type was chosen as a certificate", async () => {
    shell({ inspect_input: () => report() });
    await openWizard();
    dropForTest([{ token: "t1", name: "client.pfx", size: 3000 }]);
    expect(await screen.findByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    expect(screen.getByText(/client.pfx: a certificate, opened as a Certificate/)).toBeInTheDocument();
    expect(await screen.findByRole("region", { name: "Certificate chain" })).toBeInTheDocument();
  });

  // What each dropped file holds, as the shell's generic inspection reports it.
  const HOLDS = {
    leaf: report({ certificates: [certificate()] }),
    chain: report(),
    key: report({ certificates: [], private_key: { algorithm: "ec", bits: 256, encrypted: false }, key_matches_leaf: null }),
    roots: report({ certificates: [certificate({ is_ca: true, subject_cn: "Root" }), certificate({ is_ca: true, subject_cn: "Issuing", sha256: "11".repeat(32) })] }),
  };
  const byToken = (holds: Record<string, (typeof HOLDS)[keyof typeof HOLDS]>) => (args: Record<string, unknown>) => {
    const token = (args.input as { token?: string }).token ?? "";
    if (args.kind === "certificate") return report({ key_matches_leaf: true, private_key: { algorithm: "ec", bits: 256, encrypted: false } });
    return holds[token] ?? ipcError("invalid_input", "not a certificate or key");
  };

  it("decides by content: chain.pem with leaf.key opens the Certificate with both, not the CA bundle", async () => {
    const ipc = shell({ inspect_input: byToken({ "t-chain": HOLDS.chain, "t-key": HOLDS.key }) });
    await openWizard();
    dropForTest([
      { token: "t-chain", name: "chain.pem", size: 3000 },
      { token: "t-key", name: "leaf.key", size: 300 },
    ]);
    expect(await screen.findByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    expect(screen.getByText(/chain.pem, leaf.key: a certificate and its private key, opened as a Certificate/)).toBeInTheDocument();
    await waitFor(() =>
      expect(ipc.of("inspect_input").at(-1)).toEqual({
        kind: "certificate",
        input: { kind: "file", token: "t-chain" },
        privateKey: { kind: "file", token: "t-key" },
        password: null,
      }),
    );
    expect(await screen.findByText(/matches the leaf certificate/)).toBeInTheDocument();
  });

  it("decides by content: a file of CA certificates only, whatever its name, opens the CA bundle", async () => {
    shell({ inspect_input: byToken({ "t-roots": HOLDS.roots }) });
    await openWizard();
    dropForTest([{ token: "t-roots", name: "server.crt", size: 2000 }]);
    expect(await screen.findByRole("heading", { level: 2, name: "CA bundle: the value" })).toBeInTheDocument();
    expect(screen.getByText(/server.crt: only CA certificates, opened as a CA bundle/)).toBeInTheDocument();
  });

  it("asks what a key dropped alone is, and opens the form chosen with it", async () => {
    const user = userEvent.setup();
    const ipc = shell({ inspect_input: byToken({ "t-key": HOLDS.key }) });
    await openWizard();
    dropForTest([{ token: "t-key", name: "id_deploy", size: 400 }]);
    const ask = await screen.findByRole("group", { name: "What is this key?" });
    expect(within(ask).getByText(/id_deploy holds a private key and no certificate/)).toBeInTheDocument();
    await user.click(within(ask).getByRole("button", { name: "A certificate's private key" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    expect(await screen.findByText("id_deploy")).toBeInTheDocument();
    // The key went to the key box: the certificate box is still empty.
    expect(ipc.of("inspect_input").filter((c) => c.kind === "certificate")).toEqual([]);
  });

  it("asks about a key alone, and an SSH key pair takes it", async () => {
    const user = userEvent.setup();
    shell({ inspect_input: byToken({ "t-key": HOLDS.key }) });
    await openWizard();
    dropForTest([{ token: "t-key", name: "deploy.pem", size: 400 }]);
    await user.click(within(await screen.findByRole("group", { name: "What is this key?" })).getByRole("button", { name: "An SSH key pair" }));
    expect(await screen.findByRole("heading", { level: 2, name: "SSH key pair: the value" })).toBeInTheDocument();
  });

  it("opens one wizard with several files: the leaf's file as the certificate, its key, the rest said", async () => {
    const ipc = shell({ inspect_input: byToken({ "t-roots": HOLDS.roots, "t-leaf": HOLDS.leaf, "t-key": HOLDS.key }) });
    await openWizard();
    dropForTest([
      { token: "t-roots", name: "roots.pem", size: 2000 },
      { token: "t-leaf", name: "leaf.pem", size: 1200 },
      { token: "t-key", name: "leaf.key", size: 300 },
    ]);
    expect(await screen.findByRole("heading", { level: 2, name: "Certificate: the value" })).toBeInTheDocument();
    await waitFor(() =>
      expect(ipc.of("inspect_input").at(-1)).toMatchObject({ kind: "certificate", input: { token: "t-leaf" }, privateKey: { token: "t-key" } }),
    );
    expect(await screen.findByText(/roots.pem not used/)).toBeInTheDocument();
  });

  it("chooses files in the native dialog", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      pick_files: () => [{ token: "tok-1", name: "chain.pem", size: 2048 }],
      inspect_input: () => report(),
    });
    await openWizard("certificate");
    await user.click(screen.getByRole("button", { name: "Choose file… (certificate file)" }));
    expect(await screen.findByText("chain.pem")).toBeInTheDocument();
    expect(ipc.of("pick_files")).toEqual([{ title: "Choose the certificate", multiple: false }]);
    await waitFor(() => expect(ipc.of("inspect_input")[0]?.input).toEqual({ kind: "file", token: "tok-1" }));
  });
});

describe("RegisterWizard: CA bundle", () => {
  it("shows every CA as a card and registers the bundle", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      inspect_input: () =>
        report({
          certificates: [
            certificate({ subject: "CN=Root A", subject_cn: "Root A", is_ca: true, self_signed: true }),
            certificate({ subject: "CN=Issuing B", subject_cn: "Issuing B", is_ca: true, sha256: "11".repeat(32) }),
            certificate({ subject: "CN=leaf", subject_cn: "leaf", sha256: "22".repeat(32) }),
          ],
          warnings: [{ code: "not_a_ca", message: 'certificate "leaf" is not a CA' }],
        }),
      register_secret: () => ({ secret: secretMeta({ type: "ca_bundle", name: "trust/internal" }), generated_password: null }),
    });
    await openWizard("ca_bundle");
    await user.upload(screen.getByLabelText("CA bundle file"), file("cas.pem", PEM + PEM));
    const list = await screen.findByRole("region", { name: "Certificate authorities" });
    expect(within(list).getAllByRole("article").map((a) => a.getAttribute("aria-label"))).toEqual([
      "Root CA: Root A",
      "Intermediate CA: Issuing B",
      "Not a CA: leaf",
    ]);
    expect(screen.getByText(/Not a CA: a certificate of the bundle cannot vouch/)).toBeInTheDocument();
    expect(ipc.of("inspect_input")[0]?.kind).toBe("ca_bundle");
    await next(user);
    await details(user, "trust/internal");
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("ca_bundle", "trust/internal"),
      fields: [{ name: "certificates", value: { kind: "base64", data: base64(PEM + PEM) } }],
    });
  });

  it("requires the bundle", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("ca_bundle");
    await next(user);
    expect(await screen.findByText("Add the CA certificates (PEM or DER).")).toBeInTheDocument();
  });
});
