import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ipcError, secretMeta } from "../../components/testing";
import type { RegisterRequest } from "../../ipc/client";
import { dropForTest } from "../../lib/drops";
import { base64, defaults, details, file, next, openWizard, registerNow, report, sentRequest, shell } from "./testSupport";

const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests deploy@ci";
const OPENSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

beforeEach(() => {
  window.location.hash = "";
});

describe("RegisterWizard: SSH key pair", () => {
  it("generates a key pair and shows its public key with a copy button after registering", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const ipc = shell({
      register_secret: (args) => ({
        secret: secretMeta({
          name: (args.request as RegisterRequest).name,
          type: "ssh_key_pair",
          public_fields: {
            public_key: PUBLIC_KEY,
            fingerprint_sha256: "SHA256:abcDEF123",
            algorithm: "rsa",
            bits: 4096,
          },
        }),
        generated_password: null,
      }),
    });
    await openWizard("ssh_key_pair");
    expect(screen.getByRole("radio", { name: /Generate/ })).toBeChecked();
    await user.selectOptions(screen.getByRole("combobox", { name: "Algorithm" }), "RSA 4096 bits");
    await user.type(screen.getByRole("textbox", { name: "Comment (optional)" }), "deploy@ci");
    await next(user);
    await details(user, "git/deploy");
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("ssh_key_pair", "git/deploy"),
      fields: [],
      generate_ssh: { algorithm: "rsa", bits: 4096, comment: "deploy@ci" },
    });
    expect(await screen.findByLabelText("Public key")).toHaveTextContent(PUBLIC_KEY);
    expect(screen.getByText("SHA256:abcDEF123")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Copy public key" }));
    expect(writeText).toHaveBeenCalledWith(PUBLIC_KEY);
  });

  it("sends Ed25519 with no comment by default", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("ssh_key_pair");
    await next(user);
    await details(user, "git/key");
    await registerNow(user);
    expect((await sentRequest(ipc)).generate_ssh).toEqual({ algorithm: "ed25519", bits: null, comment: null });
  });

  it("uploads an encrypted private key: asks its passphrase, then shows fingerprint and public key", async () => {
    const user = userEvent.setup();
    const ssh = {
      algorithm: "ed25519" as const,
      bits: 256,
      public_key: PUBLIC_KEY,
      fingerprint_sha256: "SHA256:xyz",
      private: true,
      encrypted: true,
    };
    const ipc = shell({
      inspect_input: (args) =>
        args.password === "pass phrase"
          ? report({ certificates: [], ssh, earliest_expiry: null })
          : ipcError("password_required", "private_key: the key is encrypted; give its password"),
    });
    await openWizard("ssh_key_pair");
    await user.click(screen.getByRole("radio", { name: /Upload/ }));
    await user.upload(screen.getByLabelText("Private key file"), file("id_ed25519", OPENSSH));
    const passphrase = await screen.findByLabelText("Password of the private key");
    await user.type(passphrase, "pass phrase{Enter}");
    expect(await screen.findByLabelText("Public key")).toHaveTextContent(PUBLIC_KEY);
    expect(screen.getByText("SHA256:xyz")).toBeInTheDocument();
    expect(ipc.of("inspect_input")[0]).toEqual({
      kind: "ssh_key_pair",
      input: { kind: "base64", data: base64(OPENSSH) },
      privateKey: null,
      password: null,
    });
    await next(user);
    await details(user, "git/uploaded");
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("ssh_key_pair", "git/uploaded"),
      fields: [{ name: "private_key", value: { kind: "base64", data: base64(OPENSSH) } }],
      key_password: "pass phrase",
    });
  });

  it("refuses a private key that is not OpenSSH", async () => {
    const user = userEvent.setup();
    shell({ inspect_input: () => report({ certificates: [], private_key: { algorithm: "rsa", bits: 2048, encrypted: false } }) });
    await openWizard("ssh_key_pair");
    await user.click(screen.getByRole("radio", { name: /Upload/ }));
    await user.upload(screen.getByLabelText("Private key file"), file("key.pem", "-----BEGIN PRIVATE KEY-----"));
    expect(await screen.findByText(/This is not an OpenSSH private key/)).toBeInTheDocument();
    await next(user);
    expect(await screen.findByText(/convert it with ssh-keygen -p -f FILE/)).toBeInTheDocument();
  });
});

