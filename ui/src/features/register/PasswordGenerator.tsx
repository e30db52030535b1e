import { Icon } from "../../components/Icon";

const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!@#%+=";

/** A strong random password: 24 characters, each equally likely. */
export function randomPassword(length = 24): string {
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(64))) {
      if (byte < limit && out.length < length) out += PASSWORD_ALPHABET.charAt(byte % PASSWORD_ALPHABET.length);
    }
  }
  return out;
}

/** The hint under a password field once a password was generated into it. */
export const GENERATED_HINT = "A random 24-character password was generated: show it to set it on the other system.";

/**
 * The password generator of the register wizard and of "Set new value": one button that hands a
 * fresh random password to `onGenerate` (the field's show toggle lets the person see it).
 */
export function GeneratePasswordButton({ onGenerate }: { onGenerate: (password: string) => void }) {
  return (
    <button type="button" className="btn btn-sm" onClick={() => onGenerate(randomPassword())}>
      <Icon name="refresh" /> Generate a strong password
    </button>
  );
}
