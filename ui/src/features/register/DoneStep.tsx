import { useState } from "react";

import { CopyButton } from "../../components/CopyButton";
import { Icon } from "../../components/Icon";
import type { RegisterResponse } from "../../ipc/client";
import { typeLabel } from "../../lib/secretTypes";
import { routeHref } from "../../lib/router";
import { formatDate, parseTime } from "../../lib/time";
import { text } from "../detail/fieldNames";
import { useSharedOrgs } from "../shared/model";
import { SshSummary } from "./SshForm";

/** Registered: where to go next, and what is shown only now. */
export function DoneStep({ response, onAnother }: { response: RegisterResponse; onAnother: () => void }) {
  const secret = response.secret;
  const [now] = useState(() => Date.now());
  const shared = useSharedOrgs().data?.find((o) => o.name === secret.org) ?? null;
  const publicKey = text(secret.public_fields.public_key);
  const fingerprint = text(secret.public_fields.fingerprint_sha256) ?? text(secret.public_fields.fingerprint) ?? "";
  const algorithm = text(secret.public_fields.algorithm) ?? "";
  const bits = typeof secret.public_fields.bits === "number" ? secret.public_fields.bits : undefined;
  return (
    <div className="stack reg-form reg-done">
      <div className="notice notice-ok" role="status">
        <Icon name="check" size={20} />
        <div className="stack" style={{ gap: 4 }}>
          <p>
            <strong>Registered.</strong> {typeLabel(secret.type)} <span className="mono">{secret.name}</span> is in{" "}
            <span className="mono">{secret.org}</span>
            {shared ? ` (shared in team vault ${shared.team})` : ""}
            {secret.expires_at
              ? (parseTime(secret.expires_at)?.getTime() ?? 0) <= now
                ? `, already expired (on ${formatDate(secret.expires_at)})`
                : `, expiring ${formatDate(secret.expires_at)}`
              : ""}
            .
          </p>
        </div>
      </div>
      {response.generated_password ? (
        <section className="card stack reg-once" aria-labelledby="reg-store-password">
          <div className="row">
            <h3 id="reg-store-password">Store password</h3>
            <span className="spacer" />
            <CopyButton text={response.generated_password} label="Copy password" done="Store password copied." />
          </div>
          <pre className="public-key reg-password-once" aria-label="Generated store password">
            {response.generated_password}
          </pre>
          <div className="notice notice-warn" role="note">
            <Icon name="alert" />
            <p>
              <strong>It will not be shown again.</strong> Keep it in a safe place now: it is needed to read or change this
              secret, and Coffer does not keep it.
            </p>
          </div>
        </section>
      ) : null}
      {publicKey ? (
        <section className="stack" aria-label="SSH public key">
          <p>Add the public key where the key pair should be accepted, e.g. as a deploy key of a Git repository.</p>
          <SshSummary ssh={{ algorithm, bits: bits ?? 0, fingerprint_sha256: fingerprint, public_key: publicKey }} />
        </section>
      ) : null}
      <div className="reg-actions">
        <a className="btn btn-primary" href={routeHref(shared ? { view: "shared", id: secret.id } : { view: "secret", id: secret.id })}>
          Open {secret.name}
        </a>
        <button type="button" className="btn" onClick={onAnother}>
          <Icon name="plus" /> Register another
        </button>
        <span className="spacer" />
        <a className="btn btn-ghost" href={routeHref({ view: "secrets" })}>
          Back to the list
        </a>
      </div>
    </div>
  );
}
