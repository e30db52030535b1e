import { useQuery } from "@tanstack/react-query";

import { Icon } from "../../components/Icon";
import { api, type SecretMeta, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { routeHref } from "../../lib/router";

const PAGE = 1000;

/** The SHA-256 fingerprint of a stored certificate's (or bundle's) first certificate, from its public summary. */
function fingerprintOf(meta: SecretMeta): string | null {
  const certificates = meta.public_fields.certificates;
  if (!Array.isArray(certificates)) return null;
  const first: unknown = certificates[0];
  if (!first || typeof first !== "object" || !("sha256" in first)) return null;
  return typeof first.sha256 === "string" ? first.sha256.toLowerCase() : null;
}

/** The live secrets of `type` whose first certificate has this fingerprint (every page of the vault). */
export function useSameCertificate(type: SecretType, sha256: string | null | undefined) {
  const wanted = sha256?.toLowerCase() ?? "";
  return useQuery({
    queryKey: [...keys.secrets, "same-certificate", type, wanted],
    queryFn: async () => {
      const found: SecretMeta[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await api.listSecrets({ types: [type], sort: "name", limit: PAGE, offset, scope: "live" });
        found.push(...page.items.filter((meta) => fingerprintOf(meta) === wanted));
        if (page.items.length < PAGE || offset + PAGE >= page.total) return found;
      }
    },
    enabled: wanted !== "",
  });
}

/** "Already in the vault as NAME" when the same certificate (by fingerprint) is registered. */
export function AlreadyStored({ type, sha256 }: { type: SecretType; sha256: string | null | undefined }) {
  const same = useSameCertificate(type, sha256);
  const found = same.data ?? [];
  if (found.length === 0) return null;
  return (
    <div className="notice notice-warn" role="note">
      <Icon name="alert" />
      <p>
        {type === "ca_bundle" ? "A bundle starting with this CA is" : "This certificate is"} already in the vault as{" "}
        {found.map((meta, i) => (
          <span key={meta.id}>
            {i > 0 ? ", " : ""}
            <a href={routeHref({ view: "secret", id: meta.id })} className="mono">
              {meta.name}
            </a>
            {meta.org !== "Default" ? ` (${meta.org})` : ""}
          </span>
        ))}
        . Registering it again makes a second secret; to renew or replace it, set a new value on that one instead.
      </p>
    </div>
  );
}
