import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { ipcError, renderPage, secretMeta } from "../../components/testing";
import type { RegisterRequest } from "../../ipc/client";
import { RegisterWizard } from "./RegisterWizard";
import { defaults, details, next, openWizard, registerNow, sentRequest, shell } from "./testSupport";

beforeEach(() => {
  window.location.hash = "";
});

describe("RegisterWizard: choosing the type", () => {
  it("shows nine type cards, chosen with the keyboard, and the steps", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard();
    const cards = within(screen.getByRole("list", { name: "Secret types" })).getAllByRole("button");
    expect(cards).toHaveLength(9);
    expect(cards[0]).toHaveAccessibleName(/Basic auth.*username and password/);
    const steps = screen.getByRole("navigation", { name: "Registration steps" });
    expect(within(steps).getByText("Type").closest("li")).toHaveAttribute("aria-current", "step");

    cards[0]?.focus();
    await user.keyboard("{ArrowRight}{ArrowRight}");
    expect(cards[2]).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 2, name: "API key: the value" })).toBeInTheDocument();
    expect(within(steps).getByText("Value").closest("li")).toHaveAttribute("aria-current", "step");
  });

  it("starts at the value step for #/register/<type>, and says when the type is unknown", async () => {
    shell();
    await openWizard("bearer_token");
    expect(screen.getByRole("textbox", { name: "Header name" })).toHaveValue("Authorization");
    cleanup();
    renderPage(<RegisterWizard initialType="nope" />);
    expect(await screen.findByText('There is no secret type "nope": choose one below.')).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: "Choose the type" })).toBeInTheDocument();
  });

  it("asks before cancelling once something was typed", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("basic_auth");
    await user.type(screen.getByRole("textbox", { name: "Username" }), "deploy");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    const dialog = await screen.findByRole("dialog", { name: "Discard this secret?" });
    await user.click(within(dialog).getByRole("button", { name: "Discard" }));
    expect(window.location.hash).toBe("#/secrets");
  });

  it("cancels at once when nothing was entered", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(window.location.hash).toBe("#/secrets");
  });
});

