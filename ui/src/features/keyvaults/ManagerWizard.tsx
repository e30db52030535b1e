import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type SyntheticEvent, type ReactNode } from "react";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { api, errorMessage, hasCode, type ManagerTest } from "../../ipc/client";
import { keys, useOrganizations } from "../../lib/queries";
import { navigate, routeHref } from "../../lib/router";
import { SecretPicker } from "../jobs/SecretPicker";
import { durationText, emptyForm, formOf, KIND_LABEL, toSpec, validateForm, type FormErrors, type ManagerForm, type ManagerKind } from "./model";
import "../jobs/jobs.css";
import "./keyvaults.css";

/** What Test found, with the failure class's hint. */
export function TestResult({ test }: { test: ManagerTest }) {
  if (test.ok) {
    return (
      <div className="notice notice-ok" role="status">
        <Icon name="check" />
        <p>
          Connected in {test.latency_ms} ms. <span className="muted">Checked: {test.checked}</span>
        </p>
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" />
      <div className="stack" style={{ gap: 4 }}>
        <p>{test.message ?? "The test failed."}</p>
        {test.hint ? <p className="small">{test.hint}</p> : null}
        <p className="small muted">
          Checked: {test.checked} · {test.latency_ms} ms
        </p>
      </div>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="job-fieldset">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

/**
 * A new connection, or the settings of a saved one (`editing`, prefilled):
 * service, name, where, credentials (a Coffer secret chosen with the picker,
 * or the platform's), cache and write rate. Save tests the settings first
 * and asks before keeping ones that failed their test; a passing test
 * becomes the connection's status only for exactly the settings it tested.
 */
export function ManagerWizard({ editing }: { editing?: string } = {}) {
  const client = useQueryClient();
  const toast = useToast();
  const orgs = useOrganizations();
  const managers = useQuery({ queryKey: keys.managers, queryFn: api.listManagers, enabled: editing !== undefined });
  const [form, setForm] = useState<ManagerForm>(() => emptyForm("aws"));
  const saved = editing ? managers.data?.find((m) => m.spec.name.toLowerCase() === editing.toLowerCase()) : undefined;
  const [loaded, setLoaded] = useState(!editing);
  useEffect(() => {
    if (saved && !loaded) {
      setForm(formOf(saved.spec));
      setLoaded(true);
    }
  }, [saved, loaded]);
  const [shown, setShown] = useState<FormErrors>({});
  const [test, setTest] = useState<ManagerTest | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<"test" | "save" | null>(null);
  const credentialId = useId();
  const errors = validateForm(form);

  const set = (patch: Partial<ManagerForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setTest(null);
    setFailure(null);
    // A field's error goes as soon as it is edited; it comes back on the next Test or Save.
    setShown((s) => Object.fromEntries(Object.entries(s).filter(([key]) => !(key in patch))));
  };
  const chooseKind = (kind: ManagerKind) => {
    if (kind === form.kind) return;
    set({ kind, credential: "" });
  };
  const checked = () => {
    setShown(errors);
    return Object.keys(errors).length === 0;
  };

  const runTest = async (): Promise<ManagerTest | null> => {
    if (!checked()) return null;
    setBusy("test");
    setFailure(null);
    try {
      const result = await api.testManagerSpec(toSpec(form));
      setTest(result);
      return result;
    } catch (error) {
      setFailure(errorMessage(error));
      return null;
    } finally {
      setBusy(null);
    }
  };

  const save = async (anyway: boolean) => {
    if (!checked()) return;
    if (!anyway) {
      const result = test ?? (await runTest());
      if (!result?.ok) return;
    }
    setBusy("save");
    try {
      const stored = saved ? await api.updateManager(saved.spec.name, toSpec(form)) : await api.addManager(toSpec(form));
      await client.invalidateQueries({ queryKey: keys.managers });
      toast.info(`Connection ${stored.spec.name} saved.`);
      navigate({ view: "keyvault", name: stored.spec.name });
    } catch (error) {
      if (hasCode(error, "already_exists")) setShown((s) => ({ ...s, name: errorMessage(error) }));
      else setFailure(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (e: SyntheticEvent) => {
    e.preventDefault();
    void save(false);
  };

  if (editing && !loaded) {
    return (
      <div className="page">
        <p className="muted">{managers.isError ? errorMessage(managers.error) : managers.data ? `No connection ${editing}.` : "Loading…"}</p>
      </div>
    );
  }
  const title = saved ? `Edit connection ${saved.spec.name}` : "New connection";
  const back = saved ? routeHref({ view: "keyvault", name: saved.spec.name }) : routeHref({ view: "keyvaults" });
  const aws = form.kind === "aws";
  const orgNames = orgs.data?.map((o) => o.name) ?? [];
  if (!orgNames.includes(form.org)) orgNames.unshift(form.org);

  return (
    <div className="page">
      <a className="back-link" href={back}>
        <Icon name="chevronRight" /> {saved ? saved.spec.name : "Key vaults"}
      </a>
      <div className="page-head">
        <h1>{title}</h1>
      </div>
      <form className="stack kv-wizard" onSubmit={onSubmit} noValidate aria-label={title}>
        <Section title="Service">
          <div role="radiogroup" aria-label="Service" className="row wrap" style={{ gap: 16 }}>
            {(["aws", "azure"] as const).map((kind) => (
              <label key={kind} className="check">
                <input type="radio" name="kind" checked={form.kind === kind} onChange={() => chooseKind(kind)} />
                <span>{KIND_LABEL[kind]}</span>
              </label>
            ))}
          </div>
        </Section>

        <Section title="Name">
          <div className="grid-2">
            <Field label="Name" hint={<>Placeholders use it: ${"{"}secret:{form.name.trim() || "NAME"}:REMOTE{"}"}</>} error={shown.name}>
              <input className="input mono" value={form.name} spellCheck={false} autoComplete="off" onChange={(e) => set({ name: e.target.value })} />
            </Field>
            <Field label="Organization" hint="Its credential secret and its imports live here." error={shown.org}>
              <select className="input" value={form.org} onChange={(e) => set({ org: e.target.value, credential: "" })}>
                {orgNames.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </Section>

        <Section title="Where">
          {aws ? (
            <div className="grid-2">
              <Field label="Region" error={shown.region}>
                <input className="input mono" value={form.region} placeholder="eu-west-1" spellCheck={false} onChange={(e) => set({ region: e.target.value })} />
              </Field>
              <Field label="Endpoint (optional)" hint="A VPC endpoint or a test server; empty: the region's." error={shown.endpoint}>
                <input className="input mono" value={form.endpoint} spellCheck={false} onChange={(e) => set({ endpoint: e.target.value })} />
              </Field>
            </div>
          ) : (
            <div className="grid-2">
              <Field label="Vault URI" error={shown.vaultUri}>
                <input
                  className="input mono"
                  value={form.vaultUri}
                  placeholder="https://NAME.vault.azure.net/"
                  spellCheck={false}
                  onChange={(e) => set({ vaultUri: e.target.value })}
                />
              </Field>
              <Field label="Tenant" hint="The directory id (a GUID) or its domain." error={shown.tenant}>
                <input className="input mono" value={form.tenant} spellCheck={false} onChange={(e) => set({ tenant: e.target.value })} />
              </Field>
              <Field label="Authority host (optional)" hint="Only for clouds other than Azure's public one." error={shown.authorityHost}>
                <input className="input mono" value={form.authorityHost} spellCheck={false} onChange={(e) => set({ authorityHost: e.target.value })} />
              </Field>
            </div>
          )}
        </Section>

        <Section title="Credentials">
          <div role="radiogroup" aria-label="Credentials" className="stack" style={{ gap: 8 }}>
            <label className="check">
              <input type="radio" name="auth" checked={form.auth === "secret"} onChange={() => set({ auth: "secret" })} />
              <span>
                {aws ? "An access key kept in Coffer" : "A client secret kept in Coffer"}
                <span className="hint">
                  {" "}
                  —{" "}
                  {aws
                    ? "a key/value secret with aws_access_key_id, aws_secret_access_key (and aws_session_token)"
                    : "a client credentials secret (client id and client secret)"}
                </span>
              </span>
            </label>
            <label className="check">
              <input type="radio" name="auth" checked={form.auth === "implicit"} onChange={() => set({ auth: "implicit" })} />
              <span>
                {aws ? "This machine's AWS credentials" : "This machine's Azure credentials"}
                <span className="hint"> — {aws ? "environment, shared profile, SSO, instance role" : "AZURE_* variables, managed identity, Azure CLI sign-in"}</span>
              </span>
            </label>
          </div>
          {form.auth === "secret" ? (
            <div className="field">
              <label htmlFor={credentialId}>{aws ? "Access key secret" : "Client credentials secret"}</label>
              <SecretPicker
                key={`${form.kind}-${form.org}`}
                id={credentialId}
                types={aws ? ["key_value"] : ["client_credentials"]}
                org={form.org}
                value={form.credential}
                onChange={(name) => set({ credential: name })}
                describedBy={`${credentialId}-hint`}
              />
              <span id={`${credentialId}-hint`} className={shown.credential ? "error" : "hint"} role={shown.credential ? "alert" : undefined}>
                {shown.credential ?? "Type to search the vault. The connection stores only the secret's name; its use is audited."}
              </span>
            </div>
          ) : aws ? (
            <Field label="Profile (optional)" hint="A profile of ~/.aws/config; empty: the default chain.">
              <input className="input mono" value={form.profile} spellCheck={false} onChange={(e) => set({ profile: e.target.value })} />
            </Field>
          ) : null}
        </Section>

        <Section title="Cache and writes">
          <div className="kv-numbers">
            <Field label="Cache lifetime (seconds)" hint={`Values stay in memory ${durationText(Number(form.ttl) || 0)} at most, less if the remote expires sooner.`} error={shown.ttl}>
              <input className="input" inputMode="numeric" value={form.ttl} onChange={(e) => set({ ttl: e.target.value })} />
            </Field>
            <Field label="Stale-if-error (seconds)" hint="How long an expired value may serve while the service is down or throttling; 0: never." error={shown.stale}>
              <input className="input" inputMode="numeric" value={form.stale} onChange={(e) => set({ stale: e.target.value })} />
            </Field>
            <Field label="Writes per second" hint="Deployments stay under it (AWS allows 50 per account)." error={shown.rate}>
              <input className="input" inputMode="numeric" value={form.rate} onChange={(e) => set({ rate: e.target.value })} />
            </Field>
          </div>
        </Section>

        {test ? <TestResult test={test} /> : null}
        {failure ? (
          <div className="notice notice-error" role="alert">
            <Icon name="alert" />
            <p>{failure}</p>
          </div>
        ) : null}

        <div className="row kv-wizard-actions">
          <a className="btn" href={back}>
            Cancel
          </a>
          <span className="spacer" />
          <button type="button" className="btn" disabled={busy !== null} onClick={() => void runTest()}>
            <Icon name="shield" /> {busy === "test" ? "Testing…" : "Test"}
          </button>
          {test && !test.ok ? (
            <button type="button" className="btn" disabled={busy !== null} onClick={() => void save(true)}>
              Save anyway
            </button>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={busy !== null}>
            {busy === "save" ? "Saving…" : test?.ok ? "Save" : "Test and save"}
          </button>
        </div>
      </form>
    </div>
  );
}
