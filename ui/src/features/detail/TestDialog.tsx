import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { TestReportView } from "../../components/TestReportView";
import { api, CofferError, errorMessage, type SecretMeta, type SecretType, type TestReport } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { useStorePassword } from "./useStorePassword";

/** Types the Test action can send: credentials, a client certificate, or trust roots. */
const HOW_SENT: Partial<Record<SecretType, string>> = {
  basic_auth: "as basic auth",
  bearer_token: "as its bearer token header",
  api_key: "in its API key header",
  client_credentials: "after fetching an OAuth 2.0 token with it",
  certificate: "as the client certificate (mutual TLS)",
  ca_bundle: "as trusted CA certificates",
};

export function canTest(meta: SecretMeta): boolean {
  return meta.type in HOW_SENT;
}

const STORAGE_PREFIX = "coffer.test-url.";

function storedUrl(id: string): string {
  try {
    return window.sessionStorage.getItem(STORAGE_PREFIX + id) ?? "";
  } catch {
    return "";
  }
}

function storeUrl(id: string, url: string) {
  try {
    window.sessionStorage.setItem(STORAGE_PREFIX + id, url);
  } catch {
    // Storage may be unavailable; the URL is only a convenience.
  }
}

/** Why a URL cannot be tested, or null. Mirrors the shell: https, or http to this machine. */
export function testUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return "Type a full URL, such as https://registry.example.com/v2/.";
  }
  if (url.protocol === "https:") return null;
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127\./.test(url.hostname);
  if (url.protocol === "http:" && loopback) return null;
  return "Use https: the test sends credentials (plain http only to this machine).";
}

type Failure = { title: string; message: string; hint: string | null };

function describeFailure(error: unknown, meta: SecretMeta, withCa: boolean): Failure {
  const message = errorMessage(error);
  const detail = error instanceof CofferError ? error.detail : null;
  const code = error instanceof CofferError ? error.code : null;
  if (detail === "tls") {
    const hints = ["Check that the host name matches the server's certificate."];
    if (meta.type === "ca_bundle") hints.push("Check that this bundle holds the CA that signed the server's certificate.");
    else if (!withCa) hints.push("If the server uses a private CA, pick its CA bundle and test again.");
    else hints.push("Check that the CA bundle holds the CA that signed the server's certificate.");
    if (meta.type === "certificate") hints.push("The server may also have refused the client certificate.");
    return { title: "The TLS handshake failed", message, hint: hints.join(" ") };
  }
  if (detail === "network") {
    return {
      title: "Could not reach the server",
      message,
      hint: "Check the URL and port, that the server is up, and that this machine can reach it (proxy, firewall, VPN).",
    };
  }
  if (detail === "process") return { title: "The test could not run", message, hint: null };
  if (code === "refused") {
    return { title: "The vault refused to use the secret", message, hint: "Jobs that use it are refused the same way." };
  }
  if (code === "password_required" || code === "wrong_password") {
    return {
      title: "It is protected by a store password",
      message,
      hint: "Secrets with a store password cannot be tested here, and jobs cannot use them.",
    };
  }
  if (code === "invalid_input") return { title: "The test cannot use this", message, hint: null };
  return { title: "The test failed", message, hint: null };
}

/**
 * The Test action: one request to a URL with the secret, then the status,
 * what was sent and the TLS facts. The value is never shown or asked for.
 */
export function TestDialog({ meta, onClose }: { meta: SecretMeta; onClose: () => void }) {
  const client = useQueryClient();
  const formId = useId();
  const [url, setUrl] = useState(() => storedUrl(meta.id));
  const [urlError, setUrlError] = useState<string | undefined>();
  const [caId, setCaId] = useState("");
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<TestReport | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const picksCa = meta.type !== "ca_bundle";
  // A store-password secret is used only with its password: asked here, kept while the dialog is open.
  const gate = useStorePassword(meta.protection === "password", meta.name);
  const bundles = useQuery({
    queryKey: [...keys.secrets, "ca-bundles"],
    queryFn: () =>
      api.listSecrets({ types: ["ca_bundle"], statuses: ["active"], scope: "live", sort: "name", limit: 1000, offset: 0 }),
    enabled: picksCa,
  });
  // A bundle restricted to another project would be refused for this one.
  const usable = (bundles.data?.items ?? []).filter((b) => b.project === null || b.project === meta.project);

  const submit = async () => {
    const problem = testUrlProblem(url);
    setUrlError(problem ?? undefined);
    if (problem) return;
    const target = url.trim();
    storeUrl(meta.id, target);
    setBusy(true);
    setReport(null);
    setFailure(null);
    try {
      const report = await gate.run("Test", (password) =>
        api.testSecret(meta.id, target, picksCa && caId ? caId : null, meta.project, password),
      );
      if (report) setReport(report);
    } catch (error) {
      setFailure(describeFailure(error, meta, Boolean(caId)));
    } finally {
      setBusy(false);
      // A test is a use: last used and the audit change.
      void client.invalidateQueries({ queryKey: keys.secret(meta.id) });
      void client.invalidateQueries({ queryKey: keys.audit(meta.id) });
    }
  };

  return (
    <Dialog
      open
      wide
      title={`Test ${meta.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? "Testing…" : "Test"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="muted">
          Sends one request to the URL with {meta.name} {HOW_SENT[meta.type]}, and shows what came back. Its value is
          never shown{meta.write_only ? " (it is write-only)" : ""}, and redirects are not followed.
        </p>
        <Field label="URL" hint="https, or plain http to this machine only." error={urlError}>
          <input
            className="input mono"
            type="url"
            inputMode="url"
            spellCheck={false}
            autoComplete="off"
            placeholder="https://"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        {picksCa ? (
          <Field
            label="CA bundle (optional)"
            hint={bundles.error ? `The CA bundles could not be listed: ${errorMessage(bundles.error)}` : "Trust a private CA for this request, as a job would."}
          >
            <select className="select" value={caId} onChange={(e) => setCaId(e.target.value)} disabled={bundles.isPending && !bundles.error}>
              <option value="">None: the system's trusted roots</option>
              {usable.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.org !== meta.org ? `${b.org}: ` : ""}
                  {b.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {busy ? (
          <p className="muted small" role="status">
            Waiting for the server…
          </p>
        ) : null}
        {failure ? (
          <div className="notice notice-error" role="alert">
            <Icon name="alert" />
            <div className="test-error">
              <strong>{failure.title}</strong>
              <span>{failure.message}</span>
              {failure.hint ? <span className="small">{failure.hint}</span> : null}
            </div>
          </div>
        ) : null}
        {report ? <TestReportView report={report} /> : null}
      </form>
      {gate.dialog}
    </Dialog>
  );
}