describe("RegisterWizard: credentials", () => {
  it("registers basic auth with exactly the fields typed, and can go back without losing them", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard();
    await user.click(screen.getByRole("button", { name: /^Basic auth/ }));
    await user.type(screen.getByRole("textbox", { name: "Username" }), "  deploy ");
    await user.type(screen.getByLabelText("Password"), "s3cret pass");
    await next(user);
    await screen.findByRole("heading", { level: 2, name: "Name and details" });
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect(screen.getByRole("textbox", { name: "Username" })).toHaveValue("  deploy ");
    await next(user);
    await details(user, "prod/registry");
    // The review masks the password and shows the username.
    expect(screen.getByText("deploy")).toBeInTheDocument();
    expect(screen.queryByText("s3cret pass")).not.toBeInTheDocument();
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("basic_auth", "prod/registry"),
      fields: [
        { name: "username", value: { kind: "text", text: "deploy" } },
        { name: "password", value: { kind: "text", text: "s3cret pass" } },
      ],
    } satisfies RegisterRequest);
    expect(await screen.findByRole("heading", { level: 2, name: "Registered" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Open prod/registry" })).toHaveAttribute(
      "href",
      `#/secrets/${secretMeta().id}`,
    );
  });

  it("warns, without blocking, that redacting a short secret value will mangle job output", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("basic_auth");
    // A short user name is public: no warning for it.
    await user.type(screen.getByRole("textbox", { name: "Username" }), "app");
    await user.type(screen.getByLabelText("Password"), "hunt2");
    expect(screen.getByRole("note")).toHaveTextContent(
      "The password is shorter than 6 characters: redacting a value this short will mangle job output.",
    );
    await next(user);
    await details(user, "prod/short");
    expect(screen.getByRole("note")).toHaveTextContent(
      "Password is shorter than 6 characters: redacting a value this short will mangle job output.",
    );
    await registerNow(user);
    expect((await sentRequest(ipc)).fields).toEqual([
      { name: "username", value: { kind: "text", text: "app" } },
      { name: "password", value: { kind: "text", text: "hunt2" } },
    ]);
  });

  it("does not warn about a secret value of 6 characters", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abcdef");
    await next(user);
    await details(user, "prod/key");
    expect(screen.queryByText(/will mangle job output/)).not.toBeInTheDocument();
  });

  it("generates a strong password on request", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("basic_auth");
    await user.click(screen.getByRole("button", { name: /Generate a strong password/ }));
    const password = screen.getByLabelText("Password");
    expect((password as HTMLInputElement).value).toMatch(/^.{24}$/);
    expect(password).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Show password" }));
    expect(password).toHaveAttribute("type", "text");
  });

  it("requires the username and password", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("basic_auth");
    await next(user);
    expect(await screen.findAllByText("This field is required.")).toHaveLength(2);
    expect(screen.getByRole("heading", { level: 2, name: "Basic auth: the value" })).toBeInTheDocument();
  });

  it("registers a bearer token in a custom header, explaining the raw token", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("bearer_token");
    expect(screen.getByText(/the OAuth 2.0 way/)).toBeInTheDocument();
    const header = screen.getByRole("textbox", { name: "Header name" });
    await user.clear(header);
    await user.type(header, "X-Auth-Token");
    expect(screen.getByText(/The raw token is sent as/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Token"), "tok-123");
    await next(user);
    await details(user, "ci/token");
    await registerNow(user);
    expect((await sentRequest(ipc)).fields).toEqual([
      { name: "header_name", value: { kind: "text", text: "X-Auth-Token" } },
      { name: "token", value: { kind: "text", text: "tok-123" } },
    ]);
  });

  it("refuses a header name that is not an HTTP token", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("api_key");
    const header = screen.getByRole("textbox", { name: "Header name" });
    await user.clear(header);
    await user.type(header, "X Api:Key");
    await user.type(screen.getByLabelText("Key value"), "k");
    await next(user);
    expect(await screen.findByText(/A header name is letters, digits/)).toBeInTheDocument();
    expect(header).toHaveAttribute("aria-invalid", "true");
  });

  it("registers an API key", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc123");
    await next(user);
    await details(user, "weather/api");
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("api_key", "weather/api"),
      fields: [
        { name: "header_name", value: { kind: "text", text: "X-API-Key" } },
        { name: "value", value: { kind: "text", text: "abc123" } },
      ],
    });
  });

  it("registers client credentials with scopes as chips and a token URL", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("client_credentials");
    await user.type(screen.getByRole("textbox", { name: "Client ID" }), "orders");
    await user.type(screen.getByLabelText("Client secret"), "cs");
    await user.type(screen.getByRole("textbox", { name: "Scopes (optional)" }), "orders.read, orders.write{Enter}orders.read");
    const chips = screen.getByRole("list", { name: "Scopes" });
    expect(within(chips).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["orders.read", "orders.write"]);
    await user.type(screen.getByRole("textbox", { name: "Token URL (optional)" }), "https://idp.example.com/oauth/token");
    await user.type(screen.getByRole("textbox", { name: "Audience (optional)" }), "api://orders");
    await next(user);
    await details(user, "idp/orders");
    await registerNow(user);
    expect((await sentRequest(ipc)).fields).toEqual([
      { name: "client_id", value: { kind: "text", text: "orders" } },
      { name: "client_secret", value: { kind: "text", text: "cs" } },
      { name: "scopes", value: { kind: "text", text: "orders.read orders.write" } },
      { name: "token_url", value: { kind: "text", text: "https://idp.example.com/oauth/token" } },
      { name: "audience", value: { kind: "text", text: "api://orders" } },
    ]);
  });

  it("refuses an http token URL to a non-loopback host, and a scope with a quote", async () => {
    const user = userEvent.setup();
    shell();
    await openWizard("client_credentials");
    await user.type(screen.getByRole("textbox", { name: "Client ID" }), "orders");
    await user.type(screen.getByLabelText("Client secret"), "cs");
    await user.type(screen.getByRole("textbox", { name: "Scopes (optional)" }), 'a"b');
    const url = screen.getByRole("textbox", { name: "Token URL (optional)" });
    await user.type(url, "http://idp.example.com/token");
    await next(user);
    expect(await screen.findByText(/Use https:\/\/ \(http:\/\/ only for localhost/)).toBeInTheDocument();
    expect(screen.getByText(/is not allowed in a scope/)).toBeInTheDocument();
    // Loopback may use http.
    await user.clear(url);
    await user.type(url, "http://127.0.0.1:8080/token");
    const scopes = screen.getByRole("textbox", { name: "Scopes (optional)" });
    await user.clear(scopes);
    await next(user);
    expect(await screen.findByRole("heading", { level: 2, name: "Name and details" })).toBeInTheDocument();
  });
});

