import type { KeyAlgorithm, SecretMeta } from "../ipc/client";

/** Key algorithms a client certificate can use for mutual TLS; others are stored and tracked only. */
export const MTLS_KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["rsa", "ec", "ed25519", "ed448"];

const LABELS: Record<KeyAlgorithm, string> = {
  rsa: "RSA",
  ec: "EC",
  ed25519: "Ed25519",
  ed448: "Ed448",
  dsa: "DSA",
  dh: "Diffie-Hellman",
  gost: "GOST R 34.10",
  x25519: "X25519",
  x448: "X448",
  ml_dsa: "ML-DSA",
  ml_kem: "ML-KEM",
  slh_dsa: "SLH-DSA",
  unknown: "Unknown",
};

/** A key algorithm as a person names it; unknown values are shown as they are. */
export function keyAlgorithmLabel(algorithm: string): string {
  return (LABELS as Record<string, string>)[algorithm] ?? algorithm;
}

/**
 * Whether a secret can serve as the client certificate of mutual TLS: a certificate whose leaf key
 * algorithm is one TLS can use. Summaries stored before the algorithm was recorded count as usable.
 */
export function usableForMtls(meta: SecretMeta): boolean {
  if (meta.type !== "certificate") return true;
  const certificates = meta.public_fields.certificates;
  if (!Array.isArray(certificates) || certificates.length === 0) return true;
  const leaf: unknown = certificates[0];
  const algorithm = typeof leaf === "object" && leaf !== null ? (leaf as Record<string, unknown>).key_algorithm : undefined;
  return typeof algorithm !== "string" || (MTLS_KEY_ALGORITHMS as readonly string[]).includes(algorithm);
}
