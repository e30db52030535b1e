import { useCallback, useRef, useState } from "react";

import { api, CofferError, errorMessage, type InspectionReport, type SecretType } from "../../ipc/client";
import type { Source } from "./sources";

export type Inspection =
  | { status: "idle" }
  /** Reading; `passwordField` while a password given for that field is tried. */
  | { status: "checking"; passwordField?: string }
  /** An encrypted key or PKCS#12 file: its password is needed (`wrong` after a wrong one). */
  | { status: "password"; field: string; wrong: boolean }
  | { status: "done"; report: InspectionReport; password: string | null }
  /** The input could not be read; `field` is the one the shell named. */
  | { status: "failed"; field: string; message: string };

/**
 * Asks the shell what a certificate, CA bundle or SSH key holds, before
 * anything is saved. Only the newest request's answer counts.
 */
export function useInspection(kind: SecretType) {
  const [state, setState] = useState<Inspection>({ status: "idle" });
  const latest = useRef(0);

  const inspect = useCallback(
    async (input: Source, key: Source | null, password: string | null): Promise<InspectionReport | null> => {
      const request = ++latest.current;
      setState((prev) =>
        prev.status === "password" && password !== null ? { status: "checking", passwordField: prev.field } : { status: "checking" },
      );
      try {
        const report = await api.inspectInput(kind, input.value, key?.value ?? null, password);
        if (request === latest.current) setState({ status: "done", report, password });
        return report;
      } catch (error) {
        if (request !== latest.current) return null;
        const field = fieldOf(error) ?? (kind === "ca_bundle" ? "certificates" : kind === "ssh_key_pair" ? "private_key" : "certificate");
        if (error instanceof CofferError && (error.code === "password_required" || error.code === "wrong_password")) {
          setState({ status: "password", field, wrong: error.code === "wrong_password" });
        } else {
          setState({ status: "failed", field, message: withoutField(errorMessage(error)) });
        }
        return null;
      }
    },
    [kind],
  );

  const reset = useCallback(() => {
    latest.current += 1;
    setState({ status: "idle" });
  }, []);

  return { state, inspect, reset };
}

function fieldOf(error: unknown): string | null {
  if (!(error instanceof CofferError)) return null;
  return /^([a-z_]+): /.exec(error.message)?.[1] ?? null;
}

/** The message without the field it names and the internal code it may end with ("… (key_mismatch)"). */
export function withoutField(message: string): string {
  const rest = message.replace(/^[a-z_]+: /, "").replace(/ \([a-z0-9_]+\)\.?$/, "");
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}