describe("RegisterWizard: key/value", () => {
  it("edits rows with masked values, and flags duplicate and bad keys", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("key_value");
    await user.type(screen.getByRole("textbox", { name: "Key 1" }), "DB_HOST");
    const value = screen.getByLabelText("Value 1");
    expect(value).toHaveAttribute("type", "password");
    await user.type(value, "db.internal");
    await user.click(screen.getByRole("button", { name: "Add key" }));
    await user.type(screen.getByRole("textbox", { name: "Key 2" }), "DB_HOST");
    await user.type(screen.getByLabelText("Value 2"), "other");
    expect(screen.getAllByText("duplicate key")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Add key" }));
    await user.type(screen.getByRole("textbox", { name: "Key 3" }), "BAD KEY");
    await user.type(screen.getByLabelText("Value 3"), "x");
    await next(user);
    expect(await screen.findByText('"DB_HOST" is there twice: keys are unique.')).toBeInTheDocument();
    expect(screen.getByText("Keys cannot hold spaces or = # { } $.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove key 2" }));
    const bad = screen.getByRole("textbox", { name: "Key 2" });
    await user.clear(bad);
    await user.type(bad, "DB_PASSWORD");
    await next(user);
    await details(user, "db/app-env");
    expect(screen.queryByText("db.internal")).not.toBeInTheDocument();
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("key_value", "db/app-env"),
      fields: [
        { name: "DB_HOST", value: { kind: "text", text: "db.internal" } },
        { name: "DB_PASSWORD", value: { kind: "text", text: "x" } },
      ],
    });
  });

  it("needs at least one key", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("key_value");
    await next(user);
    expect(await screen.findByText("Add at least one key.")).toBeInTheDocument();
  });

  it("imports a .env file, merging its keys into the rows and flagging duplicates", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      read_key_value_file: () => [
        { key: "DB_HOST", value: "db.internal" },
        { key: "DB_USER", value: "orders" },
        { key: "API_TOKEN", value: "abc" },
      ],
    });
    await openWizard("key_value");
    await user.type(screen.getByRole("textbox", { name: "Key 1" }), "DB_USER");
    await user.type(screen.getByLabelText("Value 1"), "admin");
    await user.upload(screen.getByLabelText("Key/value file"), file("app.env", "DB_HOST=db.internal\n"));
    expect(await screen.findByText(/Imported 3 keys from app.env. 1 of them was already there/)).toBeInTheDocument();
    expect(ipc.of("read_key_value_file")).toEqual([{ source: { kind: "base64", data: base64("DB_HOST=db.internal\n") } }]);
    const keys = screen.getAllByRole("textbox", { name: /^Key \d$/ }).map((k) => (k as HTMLInputElement).value);
    expect(keys).toEqual(["DB_USER", "DB_HOST", "DB_USER", "API_TOKEN"]);
    expect(screen.getAllByText("duplicate key")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Remove key 3" }));
    expect(screen.queryByText("duplicate key")).not.toBeInTheDocument();
    await next(user);
    await details(user, "db/env");
    await registerNow(user);
    expect((await sentRequest(ipc)).fields).toEqual([
      { name: "DB_USER", value: { kind: "text", text: "admin" } },
      { name: "DB_HOST", value: { kind: "text", text: "db.internal" } },
      { name: "API_TOKEN", value: { kind: "text", text: "abc" } },
    ]);
  });

  it("says why a file could not be imported, and imports a dropped file", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      read_key_value_file: (args) =>
        (args.source as { kind: string }).kind === "file"
          ? [{ key: "A", value: "1" }]
          : ipcError("invalid_input", "file: line 2: expected KEY=value"),
    });
    await openWizard("key_value");
    await user.upload(screen.getByLabelText("Key/value file"), file("bad.env", "oops"));
    expect(await screen.findByText("This file line 2: expected KEY=value")).toBeInTheDocument();
    dropForTest([{ token: "t-env", name: "prod.json", size: 20 }]);
    expect(await screen.findByText("Imported 1 key from prod.json.")).toBeInTheDocument();
    expect(ipc.of("read_key_value_file").at(-1)).toEqual({ source: { kind: "file", token: "t-env" } });
  });

  it("maps a server error about one key to its row", async () => {
    const user = userEvent.setup();
    shell({ register_secret: () => ipcError("invalid_input", "DB_HOST: is given more than once") });
    await openWizard("key_value");
    await user.type(screen.getByRole("textbox", { name: "Key 1" }), "DB_HOST");
    await user.type(screen.getByLabelText("Value 1"), "v");
    await next(user);
    await details(user, "db/x");
    await registerNow(user);
    expect(await screen.findByText("Is given more than once.")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Key 1" })).toHaveAttribute("aria-invalid", "true");
  });
});

describe("RegisterWizard: data", () => {
  it("stores a file with its name and a detected content type", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("data");
    await user.upload(screen.getByLabelText("Data file"), file("kubeconfig.yaml", "apiVersion: v1\n", "application/yaml"));
    await waitFor(() => expect(screen.getByRole("textbox", { name: "File name (optional)" })).toHaveValue("kubeconfig.yaml"));
    expect(screen.getByRole("textbox", { name: "Content type (optional)" })).toHaveValue("application/yaml");
    await next(user);
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveValue("kubeconfig.yaml");
    await details(user, "k8s/prod-kubeconfig");
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("data", "k8s/prod-kubeconfig"),
      fields: [
        { name: "data", value: { kind: "base64", data: base64("apiVersion: v1\n") } },
        { name: "content_type", value: { kind: "text", text: "application/yaml" } },
        { name: "file_name", value: { kind: "text", text: "kubeconfig.yaml" } },
      ],
    });
  });

  it("stores typed text, checking the content type", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("data");
    await user.click(screen.getByRole("radio", { name: /Text/ }));
    await next(user);
    expect(await screen.findByText("This field is required.")).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: "Text" }), "line one{Enter}line two");
    await user.type(screen.getByRole("textbox", { name: "Content type (optional)" }), "plain text");
    await next(user);
    expect(await screen.findByText("A media type looks like text/plain.")).toBeInTheDocument();
    await user.clear(screen.getByRole("textbox", { name: "Content type (optional)" }));
    await next(user);
    await details(user, "notes/ops");
    const review = screen.getByRole("region", { name: "Its value" });
    expect(within(review).getByText("detected when saved")).toBeInTheDocument();
    await registerNow(user);
    expect((await sentRequest(ipc)).fields).toEqual([{ name: "data", value: { kind: "text", text: "line one\nline two" } }]);
  });
});