describe("RegisterWizard: details", () => {
  it("refuses a bad name, and maps a server error back to the field it names", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      register_secret: () => ipcError("invalid_input", "header_name: \"X:Y\" is not allowed in an HTTP header name"),
    });
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await screen.findByRole("heading", { level: 2, name: "Name and details" });
    await user.type(screen.getByRole("textbox", { name: "Name" }), "bad name!");
    await next(user, /^Review/);
    expect(await screen.findByText(/A space is not allowed/)).toBeInTheDocument();
    await details(user, "weather/api");
    await registerNow(user);
    // Back on the value step, with the message on the header field.
    expect(await screen.findByRole("heading", { level: 2, name: "API key: the value" })).toBeInTheDocument();
    expect(await screen.findByText('"X:Y" is not allowed in an HTTP header name.')).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Header name" })).toHaveAttribute("aria-invalid", "true");
    expect(ipc.of("register_secret")).toHaveLength(1);
  });

  it("maps a taken name to the name field", async () => {
    const user = userEvent.setup();
    shell({
      register_secret: () => ipcError("already_exists", 'a secret named "weather/api" already exists in organization "Default"'),
    });
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await details(user, "weather/api");
    await registerNow(user);
    expect(await screen.findByRole("heading", { level: 2, name: "Name and details" })).toBeInTheDocument();
    expect(await screen.findByText(/already exists in organization "Default"/)).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveAttribute("aria-invalid", "true");
  });

  it("sends labels, organization, project, expiry and write-only; offers no visibility until profiles exist", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await details(user, "weather/api", async () => {
      await user.type(screen.getByRole("textbox", { name: "Description (optional)" }), "Weather feed");
      const labels = screen.getByRole("combobox", { name: "Labels (optional)" });
      await user.type(labels, "env=prod{Enter}team = data{Enter}bad key=x{Enter}");
      expect(screen.getByText(/Label keys are 1-63/)).toBeInTheDocument();
      await user.clear(labels);
      await user.click(screen.getByRole("button", { name: "Remove label team" }));
      await user.type(labels, "team=data{Enter}");
      await user.selectOptions(screen.getByRole("combobox", { name: "Organization" }), "New organization…");
      await user.type(screen.getByRole("textbox", { name: "New organization name" }), "Weather");
      await user.type(screen.getByRole("combobox", { name: "Project (optional)" }), "feeds");
      await user.type(screen.getByLabelText("Expires (optional)"), "2099-12-31");
      expect(screen.queryByRole("radio", { name: /Private/ })).not.toBeInTheDocument();
      expect(screen.queryByText(/once profiles exist/)).not.toBeInTheDocument();
      await user.click(screen.getByRole("checkbox", { name: /Write-only/ }));
    });
    const review = screen.getByRole("region", { name: "The secret" });
    expect(within(review).getByText("env=prod")).toBeInTheDocument();
    expect(within(review).getByText("Weather")).toBeInTheDocument();
    await registerNow(user);
    expect(await sentRequest(ipc)).toEqual({
      ...defaults("api_key", "weather/api"),
      org: "Weather",
      project: "feeds",
      description: "Weather feed",
      labels: { env: "prod", team: "data" },
      expires_at: "2099-12-31T00:00:00Z",
      visibility: "public",
      write_only: true,
      fields: [
        { name: "header_name", value: { kind: "text", text: "X-API-Key" } },
        { name: "value", value: { kind: "text", text: "abc" } },
      ],
    });
  });

  it("suggests the labels in use, key then value, without taking the wizard's Enter or Escape", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await details(user, "weather/api", async () => {
      const labels = screen.getByRole("combobox", { name: "Labels (optional)" });
      const options = () => within(screen.getByRole("listbox", { name: "Labels in use" })).getAllByRole("option");
      const texts = () => options().map((o) => o.firstChild?.textContent);
      // Keys first, the most used first, each with how many secrets carry it.
      await user.type(labels, "e");
      expect(labels).toHaveAttribute("aria-expanded", "true");
      expect(texts()).toEqual(["env", "team"]);
      expect(options()[0]).toHaveTextContent("7 secrets");
      // Nothing is highlighted yet: Escape closes the list and is not the wizard's Escape.
      expect(labels).not.toHaveAttribute("aria-activedescendant");
      expect(fireEvent.keyDown(labels, { key: "Escape" })).toBe(false);
      expect(labels).toHaveAttribute("aria-expanded", "false");
      expect(fireEvent.keyDown(labels, { key: "Escape" })).toBe(true);
      // ↓ highlights, Enter picks the key, and the list goes on with its values.
      await user.keyboard("{ArrowDown}");
      expect(labels).toHaveAttribute("aria-activedescendant", options()[0]?.id);
      expect(options()[0]).toHaveAttribute("aria-selected", "true");
      await user.keyboard("{Enter}");
      expect(labels).toHaveValue("env=");
      expect(texts()).toEqual(["env=prod", "env=staging"]);
      expect(screen.queryByRole("list", { name: "Labels" })).not.toBeInTheDocument();
      await user.type(labels, "st");
      expect(texts()).toEqual(["env=staging"]);
      await user.keyboard("{ArrowUp}{Enter}");
      expect(labels).toHaveValue("env=staging");
      expect(labels).toHaveAttribute("aria-expanded", "false");
      // With nothing highlighted, Enter is the wizard's: it adds the label.
      await user.keyboard("{Enter}");
      expect(within(screen.getByRole("list", { name: "Labels" })).getByText("env=staging")).toBeInTheDocument();
      expect(labels).toHaveValue("");
      // A click picks too.
      await user.type(labels, "t");
      await user.click(within(screen.getByRole("listbox", { name: "Labels in use" })).getByText("team"));
      expect(labels).toHaveValue("team=");
      await user.click(within(screen.getByRole("listbox", { name: "Labels in use" })).getByText("team=data"));
      expect(labels).toHaveValue("team=data");
      await user.keyboard("{Enter}");
      expect(screen.getByRole("heading", { level: 2, name: "Name and details" })).toBeInTheDocument();
    });
    await registerNow(user);
    expect((await sentRequest(ipc)).labels).toEqual({ env: "staging", team: "data" });
  }, 20_000);

  it("refuses a past expiry unless it is allowed as an import", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await screen.findByRole("heading", { level: 2, name: "Name and details" });
    await user.type(screen.getByRole("textbox", { name: "Name" }), "old/key");
    await user.type(screen.getByLabelText("Expires (optional)"), "2020-01-31");
    await next(user, /^Review/);
    expect(await screen.findByText(/This date is in the past/)).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: /Allow a past expiry/ }));
    await next(user, /^Review/);
    await registerNow(user);
    const request = await sentRequest(ipc);
    expect(request.expires_at).toBe("2020-01-31T00:00:00Z");
    expect(request.allow_past_expiry).toBe(true);
  });

  it("sets a store password, which must be typed twice", async () => {
    const user = userEvent.setup();
    const ipc = shell();
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await details(user, "locked/key", async () => {
      await user.click(screen.getByRole("radio", { name: "A store password I choose" }));
      await user.type(screen.getByLabelText("Store password"), "correct horse battery");
      await user.type(screen.getByLabelText("Store password again"), "correct horse batterx");
      await next(user, /^Review/);
      expect(await screen.findByText("The two passwords differ.")).toBeInTheDocument();
      await user.clear(screen.getByLabelText("Store password again"));
      await user.type(screen.getByLabelText("Store password again"), "correct horse battery");
    });
    await registerNow(user);
    expect((await sentRequest(ipc)).protection).toEqual({ kind: "password", password: "correct horse battery" });
  });

  it("shows a generated store password once, with a copy button", async () => {
    const user = userEvent.setup();
    const ipc = shell({
      register_secret: () => ({
        secret: secretMeta({ name: "locked/key", type: "api_key", protection: "password" }),
        generated_password: "Gen3rated-Store-Passw0rd",
      }),
    });
    await openWizard("api_key");
    await user.type(screen.getByLabelText("Key value"), "abc");
    await next(user);
    await details(user, "locked/key", async () => {
      await user.click(screen.getByRole("radio", { name: /Generate a store password/ }));
    });
    expect(screen.getByText(/A generated store password, shown once/)).toBeInTheDocument();
    await registerNow(user);
    expect((await sentRequest(ipc)).protection).toEqual({ kind: "generate" });
    expect(await screen.findByLabelText("Generated store password")).toHaveTextContent("Gen3rated-Store-Passw0rd");
    expect(screen.getByText("It will not be shown again.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy password" })).toBeInTheDocument();
    // Registering another clears it for good.
    await user.click(screen.getByRole("button", { name: "Register another" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Choose the type" })).toBeInTheDocument();
    expect(screen.queryByText("Gen3rated-Store-Passw0rd")).not.toBeInTheDocument();
  });
});
