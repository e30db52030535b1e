import type { SecretType } from "../ipc/client";

/** How each type is named and explained to people. */
export const TYPE_INFO: Record<SecretType, { label: string; description: string }> = {
  basic_auth: { label: "Basic auth", description: "A username and password, e.g. for a registry or a Git server." },
  bearer_token: {
    label: "Bearer token",
    description: "A token sent as Authorization: Bearer, or in a custom header.",
  },
  api_key: { label: "API key", description: "A key sent in a named header, such as X-API-Key." },
  client_credentials: {
    label: "Client credentials",
    description: "An OAuth 2.0 client id and secret, with scopes and a token URL.",
  },
  certificate: {
    label: "Certificate",
    description: "A TLS client certificate chain with its private key (mTLS).",
  },
  ca_bundle: { label: "CA bundle", description: "CA certificates to trust for private endpoints." },
  ssh_key_pair: { label: "SSH key pair", description: "Generate a key pair or upload one (deploy keys, Git over SSH)." },
  key_value: { label: "Key/value", description: "A set of keys and values, typed in or imported from .env or JSON." },
  data: { label: "Data", description: "Any text or file: a kubeconfig, a license, a keystore." },
};

export const TYPE_ORDER: SecretType[] = [
  "basic_auth",
  "bearer_token",
  "api_key",
  "client_credentials",
  "certificate",
  "ca_bundle",
  "ssh_key_pair",
  "key_value",
  "data",
];

export function typeLabel(type: SecretType): string {
  return TYPE_INFO[type].label;
}
