import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api } from "../ipc/client";

/** Query keys, in one place so mutations invalidate the right things. */
export const keys = {
  status: ["vault-status"] as const,
  secrets: ["secrets"] as const,
  secret: (id: string) => ["secret", id] as const,
  versions: (id: string) => ["versions", id] as const,
  audit: (id: string | null) => ["audit", id] as const,
  orgs: ["orgs"] as const,
  settings: ["settings"] as const,
  types: ["types"] as const,
  jobs: ["jobs"] as const,
  job: (id: string) => ["job", id] as const,
  jobRuns: (id: string) => ["job-runs", id] as const,
  jobKinds: ["job-kinds"] as const,
  usage: (secretId: string) => ["usage", secretId] as const,
  matchingUsage: (query: unknown, except: string[]) => ["usage", "matching", query, except] as const,
  managers: ["managers"] as const,
  remote: (name: string, prefix: string) => ["remote", name, prefix] as const,
  cache: (name: string | null) => ["cache", name] as const,
  deployments: (name: string) => ["deployments", name] as const,
  secretDeployments: (secretId: string) => ["secret-deployments", secretId] as const,
  managerUsage: (name: string) => ["manager-usage", name] as const,
  teamVaults: ["team-vaults"] as const,
  teamStatus: (team: string) => ["team-status", team] as const,
  teamMembers: (team: string) => ["team-members", team] as const,
  teamAudit: (team: string, actor: string, action: string) => ["team-audit", team, actor, action] as const,
  teamInvitations: (team: string) => ["team-invitations", team] as const,
};

export function useVaultStatus() {
  return useQuery({ queryKey: keys.status, queryFn: api.vaultStatus });
}

export function useSettings() {
  return useQuery({ queryKey: keys.settings, queryFn: api.getSettings });
}

export function useOrganizations() {
  return useQuery({ queryKey: keys.orgs, queryFn: api.organizations });
}

/** Everything that shows secrets may be stale after a change. */
export function useInvalidateSecrets() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: keys.secrets }),
      client.invalidateQueries({ queryKey: ["secret"] }),
      client.invalidateQueries({ queryKey: ["versions"] }),
      client.invalidateQueries({ queryKey: ["audit"] }),
      client.invalidateQueries({ queryKey: keys.status }),
      client.invalidateQueries({ queryKey: keys.orgs }),
    ]);
}

/** Queries that show what the vault holds (not its static catalogues). */
const VAULT_CONTENT: readonly string[] = [
  keys.status[0],
  keys.secrets[0],
  "secret",
  "versions",
  "audit",
  keys.orgs[0],
  keys.settings[0],
  keys.jobs[0],
  "job",
  "job-runs",
  "usage",
  keys.managers[0],
  "deployments",
  "secret-deployments",
  "manager-usage",
];

/**
 * Another process (the CLI) changed the vault: refetches what shows its
 * content. Cached data stays on screen until the new answer arrives, so
 * nothing flickers.
 */
export function refreshAfterOtherProcess(client: QueryClient): Promise<void> {
  return client.invalidateQueries({
    predicate: (query) => typeof query.queryKey[0] === "string" && VAULT_CONTENT.includes(query.queryKey[0]),
  });
}
