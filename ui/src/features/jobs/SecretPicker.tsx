import { useQuery } from "@tanstack/react-query";

import { api, type SecretMeta, type SecretType } from "../../ipc/client";
import { keys } from "../../lib/queries";
import { typeLabel } from "../../lib/secretTypes";

/** Secrets of the given types in an organization, by name (for pickers). */
export function useSecretsOfTypes(types: SecretType[], org: string) {
  return useQuery({
    queryKey: [...keys.secrets, "picker", org, ...types],
    queryFn: async () =>
      (await api.listSecrets({ types, org, sort: "name", limit: 1000, scope: "live" })).items,
    enabled: types.length > 0,
  });
}

function optionLabel(meta: SecretMeta): string {
  const state = meta.status === "active" ? "" : ` — ${meta.status}`;
  return `${meta.name} (${typeLabel(meta.type)})${state}`;
}

/** A select of the secrets that can play a role: only compatible types are offered. */
export function SecretPicker({
  id,
  types,
  org,
  value,
  onChange,
  describedBy,
  usable,
}: {
  id: string;
  types: SecretType[];
  org: string;
  value: string;
  onChange: (name: string) => void;
  describedBy?: string;
  /** Secrets of the right type that cannot play the role (e.g. a DSA certificate for mTLS) are left out. */
  usable?: { accepts: (meta: SecretMeta) => boolean; reason: string };
}) {
  const secrets = useSecretsOfTypes(types, org);
  const all = secrets.data ?? [];
  const items = usable ? all.filter(usable.accepts) : all;
  const refused = usable && value ? all.find((s) => s.name === value && !usable.accepts(s)) : undefined;
  const missing = value && secrets.data && !refused && !items.some((s) => s.name === value);
  return (
    <select
      id={id}
      className="select"
      value={value}
      aria-describedby={describedBy}
      aria-busy={secrets.isPending}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{secrets.isPending ? "Loading…" : items.length ? "None" : "None (no compatible secret yet)"}</option>
      {missing ? <option value={value}>{value} (not found)</option> : null}
      {refused && usable ? (
        <option value={value} disabled>
          {value} ({usable.reason})
        </option>
      ) : null}
      {items.map((meta) => (
        <option key={meta.id} value={meta.name} disabled={meta.status === "deactivated"}>
          {optionLabel(meta)}
        </option>
      ))}
    </select>
  );
}
