import { Icon } from "../../components/Icon";
import type { FieldInput, SecretType, TypeInfo } from "../../ipc/client";
import { fieldLabel } from "./fieldNames";
import { charCount } from "./textRules";

/**
 * Under this many characters a secret value is redacted wherever it occurs in
 * job output, words included (the CLI warns at the same length).
 */
export const SHORT_VALUE_CHARS = 6;

/** Whether a typed secret value is so short that redacting it mangles output. */
export function isShortValue(value: string): boolean {
  return value !== "" && charCount(value) < SHORT_VALUE_CHARS;
}

/** The secret fields among `fields` whose typed text is short, by label. */
export function shortSecretFields(type: SecretType, fields: FieldInput[], types: TypeInfo[] | undefined): string[] {
  const specs = types?.find((t) => t.type === type)?.fields ?? [];
  const secret = (name: string) => type === "key_value" || specs.some((s) => s.name === name && s.secret);
  return fields
    .filter((f) => f.value.kind === "text" && secret(f.name) && isShortValue(f.value.text))
    .map((f) => fieldLabel(type, f.name));
}

/** A warning, not a block: the value is stored as typed. */
export function ShortValueWarning({ labels }: { labels: string[] }) {
  if (labels.length === 0) return null;
  const which = labels.length === 1 ? `${labels[0] ?? ""} is` : `${labels.slice(0, -1).join(", ")} and ${labels.at(-1) ?? ""} are`;
  return (
    <div className="notice notice-warn" role="note">
      <Icon name="alert" />
      <p>
        {which} shorter than {SHORT_VALUE_CHARS} characters: redacting a value this short will mangle job output.
      </p>
    </div>
  );
}
